"""The Front's approval in a real browser (the demo province): one confirmation naming the
verification state and the evidence count; "Hủy" writes nothing; a support the commune has
not verified asks for a reason before anything is posted."""
import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import SKIP_REASON, sign_in

if SKIP_REASON:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

expect.set_options(timeout=5000)


def _household_of_xa1(demo_db):
    from app.core.users import User
    from app.households.models import Household
    with demo_db() as s:
        commune = s.scalar(select(User.unit_id).where(User.username == "xa1"))
        return s.scalar(select(Household.id).where(
            Household.commune_id == commune, Household.deleted_at.is_(None))
            .order_by(Household.id).limit(1))


def _entry_of(demo_db, description):
    from app.funds.models import FundEntry
    from app.supports.models import Support
    with demo_db() as s:
        return s.scalar(select(FundEntry.id).join(Support, Support.id == FundEntry.support_id)
                        .where(Support.description == description))


def _record_support(page, household_id, description):
    """xa1 records a support paid from the poverty fund (no photo): a pending disbursement."""
    page.goto(f"/households/{household_id}")
    page.locator("#supports-panel").get_by_role("link", name="+ Ghi nhận hỗ trợ").click()
    form = page.locator("#support-form form")
    form.get_by_label("Ngày hỗ trợ").fill("02/03/2026")
    form.get_by_label("Loại hỗ trợ").select_option("livestock")
    form.get_by_label("Mô tả").fill(description)
    form.get_by_label("Giá trị (đồng)").fill("1.000.000")
    form.get_by_label("Nguồn kinh phí").select_option("fund_poor")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("#supports-panel tbody tr", has_text=description)).to_contain_text(
        "Chờ xác minh")


def _state(demo_db, entry_id):
    from app.funds.models import FundEntry
    with demo_db() as s:
        return s.get(FundEntry, entry_id).state


def test_approval_asks_once_and_cancel_writes_nothing(new_context, demo_db):
    description = "Bê giống (duyệt chi trên trình duyệt)"
    _record_support(sign_in(new_context().new_page(), "xa1"), _household_of_xa1(demo_db),
                    description)
    entry_id = _entry_of(demo_db, description)
    assert _state(demo_db, entry_id) == "pending"

    page = sign_in(new_context().new_page(), "mttq1")
    page.goto(f"/funds/entries/{entry_id}")
    detail = page.locator("#entry-detail")
    expect(detail).to_contain_text("Xác minh của xã:")
    expect(detail).to_contain_text("Chờ xác minh")
    seen = []

    def dismiss(dialog):
        seen.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", dismiss)
    detail.get_by_label("Lý do duyệt chi (bắt buộc)").fill("Đã kiểm tra tại hộ, có biên nhận")
    detail.get_by_role("button", name="Duyệt chi", exact=True).click()
    page.wait_for_timeout(800)          # a request sent after "Hủy" would land within this
    assert len(seen) == 1, seen
    assert "Chờ xác minh" in seen[0] and "0 tệp" in seen[0] and "1.000.000" in seen[0]
    assert _state(demo_db, entry_id) == "pending"
    page.remove_listener("dialog", dismiss)

    accepted = []

    def accept(dialog):
        accepted.append(dialog.message)
        dialog.accept()
    page.on("dialog", accept)
    detail.get_by_label("Lý do duyệt chi (bắt buộc)").fill("")
    detail.get_by_role("button", name="Duyệt chi", exact=True).click()
    expect(page.locator("#entry-detail")).to_contain_text("Cần ghi lý do duyệt chi")
    assert _state(demo_db, entry_id) == "pending" and len(accepted) == 1
    detail = page.locator("#entry-detail")
    detail.get_by_label("Lý do duyệt chi (bắt buộc)").fill("Đã kiểm tra tại hộ, có biên nhận")
    detail.get_by_role("button", name="Duyệt chi", exact=True).click()
    expect(page.locator("#entry-detail")).to_contain_text(
        re.compile("Lý do duyệt chi: Đã kiểm tra tại hộ"))
    assert _state(demo_db, entry_id) == "posted" and len(accepted) == 2
