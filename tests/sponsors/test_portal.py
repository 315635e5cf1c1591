"""The sponsor portal through HTTP: only active assignments, minimal data (canary scan of
every sponsor-reachable response), logging a support, money parsing, history and totals."""
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.units import AdminUnit
from app.households import services as hh_services
from app.households.models import Household
from app.reviews.models import Review
from app.supports.models import Evidence, PlanItem, Support
from tests.conftest import page_text
from tests.sponsors.conftest import SCOPE, TODAY, make_assignment, make_sponsor

CANARIES = ["079299999999", "079299999998", "9999", "CANARY", "HC4797912345678", "12345678",
            "07/07/1977", "1977-07-07", "1977", "09/08/1979", "1979", "H'Mông", "H&#39;Mông",
            "H&#x27;Mông", "Vàng Thị Mỷ", "vang thi my", "Khuyết tật", "khuyết tật", "DTTS",
            "dân tộc", "Dân tộc", "BHYT", "CCCD", "HH-CANARY", "Giàng A Dơ", "2010"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _household(db, world, code, head="Giàng A Páo", hamlet="H1", **head_data):
    hh = hh_services.create_household(
        {"code": code, "head_name": head, "address": "Bản Cao", "is_ethnic_minority": True},
        db.session.get(AdminUnit, world.units[hamlet]), head={"birth_year": 1980, "sex": "M",
                                                              **head_data})
    db.session.commit()
    return hh


@pytest.fixture
def canary(db, world, sponsor, other_sponsor):
    """A household adopted by `sponsor`, full of sensitive values that must never reach it."""
    hh = _household(db, world, "HH-CANARY", id_number="079299999999", ethnicity_code="8",
                    has_disability=True, disability_note="CANARY-DISABILITY",
                    health_insurance_number="HC4797912345678",
                    health_insurance_expiry=date(2027, 12, 31), birth_date=date(1977, 7, 7),
                    birth_year=1977)
    hh_services.add_member(hh, {"full_name": "Vàng Thị Mỷ", "sex": "F", "birth_year": 1979,
                                "birth_date": date(1979, 8, 9), "relationship_code": "spouse",
                                "id_number": "079299999998", "ethnicity_code": "8",
                                "has_disability": True, "disability_note": "CANARY-DISABILITY-2"})
    hh_services.add_member(hh, {"full_name": "Giàng A Dơ", "sex": "M", "birth_year": 2010,
                                "relationship_code": "child"})
    db.session.add(Review(household_id=hh.id, year=2024, standard_id=_standard_id(db), area="rural",
                          review_type="periodic", review_date=date(2024, 10, 1),
                          computed_status="poor", needs="Cần bò giống và vốn chăn nuôi",
                          **{c: getattr(hh, c) for c in SCOPE}))
    mine = _plan_item(db, hh, sponsor, "Hỗ trợ 2 con bê giống", due=date(2025, 6, 30))
    _plan_item(db, hh, other_sponsor, "VIỆC CỦA NGƯỜI KHÁC")
    _plan_item(db, hh, sponsor, "Việc đã xong", status="done")
    db.session.add(Support(household_id=hh.id, delivered_on=date(2025, 1, 10), type_code="cash",
                           description="KHOẢN CỦA NGUỒN KHÁC", value_vnd=5_000_000,
                           funding_source_code="local_budget", verification="verified",
                           **{c: getattr(hh, c) for c in SCOPE}))
    make_assignment(db, sponsor, hh.id)
    db.session.commit()
    return hh, mine


def _standard_id(db):
    from app.reviews.models import PovertyStandard
    return db.session.scalar(select(PovertyStandard.id).limit(1))


def _plan_item(db, hh, sponsor, action, due=None, status="planned"):
    item = PlanItem(household_id=hh.id, need_kind="indicator", need_code="health_insurance",
                    need_label="Thiếu BHYT CANARY-NEED", action=action,
                    responsible_sponsor_id=sponsor.id, due_on=due, status=status,
                    **{c: getattr(hh, c) for c in SCOPE})
    db.session.add(item)
    db.session.commit()
    return item


def _support_data(**extra):
    return {"delivered_on": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
            "type_code": "livestock", "description": "2 con bê giống", "quantity": "2",
            "unit": "con", "value_vnd": "24.000.000", **extra}


def _supports(db, **where):
    db.session.expire_all()
    stmt = select(Support).where(Support.provider_sponsor_id.is_not(None))
    for k, v in where.items():
        stmt = stmt.where(getattr(Support, k) == v)
    return db.session.scalars(stmt.order_by(Support.id)).all()


# Scope ------------------------------------------------------------------------------------------

def test_only_active_assignments_open_a_household(as_sponsor, db, world, sponsor, other_sponsor):
    active = _household(db, world, "HH-ACTIVE", head="Lò Văn Sáng")
    future = _household(db, world, "HH-FUTURE", head="Lò Văn Mai")
    ended = _household(db, world, "HH-ENDED", head="Lò Văn Qua")
    theirs = _household(db, world, "HH-THEIRS", head="Lò Văn Khác")
    make_assignment(db, sponsor, active.id)
    make_assignment(db, sponsor, future.id, starts_on=TODAY + timedelta(days=3))
    make_assignment(db, sponsor, ended.id, starts_on=TODAY - timedelta(days=90),
                    ends_on=TODAY - timedelta(days=1))
    make_assignment(db, other_sponsor, theirs.id)
    home = page_text(as_sponsor.get("/sponsor/"))
    assert "Lò Văn Sáng" in home
    for name in ("Lò Văn Mai", "Lò Văn Qua", "Lò Văn Khác", "Nguyễn Văn An"):
        assert name not in home
    assert as_sponsor.get(f"/sponsor/households/{active.id}").status_code == 200
    for hh in (future, ended, theirs, db.session.get(Household, world.households["C1"])):
        assert as_sponsor.get(f"/sponsor/households/{hh.id}").status_code == 404
        assert as_sponsor.get(f"/sponsor/households/{hh.id}/supports/new").status_code == 404
        response = as_sponsor.form(f"/sponsor/households/{hh.id}/supports/new", _support_data())
        assert response.status_code == 404
    assert _supports(db) == []


def test_ending_the_assignment_closes_access(as_sponsor, switch_to, db, world, sponsor):
    hh = _household(db, world, "HH-CLOSE", head="Lò Văn Đóng")
    assignment = make_assignment(db, sponsor, hh.id)
    assert as_sponsor.get(f"/sponsor/households/{hh.id}").status_code == 200
    officer = switch_to("commune1")
    assert officer.form(f"/sponsors/assignments/{assignment.id}/end", {
        "ends_on": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
        "reason": "Doanh nghiệp dừng tài trợ", "version": 1}).status_code == 303
    client = switch_to("sponsor1")
    assert client.get(f"/sponsor/households/{hh.id}").status_code == 404
    assert "Lò Văn Đóng" not in page_text(client.get("/sponsor/"))


def test_unlinked_sponsor_user_sees_nothing(login_as, db, world, sponsor):
    make_assignment(db, sponsor, world.households["C1"])
    client = login_as("sponsor1")           # no sponsor_id in the world
    response = client.get("/sponsor/")
    assert response.status_code == 200
    assert "chưa được gắn với nhà tài trợ" in page_text(response)
    assert client.get(f"/sponsor/households/{world.households['C1']}").status_code == 404


def test_home_leads_sponsor_to_portal(as_sponsor):
    response = as_sponsor.get("/")
    assert response.status_code == 200 and 'href="/sponsor/" data-key="sponsor_tasks"' in \
        response.get_data(as_text=True)


# Minimal data -----------------------------------------------------------------------------------

def test_home_and_household_show_minimal_data(as_sponsor, canary):
    hh, mine = canary
    text = page_text(as_sponsor.get("/sponsor/"))
    assert "Giàng A Páo" in text and "Thôn C1" in text
    assert "Thôn C1 · 3 nhân khẩu" in text
    assert "Cần bò giống và vốn chăn nuôi" in text
    assert "Hỗ trợ 2 con bê giống" in text and "hạn 30/06/2025" in text
    assert "200.000đ/tháng và giống lúa" in text
    assert "VIỆC CỦA NGƯỜI KHÁC" not in text and "Việc đã xong" not in text
    page = page_text(as_sponsor.get(f"/sponsor/households/{hh.id}"))
    assert "Hỗ trợ 2 con bê giống" in page and "Việc đã xong" in page   # all its items here
    assert "VIỆC CỦA NGƯỜI KHÁC" not in page and "KHOẢN CỦA NGUỒN KHÁC" not in page


def _portal_urls(app, household_id):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal."):
            args = {"household_id": household_id} if "household_id" in rule.arguments else {}
            yield rule, rule.build(args)[1]


def test_canary_values_never_reach_a_sponsor(app, as_sponsor, db, canary, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    hh, mine = canary
    responses = []
    posts = [_support_data(plan_item_id=mine.id), _support_data(value_vnd="-1", description=""),
             _support_data(value_vnd="abc", type_code="nope", delivered_on="31/02/2025")]
    for rule, url in _portal_urls(app, hh.id):
        assert "GET" in rule.methods
        responses += [(url, as_sponsor.get(url)), (url, as_sponsor.htmx_get(url))]
        if "POST" in rule.methods:
            for data in posts:
                for htmx in (False, True):
                    body = {**data, "evidence": (io.BytesIO(PNG), "anh.png")}
                    response = as_sponsor.form(url, body, htmx=htmx,
                                               content_type="multipart/form-data")
                    responses.append((url, response))
                    target = response.headers.get("HX-Redirect") or response.headers.get("Location")
                    if target:
                        responses.append((target, as_sponsor.get(target)))
    assert {r.status_code for _, r in responses} >= {200, 303, 422}
    assert len(_supports(db, household_id=hh.id)) == 2      # the valid posts were written
    everything = " ".join(r.get_data(as_text=True) for _, r in responses)
    # The scan reads real pages: what a sponsor may see is there.
    assert "Giàng A Páo" in everything and "Cần bò giống và vốn chăn nuôi" in everything
    assert "Hỗ trợ 2 con bê giống" in everything and "24.000.000 đ" in everything
    for url, response in responses:
        # Random CSRF tokens could hold "1977" by chance: not personal data, left out.
        body = re.sub(r'(csrf-token" content|name="csrf_token" type="hidden" value)="[^"]*"', "",
                      response.get_data(as_text=True))
        for value in CANARIES:
            assert value not in body, (url, response.status_code, value)


# Logging a support ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["24.000.000", "24,000,000", "24 000 000", "24000000 đ"])
def test_money_as_typed(as_sponsor, canary, db, typed):
    hh, _mine = canary
    response = as_sponsor.form(f"/sponsor/households/{hh.id}/supports/new",
                               _support_data(value_vnd=typed))
    assert response.status_code == 303
    [support] = _supports(db, household_id=hh.id)
    assert support.value_vnd == 24_000_000


@pytest.mark.parametrize("typed, message", [
    ("-24.000.000", "Giá trị hỗ trợ không được âm."),
    ("hai mươi triệu", "Số tiền không hợp lệ: nhập số đồng, ví dụ 1.500.000."),
    ("24.000.000,5", "Số tiền không hợp lệ: nhập số đồng, ví dụ 1.500.000."),
    ("", "Nhập giá trị hỗ trợ (đồng), ví dụ 24.000.000.")])
def test_bad_money_is_refused_in_vietnamese(as_sponsor, canary, db, typed, message):
    hh, _mine = canary
    response = as_sponsor.form(f"/sponsor/households/{hh.id}/supports/new",
                               _support_data(value_vnd=typed), htmx=True)
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith('<form id="support-form"')
    assert message in page_text(response)
    assert _supports(db, household_id=hh.id) == []


def test_logged_support_is_pending_from_the_sponsor(as_sponsor, canary, db, world, sponsor,
                                                    other_sponsor):
    hh, mine = canary
    response = as_sponsor.form(f"/sponsor/households/{hh.id}/supports/new", _support_data(
        plan_item_id=mine.id, quantity="2,5",
        # fixed by the portal, whatever is posted:
        funding_source_code="fund_poor", provider_sponsor_id=other_sponsor.id,
        verification="verified"), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/sponsor/households/{hh.id}"
    [s] = _supports(db, household_id=hh.id)
    assert (s.funding_source_code, s.provider_sponsor_id, s.verification) == (
        "sponsor", sponsor.id, "pending")
    assert s.plan_item_id == mine.id and s.quantity == "2.5" and s.unit == "con"
    assert s.recorded_by_id == world.users["sponsor1"]
    assert (s.province_id, s.district_id, s.commune_id, s.hamlet_id) == (
        hh.province_id, hh.district_id, hh.commune_id, hh.hamlet_id)
    page = page_text(as_sponsor.get(f"/sponsor/households/{hh.id}"))
    assert "Đã ghi nhận hỗ trợ" in page and "24.000.000 đ" in page and "Chờ xác minh" in page


def test_plan_item_of_another_sponsor_is_refused(as_sponsor, canary, db, other_sponsor):
    hh, _mine = canary
    theirs = db.session.scalar(select(PlanItem).where(
        PlanItem.responsible_sponsor_id == other_sponsor.id))
    response = as_sponsor.form(f"/sponsor/households/{hh.id}/supports/new",
                               _support_data(plan_item_id=theirs.id), htmx=True)
    assert response.status_code in (404, 422)
    assert _supports(db) == []


def test_evidence_by_content_not_by_name(app, as_sponsor, canary, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    hh, _mine = canary
    url = f"/sponsor/households/{hh.id}/supports/new"
    response = as_sponsor.form(url, {**_support_data(), "evidence": (io.BytesIO(b"MZ not a photo"), "anh.jpg")},
                               htmx=True, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "không phải ảnh" in page_text(response)
    assert _supports(db) == []
    response = as_sponsor.form(url, {**_support_data(), "evidence": (io.BytesIO(PNG), "bien-nhan.png")},
                               content_type="multipart/form-data")
    assert response.status_code == 303
    [s] = _supports(db)
    [evidence] = db.session.scalars(select(Evidence).where(Evidence.support_id == s.id)).all()
    assert evidence.content_type == "image/png" and evidence.original_name == "bien-nhan.png"
    page = as_sponsor.get(f"/sponsor/households/{hh.id}").get_data(as_text=True)
    assert f'href="/supports/evidence/{evidence.id}">bien-nhan.png</a>' in page
    served = as_sponsor.get(f"/supports/evidence/{evidence.id}")
    assert served.status_code == 200 and served.data == PNG


def test_history_totals_by_year_and_state(as_sponsor, canary, db, sponsor):
    hh, _mine = canary
    for day, value, state in [(date(2024, 5, 1), 1_000_000, "verified"),
                              (date(2025, 2, 1), 2_000_000, "verified"),
                              (date(2025, 3, 1), 3_000_000, "pending"),
                              (date(2025, 4, 1), 4_000_000, "rejected")]:
        db.session.add(Support(household_id=hh.id, delivered_on=day, type_code="cash",
                               description=f"Tiền mặt {value}", value_vnd=value,
                               funding_source_code="sponsor", provider_sponsor_id=sponsor.id,
                               verification=state, **{c: getattr(hh, c) for c in SCOPE}))
    db.session.commit()
    response = as_sponsor.get("/sponsor/history")
    assert response.status_code == 200
    text = page_text(response)
    assert "Tổng giá trị: 6.000.000 đ (đã và chờ xác minh)" in text     # rejected never counts
    assert "Đã xác minh: 3.000.000 đ (2)" in text and "Chờ xác minh: 3.000.000 đ (1)" in text
    assert "Không xác nhận: 4.000.000 đ (1)" in text
    assert "2025 2.000.000 đ 3.000.000 đ 4.000.000 đ 5.000.000 đ" in text
    assert "2024 1.000.000 đ 0 đ 0 đ 1.000.000 đ" in text
    assert "KHOẢN CỦA NGUỒN KHÁC" not in text and "Giàng A Páo" in text


def test_portal_in_english(as_sponsor, canary):
    as_sponsor.form("/language", {"lang": "en", "next": "/sponsor/"})
    text = page_text(as_sponsor.get("/sponsor/"))
    assert "My households (1)" in text and "3 people" in text and "Your commitment" in text
    assert "Hộ được giao" not in text
