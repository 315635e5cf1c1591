"""Demo funds: both funds per demo commune and the province, campaign receipts, a disbursement
for every fund-paid support, some queried with a thread, no balance negative on any day."""
from collections import defaultdict

from sqlalchemy import select

from app.core.units import AdminUnit
from app.funds import demo
from app.funds.models import Fund, FundEntry, FundReviewEvent
from app.supports import services as support_services
from tests.funds import helpers as h
from tests.supports.helpers import colleague


def test_demo_funds(db, world):
    officer = h.user(world, "commune1")
    supports = [h.support(world, value=v) for v in (1_000_000, 2_000_000, 3_000_000, 4_000_000)]
    for s in supports[:3]:
        support_services.verify(s, colleague(world))     # four eyes
    support_services.reject(supports[3], "Hộ chưa nhận được", officer)
    assert not db.session.scalars(select(FundEntry)).all()      # no fund yet: nothing to pay
    province = db.session.get(AdminUnit, world.units["P1"])
    communes = [db.session.get(AdminUnit, world.units[c]) for c in ("C1", "C2")]
    result = demo.build(province, communes, seed=7)
    db.session.flush()

    funds = db.session.scalars(select(Fund)).all()
    assert sorted((f.unit_id, f.kind) for f in funds) == sorted(
        (u.id, k) for u in (province, *communes) for k in ("poor", "gratitude"))
    entries = db.session.scalars(select(FundEntry).order_by(FundEntry.entry_date, FundEntry.id)).all()
    assert any(e.campaign == demo.POOR_CAMPAIGN for e in entries)
    paid = {e.support_id: e for e in entries if e.support_id}
    assert set(paid) == {s.id for s in supports}
    assert paid[supports[3].id].state == "cancelled"
    assert sum(e.state == "queried" for e in paid.values()) >= 1      # xa1's commune: queried
    queried = next(e for e in paid.values() if e.state == "queried")
    assert db.session.scalar(select(FundReviewEvent.action).where(
        FundReviewEvent.entry_id == queried.id).limit(1)) == "query"
    running, lowest = defaultdict(int), 0
    for e in entries:
        if e.state == "posted":
            running[e.fund_id] += e.signed_amount
            lowest = min(lowest, running[e.fund_id])
    assert lowest == 0
    transfers = [e for e in entries if e.kind == "transfer_out"]
    assert transfers and all(db.session.get(FundEntry, t.counterpart_id).counterpart_id == t.id
                             for t in transfers)
    assert result["funds"] == 6
