"""The home page of every demo account: each card's number is the number of rows (or the
figure) the list behind its link shows to that same user."""
import pytest

from tests.main.helpers import cards, check_cards

# account → the cards it must have (every one with a count is followed and compared)
EXPECTED = {
    "xa1": {"plan_overdue", "supports_pending", "fund_queries", "reports_due"},
    "huyen1": {"reports_due", "reports_late", "rounds_late", "escaped", "exits_proposed"},
    "tinh1": {"reports_due", "reports_late", "rounds_late", "escaped", "exits_proposed"},
    "mttq1": {"fund_pending", "fund_answered"},
    "nhataitro1": {"sponsor_tasks", "sponsor_pending", "sponsor_rejected"},
    "admin": {"users_locked", "users_nounit"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_every_card_counts_what_its_link_shows(demo_login, username):
    client = demo_login(username)
    found = check_cards(client)
    assert EXPECTED[username] <= set(found), set(found)


def test_login_lands_on_the_home_page(demo_app):
    client = demo_app.test_client()
    client.get("/login")
    response = client.form("/login", {"username": "xa1", "password": "demo12345"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Việc cần làm hôm nay" in text and 'aria-current="page">Trang chủ' in text


def test_demo_commune_has_work_to_show(demo_login):
    """The demo province is not empty: the commune officer's main cards count something, so
    the comparison above compares real numbers."""
    found = cards(demo_login("xa1").get("/"))
    assert found["plan_overdue"]["count"] > 0 and found["supports_pending"]["count"] > 0
    assert found["plan_overdue"]["severity"] == "alert"
