"""Checking a printed table of figures (a plan's appendix, a district's report) against the
app's figures of the same review year, and against itself.

The officer types, per unit and for the total line, the figures the paper prints (any may be
left blank): households, poor and near-poor households and their rates, and of the poor the
social-protection and poverty-policy households and their shares. Findings:
  - "app":  a printed figure differs from the app's (app.targets.figures, frozen or not);
  - "rate": a printed rate is not its printed count ÷ households (or ÷ poor) × 100, rounded
            to the decimals printed (half up), so "42,2" passes for 42,20;
  - "sum":  the printed total is not the sum of the printed rows (counts only)."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.text import format_number
from app.reports.arithmetic import format_rate, rate

COUNT_FIELDS = ("households", "poor", "near_poor", "social", "policy")
# rate field → (count, base)
RATE_FIELDS = {"poor_rate": ("poor", "households"), "near_poor_rate": ("near_poor", "households"),
               "social_share": ("social", "poor"), "policy_share": ("policy", "poor")}
FIELDS = ("households", "poor", "poor_rate", "near_poor", "near_poor_rate", "social",
          "social_share", "policy", "policy_share")
LABELS = {"households": _l("Tổng số hộ"), "poor": _l("Hộ nghèo"), "poor_rate": _l("Tỷ lệ hộ nghèo (%)"),
          "near_poor": _l("Hộ cận nghèo"), "near_poor_rate": _l("Tỷ lệ hộ cận nghèo (%)"),
          "social": _l("Hộ nghèo thuộc CS BTXH"), "social_share": _l("Tỷ lệ BTXH (%)"),
          "policy": _l("Hộ nghèo thuộc CS giảm nghèo"), "policy_share": _l("Tỷ lệ CS giảm nghèo (%)")}
APP, RATE, SUM = "app", "rate", "sum"
TOTAL = "total"


@dataclass
class Finding:
    row: str                # unit id (as text) or "total"
    name: str
    field: str
    kind: str
    printed: str
    expected: str

    @property
    def message(self) -> str:
        label = LABELS[self.field]
        if self.kind == APP:
            return _("%(name)s — %(label)s: bảng in %(printed)s, số liệu trên hệ thống %(expected)s.",
                     name=self.name, label=label, printed=self.printed, expected=self.expected)
        if self.kind == RATE:
            return _("%(name)s — %(label)s: bảng in %(printed)s, nhưng tính từ chính số hộ của bảng "
                     "được %(expected)s.", name=self.name, label=label, printed=self.printed,
                     expected=self.expected)
        return _("%(name)s — %(label)s: dòng tổng in %(printed)s, nhưng cộng các dòng được "
                 "%(expected)s.", name=self.name, label=label, printed=self.printed,
                 expected=self.expected)


class ParseError(ValueError):
    pass


def parse_count(raw: str) -> int | None:
    text = (raw or "").strip().replace(" ", "")
    if not text:
        return None
    digits = text.replace(".", "")
    if not digits.isdigit() or len(digits) > 9:
        raise ParseError(_("“%(raw)s” không phải số hộ (ví dụ 2.111).", raw=text[:20]))
    return int(digits)


def parse_rate(raw: str) -> Decimal | None:
    text = (raw or "").strip().replace(" ", "").rstrip("%")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ParseError(_("“%(raw)s” không phải tỷ lệ (ví dụ 1,36).", raw=text[:20])) from None
    if not value.is_finite() or not 0 <= value <= 100 or -value.as_tuple().exponent > 4:
        raise ParseError(_("“%(raw)s” không phải tỷ lệ (ví dụ 1,36).", raw=text[:20]))
    return value


def parse_row(values: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The typed cells of one row → (parsed figures, field → error message)."""
    parsed, errors = {}, {}
    for name in FIELDS:
        try:
            parsed[name] = (parse_rate if name in RATE_FIELDS else parse_count)(values.get(name, ""))
        except ParseError as exc:
            errors[name] = str(exc)
    return parsed, errors


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return format_number(value)


def _recomputed(part: int, whole: int, printed: Decimal) -> Decimal:
    """count ÷ base × 100 rounded (half up) to the decimals printed (at least none)."""
    places = max(0, -printed.as_tuple().exponent)
    exact = Decimal(part) * 100 / Decimal(whole) if whole else Decimal(0)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def check(rows: list[tuple[str, str, dict]], total: dict, app: dict[str, dict]) -> list[Finding]:
    """`rows`: (row key, unit name, parsed figures) per unit; `total`: the parsed total line
    (key "total"); `app`: row key → the app's counts (households, poor, near_poor, social,
    policy). Findings in table order."""
    findings = []
    for key, name, printed in [*rows, (TOTAL, _("Dòng tổng"), total)]:
        own = app.get(key)
        for field in FIELDS:
            value = printed.get(field)
            if value is None:
                continue
            if field in RATE_FIELDS:
                part, whole = RATE_FIELDS[field]
                if printed.get(part) is not None and printed.get(whole) is not None:
                    computed = _recomputed(printed[part], printed[whole], value)
                    if computed != value:
                        findings.append(Finding(key, name, field, RATE, _shown(value), _shown(computed)))
                if own is not None:
                    mine = rate(own[part], own[whole])
                    if _recomputed(own[part], own[whole], value) != value:
                        findings.append(Finding(key, name, field, APP, _shown(value), format_rate(mine)))
            elif own is not None and own[field] != value:
                findings.append(Finding(key, name, field, APP, _shown(value), _shown(own[field])))
            if key == TOTAL and field in COUNT_FIELDS:
                parts = [p.get(field) for _k, _n, p in rows]
                if parts and all(p is not None for p in parts) and sum(parts) != value:
                    findings.append(Finding(key, name, field, SUM, _shown(value), _shown(sum(parts))))
    return findings


def app_figures(unit, year: int, user=None):
    """The units of the table (the children of `unit`) and the app's figures of review year
    `year`: row key → counts, the total line under "total"."""
    from app.reports.common import child_units
    from app.targets import figures
    found = figures.year_figures(unit, year, user)
    children = child_units(unit, found.children.get(unit.id, []))
    app = {str(c.id): found.of(c.id).counts for c in children}
    app[TOTAL] = found.of(unit.id).counts
    return children, app


def read_form(form, children) -> tuple[list, dict, dict[str, str]]:
    """The typed table: rows, total line, and errors by input name."""
    rows, errors = [], {}
    for key, name in [*((str(c.id), c.name) for c in children), (TOTAL, "")]:
        parsed, bad = parse_row({f: form.get(f"{key}-{f}", "") for f in FIELDS})
        errors.update({f"{key}-{f}": message for f, message in bad.items()})
        rows.append((key, name, parsed))
    return rows[:-1], rows[-1][2], errors
