"""The ledger of supports delivered: record, attach evidence, reverse, verify, reject.

Each function changes the session (and writes the audit row); the caller commits once, so a
refusal leaves nothing half-written. Callers load the household / support through its scope
(get_scoped_or_404) first; ids that come from a form (plan item, provider sponsor) are checked
here against the household and the user's scope.

Verification: every new entry is "pending" — whoever recorded it, an officer or a sponsor —
until a commune officer verifies or rejects it. Four eyes: the user who recorded an entry
cannot verify it (another officer of the commune does; he may still reject his own entry, which
only withdraws it); who verified is recorded and audited.
Totals count verified and pending entries (rejected ones never count). Only a verified entry
can be reversed (a pending one is rejected instead); a reversal is the correcting officer's
own entry, so it is verified when written, dated like the entry it reverses, and can never be
reversed itself."""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _
from sqlalchemy import case, event, extract, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import audit, clock
from app.core.lookups import Lookup
from app.core.scoping import scoped
from app.core.text import clean, parse_vnd
from app.extensions import db
from app.supports import files, signals
from app.supports.models import Evidence, FundingSource, PlanItem, Support
from app.sponsors.scope import sponsors_in_scope

SCOPE_COLUMNS = ("province_id", "district_id", "commune_id", "hamlet_id")
SUPPORT_FIELDS = ("household_id", "delivered_on", "type_code", "description", "quantity", "unit",
                  "value_vnd", "funding_source_code", "credit_programme_code",
                  "credit_term_months", "programme_code", "provider_sponsor_id", "provider_name",
                  "plan_item_id", "verification", "reverses_id", "reversal_reason")
MAX_VALUE = 10 ** 12           # VND; more is a typing error
MAX_TERM_MONTHS = 600
REASON_MIN = 5


class SupportRefused(ValueError):
    """A rule refused the write; `field` names the data key (form field) it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# Reading input ------------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value, field, message):
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise SupportRefused(message, field)
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "")
    if text.lstrip("-").isdigit():
        return int(text)
    raise SupportRefused(message, field)


def _money(value):
    """Whole đồng: an int, or text as officers type it (core.text.parse_vnd: separators must
    group thousands, so "1,5" or "24.000.000,5" is refused, not read as 15 or 240.000.005)."""
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return parse_vnd(str(value))
    except ValueError:
        raise SupportRefused(_("Số tiền không hợp lệ: nhập số đồng, ví dụ 1.500.000."), "value_vnd")


def _date(value, field):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not _blank(value):
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(str(value).strip(), fmt).date()
            except ValueError:
                pass
    raise SupportRefused(_("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."), field)


def _quantity(value):
    if _blank(value):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise SupportRefused(_("Số lượng phải là số (ví dụ 2 hoặc 1,5)."), "quantity")
    if not number.is_finite() or number <= 0 or number >= 10 ** 9:
        raise SupportRefused(_("Số lượng phải lớn hơn 0."), "quantity")
    text = format(number.normalize(), "f")
    return text


def _lookup_exists(kind: str, code: str) -> bool:
    return db.session.scalar(select(Lookup.id).where(
        Lookup.kind == kind, Lookup.code == code, Lookup.is_active.is_(True))) is not None


def _text(value, limit, field, label):
    text = clean(value)
    if len(text) > limit:
        raise SupportRefused(_("%(label)s không được dài quá %(n)s ký tự.", label=label, n=limit),
                             field)
    return text


# Recording ------------------------------------------------------------------------------------

def record_support(household, data: dict, user) -> Support:
    """A new pending ledger entry for `household` (already loaded through its scope).

    data keys: delivered_on (date or dd/mm/yyyy), type_code (lookup support_type),
    description, quantity, unit, value_vnd (int ≥ 0), funding_source_code (FundingSource),
    credit_programme_code + credit_term_months (required when the source's category is
    "credit"; ignored otherwise), programme_code (lookup programme), provider_sponsor_id (a
    sponsor in the user's sponsor scope), provider_name, plan_item_id (a plan item of this
    household). Raises SupportRefused(message, field)."""
    delivered_on = _date(data.get("delivered_on"), "delivered_on")
    if delivered_on > clock.today():
        raise SupportRefused(_("Ngày hỗ trợ không được ở tương lai."), "delivered_on")
    if delivered_on.year < 2000:
        raise SupportRefused(_("Ngày hỗ trợ không hợp lệ."), "delivered_on")

    type_code = (data.get("type_code") or "").strip()
    if not type_code or not _lookup_exists("support_type", type_code):
        raise SupportRefused(_("Chọn loại hỗ trợ trong danh mục."), "type_code")

    value = _money(data.get("value_vnd"))
    if value is None:
        raise SupportRefused(_("Nhập giá trị (đồng); ghi 0 nếu không quy ra tiền."), "value_vnd")
    if value < 0:
        raise SupportRefused(_("Giá trị không được âm; điều chỉnh bằng bút toán đảo."), "value_vnd")
    if value > MAX_VALUE:
        raise SupportRefused(_("Giá trị quá lớn."), "value_vnd")

    source = db.session.get(FundingSource, (data.get("funding_source_code") or "").strip())
    if source is None or not source.is_active:
        raise SupportRefused(_("Chọn nguồn kinh phí trong danh mục."), "funding_source_code")
    credit_programme = term = None
    if source.category == "credit":
        credit_programme = (data.get("credit_programme_code") or "").strip()
        if not credit_programme or not _lookup_exists("credit_programme", credit_programme):
            raise SupportRefused(_("Vốn vay NHCSXH: chọn chương trình tín dụng."),
                                 "credit_programme_code")
        term = _int(data.get("credit_term_months"), "credit_term_months",
                    _("Thời hạn vay phải là số tháng."))
        if term is None:
            raise SupportRefused(_("Vốn vay NHCSXH: nhập thời hạn vay (tháng)."),
                                 "credit_term_months")
        if not 1 <= term <= MAX_TERM_MONTHS:
            raise SupportRefused(_("Thời hạn vay từ 1 đến %(n)s tháng.", n=MAX_TERM_MONTHS),
                                 "credit_term_months")
        if value <= 0:
            raise SupportRefused(_("Vốn vay NHCSXH: giá trị là số tiền vay, phải lớn hơn 0."),
                                 "value_vnd")

    programme = (data.get("programme_code") or "").strip() or None
    if programme and not _lookup_exists("programme", programme):
        raise SupportRefused(_("Chọn chương trình, dự án trong danh mục."), "programme_code")

    sponsor_id = _int(data.get("provider_sponsor_id"), "provider_sponsor_id",
                      _("Nhà tài trợ không hợp lệ."))
    if sponsor_id is not None:
        from app.sponsors.models import Sponsor
        if db.session.scalar(sponsors_in_scope(user).where(Sponsor.id == sponsor_id)) is None:
            raise SupportRefused(_("Nhà tài trợ không hợp lệ."), "provider_sponsor_id")
    provider_name = _text(data.get("provider_name"), 200, "provider_name", _("Đơn vị hỗ trợ"))

    plan_item_id = _int(data.get("plan_item_id"), "plan_item_id", _("Mục kế hoạch không hợp lệ."))
    if plan_item_id is not None:
        item = db.session.scalar(scoped(select(PlanItem).where(
            PlanItem.id == plan_item_id, PlanItem.household_id == household.id), PlanItem, user))
        if item is None:
            raise SupportRefused(_("Mục kế hoạch không thuộc hộ này."), "plan_item_id")

    support = Support(
        household_id=household.id, delivered_on=delivered_on, type_code=type_code,
        description=_text(data.get("description"), 2000, "description", _("Mô tả")),
        quantity=_quantity(data.get("quantity")),
        unit=_text(data.get("unit"), 30, "unit", _("Đơn vị tính")) or None,
        value_vnd=value, funding_source_code=source.code, credit_programme_code=credit_programme,
        credit_term_months=term, programme_code=programme, provider_sponsor_id=sponsor_id,
        provider_name=provider_name, plan_item_id=plan_item_id,
        recorded_by_id=getattr(user, "id", None), recorded_at=clock.utcnow(),
        verification="pending", **{c: getattr(household, c) for c in SCOPE_COLUMNS})
    db.session.add(support)
    db.session.flush()
    audit.record("create", "support", support.id, after=audit.snapshot(support, SUPPORT_FIELDS),
                 user=user)
    signals.support_recorded.send(support)   # paid by a fund: a pending disbursement there
    return support


def attach_evidence(support: Support, file_storage, user) -> Evidence:
    """Check (by content: JPEG, PNG, WebP or PDF; size limit) and store one file for
    `support`. Raises SupportRefused(message, "evidence"). If the transaction is rolled back,
    the stored file is removed with it."""
    try:
        stored = files.store(file_storage)
    except files.FileRefused as exc:
        raise SupportRefused(exc.message, "evidence")
    evidence = Evidence(support_id=support.id, uploaded_by_id=getattr(user, "id", None),
                        uploaded_at=clock.utcnow(), **stored)
    db.session.add(evidence)
    db.session.flush()
    db.session.info.setdefault("evidence_files", []).append(stored["stored_name"])
    audit.record("create", "evidence", evidence.id, after={
        "support_id": support.id, "original_name": evidence.original_name,
        "content_type": evidence.content_type, "size": evidence.size,
        "sha256": evidence.sha256}, user=user)
    return evidence


@event.listens_for(Session, "after_commit")
def _keep_evidence_files(session):
    session.info.pop("evidence_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_evidence_files(session, previous_transaction):
    if previous_transaction.parent is None and previous_transaction.nested is False:
        for name in session.info.pop("evidence_files", []):
            files.remove(name)


# Corrections and verification -----------------------------------------------------------------

def reversal_of(support_id: int) -> Support | None:
    return db.session.scalar(select(Support).where(Support.reverses_id == support_id))


def reverse_support(support: Support, reason: str, user) -> Support:
    """A new entry cancelling `support` (negative value, same source, date and household;
    `reverses_id`, reason). A verified entry can be reversed once; a reversal never."""
    reason = clean(reason)
    if support.reverses_id is not None:
        raise SupportRefused(_("Đây là bút toán đảo; không thể đảo lại."), "reason")
    if support.verification != "verified":
        raise SupportRefused(_("Chỉ điều chỉnh khoản đã xác minh; khoản chờ xác minh thì từ chối "
                               "xác nhận kèm lý do."), "reason")
    if reversal_of(support.id) is not None:
        raise SupportRefused(_("Khoản hỗ trợ này đã được điều chỉnh (đảo) trước đó."), "reason")
    if len(reason) < REASON_MIN:
        raise SupportRefused(_("Ghi lý do điều chỉnh (ít nhất %(n)s ký tự).", n=REASON_MIN), "reason")
    if len(reason) > 500:
        raise SupportRefused(_("Lý do không được dài quá 500 ký tự."), "reason")
    now = clock.utcnow()
    reversal = Support(
        household_id=support.household_id, delivered_on=support.delivered_on,
        type_code=support.type_code, description=support.description,
        quantity=support.quantity, unit=support.unit, value_vnd=-support.value_vnd,
        funding_source_code=support.funding_source_code,
        credit_programme_code=support.credit_programme_code,
        credit_term_months=support.credit_term_months, programme_code=support.programme_code,
        provider_sponsor_id=support.provider_sponsor_id, provider_name=support.provider_name,
        plan_item_id=support.plan_item_id, recorded_by_id=getattr(user, "id", None),
        recorded_at=now, verification="verified", verified_by_id=getattr(user, "id", None),
        verified_at=now, reverses_id=support.id, reversal_reason=reason,
        **{c: getattr(support, c) for c in SCOPE_COLUMNS})
    try:
        with db.session.begin_nested():   # uq_support_reverses_id: two people at once
            db.session.add(reversal)
            db.session.flush()
    except IntegrityError:
        raise SupportRefused(_("Khoản hỗ trợ này đã được điều chỉnh (đảo) trước đó."), "reason")
    audit.record("reverse", "support", reversal.id,
                 after=audit.snapshot(reversal, SUPPORT_FIELDS), user=user)
    signals.support_withdrawn.send(support, reason=reason, user=user)   # and its fund payment
    return reversal


def _decide(support: Support, values: dict, user, action: str):
    """Move a pending entry on, atomically (UPDATE … WHERE verification = 'pending'), so two
    officers deciding at once cannot both win."""
    if support.reverses_id is not None:
        raise SupportRefused(_("Bút toán đảo không cần xác minh."))
    if support.verification != "pending":
        raise SupportRefused(_("Khoản hỗ trợ này đã được xử lý (xác minh hoặc từ chối)."))
    values = {**values, "verified_by_id": getattr(user, "id", None),
              "verified_at": clock.utcnow()}
    claimed = db.session.execute(
        update(Support).where(Support.id == support.id, Support.verification == "pending")
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(support)
    if claimed != 1:
        raise SupportRefused(_("Khoản hỗ trợ này vừa được người khác xử lý."))
    audit.record(action, "support", support.id, before={"verification": "pending"},
                 after={k: v.isoformat() if isinstance(v, datetime) else v
                        for k, v in values.items()}, user=user)


def recorded_by_self(support: Support, user) -> bool:
    """Four eyes: True when `user` recorded `support` (then he may not verify it)."""
    user_id = getattr(user, "id", None)
    return user_id is not None and support.recorded_by_id == user_id


def verify(support: Support, user):
    if support.verification == "pending" and support.reverses_id is None \
            and recorded_by_self(support, user):
        raise SupportRefused(_("Người ghi khoản hỗ trợ không tự xác minh được: "
                               "cần một cán bộ khác của xã xác minh."), "four_eyes")
    _decide(support, {"verification": "verified", "rejection_reason": None}, user, "verify")


def reject(support: Support, reason: str, user):
    reason = clean(reason)
    if len(reason) < REASON_MIN:
        raise SupportRefused(_("Ghi lý do không xác nhận (ít nhất %(n)s ký tự).", n=REASON_MIN),
                             "reason")
    if len(reason) > 500:
        raise SupportRefused(_("Lý do không được dài quá 500 ký tự."), "reason")
    _decide(support, {"verification": "rejected", "rejection_reason": reason}, user, "reject")
    signals.support_withdrawn.send(support, reason=reason, user=user)   # a fund will not pay it


# Reads ------------------------------------------------------------------------------------------

COUNTED = Support.verification != "rejected"


def household_supports(household_id: int) -> list[Support]:
    """Newest first; the caller loaded the household through its scope."""
    return db.session.scalars(select(Support).where(Support.household_id == household_id)
                              .order_by(Support.delivered_on.desc(), Support.id.desc())
                              ).unique().all()


def totals(household_id: int) -> dict:
    """Counted value (verified + pending; rejected never) by funding source and by year, and
    the pending part of each — reversals included, so a reversed entry nets to zero."""
    base = select(Support).where(Support.household_id == household_id, COUNTED).subquery()
    pending = func.sum(func.coalesce(
        case((base.c.verification == "pending", base.c.value_vnd), else_=0), 0))
    by_source = db.session.execute(
        select(FundingSource.code, FundingSource.label, func.sum(base.c.value_vnd), pending)
        .join(base, base.c.funding_source_code == FundingSource.code)
        .group_by(FundingSource.code, FundingSource.label, FundingSource.sort_order)
        .order_by(FundingSource.sort_order)).all()
    year = extract("year", base.c.delivered_on)
    by_year = db.session.execute(select(year, func.sum(base.c.value_vnd), pending)
                                 .group_by(year).order_by(year.desc())).all()
    return {"by_source": [(code, label, int(total or 0), int(p or 0))
                          for code, label, total, p in by_source],
            "by_year": [(int(y), int(total or 0), int(p or 0)) for y, total, p in by_year],
            "total": sum(int(r[2] or 0) for r in by_source),
            "pending": sum(int(r[3] or 0) for r in by_source)}


def balance_by_source(household_id: int) -> dict[str, int]:
    return {code: total for code, _label, total, _p in totals(household_id)["by_source"]}
