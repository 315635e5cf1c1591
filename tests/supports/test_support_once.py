"""The support form posted twice (a double click, a retry on a slow network) records one
support: the second post gets the first one's answer (core.once)."""
import re

import pytest

from tests.supports.test_support_routes import count, form


def token_of(response) -> str:
    """The one-time token of the (only) form in `response`."""
    field = re.search(r'<input[^>]*name="form_token"[^>]*>', response.get_data(as_text=True))
    assert field, "the form carries no one-time token"
    return re.search(r'value="([^"]+)"', field.group(0)).group(1)


def url(world):
    return f"/supports/households/{world.households['C1']}/new"


def answer(response):
    return (response.status_code, response.get_data(as_text=True),
            *(response.headers.get(h) for h in ("Location", "HX-Retarget", "HX-Redirect")))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_same_support_form_posted_twice_records_one_support(login_as, world, db, htmx):
    client = login_as("commune1")
    data = form(form_token=token_of(client.get(url(world))))
    before = count(db)
    first = client.form(url(world), data, htmx=htmx)
    second = client.form(url(world), data, htmx=htmx)
    assert first.status_code == (200 if htmx else 303)
    assert count(db) == before + 1
    assert answer(second) == answer(first)   # the same refreshed panel, or the same redirect


def test_a_refused_post_leaves_the_token_for_the_corrected_one(login_as, world, db):
    client = login_as("commune1")
    token = token_of(client.get(url(world)))
    before = count(db)
    refused = client.form(url(world), form(value_vnd="hai triệu", form_token=token), htmx=True)
    assert refused.status_code == 422 and token_of(refused) == token   # the same submission
    loan = form(type_code="vbsp_loan", funding_source_code="vbsp_credit", form_token=token)
    refused = client.form(url(world), loan, htmx=True)   # refused by the service (rolled back)
    assert refused.status_code == 422 and token_of(refused) == token
    assert count(db) == before
    saved = client.form(url(world), form(form_token=token), htmx=True)
    assert saved.status_code == 200 and count(db) == before + 1
    again = client.form(url(world), form(form_token=token), htmx=True)
    assert answer(again) == answer(saved) and count(db) == before + 1


def test_a_fresh_form_after_the_write_has_a_fresh_token(login_as, world, db):
    client = login_as("commune1")
    token = token_of(client.get(url(world)))
    client.form(url(world), form(form_token=token), htmx=True)
    assert token_of(client.get(url(world))) != token
    before = count(db)
    client.form(url(world), form(form_token=token_of(client.get(url(world)))), htmx=True)
    assert count(db) == before + 1   # a second support, entered on purpose, is recorded


def test_a_post_without_token_works_as_before(login_as, world, db):
    client = login_as("commune1")
    before = count(db)
    assert client.form(url(world), form(), htmx=True).status_code == 200
    assert client.form(url(world), form(), htmx=True).status_code == 200
    assert count(db) == before + 2
