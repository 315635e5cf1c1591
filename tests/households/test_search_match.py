"""The household list says why a household was found when its head's name does not: the
matching member's name and relationship under the head (issue 16)."""
import pytest

from app.core.units import AdminUnit
from app.households import services
from app.households.models import Household
from tests.sqlcount import count_queries

RESULTS = {"HX-Request": "true", "HX-Target": "hh-results"}


def results(client, q):
    response = client.get("/households/", query_string={"q": q}, headers=RESULTS)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_spouse_search_shows_the_spouse(login_as):
    body = results(login_as("commune1"), "Đặng Thị")
    assert "HH-C1" in body
    assert "Khớp: Đặng Thị Ánh (Vợ/chồng)" in body


def test_a_short_search_matches_word_starts_of_members(login_as):
    body = results(login_as("commune1"), "da")      # "Đặng" begins with it
    assert "Khớp: Đặng Thị Ánh (Vợ/chồng)" in body


def test_a_head_search_shows_no_member_line(login_as):
    client = login_as("commune1")
    body = results(client, "Nguyễn Văn An")
    assert "HH-C1" in body
    assert "Khớp:" not in body
    # "an" begins the head's last word and no word of the spouse's: no line either
    assert "Khớp:" not in results(client, "an")


def test_without_a_search_there_is_no_line(login_as):
    client = login_as("commune1")
    body = client.get("/households/", headers=RESULTS).get_data(as_text=True)
    assert "HH-C1" in body and "Khớp:" not in body


def test_the_line_stays_in_scope(login_as):
    """C5 (another province) has a spouse "Bùi Thị Lan": commune1 neither finds nor names it."""
    body = results(login_as("commune1"), "Bùi Thị Lan")
    assert "HH-C5" not in body and "Bùi" not in body


def test_sensitive_fields_are_never_shown(login_as, db, world):
    hh = db.session.get(Household, world.households["C1"])
    services.add_member(hh, {"full_name": "Lò Thị Mai", "sex": "F", "birth_year": 2000,
                             "relationship_code": "child", "id_number": "001200012345",
                             "ethnicity_code": "thai"})
    db.session.commit()
    body = results(login_as("massorg1"), "Lò Thị Mai")
    assert "Khớp: Lò Thị Mai" in body
    assert "001200012345" not in body


@pytest.fixture
def many(db, world):
    """Eight more households in C1 whose spouse is a "Đặng …" and whose head is not."""
    hamlet = db.session.get(AdminUnit, world.units["H1"])
    for i in range(8):
        hh = services.create_household(
            {"code": f"HH-M{i}", "head_name": f"Trương Văn Tám {i}", "address": "Số 2",
             "policy_group": None}, hamlet, head={"birth_year": 1960, "sex": "M"})
        services.add_member(hh, {"full_name": f"Đặng Thị Mười {i}", "sex": "F",
                                 "birth_year": 1965, "relationship_code": "spouse"})
    db.session.commit()


def test_one_query_for_the_whole_page(login_as, db, many):
    client = login_as("commune1")
    results(client, "Trương Văn")                   # warm caches (lookups, session)
    with count_queries(db) as by_head:
        body = results(client, "Trương Văn")
    assert body.count("<tr>") - 1 == 8 and "Khớp:" not in body
    with count_queries(db) as by_member:
        body = results(client, "Đặng Thị")
    assert body.count("Khớp: Đặng Thị") == 9
    assert len(by_member) <= len(by_head) + 1, "\n".join(by_member)
