"""A household's support plan: items that tie a need (an indicator of the standard of its latest
review, or a cause of poverty) to an action, who is responsible and by when.

The caller loads the household / item through its scope and commits once; every write is
audited, an edit carries the item's version (a stale one raises StaleEdit)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app.core import audit, clock
from app.core.lookups import Lookup
from app.core.text import clean
from app.core.versioning import StaleEdit, claim_next_version  # noqa: F401  (routes)
from app.extensions import db
from app.reviews.models import PovertyStandard, Review
from app.supports.models import PLAN_STATUS_LABELS, PlanItem, SuggestedAction
from app.sponsors.scope import sponsors_in_scope

SCOPE_COLUMNS = ("province_id", "district_id", "commune_id", "hamlet_id")
PLAN_FIELDS = ("need_kind", "need_code", "need_label", "action", "responsible_name",
               "responsible_sponsor_id", "due_on", "status", "dropped_reason")
OPEN_STATUSES = ("planned", "in_progress")
REASON_MIN = 5


class PlanRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Need:
    kind: str        # indicator / cause
    code: str
    label: str
    deprived: bool = False   # an indicator deprived at the latest review / a recorded cause

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.code}"


def latest_review(household_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.household_id == household_id)
                             .order_by(Review.year.desc()).limit(1))


def _standard(review: Review | None) -> PovertyStandard | None:
    if review is not None:
        return review.standard
    # the lists in force this year
    return db.session.scalar(select(PovertyStandard).where(PovertyStandard.governs(clock.today().year)))


def needs(household, review: Review | None = None) -> list[Need]:
    """Every need a plan item may name for this household: the indicators of the standard of
    its latest review (the current year's standard when it has none) and the causes list —
    those found at the latest review flagged `deprived`."""
    review = review if review is not None else latest_review(household.id)
    standard = _standard(review)
    deprived = {i.code for i in review.deprivations} if review else set()
    causes = set(review.cause_codes) if review else set()
    items = [Need("indicator", i.code, f"{i.number}. {i.label}", i.code in deprived)
             for i in (standard.indicators if standard else [])]
    items += [Need("cause", code, label, code in causes) for code, label in db.session.execute(
        select(Lookup.code, Lookup.label).where(Lookup.kind == "poverty_cause",
                                                Lookup.is_active.is_(True))
        .order_by(Lookup.sort_order)).all()]
    return items


def household_items(household_id: int) -> list[PlanItem]:
    """Open items first (soonest due first), then done and dropped."""
    rows = db.session.scalars(select(PlanItem).where(PlanItem.household_id == household_id)
                              .order_by(PlanItem.due_on, PlanItem.id)).unique().all()
    return sorted(rows, key=lambda i: (not i.is_open, i.due_on is None))


def _sponsor_id(value, user):
    if value in (None, ""):
        return None
    from app.sponsors.models import Sponsor
    try:
        sponsor_id = int(value)
    except (TypeError, ValueError):
        raise PlanRefused(_("Nhà tài trợ không hợp lệ."), "responsible_sponsor_id")
    if db.session.scalar(sponsors_in_scope(user).where(Sponsor.id == sponsor_id)) is None:
        raise PlanRefused(_("Nhà tài trợ không hợp lệ."), "responsible_sponsor_id")
    return sponsor_id


def _values(household, data: dict, user) -> dict:
    """Check a plan item's input; the need must be one of this household's needs."""
    need = next((n for n in needs(household) if n.value == data.get("need")), None)
    if need is None:
        raise PlanRefused(_("Chọn nhu cầu (chỉ số thiếu hụt hoặc nguyên nhân nghèo)."), "need")
    action = clean(data.get("action"))
    if not action:
        raise PlanRefused(_("Ghi biện pháp, hoạt động hỗ trợ."), "action")
    if len(action) > 2000:
        raise PlanRefused(_("Biện pháp không được dài quá 2000 ký tự."), "action")
    responsible = clean(data.get("responsible_name"))
    if len(responsible) > 200:
        raise PlanRefused(_("Tên người phụ trách không được dài quá 200 ký tự."), "responsible_name")
    sponsor_id = _sponsor_id(data.get("responsible_sponsor_id"), user)
    if not responsible and sponsor_id is None:
        raise PlanRefused(_("Ghi người phụ trách hoặc chọn nhà tài trợ."), "responsible_name")
    due_on = data.get("due_on")
    if not isinstance(due_on, date):
        raise PlanRefused(_("Nhập thời hạn (dd/mm/yyyy)."), "due_on")
    status = data.get("status") or "planned"
    if status not in PLAN_STATUS_LABELS:
        raise PlanRefused(_("Tình trạng không hợp lệ."), "status")
    reason = clean(data.get("dropped_reason")) or None
    if status == "dropped":
        if not reason or len(reason) < REASON_MIN:
            raise PlanRefused(_("Dừng thực hiện: ghi lý do (ít nhất %(n)s ký tự).", n=REASON_MIN),
                              "dropped_reason")
        if len(reason) > 500:
            raise PlanRefused(_("Lý do không được dài quá 500 ký tự."), "dropped_reason")
    else:
        reason = None
    return dict(need_kind=need.kind, need_code=need.code, need_label=need.label[:200],
                action=action, responsible_name=responsible, responsible_sponsor_id=sponsor_id,
                due_on=due_on, status=status, dropped_reason=reason)


def create_item(household, data: dict, user) -> PlanItem:
    item = PlanItem(household_id=household.id, created_by_id=getattr(user, "id", None),
                    **_values(household, data, user),
                    **{c: getattr(household, c) for c in SCOPE_COLUMNS})
    db.session.add(item)
    db.session.flush()
    audit.record("create", "plan_item", item.id, after=audit.snapshot(item, PLAN_FIELDS), user=user)
    return item


def update_item(item: PlanItem, household, data: dict, version, user) -> PlanItem:
    values = _values(household, data, user)
    before = audit.snapshot(item, PLAN_FIELDS)
    claim_next_version(item, version, values)
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_at = clock.utcnow()
    db.session.flush()
    audit.record("update", "plan_item", item.id, before=before,
                 after=audit.snapshot(item, PLAN_FIELDS), user=user)
    return item


# Draft from the latest review -------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    id: int                  # SuggestedAction.id
    need: Need
    action: str
    planned: bool            # an open item of the household already has this need and action


def suggestions(household) -> list[Suggestion]:
    """Suggested actions (configurable) for the deprived indicators and the causes of the
    household's latest review, in the order of its needs."""
    review = latest_review(household.id)
    if review is None:
        return []
    found = [n for n in needs(household, review) if n.deprived]
    if not found:
        return []
    actions = db.session.scalars(select(SuggestedAction).where(
        SuggestedAction.is_active.is_(True),
        SuggestedAction.need_code.in_({n.code for n in found}))
        .order_by(SuggestedAction.sort_order, SuggestedAction.id)).all()
    open_items = {(i.need_kind, i.need_code, i.action) for i in household_items(household.id)
                  if i.is_open}
    result = []
    for need in found:
        for action in actions:
            if (action.need_kind, action.need_code) == (need.kind, need.code):
                result.append(Suggestion(action.id, need, action.action,
                                         (need.kind, need.code, action.action) in open_items))
    return result


def accept(household, suggestion_ids, due_on, responsible_name, user) -> list[PlanItem]:
    """Create the accepted suggestions as plan items (one transaction: the caller commits).
    Ids that are not suggestions for this household are refused, nothing is written."""
    offered = {s.id: s for s in suggestions(household)}
    try:
        chosen = [offered[int(i)] for i in dict.fromkeys(suggestion_ids or [])]
    except (KeyError, TypeError, ValueError):
        raise PlanRefused(_("Gợi ý không hợp lệ; tải lại danh sách gợi ý."), "accepted")
    if not chosen:
        raise PlanRefused(_("Chọn ít nhất một gợi ý."), "accepted")
    return [create_item(household, {"need": s.need.value, "action": s.action,
                                    "responsible_name": responsible_name, "due_on": due_on,
                                    "status": "planned"}, user)
            for s in chosen]
