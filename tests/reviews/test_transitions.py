"""The transitions overview through HTTP, against a hand-built set of decided reviews:
counts per commune and transition, the totals row, "still poor after N years", links to the
household list, the chart, scope, and the year fallback."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household
from app.reviews import overview
from app.reviews import services as review_services
from tests.conftest import page_text


def decide(db, household, year, status):
    """A decided review of `year` (inputs computed poor; other statuses carry a reason)."""
    review_services.save_review(household, review_services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=1_200_000, score_a=None, indicator_codes=["employment", "water", "latrine"],
        cause_codes=[], has_labour=True, policy_group=None, needs="",
        decision_number=f"{year}/QĐ-UBND", decision_date=date(year, 12, 1), decided_status=status,
        override_reason="Theo họp thôn"), None)


def new_household(db, world, code, hamlet):
    return household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": ""},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})


@pytest.fixture
def paths(db, world):
    """Decided statuses by year (the world's households are already poor in 2023).

    2024, district D1 = {C1, C2}:
      C1: world hh poor→near (escaped); B poor 2022, near 2023, poor 2024 (relapsed);
          E near 2023 → not poor 2024 (escaped_near); A poor 2023–2025; G poor 2022–2024
      C2: world hh poor → not poor (escaped); C new poor (newly_poor); D new near (newly_near);
          F near 2022, out 2023, near 2024 (near_relapsed)
      C3 (district D2): world hh poor 2023 → poor 2024 (no transition)"""
    hh = {c: db.session.get(Household, world.households[c]) for c in ("C1", "C2", "C3")}
    plan = {
        hh["C1"]: {2024: "near_poor"},
        new_household(db, world, "T-A", "H1"): {2023: "poor", 2024: "poor", 2025: "poor"},
        new_household(db, world, "T-B", "H1b"): {2022: "poor", 2023: "near_poor", 2024: "poor"},
        new_household(db, world, "T-E", "H1"): {2023: "near_poor", 2024: "not_poor"},
        new_household(db, world, "T-G", "H1"): {2022: "poor", 2023: "poor", 2024: "poor"},
        hh["C2"]: {2024: "not_poor"},
        new_household(db, world, "T-C", "H2"): {2024: "poor"},
        new_household(db, world, "T-D", "H2"): {2024: "near_poor"},
        new_household(db, world, "T-F", "H2"): {2022: "near_poor", 2023: "middle", 2024: "near_poor"},
        hh["C3"]: {2024: "poor"},
    }
    for household, statuses in plan.items():
        for year, status in statuses.items():
            decide(db, household, year, status)
    db.session.commit()
    return {h.code: h.id for h in plan}


def cells(html, row_id):
    """{transition or poor-years: count} of one table row, read from the data attributes."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)
    found = {}
    for key, value in re.findall(r'data-(?:transition|poor-years)="([^"]+)">(.*?)</td>', row, re.S):
        found[key] = int(re.sub(r"<[^>]+>", "", value).strip())
    return found


EXPECTED_2024 = {
    "C1": {"escaped": 1, "escaped_near": 1, "relapsed": 1, "newly_poor": 0, "near_relapsed": 0,
           "newly_near": 0, "2": 2, "3": 1, "5": 0},
    "C2": {"escaped": 1, "escaped_near": 0, "relapsed": 0, "newly_poor": 1, "near_relapsed": 1,
           "newly_near": 1, "2": 0, "3": 0, "5": 0},
}


def test_counts_per_commune_and_totals(login_as, world, paths):
    response = login_as("district1").get("/reviews/transitions?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for commune, expected in EXPECTED_2024.items():
        assert cells(html, f"commune-{world.units[commune]}") == expected, commune
    assert cells(html, "totals") == {k: EXPECTED_2024["C1"][k] + EXPECTED_2024["C2"][k]
                                     for k in EXPECTED_2024["C1"]}
    # Only the district's communes: no row for C3 or C4.
    assert f'id="commune-{world.units["C3"]}"' not in html
    assert f'id="commune-{world.units["C4"]}"' not in html


def test_counts_link_to_the_filtered_household_list(login_as, world, paths):
    client = login_as("district1")
    html = client.get("/reviews/transitions?year=2024").get_data(as_text=True)
    c1 = world.units["C1"]
    assert f'href="/households/?transition=relapsed&amp;year=2024&amp;commune={c1}">1</a>' in html
    assert 'href="/households/?transition=escaped&amp;year=2024">2</a>' in html   # totals row
    # "Poor N years" of a past year comes from its reviews; the household list filters on
    # today's standing, so only the latest year's counts link to it.
    assert "poor_years=" not in html and cells(html, f"commune-{c1}")["2"] == 2
    html = client.get("/reviews/transitions?year=2025").get_data(as_text=True)
    assert f'href="/households/?poor_years=2&amp;year=2025&amp;commune={c1}">3</a>' in html


def test_another_year_and_another_scope(login_as, world, paths):
    client = login_as("district1")
    html = client.get("/reviews/transitions?year=2023").get_data(as_text=True)
    c1 = cells(html, f"commune-{world.units['C1']}")
    # world hh and A newly poor; B escaped (poor 2022 → near 2023); E newly near-poor.
    assert (c1["newly_poor"], c1["escaped"], c1["newly_near"], c1["relapsed"]) == (2, 1, 1, 0)
    c2 = cells(html, f"commune-{world.units['C2']}")
    assert (c2["newly_poor"], c2["escaped_near"]) == (1, 1)    # F: near 2022 → middle 2023
    client.post("/logout", data={"csrf_token": client.csrf()})

    html = login_as("commune3").get("/reviews/transitions?year=2024").get_data(as_text=True)
    assert re.findall(r'<tr id="commune-(\d+)"', html) == [str(world.units["C3"])]
    # Poor 2023 → poor 2024: no transition, but poor for two years running.
    assert cells(html, "totals") == {**{t: 0 for t in EXPECTED_2024["C1"]}, "2": 1}


def test_chart_is_server_side_svg(login_as, world, paths):
    response = login_as("district1").get("/reviews/transitions?year=2024")
    html = response.get_data(as_text=True)
    svg = re.search(r'<svg id="transitions-chart".*?</svg>', html, re.S).group(0)
    bars = re.findall(r'<rect[^>]*data-transition="(\w+)" data-value="(\d+)"', svg)
    assert ("relapsed", "1") in bars and ("newly_poor", "1") in bars and ("escaped", "1") in bars
    assert len(bars) == 6    # two communes × escaped, relapsed, newly poor
    assert "<script" not in html.split("</head>")[1]   # no chart script; nothing from a CDN
    assert "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", svg)


@pytest.mark.parametrize("year", ["abc", "1999", "2150", "20255", "99999999999999999999999", "2024.5", ""])
def test_bad_year_falls_back_to_the_latest(login_as, paths, year):
    response = login_as("district1").get(f"/reviews/transitions?year={year}")
    assert response.status_code == 200
    assert "Biến động năm 2025 theo xã/phường" in page_text(response)
    shown_notice = "đang hiển thị năm 2025" in page_text(response)
    assert shown_notice == (year != "")


def test_year_within_range_without_reviews_is_kept(login_as, paths):
    """A valid year inside the range is shown as asked (here 2022 has reviews of B, G, F)."""
    text = page_text(login_as("district1").get("/reviews/transitions?year=2022"))
    assert "Biến động năm 2022 theo xã/phường" in text and "đang hiển thị" not in text


def test_htmx_swap_returns_the_partial(login_as, paths):
    response = login_as("district1").htmx_get("/reviews/transitions?year=2024",
                                               target="transitions-overview")
    assert response.get_data(as_text=True).lstrip().startswith('<div id="transitions-overview"')
    assert "HX-Request" in response.headers["Vary"]


def test_no_scope_is_empty_not_an_error(login_as, db):
    """A commune officer without a unit: no years, no communes, no counts (fails closed)."""
    response = login_as("nounit").get("/reviews/transitions?year=abc")
    assert response.status_code == 200
    assert "Không có xã/phường nào trong địa bàn." in page_text(response)
    assert sum(cells(response.get_data(as_text=True), "totals").values()) == 0


def test_queries_group_in_sql(app, db, world, paths):
    """The counting functions return grouped rows (one per commune and transition)."""
    from app.core.users import User
    district1 = db.session.scalar(select(User).where(User.username == "district1"))
    with app.test_request_context():
        from flask_login import login_user
        login_user(district1)
        counts = overview.transition_counts(2024)
        poor = overview.still_poor_counts(2024)
    assert counts[(world.units["C1"], "relapsed")] == 1
    assert all(commune in (world.units["C1"], world.units["C2"]) for commune, _ in counts)
    assert poor[world.units["C1"]] == {2: 2, 3: 1, 5: 0}
