"""The sponsor directory through HTTP: scope, accent-insensitive search, create and edit with
validated contacts, who may write."""
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.sponsors.models import Sponsor
from tests.conftest import page_text
from tests.sponsors.conftest import make_sponsor

VALID = {"name": "Hợp tác xã Đồng Tâm", "kind": "business", "contact_person": "Lê Văn Tâm",
         "phone": "+84 912 345 678", "email": "htx@dongtam.vn", "address": "Thôn Đông"}


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Sponsor))


def test_list_shows_province_sponsors_only(login_as, db, world, sponsor):
    make_sponsor(db, world, "Doanh nghiệp Tỉnh Hai", unit="C5")
    response = login_as("commune3").get("/sponsors/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Công ty TNHH Nông sản Bình Sơn" in text      # same province, other district
    assert "Doanh nghiệp Tỉnh Hai" not in text


def test_search_is_accent_insensitive_and_swaps_results(login_as, db, world, sponsor):
    make_sponsor(db, world, "Ngân hàng Chính sách xã hội", kind="agency")
    client = login_as("commune1")
    response = client.htmx_get("/sponsors/?q=nong+san", target="sp-results")
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="sp-results"')
    assert "Nông sản Bình Sơn" in body and "Ngân hàng" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert "Ngân hàng" in client.get("/sponsors/?kind=agency").get_data(as_text=True)
    assert "Nông sản" not in page_text(client.get("/sponsors/?kind=agency"))


def test_commune_officer_creates_sponsor_in_own_commune(login_as, db, world):
    client = login_as("commune1")
    form = client.get("/sponsors/new").get_data(as_text=True)
    assert f'<option selected value="{world.units["C1"]}">' in form
    response = client.form("/sponsors/new", {**VALID, "home_unit_id": world.units["C1"]})
    assert response.status_code == 303
    sponsor = db.session.scalar(select(Sponsor).where(Sponsor.name == "Hợp tác xã Đồng Tâm"))
    assert sponsor.name_folded == "hop tac xa dong tam"
    assert sponsor.home_unit_id == world.units["C1"] and sponsor.province_id == world.units["P1"]
    assert response.headers["Location"].endswith(f"/sponsors/{sponsor.id}")
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity == "sponsor",
                                                   AuditLog.entity_id == sponsor.id))
    assert log.action == "create" and log.after["phone"] == "+84 912 345 678"


def test_district_officer_creates_with_home_unit_in_area(login_as, db, world):
    client = login_as("district1")
    response = client.form("/sponsors/new", {**VALID, "home_unit_id": world.units["C2"]})
    assert response.status_code == 303
    before = _count(db)
    for outside in ("C3", "C5", "H1"):      # another district, province; hamlets not offered
        response = client.form("/sponsors/new", {**VALID, "home_unit_id": world.units[outside]})
        assert response.status_code == 422, outside
    assert _count(db) == before


def test_contact_validation_in_vietnamese(login_as, db, world):
    client = login_as("commune1")
    before = _count(db)
    response = client.form("/sponsors/new", {**VALID, "phone": "0912-345-678 ext",
                                             "email": "khong-phai-email", "kind": "bank",
                                             "home_unit_id": world.units["C1"]})
    assert response.status_code == 422
    text = page_text(response)
    assert "Số điện thoại chỉ gồm chữ số, dấu cách và dấu + ở đầu." in text
    assert "Địa chỉ thư điện tử không hợp lệ" in text
    assert "Lựa chọn không hợp lệ." in text
    response = client.form("/sponsors/new", {**VALID, "name": "", "phone": "12",
                                             "home_unit_id": world.units["C1"]})
    assert response.status_code == 422
    assert "Không được để trống." in page_text(response)
    assert "Số điện thoại cần từ 8 đến 15 chữ số." in page_text(response)
    assert _count(db) == before


def test_edit_own_area_only(login_as, db, world, sponsor, other_sponsor):
    client = login_as("commune1")
    response = client.form(f"/sponsors/{sponsor.id}/edit", {
        **VALID, "name": "Công ty Nông sản Bình Sơn", "home_unit_id": world.units["C1"],
        "is_active": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Sponsor, sponsor.id).name_folded == "cong ty nong san binh son"
    # Based in C2: commune1 reads it but may not change it.
    assert client.get(f"/sponsors/{other_sponsor.id}").status_code == 200
    assert client.get(f"/sponsors/{other_sponsor.id}/edit").status_code == 403
    assert client.form(f"/sponsors/{other_sponsor.id}/edit", {
        **VALID, "home_unit_id": world.units["C1"]}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Sponsor, other_sponsor.id).name == "Hội Phụ nữ xã Hai"


def test_other_province_sponsor_is_404(login_as, db, world):
    far = make_sponsor(db, world, "Doanh nghiệp Tỉnh Hai", unit="C5")
    client = login_as("province1")
    assert client.get(f"/sponsors/{far.id}").status_code == 404
    assert client.get(f"/sponsors/{far.id}/edit").status_code == 404


def test_mass_org_reads_but_does_not_write(login_as, db, world, sponsor):
    client = login_as("massorg1")
    assert client.get("/sponsors/").status_code == 200
    assert client.get(f"/sponsors/{sponsor.id}").status_code == 200
    assert "Thêm nhà tài trợ" not in client.get("/sponsors/").get_data(as_text=True)
    before = _count(db)
    assert client.form("/sponsors/new", {**VALID, "home_unit_id": world.units["C1"]}).status_code == 403
    assert client.get(f"/sponsors/{sponsor.id}/edit").status_code == 403
    assert _count(db) == before
