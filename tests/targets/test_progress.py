"""Progress against targets from hand-built decided reviews (see conftest): the counts per unit
(start, end, reduction, escapes, entries, achievement), the charts, the trend, drill-down to the
household list, and scope."""
import re

import pytest

from app.targets import charts, queries, services
from app.targets.models import Target
from tests.conftest import page_text


def rows_by_name(rows):
    return {r.unit.name: r for r in rows}


def set_target(db, unit, year, kind, count=None, percent_bp=None, baseline=None):
    target = Target(year=year, kind=kind, count=count, percent_bp=percent_bp, baseline=baseline,
                    **services.ancestry(unit))
    db.session.add(target)
    db.session.commit()
    return target


def test_counts_per_commune_of_a_district(db, paths, unit, user):
    district1 = user("district1")
    rows, totals = queries.progress_rows(unit("D1"), 2024, district1)
    by = rows_by_name(rows)
    assert list(by) == ["Xã Một", "Xã Hai"]           # C3 (district D2) is not there
    c1, c2 = by["Xã Một"], by["Xã Hai"]
    assert (c1.start["poor"], c1.end["poor"], c1.reduction("poor")) == (4, 2, 2)
    assert (c1.escaped("poor"), c1.entered("poor")) == (3, 1)          # world, B, G / F
    assert (c1.start["near_poor"], c1.end["near_poor"], c1.reduction("near_poor")) == (1, 2, -1)
    assert (c1.start["merit_poor"], c1.end["merit_poor"], c1.escaped("merit_poor")) == (1, 0, 1)
    assert c1.households == 6
    assert (c2.start["poor"], c2.end["poor"], c2.start["near_poor"], c2.end["near_poor"]) == (1, 1, 1, 0)
    assert c2.escaped("near_poor") == 1
    assert (totals.start["poor"], totals.end["poor"], totals.reduction("poor")) == (5, 3, 2)
    assert totals.households == 8 and totals.escaped("poor") == 3


def test_counts_per_hamlet_and_for_a_province(db, paths, unit, user):
    rows, totals = queries.progress_rows(unit("C1"), 2024, user("commune1"))
    by = rows_by_name(rows)
    assert (by["Thôn C1"].start["poor"], by["Thôn C1"].end["poor"]) == (3, 1)     # A, world, G → A
    assert (by["Thôn Đông"].start["poor"], by["Thôn Đông"].end["poor"]) == (1, 1)  # B → F
    assert totals.reduction("poor") == 2
    # A province's children: its districts and the commune without a district.
    rows, totals = queries.progress_rows(unit("P1"), 2024, user("province1"))
    by = rows_by_name(rows)
    assert set(by) == {"Huyện Một", "Huyện Hai", "Phường Bốn"}
    assert (by["Huyện Một"].start["poor"], by["Huyện Một"].end["poor"]) == (5, 3)
    assert (by["Huyện Hai"].start["poor"], by["Huyện Hai"].end["poor"]) == (1, 0)
    assert (by["Phường Bốn"].start["poor"], by["Phường Bốn"].end["poor"]) == (1, 1)
    assert totals.start["poor"] == 7 and totals.end["poor"] == 4


def test_achievement_against_count_and_percent_targets(db, paths, unit, user):
    set_target(db, unit("C1"), 2024, "poor", count=3)
    set_target(db, unit("C2"), 2024, "near_poor", percent_bp=10000, baseline=1)
    rows, totals = queries.progress_rows(unit("D1"), 2024, user("district1"))
    c1, c2 = rows_by_name(rows)["Xã Một"], rows_by_name(rows)["Xã Hai"]
    assert c1.target_counts["poor"] == 3 and c1.achieved_bp("poor") == 6667 and c1.met("poor") is False
    assert c2.target_counts["near_poor"] == 1 and c2.achieved_bp("near_poor") == 10000
    assert c2.met("near_poor") is True and c2.target_counts["poor"] is None
    assert totals.target_counts["poor"] == 3 and totals.target_counts["merit_poor"] is None


def cells(html, row_id):
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in re.findall(r'data-col="(\w+)">(.*?)</td>', row, re.S)}


def test_dashboard_for_a_district_officer(login_as, world, db, paths, unit):
    set_target(db, unit("C1"), 2024, "poor", count=3)
    client = login_as("district1")
    response = client.get("/targets/progress?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    c1 = cells(html, f"progress-{world.units['C1']}")
    assert c1 == {"households": "6", "start": "4", "target": "3", "escaped": "3", "entered": "1",
                  "reduction": "2", "end": "2", "achieved": "66,67"}
    assert cells(html, "progress-totals")["reduction"] == "2"
    assert f"progress-{world.units['C3']}" not in html and "Xã Ba" not in html
    # Drill-down: district → commune; the commune's count of households still poor opens the list.
    assert f'href="/targets/progress?unit={world.units["C1"]}&amp;year=2024&amp;kind=poor"' in html
    assert f'/households/?status=poor&amp;commune={world.units["C1"]}"' in html
    # Charts drawn on the server: bars per commune (target vs actual), trend over years.
    assert '<svg id="progress-bars"' in html and '<svg id="progress-trend"' in html
    assert re.search(rf'data-series="target" data-unit="{world.units["C1"]}" data-value="3"', html)
    assert re.search(rf'data-series="actual" data-unit="{world.units["C1"]}" data-value="2"', html)
    assert "<script" not in html.split('<main id="content">')[1]


def test_drill_down_to_hamlets_and_the_household_list(login_as, world, db, paths):
    client = login_as("district1")
    html = client.get(f"/targets/progress?year=2024&unit={world.units['C1']}").get_data(as_text=True)
    row = cells(html, f"progress-{world.units['H1']}")
    assert (row["start"], row["end"], row["reduction"]) == ("3", "1", "2")
    link = f'/households/?status=poor&amp;commune={world.units["C1"]}&amp;hamlet={world.units["H1"]}'
    assert link in html
    # The link lands on the households still poor in that hamlet.
    listing = client.get(link.replace("&amp;", "&"))
    assert "P-A" in listing.get_data(as_text=True) and "P-F" not in listing.get_data(as_text=True)
    # Merit: the list link carries the flag.
    html = client.get(f"/targets/progress?year=2024&unit={world.units['C1']}&kind=merit_poor").get_data(as_text=True)
    assert f"/households/?status=poor&amp;flag=merit&amp;commune={world.units['C1']}" in html


def test_trend_over_years(db, paths, unit, user):
    set_target(db, unit("C1"), 2024, "poor", count=3)
    points = queries.trend(unit("C1"), 2024, "poor", user("commune1"))
    assert [(p.year, p.end["poor"], p.end["near_poor"]) for p in points] == [(2023, 4, 1), (2024, 2, 2)]
    assert points[1].target_end == 1                    # 4 at the start, 3 to take off
    chart = charts.trend(points, "poor")
    assert [s["year"] for s in chart["slots"]] == [2023, 2024]
    assert chart["slots"][1]["goal"]["value"] == 1
    assert chart["slots"][0]["bars"][0]["height"] == 180.0     # the tallest bar fills the chart


def test_year_without_decisions_says_so(login_as, world, db, paths):
    client = login_as("commune1")
    text = page_text(client.get("/targets/progress?year=2026"))
    assert "Năm 2026 chưa có kết quả rà soát được quyết định" in text


@pytest.mark.parametrize("username, visible, hidden", [
    ("district1", ("C1", "C2"), ("C3", "C4", "D2", "P1", "C5")),
    ("commune1", ("C1", "H1"), ("C2", "C3", "D1")),
    ("province1", ("P1", "D1", "D2", "C4"), ("C5", "P2")),
])
def test_dashboard_scope(username, visible, hidden, login_as, world, db, paths):
    client = login_as(username)
    for name in visible:
        assert client.get(f"/targets/progress?unit={world.units[name]}&year=2024").status_code == 200
    for name in hidden:
        assert client.get(f"/targets/progress?unit={world.units[name]}&year=2024").status_code == 404


def test_district_dashboard_never_counts_another_districts_households(login_as, world, db, paths, unit, user):
    """C3 (district D2) has a household that escaped in 2024; district1 must not count it even
    when grouping would pick it up by a smuggled unit id."""
    rows, totals = queries.progress_rows(unit("D1"), 2024, user("district1"))
    assert totals.escaped("poor") == 3       # C1 only; C3's escape is D2's
    # Asked for another district directly, the scope leaves nothing.
    rows, totals = queries.progress_rows(unit("D2"), 2024, user("district1"))
    assert totals.households == 0 and totals.start["poor"] == 0 and totals.escaped("poor") == 0


def test_htmx_filter_swaps_the_body(login_as, world, db, paths):
    client = login_as("district1")
    response = client.htmx_get("/targets/progress?year=2024&kind=near_poor", target="progress-body")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="progress-body"')
    assert cells(html, f"progress-{world.units['C1']}")["reduction"] == "-1"
