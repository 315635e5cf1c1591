"""The Front's deliberate approval (evidence and the commune's verification shown, a confirmation
asked, a written reason when the support is unverified or has no evidence) and the frozen
disclosure: a published notice never changes, a late approval lands in the current period."""
import html as html_lib
import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.core.scoping import scoped
from app.extensions import db as _db
from app.funds import disclosure
from app.funds.models import DisclosureSnapshot, FundEntry, FundReviewEvent
from app.funds.services import balance
from app.supports import services as support_services
from tests.conftest import page_text
from tests.funds import helpers as h
from tests.supports.helpers import PNG, upload

START, END = date(2025, 1, 1), date(2025, 3, 31)
PERIOD = {"from": "01/01/2025", "to": "31/03/2025"}


def _approvals(entry_id):
    return _db.session.scalar(select(func.count()).select_from(FundReviewEvent).where(
        FundReviewEvent.entry_id == entry_id, FundReviewEvent.action == "approve"))


def _checked_support(world, value):
    """A support the commune verified, with an evidence file: approving needs no reason."""
    support = h.support(world, value=value)
    support_services.attach_evidence(support, upload(PNG, "bien-ban-ban-giao.png", "image/png"),
                                     None)
    support_services.verify(support, None)
    return support


# Deliberate approval --------------------------------------------------------------------------

def test_entry_page_shows_verification_and_evidence_and_requires_a_reason(login_as, world, db):
    fund = h.fund(world)
    h.receipt(fund, 10_000_000)
    entry = h.disbursement(h.support(world, value=2_000_000))
    db.session.commit()
    client = login_as("massorg1")
    page = client.get(f"/funds/entries/{entry.id}")
    body = page.get_data(as_text=True)
    form = body[body.index('action="/funds/entries/%d/approve"' % entry.id):]
    form = form[:form.index("</form>")]
    text = re.sub(r"<[^>]+>", " ", form)
    assert "Xác minh của xã:" in text and "Chờ xác minh" in text and "Chưa có" in text
    assert "xã chưa xác minh khoản hỗ trợ và chưa có minh chứng" in text
    assert 'name="reason"' in form
    confirm = html_lib.unescape(re.search(r'data-confirm="([^"]+)"', form).group(1))
    assert confirm.startswith("Duyệt chi 2.000.000 đ cho HH-C1")
    assert "Chờ xác minh" in confirm and "0 tệp" in confirm
    assert "hx-confirm" not in body                 # one confirmation mechanism

    for reason in ("", "  ok "):                    # none, or too short: 422, nothing written
        refused = client.form(f"/funds/entries/{entry.id}/approve", {"reason": reason}, htmx=True,
                              headers={"HX-Target": "entry-detail"})
        assert refused.status_code == 422
        assert "Cần ghi lý do duyệt chi (ít nhất 5 ký tự) vì xã chưa xác minh" in page_text(refused)
        assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FundEntry, entry.id).state == "pending" and _approvals(entry.id) == 0
    assert balance(fund.id) == 10_000_000
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "fund_entry", AuditLog.entity_id == entry.id,
        AuditLog.action == "approve")) == 0

    reason = "Đã kiểm tra tại hộ, biên bản giấy lưu ở Mặt trận"
    done = client.form(f"/funds/entries/{entry.id}/approve", {"reason": reason}, htmx=True,
                       headers={"HX-Target": "entry-detail"})
    assert done.status_code == 200
    assert "Lý do duyệt chi: " + reason in page_text(done)          # shown in the thread
    db.session.expire_all()
    assert db.session.get(FundEntry, entry.id).state == "posted"
    assert balance(fund.id) == 8_000_000
    event = db.session.scalar(select(FundReviewEvent).where(FundReviewEvent.entry_id == entry.id))
    assert (event.action, event.reason) == ("approve", reason)
    row = db.session.scalar(select(AuditLog).where(
        AuditLog.entity == "fund_entry", AuditLog.entity_id == entry.id, AuditLog.action == "approve"))
    assert row.after["reason"] == reason and row.after["concerns"] == ["unverified", "no_evidence"]


def test_review_list_one_click_only_for_verified_supports_with_evidence(login_as, world, db):
    fund = h.fund(world)
    h.receipt(fund, 10_000_000)
    checked = h.disbursement(_checked_support(world, 1_000_000))
    unchecked = h.disbursement(h.support(world, value=1_500_000))
    db.session.commit()
    client = login_as("massorg1")
    body = client.get("/funds/review?state=open&from=01/01/2025").get_data(as_text=True)

    def row_of(entry):
        start = body.index(f'<tr id="entry-{entry.id}">')
        return body[start:body.index("</tr>", start)]

    good, bad = row_of(checked), row_of(unchecked)
    assert "bien-ban-ban-giao.png" in good and "Đã xác minh" in good and 'name="reason"' not in good
    confirm = html_lib.unescape(re.search(r'data-confirm="([^"]+)"', good).group(1))
    assert "Đã xác minh" in confirm and "1 tệp" in confirm
    assert "Chờ xác minh" in bad and 'name="reason"' in bad and "Duyệt chi…" in bad
    assert "data-confirm" in bad

    refused = client.form(f"/funds/entries/{unchecked.id}/approve", {}, htmx=True,
                          headers={"HX-Target": f"entry-{unchecked.id}"})
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).lstrip().startswith(f'<tr id="entry-{unchecked.id}">')
    assert "Cần ghi lý do duyệt chi" in page_text(refused) and " open" in refused.get_data(as_text=True)
    ok = client.form(f"/funds/entries/{checked.id}/approve", {}, htmx=True,
                     headers={"HX-Target": f"entry-{checked.id}"})
    assert ok.status_code == 200 and "Đã duyệt chi" in page_text(ok)
    db.session.expire_all()
    assert db.session.get(FundEntry, unchecked.id).state == "pending"
    assert db.session.get(FundEntry, checked.id).state == "posted"
    assert db.session.scalar(select(FundReviewEvent.reason).where(
        FundReviewEvent.entry_id == checked.id)) is None


# The frozen disclosure ------------------------------------------------------------------------

def _figures(response) -> dict:
    body = response.get_data(as_text=True)
    return {cell: re.search(rf'id="{cell}">(?:<strong>)?([\d.\-]+)<', body).group(1)
            for cell in ("opening", "receipts-total", "spending-total", "transfers-out", "closing")}


def _sheet_text(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index('<article id="disclosure"'):body.index("</article>")]


def _xlsx(client, fund, query):
    response = client.get(f"/funds/{fund.id}/disclosure.xlsx", query_string=query)
    assert response.status_code == 200
    return [[c for c in row] for ws in load_workbook(io.BytesIO(response.get_data()))
            for row in ws.iter_rows(values_only=True)]


def test_a_published_notice_never_changes_and_late_approvals_land_in_the_current_period(
        login_as, world, db):
    fund = h.fund(world)
    h.receipt(fund, 10_000_000, day=date(2025, 2, 1))
    h.spend(fund, 500_000, day=date(2025, 3, 5))
    old = h.disbursement(h.support(world, value=2_000_000, day=date(2025, 3, 1)))   # pending
    db.session.commit()
    client = login_as("massorg1")

    page = client.get(f"/funds/{fund.id}/disclosure", query_string=PERIOD)
    assert "Quỹ chưa công khai kỳ nào" in page_text(page)
    assert 'action="/funds/%d/disclosure/publish"' % fund.id in page.get_data(as_text=True)
    assert "Sau khi công khai, bảng không thay đổi nữa" in page.get_data(as_text=True)
    published = client.form(f"/funds/{fund.id}/disclosure/publish",
                            {"start": "01/01/2025", "end": "31/03/2025"})
    assert published.status_code == 303
    notice = client.get(published.headers["Location"])
    today = clock.today().strftime("%d/%m/%Y")
    assert f"Đã công khai ngày {today}" in page_text(notice)
    assert _figures(notice) == {"opening": "0", "receipts-total": "10.000.000",
                                "spending-total": "500.000", "transfers-out": "0",
                                "closing": "9.500.000"}
    assert "/disclosure/publish" not in notice.get_data(as_text=True)   # published: no button
    sheet_before, xlsx_before = _sheet_text(notice), _xlsx(client, fund, PERIOD)
    assert any(f"Đã công khai ngày {today}" == cell for row in xlsx_before for cell in row)
    snapshot = db.session.scalar(select(DisclosureSnapshot).where(DisclosureSnapshot.fund_id == fund.id))
    assert (snapshot.period_start, snapshot.period_end, snapshot.closing) == (START, END, 9_500_000)
    assert snapshot.province_id == fund.province_id and snapshot.commune_id == fund.commune_id
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "disclosure_snapshot", AuditLog.action == "publish")) == 1

    # After the notice is posted: the old payout is approved, a receipt is back-dated into it.
    approved = client.form(f"/funds/entries/{old.id}/approve", {"reason": h.REASON})
    assert approved.status_code == 303
    back = client.form(f"/funds/{fund.id}/receipts", {
        "entry_date": "15/03/2025", "donor_name": "Hội Phụ nữ xã", "donor_kind": "agency",
        "amount": "300.000", "document_number": "PT-09"}, htmx=True)
    assert back.status_code == 200
    db.session.expire_all()
    late = db.session.get(FundEntry, old.id)
    receipt = db.session.scalar(select(FundEntry).where(FundEntry.document_number == "PT-09"))
    assert late.state == "posted" and late.entry_date == date(2025, 3, 1)   # its own date kept
    assert late.disclosed_on == receipt.disclosed_on == date(2025, 4, 1)
    assert "tính vào kỳ công khai từ ngày 01/04/2025" in page_text(
        client.get(f"/funds/entries/{old.id}"))

    # The posted notice: the same page, the same workbook, and the ledger still agrees with it.
    again = client.get(f"/funds/{fund.id}/disclosure", query_string=PERIOD)
    assert _sheet_text(again) == sheet_before and _xlsx(client, fund, PERIOD) == xlsx_before
    live = disclosure.build(fund, START, END)
    assert (live.opening, live.receipts_total, live.spending_total, live.closing) == (
        0, 10_000_000, 500_000, 9_500_000)

    # The current period (the default) starts the day after and shows the late entries.
    current = client.get(f"/funds/{fund.id}/disclosure")
    assert "Từ ngày 01/04/2025" in page_text(current)
    assert "Đã công khai ngày" not in _sheet_text(current)
    assert _figures(current) == {"opening": "9.500.000", "receipts-total": "300.000",
                                 "spending-total": "2.000.000", "transfers-out": "0",
                                 "closing": "7.800.000"}
    assert balance(fund.id) == 7_800_000                       # the numbers reconcile
    assert "HH-C1" not in current.get_data(as_text=True)       # still no household named


def test_publishing_refuses_gaps_overlaps_and_the_future(login_as, world, db):
    fund = h.fund(world)
    h.receipt(fund, 1_000_000, day=date(2025, 2, 1))
    db.session.commit()
    client = login_as("massorg1")
    assert client.form(f"/funds/{fund.id}/disclosure/publish",
                       {"start": "01/01/2025", "end": "31/03/2025"}).status_code == 303
    tomorrow = (clock.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    for start, end, message in (
            ("05/04/2025", "30/06/2025", "phải bắt đầu từ ngày 01/04/2025"),     # a gap
            ("01/03/2025", "30/06/2025", "phải bắt đầu từ ngày 01/04/2025"),     # an overlap
            ("01/01/2025", "31/03/2025", "phải bắt đầu từ ngày 01/04/2025"),     # again
            ("01/04/2025", tomorrow, "Chỉ công khai kỳ đã kết thúc"),
            ("", "", "Nhập kỳ công khai")):
        response = client.form(f"/funds/{fund.id}/disclosure/publish", {"start": start, "end": end})
        assert response.status_code == 422, (start, end)
        assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(DisclosureSnapshot)) == 1
    assert client.form(f"/funds/{fund.id}/disclosure/publish",
                       {"start": "01/04/2025", "end": "30/06/2025"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(DisclosureSnapshot)) == 2


def test_only_the_funds_front_publishes_and_snapshots_are_scoped(login_as, world, db):
    fund = h.fund(world)
    db.session.commit()
    officer = login_as("commune1")
    assert officer.form(f"/funds/{fund.id}/disclosure/publish",
                        {"start": "01/01/2025", "end": "31/03/2025"}).status_code == 403
    officer.post("/logout", data={"csrf_token": officer.csrf()})
    front = login_as("massorg1")
    assert front.form(f"/funds/{fund.id}/disclosure/publish",
                      {"start": "01/01/2025", "end": "31/03/2025"}).status_code == 303
    db.session.expire_all()
    seen = {name: len(db.session.scalars(scoped(select(DisclosureSnapshot), DisclosureSnapshot,
                                                h.user(world, name))).all())
            for name in ("commune1", "district1", "province1", "massorg1", "commune3",
                         "sponsor1", "admin")}
    assert seen == {"commune1": 1, "district1": 1, "province1": 1, "massorg1": 1, "commune3": 0,
                    "sponsor1": 0, "admin": 0}
    front.post("/logout", data={"csrf_token": front.csrf()})
    other = login_as("commune3")
    assert other.get(f"/funds/{fund.id}/disclosure", query_string=PERIOD).status_code == 404
