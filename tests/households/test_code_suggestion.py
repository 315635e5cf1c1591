"""The new-household form suggests the next code of the commune's series (prefix + zero-padded
number), read from the commune's own codes only, and says what a code may contain."""
import re

import pytest

from app.core.units import AdminUnit
from app.extensions import db as _db
from app.households import services
from app.households.codes import next_code


@pytest.mark.parametrize("codes, expected", [
    (["XM-0041", "XM-0042"], "XM-0043"),
    (["XM-0042", "XM-0007"], "XM-0043"),             # the highest, not the last
    (["T1-99", "T1-98"], "T1-100"),                  # the number may outgrow the padding
    (["HG0000123", "HG0000007", "HH-C1"], "HG0000124"),   # the most used prefix
    (["A-01", "B-05"], "B-06"),                      # a tie: the newest series
    (["xm-0009"], "XM-0010"),                        # codes are upper case
    (["KHONGSO", ""], None),                         # nothing ends in a number
    ([], None),
    (["X" * 29 + "9"], None),                        # the next would be too long
])
def test_next_code(codes, expected):
    assert next_code(codes) == expected


def _household(world, code, commune):
    hamlet = _db.session.get(AdminUnit, world.units[f"H{commune[1]}"])
    return services.create_household({"code": code, "head_name": "Lê Văn Một", "address": "",
                                      "policy_group": None}, hamlet,
                                     head={"birth_year": 1980, "sex": "M"})


def _code_input(html):
    return re.search(r'<input[^>]*name="code"[^>]*>', html)[0]


def test_new_form_prefills_the_next_code_of_the_commune(login_as, world, db):
    for code in ("XM-0041", "XM-0042"):
        _household(world, code, "C1")
    _household(world, "XM-0099", "C3")               # another commune: not read
    db.session.commit()
    html = login_as("commune1").get("/households/new").get_data(as_text=True)
    assert 'value="XM-0043"' in _code_input(html)
    assert "code-hint" in _code_input(html)
    hint = re.search(r'<p id="code-hint"[^>]*>(.*?)</p>', html, re.S)[1]
    assert "chữ cái không dấu, số và . _ -" in hint and "XM-0043" in hint


def test_a_refused_post_keeps_what_was_typed(login_as, world, db):
    _household(world, "XM-0041", "C1")
    db.session.commit()
    response = login_as("commune1").form("/households/new", {"code": "XM-9000", "head_name": ""})
    assert response.status_code == 422
    assert 'value="XM-9000"' in _code_input(response.get_data(as_text=True))
