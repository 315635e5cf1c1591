"""Two posts racing for the last money of a fund, in parallel threads with their own
connections and sessions, against PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://…).

The rolled-back per-test transaction cannot show a race, so this test commits its own fund,
units and entries in that database and deletes them afterwards. Both threads are held at the
same point — just after reading the balance — for up to two seconds: without the lock on the
fund row both read the same balance and both post (the fund goes negative); with it, the
second waits for the first to commit, reads the new balance and is refused."""
import threading
from datetime import date

import pytest
from sqlalchemy import delete, select

from app.core.audit import AuditLog
from app.core.units import COMMUNE, PROVINCE, AdminUnit
from app.extensions import db
from app.funds import services
from app.funds.models import Fund, FundEntry, FundReviewEvent
from tests.funds import helpers as h

DAY = date(2025, 5, 5)


@pytest.fixture
def race_fund(app):
    """A committed fund holding 1.000.000 đ, two pending disbursements of 600.000 đ each."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the race needs PostgreSQL row locks and real concurrent connections: "
                        "set TEST_DATABASE_URL=postgresql+psycopg://… (SQLite serialises "
                        "writers on its own)")
        province = AdminUnit(code="RACE-P", name="Tỉnh Đua", level=PROVINCE)
        db.session.add(province)
        db.session.flush()
        province.rebuild_path()
        commune = AdminUnit(code="RACE-C", name="Xã Đua", level=COMMUNE, parent=province)
        db.session.add(commune)
        db.session.flush()
        commune.rebuild_path()
        fund = services.create_fund(commune, {"kind": "poor", "funding_source_code": None}, None)
        services.record_receipt(fund, {"entry_date": DAY, "donor_name": "Công ty Đua",
                                       "donor_kind": "business", "amount": 1_000_000}, None)
        pending = [FundEntry(fund_id=fund.id, kind="disbursement", amount=600_000, entry_date=DAY,
                             purpose=f"Hỗ trợ {i}", state="pending") for i in (1, 2)]
        db.session.add_all(pending)
        db.session.commit()
        ids = dict(fund=fund.id, units=(commune.id, province.id), entries=[e.id for e in pending])
        db.session.remove()
    try:
        yield ids
    finally:
        with app.app_context():
            entry_ids = db.session.scalars(select(FundEntry.id).where(
                FundEntry.fund_id == ids["fund"])).all()
            # Core deletes: the ORM guard (rightly) refuses to delete ledger rows.
            db.session.execute(delete(FundReviewEvent).where(FundReviewEvent.entry_id.in_(entry_ids)))
            db.session.execute(delete(AuditLog).where(
                ((AuditLog.entity == "fund_entry") & AuditLog.entity_id.in_(entry_ids))
                | ((AuditLog.entity == "fund") & (AuditLog.entity_id == ids["fund"]))))
            db.session.execute(delete(FundEntry).where(FundEntry.fund_id == ids["fund"]))
            db.session.execute(delete(Fund).where(Fund.id == ids["fund"]))
            for unit_id in ids["units"]:
                db.session.execute(delete(AdminUnit).where(AdminUnit.id == unit_id))
            db.session.commit()
            db.session.remove()


def _post(entry_id):
    services.post_disbursement(db.session.get(FundEntry, entry_id), None, "Duyệt",
                               reason=h.REASON)


def _spend(fund_id):
    services.record_spend(db.session.get(Fund, fund_id), {
        "entry_date": DAY, "purpose": "Cứu trợ khẩn cấp", "amount": 600_000,
        "document_number": "PC-RACE"}, None)


def _race(app, monkeypatch, work, args):
    meeting = threading.Barrier(2)
    original = services.balance

    def balance_then_wait(*a, **kw):
        value = original(*a, **kw)
        try:
            meeting.wait(timeout=2)   # both here at once only if nothing serialises them
        except threading.BrokenBarrierError:
            pass
        return value

    monkeypatch.setattr(services, "balance", balance_then_wait)
    results = [None, None]

    def worker(i):
        with app.app_context():
            try:
                work(args[i])
                db.session.commit()
                results[i] = "ok"
            except services.FundRefused as exc:
                db.session.rollback()
                results[i] = "refused: " + exc.message
            except Exception as exc:   # noqa: BLE001 — reported by the assertion below
                db.session.rollback()
                results[i] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.parametrize("kind", ["post two disbursements", "two non-household spends"])
def test_only_one_of_two_racing_posts_succeeds(app, race_fund, monkeypatch, kind):
    if kind == "post two disbursements":
        results = _race(app, monkeypatch, _post, race_fund["entries"])
    else:
        results = _race(app, monkeypatch, _spend, [race_fund["fund"]] * 2)
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    assert any("Số dư quỹ không đủ" in r for r in results)
    with app.app_context():
        assert services.balance(race_fund["fund"]) == 400_000
        posted_out = db.session.scalars(select(FundEntry.amount).where(
            FundEntry.fund_id == race_fund["fund"], FundEntry.kind == "disbursement",
            FundEntry.state == "posted")).all()
        assert posted_out == [600_000]
        db.session.remove()
