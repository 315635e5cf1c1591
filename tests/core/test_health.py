"""GET /healthz: public, no personal data, 503 naming the failing check."""
from sqlalchemy import text


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "upload_dir": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_database_behind_the_code_is_unhealthy(client, db):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["checks"]["migrations"].startswith("database at 0001")
    assert body["checks"]["database"] == "ok"


def test_unwritable_upload_dir_is_unhealthy(app, client, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    original = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(blocker / "uploads")
    try:
        response = client.get("/healthz")
    finally:
        app.config["UPLOAD_DIR"] = original
    assert response.status_code == 503
    assert response.get_json()["checks"]["upload_dir"] != "ok"
