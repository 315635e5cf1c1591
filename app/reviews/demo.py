"""Demo review histories 2021–2026: a yearly Markov walk between the lists, each year's review
made of an income and deprivations that the real rule classifies as the walk says."""
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.extensions import db
from app.reviews import rules
from app.reviews.models import PovertyStandard, Review, ReviewCause, review_deprivation
from app.reviews.rules import IN_LISTS, MIDDLE, NEAR_POOR, NOT_POOR, POOR

FIRST_YEAR, LAST_YEAR = 2021, 2026
DECIDED_UNTIL = 2025          # the 2026 round is under way (decisions come after 14 December)
OUT = "out"                   # left the lists, still watched
NEVER = "never"               # never on the lists: no review at all
# Yearly moves. Rows: where the household is; values: (next state, weight).
MOVES = {
    POOR: [(POOR, 70), (NEAR_POOR, 16), (MIDDLE, 8), (NOT_POOR, 6)],
    NEAR_POOR: [(POOR, 5), (NEAR_POOR, 55), (MIDDLE, 22), (NOT_POOR, 18)],
    OUT: [(POOR, 3), (NEAR_POOR, 4), (OUT, 93)],
    NEVER: [(POOR, 0.7), (NEAR_POOR, 0.8), (NEVER, 98.5)],
}
START = [(POOR, 7), (NEAR_POOR, 5), (NEVER, 88)]
CAUSES = ["no_land", "no_capital", "no_labour", "no_means", "no_skills", "no_job", "illness",
          "disability", "dependants", "other"]
NEEDS = ["Vay vốn ưu đãi chăn nuôi", "Hỗ trợ sửa chữa nhà ở", "Học nghề cho con",
         "Hỗ trợ giống cây trồng", "Thẻ bảo hiểm y tế", "Xây nhà tiêu hợp vệ sinh",
         "Giới thiệu việc làm", "Bể chứa nước sinh hoạt"]


def _pick(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


class ReviewHistories:
    def __init__(self, rng):
        self.rng = rng
        self.standards = {s.id: s for s in db.session.scalars(
            select(PovertyStandard).options(selectinload(PovertyStandard.lines),
                                            selectinload(PovertyStandard.indicators)))}
        self.by_year = {y: next(s for s in self.standards.values()
                                if s.list_year_from <= rules.list_year(y) <= s.list_year_to)
                        for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        self.next_id = (db.session.scalar(select(func.max(Review.id))) or 0) + 1
        self.reviews, self.deprivations, self.causes = [], [], []

    def household(self, household_id: int, place: dict, is_urban: bool, has_labour: bool) -> dict:
        """Generate one household's reviews; return its derived Household fields."""
        rng, state, mine = self.rng, _pick(self.rng, START), []
        causes = rng.sample(CAUSES, rng.randint(1, 3)) if has_labour else ["no_labour", "illness"]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if year > FIRST_YEAR:
                state = _pick(rng, MOVES[state])
            if state in (NEVER, OUT):
                continue
            mine.append(self._review(household_id, place, is_urban, year, state, causes,
                                     has_labour))
            if state in (MIDDLE, NOT_POOR):
                state = OUT   # reviewed the year it left; watched without reviews afterwards
        path = rules.path([(r["year"], r["decided_status"]) for r in mine if r["decided_status"]])
        for review in mine:
            review["transition"] = path.transitions.get(review["year"]) if review["decided_status"] else None
        return {"status": path.status, "status_year": path.status_year, "exit_year": path.exit_year,
                "poor_since": path.poor_since,
                "last_transition": path.transitions.get(path.status_year) if path.status_year else None}

    def _review(self, household_id, place, is_urban, year, target, causes, has_labour):
        rng, standard = self.rng, self.by_year[year]
        area = "urban" if is_urban else "rural"
        line = standard.line_for(area)
        income, count = self._measure(line, target, len(standard.indicators))
        deprived = rng.sample(standard.indicators, count)
        computed = rules.classify(standard, area, deprived, income=income)
        decided = computed.status if year <= DECIDED_UNTIL else None
        review_id, self.next_id = self.next_id, self.next_id + 1
        self.reviews.append({
            "id": review_id, "household_id": household_id, "year": year,
            "standard_id": standard.id, "area": area,
            "review_type": "periodic" if rng.random() < 0.9 else "regular",
            "review_date": date(year, rng.randint(9, 11), rng.randint(1, 28)),
            "income_per_capita": income, "score_a": None, "score_b": computed.score_b,
            "deprived_dimensions": computed.dimensions, "computed_status": computed.status,
            "has_labour": has_labour,
            "policy_group": "poverty_policy" if has_labour else "social_protection",
            "needs": rng.choice(NEEDS) if computed.status in IN_LISTS else "",
            "decision_number": f"{rng.randint(10, 250)}/QĐ-UBND" if decided else None,
            "decision_date": date(year, 12, rng.randint(15, 28)) if decided else None,
            "decided_status": decided, "override_reason": None, "transition": None,
            "version": 1, "created_by_id": None, "created_at": clock.utcnow(),
            "updated_at": clock.utcnow(), **place})
        self.deprivations += [{"review_id": review_id, "indicator_id": i.id} for i in deprived]
        self.causes += [{"review_id": review_id, "cause_code": c} for c in causes
                        if computed.status in IN_LISTS]
        return self.reviews[-1]

    def _measure(self, line, target, indicator_count):
        """An income and a number of deprivations that the rule classifies as `target`."""
        rng, top = self.rng, line.line
        floor = (line.poor_by_income or 0) + 10_000
        if target == POOR:
            return int(round(rng.uniform(0.45, 1.0) * top, -4)), rng.randint(3, min(7, indicator_count))
        if target == NEAR_POOR:
            return int(round(rng.uniform(max(floor, 0.6 * top), top), -4)), rng.randint(0, 2)
        if target == MIDDLE and line.middle_line:
            return int(round(rng.uniform(top + 10_000, line.middle_line), -4)), rng.randint(0, 4)
        ceiling = line.middle_line or top
        return int(round(rng.uniform(ceiling + 10_000, ceiling * 2), -4)), rng.randint(0, 2)

    def flush(self):
        if self.reviews:
            db.session.execute(insert(Review), self.reviews)
        if self.deprivations:
            db.session.execute(insert(review_deprivation), self.deprivations)
        if self.causes:
            db.session.execute(insert(ReviewCause), self.causes)
        self.reviews, self.deprivations, self.causes = [], [], []
