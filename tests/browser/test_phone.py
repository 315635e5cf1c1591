"""The household list on a phone (390 × 844): the results start on the first screen, the
filters and the header's menu are folded behind a button, each household is a compact card;
on a wide screen the same page shows its filters and menu without a click."""
import os
import re
import tempfile

import pytest

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

expect.set_options(timeout=5000)
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") or os.path.join(
    tempfile.gettempdir(), "thoatngheo-screenshots")
PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth"


def _phone_page(new_context):
    return new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                       has_touch=True).new_page()


def test_phone_list_starts_with_results_and_folds_filters_and_menu(new_context):
    page = _phone_page(new_context)
    sign_in(page, "xa1")
    page.goto("/households/")
    rows = page.locator("#hh-results tbody tr")
    expect(rows.first).to_be_visible()
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-list-folded.png"))

    # The header is one compact line: its functions wait behind "Menu".
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 120, f"the header takes {header['height']}px on a phone"
    expect(page.locator("nav.main")).to_be_hidden()

    # The search box is there at once; the other filters are folded.
    expect(page.locator("#q")).to_be_visible()
    for select in ("#hamlet", "#status", "#transition", "#sort"):
        expect(page.locator(select)).to_be_hidden()
    expect(page.locator(".filters input[name=flag]").first).to_be_hidden()

    # Results above the fold, compact cards, nothing scrolls sideways.
    first = rows.first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"], f"the first result is at {first['y']}px"
    heights = [r.bounding_box()["height"] for r in rows.all()]
    assert len(heights) >= 10
    assert max(heights) <= 130, f"result cards up to {max(heights)}px high"
    assert page.evaluate(OVERFLOW) <= PHONE["width"] + 2
    # Two lines per card: the head's name beside the code, the hamlet beside the classification.
    cells = [rows.first.locator("td").nth(i).bounding_box() for i in range(4)]
    code, head, hamlet, status = cells
    assert abs(code["y"] - head["y"]) < 12 and abs(hamlet["y"] - status["y"]) < 12
    assert hamlet["y"] > head["y"] + 10

    # "Bộ lọc" unfolds the filters, which still filter the list in place.
    page.locator("details.filters-fold > summary").click()
    expect(page.locator("#status")).to_be_visible()
    expect(page.locator("#hamlet")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= PHONE["width"] + 2
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-list-filters.png"))
    page.locator("#status").select_option("poor")
    expect(page).to_have_url(re.compile(r"status=poor"))
    expect(rows.first).to_contain_text("Hộ nghèo")
    for row in rows.all():
        expect(row.locator(".chip-poor")).to_be_visible()
    # The button counts the filters set, so a folded filter is not forgotten.
    count = page.locator("details.filters-fold > summary [data-filter-count]")
    expect(count).to_have_text("1")
    page.locator(".filters input[name=flag]").first.check()
    expect(count).to_have_text("2")
    page.locator(".filters input[name=flag]").first.uncheck()
    page.locator("#status").select_option("")
    expect(count).to_be_hidden()
    page.goto("/households/?status=poor")    # folded again, the count still says one is set
    expect(page.locator("#status")).to_be_hidden()
    expect(count).to_have_text("1")

    # "Menu" unfolds the functions and the account.
    page.locator("details.menu > summary").click()
    expect(page.locator("nav.main").get_by_role("link", name="Hộ gia đình")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= PHONE["width"] + 2
    page.screenshot(path=os.path.join(SCREENSHOTS, "phone-menu.png"))


def test_phone_card_opens_the_case_file(new_context):
    page = _phone_page(new_context)
    sign_in(page, "xa1")
    page.goto("/households/")
    row = page.locator("#hh-results tbody tr").first
    href = row.get_by_role("link").first.get_attribute("href")
    box = row.bounding_box()
    # Tap the card's lower right corner, away from the name's link text.
    page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 6)
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_wide_screen_shows_filters_and_menu_without_a_click(new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "xa1")
    page.goto("/households/")
    expect(page.locator("#hh-results tbody tr").first).to_be_visible()
    for select in ("#q", "#hamlet", "#status", "#transition", "#sort"):
        expect(page.locator(select)).to_be_visible()
    expect(page.locator(".filters input[name=flag]").first).to_be_visible()
    expect(page.locator("details.filters-fold > summary")).to_be_hidden()
    expect(page.locator("nav.main").get_by_role("link", name="Hộ gia đình")).to_be_visible()
    expect(page.locator("details.menu > summary")).to_be_hidden()
    # The filters are one row of selects, as before the folds.
    page.screenshot(path=os.path.join(SCREENSHOTS, "wide-list.png"))
    tops = {round(page.locator(s).bounding_box()["y"]) for s in ("#q", "#hamlet", "#status", "#sort")}
    assert max(tops) - min(tops) <= 6, f"the search box and the filters are not on one row: {tops}"
    # A table, not cards: the header row shows.
    expect(page.locator("#hh-results thead")).to_be_visible()
