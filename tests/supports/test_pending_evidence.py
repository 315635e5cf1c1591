"""Nothing typed is lost (issue 16): the evidence files of a support form refused for another
reason are kept as pending uploads, shown as attached, and attached when the corrected form
is saved; only tokens issued to this session are accepted."""
import hashlib
import io
import os
import re
import time

from sqlalchemy import func, select

from app.supports import files
from app.supports.models import Evidence, Support
from tests.conftest import PASSWORD, page_text
from tests.supports.helpers import JPEG, PDF

HTML = b"<!doctype html><html><script>alert(1)</script></html>"

TOKEN = re.compile(r'name="pending_evidence" value="([^"]*)"')


def form(value="24.000.000", files_=(), **extra):
    return {"delivered_on": "10/03/2025", "type_code": "livestock", "description": "Bê giống",
            "value_vnd": value, "funding_source_code": "fund_poor",
            "evidence": [(io.BytesIO(data), name, "application/octet-stream")
                         for data, name in files_], **extra}


def post(client, world, data):
    return client.post(f"/supports/households/{world.households['C1']}/new", data=data,
                       content_type="multipart/form-data",
                       headers={"HX-Request": "true", "X-CSRFToken": client.csrf()})


def supports(db):
    db.session.expire_all()
    return db.session.scalars(select(Support).where(Support.description == "Bê giống")).all()


def evidence_count(db):
    return db.session.scalar(select(func.count()).select_from(Evidence))


def pending_names(app):
    folder = os.path.join(app.config["UPLOAD_DIR"], files.PENDING)
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def refused_post(client, world):
    """A post with a JPEG and a negative amount: (response, token of the kept file)."""
    response = post(client, world, form("-5.000", [(JPEG, "bien-nhan.jpg")]))
    assert response.status_code == 422
    tokens = TOKEN.findall(response.get_data(as_text=True))
    assert len(tokens) == 1
    return response, tokens[0]


def test_files_survive_a_validation_error(login_as, world, db, app):
    client = login_as("commune1")
    before = evidence_count(db)
    response, token = refused_post(client, world)
    text = page_text(response)
    assert "Giá trị không được âm" in text
    assert f"Đã đính kèm: bien-nhan.jpg ({len(JPEG)} B)" in text
    assert not supports(db) and evidence_count(db) == before
    assert token in pending_names(app)

    # The corrected form, without choosing the file again.
    response = post(client, world, form(pending_evidence=token))
    assert response.status_code == 200, page_text(response)
    [support] = supports(db)
    [evidence] = db.session.scalars(select(Evidence).where(Evidence.support_id == support.id))
    assert evidence.original_name == "bien-nhan.jpg" and evidence.content_type == "image/jpeg"
    assert evidence.sha256 == hashlib.sha256(JPEG).hexdigest() and evidence.size == len(JPEG)
    assert files.path_of(evidence.stored_name)          # in the upload folder, served as usual
    assert token not in pending_names(app)              # the pending copy is gone
    assert client.get(f"/supports/evidence/{evidence.id}").data == JPEG


def test_new_and_kept_files_together_and_a_second_refusal_keeps_both(login_as, world, db):
    client = login_as("commune1")
    _, token = refused_post(client, world)
    response = post(client, world, form("-1", [(PDF, "quyet-dinh.pdf")], pending_evidence=token))
    assert response.status_code == 422
    text = page_text(response)
    assert "Đã đính kèm: bien-nhan.jpg" in text and "Đã đính kèm: quyet-dinh.pdf" in text
    tokens = TOKEN.findall(response.get_data(as_text=True))
    assert len(tokens) == 2
    response = post(client, world, form(pending_evidence=tokens))
    assert response.status_code == 200
    [support] = supports(db)
    names = set(db.session.scalars(select(Evidence.original_name)
                                   .where(Evidence.support_id == support.id)))
    assert names == {"bien-nhan.jpg", "quyet-dinh.pdf"}


def test_a_ticked_file_is_not_attached(login_as, world, db, app):
    client = login_as("commune1")
    _, token = refused_post(client, world)
    response = post(client, world, form(pending_evidence=token, pending_remove=token))
    assert response.status_code == 200
    [support] = supports(db)
    assert not db.session.scalars(select(Evidence).where(Evidence.support_id == support.id)).all()
    assert token not in pending_names(app)


def test_a_refused_file_is_not_kept(login_as, world, db, app):
    client = login_as("commune1")
    before = pending_names(app)
    response = post(client, world, form("-5.000", [(HTML, "anh.png")]))
    assert response.status_code == 422
    assert "không phải ảnh" in page_text(response) and "Đã đính kèm" not in page_text(response)
    assert pending_names(app) == before


def assert_refused(client, world, db, token):
    before = evidence_count(db)
    response = post(client, world, form(pending_evidence=token))
    assert response.status_code == 422
    assert "Tệp đính kèm không hợp lệ hoặc đã hết hạn" in page_text(response)
    assert not supports(db) and evidence_count(db) == before


def test_a_forged_token_is_refused(login_as, world, db, app):
    client = login_as("commune1")
    _, token = refused_post(client, world)
    for forged in ("0" * 32, "../" + token, token.upper(), token + ".json", ""):
        assert_refused(client, world, db, forged)
    assert token in pending_names(app)                  # the real one is untouched


def test_another_sessions_token_is_refused(login_as, world, db, app):
    other = app.test_client()
    other.get("/login")
    assert other.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 303
    _, token = refused_post(other, world)               # the same user, another session
    assert_refused(login_as("commune1"), world, db, token)
    assert token in pending_names(app)


def test_pending_files_expire_after_a_day(login_as, world, db, app):
    client = login_as("commune1")
    _, token = refused_post(client, world)
    path = os.path.join(app.config["UPLOAD_DIR"], files.PENDING, token)
    old = time.time() - files.PENDING_TTL.total_seconds() - 60
    os.utime(path, (old, old))
    assert_refused(client, world, db, token)            # expired: no longer accepted
    os.utime(path + ".json", (old, old))
    _, fresh = refused_post(client, world)              # the next save sweeps the old one
    assert token not in pending_names(app) and token + ".json" not in pending_names(app)
    assert fresh in pending_names(app)
