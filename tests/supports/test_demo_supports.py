"""The demo's plans and supports follow the same rules as the services."""
import random

from sqlalchemy import select

from app.core.lookups import Lookup
from app.supports import demo
from app.supports.models import FundingSource, PlanItem, Support


def test_demo_plans_and_supports_are_consistent(db, world):
    demo.build(random.Random(11), world.units["C1"])
    items = db.session.scalars(select(PlanItem)).all()
    supports = db.session.scalars(select(Support)).all()
    assert {i.household_id for i in items} == set(world.households.values())   # all poor
    for item in items:
        # The world's reviews: employment, water, latrine deprived; cause no_capital.
        assert (item.need_kind, item.need_code) in {("indicator", "employment"), ("indicator", "water"),
                                                    ("indicator", "latrine"), ("cause", "no_capital")}
        assert item.action and (item.responsible_name or item.responsible_sponsor_id)
        assert (item.status == "dropped") == bool(item.dropped_reason)
    types = set(db.session.scalars(select(Lookup.code).where(Lookup.kind == "support_type")))
    credit = {s.code for s in db.session.scalars(select(FundingSource))
              if s.category == "credit"}
    assert supports
    communes = {hid: world.units[c] for c, hid in world.households.items()}
    for s in supports:
        assert s.type_code in types and s.delivered_on <= demo.ANCHOR
        assert (s.funding_source_code in credit) == bool(s.credit_programme_code and s.credit_term_months)
        assert (s.value_vnd < 0) == (s.reverses_id is not None)
        assert (s.verification == "rejected") == bool(s.rejection_reason)
        assert s.commune_id == communes[s.household_id]   # scope copied from the household
    for item in items:
        assert item.commune_id == communes[item.household_id]
