"""The demo province's review histories: consistent with the rule, every transition present."""
import random

from app.households.models import Household
from app.reviews.demo import ReviewHistories
from app.reviews.rules import TRANSITIONS, path


def test_histories_follow_the_rule_and_show_every_transition(db, world):
    histories = ReviewHistories(random.Random(7))
    hamlet = db.session.get(Household, world.households["C1"])
    place = {k: getattr(hamlet, k) for k in ("province_id", "district_id", "commune_id", "hamlet_id")}
    base = 10_000
    seen, standings = set(), []
    for offset in range(2500):   # households only in memory: nothing is flushed
        standings.append(histories.household(base + offset, place, offset % 4 == 0, offset % 9 != 0))
    by_household = {}
    for review in histories.reviews:
        by_household.setdefault(review["household_id"], []).append(review)
        if review["transition"]:
            seen.add(review["transition"])
        if review["decided_status"]:
            assert review["decided_status"] == review["computed_status"]
            assert review["decision_number"] and review["decision_date"].year == review["year"]
        else:
            assert review["year"] == 2026   # the 2026 round is still open
    assert seen == set(TRANSITIONS)
    # The household fields agree with the path of its decided reviews.
    for offset, standing in enumerate(standings):
        reviews = by_household.get(base + offset, [])
        expected = path([(r["year"], r["decided_status"]) for r in reviews if r["decided_status"]])
        assert (standing["status"], standing["exit_year"]) == (expected.status, expected.exit_year)
    listed = sum(1 for s in standings if s["status"] in ("poor", "near_poor"))
    assert 0.04 < listed / len(standings) < 0.15

