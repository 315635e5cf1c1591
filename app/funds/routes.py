"""Funds: the Front's dashboard, fund books, receipts, spends, transfers, reversals, the review
of fund-paid supports, and the public disclosure sheet. Thin views: parse → scoped load →
service → commit → render.

Who: the Front and mass organisations (mass_org) run the funds of their own unit — they create
them, record receipts, spends and transfers, approve (post), query or cancel disbursements and
reverse entries. Commune officers read their commune's funds and discuss (reply to) queried
disbursements of their households; district officers read. Sponsors and admins: nothing (403).
Funds are created by the mass_org users of the unit (admins manage users and units, not cases,
and see no fund: the scope fails closed for them)."""
from datetime import date

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit, clock, lookups
from app.core.excel import xlsx_response
from app.core.guards import require_roles, roles_required
from app.core.htmx import is_swap, render, retarget, saved
from app.core.once import once
from app.core.params import page_arg
from app.core.scoping import AREA_ROLES, get_scoped_or_404, units_in_scope
from app.core.units import HAMLET
from app.core.urls import safe_next
from app.core.users import Role
from app.extensions import db
from app.funds import disclosure as disclosure_sheet
from app.funds import queries, services
from app.funds.forms import (CommentForm, FundForm, PublishForm, ReceiptForm, ReverseForm,
                             SpendForm, TransferForm)
from app.funds.models import DONOR_KIND_LABELS, ENTRY_KIND_LABELS, FUND_KIND_LABELS, Fund
from app.sponsors.models import Sponsor
from app.sponsors.scope import sponsors_in_scope

bp = Blueprint("funds", __name__, url_prefix="/funds")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
front_only = roles_required(Role.MASS_ORG)
discussants = roles_required(Role.COMMUNE, Role.MASS_ORG)

PAGES = "funds/"
LABELS = dict(state_labels=queries.STATE_LABELS, action_labels=queries.ACTION_LABELS,
              reply_labels=queries.REPLY_LABELS, concern_labels=services.CONCERN_LABELS,
              verification_labels=queries.VERIFICATION_LABELS,
              kind_labels=ENTRY_KIND_LABELS, fund_kind_labels=FUND_KIND_LABELS,
              donor_kind_labels=DONOR_KIND_LABELS)


def _managed_or_403(fund: Fund):
    if not queries.manages(fund):
        abort(403)


def _safe_next(default: str) -> str:
    return safe_next(request.form.get("next"), default)


# Template helpers (for the supports panel and the case file too) ----------------------------

@bp.app_template_global("fund_disbursement")
def fund_disbursement(support):
    """The disbursement paying `support` (or None) — only for officers who may see funds."""
    if not current_user.is_authenticated or current_user.role not in AREA_ROLES:
        return None
    return services.disbursement_of(support.id)


@bp.app_template_global("fund_state_label")
def fund_state_label(state):
    return _(queries.STATE_LABELS.get(state, state))


@bp.app_template_global("evidence_url")
def evidence_url(evidence):
    """Link to an evidence file, when the supports module serves /supports/evidence/<id>."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith("/supports/evidence/<") and len(rule.arguments) == 1:
            return url_for(rule.endpoint, **{next(iter(rule.arguments)): evidence.id})
    return None


# Dashboard ----------------------------------------------------------------------------------

def _chart(flows):
    top = max([max(s["receipts"], s["spending"]) for s in flows] + [1])
    height, bar, gap = 160, 18, 14
    bars = []
    for i, slot in enumerate(flows):
        x = 40 + i * (2 * bar + gap)
        for j, key in enumerate(("receipts", "spending")):
            h = round(slot[key] * height / top) if slot[key] > 0 else 0
            bars.append(dict(x=x + j * bar, y=20 + height - h, h=h, key=key, value=slot[key],
                             label=f"{slot['month']:02d}/{slot['year']}"))
    return dict(flows=flows, bars=bars, top=top, width=40 + len(flows) * (2 * bar + gap),
                base=20 + height, bar=bar, gap=gap)


@bp.get("/")
def index():
    funds = queries.visible_funds()
    ids = [f.id for f in funds]
    chart_fund = next((f for f in funds if str(f.id) == request.args.get("fund")), None)
    awaiting, awaiting_total = queries.open_items(10)
    queried, queried_total = queries.open_items(20, state="queried")
    ctx = dict(funds=funds, balances=queries.balances(ids), open_amounts=queries.open_amounts(ids),
               chart=_chart(queries.monthly_flows([chart_fund.id] if chart_fund else ids)),
               chart_fund=chart_fund, awaiting=awaiting, awaiting_total=awaiting_total,
               queried=queried, queried_total=queried_total,
               can_create=current_user.role == Role.MASS_ORG and current_user.unit is not None
               and current_user.unit.level in services.FUND_LEVELS, **LABELS)
    audit.viewed_households(r.household.id for r in awaiting + queried)
    if request.headers.get("HX-Target") == "fund-chart":
        return render(PAGES + "index.html", PAGES + "_chart.html", **ctx)
    return render(PAGES + "index.html", PAGES + "index.html", **ctx)


@bp.route("/new", methods=["GET", "POST"])
@front_only
@once
def create():
    unit = current_user.unit
    if unit is None or unit.level not in services.FUND_LEVELS or not unit.is_active:
        abort(403)
    form = FundForm()
    form.fill_choices()
    if request.method == "GET" and not form.funding_source_code.data:
        form.funding_source_code.data = "fund_poor"
    if form.validate_on_submit():
        try:
            fund = services.create_fund(unit, form.data, current_user)
            db.session.commit()
        except services.FundRefused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            return redirect(url_for(".show", fund_id=fund.id), code=303)
    return render(PAGES + "new.html", PAGES + "new.html", 422 if form.errors else 200,
                  form=form, unit=unit)


# One fund's book ----------------------------------------------------------------------------

def _book_context(fund, receipt_form=None, spend_form=None, transfer_form=None,
                  reverse_errors=None):
    page, page_size = page_arg(), current_app.config["PAGE_SIZE"]
    rows, total = queries.ledger_page(fund, page, page_size)
    manager = queries.manages(fund)
    ctx = dict(fund=fund, rows=rows, total=total, page_no=page, page_size=page_size,
               balance=services.balance(fund.id), open_amount=queries.open_amounts([fund.id])[fund.id],
               manager=manager, reverse_errors=reverse_errors or {}, today=clock.today(), **LABELS)
    if manager:
        ctx["receipt_form"] = receipt_form or ReceiptForm(formdata=None)
        ctx["spend_form"] = spend_form or SpendForm(formdata=None)
        ctx["transfer_form"] = transfer_form or TransferForm(formdata=None)
        ctx["transfer_form"].fill_choices(services.transfer_targets(fund))
    return ctx


@bp.get("/<int:fund_id>")
def show(fund_id):
    fund = get_scoped_or_404(Fund, fund_id)
    ctx = _book_context(fund)
    audit.viewed_households(r.household.id for r in ctx["rows"] if r.household)
    if request.headers.get("HX-Target") == "ledger":
        return render(PAGES + "fund.html", PAGES + "_ledger.html", **ctx)
    return render(PAGES + "fund.html", PAGES + "fund.html", **ctx)


def _book_saved(fund, page_url=None):
    return saved(lambda: render(PAGES + "fund.html", PAGES + "_book.html", **_book_context(fund)),
                 "fund-book", page_url or url_for(".show", fund_id=fund.id))


def _write_entry(fund_id, form_class, form_key, partial, action):
    fund = get_scoped_or_404(Fund, fund_id)
    _managed_or_403(fund)
    form = form_class()
    if form_class is TransferForm:
        form.fill_choices(services.transfer_targets(fund))
    if form.validate_on_submit():
        try:
            action(fund, form.data, current_user)
            db.session.commit()
            return _book_saved(fund)
        except services.FundRefused as exc:
            db.session.rollback()
            getattr(form, exc.field or "amount").errors.append(exc.message)
    fund = get_scoped_or_404(Fund, fund_id)
    return render(PAGES + "fund.html", partial, 422, **_book_context(fund, **{form_key: form}))


@bp.post("/<int:fund_id>/receipts")
@front_only
@once
def receipt_create(fund_id):
    return _write_entry(fund_id, ReceiptForm, "receipt_form", PAGES + "_receipt_form.html",
                        services.record_receipt)


@bp.post("/<int:fund_id>/spends")
@front_only
@once
def spend_create(fund_id):
    return _write_entry(fund_id, SpendForm, "spend_form", PAGES + "_spend_form.html",
                        services.record_spend)


@bp.post("/<int:fund_id>/transfers")
@front_only
@once
def transfer_create(fund_id):
    return _write_entry(fund_id, TransferForm, "transfer_form", PAGES + "_transfer_form.html",
                        services.transfer)


# Disclosure sheet ---------------------------------------------------------------------------

def _period(fund):
    """The period asked for; by default the current one (disclosure.current_period)."""
    default_start, default_end = disclosure_sheet.current_period(fund)
    start = queries.parse_date(request.args.get("from")) or default_start
    end = queries.parse_date(request.args.get("to")) or default_end
    return (start, end) if start <= end else (end, start)


def _disclosure_page(fund, publish_form=None, status=200):
    start, end = _period(fund)
    sheet = disclosure_sheet.shown(fund, start, end)
    first = disclosure_sheet.next_start(fund)
    publishable = (queries.manages(fund) and sheet.published is None and end <= clock.today()
                   and (first is None or start == first))
    return render(PAGES + "disclosure.html", PAGES + "disclosure.html", status, d=sheet,
                  query={"from": start.strftime("%d/%m/%Y"), "to": end.strftime("%d/%m/%Y")},
                  snapshots=disclosure_sheet.snapshots(fund), next_start=first,
                  publishable=publishable, publish_form=publish_form or PublishForm(formdata=None),
                  **LABELS)


@bp.get("/<int:fund_id>/disclosure")
def disclosure(fund_id):
    return _disclosure_page(get_scoped_or_404(Fund, fund_id))


@bp.post("/<int:fund_id>/disclosure/publish")
@front_only
@once
def disclosure_publish(fund_id):
    """Công khai: freeze the period's sheet (disclosure.publish); the page then shows it."""
    fund = get_scoped_or_404(Fund, fund_id)
    _managed_or_403(fund)
    form = PublishForm()
    if form.validate_on_submit():
        start, end = queries.parse_date(form.start.data), queries.parse_date(form.end.data)
        try:
            snapshot = disclosure_sheet.publish(fund, start, end, current_user)
            db.session.commit()
        except services.FundRefused as exc:
            db.session.rollback()
            form.start.errors.append(exc.message)
        else:
            return redirect(url_for(".disclosure", fund_id=fund.id,
                                    **{"from": snapshot.period_start.strftime("%d/%m/%Y"),
                                       "to": snapshot.period_end.strftime("%d/%m/%Y")}), code=303)
    fund = get_scoped_or_404(Fund, fund_id)
    return _disclosure_page(fund, form, 422)


@bp.get("/<int:fund_id>/disclosure.xlsx")
def disclosure_xlsx(fund_id):
    fund = get_scoped_or_404(Fund, fund_id)
    start, end = _period(fund)
    sheet = disclosure_sheet.shown(fund, start, end)
    audit.record("export", "fund", fund.id, after={"sheet": "disclosure", "from": start.isoformat(),
                                                  "to": end.isoformat()})
    db.session.commit()
    return xlsx_response(disclosure_sheet.sheets(sheet),
                         f"cong-khai-quy-{fund.id}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


# The Front's review of fund use -------------------------------------------------------------

def _review_context(params):
    page_size = current_app.config["PAGE_SIZE"]
    rows, total = queries.review_page(params, page_size)
    funds = queries.visible_funds()
    return dict(rows=rows, total=total, params=params, page_size=page_size,
                counts=queries.review_counts(params), funds=funds,
                managed={f.id for f in funds if queries.manages(f)},
                hamlets=db.session.scalars(units_in_scope(HAMLET)).all(),
                types=lookups.choices("support_type"),
                sponsors=db.session.scalars(sponsors_in_scope().order_by(Sponsor.name)).all(),
                type_labels=lookups.labels("support_type"), awaiting=_awaiting(), **LABELS)


def _awaiting() -> int:
    return queries.open_items(0)[1]


@bp.get("/review")
def review():
    ctx = _review_context(queries.ReviewParams.from_args(request.args))
    audit.viewed_households(r.household.id for r in ctx["rows"])
    if request.headers.get("HX-Target") == "review-results":
        return render(PAGES + "review.html", PAGES + "_review_results.html", **ctx)
    return render(PAGES + "review.html", PAGES + "review.html", **ctx)


def _entry_context(entry, form=None, reverse_form=None):
    ctx = dict(entry=entry, fund=entry.fund, thread=queries.thread(entry.id),
               manager=queries.manages(entry.fund), may_comment=queries.may_comment(entry),
               form=form or CommentForm(formdata=None),
               reverse_form=reverse_form or ReverseForm(formdata=None),
               reversed_by=services.reversal_of(entry.id),
               row=queries.review_row(entry) if entry.support_id else None,
               concerns=services.approval_concerns(entry), type_labels=lookups.labels("support_type"), **LABELS)
    return ctx


@bp.get("/entries/<int:entry_id>")
def entry(entry_id):
    entry = queries.entry_or_404(entry_id)
    ctx = _entry_context(entry)
    if ctx["row"]:   # a disbursement paying a support: its household is shown
        audit.viewed("household", ctx["row"].household.id, fund_entry=entry.id)
    return render(PAGES + "entry.html", PAGES + "entry.html", **ctx)


def _decided(entry_id, action, needs_manager=True):
    """approve / query / cancel / comment: the row for the review list, the detail panel for
    the entry page, a redirect for a plain form post; 422 in place when refused."""
    entry = queries.entry_or_404(entry_id)
    if needs_manager:
        _managed_or_403(entry.fund)
    elif not queries.may_comment(entry):
        abort(403)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            action(entry, form.comment.data or "", current_user)
            db.session.commit()
        except services.FundRefused as exc:
            db.session.rollback()
            getattr(form, exc.field or "comment", form.comment).errors.append(exc.message)
        else:
            if not is_swap():
                return redirect(_safe_next(url_for(".entry", entry_id=entry_id)), code=303)
    entry = queries.entry_or_404(entry_id)
    status = 422 if form.errors else 200
    if request.headers.get("HX-Target") == f"entry-{entry_id}":
        ctx = dict(r=queries.review_row(entry), form=form, managed={entry.fund_id}
                   if queries.manages(entry.fund) else set(), open_form=status == 422,
                   type_labels=lookups.labels("support_type"), awaiting=_awaiting(),
                   oob=True, **LABELS)
        return render(PAGES + "review.html", PAGES + "_review_row.html", status, **ctx)
    return render(PAGES + "entry.html", PAGES + "_entry_detail.html", status,
                  **_entry_context(entry, form=form))


@bp.post("/entries/<int:entry_id>/approve")
@front_only
def entry_approve(entry_id):
    return _decided(entry_id, lambda e, c, u: services.post_disbursement(
        e, u, c, request.form.get("reason", "")))


@bp.post("/entries/<int:entry_id>/query")
@front_only
def entry_query(entry_id):
    return _decided(entry_id, services.query_disbursement)


@bp.post("/entries/<int:entry_id>/cancel")
@front_only
def entry_cancel(entry_id):
    return _decided(entry_id, services.cancel_disbursement)


@bp.post("/entries/<int:entry_id>/comment")
@discussants
def entry_comment(entry_id):
    return _decided(entry_id, services.add_comment, needs_manager=False)


@bp.post("/entries/<int:entry_id>/reverse")
@front_only
def entry_reverse(entry_id):
    entry = queries.entry_or_404(entry_id)
    _managed_or_403(entry.fund)
    form = ReverseForm()
    error = None
    if form.validate_on_submit():
        try:
            services.reverse_entry(entry, form.reason.data, current_user)
            db.session.commit()
        except services.FundRefused as exc:
            db.session.rollback()
            error = exc.message
        else:
            return _book_saved(entry.fund, _safe_next(url_for(".show", fund_id=entry.fund_id)))
    else:
        error = "; ".join(str(e) for e in form.reason.errors) or _("Ghi lý do đảo bút toán.")
    entry = queries.entry_or_404(entry_id)
    if is_swap():
        return retarget(render(PAGES + "fund.html", PAGES + "_book.html", 422,
                               **_book_context(entry.fund, reverse_errors={entry.id: error})),
                        "fund-book")
    form.reason.errors = [error]
    return render(PAGES + "entry.html", PAGES + "entry.html", 422,
                  **_entry_context(entry, reverse_form=form))
