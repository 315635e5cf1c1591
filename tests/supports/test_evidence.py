"""Evidence files: refused by content (not by name or browser type), size-limited, stored under
random names, served only through the scoped route with safe headers."""
import io
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.users import User
from app.households.models import Household
from app.sponsors.models import Assignment
from app.supports import files, services
from app.supports.models import Evidence, Support
from tests.conftest import page_text
from tests.supports.helpers import JPEG, PDF, PNG, WEBP, sponsor, support, upload, user

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def form(*files):
    return {"delivered_on": "10/03/2025", "type_code": "livestock", "description": "2 con bê giống",
            "value_vnd": "24.000.000", "funding_source_code": "fund_poor",
            "evidence": [(io.BytesIO(data), name, ctype) for data, name, ctype in files]}


def post(client, world, data, commune="C1"):
    return client.post(f"/supports/households/{world.households[commune]}/new", data=data,
                       content_type="multipart/form-data",
                       headers={"HX-Request": "true", "X-CSRFToken": client.csrf()})


def stored_files(app):
    folder = app.config["UPLOAD_DIR"]   # the pending uploads' folder aside (test_pending_evidence)
    return set(os.listdir(folder)) - {files.PENDING} if os.path.isdir(folder) else set()


def counts(db):
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Support)),
            db.session.scalar(select(func.count()).select_from(Evidence)))


@pytest.mark.parametrize("data, name, ctype", [
    (b"Bien nhan 24 trieu dong\n", "bien-nhan.jpg", "image/jpeg"),     # text renamed .jpg
    (HTML, "anh.png", "image/png"),                                    # HTML named .png
    (b"MZ\x90\x00\x03" + b"\x00" * 100, "hoa-don.pdf", "application/pdf"),  # a program named .pdf
    (b"GIF89a" + b"\x00" * 50, "anh.gif", "image/gif"),                # an image type not allowed
    (b"", "rong.jpg", "image/jpeg"),                                   # empty
])
def test_disguised_files_refused_and_nothing_written(login_as, world, db, app, data, name, ctype):
    client = login_as("commune1")
    before, files_before = counts(db), stored_files(app)
    response = post(client, world, form((data, name, ctype)))
    assert response.status_code == 422
    assert "không phải ảnh" in page_text(response) or "rỗng" in page_text(response)
    assert counts(db) == before and stored_files(app) == files_before


def test_one_bad_file_refuses_the_whole_support(login_as, world, db, app):
    client = login_as("commune1")
    before, files_before = counts(db), stored_files(app)
    response = post(client, world, form((JPEG, "anh.jpg", "image/jpeg"),
                                        (HTML, "trang.png", "image/png")))
    assert response.status_code == 422
    assert counts(db) == before and stored_files(app) == files_before   # the JPEG removed too
    assert "Đã đính kèm: anh.jpg" in page_text(response)   # … and kept as a pending upload


def test_oversize_refused(login_as, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024)
    client = login_as("commune1")
    before, files_before = counts(db), stored_files(app)
    response = post(client, world, form((JPEG + b"\x00" * 2000, "lon.jpg", "image/jpeg")))
    assert response.status_code == 422 and "quá lớn (tối đa" in page_text(response)
    assert counts(db) == before and stored_files(app) == files_before


def test_request_over_the_app_limit_is_413(login_as, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    client = login_as("commune1")
    response = post(client, world, form((JPEG + b"\x00" * 8192, "lon.jpg", "image/jpeg")))
    assert response.status_code == 413


def test_allowed_types_by_content_stored_under_random_names(login_as, world, db, app):
    client = login_as("commune1")
    response = post(client, world, form((JPEG, "anh 1.jpg", "image/jpeg"), (PNG, "anh2.png", "image/png"),
                                        (WEBP, "anh3.webp", "image/webp"),
                                        (PDF, "bien-nhan.exe", "application/octet-stream")))
    assert response.status_code == 200
    rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert [e.content_type for e in rows] == ["image/jpeg", "image/png", "image/webp", "application/pdf"]
    for e in rows:
        assert len(e.stored_name) == 32 and e.stored_name in stored_files(app)
        assert "." not in e.stored_name
    assert rows[3].original_name == "bien-nhan.exe"   # kept, as metadata only


def test_path_tricks_have_no_effect(login_as, world, db, app, tmp_path):
    client = login_as("commune1")
    folder = app.config["UPLOAD_DIR"]
    names = ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/cron.d/x", "\x00.jpg", ".."]
    response = post(client, world, form(*[(JPEG, n, "image/jpeg") for n in names]))
    assert response.status_code == 200
    rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert len(rows) == len(names)
    assert rows[0].original_name == "passwd" and rows[-1].original_name == "tep-minh-chung"
    for e in rows:
        assert not {"/", "\\", "\x00"} & set(e.original_name) and not e.original_name.startswith(".")
    for e in rows:
        assert os.path.dirname(os.path.realpath(os.path.join(folder, e.stored_name))) == os.path.realpath(folder)
    assert not os.path.exists(os.path.join(os.path.dirname(folder), "etc"))


def test_served_with_safe_headers(login_as, world, db):
    row = support(world)
    pdf = services.attach_evidence(
        row, upload(PDF, "../hoá đơn.exe", "application/x-msdownload"), user(world))
    jpeg = services.attach_evidence(
        row, upload(JPEG, "ảnh bàn giao.jpg"), user(world))
    db.session.commit()
    client = login_as("district1")
    response = client.get(f"/supports/evidence/{pdf.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"hoa-don-{pdf.id}.pdf" in disposition
    assert ".exe" not in disposition and "/" not in disposition
    assert "sandbox" in response.headers["Content-Security-Policy"]
    image = client.get(f"/supports/evidence/{jpeg.id}")
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert f"anh-ban-giao-{jpeg.id}.jpg" in image.headers["Content-Disposition"]


def test_evidence_only_in_scope(login_as, world, db, client):
    row = support(world)
    evidence = services.attach_evidence(row, upload(JPEG, "anh.jpg"), user(world))
    db.session.commit()
    assert login_as("commune3").get(f"/supports/evidence/{evidence.id}").status_code == 404
    client.post("/logout", data={"csrf_token": client.csrf()})
    assert login_as("commune1").get(f"/supports/evidence/{evidence.id}").status_code == 200
    client.post("/logout", data={"csrf_token": client.csrf()})
    assert login_as("massorg1").get(f"/supports/evidence/{evidence.id}").status_code == 200
    client.post("/logout", data={"csrf_token": client.csrf()})
    assert login_as("admin").get(f"/supports/evidence/{evidence.id}").status_code == 403
    client.post("/logout", data={"csrf_token": client.csrf()})
    assert login_as("commune1").get("/supports/evidence/999999").status_code == 404


def test_sponsor_sees_only_evidence_of_its_own_supports(login_as, world, db, client):
    mine, theirs = sponsor(world), sponsor(world, name="Công ty Khác")
    hh = world.households["C1"]
    household = db.session.get(Household, hh)
    db.session.add(Assignment(sponsor_id=mine.id, household_id=hh, starts_on=date(2024, 1, 1),
                              **{c: getattr(household, c) for c in
                                 ("province_id", "district_id", "commune_id", "hamlet_id")}))
    db.session.get(User, world.users["sponsor1"]).sponsor_id = mine.id
    own = support(world, provider_sponsor_id=mine.id)
    other = support(world, provider_sponsor_id=theirs.id)
    own_file = services.attach_evidence(own, upload(JPEG, "anh.jpg"), user(world))
    other_file = services.attach_evidence(other, upload(JPEG, "anh.jpg"), user(world))
    db.session.commit()
    client = login_as("sponsor1")
    assert client.get(f"/supports/evidence/{own_file.id}").status_code == 200
    assert client.get(f"/supports/evidence/{other_file.id}").status_code == 404
    # Nothing else of this blueprint is open to a sponsor.
    assert client.get(f"/supports/households/{hh}/").status_code == 403
    assert client.get("/supports/plan").status_code == 403
