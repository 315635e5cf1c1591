"""The commune officer's supports journey in real Chromium: draft a plan from the review,
record a support with a photo, verify one in the queue (row swap + out-of-band counter)."""
import re

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

expect.set_options(timeout=5000)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 300


def _xa1_household_with_suggestions(session):
    """An xa1 household whose latest review offers suggestions not yet in its plan."""
    from app.core.users import User
    from app.households.models import Household
    from app.supports import plans
    commune = session.scalar(select(User.unit_id).where(User.username == "xa1"))
    for hh in session.scalars(select(Household).where(
            Household.commune_id == commune, Household.status.in_(("poor", "near_poor")),
            Household.deleted_at.is_(None)).order_by(Household.id)):
        offered = [s for s in plans.suggestions(hh) if not s.planned]
        if offered:
            return hh.id, len(offered)
    raise AssertionError("no xa1 household with a suggestion to draft")


def _marker(page):
    page.evaluate("window.__marker = 'same-page'")


def _marker_survived(page) -> bool:
    return page.evaluate("window.__marker === 'same-page'")


def test_draft_plan_and_record_a_support_with_a_photo(browser_page, demo_db):
    from app.supports.models import PlanItem
    with demo_db() as s:
        hh_id, offered = _xa1_household_with_suggestions(s)
        before = s.scalar(select(func.count()).select_from(PlanItem).where(PlanItem.household_id == hh_id))
    page = sign_in(browser_page, "xa1")
    page.goto(f"/households/{hh_id}")
    panel = page.locator("#plan-panel")
    expect(panel).to_be_visible()
    _marker(page)
    panel.get_by_role("link", name="Lập nháp từ kết quả rà soát").click()
    expect(page.locator("#plan-form input[name=accepted]:checked")).to_have_count(offered)
    page.locator("#plan-form").get_by_role("button", name="Tạo các mục đã chọn").click()
    expect(page.locator("#plan-panel tbody tr")).to_have_count(before + offered)
    assert _marker_survived(page)

    supports = page.locator("#supports-panel")
    supports.get_by_role("link", name="+ Ghi nhận hỗ trợ").click()
    form = page.locator("#support-form form")
    form.get_by_label("Ngày hỗ trợ").fill("10/03/2026")
    form.get_by_label("Loại hỗ trợ").select_option("livestock")
    form.get_by_label("Mô tả").fill("2 con bê giống (thử nghiệm trình duyệt)")
    form.get_by_label("Giá trị (đồng)").fill("24.000.000")
    form.get_by_label("Nguồn kinh phí").select_option("fund_poor")
    form.locator("input[type=file]").set_input_files(
        {"name": "bàn giao bê.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    form.get_by_role("button", name="Lưu").click()
    row = page.locator("#supports-panel tbody tr", has_text="thử nghiệm trình duyệt")
    expect(row).to_contain_text("24.000.000 đ")
    expect(row).to_contain_text("Chờ xác minh")
    link = row.get_by_role("link", name="bàn giao bê.jpg")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert _marker_survived(page)


def test_verify_in_the_queue_updates_row_and_counter(browser_page):
    page = sign_in(browser_page, "xa1")
    page.get_by_role("link", name="Xác minh hỗ trợ").click()
    expect(page).to_have_url(re.compile(r"/supports/verify$"))
    counter = page.locator("#verify-count")
    pending = int(counter.inner_text().replace(".", ""))
    assert pending > 0
    _marker(page)
    row = page.locator("#verify-queue tbody tr").first
    row_id = row.get_attribute("id")
    row.get_by_role("button", name="Xác minh").click()
    expect(page.locator(f"#{row_id}")).to_contain_text("Đã xác minh")
    expect(counter).to_have_text(f"{pending - 1:,}".replace(",", "."))
    assert _marker_survived(page)


def test_plan_and_supports_panels_fit_a_phone(new_context, demo_db):
    from app.core.users import User
    from app.supports.models import PlanItem, Support
    with demo_db() as s:
        commune = s.scalar(select(User.unit_id).where(User.username == "xa1"))
        hh_id = s.scalar(select(Support.household_id).where(
            Support.commune_id == commune,
            Support.household_id.in_(select(PlanItem.household_id)))
            .group_by(Support.household_id).order_by(func.count().desc(), Support.household_id)
            .limit(1))
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                       has_touch=True).new_page()
    sign_in(page, "xa1")
    page.goto(f"/households/{hh_id}")
    expect(page.locator("#supports-panel tbody tr").first).to_be_visible()
    expect(page.locator("#plan-panel tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    overflowing = page.evaluate("""() => [...document.querySelectorAll('#plan-panel .table-wrap, #supports-panel .table-wrap, #supports-panel table')]
        .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.closest('[id]').id)""")
    assert overflowing == []
    page.locator("#supports-panel").get_by_role("link", name="+ Ghi nhận hỗ trợ").click()
    expect(page.locator("#support-form form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
