"""Ledger invariants of the fund services: the balance is the posted entries, never negative,
append-only, corrections by reversal; supports paid by a fund become pending disbursements."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.funds import services
from app.funds.models import FundEntry, FundReviewEvent
from app.funds.services import FundRefused, LedgerError, balance
from app.supports import services as support_services
from tests.funds import helpers as h
from tests.supports.helpers import colleague


def _by_formula(fund_id, db):
    """receipts + transfers in − posted disbursements − transfers out, reversals netted."""
    total = 0
    for e in db.session.scalars(select(FundEntry).where(FundEntry.fund_id == fund_id,
                                                        FundEntry.state == "posted")):
        sign = 1 if e.kind in ("receipt", "transfer_in") else -1
        total += sign * (-e.amount if e.is_reversal else e.amount)
    return total


def _count(db, model=FundEntry):
    return db.session.scalar(select(func.count()).select_from(model))


def test_balance_is_receipts_minus_disbursements_plus_transfers(db, world):
    commune, province = h.fund(world, "C1"), h.fund(world, "P1")
    h.receipt(commune, 10_000_000)
    h.receipt(province, 20_000_000, kind="agency", donor="Sở Tài chính")
    out, incoming = services.transfer(province, {
        "to_fund_id": commune.id, "entry_date": h.DAY, "amount": 5_000_000,
        "document_number": "CV-12", "purpose": "Phân bổ cho xã"}, None)
    h.spend(commune, 3_000_000)
    support = h.support(world, value=4_000_000)
    pending = h.disbursement(support)

    assert (pending.fund_id, pending.state, pending.amount) == (commune.id, "pending", 4_000_000)
    assert balance(commune.id) == 12_000_000          # pending does not count
    services.post_disbursement(pending, h.user(world), reason=h.REASON)
    assert balance(commune.id) == 8_000_000 == _by_formula(commune.id, db)
    assert balance(province.id) == 15_000_000 == _by_formula(province.id, db)
    # A transfer is the pair, each pointing at the other.
    assert (out.kind, incoming.kind) == ("transfer_out", "transfer_in")
    assert out.counterpart_id == incoming.id and incoming.counterpart_id == out.id
    assert incoming.fund_id == commune.id and incoming.donor_kind == "transfer"
    # Balances by date: the opening of a period is everything dated before it.
    h.receipt(commune, 1_000_000, day=date(2025, 4, 1))
    assert balance(commune.id, before=date(2025, 4, 1)) == 8_000_000
    assert balance(commune.id, until=date(2025, 4, 1)) == 9_000_000


def test_balance_never_negative(db, world):
    fund = h.fund(world, "C1")
    h.receipt(fund, 5_000_000)
    before = _count(db)
    with pytest.raises(FundRefused, match="Số dư quỹ không đủ"):
        h.spend(fund, 5_000_001)
    target = h.fund(world, "P1")
    with pytest.raises(FundRefused, match="Số dư quỹ không đủ"):
        services.transfer(fund, {"to_fund_id": target.id, "entry_date": h.DAY,
                                 "amount": 6_000_000, "document_number": "CV-1"}, None)
    assert _count(db) == before

    first, second = h.support(world, value=3_000_000), h.support(world, value=3_000_000)
    services.post_disbursement(h.disbursement(first), None, reason=h.REASON)
    with pytest.raises(FundRefused, match="Số dư quỹ không đủ"):
        services.post_disbursement(h.disbursement(second), None, reason=h.REASON)
    assert h.disbursement(second).state == "pending"
    assert balance(fund.id) == 2_000_000
    # Reversing the receipt that paid for it would leave the fund negative.
    receipt = db.session.scalar(select(FundEntry).where(FundEntry.fund_id == fund.id,
                                                        FundEntry.kind == "receipt"))
    with pytest.raises(FundRefused, match="Số dư quỹ không đủ"):
        services.reverse_entry(receipt, "Ghi nhầm số tiền", None)
    assert balance(fund.id) == 2_000_000


def test_a_reversal_restores_once(db, world):
    fund = h.fund(world, "C1")
    h.receipt(fund, 10_000_000)
    spend = h.spend(fund, 4_000_000)
    assert balance(fund.id) == 6_000_000
    with pytest.raises(FundRefused, match="lý do"):
        services.reverse_entry(spend, "x", None)
    reversal = services.reverse_entry(spend, "Chi trùng chứng từ PC-01", h.user(world))
    assert balance(fund.id) == 10_000_000 == _by_formula(fund.id, db)
    assert (reversal.reverses_id, reversal.is_reversal, reversal.kind) == (spend.id, True, "disbursement")
    assert reversal.reason == "Chi trùng chứng từ PC-01"
    with pytest.raises(FundRefused, match="đã được đảo"):
        services.reverse_entry(spend, "Đảo lần hai", None)
    with pytest.raises(FundRefused, match="không thể đảo lại"):
        services.reverse_entry(reversal, "Đảo bút toán đảo", None)
    # Pending items are cancelled, not reversed.
    pending = h.disbursement(h.support(world, value=1_000_000))
    with pytest.raises(FundRefused, match="đã ghi sổ"):
        services.reverse_entry(pending, "Không chi nữa", None)
    assert balance(fund.id) == 10_000_000


def test_reversing_a_transfer_reverses_both_sides(db, world):
    province, commune = h.fund(world, "P1"), h.fund(world, "C1")
    h.receipt(province, 8_000_000)
    out, incoming = services.transfer(province, {"to_fund_id": commune.id, "entry_date": h.DAY,
                                                 "amount": 3_000_000, "document_number": "CV-2"}, None)
    services.reverse_entry(incoming, "Chuyển nhầm xã", None)
    assert balance(province.id) == 8_000_000 and balance(commune.id) == 0
    back_out, back_in = services.reversal_of(out.id), services.reversal_of(incoming.id)
    assert back_out.counterpart_id == back_in.id and back_in.counterpart_id == back_out.id
    with pytest.raises(FundRefused, match="đã được đảo"):
        services.reverse_entry(out, "Đảo lần nữa", None)


def test_transfer_only_to_a_related_fund_of_the_same_kind(db, world):
    commune = h.fund(world, "C1")
    h.receipt(commune, 5_000_000)
    other_province = h.fund(world, "P2")
    gratitude = h.fund(world, "P1", kind="gratitude", source="fund_gratitude")
    sibling = h.fund(world, "C2")
    assert services.transfer_targets(commune) == []
    for target in (other_province, gratitude, sibling, commune):
        with pytest.raises(FundRefused, match="quỹ nhận"):
            services.transfer(commune, {"to_fund_id": target.id, "entry_date": h.DAY,
                                        "amount": 1_000, "document_number": "CV"}, None)
    province = h.fund(world, "P1")
    assert [f.id for f in services.transfer_targets(commune)] == [province.id]
    assert sibling.id in [f.id for f in services.transfer_targets(province)]


def test_entries_are_never_edited_or_deleted(db, world):
    fund = h.fund(world, "C1")
    entry = h.receipt(fund, 1_000_000)
    db.session.commit()
    entry.amount = 2_000_000
    with pytest.raises(LedgerError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(FundEntry, entry.id))
    with pytest.raises(LedgerError, match="never deleted"):
        db.session.flush()
    db.session.rollback()
    # Only the state moves (through the review).
    pending = h.disbursement(h.support(world, value=100_000))
    services.query_disbursement(pending, "Thiếu biên bản giao nhận", None)
    db.session.flush()
    event_row = db.session.scalar(select(FundReviewEvent).where(FundReviewEvent.entry_id == pending.id))
    event_row.comment = "sửa"
    with pytest.raises(LedgerError):
        db.session.flush()


def test_support_paid_by_a_fund_goes_to_the_nearest_fund(db, world):
    # No fund covers the household: the support stands alone.
    assert h.disbursement(h.support(world, value=1_000_000)) is None
    province = h.fund(world, "P1")
    gratitude = h.fund(world, "P1", kind="gratitude", source="fund_gratitude")
    assert h.disbursement(h.support(world, commune="C4")).fund_id == province.id
    commune = h.fund(world, "C1")
    assert h.disbursement(h.support(world)).fund_id == commune.id
    assert h.disbursement(h.support(world, source="fund_gratitude")).fund_id == gratitude.id
    # Not a fund source, nothing to pay, another province: no disbursement.
    assert h.disbursement(h.support(world, source="local_budget")) is None
    assert h.disbursement(h.support(world, value=0)) is None
    assert h.disbursement(h.support(world, commune="C5", officer="commune1")) is None
    row = h.disbursement(h.support(world, value=2_500_000))
    assert (row.kind, row.state, row.amount, row.entry_date) == ("disbursement", "pending",
                                                                 2_500_000, h.DAY)
    assert row.recorded_by_id == world.users["commune1"]


def test_review_trail_and_audit(db, world):
    fund = h.fund(world, "C1")
    h.receipt(fund, 9_000_000)
    front = h.user(world)
    entry = h.disbursement(h.support(world, value=2_000_000))
    with pytest.raises(FundRefused):
        services.query_disbursement(entry, "  ", front)
    services.query_disbursement(entry, "Đề nghị bổ sung ảnh bàn giao", front)
    services.add_comment(entry, "Xã đã bổ sung ảnh", h.user(world, "commune1"))
    services.post_disbursement(entry, front, "Đủ hồ sơ", reason=h.REASON)
    actions = [(e.action, e.comment) for e in db.session.scalars(
        select(FundReviewEvent).where(FundReviewEvent.entry_id == entry.id).order_by(FundReviewEvent.id))]
    assert actions == [("query", "Đề nghị bổ sung ảnh bàn giao"), ("comment", "Xã đã bổ sung ảnh"),
                       ("approve", "Đủ hồ sơ")]
    assert entry.state == "posted" and entry.posted_at is not None
    logged = db.session.scalars(select(AuditLog.action).where(
        AuditLog.entity == "fund_entry", AuditLog.entity_id == entry.id).order_by(AuditLog.id)).all()
    assert logged == ["create", "query", "comment", "approve"]
    with pytest.raises(FundRefused, match="đã được xử lý"):
        services.query_disbursement(entry, "Hỏi lại", front)
    # Cancelled: never posted afterwards.
    other = h.disbursement(h.support(world, value=1_000_000))
    services.cancel_disbursement(other, "Hộ đã nhận từ nguồn khác", front)
    with pytest.raises(FundRefused):
        services.post_disbursement(other, front, reason=h.REASON)
    assert balance(fund.id) == 7_000_000


def test_no_payment_for_a_rejected_or_reversed_support(db, world):
    fund = h.fund(world, "C1")
    h.receipt(fund, 9_000_000)
    officer = h.user(world, "commune1")
    rejected = h.support(world, value=1_000_000)
    support_services.reject(rejected, "Hộ không nhận được", officer)
    assert h.disbursement(rejected).state == "cancelled"
    with pytest.raises(FundRefused):
        services.post_disbursement(h.disbursement(rejected), None, reason=h.REASON)
    reversed_ = h.support(world, value=1_000_000)
    support_services.verify(reversed_, colleague(world))     # four eyes
    support_services.reverse_support(reversed_, "Ghi nhầm hộ", officer)
    assert h.disbursement(reversed_).state == "cancelled"   # settled with the reversal
    with pytest.raises(FundRefused, match="đã được xử lý"):
        services.post_disbursement(h.disbursement(reversed_), None, reason=h.REASON)
    assert balance(fund.id) == 9_000_000


def test_reversing_a_support_settles_its_fund_payment(db, world):
    fund = h.fund(world, "C1")
    h.receipt(fund, 9_000_000)
    officer, front = h.user(world, "commune1"), h.user(world)
    paid = h.support(world, value=2_000_000)
    support_services.verify(paid, colleague(world))
    services.post_disbursement(h.disbursement(paid), front, reason=h.REASON)
    assert balance(fund.id) == 7_000_000
    support_services.reverse_support(paid, "Ghi nhầm hộ, hoàn lại quỹ", officer)
    assert balance(fund.id) == 9_000_000          # the posted payment is reversed
    waiting = h.support(world, value=1_000_000)
    support_services.verify(waiting, colleague(world))
    support_services.reverse_support(waiting, "Ghi trùng khoản hỗ trợ", officer)
    assert h.disbursement(waiting).state == "cancelled"   # the open one is cancelled
    assert balance(fund.id) == 9_000_000


def test_fund_creation_rules(db, world):
    h.fund(world, "C1")
    with pytest.raises(FundRefused, match="đã có quỹ"):
        h.fund(world, "C1", name="Quỹ thứ hai")
    with pytest.raises(FundRefused, match="cấp tỉnh, huyện hoặc xã"):
        h.fund(world, "H1")
    with pytest.raises(FundRefused, match="nguồn kinh phí"):
        h.fund(world, "C2", source="local_budget")
    other = h.fund(world, "C1", kind="other", source=None, name="Quỹ khuyến học")
    assert (other.commune_id, other.district_id, other.province_id) == (
        world.units["C1"], world.units["D1"], world.units["P1"])
    province = h.fund(world, "P1")
    assert (province.commune_id, province.district_id) == (None, None)
