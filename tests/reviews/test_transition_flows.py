"""The poor and near-poor lists as stocks (app.reviews.transitions): start + in − out = end in
every row of every unit and year of the demo province; a move between the lists on both
lists; the first year in the app as a baseline, not "phát sinh"; a change of standard in its
own column; moves and deletions; "nghèo liên tục N năm" of a past year from the reviews up
to that year; the report page and its workbook showing the same columns; the unit selector
within the scope."""
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.units import HAMLET, AdminUnit
from app.core.users import User
from app.households import services as household_services
from app.households.models import Household
from app.reviews import services as review_services
from app.reviews import transitions as t
from app.reviews.models import Review
from app.reviews.rules import NEAR_POOR, POOR

# Indicators of both the 2016–2021 and the 2022–2026 standards.
INDICATORS = ["water", "latrine", "health_insurance"]


def decide(household, year, status):
    review_services.save_review(household, review_services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=1_200_000, score_a=None, indicator_codes=INDICATORS, cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number=f"{year}/QĐ-UBND",
        decision_date=date(year, 12, 1), decided_status=status, override_reason="Theo họp thôn"),
        None)


def new_household(db, world, code, hamlet, history):
    household = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": ""},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})
    for year, status in history.items():
        decide(household, year, status)
    return household


def flows(db, world, username, unit, year, kind, child) -> t.Flows:
    user = db.session.get(User, world.users[username])
    result = t.compute(db.session.get(AdminUnit, world.units[unit]), year, user)
    return result.flows[kind].get(world.units[child], t.Flows())


def counts(f: t.Flows) -> dict:
    """The non-zero figures of a row, by name."""
    found = {"start": f.start, "end": f.end, **f.inflows, **f.outflows}
    return {k: v for k, v in found.items() if v}


# The demo province ------------------------------------------------------------------------------

@pytest.fixture
def demo_province(db):
    """The demo loader's units and households (with their review histories 2021–2026), small;
    and a province officer (the demo accounts clash with the world's)."""
    import random

    from app import demo
    from app.core.users import Role
    rng = random.Random(11)
    province, _districts, _communes, hamlets = demo.build_units(rng, 900)
    demo.build_households(rng, hamlets, 900)
    officer = User(username="tinh-demo", full_name="Tỉnh", role=Role.DISTRICT, unit_id=province.id)
    officer.set_password("x" * 12)
    db.session.add(officer)
    db.session.commit()
    return province, officer


def test_demo_province_reconciles_in_every_unit_year_and_list(db, demo_province):
    province, officer = demo_province
    units = db.session.scalars(select(AdminUnit).where(
        AdminUnit.path.startswith(province.path), AdminUnit.level != HAMLET)).all()
    assert len(units) > 8
    checked = 0
    for unit in units:
        previous = None
        for year in range(2021, 2026):
            result = t.compute(unit, year, officer)
            for kind in t.LISTS:
                total = t.Flows()
                for group, row in result.flows[kind].items():
                    assert row.reconciles, (unit.name, year, kind, group, row)
                    total.add(row)
                    checked += 1
                    # This year's start is last year's end, row by row.
                    if previous is not None:
                        assert row.start == previous.flows[kind].get(group, t.Flows()).end
                assert total.reconciles
                # The end of the year is the list decided by that year's review (the demo
                # reviews every listed household every year: no gap, no move, no deletion).
                decided = db.session.scalar(select(func.count(Review.id)).where(
                    Review.year == year, Review.decided_status == kind,
                    getattr(Review, f"{unit.level}_id") == unit.id))
                assert total.end == decided, (unit.name, year, kind)
                if year == 2021:      # the first year in the app: the list as it stood
                    assert total.inflows[t.BASELINE] == total.end and total.start == 0
                else:
                    assert total.inflows[t.BASELINE] == 0
            previous = result
    assert checked > 100
    # Moves between the lists show on both lists, province-wide.
    for year in range(2022, 2026):
        result = t.compute(province, year, officer)
        poor, near = (_total(result, k) for k in t.LISTS)
        assert poor.outflows[t.TO_OTHER] == near.inflows[t.FROM_OTHER]
        assert near.outflows[t.TO_OTHER] == poor.inflows[t.FROM_OTHER]
    assert any(_total(t.compute(province, y, officer), POOR).outflows[t.TO_OTHER]
               for y in range(2022, 2026))


def _total(result, kind) -> t.Flows:
    total = t.Flows()
    for row in result.flows[kind].values():
        total.add(row)
    return total


# Hand-built paths --------------------------------------------------------------------------------

def test_poor_to_near_poor_is_an_outflow_of_one_list_and_an_inflow_of_the_other(db, world):
    hh = db.session.get(Household, world.households["C1"])       # poor 2023
    decide(hh, 2024, NEAR_POOR)
    other = new_household(db, world, "F-1", "H1", {2023: NEAR_POOR, 2024: POOR})
    db.session.commit()
    assert counts(flows(db, world, "district1", "D1", 2024, POOR, "C1")) == {
        "start": 1, "to_other": 1, "from_other": 1, "end": 1}
    assert counts(flows(db, world, "district1", "D1", 2024, NEAR_POOR, "C1")) == {
        "start": 1, "to_other": 1, "from_other": 1, "end": 1}
    assert other.status == POOR


def test_first_year_in_the_app_is_a_baseline_not_newly_poor(db, world):
    """2023 is every world commune's first year: its list is the baseline. A household first
    reviewed later is newly poor (or newly near-poor)."""
    assert counts(flows(db, world, "district1", "D1", 2023, POOR, "C1")) == {
        "baseline": 1, "end": 1}
    new_household(db, world, "F-2", "H1", {2024: POOR})
    new_household(db, world, "F-3", "H1b", {2024: NEAR_POOR})
    new_household(db, world, "F-4", "H1", {2023: NEAR_POOR, 2024: "middle", 2025: NEAR_POOR})
    db.session.commit()
    assert counts(flows(db, world, "district1", "D1", 2024, POOR, "C1")) == {
        "start": 1, "new": 1, "end": 2}
    assert counts(flows(db, world, "district1", "D1", 2024, NEAR_POOR, "C1")) == {
        "start": 1, "new": 1, "escaped": 1, "end": 1}
    assert counts(flows(db, world, "district1", "D1", 2025, NEAR_POOR, "C1")) == {
        "start": 1, "relapsed": 1, "end": 2}
    # Hamlet rows of the commune's own report.
    assert counts(flows(db, world, "commune1", "C1", 2024, NEAR_POOR, "H1b")) == {
        "new": 1, "end": 1}


def test_a_change_of_standard_has_its_own_column(db, world):
    """Three consecutive years across the change of standard (whichever year the stored
    standards change): the status changes in that year are counted as "do thay đổi chuẩn"."""
    dropped = new_household(db, world, "F-5", "H4", {2019: POOR, 2020: POOR, 2021: POOR, 2022: POOR})
    raised = new_household(db, world, "F-6", "H4", {2019: NEAR_POOR, 2020: NEAR_POOR,
                                                     2021: NEAR_POOR, 2022: NEAR_POOR})
    db.session.flush()
    reviews = db.session.scalars(select(Review).where(Review.household_id == dropped.id)
                                 .order_by(Review.year)).all()
    change = next(r.year for r, before in zip(reviews[1:], reviews) if r.standard_id != before.standard_id)
    assert change in (2020, 2021, 2022)
    # At the change, the first household leaves the lists, the second becomes poor.
    for household, status in ((dropped, "not_poor"), (raised, POOR)):
        review = next(r for r in db.session.scalars(select(Review).where(
            Review.household_id == household.id, Review.year == change)))
        decide_again(household, review, status)
    db.session.commit()
    poor = flows(db, world, "province1", "P1", change, POOR, "C4")
    near = flows(db, world, "province1", "P1", change, NEAR_POOR, "C4")
    assert counts(poor) == {"start": 1, "standard_out": 1, "standard_in": 1, "end": 1}
    assert counts(near) == {"start": 1, "standard_out": 1}
    assert poor.reconciles and near.reconciles


def decide_again(household, review, status):
    data = review_services.ReviewInput(
        year=review.year, review_type="periodic", review_date=review.review_date,
        income_per_capita=1_200_000, score_a=None, indicator_codes=INDICATORS, cause_codes=[],
        has_labour=True, policy_group=None, needs="", decision_number=review.decision_number,
        decision_date=review.decision_date, decided_status=status, override_reason="Theo họp thôn")
    review_services.save_review(household, data, None, review, review.version)


def test_moves_between_units_and_deletions(db, world):
    moved = db.session.get(Household, world.households["C1"])        # poor 2023 in C1
    household_services.update_household(
        moved, {"code": moved.code, "head_name": moved.head_name, "address": ""},
        db.session.get(AdminUnit, world.units["H2"]), moved.version)
    decide(moved, 2024, POOR)                                        # reviewed in C2
    gone = db.session.get(Household, world.households["C3"])         # poor 2023 in C3
    gone.deleted_at, gone.deleted_reason = datetime(2024, 5, 1), "Chuyển đi nơi khác"
    db.session.commit()
    assert counts(flows(db, world, "district1", "D1", 2024, POOR, "C1")) == {
        "start": 1, "moved_out": 1}
    assert counts(flows(db, world, "district1", "D1", 2024, POOR, "C2")) == {
        "start": 1, "moved_in": 1, "end": 2}
    # Within the district the move is no flow at all.
    assert counts(flows(db, world, "province1", "P1", 2024, POOR, "D1")) == {"start": 2, "end": 2}
    assert counts(flows(db, world, "province1", "P1", 2024, POOR, "D2")) == {
        "start": 1, "moved_out": 1}
    # The deleted household still counts in 2023's frozen list.
    assert counts(flows(db, world, "province1", "P1", 2023, POOR, "D2")) == {"baseline": 1, "end": 1}


def test_still_poor_of_a_past_year_ignores_later_reviews(db, world, login_as):
    """Poor 2022–2024, near-poor since 2025: in 2024 it was poor for three years running."""
    new_household(db, world, "F-7", "H1", {2022: POOR, 2023: POOR, 2024: POOR, 2025: NEAR_POOR})
    db.session.commit()
    user = db.session.get(User, world.users["district1"])
    result = t.compute(db.session.get(AdminUnit, world.units["D1"]), 2024, user)
    # World household of C1 poor since 2023 (2 years), F-7 since 2022 (3 years).
    assert result.still_poor[world.units["C1"]] == {2: 2, 3: 1, 5: 0}
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", login_as("district1").get(
        f"/reports/transitions?year=2024&unit={world.units['D1']}").get_data(as_text=True)))
    # Xã Một's poor list: 2 at the start, no flow, 2 at the end; then ≥ 2 / 3 / 5 years.
    assert "1 Xã Một 2 0 0 0 0 0 0 0 0 0 0 2 2 1 0 " in text


# The report through HTTP -------------------------------------------------------------------------

def header_and_rows_of_page(html, key):
    section = re.search(rf'<section class="card report-table" id="{key}">(.*?)</section>', html, re.S).group(1)
    thead = re.search(r"<thead>(.*?)</thead>", section, re.S).group(1)
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)]
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return headings, rows


def test_workbook_has_the_page_columns_and_rows(db, world, login_as):
    hh = db.session.get(Household, world.households["C1"])
    decide(hh, 2024, NEAR_POOR)
    new_household(db, world, "F-8", "H2", {2024: POOR})
    db.session.commit()
    client = login_as("district1")
    query = f"year=2024&unit={world.units['D1']}"
    html = client.get(f"/reports/transitions?{query}").get_data(as_text=True)
    response = client.get(f"/reports/transitions.xlsx?{query}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.worksheets) == 2
    for key, ws in zip(("transitions-poor", "transitions-near-poor"), book.worksheets):
        headings, rows = header_and_rows_of_page(html, key)
        assert "Đầu năm" in headings and "Cuối năm" in headings
        cells = list(ws.iter_rows(values_only=True))
        top = next(i for i, r in enumerate(cells) if r[0] == "TT")
        sheet_headings = [v for r in cells[top:top + 2] for v in r if v is not None]
        assert sheet_headings == headings
        sheet_rows = [[str(v) for v in r if v is not None] for r in cells if isinstance(r[0], int)]
        assert sheet_rows == rows
        start, end = headings.index("Đầu năm"), headings.index("Cuối năm")
        for row in cells:
            if isinstance(row[0], int):       # start + inflows − outflows = end
                values = row[2:]
                assert values[0] + sum(values[1:7]) - sum(values[7:11]) == values[11]
        assert (start, end) == (2, 5)         # the flows sit under the two group headings
    poor, near = (sheet_figures(ws) for ws in book.worksheets)
    assert poor["Xã Một"]["Chuyển sang hộ cận nghèo"] == 1
    assert near["Xã Một"]["Từ hộ nghèo chuyển sang"] == 1
    assert poor["Xã Hai"]["Nghèo phát sinh"] == 1 and "Xã Ba" not in poor


def sheet_figures(ws) -> dict[str, dict]:
    """Unit name → {flow heading: value} (the flow headings are the second heading row)."""
    cells = list(ws.iter_rows(values_only=True))
    flows = next(r for r in cells if r[0] is None and r[3] is not None and r[4] is not None)
    return {r[1]: {h: v for h, v in zip(flows, r) if h} for r in cells if isinstance(r[0], int)}


def test_unit_selector_stays_within_the_scope(login_as, world):
    client = login_as("commune1")
    for url in ("/reports/transitions", "/reports/transitions.xlsx"):
        assert client.get(f"{url}?unit={world.units['C2']}").status_code == 404
        assert client.get(f"{url}?unit={world.units['D1']}").status_code == 404
        assert client.get(f"{url}?unit={world.units['C1']}").status_code == 200
        assert client.get(f"{url}?unit=abc").status_code == 200       # not a unit: the default
    text = client.get(f"/reports/transitions?unit={world.units['C1']}&year=2023").get_data(as_text=True)
    assert "Thôn C1" in text and "Thôn Đông" in text and "Xã Hai" not in text
    client.post("/logout", data={"csrf_token": client.csrf()})
    district = login_as("district1")
    assert district.get(f"/reports/transitions?unit={world.units['C3']}").status_code == 404
    html = district.get(f"/reports/transitions?unit={world.units['C1']}").get_data(as_text=True)
    assert 'id="unit"' in html and "Thôn Đông" in html
