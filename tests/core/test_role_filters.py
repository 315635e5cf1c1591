"""Filters follow the role, through one definition (app.core.sensitive).

1. Every filter parameter of the household list and of its Excel export, for every role: an
   allowed filter narrows the list (page and workbook alike) to exactly the expected households
   and names itself in the workbook's title; a forbidden one (the ethnicity flag, for the
   Front) narrows nothing and appears in no title, link or audit entry.
2. Every other list that takes filter parameters, every parameter, every role: the filter never
   changes who may read the list (same status as without it) and never fails.
3. Every query parameter the app reads is classified here, as the access matrix does for routes:
   a new filter must be added to the tables above (and to core.sensitive if it is sensitive)."""
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household

AREA_ROLES = ("commune1", "district1", "province1", "massorg1")
OTHER_ROLES = ("sponsor1", "admin")
# The communes each area role reads (tests/conftest.py's world).
SCOPE = {"commune1": {"C1"}, "district1": {"C1", "C2"}, "province1": {"C1", "C2", "C3", "C4"},
         "massorg1": {"C1"}}
# What each role may NOT filter by, written out here rather than read from the app.
FORBIDDEN = {"massorg1": {("flag", "ethnic")}}

# One household of C1 per flag (the world's HH-C* are poor since 2023, no flag).
MARKED = {"X-ETH": ("H1", "is_ethnic_minority"), "X-MER": ("H1", "has_merit_member"),
          "X-FEM": ("H1b", "is_female_headed"), "X-NOL": ("H1", "has_no_labour_capacity")}
WORLD = {"HH-C1": "C1", "HH-C2": "C2", "HH-C3": "C3", "HH-C4": "C4", "HH-C5": "C5"}
FLAG_TITLES = {"ethnic": "Dân tộc thiểu số", "merit": "Có người có công",
               "female": "Phụ nữ làm chủ hộ", "nolabour": "Không còn khả năng lao động"}


def household_cases(world, transition):
    """(parameter, value, the households it keeps among the marked ones and the world's)."""
    poor = set(WORLD)
    return [
        ("flag", "ethnic", {"X-ETH"}), ("flag", "merit", {"X-MER"}),
        ("flag", "female", {"X-FEM"}), ("flag", "nolabour", {"X-NOL"}),
        ("q", "nguyen van an", {"HH-C1", "HH-C3", "HH-C5"}),   # "Nguyễn Văn An(h)"
        ("hamlet", world.units["H1b"], {"X-FEM"}),
        ("commune", world.units["C2"], {"HH-C2"}),
        ("status", "poor", poor), ("status", "unreviewed", set(MARKED)),
        ("transition", transition, poor), ("poor_years", 1, poor),
        ("year", 2023, None),      # no filter by itself (it qualifies transition/poor_years)
        ("sort", "-code", None), ("page", 1, None),
    ]


@pytest.fixture
def marked(db, world):
    for code, (hamlet, flag) in MARKED.items():
        hh = household_services.create_household(
            {"code": code, "head_name": f"Chủ hộ {code}", "address": "Xóm 3"},
            db.session.get(AdminUnit, world.units[hamlet]), head={"birth_year": 1980, "sex": "F"})
        setattr(hh, flag, True)
    db.session.commit()
    return db.session.get(Household, world.households["C1"]).last_transition


def in_scope(role):
    return set(MARKED) | {code for code, commune in WORLD.items() if commune in SCOPE[role]}


def listed_codes(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-label="Mã hộ">([^<]+)</td>', response.get_data(as_text=True))


def exported(response) -> tuple[list[str], str]:
    """(household codes, the "Điều kiện lọc" title line) of the exported workbook."""
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    title = next(r[0] for r in rows[:head] if r[0] and str(r[0]).startswith("Điều kiện lọc"))
    return [r[1] for r in rows[head + 1:] if isinstance(r[0], int)], title


@pytest.mark.parametrize("role", AREA_ROLES)
def test_household_list_and_export_filters_follow_the_role(role, login_as, world, db, marked):
    client = login_as(role)
    everyone = in_scope(role)
    all_listed = set(listed_codes(client.get("/households/")))
    assert all_listed == everyone
    for param, value, keeps in household_cases(world, marked):
        query = "?" + urlencode({param: value})
        forbidden = (param, value) in FORBIDDEN.get(role, set())
        expected = everyone if keeps is None or forbidden else keeps & everyone
        page = client.htmx_get("/households/" + query, target="hh-results")
        assert set(listed_codes(page)) == expected, (role, param, value)
        codes, title = exported(client.get("/reports/households.xlsx" + query))
        assert set(codes) == expected, (role, param, value)
        if param == "flag":
            label = FLAG_TITLES[value]
            assert (label in title) is not forbidden, (role, value, title)
            html = client.get("/households/" + query).get_data(as_text=True)
            # The checkbox is not offered, and the export link does not carry it.
            assert (f'name="flag" value="{value}"' in html) is not forbidden
            export_link = re.search(r'id="hh-export" href="([^"]*)"', html).group(1)
            assert (f"flag={value}" in export_link) is not forbidden
        if forbidden:
            assert title == "Điều kiện lọc: tất cả các hộ"


def test_forbidden_filter_stays_out_of_the_audit_log(login_as, world, db, marked):
    """The export's audit entry records the filters it applied — not one it ignored."""
    client = login_as("massorg1")
    client.get("/reports/households.xlsx?flag=ethnic&flag=female")
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")
                               .order_by(AuditLog.id.desc())).first()
    assert "ethnic" not in str(entry.after) and "female" in str(entry.after)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_household_list_and_export_refuse_other_roles(role, login_as, marked):
    client = login_as(role)
    for url in ("/households/?flag=ethnic", "/reports/households.xlsx?flag=ethnic"):
        response = client.get(url)
        assert response.status_code == 403 and b"X-ETH" not in response.data


# Every other list with filter parameters ------------------------------------------------------

def other_lists(world) -> dict[str, dict]:
    """url → {parameter: a sample value} for each list or export that reads filters."""
    unit, hamlet = world.units["C1"], world.units["H1"]
    period = {"from": "01/01/2024", "to": "31/12/2025"}
    report = {"year": 2024, "unit": unit, **period, "growth": "0,7"}
    return {
        "/supports/plan": {"hamlet": hamlet, "status": "done", "overdue": "1", "sponsor": 1,
                           "page": 2},
        "/supports/verify": {"hamlet": hamlet},
        "/funds/": {"fund": 1},
        "/funds/review": {**period, "fund": 1, "hamlet": hamlet, "type": "hospital_fees",
                          "sponsor": 1, "state": "open", "reply": "answered", "page": 2},
        "/sponsors/": {"q": "lua", "kind": "business", "page": 2},
        "/reviews/exits/": {"year": 2024, "commune": unit},
        "/reviews/rounds/": {"year": 2024, "page": 2},
        "/reviews/transitions": {"year": 2023},
        **{f"/reports/{slug}": report for slug in ("deprivation", "merit-categories", "targets",
                                                  "hamlet-targets", "supports", "transitions")},
        "/reports/transitions.xlsx": report,     # workbooks resolve selectors like their pages
        "/targets/": {"unit": unit, "year": 2025},
        "/targets/progress": {"unit": unit, "year": 2025, "kind": "near_poor"},
        "/targets/reports/": {"year": 2025, "todo": "1"},
        "/targets/deadlines/": {"year": 2025},
        "/admin/audit": {"action": "export", "obj": "household", "page": 2},
        "/admin/units": {"parent": unit},
        "/admin/users": {"show": "locked"},
        "/sponsor/": {}, "/sponsor/history": {"verification": "pending"},
    }


@pytest.mark.parametrize("role", AREA_ROLES + OTHER_ROLES)
def test_other_lists_take_every_filter_for_every_role(role, login_as, world):
    client = login_as(role)
    for url, params in other_lists(world).items():
        base = client.get(url).status_code
        assert base in (200, 403), (role, url, base)
        for param, value in params.items():
            status = client.get(f"{url}?{urlencode({param: value})}").status_code
            assert status == base, (role, url, param, value, status)


# Every parameter the app reads is classified -------------------------------------------------

# Read from the query string, but not a filter of a list: paging, sorting, redirects, a form's
# prefilled field, a step of a wizard.
NOT_FILTERS = {"page", "sort", "next", "need", "plan_item", "sheet", "step"}
READS = re.compile(r'(?:args\.get(?:list)?\(\s*|_int\(args,\s*|int_arg\(|args\[)"(\w+)"')


def test_every_query_parameter_is_classified(world):
    read = {name for path in Path("app").rglob("*.py") for name in READS.findall(path.read_text())}
    classified = {"q", "hamlet", "commune", "status", "transition", "year", "poor_years", "flag",
                  "list"}   # list: which official list of a round (reviews/official_list_routes)
    classified |= {p for params in other_lists(world).values() for p in params}
    assert read - classified - NOT_FILTERS == set(), "classify the new parameter in this file"
