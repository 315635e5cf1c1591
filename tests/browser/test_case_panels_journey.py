"""The case file as panels, in real Chromium: the panels load themselves, the page's one
audit 'view' row covers them, and a review decision recorded in the reviews panel refreshes
the header, the summary and the exit panel without a page load (HX-Trigger events)."""
import re

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

expect.set_options(timeout=5000)


def _unreviewed_xa1_household(session):
    """The last xa1 household never reviewed (the other journeys pick households by name or
    among the poor ones, from the first)."""
    from app.core.users import User
    from app.households.models import Household
    from app.reviews.models import Review
    commune = session.scalar(select(User.unit_id).where(User.username == "xa1"))
    reviewed = select(Review.household_id)
    hh = session.scalars(select(Household).where(
        Household.commune_id == commune, Household.deleted_at.is_(None),
        Household.status.is_(None), Household.id.not_in(reviewed))
        .order_by(Household.id.desc())).first()
    assert hh is not None, "no unreviewed xa1 household in the demo data"
    return hh.id, hh.code


def _views(session, household_id, since):
    from app.core.audit import AuditLog
    from app.core.users import User
    user = session.scalar(select(User.id).where(User.username == "xa1"))
    return session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.id > since, AuditLog.user_id == user, AuditLog.action == "view",
        AuditLog.entity == "household", AuditLog.entity_id == household_id))


def _last_audit(session):
    from app.core.audit import AuditLog
    return session.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))


def test_review_decision_refreshes_header_and_exit_panel_without_reload(browser_page, demo_db):
    from app.core import clock
    with demo_db() as s:
        hh_id, code = _unreviewed_xa1_household(s)
    page = sign_in(browser_page, "xa1")
    with demo_db() as s:
        since = _last_audit(s)
    page.goto(f"/households/{hh_id}")
    header = page.locator("#case-header")
    expect(header).to_contain_text(code)
    expect(header).to_contain_text("Chưa rà soát")

    # Every panel loads itself, from its own domain's URL.
    exit_panel = page.locator("#exit-panel")
    expect(exit_panel).to_contain_text("không có đề nghị thoát nghèo mới")
    expect(page.locator("#reviews")).to_contain_text("Chưa có kết quả rà soát nào.")
    expect(page.locator("[data-panel-shell]")).to_have_count(0)
    expect(page.locator("#sponsors-panel")).to_contain_text("Giao nhà tài trợ")
    with demo_db() as s:   # the page's one view row; the seven panels it loaded add none
        assert _views(s, hh_id, since) == 1

    # Record a review with the commune's decision, inside the reviews panel.
    page.evaluate("window.__marker = 'same-page'")
    page.locator("#reviews").get_by_role("link", name="+ Nhập kết quả rà soát").click()
    form = page.locator("#review-form form")
    expect(form).to_be_visible()
    with demo_db() as s:   # (the form is not a panel: opening it records its own view)
        before_write = _last_audit(s)
    form.get_by_label("Thu nhập bình quân (đồng/người/tháng)").fill("500.000")
    form.get_by_label("Phân loại theo quyết định").select_option("poor")
    form.get_by_label("Số quyết định công nhận").fill("77/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill(clock.today().strftime("%d/%m/%Y"))
    # Needed only if the rule's result differs from the decision; dropped otherwise.
    form.get_by_label("Lý do (khi khác kết quả tính)").fill("Kiểm tra trên trình duyệt")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith(f"/households/{hh_id}/reviews/new")) as posted:
        form.get_by_role("button", name="Lưu kết quả rà soát").click()
    assert posted.value.status == 200
    assert posted.value.headers["hx-trigger"] == "reviews-changed"

    # The panels that depend on it reload themselves: header and summary, exit panel.
    expect(page.locator("#reviews")).to_contain_text("77/QĐ-UBND")
    expect(header).to_contain_text("Hộ nghèo")
    expect(header.locator(".chip-poor")).to_have_count(1)
    expect(page.locator("#hh-summary")).to_contain_text(re.compile(r"Phân loại hiện tại\s*Hộ nghèo"))
    expect(exit_panel).to_contain_text("Đề nghị hộ thoát nghèo…")
    assert page.evaluate("window.__marker === 'same-page'"), "the page was reloaded"
    with demo_db() as s:   # the refreshed panels are part of the page's view
        assert _views(s, hh_id, before_write) == 0
