"""Each role's main journey in real Chromium, against the real app on localhost (demo data).

Assertions are on what the person sees (text, forms, URL), plus the one thing a person can't
see but htmx promises: a swap is not a page load (a marker on `window` survives it)."""
import os
import re
import tempfile
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

expect.set_options(timeout=5000)
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") or os.path.join(
    tempfile.gettempdir(), "thoatngheo-screenshots")
# Where every user lands after login: the home page ("/", what needs me today).
HOME = re.compile(r"^https?://[^/]+/$")


# Demo rows the journeys need (looked up, never hard-coded ids) ---------------------------

def _user_unit(session, username):
    from app.core.users import User
    return session.scalar(select(User).where(User.username == username)).unit_id


def _households_of(session, username):
    from app.households.models import Household
    commune = _user_unit(session, username)
    return session.scalars(select(Household).where(
        Household.commune_id == commune, Household.deleted_at.is_(None)).order_by(Household.id)).all()


def _search_target(session):
    """An xa1 household with accents in the head's name and an accent-less partial of that
    name (the given name cut short) that matches only a handful of xa1's households.
    Returns (household id, code, head name, typed text, expected number of rows)."""
    from app.core.text import fold
    households = _households_of(session, "xa1")
    for hh in households:
        folded = fold(hh.head_name)
        given = folded.rsplit(" ", 1)[-1]
        if folded == hh.head_name.lower() or len(given) < 3:
            continue
        typed = folded[:-1]  # "pham dinh tua" for "Phạm Đình Tuấn"
        matches = [h for h in households if typed in h.search_text]
        if 1 <= len(matches) <= 5:
            return hh.id, hh.code, hh.head_name, typed, len(matches)
    raise AssertionError("no suitable xa1 household in the demo data")


def _marker(page):
    page.evaluate("window.__marker = 'same-page'")


def _marker_survived(page) -> bool:
    return page.evaluate("window.__marker === 'same-page'")


# 1. Commune officer: search, case file, add a member, inline edit -------------------------

def test_commune_officer_search_add_member_and_edit_inline(browser_page, demo_db):
    page = browser_page
    with demo_db() as s:
        hh_id, code, head_name, typed, n_rows = _search_target(s)
        total = len(_households_of(s, "xa1"))

    sign_in(page, "xa1")
    expect(page).to_have_url(HOME)           # the home page: what needs me today
    expect(page.get_by_role("heading", name="Việc cần làm hôm nay")).to_be_visible()
    page.get_by_role("link", name="Hộ gia đình", exact=True).click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    expect(page.get_by_role("heading", name="Hộ gia đình")).to_be_visible()
    results = page.locator("#hh-results")
    expect(results).to_contain_text(f"{total} kết quả")

    # Active search: lowercase, no accents, partial; the table is swapped in, no page load.
    _marker(page)
    page.locator("#q").press_sequentially(typed, delay=15)
    expect(results).to_contain_text(f"{n_rows} kết quả")
    expect(results.locator("tbody tr")).to_have_count(n_rows)
    expect(results.get_by_role("link", name=head_name)).to_be_visible()
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [typed])  # hx-push-url
    assert _marker_survived(page), "the search reloaded the page instead of swapping the results"

    # Open the case file.
    results.get_by_role("link", name=head_name).click()
    expect(page).to_have_url(re.compile(rf"/households/{hh_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{code} — {head_name}")
    members = page.locator("#members")
    heading = members.get_by_role("heading", name=re.compile(r"^Thành viên \("))
    before = members.locator("tbody tr").count()
    expect(heading).to_have_text(f"Thành viên ({before})")

    # Add a member with an invalid CCCD: the Vietnamese error in place, form kept (422).
    _marker(page)
    members.get_by_role("link", name="+ Thêm thành viên").click()
    form = page.locator("#member-form form")
    expect(form.get_by_label("Họ và tên")).to_be_focused()
    form.get_by_label("Họ và tên").fill("Trần Thị Thử Nghiệm")
    form.get_by_label("Quan hệ với chủ hộ").select_option("child")
    form.get_by_label("Năm sinh").fill("2001")
    form.get_by_label("Giới tính").select_option("F")
    form.get_by_label("Số CCCD").fill("123")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith(f"/households/{hh_id}/members/new")) as posted:
        form.get_by_role("button", name="Lưu").click()
    assert posted.value.status == 422
    error = page.locator("#member-form .errors")
    expect(error).to_have_text("Số CCCD phải gồm đúng 12 chữ số.")
    expect(form.get_by_label("Họ và tên")).to_have_value("Trần Thị Thử Nghiệm")
    expect(form.get_by_label("Số CCCD")).to_have_attribute("aria-invalid", "true")
    expect(members.locator("tbody tr")).to_have_count(before)

    # Corrected (province 001, 3 = 21st-century woman, 01 = born 2001): saved, listed.
    form.get_by_label("Số CCCD").fill("001301987654")
    form.get_by_role("button", name="Lưu").click()
    expect(heading).to_have_text(f"Thành viên ({before + 1})")
    row = members.locator("tbody tr", has_text="Trần Thị Thử Nghiệm")
    expect(row).to_contain_text("Con")
    expect(row).to_contain_text("2001")
    expect(row).to_contain_text("Nữ")
    expect(row).to_contain_text("7654")
    expect(row).not_to_contain_text("001301987654")  # the CCCD is shown masked
    expect(page.locator("#member-form form")).to_have_count(0)
    assert _marker_survived(page)

    # Inline edit of "Thông tin chung": new address shown without a reload.
    summary = page.locator("#hh-summary")
    summary.get_by_role("link", name="Sửa", exact=True).click()
    edit = summary.locator("form")
    # htmx focuses the autofocus field when the swap settles (~20 ms later); a robot typing
    # before that would see its text move to "Mã hộ", so wait for the focus first.
    expect(edit.get_by_label("Mã hộ")).to_be_focused()
    edit.get_by_label("Địa chỉ").fill("Số 12, đường Trần Phú, thôn Đông")
    edit.get_by_role("button", name="Lưu").click()
    expect(summary.locator("form")).to_have_count(0)
    expect(summary).to_contain_text("Số 12, đường Trần Phú, thôn Đông")
    expect(summary).to_contain_text("phiên bản 2")
    assert _marker_survived(page)

    # A plain reload (bookmark, new tab) shows the same saved state.
    page.reload()
    expect(page.locator("#hh-summary")).to_contain_text("Số 12, đường Trần Phú, thôn Đông")
    expect(page.locator("#members tbody tr", has_text="Trần Thị Thử Nghiệm")).to_have_count(1)


# 2. Stale edit: two tabs, the second save gets a 409 with the saved values -----------------

def test_stale_inline_edit_shows_the_other_change(new_context, demo_db):
    from app.households.models import Household
    with demo_db() as s:
        hh = _households_of(s, "xa1")[1]
        hh_id, old_address = hh.id, hh.address

    context = new_context()
    page_a = sign_in(context.new_page(), "xa1")
    page_b = context.new_page()
    for page in (page_a, page_b):
        page.goto(f"/households/{hh_id}")
        page.locator("#hh-summary").get_by_role("link", name="Sửa", exact=True).click()
        expect(page.locator("#hh-summary form").get_by_label("Mã hộ")).to_be_focused()
        expect(page.locator("#hh-summary form").get_by_label("Địa chỉ")).to_have_value(old_address)

    form_a = page_a.locator("#hh-summary form")
    form_a.get_by_label("Địa chỉ").fill("Địa chỉ do tab A lưu")
    form_a.get_by_role("button", name="Lưu").click()
    expect(page_a.locator("#hh-summary")).to_contain_text("Địa chỉ do tab A lưu")

    form_b = page_b.locator("#hh-summary form")
    form_b.get_by_label("Địa chỉ").fill("Địa chỉ do tab B gõ")
    with page_b.expect_response(lambda r: r.request.method == "POST") as posted:
        form_b.get_by_role("button", name="Lưu").click()
    assert posted.value.status == 409
    notice = page_b.locator("#hh-summary .stale")
    expect(notice).to_contain_text("Hồ sơ vừa được người khác cập nhật")
    expect(notice.locator("li", has_text="Địa chỉ")).to_contain_text("Địa chỉ do tab A lưu")
    # B's typing is kept in the form for B to decide; nothing was overwritten.
    expect(form_b.get_by_label("Địa chỉ")).to_have_value("Địa chỉ do tab B gõ")
    with demo_db() as s:
        assert s.get(Household, hh_id).address == "Địa chỉ do tab A lưu"
    page_a.reload()
    expect(page_a.locator("#hh-summary")).to_contain_text("Địa chỉ do tab A lưu")
    expect(page_a.locator("#hh-summary")).not_to_contain_text("tab B")


# 3. District officer: own district read-only, another district is a 404 -------------------

def test_district_officer_reads_own_district_only(browser_page, demo_db):
    page = browser_page
    with demo_db() as s:
        own = _households_of(s, "xa1")[2]
        other = _households_of(s, "xa2")[0]
        own_id, own_code, own_head = own.id, own.code, own.head_name
        other_id, other_code = other.id, other.code

    sign_in(page, "huyen1")
    expect(page).to_have_url(HOME)
    page.get_by_role("link", name="Hộ gia đình", exact=True).click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    page.locator("#q").fill(own_code.lower())
    results = page.locator("#hh-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text(own_head)
    page.locator("#q").fill(other_code.lower())
    expect(results).to_contain_text("Không tìm thấy hộ nào phù hợp.")

    page.goto(f"/households/{own_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(own_head)
    expect(page.locator("#members tbody tr").first).to_be_visible()
    expect(page.get_by_role("link", name="Sửa")).to_have_count(0)
    expect(page.get_by_role("button", name="Sửa")).to_have_count(0)
    expect(page.get_by_text("+ Thêm thành viên")).to_have_count(0)
    expect(page.get_by_text("Xóa hồ sơ hộ")).to_have_count(0)

    response = page.goto(f"/households/{other_id}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Lỗi 404")
    expect(page.locator("main")).to_contain_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text(other_code)


# 4. Admin creates a user, who logs in; deactivation ends that user's open session ----------

def test_admin_creates_then_deactivates_a_user(new_context, demo_db):
    from app.core.units import AdminUnit
    with demo_db() as s:
        commune = s.get(AdminUnit, _user_unit(s, "xa1"))
        commune_id, commune_name = commune.id, commune.name

    admin = sign_in(new_context().new_page(), "admin")
    expect(admin).to_have_url(HOME)
    admin.get_by_role("link", name="Người dùng", exact=True).click()
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    admin.get_by_role("link", name="+ Thêm người dùng").click()
    form = admin.locator("main form")
    form.get_by_label("Tên đăng nhập").fill("canbo.moi")
    form.get_by_label("Họ và tên").fill("Lò Thị Mới")
    form.get_by_label("Vai trò").select_option("commune")
    form.get_by_label("Địa bàn phụ trách").select_option(str(commune_id))
    form.get_by_label("Mật khẩu", exact=True).fill("matkhau-moi-2026")
    form.get_by_role("button", name="Lưu").click()
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    expect(admin.locator(".flash")).to_have_text("Đã tạo người dùng canbo.moi.")
    row = admin.locator("tbody tr", has_text="canbo.moi")
    expect(row).to_contain_text("Lò Thị Mới")
    expect(row).to_contain_text(commune_name)
    expect(row).to_contain_text("Hoạt động")

    # The new user, in their own browser, logs in and works in the commune.
    user = sign_in(new_context().new_page(), "canbo.moi", "matkhau-moi-2026")
    expect(user).to_have_url(HOME)
    user.get_by_role("link", name="Hộ gia đình", exact=True).click()
    expect(user).to_have_url(re.compile(r"/households/$"))
    expect(user.locator("header div.who")).to_contain_text("Lò Thị Mới")
    expect(user.locator("#hh-results tbody tr").first).to_be_visible()

    # The admin locks the account (confirm dialog accepted).
    admin.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Khóa").click()
    expect(admin.locator(".flash")).to_have_text("Đã khóa tài khoản canbo.moi.")
    expect(admin.locator("tbody tr", has_text="canbo.moi")).to_contain_text("Đã khóa")

    # The open session is gone at the next navigation, and logging in again is refused.
    user.locator("#hh-results tbody a").first.click()
    expect(user).to_have_url(re.compile(r"/login\?next="))
    expect(user.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(user.locator("header")).not_to_contain_text("Lò Thị Mới")
    sign_in(user, "canbo.moi", "matkhau-moi-2026")
    expect(user.locator("main form .errors")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")


# 5. Phone layout -------------------------------------------------------------------------

OVERFLOW = "document.documentElement.scrollWidth"


def test_phone_layout_has_no_horizontal_overflow(new_context, demo_db):
    with demo_db() as s:
        hh = max(_households_of(s, "xa1"), key=lambda h: len(h.search_text))  # most members
        hh_id = hh.id
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page = new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                       is_mobile=True, has_touch=True).new_page()
    sign_in(page, "xa1")
    expect(page).to_have_url(HOME)
    expect(page.locator("#today li").first).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 392, "the home page scrolls sideways on a phone"
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-home.png"), full_page=True)
    page.goto("/households/")
    expect(page.locator("#hh-results tbody tr").first).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 392, "the household list scrolls sideways on a phone"
    # The table is laid out as cards: each cell carries its label, the header row is hidden.
    expect(page.locator("#hh-results thead")).to_be_hidden()
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-list.png"), full_page=True)

    page.goto(f"/households/{hh_id}")
    expect(page.locator("#members tbody tr").first).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 392, "the case page scrolls sideways on a phone"
    # Readable: body text at least 14px, every member row fits the screen.
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 14
    for box in (r.bounding_box() for r in page.locator("#members tbody tr").all()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 392
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-case.png"), full_page=True)

    page.locator("#hh-summary").get_by_role("link", name="Sửa", exact=True).click()
    expect(page.locator("#hh-summary form")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 392, "the inline edit form scrolls sideways on a phone"
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-edit.png"), full_page=True)


TABLES_OVERFLOWING = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => `${w.closest('[id]').id}: ${w.scrollWidth}px of ${w.clientWidth}px`)"""


def test_phone_tables_fit_inside_their_cards(new_context, demo_db):
    """The page itself does not scroll sideways (test above), but neither should a table
    inside its card: on a phone every cell must be readable without dragging the table."""
    with demo_db() as s:
        hh_id = max(_households_of(s, "xa1"), key=lambda h: len(h.search_text)).id
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                       has_touch=True).new_page()
    sign_in(page, "xa1")
    page.goto("/households/")
    expect(page.locator("#hh-results tbody tr").first).to_be_visible()
    overflowing = page.evaluate(TABLES_OVERFLOWING)
    page.goto(f"/households/{hh_id}")
    overflowing += page.evaluate(TABLES_OVERFLOWING)
    assert overflowing == []


# 6. Logout -------------------------------------------------------------------------------

def test_logout_then_back_lands_on_login(browser_page):
    page = sign_in(browser_page, "xa1")
    page.goto("/households/")
    expect(page.locator("#hh-results")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_have_text("Bạn đã đăng xuất.")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.locator("#hh-results")).to_have_count(0)

    page.goto("/households/")
    expect(page).to_have_url(re.compile(r"/login\?next=/households/$"))
    expect(page.locator("#hh-results")).to_have_count(0)


def test_htmx_failures_say_why_and_an_ended_session_goes_to_login(browser_page):
    """No network, a server error and an ended session, each met during an htmx search."""
    page = sign_in(browser_page, "xa1")
    page.goto("/households/")
    results = page.locator("#hh-results")
    expect(results).to_be_visible()

    # The network fails: the search says so in Vietnamese, and the table stays as it was.
    page.route(re.compile(r"/households/\?q="), lambda route: route.abort())
    page.locator("#q").press_sequentially("an", delay=15)
    expect(page.locator("#flash-area .flash-error")).to_have_text(re.compile(r"^Không kết nối được máy chủ"))
    page.unroute(re.compile(r"/households/\?q="))

    # The server answers an error: its own translated message is shown, not a generic one.
    page.evaluate("htmx.ajax('GET', '/households/999999999', '#hh-results')")
    expect(page.locator("#flash-area .flash-error")).to_have_text("Không tìm thấy trang hoặc hồ sơ này.")
    expect(results).to_be_visible()

    # The session ends (cookie gone): the next htmx request takes the whole page to the login
    # form instead of swapping the login page into the results table.
    page.context.clear_cookies()
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("b", delay=15)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.locator("#hh-results")).to_have_count(0)
