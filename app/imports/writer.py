"""Writing a checked import in the caller's transaction, in bulk (bulk.py): executemany
inserts with ids reserved ahead (as app/demo.py does) and updates grouped by the columns they
change, so 50,000 rows take seconds, not minutes of one ORM object each.

The rules stay those of the services they stand in for: households and members get what
households.services gives them (folded names, search text, scope columns and the merit flag from
households.derived, the one definition of them; a new version on each change, so an edit form
opened before the import gets its 409); reviews what
reviews.services.save_review gives them (the standard of the year, the area of the hamlet, the
classification computed by rules.classify during the check, the decision and override reason
checked there) and the household's path is recomputed by rules.path as refresh_path does.
Audit: one row per household written (a new household's review inside it), one per review
written on an existing household, one for the batch."""
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import delete, select, update

from app.core import clock
from app.core.audit import AuditLog
from app.extensions import db
from app.households import derived
from app.households.derived import SCOPE
from app.households.models import Household, Member
from app.imports.bulk import BATCH, chunks, insert_many, reserve_ids, update_many
from app.imports.convert import fold
from app.imports.models import ImportBatch
from app.imports.services import Existing, household_changes
from app.reviews import rules
from app.reviews.models import Review, ReviewCause, review_deprivation

H, M, R = Household.__table__, Member.__table__, Review.__table__
RC, RD, A = ReviewCause.__table__, review_deprivation, AuditLog.__table__
MEMBER_DEFAULTS = {"birth_date": None, "ethnicity_code": None, "id_number": None,
                   "has_disability": False, "disability_note": "", "health_insurance_number": None,
                   "health_insurance_expiry": None, "schooling_code": None, "work_status_code": None,
                   "merit_category": None, "merit_relation": None, "merit_benefit": None}


def _json(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


class Writer:
    def __init__(self, plan, existing: Existing, ctx, user_id, ip, commune, batch_id, progress=None):
        self.plan, self.existing, self.ctx = plan, existing, ctx
        self.user_id, self.ip, self.commune, self.batch_id = user_id, ip, commune, batch_id
        self.progress = progress or (lambda done: None)
        self.now = clock.utcnow()
        self.audit = []
        self.done = 0

    def run(self) -> dict:
        # The first write takes SQLite's write lock, so the ids reserved below stay free.
        db.session.execute(update(ImportBatch).where(ImportBatch.id == self.batch_id)
                           .values(state=ImportBatch.state))
        creates = [hh for hh in self.plan.households if hh.action == "create"]
        updates = [hh for hh in self.plan.households if hh.action == "update"]
        self._assign_codes(creates)
        for part in chunks(creates, BATCH):
            self._create(part)
            self._tick(len(part))
        for part in chunks(updates, BATCH):
            self._update(part)
            self._tick(len(part))
        self._audit("import", "import_batch", self.batch_id, after={
            "households_created": len(creates), "households_updated": len(updates)})
        self._flush_audit()
        return {"created": len(creates), "updated": len(updates)}

    def _tick(self, n):
        self.done += n
        self.progress(self.done)

    # New households --------------------------------------------------------------------------

    def _assign_codes(self, creates):
        """Households without a code get the commune's code and the next free number."""
        missing = [hh for hh in creates if not hh.values.get("household_code")]
        if not missing:
            return
        prefix = f"{self.commune.code}-"
        used = db.session.scalars(select(H.c.code).where(H.c.code.startswith(prefix, autoescape=True)))
        numbers = [int(c[len(prefix):]) for c in used if c[len(prefix):].isdigit()]
        start = max(numbers, default=0)
        for i, hh in enumerate(missing, start=1):
            hh.values["household_code"] = f"{prefix}{start + i:05d}"

    def _create(self, part):
        rows = []
        for hh in part:
            v, head = hh.values, hh.head
            path = rules.path([(hh.review["year"], hh.review["decided"])]
                              if hh.review and hh.review["decided"] else [])
            hh.path = path
            rows.append({
                "code": v["household_code"], "address": v.get("address", ""),
                "head_name": head["full_name"],
                **derived.household_fields(v["household_code"], head["full_name"], (
                    (m["full_name"], m.get("merit_category")) for _, m in hh.members), fold=fold),
                "status": path.status, "status_year": path.status_year, "exit_year": path.exit_year,
                "poor_since": path.poor_since,
                "last_transition": path.transitions.get(path.status_year) if path.status_year else None,
                "is_ethnic_minority": v.get("is_ethnic_minority", False),
                "is_female_headed": v.get("is_female_headed", False),
                "has_no_labour_capacity": v.get("has_no_labour_capacity", False),
                "policy_group": v.get("policy_group"), "note": v.get("note", ""), "version": 1,
                "created_at": self.now, "updated_at": self.now, "deleted_at": None,
                "deleted_reason": None, **hh.place})
        ids = reserve_ids(H, len(rows))
        for row, hid in zip(rows, ids):
            row["id"] = hid
        insert_many(H, rows)
        members, reviews = [], []
        for hh, hid, row in zip(part, ids, rows):
            hh.new_id = hid
            for position, (_, m) in enumerate(hh.members):
                members.append(self._member_row(hid, position, m, hh.place))
            if hh.review:
                reviews.append((hh, hid, hh.path.transitions.get(hh.review["year"])))
            hh.audit = {"code": row["code"], "hamlet_id": row["hamlet_id"],
                        "head_name": row["head_name"], "members": len(hh.members),
                        "import_batch": self.batch_id}
            if not hh.review:
                self._audit("create", "household", hid, after=hh.audit)
        insert_many(M, members)
        self._insert_reviews(reviews)

    def _member_row(self, hid, position, m, place):
        return {**MEMBER_DEFAULTS, **m, **derived.member_fields(m["full_name"], place, fold=fold),
                "household_id": hid, "position": position, "version": 1, "created_at": self.now,
                "updated_at": self.now, "deleted_at": None, "deleted_reason": None}

    def _review_values(self, hh):
        r = hh.review
        return {"year": r["year"], "standard_id": self.ctx.standard.id, "area": r["area"],
                "review_date": self.ctx.options.review_date, "income_per_capita": r["income"],
                "score_a": r["score_a"], "score_b": r["score_b"],
                "deprived_dimensions": r["dimensions"], "computed_status": r["computed"],
                "has_labour": r["has_labour"], "policy_group": r["policy_group"],
                "decision_number": r["decision_number"], "decision_date": r["decision_date"],
                "decided_status": r["decided"], "override_reason": r["override_reason"],
                "updated_at": self.now}

    def _insert_reviews(self, reviews):
        if not reviews:
            return
        rows = [{**self._review_values(hh), "household_id": hid, "review_type": "periodic",
                 "needs": "", "transition": transition, "version": 1,
                 "created_by_id": self.user_id, "created_at": self.now,
                 **{c: hh.place[c] for c in SCOPE}}
                for hh, hid, transition in reviews]
        ids = reserve_ids(R, len(rows))
        for row, rid in zip(rows, ids):
            row["id"] = rid
        insert_many(R, rows)
        self._review_links([(hh, rid) for (hh, _, _), rid in zip(reviews, ids)])
        for (hh, hid, _), rid, row in zip(reviews, ids, rows):
            review = _review_audit(row, hh, self.batch_id)
            if getattr(hh, "audit", None):   # a new household: one row for it and its review
                self._audit("create", "household", hid, after={**hh.audit, "review": {
                    "id": rid, **review}})
            else:
                self._audit("create", "review", rid, after=review)

    def _review_links(self, pairs):
        indicators = self.ctx.indicators
        links = [{"review_id": rid, "indicator_id": indicators[c].id}
                 for hh, rid in pairs for c in hh.review["codes"]]
        causes = [{"review_id": rid, "cause_code": c} for hh, rid in pairs for c in hh.review["causes"]]
        insert_many(RD, links)
        insert_many(RC, causes)

    # Matched households ------------------------------------------------------------------------

    def _update(self, part):
        existing = self.existing
        household_rows, member_updates, new_members = [], [], []
        for hh in part:
            current = existing.households[hh.existing_id]
            changes = household_changes(hh, existing)
            hh.household_before = {k: getattr(current, k) for k in changes}
            place = derived.scope_of(current)
            if "hamlet_id" in changes:
                place = derived.scope_of(hh.place)
                changes.update(place)
                member_updates += [{"id": m.id, **place} for m in existing.members.get(current.id, [])]
            hh.household_changes = changes
            household_rows.append({"id": current.id, **changes})
            position = max((m.position for m in existing.members.get(current.id, [])), default=-1)
            for action, _, values, member in hh.member_changes:
                if action == "create":
                    position += 1
                    new_members.append(self._member_row(current.id, position, values, place))
                else:
                    if "full_name" in values:
                        values = {**values, "name_folded": derived.member_fields(
                            values["full_name"], place, fold=fold)["name_folded"]}
                    member_updates.append({"id": member.id, **values, "updated_at": self.now})
        update_many(M, member_updates, bump=True)
        insert_many(M, new_members)
        self._write_reviews(part)
        self._refresh(part, household_rows)

    def _write_reviews(self, part):
        creates, updates = [], []
        for hh in part:
            if hh.review_action == "create":
                creates.append((hh, hh.existing_id, None))
            elif hh.review_action == "update":
                updates.append(hh)
        self._insert_reviews(creates)
        if not updates:
            return
        rows = []
        for hh in updates:
            review = self.existing.reviews[hh.existing_id]
            values = self._review_values(hh)
            for key in ("decided_status", "decision_number", "decision_date"):
                if values[key] is None:
                    values[key] = getattr(review, key)
            if values["decided_status"] == values["computed_status"]:
                values["override_reason"] = None
            elif values["override_reason"] is None:
                values["override_reason"] = review.override_reason
            if not hh.review["causes"]:
                hh.review["causes"] = self.existing.causes.get(review.id, [])
            rows.append({"id": review.id, **values})
            self._audit("update", "review", review.id, before={
                "income_per_capita": review.income_per_capita, "decided_status": review.decided_status,
                "computed_status": review.computed_status,
                "indicators": sorted(self.existing.indicators.get(review.id, ()))},
                after=_review_audit(values, hh, self.batch_id))
        update_many(R, rows, bump=True)
        ids = [self.existing.reviews[hh.existing_id].id for hh in updates]
        for piece in chunks(ids):
            db.session.execute(delete(RD).where(RD.c.review_id.in_(piece)))
            db.session.execute(delete(RC).where(RC.c.review_id.in_(piece)))
        self._review_links([(hh, self.existing.reviews[hh.existing_id].id) for hh in updates])

    def _refresh(self, part, household_rows):
        """After the writes: names, search text, merit flag and the review path of each matched
        household, as households.services and reviews.services.refresh_path leave them."""
        ids = [hh.existing_id for hh in part]
        people = defaultdict(list)
        for hid, name, relation, merit in db.session.execute(
                select(M.c.household_id, M.c.full_name, M.c.relationship_code, M.c.merit_category)
                .where(M.c.household_id.in_(ids), M.c.deleted_at.is_(None))
                .order_by(M.c.position, M.c.id)):
            people[hid].append((name, relation, merit))
        reviews = defaultdict(list)
        for piece in chunks(ids):
            for row in db.session.execute(select(R.c.id, R.c.household_id, R.c.year,
                                                 R.c.decided_status, R.c.transition,
                                                 R.c.policy_group, R.c.has_labour)
                                          .where(R.c.household_id.in_(piece))):
                reviews[row.household_id].append(row)
        transitions = []
        for hh, row in zip(part, household_rows):
            current = self.existing.households[hh.existing_id]
            code = row.get("code", current.code)
            head = next((n for n, rel, _ in people[current.id] if rel == "head"), current.head_name)
            row.update(head_name=head, **derived.household_fields(
                code, head, [(n, merit) for n, _, merit in people[current.id]], fold=fold),
                updated_at=self.now)
            decided = [r for r in reviews[current.id] if r.decided_status]
            path = rules.path([(r.year, r.decided_status) for r in decided])
            for r in reviews[current.id]:
                transition = path.transitions.get(r.year) if r.decided_status else None
                if transition != r.transition:
                    transitions.append({"id": r.id, "transition": transition})
            row.update(status=path.status, status_year=path.status_year, exit_year=path.exit_year,
                       poor_since=path.poor_since,
                       last_transition=path.transitions.get(path.status_year) if path.status_year else None)
            if decided:
                latest = max(decided, key=lambda r: r.year)
                if latest.policy_group:
                    row["policy_group"] = latest.policy_group
                if latest.has_labour is not None:
                    row["has_no_labour_capacity"] = not latest.has_labour
            self._audit("update", "household", current.id, before=_json(hh.household_before),
                        after=_json({**{k: row[k] for k in hh.household_changes if k in row},
                                     "members_created": sum(1 for c in hh.member_changes
                                                            if c[0] == "create"),
                                     "members_updated": {str(c[3].id): c[2] for c in hh.member_changes
                                                         if c[0] == "update"},
                                     "import_batch": self.batch_id}))
        update_many(R, transitions)
        update_many(H, household_rows, bump=True)

    # Audit -------------------------------------------------------------------------------------

    def _audit(self, action, entity, entity_id, before=None, after=None):
        self.audit.append({"at": self.now, "user_id": self.user_id, "action": action,
                           "entity": entity, "entity_id": entity_id, "before": before,
                           "after": after, "ip": self.ip})
        if len(self.audit) >= BATCH * 2:
            self._flush_audit()

    def _flush_audit(self):
        insert_many(A, self.audit)
        self.audit = []


def _review_audit(values, hh, batch_id) -> dict:
    return {"year": values["year"], "income_per_capita": values["income_per_capita"],
            "score_a": values["score_a"], "computed_status": values["computed_status"],
            "decided_status": values["decided_status"], "indicators": hh.review["codes"],
            "import_batch": batch_id}
