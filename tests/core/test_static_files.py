"""Static files are versioned by content and cached for a year; the favicon exists."""
import re


def test_static_urls_carry_the_content_hash_and_are_cached(client, app):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', html)
    js = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{12})"', html)
    assert css and js
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    import hashlib
    assert hashlib.sha256(response.get_data()).hexdigest()[:12] == css.group(2)
    response.close()


def test_pages_are_still_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_favicon(client):
    html = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{12})"', html)
    assert icon
    assert client.get(icon.group(1)).status_code == 200
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and "/static/favicon.svg?v=" in response.headers["Location"]


def test_a_missing_static_file_gets_no_version(app):
    from flask import url_for
    with app.test_request_context():
        assert url_for("static", filename="no-such.css") == "/static/no-such.css"
        assert "?v=" not in url_for("static", filename="../config.py")
