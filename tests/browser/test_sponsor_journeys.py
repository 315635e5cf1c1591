"""Sponsor journeys in real Chromium (demo data): the sponsor on a phone logs a support, and a
commune officer assigns then ends a sponsor on the case file, all swapped in place."""
import os
import re
import tempfile

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.core import clock

expect.set_options(timeout=5000)
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
OVERFLOW = "document.documentElement.scrollWidth"
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") or os.path.join(
    tempfile.gettempdir(), "thoatngheo-screenshots")


def _marker(page):
    page.evaluate("window.__marker = 'same-page'")


def test_sponsor_on_a_phone_logs_a_support(new_context, demo_db):
    from app.core.users import User
    from app.sponsors.models import Assignment
    with demo_db() as s:
        sponsor_id = s.scalar(select(User.sponsor_id).where(User.username == "nhataitro1"))
        active = s.scalars(select(Assignment).where(Assignment.sponsor_id == sponsor_id,
                                                    Assignment.ends_on.is_(None))).all()
        assert len(active) == 5
    page = new_context(**PHONE).new_page()
    sign_in(page, "nhataitro1")
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))      # the home page
    assert page.evaluate(OVERFLOW) <= 392, "the sponsor's home page scrolls sideways on a phone"
    page.get_by_role("link", name="Việc được giao cho bạn chưa xong").click()
    expect(page).to_have_url(re.compile(r"/sponsor/$"))
    expect(page.get_by_role("heading", name="Hộ được giao (5)")).to_be_visible()
    cards = page.locator("main .cards > section.card")
    expect(cards).to_have_count(5)
    assert page.evaluate(OVERFLOW) <= 392, "the sponsor's home scrolls sideways on a phone"
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-sponsor-home.png"), full_page=True)

    head = cards.first.locator("h2").inner_text()
    cards.first.get_by_role("link", name="+ Ghi nhận hỗ trợ").click()
    expect(page.get_by_role("heading", name="Ghi nhận hỗ trợ")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 392, "the support form scrolls sideways on a phone"
    form = page.locator("#support-form")
    form.get_by_label("Loại hỗ trợ").select_option("livestock")
    form.get_by_label("Nội dung").fill("2 con bê giống")
    form.get_by_label("Số lượng").fill("2")
    form.get_by_label("Đơn vị tính").fill("con")
    form.get_by_label("Giá trị (đồng)").fill("-24.000.000")
    _marker(page)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Lưu").click()
    assert posted.value.status == 422
    expect(form.locator(".errors")).to_contain_text("Giá trị hỗ trợ không được âm.")
    assert page.evaluate("window.__marker === 'same-page'"), "the form was not swapped in place"
    # The swap has settled once the cursor sits in the field to correct.
    expect(form.get_by_label("Giá trị (đồng)")).to_be_focused()

    form.get_by_label("Giá trị (đồng)").fill("24.000.000")
    form.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/sponsor/households/\d+$"))
    expect(page.locator(".flash")).to_contain_text("Đã ghi nhận hỗ trợ")
    expect(page.get_by_role("heading", name=head)).to_be_visible()
    entry = page.locator("#portal-supports li", has_text="2 con bê giống")
    expect(entry).to_contain_text("24.000.000 đ")
    expect(entry).to_contain_text("Chờ xác minh")
    expect(entry).to_contain_text(clock.today().strftime("%d/%m/%Y"))
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-sponsor-household.png"), full_page=True)

    page.get_by_role("banner").get_by_text("Menu", exact=True).click()   # folded on a phone
    page.get_by_role("link", name="Lịch sử hỗ trợ").click()
    expect(page.locator("#portal-history")).to_contain_text("2 con bê giống")
    assert page.evaluate(OVERFLOW) <= 392, "the history scrolls sideways on a phone"


def test_officer_assigns_and_ends_a_sponsor_in_place(browser_page, demo_db):
    from app.core.users import User
    from app.households.models import Household
    from app.sponsors.models import Assignment, Sponsor
    with demo_db() as s:
        women = s.scalar(select(Sponsor.id).where(Sponsor.kind == "mass_org"))
        commune = s.scalar(select(User.unit_id).where(User.username == "xa1"))
        taken = set(s.scalars(select(Assignment.household_id)))
        hh_id = next(h for h in s.scalars(select(Household.id).where(
            Household.commune_id == commune).order_by(Household.id)) if h not in taken)
    page = sign_in(browser_page, "xa1")
    page.goto(f"/households/{hh_id}")
    panel = page.locator("#sponsors-panel")
    expect(panel).to_contain_text("Hộ chưa có nhà tài trợ nhận đỡ đầu.")
    _marker(page)
    panel.get_by_text("Giao nhà tài trợ…").click()
    panel.get_by_label("Nhà tài trợ").select_option(str(women))
    panel.get_by_label("Cam kết hỗ trợ").fill("200.000đ/tháng và giống lúa")
    panel.get_by_role("button", name="Giao nhà tài trợ").click()
    expect(panel.locator("li", has_text="200.000đ/tháng và giống lúa")).to_contain_text("Hội Liên hiệp Phụ nữ")

    panel.get_by_text("Kết thúc đỡ đầu…").click()
    panel.get_by_label("Lý do kết thúc").fill("Hộ chuyển đi nơi khác")
    panel.get_by_role("button", name="Kết thúc đỡ đầu").click()
    expect(panel).to_contain_text("Đã kết thúc (1)")
    expect(panel).to_contain_text("Hộ chưa có nhà tài trợ nhận đỡ đầu.")
    assert page.evaluate("window.__marker === 'same-page'"), "the panel was not swapped in place"
    panel.get_by_text("Đã kết thúc (1)").click()
    expect(panel).to_contain_text("Lý do: Hộ chuyển đi nơi khác")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    panel.screenshot(path=os.path.join(SCREENSHOTS, "sponsors-panel.png"))
