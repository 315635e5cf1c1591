"""Periodic reports: deadlines as data (a unit's own row overrides the default), states against
a fixed "today", the submit step that freezes a snapshot (still shown after the data change),
no re-submission, consolidation of children's snapshots, and who may do what."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.users import Role, User
from app.targets import periodic, services
from app.targets.models import ReportDeadline, ReportSubmission, Target
from tests.conftest import PASSWORD, page_text
from tests.targets.conftest import decide, new_household


def submissions(db):
    return db.session.scalar(select(func.count()).select_from(ReportSubmission))


def report_url(world, unit, year=2025, kind="6m"):
    return f"/targets/reports/{world.units[unit]}/{year}/{kind}"


@pytest.fixture
def commune2(db, world):
    """A commune officer of C2 (the world has none)."""
    user = User(username="commune2", full_name="Commune2", role=Role.COMMUNE, unit_id=world.units["C2"])
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


# Deadlines and states -------------------------------------------------------------------------

def test_default_deadline_and_a_units_own(db, world, unit, user):
    c1, c2 = unit("C1"), unit("C2")
    found = periodic.deadlines([c1.id, c2.id], 2025)
    assert found[(c1.id, "6m")] == (date(2025, 6, 20), False)        # migration's default
    db.session.add(ReportDeadline(unit_id=c1.id, year=2025, kind="6m", due_on=date(2025, 5, 5)))
    db.session.commit()
    found = periodic.deadlines([c1.id, c2.id], 2025)
    assert found[(c1.id, "6m")] == (date(2025, 5, 5), True)
    assert found[(c2.id, "6m")] == (date(2025, 6, 20), False)
    assert found[(c1.id, "annual")] == (date(2025, 11, 30), False)
    assert (c1.id, "6m") not in periodic.deadlines([c1.id], 2031)   # no deadline that year


def test_states_against_a_fixed_today(db, world, paths, unit, user):
    c1, commune1 = unit("C1"), user("commune1")
    assert periodic.status(c1, 2025, "6m", date(2025, 6, 20), commune1).state == periodic.DUE
    assert periodic.status(c1, 2025, "6m", date(2025, 6, 20), commune1).days_left == 0
    assert periodic.status(c1, 2025, "6m", date(2025, 6, 21), commune1).state == periodic.OVERDUE
    assert periodic.status(c1, 2025, "9m", date(2025, 6, 21), commune1).state == periodic.DUE
    periodic.submit(c1, 2025, "6m", commune1, now=datetime(2025, 6, 25, 9, 0))
    db.session.commit()
    state = periodic.status(c1, 2025, "6m", date(2025, 7, 1), commune1)
    assert state.state == periodic.SUBMITTED and state.late is True
    periodic.submit(c1, 2025, "9m", commune1, now=datetime(2025, 9, 1, 9, 0))
    db.session.commit()
    assert periodic.status(c1, 2025, "9m", date(2025, 12, 1), commune1).late is False


def test_reports_index_shows_states(login_as, world, db, paths):
    client = login_as("commune1")
    html = client.get("/targets/reports/?year=2025").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-kind="(\w+)".*?data-state="(\w+)"', html, re.S))
    assert rows == {"6m": "overdue", "9m": "overdue", "annual": "overdue"}   # today is after 2025
    assert "20/06/2025" in html


# Submit and freeze ----------------------------------------------------------------------------

def frozen_cell(html, table_id, column):
    table = re.search(rf'<table class="responsive" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return re.search(rf'data-col="{column}">(?:<strong>)?([^<]*)', table).group(1).strip()


def test_submit_freezes_the_numbers(login_as, world, db, paths, unit):
    client = login_as("commune1")
    page = client.get(report_url(world, "C1"))
    assert page.status_code == 200 and 'data-frozen="false"' in page.get_data(as_text=True)
    assert frozen_cell(page.get_data(as_text=True), "report-total", "poor") == "2"
    response = client.form(report_url(world, "C1") + "/submit", {"note": "Gửi UBND huyện"})
    assert response.status_code == 303
    saved = db.session.scalars(select(ReportSubmission)).one()
    assert (saved.unit_id, saved.year, saved.kind, saved.note) == (world.units["C1"], 2025, "6m", "Gửi UBND huyện")
    assert (saved.province_id, saved.district_id, saved.commune_id, saved.hamlet_id) == (
        world.units["P1"], world.units["D1"], world.units["C1"], None)
    total = saved.snapshot["total"]
    assert (total["households"], total["poor"], total["near_poor"], total["merit_poor"]) == (6, 2, 2, 0)
    assert {c["name"]: c["poor"] for c in saved.snapshot["children"]} == {"Thôn C1": 1, "Thôn Đông": 1}
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.entity == "report_submission")) == "submit"

    # The data change afterwards: two more poor households decided in 2025.
    for code in ("L-1", "L-2"):
        decide(db, new_household(db, world, code, "H1"), 2025, "poor")
    db.session.commit()
    assert periodic.build_snapshot(unit("C1"), 2025, "6m", db.session.get(User, world.users["commune1"]))["total"]["poor"] == 4
    html = client.get(report_url(world, "C1")).get_data(as_text=True)
    assert 'data-frozen="true"' in html
    assert frozen_cell(html, "report-total", "poor") == "2" and frozen_cell(html, "report-total", "households") == "6"
    assert 'id="report-submit"' not in html


def test_a_submitted_report_cannot_be_submitted_again(login_as, world, db, paths):
    client = login_as("commune1")
    assert client.form(report_url(world, "C1") + "/submit", {}).status_code == 303
    response = client.form(report_url(world, "C1") + "/submit", {}, htmx=True)
    assert response.status_code == 422
    assert "Báo cáo này đã được nộp" in page_text(response)
    assert submissions(db) == 1


def test_htmx_submit_returns_the_frozen_report(login_as, world, db, paths):
    client = login_as("commune1")
    response = client.form(report_url(world, "C1", kind="annual") + "/submit", {}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-body">') and 'data-frozen="true"' in html
    assert response.headers["HX-Push-Url"].endswith("/2025/annual")


@pytest.mark.parametrize("username, unit, status", [
    ("district1", "C1", 404),     # reads it, but submits only its own unit's report
    ("commune1", "C3", 404), ("commune1", "D1", 404), ("commune3", "C1", 404),
    ("massorg1", "C1", 403),      # reads, never submits
])
def test_who_may_submit(username, unit, status, login_as, world, db, paths):
    client = login_as(username)
    assert client.form(report_url(world, unit) + "/submit", {}).status_code == status
    assert submissions(db) == 0


def test_report_pages_are_scoped(login_as, world, db, paths):
    client = login_as("district1")
    for name in ("C1", "C2", "D1"):
        assert client.get(report_url(world, name)).status_code == 200
    for name in ("C3", "D2", "P1", "C4", "C5"):
        assert client.get(report_url(world, name)).status_code == 404
    assert client.get(report_url(world, "C1", kind="monthly")).status_code == 404
    assert client.get(report_url(world, "H1")).status_code == 404      # hamlets do not report
    client.post("/logout", data={"csrf_token": client.csrf()})
    mass = login_as("massorg1")
    assert mass.get(report_url(world, "C1")).status_code == 200


# Consolidation --------------------------------------------------------------------------------

def test_consolidation_sums_childrens_snapshots_and_lists_the_missing(login_as, world, db, paths,
                                                                      unit, user, commune2):
    db.session.add(Target(year=2025, kind="poor", count=1, baseline=2, **services.ancestry(unit("C1"))))
    db.session.commit()
    periodic.submit(unit("C1"), 2025, "6m", user("commune1"), now=datetime(2025, 6, 10))
    db.session.commit()
    district1 = user("district1")
    result = periodic.consolidate(unit("D1"), 2025, "6m", date(2025, 6, 30), district1)
    assert [s.unit.name for s in result.submitted] == ["Xã Một"]
    assert [(s.unit.name, s.state) for s in result.missing] == [("Xã Hai", periodic.OVERDUE)]
    assert result.sums["poor"] == 2 and result.sums["target_poor"] == 1

    periodic.submit(unit("C2"), 2025, "6m", commune2, now=datetime(2025, 6, 12))
    db.session.commit()
    result = periodic.consolidate(unit("D1"), 2025, "6m", date(2025, 6, 30), district1)
    assert result.missing == []
    c1 = result.submitted[0].submission.snapshot["total"]
    c2 = result.submitted[1].submission.snapshot["total"]
    for key in periodic.SNAPSHOT_KEYS:
        expected = [v for v in (c1[key], c2[key]) if v is not None]
        assert result.sums[key] == (sum(expected) if expected else None), key
    assert (result.sums["households"], result.sums["poor"], result.sums["near_poor"]) == (8, 3, 2)

    # Through HTTP: the district's report page shows the consolidated table and nobody missing.
    client = login_as("district1")
    html = client.get(report_url(world, "D1")).get_data(as_text=True)
    table = re.search(r'id="report-consolidated">(.*?)</table>', html, re.S).group(1)
    assert re.search(r'<tfoot>.*data-col="poor"><strong>3<', table, re.S)
    assert 'id="report-missing"' not in html
    # The district submits: its snapshot keeps what was consolidated.
    assert client.form(report_url(world, "D1") + "/submit", {}).status_code == 303
    saved = db.session.scalar(select(ReportSubmission).where(ReportSubmission.unit_id == world.units["D1"]))
    assert saved.snapshot["consolidated"]["sums"]["poor"] == 3
    assert saved.snapshot["consolidated"]["missing"] == []


def test_consolidated_table_through_http_with_a_missing_commune(login_as, world, db, paths, unit, user):
    periodic.submit(unit("C1"), 2025, "6m", user("commune1"), now=datetime(2025, 6, 10))
    db.session.commit()
    client = login_as("district1")
    html = client.get(report_url(world, "D1")).get_data(as_text=True)
    table = re.search(r'id="report-consolidated">(.*?)</table>', html, re.S).group(1)
    assert "Xã Một" in table and "Xã Hai" not in table
    total = re.search(r"<tfoot>(.*?)</tfoot>", table, re.S).group(1)
    assert re.search(r'data-col="poor"><strong>2<', total)
    missing = re.search(r'<ul id="report-missing">(.*?)</ul>', html, re.S).group(1)
    assert f'data-unit="{world.units["C2"]}"' in missing and "Xã Một" not in missing
    # The district's overview of its communes' reports.
    index = client.get("/targets/reports/?year=2025").get_data(as_text=True)
    row = re.search(rf'<tr id="reports-{world.units["C1"]}">(.*?)</tr>', index, re.S).group(1)
    assert 'data-kind="6m"' in row and 'data-state="submitted"' in row


# Deadline pages ------------------------------------------------------------------------------

def test_admin_sets_default_deadlines(login_as, world, db):
    client = login_as("admin")
    assert client.get("/targets/deadlines/?year=2026").status_code == 200
    response = client.form("/targets/deadlines/defaults", {
        "year": "2026", "due_6m": "05/05/2026", "due_9m": "05/08/2026", "due_annual": ""})
    assert response.status_code == 303
    rows = {r.kind: r.due_on for r in db.session.scalars(select(ReportDeadline).where(
        ReportDeadline.unit_id.is_(None), ReportDeadline.year == 2026))}
    assert rows == {"6m": date(2026, 5, 5), "9m": date(2026, 8, 5)}
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "report_deadline")) == 3          # two updates, one removal


def test_deadline_outside_the_year_is_refused(login_as, world, db):
    client = login_as("admin")
    response = client.form("/targets/deadlines/defaults", {
        "year": "2026", "due_6m": "05/05/2030", "due_9m": "", "due_annual": ""}, htmx=True)
    assert response.status_code == 422
    assert "Hạn nộp phải thuộc năm 2026 hoặc năm sau." in page_text(response)
    response = client.form("/targets/deadlines/defaults", {
        "year": "2026", "due_6m": "31/02/2026", "due_9m": "", "due_annual": ""}, htmx=True)
    assert response.status_code == 422 and "Ngày không hợp lệ" in page_text(response)
    assert db.session.scalar(select(ReportDeadline.due_on).where(
        ReportDeadline.unit_id.is_(None), ReportDeadline.year == 2026,
        ReportDeadline.kind == "6m")) == date(2026, 6, 20)


def test_district_sets_a_communes_own_deadline(login_as, world, db):
    client = login_as("district1")
    html = client.get("/targets/deadlines/?year=2026").get_data(as_text=True)
    assert "Xã Một" in html and "Xã Ba" not in html
    url = f"/targets/deadlines/{world.units['C1']}/2026"
    assert client.get(url).status_code == 200
    assert client.form(url, {"year": "2026", "due_6m": "10/06/2026"}).status_code == 303
    own = periodic.deadlines([world.units["C1"], world.units["C2"]], 2026)
    assert own[(world.units["C1"], "6m")] == (date(2026, 6, 10), True)
    assert own[(world.units["C2"], "6m")] == (date(2026, 6, 20), False)
    # Blank again: back to the default.
    assert client.form(url, {"year": "2026", "due_6m": ""}).status_code == 303
    assert periodic.deadlines([world.units["C1"]], 2026)[(world.units["C1"], "6m")][1] is False


@pytest.mark.parametrize("username, unit, status", [
    ("district1", "C3", 404), ("district1", "D1", 404), ("district1", "H1", 404),
    ("province1", "C1", 404), ("commune1", "H1", 403), ("massorg1", "C1", 403), ("admin", "C1", 403),
])
def test_deadline_edit_refused(username, unit, status, login_as, world, db):
    client = login_as(username)
    url = f"/targets/deadlines/{world.units[unit]}/2026"
    before = db.session.scalar(select(func.count()).select_from(ReportDeadline))
    assert client.form(url, {"year": "2026", "due_6m": "10/06/2026"}).status_code == status
    assert db.session.scalar(select(func.count()).select_from(ReportDeadline)) == before


def test_only_admin_sets_defaults(login_as, world, db):
    client = login_as("district1")
    assert client.form("/targets/deadlines/defaults", {"year": "2026", "due_6m": "01/06/2026"}).status_code == 403
