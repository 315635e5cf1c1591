"""Admin corrections of the poverty standards: lines, numbers and indicator labels, audited,
used by the next classification; bad input refused in Vietnamese with nothing changed.
(Other roles are refused by tests/core/test_access_matrix.py.)"""
import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.text import format_number
from app.reviews import rules, standards
from app.reviews.models import Indicator, PovertyStandard, Review
from tests.conftest import page_text

MONEY = {f"{area}_{f}" for area in standards.AREAS for f in ("poor_by_income", "line", "middle_line")}


def _standard(db, code="2022-2026") -> PovertyStandard:
    return db.session.scalar(select(PovertyStandard).where(PovertyStandard.code == code))


def _form(standard, **changes) -> dict:
    """The edit form as the page fills it (money with dots), with `changes` typed over it."""
    data = {}
    for name, value in standards.snapshot(standard).items():
        if isinstance(value, bool):
            if value:
                data[name] = "y"
        elif value is None:
            data[name] = ""
        else:
            data[name] = format_number(value) if name in MONEY else str(value)
    data.update(changes)
    return data


def _state(db):
    """Everything an admin page could change, to prove a refused request changed nothing."""
    db.session.expire_all()
    return ([standards.snapshot(s) for s in db.session.scalars(
                select(PovertyStandard).order_by(PovertyStandard.id))],
            db.session.execute(select(Indicator.id, Indicator.label).order_by(Indicator.id)).all(),
            db.session.scalar(select(func.count()).select_from(AuditLog)
                              .where(AuditLog.action == "update")))


def _audits(db, entity, entity_id):
    return db.session.scalars(select(AuditLog).where(
        AuditLog.entity == entity, AuditLog.entity_id == entity_id).order_by(AuditLog.id)).all()


def test_list_and_page_show_the_standards(login_as, db):
    admin = login_as("admin")
    text = page_text(admin.get("/admin/standards/"))
    for expected in ("2016-2021", "2022-2026", "2027-2030", "Nghị định 07/2021/NĐ-CP",
                     "2022–2026", "1.500.000", "2.800.000", "Tạm tính"):
        assert expected in text, expected
    standard = _standard(db)
    page = admin.get(f"/admin/standards/{standard.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="1.500.000"' in html and 'value="3.000.000"' in html and 'value="140"' in html
    assert "Phương tiện phục vụ tiếp cận thông tin" in html and "Việc làm" in html
    first = standard.indicators[0]
    assert f'id="indicator-{first.id}"' in html
    assert "giữ nguyên kết quả đã tính" in page_text(page)
    assert 'href="/admin/standards/"' in html  # the admin nav


def test_admin_corrects_rural_line_audited_and_used_by_classify(login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    deprived = standard.indicators[:3]
    assert rules.classify(standard, "rural", deprived, income=1_550_000).status == rules.MIDDLE
    computed_before = db.session.execute(select(Review.id, Review.computed_status)).all()

    response = admin.form(f"/admin/standards/{standard.id}", _form(standard, rural_line="1 600 000"))
    assert response.status_code == 303
    page = admin.get(response.headers["Location"])
    assert "Đã lưu chuẩn nghèo 2022–2026" in page_text(page)
    assert "giữ nguyên kết quả đã tính" in page_text(page)
    assert 'value="1.600.000"' in page.get_data(as_text=True)

    db.session.expire_all()
    standard = _standard(db)
    assert standard.line_for("rural").line == 1_600_000
    assert standard.line_for("urban").line == 2_000_000
    [row] = _audits(db, "poverty_standard", standard.id)
    assert (row.action, row.before, row.after) == ("update", {"rural_line": 1_500_000},
                                                   {"rural_line": 1_600_000})
    assert row.user.username == "admin"
    assert rules.classify(standard, "rural", standard.indicators[:3],
                          income=1_550_000).status == rules.POOR
    # Saved reviews keep what was computed when they were saved.
    assert db.session.execute(select(Review.id, Review.computed_status)).all() == computed_before


def test_unchanged_form_writes_no_audit_row(login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    before = _state(db)
    response = admin.form(f"/admin/standards/{standard.id}", _form(standard))
    assert response.status_code == 303
    assert _state(db) == before


def test_year_range_may_grow_where_no_standard_is(login_as, db):
    admin = login_as("admin")
    standard = _standard(db, "2027-2030")
    response = admin.form(f"/admin/standards/{standard.id}",
                          _form(standard, list_year_to="2031", is_provisional="", note="Chờ văn bản"))
    assert response.status_code == 303
    db.session.expire_all()
    standard = _standard(db, "2027-2030")
    assert (standard.list_year_to, standard.is_provisional, standard.note) == (2031, False, "Chờ văn bản")
    [row] = _audits(db, "poverty_standard", standard.id)
    assert row.after == {"list_year_to": 2031, "is_provisional": False, "note": "Chờ văn bản"}


@pytest.mark.parametrize("changes, message", [
    ({"rural_line": "-1.500.000"}, "Phải là số nguyên dương"),
    ({"urban_line": ""}, "Không được để trống"),
    ({"rural_line": "1,5 triệu"}, "Số tiền không hợp lệ"),
    ({"rural_poor_by_income": "1.600.000"}, "Mức chuẩn nghèo phải cao hơn mức nghèo theo thu nhập"),
    ({"urban_middle_line": "2.000.000"}, "Mức sống trung bình phải cao hơn mức chuẩn nghèo"),
    ({"list_year_to": "2027"}, "trùng với chuẩn nghèo"),
    ({"list_year_from": "2021"}, "trùng với chuẩn nghèo"),
    # The world's reviews of 2023 make the lists of 2024.
    ({"list_year_from": "2025"}, "Đã có kỳ rà soát lập danh sách năm 2024"),
    ({"list_year_from": "2026", "list_year_to": "2025"}, "Năm kết thúc không được trước năm bắt đầu"),
    ({"deprivation_threshold": "0"}, "Ngưỡng thiếu hụt từ 1 đến 20"),
    ({"deprivation_threshold": "21"}, "Ngưỡng thiếu hụt từ 1 đến 20"),
    ({"points_per_indicator": "101"}, "Điểm mỗi chỉ số từ 1 đến 100"),
    ({"rural_score_a_line": "0"}, "Điểm A phải là số nguyên từ 1 đến 1000"),
    ({"name": "   "}, "Không được để trống"),
])
def test_bad_standard_input_refused(changes, message, login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    before = _state(db)
    response = admin.form(f"/admin/standards/{standard.id}", _form(standard, **changes))
    assert response.status_code == 422
    assert message in page_text(response)
    # What was typed stays in the form, so it can be corrected.
    for name, value in changes.items():
        if value.strip():
            assert f'value="{value}"' in response.get_data(as_text=True), name
    assert _state(db) == before


def test_label_corrected_inline(login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    indicator = next(i for i in standard.indicators if i.code == "information_devices")
    url = f"/admin/standards/{standard.id}/indicators/{indicator.id}"
    response = admin.form(url, {"label": "  Phương tiện  tiếp cận thông tin "}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="indicator-{indicator.id}">')
    assert 'value="Phương tiện tiếp cận thông tin"' in html
    assert "Đã lưu." in html and "giữ nguyên kết quả đã tính" in html
    assert "HX-Request" in response.headers["Vary"]
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).label == "Phương tiện tiếp cận thông tin"
    [row] = _audits(db, "poverty_indicator", indicator.id)
    assert row.before == {"label": "Phương tiện phục vụ tiếp cận thông tin"}
    assert row.after == {"label": "Phương tiện tiếp cận thông tin"}


def test_label_corrected_by_plain_form_post(login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    indicator = standard.indicators[0]
    response = admin.form(f"/admin/standards/{standard.id}/indicators/{indicator.id}",
                          {"label": "Việc làm (người trong độ tuổi lao động)"})
    assert response.status_code == 303
    assert "Đã lưu nhãn chỉ số 1" in page_text(admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).label == "Việc làm (người trong độ tuổi lao động)"


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("label, message", [
    ("   ", "Không được để trống"), ("x" * 201, "không được dài quá 200 ký tự")])
def test_bad_label_refused_in_place(htmx, label, message, login_as, db):
    admin = login_as("admin")
    standard = _standard(db)
    indicator = standard.indicators[1]
    before = _state(db)
    response = admin.form(f"/admin/standards/{standard.id}/indicators/{indicator.id}",
                          {"label": label}, htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in page_text(response)
    assert f'<tr id="indicator-{indicator.id}">' in html
    assert html.lstrip().startswith("<tr") == htmx  # the row alone for a swap, else the page
    assert _state(db) == before


def test_indicator_of_another_standard_is_404(login_as, db):
    admin = login_as("admin")
    other = _standard(db, "2016-2021").indicators[0]
    before = _state(db)
    response = admin.form(f"/admin/standards/{_standard(db).id}/indicators/{other.id}",
                          {"label": "Nhãn mới"}, htmx=True)
    assert response.status_code == 404
    assert admin.get("/admin/standards/999999").status_code == 404
    assert _state(db) == before


@pytest.mark.parametrize("username", ["commune1", "district1", "massorg1", "sponsor1"])
def test_other_roles_refused(username, login_as, db):
    client = login_as(username)
    standard = _standard(db)
    before = _state(db)
    assert client.get("/admin/standards/").status_code == 403
    assert client.form(f"/admin/standards/{standard.id}",
                       _form(standard, rural_line="1.000.000")).status_code == 403
    assert client.form(f"/admin/standards/{standard.id}/indicators/{standard.indicators[0].id}",
                       {"label": "Sai"}, htmx=True).status_code == 403
    assert _state(db) == before
