"""One confirmation per action (issue 16.7): a form asks once, and "Hủy" writes nothing — for an
htmx form (the case file's delete) and a plain one (the admin's account lock)."""
import re
from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "app/templates"


def test_templates_use_one_confirmation_attribute():
    """hx-confirm beside the app's own data-confirm asked twice, and the second "Hủy" was
    ignored: every confirmation goes through data-confirm (app.js)."""
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                 if "hx-confirm" in p.read_text(encoding="utf-8")]
    assert offenders == []


if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

expect.set_options(timeout=5000)


def _dialogs(page, answer: str) -> list:
    """Answer every dialog with `answer` ("accept"/"dismiss"), and list their messages."""
    seen = []

    def handle(dialog):
        seen.append(dialog.message)
        getattr(dialog, answer)()

    page.on("dialog", handle)
    return seen


def _household_of(demo_db, username):
    from app.core.users import User
    from app.households.models import Household
    with demo_db() as s:
        commune = s.scalar(select(User).where(User.username == username)).unit_id
        return s.scalars(select(Household.id).where(
            Household.commune_id == commune, Household.deleted_at.is_(None))
            .order_by(Household.id.desc())).first()


def _deleted_at(demo_db, household_id):
    from app.households.models import Household
    with demo_db() as s:
        return s.get(Household, household_id).deleted_at


def _delete_form(page, household_id):
    page.goto(f"/households/{household_id}")
    page.get_by_text("Xóa hồ sơ hộ…").click()
    form = page.locator("#hh-delete")
    form.get_by_label("Lý do").fill("Gia đình chuyển đi nơi khác")
    return form


def test_htmx_form_asks_once_and_cancel_writes_nothing(new_context, demo_db):
    household_id = _household_of(demo_db, "xa1")
    page = sign_in(new_context().new_page(), "xa1")
    form = _delete_form(page, household_id)
    cancelled = _dialogs(page, "dismiss")
    form.get_by_role("button", name="Xóa hồ sơ").click()
    page.wait_for_timeout(800)       # a request sent after "Hủy" would land within this
    assert len(cancelled) == 1 and "Xóa hồ sơ hộ này?" in cancelled[0]
    assert _deleted_at(demo_db, household_id) is None
    expect(page).to_have_url(re.compile(rf"/households/{household_id}$"))

    page = sign_in(new_context().new_page(), "xa1")
    form = _delete_form(page, household_id)
    accepted = _dialogs(page, "accept")
    form.get_by_role("button", name="Xóa hồ sơ").click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    assert len(accepted) == 1
    assert _deleted_at(demo_db, household_id) is not None


def test_plain_form_asks_once_and_cancel_writes_nothing(new_context, demo_db):
    from app.core.users import User
    admin = sign_in(new_context().new_page(), "admin")
    admin.goto("/admin/users")
    cancelled = _dialogs(admin, "dismiss")
    admin.locator("tbody tr", has_text="xa1").first.get_by_role("button", name="Khóa").click()
    admin.wait_for_timeout(800)
    assert len(cancelled) == 1
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    with demo_db() as s:
        assert s.scalar(select(User).where(User.username == "xa1")).is_active
