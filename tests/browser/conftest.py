"""Browser fixtures: the real app on a live localhost server, driven by Debian's Chromium.

The browser tests have their own database (a SQLite file in a temp dir, whatever
TEST_DATABASE_URL says: that one belongs to the main suite), migrated with the real migrations
and filled with the deterministic demo province, so the demo accounts (password `demo12345`)
work as they do after `make run`. Fixture names are prefixed so they cannot shadow the main
suite's `app`, `db` or `client`.

Playwright never downloads a browser here: it launches /usr/bin/chromium (CHROMIUM_PATH to
override); without it every browser test is skipped with a message.
"""
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DEMO_PASSWORD = "demo12345"
DEMO_HOUSEHOLDS = 300
SKIP_REASON = None
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    SKIP_REASON = f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped"
else:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        SKIP_REASON = "the Python package `playwright` is not installed: browser tests skipped"


@pytest.fixture(scope="session")
def browser_app():
    """The app on its own migrated SQLite file with the demo province (300 households, seed 1)."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.config import TestConfig
    from app.extensions import db

    tmp = tempfile.mkdtemp(prefix="thoatngheo-browser-")
    config = type("BrowserConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "browser.db"),
        "UPLOAD_DIR": os.path.join(tmp, "uploads")})   # evidence files uploaded by journeys
    application = create_app(config)
    with application.app_context():
        upgrade()
        demo.load(households=DEMO_HOUSEHOLDS, seed=1)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def live_url(browser_app):
    """http://127.0.0.1:<free port>, served by werkzeug in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium(live_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_url):
    """new_context(**options) → a fresh browser context (own cookies) on the live server;
    every context is closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = chromium.new_context(base_url=live_url, locale="vi-VN", **options)
        context.set_default_timeout(5000)
        context.set_default_navigation_timeout(10000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_context):
    """One page in a fresh context: a user who has not logged in yet."""
    return new_context().new_page()


def sign_in(page, username, password=DEMO_PASSWORD):
    """Log in through the real login form, as a person would."""
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Tên đăng nhập").fill(username)
    form.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        form.get_by_role("button", name="Đăng nhập").click()
    return page


@pytest.fixture
def demo_db(browser_app):
    """demo_db() as a context manager: the SQLAlchemy session inside the browser app, to look
    up the demo rows a journey needs (never to set the scene behind the browser's back)."""
    from app.extensions import db

    @contextmanager
    def session():
        with browser_app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()
    return session
