"""The official lists of a round through HTTP: which households appear on which list, per
commune and per hamlet; the .xlsx rows are the page's rows; the printable page carries the
unit header, the national motto, the decision reference and the chairman's signature block;
ethnicity only for roles that see sensitive data; scope (another commune's round or hamlet:
404)."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from app.core import lookups
from app.core.units import AdminUnit
from app.households import services as household_services
from app.reviews import round_decision, round_services
from app.reviews.services import ReviewInput, save_review
from tests.conftest import page_text

YEAR = 2024          # the round's year: it makes the lists of 2025
NUMBER, DECIDED_ON = "25/QĐ-UBND", date(2024, 12, 20)
INCOME = {"poor": (1_200_000, ["employment", "water", "latrine"]), "near_poor": (1_200_000, []),
          "not_poor": (5_000_000, [])}


def _decided(hh, year, status, number="1/QĐ-UBND", decided=True):
    income, indicators = INCOME[status]
    # Reviews before 2021 fall under the 2016–2021 standard: income alone decides there.
    if year < 2021:
        income, indicators = {"poor": 600_000, "near_poor": 900_000, "not_poor": 5_000_000}[status], []
    save_review(hh, ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=income, score_a=None, indicator_codes=indicators, cause_codes=[],
        has_labour=True, policy_group=None, needs="",
        decision_number=number if decided else None,
        decision_date=date(year, 12, 20) if decided else None,
        decided_status=status if decided else None, override_reason=None), None)


def _household(db, world, code, hamlet, history, ethnicity=None):
    """history: [(year, status)], the last of YEAR decided under the round's decision."""
    hh = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": f"Xóm {code}",
         "policy_group": None}, db.session.get(AdminUnit, world.units[hamlet]),
        head={"sex": "M", "birth_year": 1970, "ethnicity_code": ethnicity})
    db.session.flush()
    for year, status in history:
        _decided(hh, year, status, NUMBER if year == YEAR else "1/QĐ-UBND")
    return hh


@pytest.fixture
def setup(db, world):
    commune = db.session.get(AdminUnit, world.units["C1"])
    round_ = round_services.create_round(commune, YEAR)
    db.session.flush()
    hh = {
        "stays-poor": _household(db, world, "L-1", "H1", [(2023, "poor"), (YEAR, "poor")], "1"),
        "to-near": _household(db, world, "L-2", "H1b", [(2023, "poor"), (YEAR, "near_poor")]),
        "near-out": _household(db, world, "L-3", "H1", [(2023, "near_poor"), (YEAR, "not_poor")]),
        "out-2022": _household(db, world, "L-4", "H1b", [(2021, "poor"), (2022, "not_poor")]),
        "out-2020": _household(db, world, "L-5", "H1", [(2019, "poor"), (2020, "not_poor")]),
        "poor-out": _household(db, world, "L-6", "H1", [(2023, "poor"), (YEAR, "not_poor")]),
    }
    undecided = _household(db, world, "L-7", "H1", [(2023, "poor")])
    _decided(undecided, YEAR, "poor", decided=False)
    round_decision.record_decision(round_, NUMBER, DECIDED_ON, YEAR + 1, "", None)
    db.session.commit()
    return round_, hh


def _url(round_, kind, hamlet=None, xlsx=False):
    url = f"/reviews/rounds/{round_.id}/lists{'.xlsx' if xlsx else ''}?list={kind}"
    return url + (f"&hamlet={hamlet}" if hamlet else "")


def _page_rows(response):
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr class="list-row">(.*?)</tr>', html, flags=re.S)
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S))
            for r in rows]


def _codes(response):
    return [row[1] for row in _page_rows(response)]


@pytest.mark.parametrize("kind, codes", [
    ("poor", ["L-1"]),
    ("near_poor", ["L-2"]),
    ("escaped", ["L-2", "L-6"]),              # poor → near-poor, poor → out
    ("escaped_near", ["L-3"]),
    ("newly_escaped", ["L-3", "L-4", "L-6"]),  # out at most 3 list years (2020: too long ago)
])
def test_each_list_holds_the_households_the_reviews_put_there(kind, codes, setup, login_as):
    round_, _hh = setup
    response = login_as("commune1").get(_url(round_, kind))
    assert response.status_code == 200
    assert sorted(_codes(response)) == codes


def test_lists_per_hamlet(setup, login_as, world):
    round_, _hh = setup
    client = login_as("commune1")
    assert _codes(client.get(_url(round_, "escaped", world.units["H1b"]))) == ["L-2"]
    assert _codes(client.get(_url(round_, "escaped", world.units["H1"]))) == ["L-6"]
    assert _codes(client.get(_url(round_, "newly_escaped", world.units["H1b"]))) == ["L-4"]
    whole = client.get(_url(round_, "newly_escaped")).get_data(as_text=True)
    assert whole.count('class="hamlet-group"') == 2          # the commune's list, by hamlet


def test_the_workbook_rows_are_the_page_rows(setup, login_as, world):
    round_, _hh = setup
    client = login_as("commune1")
    for kind, hamlet in (("newly_escaped", None), ("escaped", world.units["H1"]), ("poor", None)):
        page = client.get(_url(round_, kind, hamlet))
        book = client.get(_url(round_, kind, hamlet, xlsx=True))
        assert book.status_code == 200
        assert book.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheet = load_workbook(io.BytesIO(book.data)).active
        cells = [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]
        heading = next(i for i, row in enumerate(cells) if row[0] == "STT")
        data = [row for row in cells[heading + 1:] if row[0].isdigit()]
        assert data == _page_rows(page) and data
        text = " ".join(" ".join(row) for row in cells)
        assert "UBND XÃ MỘT" in text and NUMBER in text and "CHỦ TỊCH" in text


def test_the_printable_page_has_the_official_header_and_signature(setup, login_as):
    round_, _hh = setup
    text = page_text(login_as("commune1").get(_url(round_, "poor")))
    for words in ("UBND XÃ MỘT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "DANH SÁCH HỘ NGHÈO NĂM 2025", f"Quyết định số {NUMBER} ngày 20/12/2024",
                  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "ngày 20 tháng 12 năm 2024", "In danh sách"):
        assert words in text, words


def test_ethnicity_only_for_roles_that_see_sensitive_data(setup, login_as, client):
    round_, _hh = setup
    kinh = lookups.labels("ethnicity")["1"]
    officer = login_as("commune1").get(_url(round_, "poor"))
    assert "Dân tộc" in page_text(officer) and _page_rows(officer)[0][3] == kinh
    client.form("/logout")
    front = login_as("massorg1")
    page, book = front.get(_url(round_, "poor")), front.get(_url(round_, "poor", xlsx=True))
    assert page.status_code == book.status_code == 200
    assert "Dân tộc" not in page_text(page) and kinh not in _page_rows(page)[0]
    sheet = load_workbook(io.BytesIO(book.data)).active
    assert not any(v in ("Dân tộc", kinh) for row in sheet.iter_rows(values_only=True) for v in row)


def test_scope_another_communes_round_or_hamlet_is_404(setup, login_as, db, world, client):
    round_, _hh = setup
    other = round_services.create_round(db.session.get(AdminUnit, world.units["C3"]), YEAR)
    db.session.commit()
    officer = login_as("commune1")
    assert officer.get(_url(round_, "poor", world.units["H3"])).status_code == 404
    assert officer.get(_url(round_, "poor", world.units["H3"], xlsx=True)).status_code == 404
    assert officer.get(_url(other, "poor")).status_code == 404
    assert officer.get(_url(other, "poor", xlsx=True)).status_code == 404
    assert officer.get(_url(round_, "khong-co")).status_code == 404
    client.form("/logout")
    district = login_as("district1")         # C1 is in the district's area, C3 is not
    assert district.get(_url(round_, "poor")).status_code == 200
    assert district.get(_url(other, "poor")).status_code == 404
