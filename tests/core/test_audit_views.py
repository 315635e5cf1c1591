"""Every response that shows a personal field records one 'view' row (core.audit): who, which
household, which inner rows — ids only, never the values shown.

Two tests guard it: a table of the pages that show a case (entity and ids checked), and a walk
over every GET route that looks for the world's personal values in the response (HTML or
workbook) — a page showing them without its one audit row fails, so a new view cannot forget."""
import io
import os
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.users import User
from app.households.models import Household, Member
from app.reviews.models import Review, ReviewRequest
from app.supports.models import Evidence, Support
from tests.core.test_access_matrix import (ROUTES, SCOPE_COLUMNS, _assignment_id, _evidence_id,
                                           _in_case_file, _plan_item_id, _proposal_id, _round_id,
                                           _sponsor_id, _support_id, _url)
from tests.funds import helpers as funds

CCCD = "001172012345"   # Hà Nội, a woman born in 1972 (the spouse of C1)
ACCESS = ("view", "export")   # an export records its own 'export' row instead of a view


@pytest.fixture
def case(app, db, world):
    """C1's case file filled in: a member with a CCCD, a plan item, a support with its evidence
    file, an exit proposal, a sponsor (linked to sponsor1) assigned to it, a round with a review
    request, a support paid from C1's fund. Returns the ids the pages show."""
    household = db.session.get(Household, world.households["C1"])
    member = db.session.scalar(select(Member).where(Member.household_id == household.id,
                                                    Member.relationship_code != "head"))
    member.id_number = CCCD
    round_id = _round_id(world, db, "C1")
    db.session.add(ReviewRequest(household_id=household.id, year=2024, requested_on=date(2024, 3, 1),
                                 reason="Ốm đau kéo dài",
                                 **{c: getattr(household, c) for c in SCOPE_COLUMNS}))
    sponsor_user = db.session.get(User, world.users["sponsor1"])
    sponsor_user.sponsor_id = _sponsor_id(world, db, "C1")
    db.session.commit()
    # The case file's support (the matrix's helpers use the first one): the sponsor's own.
    _in_case_file(Support, world, db, "C1", delivered_on=date(2024, 3, 1), type_code="livestock",
                  value_vnd=24_000_000, funding_source_code="sponsor",
                  provider_sponsor_id=sponsor_user.sponsor_id)
    evidence = db.session.get(Evidence, _evidence_id(world, db, "C1"))
    fund_id = funds.matrix_fund_id(world, db, "C1")
    paid = funds.support(world, "C1")   # paid from C1's fund: its disbursement names the household
    db.session.commit()
    os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
    path = os.path.join(app.config["UPLOAD_DIR"], evidence.stored_name)
    with open(path, "wb") as f:
        f.write(b"\xff\xd8\xff")
    ids = dict(household=household.id, member=member.id, round=round_id,
               review=db.session.scalar(select(Review.id).where(Review.household_id == household.id)),
               plan_item=_plan_item_id(world, db, "C1"), support=_support_id(world, db, "C1"),
               support_evidence=evidence.id, exit_proposal=_proposal_id(world, db, "C1"),
               sponsor_assignment=_assignment_id(world, db, "C1"), fund=fund_id,
               fund_entry=funds.disbursement(paid).id,
               personal=(household.head_name, member.full_name, CCCD))
    yield ids
    os.remove(path)


def access_rows(db, user_id, since_id):
    db.session.expire_all()
    return db.session.scalars(select(AuditLog).where(
        AuditLog.id > since_id, AuditLog.user_id == user_id, AuditLog.action.in_(ACCESS))
        .order_by(AuditLog.id)).all()


def last_id(db):
    return db.session.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))


def shows_personal(response, values) -> bool:
    """Whether the response shows one of `values`: in its HTML or JSON, in any cell of a
    workbook; any other file (an evidence photo or PDF) is a document of the case itself."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        text = " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                        for v in row if v is not None)
    elif response.mimetype.startswith("text/") or response.is_json:
        text = response.get_data(as_text=True)
    else:
        return response.status_code == 200
    return any(value in text for value in values)


# The pages of a case: the row names the household and the inner row shown -------------------

H, M = "/households/{household}", "/households/{household}/members/{member}"
CASE_PAGES = [
    # (user, url, ids in `after` besides the household)
    ("commune1", H, {}),
    ("commune1", H + "/summary", {}),
    ("commune1", H + "/edit", {}),
    ("commune1", H + "/members", {}),
    ("commune1", "/households/{household}/members/new", {}),
    ("commune1", M + "/edit", {"member": "member"}),
    ("massorg1", H, {}),
    ("district1", H + "/members", {}),
    ("commune1", H + "/reviews/", {}),
    ("commune1", H + "/reviews/new", {}),
    ("commune1", H + "/reviews/{review}/edit", {"review": "review"}),
    ("commune1", "/reviews/exits/panel/{household}", {}),
    ("commune1", "/supports/households/{household}/", {}),
    ("commune1", "/supports/households/{household}/new", {}),
    ("commune1", "/supports/households/{household}/plan", {}),
    ("commune1", "/supports/households/{household}/plan/new", {}),
    ("commune1", "/supports/households/{household}/plan/draft", {}),
    ("commune1", "/supports/plan/{plan_item}/edit", {"plan_item": "plan_item"}),
    ("commune1", "/supports/evidence/{support_evidence}",
     {"support": "support", "evidence": "support_evidence"}),
    ("commune1", "/sponsors/households/{household}/panel", {}),
    ("commune1", "/funds/entries/{fund_entry}", {"fund_entry": "fund_entry"}),
    ("massorg1", "/funds/entries/{fund_entry}", {"fund_entry": "fund_entry"}),
    ("sponsor1", "/sponsor/households/{household}", {}),
    ("sponsor1", "/sponsor/households/{household}/supports/new", {}),
    ("sponsor1", "/supports/evidence/{support_evidence}",
     {"support": "support", "evidence": "support_evidence"}),
]


@pytest.mark.parametrize("username,url,inner", CASE_PAGES, ids=[f"{u}:{p}" for u, p, _ in CASE_PAGES])
def test_case_page_records_one_view_of_its_household(username, url, inner, case, login_as, db,
                                                     world):
    client = login_as(username)
    since = last_id(db)
    response = client.get(url.format(**case))
    assert response.status_code == 200
    rows = access_rows(db, world.users[username], since)
    assert [(r.action, r.entity, r.entity_id) for r in rows] == [("view", "household",
                                                                   case["household"])]
    assert (rows[0].after or {}) == {table: [case[key]] for table, key in inner.items()}
    assert rows[0].ip is not None


LISTS = [
    ("commune1", "/households/?q=nguyen+van+an"),
    ("commune1", "/supports/plan"),
    ("commune1", "/supports/verify"),
    ("commune1", "/reviews/rounds/{round}"),
    ("commune1", "/reviews/rounds/{round}/requests"),
    ("commune1", "/reviews/rounds/{round}/pending"),
    ("commune1", "/reviews/exits/"),
    ("commune1", "/sponsors/{sponsor}"),
    ("massorg1", "/funds/"),
    ("commune1", "/funds/{fund}"),
    ("massorg1", "/funds/review"),
    ("sponsor1", "/sponsor/"),
    ("sponsor1", "/sponsor/history"),
]


@pytest.mark.parametrize("username,url", LISTS, ids=[f"{u}:{p}" for u, p in LISTS])
def test_list_records_one_view_naming_the_households_shown(username, url, case, login_as, db,
                                                           world):
    client = login_as(username)
    case["sponsor"] = _sponsor_id(world, db, "C1")
    since = last_id(db)
    response = client.get(url.format(**case))
    assert response.status_code == 200
    assert case["personal"][0] in response.get_data(as_text=True)
    rows = access_rows(db, world.users[username], since)
    assert [(r.action, r.entity, r.entity_id) for r in rows] == [("view", "household", None)]
    assert rows[0].after == {"household": [case["household"]]}


def test_search_showing_nobody_records_nothing(login_as, db, world):
    client = login_as("commune1")
    since = last_id(db)
    response = client.htmx_get("/households/?q=khong+ai+ten+nay", target="hh-results")
    assert response.status_code == 200
    assert access_rows(db, world.users["commune1"], since) == []


def test_refused_page_records_nothing(login_as, db, world):
    """Another commune's household: a 404 shows nothing, so nothing is recorded."""
    client = login_as("commune1")
    since = last_id(db)
    assert client.get(f"/households/{world.households['C3']}").status_code == 404
    assert access_rows(db, world.users["commune1"], since) == []


def test_write_records_its_change_not_a_view(login_as, db, world, case):
    """A POST answers with the refreshed panel; its audit row is the write itself."""
    client = login_as("commune1")
    member = db.session.get(Member, case["member"])
    since = last_id(db)
    response = client.form(f"/households/{case['household']}/members/{member.id}/edit",
                           {"full_name": "Đặng Thị Ánh Mới", "sex": member.sex,
                            "birth_year": member.birth_year, "relationship_code": "spouse",
                            "id_number": CCCD, "version": member.version}, htmx=True)
    assert response.status_code == 200
    db.session.expire_all()
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.id > since)).all()
    assert "update" in actions and "view" not in actions


def test_view_row_holds_ids_only(case, login_as, db, world):
    client = login_as("commune1")
    since = last_id(db)
    client.get("/households/{household}/members/{member}/edit".format(**case))
    (row,) = access_rows(db, world.users["commune1"], since)
    stored = f"{row.entity} {row.before} {row.after}"
    assert not any(value in stored for value in case["personal"])


# The walk: any GET whose response shows a personal value has exactly one access row ----------

@pytest.mark.parametrize("username,role", [("commune1", "commune"), ("massorg1", "mass_org"),
                                           ("sponsor1", "sponsor")])
def test_every_get_showing_personal_data_records_one_access(username, role, case, app, login_as,
                                                            db, world):
    client = login_as(username)
    problems, seen = [], 0
    for rule in app.url_map.iter_rules():
        allowed = ROUTES[rule.endpoint]
        if "GET" not in rule.methods or rule.endpoint == "static" or not (
                allowed == "any_user" or role in allowed):
            continue
        url = _url(rule, world, db)
        since = last_id(db)
        response = client.get(url)
        shows = shows_personal(response, case["personal"])
        rows = access_rows(db, world.users[username], since)
        views = [r for r in rows if r.action == "view"]
        seen += shows
        if response.status_code == 200 and (len(rows) != 1 if shows else views):
            problems.append((url, "shows personal data" if shows else "shows none",
                             [(r.action, r.entity, r.entity_id) for r in rows]))
    assert problems == [], "\n".join(map(str, problems))
    assert seen >= 3   # the walk reached the pages it guards
