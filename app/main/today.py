"""The home page's "what needs me today": per role, a few counts, each linking to the list
that shows exactly those rows.

One function per role returns a list of `Item`s. Every count is read through the same scoped
query (core.scoping) as the list its link opens — most of them by calling that list's own
query function — so the number on the card is the number of rows behind the link
(tests/main/test_home.py follows every link and compares). Counts only: each is one COUNT
or GROUP BY on indexed columns, never the list itself (the home page of a province officer
stays fast over 300,000 households)."""
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from app.core import clock
from app.core.scoping import scoped, units_in_scope
from app.core.units import COMMUNE
from app.core.users import Role, User
from app.extensions import db

OK, INFO, WARN, ALERT = "ok", "info", "warn", "alert"


@dataclass
class Item:
    key: str                  # stable, for tests and styling
    label: str
    count: int | None         # None: a link without a number
    url: str
    severity: str = INFO      # ok / info / warn / alert
    note: str = ""            # a second, smaller line


def _severity(count: int, when_some: str = WARN) -> str:
    return when_some if count else OK


def items_for(user) -> list[Item]:
    builder = {Role.COMMUNE: commune_items, Role.DISTRICT: district_items,
               Role.MASS_ORG: front_items, Role.SPONSOR: sponsor_items,
               Role.ADMIN: admin_items}.get(user.role)
    return builder(user) if builder else []


# Commune officer ---------------------------------------------------------------------------

def commune_items(user) -> list[Item]:
    unit = user.unit
    if unit is None or unit.level != COMMUNE or not unit.is_active:
        return []
    from app.supports import queries as supports
    today = clock.today()
    overdue = supports.overdue_count(today)
    pending = supports.pending_count()
    awaiting = fund_queries(reply="awaiting")
    items = [
        Item("plan_overdue", _("Việc trong kế hoạch hỗ trợ đã quá hạn"), overdue,
             url_for("supports.plan_list", status="open", overdue="1"), _severity(overdue, ALERT)),
        Item("supports_pending", _("Khoản hỗ trợ chờ xác minh"), pending,
             url_for("supports.verify_queue"), _severity(pending)),
        Item("fund_queries", _("Chất vấn của MTTQ chờ xã trả lời"), awaiting,
             url_for("funds.review", **fund_query_args("awaiting")), _severity(awaiting, ALERT)),
        *report_items(unit, today),
        *round_items(unit, today.year),
    ]
    return items


def round_items(commune, year: int) -> list[Item]:
    """This year's review round of the commune: progress, and the households not reviewed."""
    from app.reviews import round_queries
    from app.reviews.models import ReviewRound
    round_ = db.session.scalar(round_queries.rounds_in_scope(year).where(
        ReviewRound.commune_id == commune.id))
    if round_ is None:
        return [Item("round_missing", _("Chưa mở đợt rà soát năm %(year)s", year=year), None,
                     url_for("rounds.index"), INFO)]
    progress = round_queries.round_progress(round_)
    return [
        Item("round_progress", _("Hộ đã rà soát năm %(year)s", year=year), progress.reviewed,
             url_for("rounds.show", round_id=round_.id), INFO,
             _("trên %(total)s hộ cần rà soát", total=_number(progress.to_review))),
        Item("round_pending", _("Hộ chưa rà soát năm %(year)s", year=year), progress.pending,
             url_for("rounds.pending", round_id=round_.id), _severity(progress.pending)),
    ]


# Periodic reports (commune, district, province officers) -------------------------------------

def report_items(unit, today: date, children: bool = False) -> list[Item]:
    """The unit's own reports to submit, and (above a commune) the reporting units with an
    overdue report: what periodic.index shows with todo=1, by the same rules."""
    from app.targets import periodic
    own = [s for s in periodic.statuses([unit], today.year, today).values() if periodic.to_do(s)]
    url = url_for("periodic.index", year=today.year, todo=1)
    overdue = sum(1 for s in own if s.state == periodic.OVERDUE)
    items = [Item("reports_due", _("Báo cáo định kỳ cần nộp"), len(own), url,
                  ALERT if overdue else _severity(len(own)),
                  _("%(n)s báo cáo quá hạn", n=overdue) if overdue
                  else _("hạn nộp trong %(n)s ngày tới", n=periodic.DUE_SOON_DAYS))]
    if children:
        units = periodic.reporting_children(unit)
        late = periodic.late_units(units, periodic.statuses(units, today.year, today))
        items.append(Item("reports_late", _("Đơn vị trực thuộc quá hạn nộp báo cáo"), len(late),
                          url, _severity(len(late), ALERT)))
    return items


# District and province officers --------------------------------------------------------------

def district_items(user) -> list[Item]:
    unit = user.unit
    if unit is None or not unit.is_active:
        return []
    from app.reviews import overview
    from app.reviews.models import ExitProposal
    today = clock.today()
    late_rounds = rounds_late(today.year, today)
    escaped, target = escaped_this_year(unit, today.year)
    proposed = db.session.scalar(overview._proposals(overview.PipelineParams()).with_only_columns(
        func.count(ExitProposal.id)).where(ExitProposal.state == ExitProposal.PROPOSED).order_by(None))
    return [
        *report_items(unit, today, children=True),
        Item("rounds_late", _("Xã quá hạn rà soát năm %(year)s", year=today.year), late_rounds,
             url_for("rounds.supervision", year=today.year), _severity(late_rounds, ALERT)),
        Item("escaped", _("Hộ thoát nghèo năm %(year)s", year=today.year), escaped,
             url_for("targets.progress", year=today.year), INFO,
             _("chỉ tiêu giảm: %(n)s hộ", n=_number(target)) if target is not None
             else _("chưa có chỉ tiêu giảm hộ nghèo")),
        Item("exits_proposed", _("Hộ được đề nghị thoát nghèo, chờ quyết định"), proposed or 0,
             url_for("exits.index") + "#group-proposed", _severity(proposed or 0)),
    ]


def escaped_this_year(unit, year: int) -> tuple[int, int | None]:
    """Households that escaped poverty by a decision of `year`, and the unit's own target of
    poor households to reduce: the "Thoát ra trong năm" and "Chỉ tiêu giảm" of the progress
    page (targets.progress), read by the same functions without the page's standing counts."""
    from app.targets import queries as targets, services
    moves = targets.transition_counts(unit, year)
    key = targets.KIND_ESCAPE["poor"]
    escaped = sum(bucket.get(key, 0) for bucket in moves.values())
    return escaped, targets.effective_count(services.parent_targets(unit, year)["poor"])


def rounds_late(year: int, today: date) -> int:
    """The communes of the supervision page (rounds.supervision) marked late: past the round's
    end (default 14/12) without a decision for every household, or no round at all after the
    default end. Only rounds past their end are examined: one without a decision is late; for
    the others one grouped count of their households without a decided outcome; the full
    pipeline (round_pipeline) runs only for a round whose every household is applied or
    excluded, where "excluded" needs its step. (So the household count runs only between a
    round's end and the end of its year, for rounds with a decision.)"""
    from app.reviews import round_pipeline
    from app.reviews.models import ReviewRound
    from app.reviews.round_models import DecisionHousehold, RoundDecision
    from app.reviews.round_queries import covered, rounds_in_scope
    from app.households.models import Household
    default_end = date(year, *round_pipeline.PERIODIC_REVIEW_ENDS)
    communes = [c.id for c in db.session.scalars(units_in_scope(COMMUNE))]   # the page's rows
    rounds = {r.commune_id: r for r in db.session.scalars(
        rounds_in_scope(year).where(ReviewRound.commune_id.in_(communes))).unique()}
    late = sum(1 for c in communes if c not in rounds and today > default_end)
    past = [r for r in rounds.values() if today > (r.ends_on or default_end)]
    if not past:
        return late
    decided = dict(db.session.execute(select(RoundDecision.round_id, RoundDecision.id).where(
        RoundDecision.round_id.in_([r.id for r in past]))).all())
    # Without a decision nobody is decided: late whatever the households (none is late too).
    late += sum(1 for r in past if r.id not in decided)
    past = [r for r in past if r.id in decided]
    if not past:
        return late
    decisions = list(decided.values())
    outcome = DecisionHousehold.outcome
    stmt = (scoped(select(Household.commune_id, func.count(Household.id),
                          func.count(case((outcome == DecisionHousehold.APPLIED, 1))),
                          func.count(case((outcome == DecisionHousehold.EXCLUDED, 1)))), Household)
            .outerjoin(DecisionHousehold, and_(DecisionHousehold.household_id == Household.id,
                                               DecisionHousehold.decision_id.in_(decisions or [-1])))
            .where(covered(year, [r.commune_id for r in past])).group_by(Household.commune_id))
    counts = {c: (total, applied, excluded) for c, total, applied, excluded in db.session.execute(stmt)}
    check = []
    for r in past:
        total, applied, excluded = counts.get(r.commune_id, (0, 0, 0))
        if total == 0 or applied + excluded < total:
            late += 1                  # someone without a decision (or nobody at all): late
        elif excluded:
            check.append(r)            # settled only if each excluded one reached its step
    if check:
        late += sum(1 for p in round_pipeline.pipelines(check, today=today).values() if p.late)
    return late


# The Front (mass_org) --------------------------------------------------------------------------

def fund_query_args(reply: str | None = None, state: str | None = None) -> dict:
    args = {"state": "queried", "reply": reply} if reply else {"state": state}
    return {k: v for k, v in args.items() if v}


def fund_queries(reply: str | None = None, state: str | None = None) -> int:
    """Disbursements of the Front's review list (funds.review) with these filters, counted by
    the list's own query (its default period: this year and the last)."""
    from app.funds import queries as funds
    from app.funds.models import FundEntry
    params = funds.ReviewParams.from_args(fund_query_args(reply, state))
    return db.session.scalar(funds._review_stmt(params).with_only_columns(
        func.count(FundEntry.id)).order_by(None)) or 0


def front_items(user) -> list[Item]:
    unit = user.unit
    if unit is None or not unit.is_active:
        return []
    from app.funds import disclosure
    from app.funds import queries as funds
    pending = fund_queries(state="pending")
    answered = fund_queries(reply="answered")
    items = [
        Item("fund_pending", _("Khoản chi chờ duyệt"), pending,
             url_for("funds.review", **fund_query_args(state="pending")), _severity(pending)),
        Item("fund_answered", _("Chất vấn xã đã trả lời, chờ MTTQ xử lý"), answered,
             url_for("funds.review", **fund_query_args("answered")), _severity(answered)),
    ]
    for fund in funds.visible_funds(active_only=True):
        if funds.manages(fund, user):
            # The next period to publish: from the day after the last published one.
            start, end = disclosure.current_period(fund)
            items.append(Item(f"disclosure_{fund.id}", _("Công khai quỹ: %(name)s", name=fund.name),
                              None, url_for("funds.disclosure", fund_id=fund.id,
                                            **{"from": start.strftime("%d/%m/%Y"),
                                               "to": end.strftime("%d/%m/%Y")}), INFO,
                              _("kỳ %(start)s – %(end)s", start=start.strftime("%d/%m/%Y"),
                                end=end.strftime("%d/%m/%Y"))))
    return items


# Sponsor ---------------------------------------------------------------------------------------

def sponsor_items(user) -> list[Item]:
    if not user.sponsor_id:
        return []
    from app.households.models import Household
    from app.sponsors.portal_queries import OPEN_PLAN
    from app.supports.models import PlanItem, Support
    open_tasks = db.session.scalar(
        scoped(select(func.count(PlanItem.id)), PlanItem)
        .where(PlanItem.household_id.in_(scoped(select(Household.id), Household)),
               PlanItem.status.in_(OPEN_PLAN))) or 0
    by_state = dict(db.session.execute(
        scoped(select(Support.verification, func.count(Support.id)), Support)
        .where(Support.verification.in_(("pending", "rejected")))
        .group_by(Support.verification)).all())
    pending, rejected = by_state.get("pending", 0), by_state.get("rejected", 0)
    return [
        Item("sponsor_tasks", _("Việc được giao cho bạn chưa xong"), open_tasks,
             url_for("portal.home"), _severity(open_tasks)),
        Item("sponsor_pending", _("Khoản hỗ trợ chờ xã xác minh"), pending,
             url_for("portal.history", verification="pending"), INFO),
        Item("sponsor_rejected", _("Khoản hỗ trợ xã không xác nhận"), rejected,
             url_for("portal.history", verification="rejected"), _severity(rejected, ALERT)),
    ]


# Admin -----------------------------------------------------------------------------------------

def admin_items(user) -> list[Item]:
    from app.admin.routes import locked_users, users_without_unit
    locked = db.session.scalar(select(func.count(User.id)).where(locked_users())) or 0
    nounit = db.session.scalar(select(func.count(User.id)).where(users_without_unit())) or 0
    return [
        Item("users_locked", _("Tài khoản đang bị tạm khóa đăng nhập"), locked,
             url_for("admin.users", show="locked"), _severity(locked)),
        Item("users_nounit", _("Người dùng chưa có địa bàn"), nounit,
             url_for("admin.users", show="nounit"), _severity(nounit)),
    ]


def _number(value) -> str:
    from app.core.text import format_number
    return format_number(value)
