"""The report tables against the hand-built data of conftest.py: every figure, the totals
row, scope (a district officer's report never holds another district's households, whatever
the query string), selectors that fall back instead of failing, and the page and workbook
through HTTP showing the same table."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.users import User
from app.reports.deprivation import bieu01, merit_categories
from app.reports.plan_tables import hamlet_tables, targets_table
from app.reports.registry import BY_SLUG, REPORTS
from app.reports.support_report import supports_tables
from tests.conftest import page_text
from tests.reports.conftest import name, rows_of

D = Decimal
pytestmark = pytest.mark.usefixtures("request_context")


def user(db, world, username) -> User:
    return db.session.get(User, world.users[username])


def unit(db, world, code):
    from app.core.units import AdminUnit
    return db.session.get(AdminUnit, world.units[code])


# Biểu 01 ----------------------------------------------------------------------------------------

def test_bieu01_counts_deprivations_per_indicator_and_unit(db, world, data):
    tables = bieu01(unit(db, world, "D1"), 2024, user(db, world, "district1"))
    all_poor, merit = tables
    headings = [c.heading for c in all_poor.columns]
    assert headings[:3] == ["TT", "Đơn vị", "Số hộ nghèo"]
    assert headings[3] == "1. Việc làm" and headings[-1].startswith("12. ")
    number = {h.split(". ", 1)[1]: i - 2 for i, h in enumerate(headings) if ". " in h}
    rows = rows_of(all_poor)
    c1, c2 = rows[name(db, world, "C1")], rows[name(db, world, "C2")]
    assert list(rows) == [name(db, world, "C1"), name(db, world, "C2")]      # D1's communes only
    assert c1[0] == 2 and c2[0] == 1                                        # R-A, R-B | R-D
    assert c1[number["Việc làm"]] == 1 and c1[number["Nhà tiêu hợp vệ sinh"]] == 2
    assert c1[number["Dinh dưỡng"]] == 1 and c1[number["Bảo hiểm y tế"]] == 1
    assert c1[number["Nguồn nước sinh hoạt"]] == 1
    assert c2[number["Việc làm"]] == 1 and c2[number["Chất lượng nhà ở"]] == 1
    assert c2[number["Sử dụng dịch vụ viễn thông"]] == 1
    assert sum(c1[1:]) == 6 and sum(c2[1:]) == 3          # 3 indicators per poor household
    # The totals row is the column sums; the dimension headings sit above their indicators.
    assert all_poor.totals[2:] == [a + b for a, b in zip(c1, c2)]
    assert all_poor.totals[2] == 3 and all_poor.totals[2 + number["Việc làm"]] == 2
    assert [g.heading for g in all_poor.groups[0] if g.heading][:2] == ["Việc làm", "Y tế"]
    # Người có công: R-A (C1) and R-D (C2) only.
    m = rows_of(merit)
    assert m[name(db, world, "C1")][0] == 1 and m[name(db, world, "C2")][0] == 1
    assert m[name(db, world, "C1")][number["Nhà tiêu hợp vệ sinh"]] == 1
    assert m[name(db, world, "C1")][number["Dinh dưỡng"]] == 0          # R-B has no member
    assert merit.totals[2] == 2


def test_bieu01_province_rows_are_districts_and_communes_without_district(db, world, data):
    table = bieu01(unit(db, world, "P1"), 2024, user(db, world, "province1"))[0]
    rows = rows_of(table)
    assert set(rows) == {name(db, world, u) for u in ("D1", "D2", "C4")}
    assert rows[name(db, world, "D1")][0] == 3 and rows[name(db, world, "D2")][0] == 1
    assert rows[name(db, world, "C4")][0] == 0            # reviewed in 2023 only
    assert table.totals[2] == 4


def test_undecided_and_other_years_are_left_out(db, world, data):
    """2023 shows the world's households (2022–2026 standard too); 2024 has the added ones."""
    table = bieu01(unit(db, world, "D1"), 2023, user(db, world, "district1"))[0]
    assert table.totals[2] == 2                           # HH-C1, HH-C2


# Người có công by category ------------------------------------------------------------------

def test_merit_categories_count_a_household_in_each_of_its_categories(db, world, data):
    table = merit_categories(unit(db, world, "D1"), 2024, user(db, world, "district1"))[0]
    headings = [c.heading for c in table.columns]
    col = {code: headings.index(next(h for h in headings if h.startswith(prefix)))
           for code, prefix in (("c", "c)"), ("g", "g)"), ("a", "a)"))}
    assert len(headings) == 5 + 12                        # a) … m)
    rows = {row[1]: row for row in table.rows}
    c1, c2 = rows[name(db, world, "C1")], rows[name(db, world, "C2")]
    assert c1[2:5] == [2, 1, D("50.00")]                  # poor, with người có công, share
    assert c2[2:5] == [1, 1, D("100.00")]
    assert c1[col["g"]] == 1 and c1[col["c"]] == 0
    assert c2[col["g"]] == 1 and c2[col["c"]] == 1        # R-D counts in both
    assert table.totals[2:5] == [3, 2, D("66.67")]
    assert table.totals[col["g"]] + table.totals[col["c"]] == 3 > table.totals[3]
    assert table.totals[col["a"]] == 0
    assert any("tính ở mỗi nhóm" in note for note in table.notes)


# Seed 003's table from the data -----------------------------------------------------------

def test_targets_table_from_reviews_members_and_targets(db, world, data):
    table = targets_table(unit(db, world, "D1"), 2025, 70, user(db, world, "district1"))[0]
    rows = rows_of(table)
    # households, poor, persons, rate, social, share, policy, share, no group, share,
    # projected, reduction, remaining, new rate, rate reduction
    assert rows[name(db, world, "C1")] == [4, 3, 7, D("75.00"), 1, D("33.33"), 2, D("66.67"),
                                           0, D("0.00"), 4, 1, 2, D("50.00"), D("25.00")]
    assert rows[name(db, world, "C2")] == [2, 2, 5, D("100.00"), 0, D("0.00"), 2, D("100.00"),
                                           0, D("0.00"), 2, 1, 1, D("50.00"), D("50.00")]
    assert table.totals[2:] == [6, 5, 12, D("83.33"), 1, D("20.00"), 4, D("80.00"), 0, D("0.00"),
                                6, 2, 3, D("50.00"), D("33.33")]
    assert [c.heading for c in table.columns][12] == "Tổng số hộ dân (tăng khoảng 0,7%)"
    assert [g.heading for g in table.groups[0] if g.heading] == [
        "Kết quả rà soát năm 2024", "Số liệu phấn đấu giảm nghèo năm 2025"]


def test_targets_table_without_targets_leaves_the_reduction_blank(db, world, data):
    table = targets_table(unit(db, world, "D1"), 2026, 0, user(db, world, "district1"))[0]
    c1 = rows_of(table)[name(db, world, "C1")]
    assert c1[11] is None and c1[12] == c1[1] and c1[14] == D("0.00")
    assert table.totals[13] is None


def test_targets_table_counts_poor_households_of_no_policy_group_apart(db, world, data):
    """BTXH + giảm nghèo + chưa xác định = số hộ nghèo, on every line and the totals."""
    from tests.reports.conftest import household, review
    review(household(db, world, "R-F", "H1"), 2024, "poor", ["employment", "water", "latrine"],
           policy=None)
    table = targets_table(unit(db, world, "D1"), 2025, 70, user(db, world, "district1"))[0]
    headings = [c.heading for c in table.columns]
    assert headings[6:12] == ["Hộ nghèo thuộc CS BTXH", "Tỷ lệ", "Hộ nghèo thuộc CS giảm nghèo",
                              "Tỷ lệ", "Hộ nghèo chưa xác định nhóm chính sách", "Tỷ lệ"]
    c1 = rows_of(table)[name(db, world, "C1")]
    assert (c1[1], c1[4], c1[6], c1[8]) == (4, 1, 2, 1)
    assert (c1[5], c1[7], c1[9]) == (D("25.00"), D("50.00"), D("25.00"))
    for line in [*table.rows, table.totals]:
        assert line[6] + line[8] + line[10] == line[3]
    assert [g.span for g in table.groups[1] if g.heading] == [3, 6]


def test_hamlet_tables_of_a_commune(db, world, data):
    poor, near = hamlet_tables(unit(db, world, "C1"), 2025, user(db, world, "commune1"))
    h1, h1b = name(db, world, "H1"), name(db, world, "H1b")
    # households, poor after review, without labour capacity, plan, end of year, rate
    assert rows_of(poor) == {h1: [3, 2, 1, 1, 1, D("33.33")], h1b: [1, 1, 0, None, 1, D("100.00")]}
    assert poor.totals[1:] == ["Cộng", 4, 3, 1, 1, 2, D("50.00")]
    assert rows_of(near) == {h1: [3, 1, 1, 0, D("0.00")], h1b: [1, 0, None, 0, D("0.00")]}
    assert near.totals[2:] == [4, 1, 1, 0, D("0.00")]
    assert [c.heading for c in poor.columns][3:7] == [
        "Hộ nghèo sau rà soát năm 2024", "Hộ nghèo không còn khả năng lao động",
        "Kế hoạch giảm năm 2025", "Hộ nghèo cuối kỳ năm 2025"]


# Supports ---------------------------------------------------------------------------------------

def test_supports_by_type_and_source_net_reversals_and_skip_rejected(db, world, data):
    from datetime import date
    by_type, by_unit = supports_tables(unit(db, world, "D1"), date(2025, 1, 1), date(2025, 12, 31),
                                       user(db, world, "district1"))
    headings = [c.heading for c in by_type.columns]
    assert headings[3:5] == ["Ngân sách địa phương", "Quỹ Vì người nghèo"]   # sources that occur
    rows = rows_of(by_type)
    # count, local budget, fund for the poor, total
    assert rows["Giống vật nuôi"] == [1, 10_000_000, 0, 10_000_000]      # 24 M reversed: nets 0
    assert rows["Sửa chữa nhà ở"] == [1, 0, 30_000_000, 30_000_000]     # 5 M rejected
    assert by_type.totals[2:] == [2, 10_000_000, 30_000_000, 40_000_000]  # R-E (D2) left out
    units = rows_of(by_unit)
    assert units == {name(db, world, "C1"): [1, 10_000_000, 0, 10_000_000],
                     name(db, world, "C2"): [1, 0, 30_000_000, 30_000_000]}
    assert by_unit.totals[2:] == by_type.totals[2:]


# Scope -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", [s.slug for s in REPORTS])
def test_district_officer_never_sees_another_district(slug, login_as, world, data, db):
    client = login_as("district1")
    other = world.units["D2"]
    for query in ("", f"?unit={other}", f"?unit={world.units['C3']}", "?unit=abc&year=x"):
        page = client.get(f"/reports/{slug}{query}")
        if BY_SLUG[slug].foreign_unit_404 and query.startswith("?unit=") and "abc" not in query:
            assert page.status_code == 404 == client.get(f"/reports/{slug}.xlsx{query}").status_code
            continue
        assert page.status_code == 200, (slug, query)
        text = page_text(page)
        assert "Xã Ba" not in text and "Huyện Hai" not in text, (slug, query)
        if query.startswith("?unit=") and "unit" in BY_SLUG[slug].selectors:
            assert "không thuộc địa bàn" in text
        book = client.get(f"/reports/{slug}.xlsx{query}")
        assert book.status_code == 200
        cells = [v for ws in load_workbook(io.BytesIO(book.data)) for row in ws.iter_rows(values_only=True)
                 for v in row if isinstance(v, str)]
        assert not any("Xã Ba" in v or "Huyện Hai" in v for v in cells), (slug, query)


def test_supports_report_of_a_district_excludes_the_other_districts_values(login_as, world, data):
    client = login_as("district1")
    text = page_text(client.get(f"/reports/supports?from=01/01/2025&to=31/12/2025&unit={world.units['D2']}"))
    assert "99.000.000" not in text and "139.000.000" not in text
    assert "40.000.000" in text


def test_commune_officer_reports_on_its_commune(login_as, world, data):
    client = login_as("commune1")
    text = page_text(client.get("/reports/deprivation?year=2024"))
    assert "Thôn C1" in text and "Thôn Đông" in text and "Xã Hai" not in text


def test_account_without_area_gets_empty_reports(login_as, world, data):
    client = login_as("nounit")
    for spec in REPORTS:
        response = client.get(f"/reports/{spec.slug}")
        assert response.status_code == 200
        assert "Chủ hộ R-" not in response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/reports/households.xlsx").data))
    assert book.active.max_row < 12                           # heading, totals, notes only


# Selectors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["year=abcd", "year=1890", "year=2099", "unit=-1", "unit=%00",
                                   "from=32/13/2025", "from=31/12/2025&to=01/01/2025",
                                   "growth=-3", "growth=1e9", "growth=nan", "year=" + "9" * 400])
def test_bad_selectors_fall_back_never_500(query, login_as, world, data):
    client = login_as("district1")
    for spec in REPORTS:
        page = client.get(f"/reports/{spec.slug}?{query}")
        assert page.status_code == 200, (spec.slug, query)
        assert client.get(f"/reports/{spec.slug}.xlsx?{query}").status_code == 200


def test_refused_year_is_said_and_replaced(login_as, world, data):
    text = page_text(login_as("district1").get("/reports/deprivation?year=1999"))
    assert "Năm “1999” không có kết quả rà soát; đang hiển thị năm 2024." in text


def test_htmx_swap_returns_the_report_body_only(login_as, world, data):
    client = login_as("district1")
    response = client.htmx_get("/reports/targets?year=2025", target="report-body")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="report-body"')
    assert "<html" not in html and "HX-Request" in response.headers.get("Vary", "")


# Page and workbook draw the same table ------------------------------------------------------

def test_workbook_has_the_official_header_the_tables_and_formats(login_as, world, data):
    client = login_as("district1")
    response = client.get(f"/reports/targets.xlsx?year=2025&unit={world.units['D1']}&growth=0,7")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "targets-01001-2025.xlsx" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "CHỈ TIÊU PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO NĂM 2025"
    assert values[1][0] == "Đơn vị: Huyện Một, Tỉnh Một"
    assert values[2][0].startswith("Năm kế hoạch 2025")
    assert values[5][2] == "Kết quả rà soát năm 2024" and values[6][3] == "Số hộ nghèo"
    assert values[7][3:6] == ["Số hộ", "Khẩu nghèo", "Tỷ lệ"]
    assert "A6:A8" in {str(r) for r in ws.merged_cells.ranges}           # TT over three rows
    first = values[8]
    assert first[:6] == [1, "Xã Một", 4, 3, 7, 75.0]
    totals = values[10]
    assert totals[1] == "Tổng cộng" and totals[2] == 6 and totals[16] == pytest.approx(33.33)
    assert ws.cell(row=9, column=3).number_format == "#,##0"
    assert ws.cell(row=9, column=6).number_format == "0.00"
    assert ws.cell(row=11, column=3).font.b


def test_page_shows_the_same_figures_with_vietnamese_formats(login_as, world, data):
    client = login_as("district1")
    text = page_text(client.get(f"/reports/targets?year=2025&unit={world.units['D1']}"))
    assert "Xã Một 4 3 7 75,00 1 33,33 2 66,67 0 0,00 4 1 2 50,00 25,00" in text
    assert "Tổng cộng 6 5 12 83,33 1 20,00 4 80,00 0 0,00 6 2 3 50,00 33,33" in text
    html = client.get("/reports/targets?year=2025").get_data(as_text=True)
    assert 'href="/reports/targets.xlsx?year=2025&amp;unit=' in html


def test_supports_page_shows_values_in_vnd(login_as, world, data):
    text = page_text(login_as("district1").get("/reports/supports?from=01/01/2025&to=31/12/2025"))
    assert "Giống vật nuôi 1 10.000.000 0 10.000.000" in text
    assert "Tổng cộng 2 10.000.000 30.000.000 40.000.000" in text


def test_transitions_workbook_per_list_reconciles(login_as, world, data):
    """2024 in D1: the world's households poor since 2023 (baseline), R-A, R-B, R-D newly poor,
    R-C newly near-poor; one sheet per list, start + in − out = end."""
    client = login_as("district1")
    book = load_workbook(io.BytesIO(client.get("/reports/transitions.xlsx?year=2024").data))
    poor, near = book.worksheets
    for ws, expected in ((poor, {"Xã Một": (1, 2, 3), "Xã Hai": (1, 1, 2)}),
                         (near, {"Xã Một": (0, 1, 1), "Xã Hai": (0, 0, 0)})):
        cells = list(ws.iter_rows(values_only=True))
        top = next(r for r in cells if r[0] == "TT")
        flows = cells[cells.index(top) + 1]
        new = next(i for i, h in enumerate(flows) if h and h.endswith("phát sinh"))
        end = top.index("Cuối năm")
        rows = {r[1]: r for r in cells if isinstance(r[0], int)}
        assert set(rows) == {"Xã Một", "Xã Hai"}                  # D1's communes only
        for unit, (start, newly, final) in expected.items():
            assert (rows[unit][2], rows[unit][new], rows[unit][end]) == (start, newly, final)
            assert rows[unit][2] + sum(rows[unit][3:9]) - sum(rows[unit][9:13]) == rows[unit][end]
    assert "Xã Một" in page_text(client.get("/reviews/transitions?year=2024"))


def test_index_lists_every_report_with_its_workbook(login_as):
    html = login_as("massorg1").get("/reports/").get_data(as_text=True)
    for spec in REPORTS:
        assert f'href="/reports/{spec.slug}"' in html and f'href="/reports/{spec.slug}.xlsx"' in html
    assert 'href="/reports/households.xlsx"' in html


def test_sponsor_and_anonymous_are_refused(client, login_as):
    assert client.get("/reports/targets.xlsx").status_code == 302
    sponsor = login_as("sponsor1")
    for url in ("/reports/", "/reports/targets", "/reports/targets.xlsx", "/reports/households.xlsx"):
        assert sponsor.get(url).status_code == 403
