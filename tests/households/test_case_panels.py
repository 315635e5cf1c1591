"""The case file as panels (issue 14.2): the page is a shell whose panels load themselves from
their own domain's URL, each partial runs only its own queries, a write announces what it
changed (HX-Trigger) to the panels that show it, and the page's one audit 'view' row covers
the panels it loads."""
import ast
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.households.models import Household
from tests.conftest import page_text
from tests.reviews.test_review_routes import review_data
from tests.sponsors.conftest import make_sponsor
from tests.sqlcount import count_queries
from tests.supports.test_plan_routes import form as plan_form
from tests.supports.test_support_routes import form as support_form

ROOT = Path(__file__).resolve().parents[2]

# id on the page → the URL (its own domain's) that serves the panel, and how it loads.
PANELS = {
    "reviews": ("/households/{h}/reviews/", "load"),
    "exit-panel": ("/reviews/exits/panel/{h}", "load"),
    "plan-panel": ("/supports/households/{h}/plan", "load"),
    "supports-panel": ("/supports/households/{h}/", "load"),
    "sponsors-panel": ("/sponsors/households/{h}/panel", "load"),
}
OWN = {"hh-summary": "/households/{h}/summary", "members": "/households/{h}/members"}

# The most SQL statements each partial may run, loaded from the page (its token sent): the
# user, the household, the panel's own reads. Before the case file was split, the summary and
# members partials built every panel: 21 statements each on this world (the summary is 3 now).
MAX_QUERIES = {"hh-summary": 3, "members": 4, "reviews": 7, "exit-panel": 4,
               "plan-panel": 6, "supports-panel": 10, "sponsors-panel": 5}


@pytest.fixture
def officer(login_as):
    return login_as("commune1")


@pytest.fixture
def hid(world):
    return world.households["C1"]


def section(html, element_id):
    start = html.index(f'<section id="{element_id}"')
    return html[start:html.index(">", start) + 1]


def page_token(html):
    headers = re.search(r"hx-headers='([^']*)'", html)
    return json.loads(headers.group(1))["X-Page-View"]


def views(db, user_id, since):
    db.session.expire_all()
    return db.session.scalars(select(AuditLog).where(
        AuditLog.id > since, AuditLog.user_id == user_id, AuditLog.action == "view")).all()


def last_id(db):
    return db.session.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))


# The page and its panels -----------------------------------------------------------------------

def test_case_page_holds_shells_that_load_each_domains_panel(officer, hid):
    html = officer.get(f"/households/{hid}").get_data(as_text=True)
    for element_id, (url, trigger) in PANELS.items():
        shell = section(html, element_id)
        url = url.format(h=hid)
        assert f'hx-get="{url}"' in shell and f'hx-trigger="{trigger}, load-panel"' in shell
        assert "data-panel-shell" in shell
        assert f'<a href="{url}">' in html   # without JavaScript: the panel's own page
    # Its own parts are there; the other panels' content is not (they load it themselves).
    text = page_text(officer.get(f"/households/{hid}"))
    assert "Thông tin chung" in text and "Thành viên (2)" in text
    assert "Kết quả tính" not in text and "Chưa có kế hoạch hỗ trợ." not in text
    assert "Hộ chưa có nhà tài trợ nhận đỡ đầu." not in text


@pytest.mark.parametrize("element_id", list(PANELS))
def test_each_panel_loads_as_a_swap_and_as_its_own_page(officer, hid, element_id):
    url = PANELS[element_id][0].format(h=hid)
    swap = officer.htmx_get(url)
    assert swap.status_code == 200
    assert swap.get_data(as_text=True).lstrip().startswith(f'<section id="{element_id}"')
    page = officer.get(url)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert f'href="/households/{hid}"' in page.get_data(as_text=True)   # back to the case file


def test_households_routes_import_no_other_domains_routes():
    """The case page does not build other domains' panels: households.routes imports nothing
    from another domain's route modules."""
    tree = ast.parse((ROOT / "app/households/routes.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    foreign = [m for m in imported if m.startswith("app.") and not m.startswith(
        ("app.households.", "app.core.", "app.extensions")) and ("routes" in m or "portal" in m)]
    assert foreign == [], foreign
    assert "_case_context" not in (ROOT / "app/households/routes.py").read_text()


@pytest.mark.parametrize("element_id", list(MAX_QUERIES))
def test_each_partial_runs_only_its_own_queries(officer, hid, db, element_id):
    token = page_token(officer.get(f"/households/{hid}").get_data(as_text=True))
    url = {**{k: v for k, (v, _t) in PANELS.items()}, **OWN}[element_id].format(h=hid)
    with count_queries(db) as queries:
        response = officer.get(url, headers={"HX-Request": "true", "X-Page-View": token})
    assert response.status_code == 200
    assert len(queries) <= MAX_QUERIES[element_id], "\n".join(queries)


def test_summary_partial_reads_the_household_not_the_other_panels(officer, hid, db):
    token = page_token(officer.get(f"/households/{hid}").get_data(as_text=True))
    with count_queries(db) as queries:
        officer.get(f"/households/{hid}/summary", headers={"HX-Request": "true",
                                                            "X-Page-View": token})
    tables = " ".join(queries).lower()
    for other in ("review", "exit_proposal", "plan_item", "support", "assignment", "member"):
        assert not re.search(rf"\bfrom {other}\b|\bjoin {other}\b", tables), other


# A write tells the panels that depend on it ----------------------------------------------------

def test_each_write_announces_what_it_changed(officer, hid, db, world):
    sponsor = make_sponsor(db, world, "Hợp tác xã Đồng Xanh")
    writes = [
        (f"/households/{hid}/members/new", {"full_name": "Nguyễn Thị Mơ", "sex": "F",
                                            "birth_year": "1958", "relationship_code": "parent"},
         "members-changed"),
        (f"/households/{hid}/reviews/new",
         review_data(indicators=["employment"], decided_status="near_poor"), "reviews-changed"),
        (f"/reviews/exits/propose/{hid}", {"year": "2025", "to_status": "not_poor",
                                           "evidence": "Thu nhập vượt chuẩn cận nghèo"},
         "exits-changed"),
        (f"/supports/households/{hid}/plan/new", plan_form(), "plan-changed"),
        (f"/supports/households/{hid}/new", support_form(), "supports-changed"),
        (f"/sponsors/households/{hid}/assign", {"sponsor_id": sponsor.id,
                                                "starts_on": "01/03/2025", "commitment": "Giống lúa"},
         "sponsors-changed"),
    ]
    for url, data, event in writes:
        response = officer.form(url, data, htmx=True)
        assert response.status_code == 200, (url, page_text(response)[:300])
        assert response.headers["HX-Trigger"] == event, url
    # A plain form post is redirected to the page, which shows everything fresh: no event.
    plain = officer.form(f"/supports/households/{hid}/plan/new", plan_form(action="Vay vốn"))
    assert plain.status_code == 303 and "HX-Trigger" not in plain.headers
    # A refused write changed nothing: no event.
    refused = officer.form(f"/supports/households/{hid}/plan/new", plan_form(action=""), htmx=True)
    assert refused.status_code == 422 and "HX-Trigger" not in refused.headers


# Who listens to what: event → the panels that show what it changes.
LISTENERS = {
    "members-changed": {"hh-summary"},
    "reviews-changed": {"hh-summary", "exit-panel", "plan-panel"},
    "exits-changed": {"hh-summary", "reviews"},
    "plan-changed": {"supports-panel"},
}


def test_panels_listen_for_the_writes_they_depend_on(officer, hid):
    partials = {element_id: officer.htmx_get(url.format(h=hid)).get_data(as_text=True)
                for element_id, url in {**{k: v for k, (v, _t) in PANELS.items()}, **OWN}.items()}
    for element_id, html in partials.items():
        root = section(html, element_id)
        trigger = re.search(r'hx-trigger="([^"]*)"', root)
        heard = {part.split()[0] for part in trigger.group(1).split(",")} if trigger else set()
        expected = {event for event, panels in LISTENERS.items() if element_id in panels}
        assert heard == expected, element_id
        # A panel never listens for its own writes: their answer is the panel itself.
        if heard:
            assert f'hx-get="{PANELS.get(element_id, (OWN.get(element_id),))[0].format(h=hid)}"' \
                in root


def test_summary_after_a_decision_brings_the_header_out_of_band(officer, hid, db):
    before = officer.htmx_get(f"/households/{hid}/summary").get_data(as_text=True)
    assert '<h1 id="case-header" hx-swap-oob="true">' in before and "Hộ nghèo" in before
    response = officer.form(f"/households/{hid}/reviews/new",
                            review_data(indicators=["employment"], decided_status="near_poor"),
                            htmx=True)
    assert response.headers["HX-Trigger"] == "reviews-changed"
    summary = officer.htmx_get(f"/households/{hid}/summary").get_data(as_text=True)
    assert summary.lstrip().startswith('<section id="hh-summary"')
    header = summary[summary.index('<h1 id="case-header"'):]
    assert "chip-near_poor" in header and "Hộ cận nghèo" in header
    # The exit panel now offers the near-poor household's exit.
    exit_panel = page_text(officer.htmx_get(f"/reviews/exits/panel/{hid}"))
    assert "Đề nghị hộ thoát cận nghèo" in exit_panel


def test_edit_answers_with_summary_and_header(officer, hid, db):
    household = db.session.get(Household, hid)
    data = {"code": household.code, "hamlet_id": household.hamlet_id, "head_name": "Trần Văn Mới",
            "address": household.address or "", "policy_group": household.policy_group or "",
            "note": "", "version": household.version}
    response = officer.form(f"/households/{hid}/edit", data, htmx=True)
    assert response.status_code == 200, page_text(response)[:300]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="hh-summary"')
    assert re.search(r'<h1 id="case-header" hx-swap-oob="true">[^<]*Trần Văn Mới', html)


# One 'view' row per case-file open ---------------------------------------------------------

def test_one_view_row_per_case_file_open(officer, hid, db, world):
    since = last_id(db)
    token = page_token(officer.get(f"/households/{hid}").get_data(as_text=True))
    urls = [u.format(h=hid) for u, _t in PANELS.values()] + [u.format(h=hid) for u in OWN.values()]
    for url in urls:
        response = officer.get(url, headers={"HX-Request": "true", "X-Page-View": token})
        assert response.status_code == 200, url
    rows = views(db, world.users["commune1"], since)
    assert [(r.entity, r.entity_id) for r in rows] == [("household", hid)]


@pytest.mark.parametrize("case", ["no token", "forged", "other household", "other user"])
def test_a_panel_without_its_pages_token_records_its_own_view(login_as, db, world, case):
    """The token covers only the page's own user and household, unforged."""
    hid, other = world.households["C1"], world.households["C2"]
    user = "district1" if case in ("other household", "other user") else "commune1"
    client = login_as("commune1" if case == "other user" else user)
    token = page_token(client.get(f"/households/{other if case == 'other household' else hid}")
                       .get_data(as_text=True))
    headers = {"HX-Request": "true"}
    if case == "forged":
        headers["X-Page-View"] = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    elif case != "no token":
        headers["X-Page-View"] = token
    if case == "other user":   # commune1's token, sent by district1
        client.post("/logout", headers={"X-CSRFToken": client.csrf()})
        client = login_as(user)
    since = last_id(db)
    assert client.get(f"/reviews/exits/panel/{hid}", headers=headers).status_code == 200
    assert [(r.entity, r.entity_id) for r in views(db, world.users[user], since)] == \
        [("household", hid)]


def test_a_refused_form_page_gives_its_panels_no_token(officer, hid, db):
    """Only a GET records the page's view: a page shown after a refused plain post hands out
    no token, so its panels record their own views."""
    household = db.session.get(Household, hid)
    data = {"code": "", "hamlet_id": household.hamlet_id, "head_name": household.head_name,
            "version": household.version}
    response = officer.form(f"/households/{hid}/edit", data)
    assert response.status_code == 422
    assert "X-Page-View" not in response.get_data(as_text=True)
