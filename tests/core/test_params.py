"""core.params: one way to read a whole number from the query string; core.scoping's sponsor
rule fails closed without the hook app.sponsors registers."""
from sqlalchemy.sql.elements import False_

from app.core import scoping
from app.core.params import MAX_PAGE, int_arg, page_arg, to_int
from app.households.models import Household


def test_to_int_falls_back_on_anything_odd():
    assert to_int("12") == 12
    assert to_int(" 7 ") == 7
    assert to_int(None) is None and to_int("") is None and to_int("abc") is None
    assert to_int("1e3", 5) == 5
    assert to_int("0", None, low=1) is None
    assert to_int("2101", None, 2000, 2100) is None
    assert to_int("2024", None, 2000, 2100) == 2024


def test_query_args_and_page(app):
    with app.test_request_context("/?year=2024&hamlet=-3&page=0"):
        assert int_arg("year", low=1) == 2024
        assert int_arg("hamlet", low=1) is None
        assert page_arg() == 1
    with app.test_request_context("/?page=99999999"):
        assert page_arg() == MAX_PAGE
    with app.test_request_context("/?page=x"):
        assert page_arg() == 1


def test_sponsor_rule_fails_closed_without_the_hook(app, monkeypatch):
    assert not isinstance(scoping.sponsor_clause(Household, 1), False_)   # sponsors registered it
    monkeypatch.setattr(scoping, "_sponsor_households", None)
    assert isinstance(scoping.sponsor_clause(Household, 1), False_)
