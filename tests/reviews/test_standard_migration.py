"""Migration 0008's re-evaluation, run on rows of the test database put back in the state the
old choice left them in: reviews of 2021 classified under QĐ 59/2015 (10 indicators), of 2026
under NĐ 07/2021, and QĐ 59 reviews computed "not poor" inside the middle band it lacked.
Computed results are corrected and audited; decisions are kept, and a decision that now
differs from the rule is listed for the officer."""
import importlib.util
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.households.models import Household
from app.reviews import services
from app.reviews.models import PovertyStandard, Review, StandardLine
from tests.conftest import page_text

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/0008_standards_list_year.py"


@pytest.fixture(scope="module")
def migration():
    spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def standard(db, code) -> PovertyStandard:
    return db.session.scalar(select(PovertyStandard).where(PovertyStandard.code == code))


def old_review(db, household, year, code, indicators, computed, decided=None, income=None,
               score_a=None) -> Review:
    """A review saved today, then put under standard `code` as the old choice had it."""
    review = services.save_review(household, services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=1_000_000, score_a=None, indicator_codes=[], cause_codes=[],
        has_labour=True, policy_group="poverty_policy", needs="",
        decision_number="9/QĐ-UBND" if decided else None,
        decision_date=date(year, 12, 1) if decided else None, decided_status=None,
        override_reason=None), None)
    old = standard(db, code)
    review.standard_id = old.id
    review.deprivations = services.indicators_by_code(old, indicators)
    review.computed_status, review.decided_status = computed, decided
    review.income_per_capita, review.score_a = income, score_a
    review.score_b = 10 * len(indicators)
    db.session.flush()
    return review


def reload(db, review_id) -> Review:
    db.session.expire_all()
    return db.session.get(Review, review_id)


def test_reviews_move_to_the_standard_of_their_list_year(db, world, migration, login_as):
    household = db.session.get(Household, world.households["C1"])
    # 2021 under QĐ 59: 1,400,000 was "not poor" (no middle band); decided so by the commune.
    r2021 = old_review(db, household, 2021, "2016-2021",
                       ["health_insurance", "water", "information_assets"], "not_poor",
                       decided="not_poor", income=1_400_000)
    # 2026 under NĐ 07 (undecided): 2,100,000 was middle; the 2027–2030 line is 2,200,000.
    r2026 = old_review(db, household, 2026, "2022-2026",
                       ["employment", "dependants", "information_devices"], "middle",
                       income=2_100_000)
    untouched = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                       Review.year == 2023))
    before_untouched = (untouched.standard_id, untouched.computed_status, untouched.score_b)

    counts = migration.reevaluate(db.session.connection())

    assert counts == {"moved": 2, "status_changed": 2, "left": 0, "indicators_dropped": 2}
    r2021 = reload(db, r2021.id)
    assert r2021.standard.code == "2022-2026"
    # information_assets has no NĐ 07 counterpart: 2 indicators carried over → near-poor.
    assert sorted(i.code for i in r2021.deprivations) == ["health_insurance", "water"]
    assert all(i.standard_id == r2021.standard_id for i in r2021.deprivations)
    assert (r2021.computed_status, r2021.score_b, r2021.deprived_dimensions) == ("near_poor", 20, 2)
    assert r2021.decided_status == "not_poor" and r2021.needs_check
    r2026 = reload(db, r2026.id)
    assert r2026.standard.code == "2027-2030"
    assert sorted(i.code for i in r2026.deprivations) == ["dependants", "employment"]
    assert r2026.computed_status == "near_poor" and not r2026.needs_check   # undecided
    untouched = reload(db, untouched.id)
    assert (untouched.standard_id, untouched.computed_status, untouched.score_b) == before_untouched

    [audit] = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "recompute", AuditLog.entity_id == r2021.id)).all()
    assert audit.before["computed_status"] == "not_poor"
    assert audit.after["computed_status"] == "near_poor"
    assert audit.before["indicators"] == ["health_insurance", "information_assets", "water"]
    assert audit.after["indicators"] == ["health_insurance", "water"]
    assert migration.reevaluate(db.session.connection())["moved"] == 0   # idempotent

    # The officer sees the decision to confirm or correct, on the pipeline and the case file.
    officer = login_as("commune1")
    pipeline = page_text(officer.get("/reviews/exits/?year=2021"))
    assert "Quyết định khác kết quả tính theo chuẩn (1)" in pipeline and "HH-C1" in pipeline
    assert "HH-C1" not in page_text(officer.get("/reviews/exits/?year=2026"))
    timeline = page_text(officer.get(f"/households/{household.id}/reviews/"))
    assert "Quyết định khác kết quả tính theo chuẩn: cần kiểm tra" in timeline
    # Writing a reason (or re-deciding) takes it off the list.
    r2021.override_reason = "Hộ có thu nhập ổn định từ con đi làm"
    db.session.commit()
    assert "Quyết định khác kết quả" not in page_text(officer.get("/reviews/exits/?year=2021"))


def test_qd59_middle_band_filled_and_its_reviews_reread(db, world, migration):
    qd59 = standard(db, "2016-2021")
    for line in qd59.lines:
        line.middle_line = None
    db.session.flush()
    household = db.session.get(Household, world.households["C1"])
    inside = old_review(db, household, 2019, "2016-2021", ["water"], "not_poor",
                        decided="not_poor", income=1_500_000)
    above = old_review(db, household, 2018, "2016-2021", ["water"], "not_poor",
                       decided="not_poor", income=1_500_001)

    conn = db.session.connection()
    assert migration.fill_qd59_middle_band(conn) == qd59.id
    assert migration.fill_qd59_middle_band(conn) is None         # set lines are kept
    counts = migration.reevaluate(conn, middle_band_of=qd59.id)

    assert counts["status_changed"] == 1 and counts["moved"] == 0
    db.session.expire_all()
    assert {line.area: line.middle_line for line in db.session.scalars(
        select(StandardLine).where(StandardLine.standard_id == qd59.id))} == {
        "rural": 1_500_000, "urban": 1_950_000}
    inside, above = reload(db, inside.id), reload(db, above.id)
    assert (inside.computed_status, inside.decided_status, inside.needs_check) == (
        "middle", "not_poor", True)
    assert (above.computed_status, above.needs_check) == ("not_poor", False)


def test_review_the_new_standard_cannot_classify_is_left(db, world, migration):
    """Score A only, moving to a standard without a score-A line: left for the officer."""
    household = db.session.get(Household, world.households["C1"])
    review = old_review(db, household, 2026, "2022-2026", ["water"], "near_poor", score_a=120)
    counts = migration.reevaluate(db.session.connection())
    assert counts["left"] == 1 and counts["moved"] == 0
    review = reload(db, review.id)
    assert (review.standard.code, review.computed_status) == ("2022-2026", "near_poor")


@pytest.mark.parametrize("income,count,expected", [
    (700_000, 0, "poor"), (1_000_000, 3, "poor"), (1_000_000, 2, "near_poor"),
    (1_000_001, 5, "middle"), (1_500_001, 5, "not_poor"),
])
def test_inlined_rule_matches_the_app_rule(db, migration, income, count, expected):
    from app.reviews import rules
    qd59 = standard(db, "2016-2021")
    line = qd59.line_for("rural")
    inlined = migration.classify(
        {f: getattr(line, f) for f in ("poor_by_income", "line", "middle_line", "score_a_line")},
        qd59.deprivation_threshold, count, income, None)
    assert inlined == rules.classify(qd59, "rural", qd59.indicators[:count], income=income).status
    assert inlined == expected
    assert migration.list_year(2021) == rules.list_year(2021) == 2022
