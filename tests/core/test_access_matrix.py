"""The access matrix: every route is classified, and every role is refused everything outside
its scope — by link, guessed id, or an id smuggled into a form — with the database unchanged."""
from datetime import date
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.loaders import OBJECT_ARGS
from app.core.units import AdminUnit
from app.households.models import Household, Member
from app.imports.models import ImportBatch
from app.reviews.models import (ExitProposal, HamletMeeting, Indicator, Review, ReviewRequest,
                                ReviewRound)
from app.reviews.round_models import PostingComplaint, RoundPosting
from app.sponsors.models import Assignment, Sponsor
from app.supports.models import Evidence, PlanItem, Support
from tests.funds.helpers import matrix_entry_id, matrix_fund_id

PUBLIC = "public"           # no login needed
ANY_USER = "any_user"       # any logged-in user
READERS = ("commune", "district", "mass_org")
EDITORS = ("commune",)
ADMIN = ("admin",)
SPONSOR = ("sponsor",)

# endpoint → who may use it. A route missing here fails test_every_route_is_classified.
ROUTES = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "main.set_language": PUBLIC,
    "health.healthz": PUBLIC,
    "favicon": PUBLIC,
    "auth.logout": ANY_USER,
    "auth.change_password": ANY_USER,
    "main.home": ANY_USER,
    "admin.users": ADMIN, "admin.user_create": ADMIN, "admin.user_edit": ADMIN,
    "admin.user_deactivate": ADMIN, "admin.units": ADMIN, "admin.unit_create": ADMIN,
    "admin.unit_edit": ADMIN, "admin.audit_log": ADMIN,
    "admin.user_unlock": ADMIN,
    "standards.index": ADMIN, "standards.edit": ADMIN, "standards.indicator_label": ADMIN,
    "households.index": READERS,
    "households.case_file": READERS,
    "households.summary": READERS,
    "households.members": READERS,
    "households.create": EDITORS,
    "households.edit": EDITORS,
    "households.delete": EDITORS,
    "households.member_create": EDITORS,
    "households.member_edit": EDITORS,
    "households.member_delete": EDITORS,
    "reviews.timeline": READERS,
    "reviews.create": EDITORS,
    "reviews.edit": EDITORS,
    "reviews.classify": EDITORS,
    "exits.index": READERS, "exits.panel": READERS, "transitions.index": READERS,
    "exits.propose": EDITORS, "exits.withdraw": EDITORS, "exits.decide": EDITORS,
    "rounds.index": READERS, "rounds.show": READERS, "rounds.pending": READERS,
    "rounds.meetings": READERS, "rounds.requests": READERS,
    "rounds.create": EDITORS, "rounds.meeting_create": EDITORS, "rounds.request_create": EDITORS,
    "rounds.pipeline": READERS, "rounds.postings": READERS, "rounds.decision": READERS,
    "rounds.supervision": READERS, "rounds.supervised": READERS,
    "rounds.posting_create": EDITORS, "rounds.complaint_create": EDITORS,
    "rounds.complaint_resolve": EDITORS, "rounds.decision_create": EDITORS,
    "rounds.decision_apply": EDITORS,
    # Bulk survey grid (commune officers) and the official lists of a round (every officer).
    "survey.grid_page": EDITORS, "survey.save_row": EDITORS, "survey.preview_row": EDITORS,
    "official_lists.page": READERS, "official_lists.xlsx": READERS,
    # Reports: pages and workbooks for every officer role (each scoped to its area).
    "reports.index": READERS, "reports.households_xlsx": READERS,
    **{f"reports.{name}{suffix}": READERS for suffix in ("", "_xlsx") for name in (
        "deprivation", "merit_categories", "targets", "hamlet_targets", "supports", "transitions")},
    "supports.plan_panel": READERS, "supports.plan_list": READERS,
    "supports.plan_item_create": EDITORS, "supports.plan_item_edit": EDITORS,
    "supports.plan_draft": EDITORS, "supports.supports_panel": READERS,
    "supports.support_create": EDITORS, "supports.reverse": EDITORS,
    "supports.verify_queue": EDITORS, "supports.verify": EDITORS, "supports.reject": EDITORS,
    "supports.verify_bulk": EDITORS,   # ids in the form: tests/main/test_bulk_verify.py
    "supports.evidence": READERS + ("sponsor",),   # a sponsor: evidence of its own supports only
    "sponsors.index": READERS, "sponsors.show": READERS, "sponsors.panel": READERS,
    "sponsors.create": ("commune", "district"), "sponsors.edit": ("commune", "district"),
    "sponsors.assign": EDITORS, "sponsors.end": EDITORS,
    "portal.home": SPONSOR, "portal.household": SPONSOR, "portal.support_new": SPONSOR,
    "portal.history": SPONSOR,
    "funds.index": READERS, "funds.show": READERS, "funds.review": READERS, "funds.entry": READERS,
    "funds.disclosure": READERS, "funds.disclosure_xlsx": READERS,
    "funds.disclosure_publish": ("mass_org",),   # the fund's own unit only (others: 403/404)
    "funds.create": ("mass_org",), "funds.receipt_create": ("mass_org",),
    "funds.spend_create": ("mass_org",), "funds.transfer_create": ("mass_org",),
    "funds.entry_approve": ("mass_org",), "funds.entry_query": ("mass_org",),
    "funds.entry_cancel": ("mass_org",), "funds.entry_reverse": ("mass_org",),
    "funds.entry_comment": ("commune", "mass_org"),
    "targets.index": READERS, "targets.progress": READERS,
    "targets.edit": ("commune", "district"),          # the level above only (unit checked: 404)
    "targets.figures_page": READERS,
    "targets.figures_edit": ("commune", "district"),  # the level above only (unit checked: 404)
    "targets.figures_freeze": ("commune",),           # the officer's own commune only
    "reports.figures_check": READERS,
    "periodic.index": READERS, "periodic.show": READERS,
    "periodic.submit": ("commune", "district"),       # the officer's own unit only
    "deadlines.index": ("district", "admin"), "deadlines.defaults": ADMIN,
    "deadlines.edit": ("district",),
    # Excel import: commune officers, their own commune's batches only (another's: 404).
    "imports.index": EDITORS, "imports.upload": EDITORS, "imports.template": EDITORS,
    "imports.batch": EDITORS, "imports.progress": EDITORS, "imports.check": EDITORS,
    "imports.commit": EDITORS, "imports.error_file": EDITORS,
}
ROLE_USERS = {"admin": "admin", "commune": "commune1", "district": "district1",
              "mass_org": "massorg1", "sponsor": "sponsor1"}
ALL_ROLES = tuple(ROLE_USERS)


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _round_id(world, db, commune):
    """The review round of `commune`, opened here (in the test's transaction) when missing."""
    commune_id = world.units[commune]
    round_id = db.session.scalar(select(ReviewRound.id).where(ReviewRound.commune_id == commune_id)
                                 .order_by(ReviewRound.year).limit(1))
    if round_id is None:
        lineage = db.session.get(AdminUnit, commune_id).lineage()
        round_ = ReviewRound(province_id=lineage["province"], district_id=lineage["district"],
                             commune_id=commune_id, year=2024)
        db.session.add(round_)
        db.session.commit()
        round_id = round_.id
    return round_id


def _posting_id(world, db, commune):
    """A public posting of `commune`'s round (in its first hamlet), made here when missing."""
    round_id = _round_id(world, db, commune)
    posting_id = db.session.scalar(select(RoundPosting.id).where(RoundPosting.round_id == round_id))
    if posting_id is None:
        posting = RoundPosting(round_id=round_id, hamlet_id=world.units[f"H{commune[1]}"],
                               place="Nhà văn hóa", posted_from=date(2024, 11, 12),
                               posted_to=date(2024, 11, 19))
        db.session.add(posting)
        db.session.commit()
        posting_id = posting.id
    return posting_id


def _complaint_id(world, db, commune):
    """An open complaint on `commune`'s posting, made here when missing."""
    posting_id = _posting_id(world, db, commune)
    complaint_id = db.session.scalar(select(PostingComplaint.id).where(
        PostingComplaint.posting_id == posting_id))
    if complaint_id is None:
        complaint = PostingComplaint(posting_id=posting_id, received_on=date(2024, 11, 13),
                                     complainant="Người dân", content="Hộ bên cạnh chưa được bình xét")
        db.session.add(complaint)
        db.session.commit()
        complaint_id = complaint.id
    return complaint_id


def _proposal_id(world, db, commune):
    """An exit proposal of `commune`'s household, made here (in the test's transaction)."""
    household = db.session.get(Household, world.households[commune])
    proposal_id = db.session.scalar(select(ExitProposal.id).where(
        ExitProposal.household_id == household.id))
    if proposal_id is None:
        proposal = ExitProposal(household_id=household.id, year=2023, from_status="poor",
                                to_status="near_poor", evidence="Thu nhập vượt chuẩn nghèo",
                                **{c: getattr(household, c) for c in
                                   ("province_id", "district_id", "commune_id", "hamlet_id")})
        db.session.add(proposal)
        db.session.commit()
        proposal_id = proposal.id
    return proposal_id


def _sponsor_id(world, db, commune):
    """A sponsor based in `commune`, made here (in the test's transaction) when missing."""
    unit = db.session.get(AdminUnit, world.units[commune])
    sponsor_id = db.session.scalar(select(Sponsor.id).where(Sponsor.home_unit_id == unit.id))
    if sponsor_id is None:
        sponsor = Sponsor(name=f"Doanh nghiệp {commune}", name_folded=f"doanh nghiep {commune}",
                          kind="business", home_unit_id=unit.id, province_id=unit.ancestor_ids[0])
        db.session.add(sponsor)
        db.session.commit()
        sponsor_id = sponsor.id
    return sponsor_id


def _assignment_id(world, db, commune):
    """An active assignment of `commune`'s household to that commune's sponsor."""
    household = db.session.get(Household, world.households[commune])
    assignment_id = db.session.scalar(select(Assignment.id).where(
        Assignment.household_id == household.id))
    if assignment_id is None:
        assignment = Assignment(sponsor_id=_sponsor_id(world, db, commune),
                                household_id=household.id, starts_on=date(2024, 1, 1),
                                commitment="200.000đ/tháng",
                                **{c: getattr(household, c) for c in
                                   ("province_id", "district_id", "commune_id", "hamlet_id")})
        db.session.add(assignment)
        db.session.commit()
        assignment_id = assignment.id
    return assignment_id


SCOPE_COLUMNS = ("province_id", "district_id", "commune_id", "hamlet_id")


def _in_case_file(model, world, db, commune, **values):
    """The first `model` row of `commune`'s household, made here when missing."""
    household = db.session.get(Household, world.households[commune])
    row_id = db.session.scalar(select(model.id).where(model.household_id == household.id)
                               .order_by(model.id).limit(1))
    if row_id is None:
        row = model(household_id=household.id, **values,
                    **{c: getattr(household, c) for c in SCOPE_COLUMNS})
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    return row_id


def _plan_item_id(world, db, commune):
    return _in_case_file(PlanItem, world, db, commune, need_kind="indicator", need_code="water",
                         need_label="Nguồn nước", action="Bể chứa nước", responsible_name="Cán bộ",
                         due_on=date(2024, 6, 30))


def _support_id(world, db, commune):
    return _in_case_file(Support, world, db, commune, delivered_on=date(2024, 3, 1),
                         type_code="livestock", value_vnd=24_000_000, funding_source_code="fund_poor")


def _evidence_id(world, db, commune):
    support_id = _support_id(world, db, commune)
    evidence_id = db.session.scalar(select(Evidence.id).where(Evidence.support_id == support_id))
    if evidence_id is None:
        evidence = Evidence(support_id=support_id, stored_name=f"{support_id:032x}",
                            original_name="bien-nhan.jpg", content_type="image/jpeg", size=3,
                            sha256="0" * 64)
        db.session.add(evidence)
        db.session.commit()
        evidence_id = evidence.id
    return evidence_id


def _batch_id(world, db, commune):
    """An import batch of `commune` (no file behind it), made here when missing."""
    commune_id = world.units[commune]
    batch_id = db.session.scalar(select(ImportBatch.id).where(ImportBatch.commune_id == commune_id))
    if batch_id is None:
        batch = ImportBatch(commune_id=commune_id, filename="ds.xlsx", stored_name="missing.xlsx",
                            stats={})
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    return batch_id


def _member_id(world, db, commune):
    return db.session.scalar(select(Member.id).where(
        Member.household_id == world.households[commune], Member.relationship_code != "head"))


def _review_id(world, db, commune):
    return db.session.scalar(select(Review.id).where(
        Review.household_id == world.households[commune]))


def _indicator(db):
    return db.session.scalar(select(Indicator).order_by(Indicator.id).limit(1))


# Path argument → an object of a given commune: every id argument names one commune's row,
# and another commune's id must be a 404 (test_object_routes_scoped).
OBJECT_BUILDERS = {
    "household_id": lambda world, db, commune: world.households[commune],
    "member_id": _member_id, "review_id": _review_id, "round_id": _round_id,
    "proposal_id": _proposal_id, "assignment_id": _assignment_id,
    "plan_item_id": _plan_item_id, "support_id": _support_id, "evidence_id": _evidence_id,
    "fund_id": matrix_fund_id, "entry_id": matrix_entry_id, "batch_id": _batch_id,
    "posting_id": _posting_id, "complaint_id": _complaint_id,
}
# Path arguments that do not name one commune's row: the allow-list, each with its reason
# and the value the matrix uses. A new argument must go in one of the two tables.
NOT_COMMUNE_OBJECTS = {
    "user_id": ("user accounts: admin routes only, refused to every other role",
                lambda world, db: world.users["commune3"]),
    "unit_id": ("administrative units: admin routes only (targets check the unit themselves)",
                lambda world, db: world.units["C3"]),
    "standard_id": ("poverty standards are national: admin routes only",
                    lambda world, db: _indicator(db).standard_id),
    "indicator_id": ("indicators of a national standard: admin routes only",
                     lambda world, db: _indicator(db).id),
    "sponsor_id": ("the sponsor directory is province-wide (sponsors_in_scope), tested in "
                   "tests/sponsors", lambda world, db: _sponsor_id(world, db, "C1")),
    "year": ("a year, not an object", lambda world, db: 2026),
    "kind": ("a report period (6m/12m), not an object", lambda world, db: "6m"),
}


def _url(rule, world, db, commune="C1", **query):
    """A concrete URL for `rule`, pointing at objects of `commune` where it takes ids."""
    values = {a: OBJECT_BUILDERS[a](world, db, commune) if a in OBJECT_BUILDERS
              else NOT_COMMUNE_OBJECTS[a][1](world, db) for a in rule.arguments}
    path = rule.build(values)[1]
    return f"{path}{'&' if '?' in path else '?'}{urlencode(query)}" if query else path


def _methods(rule):
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def test_every_route_is_classified(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "classify these routes in ROUTES"
    assert set(ROUTES) - endpoints == set(), "ROUTES names routes that no longer exist"


def test_anonymous_is_sent_to_login(client, world, db, app):
    for rule in _rules(app):
        if ROUTES[rule.endpoint] == PUBLIC:
            continue
        for method in _methods(rule):
            response = client.open(_url(rule, world, db), method=method,
                                   data={"csrf_token": client.csrf()})
            assert response.status_code == 302, (method, rule.rule)
            assert "/login" in response.headers["Location"]


def _snapshot(db):
    """What a refused request must not change."""
    return (db.session.scalar(select(func.count()).select_from(Household)),
            db.session.scalar(select(func.count()).select_from(Member)),
            tuple(db.session.execute(select(Household.id, Household.version, Household.deleted_at)
                                     .order_by(Household.id)).all()),
            tuple(db.session.execute(select(Member.id, Member.version, Member.deleted_at)
                                     .order_by(Member.id)).all()),
            tuple(db.session.execute(select(Review.id, Review.version, Review.year)
                                     .order_by(Review.id)).all()),
            db.session.scalar(select(func.count()).select_from(AuditLog)
                              .where(AuditLog.action.not_in(("login", "view", "export")))),
            db.session.scalar(select(func.count()).select_from(HamletMeeting)),
            # Rows made by a user (the _url helpers make theirs with no user, untouched).
            tuple(db.session.execute(select(PlanItem.id, PlanItem.version, PlanItem.status)
                                     .where(PlanItem.created_by_id.is_not(None)
                                            | (PlanItem.version != 1)).order_by(PlanItem.id)).all()),
            tuple(db.session.execute(select(Support.id, Support.verification)
                                     .where(Support.recorded_by_id.is_not(None)
                                            | (Support.verification != "pending"))
                                     .order_by(Support.id)).all()),
            db.session.scalar(select(func.count()).select_from(Evidence)
                              .where(Evidence.uploaded_by_id.is_not(None))),
            db.session.scalar(select(func.count()).select_from(ReviewRequest)),
            tuple(db.session.execute(select(Assignment.id, Assignment.version, Assignment.ends_on)
                                     .where(Assignment.created_by_id.is_not(None)
                                            | (Assignment.version != 1)).order_by(Assignment.id)).all()))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_roles_refused_outside_their_routes(role, login_as, world, db, app):
    client = login_as(ROLE_USERS[role])
    before = _snapshot(db)
    for rule in _rules(app):
        allowed = ROUTES[rule.endpoint]
        if allowed in (PUBLIC, ANY_USER) or role in allowed:
            continue
        for method in _methods(rule):
            response = client.open(_url(rule, world, db), method=method,
                                   data={"csrf_token": client.csrf(), "reason": "thử xóa hồ sơ",
                                         "full_name": "X", "code": "X1"})
            assert response.status_code in (403, 404), (role, method, rule.rule)
    db.session.expire_all()
    assert _snapshot(db) == before


# Who reads which commune's households: the scope test in one table.
VISIBLE = {
    "commune1": {"C1"},
    "commune3": {"C3"},
    "district1": {"C1", "C2"},
    "province1": {"C1", "C2", "C3", "C4"},
    "massorg1": {"C1"},
    "sponsor1": set(),   # no sponsor_id in the world (tests/sponsors give it one)
    "admin": set(),      # admins manage users and units, not cases
    "nounit": set(),     # a role without an area sees nothing: fails closed
}
def _object_rules(app):
    """Routes that name one commune's object in their path: every id argument but the
    allow-listed ones (NOT_COMMUNE_OBJECTS)."""
    return [r for r in _rules(app) if set(OBJECT_BUILDERS) & set(r.arguments)]


def test_every_path_argument_is_known(app):
    """An id argument the matrix cannot build would escape the scope test: each one is an
    object (OBJECT_BUILDERS) or allow-listed with a reason (NOT_COMMUNE_OBJECTS)."""
    unknown = {(arg, rule.rule) for rule in _rules(app) for arg in rule.arguments
               if arg not in OBJECT_BUILDERS and arg not in NOT_COMMUNE_OBJECTS}
    assert unknown == set(), "add a builder to OBJECT_BUILDERS (or a reason)"
    assert set(OBJECT_ARGS) - set(OBJECT_BUILDERS) == set(), "@loads objects the matrix can't build"


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_household_routes_scoped(username, login_as, world, db, app):
    client = login_as(username)
    before = _snapshot(db)
    for rule in _object_rules(app):
        for commune in ("C1", "C2", "C3", "C4", "C5"):
            for method in _methods(rule):
                response = client.open(_url(rule, world, db, commune), method=method,
                                       data={"csrf_token": client.csrf(), "reason": "thử xóa hồ sơ",
                                             "full_name": "Tên Mới", "sex": "M", "birth_year": "1990",
                                             "relationship_code": "child", "code": "HH-NEW",
                                             "head_name": "Chủ Hộ Mới", "hamlet_id": world.units["H1"]})
                if commune not in VISIBLE[username]:
                    assert response.status_code in (403, 404), (username, method, rule.rule, commune)
                    if response.status_code == 403:   # role refusal happens before any lookup
                        assert ROUTES[rule.endpoint] != ANY_USER
    # Refused writes changed nothing (allowed ones were to visible communes only).
    db.session.expire_all()
    after = _snapshot(db)
    if username not in ("commune1", "commune3"):
        assert after == before


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_list_and_search_scoped(username, login_as, world, db):
    client = login_as(username)
    response = client.get("/households/?q=nguyen+van+an")
    if not VISIBLE[username]:
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert "HH-C" not in response.get_data(as_text=True)
        return
    body = response.get_data(as_text=True)
    for commune in ("C1", "C2", "C3", "C4", "C5"):
        shown = f"HH-{commune}<" in body.replace("</td>", "<")
        should = commune in VISIBLE[username] and commune in ("C1", "C3", "C5")
        assert shown == should, (username, commune)


def test_hamlet_of_other_commune_smuggled_into_create(login_as, world, db):
    client = login_as("commune1")
    before = _snapshot(db)
    response = client.form("/households/new", {"code": "HH-X", "head_name": "Người Lạ",
                                               "hamlet_id": world.units["H3"]})
    assert response.status_code in (404, 422)
    assert _snapshot(db) == before


def test_hamlet_of_other_commune_smuggled_into_edit(login_as, world, db):
    client = login_as("commune1")
    hh = db.session.get(Household, world.households["C1"])
    before = _snapshot(db)
    response = client.form(f"/households/{hh.id}/edit", {
        "code": hh.code, "head_name": hh.head_name, "hamlet_id": world.units["H2"],
        "version": hh.version}, htmx=True)
    assert response.status_code in (404, 422)
    db.session.expire_all()
    assert _snapshot(db) == before
    assert db.session.get(Household, hh.id).hamlet_id == world.units["H1"]


def test_member_of_other_household_through_own_household_url(login_as, world, db):
    """/households/<mine>/members/<someone else's> is a 404, even for readable members."""
    client = login_as("district1")
    other_member = db.session.scalar(select(Member.id).where(
        Member.household_id == world.households["C2"]))
    client = login_as("commune1") if False else client
    response = client.get(f"/households/{world.households['C1']}/members/{other_member}/edit")
    assert response.status_code in (403, 404)
    client.post("/logout", data={"csrf_token": client.csrf()})
    client = login_as("commune1")
    own_other = db.session.scalar(select(Member.id).where(
        Member.household_id == world.households["C3"]))
    before = _snapshot(db)
    response = client.form(f"/households/{world.households['C1']}/members/{own_other}/edit",
                           {"full_name": "Đổi Tên", "sex": "M", "birth_year": "1990",
                            "relationship_code": "child", "version": 1}, htmx=True)
    assert response.status_code == 404
    assert _snapshot(db) == before


def _case_file_rows(db, household_id):
    """What a write into `household_id`'s case file would change."""
    def rows(*columns, where):
        return tuple(db.session.execute(select(*columns).where(where)
                                        .order_by(columns[0])).all())
    return (rows(Household.id, Household.version, Household.deleted_at, Household.hamlet_id,
                 where=Household.id == household_id),
            rows(Member.id, Member.version, Member.deleted_at,
                 where=Member.household_id == household_id),
            rows(Review.id, Review.version, where=Review.household_id == household_id),
            rows(PlanItem.id, PlanItem.version, PlanItem.status,
                 where=PlanItem.household_id == household_id),
            rows(Support.id, Support.verification, where=Support.household_id == household_id),
            rows(Assignment.id, Assignment.version, Assignment.ends_on,
                 where=Assignment.household_id == household_id),
            rows(ExitProposal.id, ExitProposal.state,
                 where=ExitProposal.household_id == household_id))


def test_ids_smuggled_into_query_and_form(login_as, world, db, app):
    """Every id-like field (`id`, `*_id`) naming another commune's objects, in the query string
    of every page and the body of every form a commune officer may use: nothing of that
    commune shows, nothing of it changes."""
    client = login_as("commune1")
    other = world.households["C3"]
    smuggled = {arg: make(world, db, "C3") for arg, make in OBJECT_BUILDERS.items()}
    smuggled["id"] = other
    before = _case_file_rows(db, other)
    for rule in _rules(app):
        allowed = ROUTES[rule.endpoint]
        if rule.endpoint == "auth.logout" or (allowed != ANY_USER and "commune" not in allowed):
            continue
        for method in _methods(rule):
            if method == "GET":
                response = client.get(_url(rule, world, db, "C1", **smuggled))
            else:
                response = client.post(_url(rule, world, db, "C1"),
                                       data={"csrf_token": client.csrf(), **smuggled})
            if response.mimetype.startswith("text/") or response.is_json:
                body = response.get_data(as_text=True)
                assert "HH-C3" not in body and "Trần Thị Cúc" not in body, (method, rule.rule)
    db.session.expire_all()
    assert _case_file_rows(db, other) == before
