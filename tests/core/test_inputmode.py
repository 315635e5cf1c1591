"""Money fields open a phone's number keypad: every amount input carries inputmode="numeric"
(given once, by MoneyField), also when the form comes back with errors."""
import re

import pytest


def money_input(response, name: str) -> str:
    html = response.get_data(as_text=True)
    found = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), html)
    assert found, f"no <input name={name}> on the page"
    return found.group(0)


@pytest.mark.parametrize("url, name", [
    ("/supports/households/{C1}/new", "value_vnd"),
    ("/households/{C1}/reviews/new", "income_per_capita"),
], ids=["support-value", "review-income"])
def test_money_inputs_ask_for_the_numeric_keypad(login_as, world, url, name):
    client = login_as("commune1")
    response = client.get(url.format(C1=world.households["C1"]))
    assert response.status_code == 200
    field = money_input(response, name)
    assert 'inputmode="numeric"' in field
    assert 'type="text"' in field     # not type=number: "1.500.000" stays typeable


def test_a_form_back_with_errors_keeps_the_keypad_and_the_typed_amount(login_as, world):
    client = login_as("commune1")
    url = f"/households/{world.households['C1']}/reviews/new"
    response = client.form(url, {"year": "2024", "income_per_capita": "1.4OO.000"}, htmx=True)
    assert response.status_code == 422
    field = money_input(response, "income_per_capita")
    assert 'inputmode="numeric"' in field and 'value="1.4OO.000"' in field


def test_a_money_field_keeps_its_own_render_options(app):
    from app.core.forms import AppForm
    from app.reviews.forms import MoneyField

    class Form(AppForm):
        amount = MoneyField("Số tiền", render_kw={"placeholder": "1.500.000"})
        plain = MoneyField("Số tiền")

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        assert 'inputmode="numeric"' in form.amount() and 'placeholder="1.500.000"' in form.amount()
        assert 'inputmode="numeric"' in form.plain() and "placeholder" not in form.plain()
