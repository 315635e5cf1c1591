"""Rows → households with their members and the year's review, every problem named by row and
field: the member form's rules (member_rules), the review rules of app.reviews (review_rules),
the hamlet within the user's scope (context), and duplicates inside the file. Nothing here
writes or reads the households (matching them is services' job)."""

from app.core import clock
from app.core.i18n import N_
from app.imports import convert
from app.imports.context import FOOTER, TOTALS, Context, converters
from app.imports.convert import Bad, fold
from app.imports.mapping import INDICATOR_PREFIX, cell_text, heading_key
from app.imports.member_rules import IDENTITY, MemberRules
from app.imports.plan import HOUSEHOLD, MEMBER, HouseholdIn, Plan, Row
from app.imports.review_rules import ReviewRules

HOUSEHOLD_FIELDS = ("household_code", "hamlet", "address", "head_name", "is_ethnic_minority",
                    "is_female_headed", "has_no_labour_capacity", "policy_group", "note")
REVIEW_FIELDS = ("status", "income", "score_a", "deprivations", "deprivation_count", "causes",
                 "decision_number", "decision_date", "override_reason")


def _part(name: str) -> int:
    """Which of a row's three dicts a field goes to: household, member or review."""
    if name in HOUSEHOLD_FIELDS:
        return 0
    return 2 if name in REVIEW_FIELDS or name.startswith(INDICATOR_PREFIX) else 1


# Fields whose values seldom repeat: not worth remembering their conversions.
UNIQUE = {"full_name", "head_name", "household_code", "id_number", "health_insurance_number",
          "address", "note", "override_reason"}


def _cached(convert_value, cache: bool):
    """A converter remembering what it made of each value (by type and value: 1 and True are
    different cells): a file repeats its hamlets, sexes, ethnicities and marks thousands of
    times. Conversions are pure, so a remembered refusal is refused again."""
    if not cache:
        return convert_value
    memo = {}

    def call(value):
        key = (value.__class__, value)
        hit = memo.get(key)
        if hit is None:
            try:
                hit = memo[key] = (True, convert_value(value))
            except Bad as exc:
                hit = memo[key] = (False, exc)
        if hit[0]:
            return hit[1]
        raise hit[1]
    return call


def validate(rows, data_from: int, mapping: dict[int, str], ctx: Context, progress=None) -> Plan:
    return _Check(mapping, ctx).run(rows, data_from, progress)


class _Check(MemberRules, ReviewRules):
    def __init__(self, mapping, ctx: Context):
        self.ctx, self.mapped = ctx, set(mapping.values())
        conv = converters(ctx)
        self.columns = [(col, name, _cached(convert.mark if name.startswith(INDICATOR_PREFIX)
                                            else conv[name], name not in UNIQUE), _part(name))
                        for col, name in sorted(mapping.items())]
        self.plan = Plan()
        self.issues = self.plan.issues
        self.today = clock.today()
        self.classified = {}

    # Reading -------------------------------------------------------------------------------

    def run(self, rows, data_from, progress):
        parsed, section, stopped = [], None, False
        for number, values in rows:
            if number < data_from or not values:
                continue
            self.plan.rows_read += 1
            if progress and self.plan.rows_read % 1000 == 0:
                progress(self.plan.rows_read)
            if stopped:
                self.plan.skipped += 1
                continue
            parts, errors = self._convert(values)
            household, member, review = parts
            if not (household or member or review or errors):
                self.plan.skipped += 1
                continue
            bad = {e[0] for e in errors}
            if not (IDENTITY & (member.keys() | bad)):
                kind, hamlet = self._special(values)
                if kind:
                    self.plan.skipped += 1
                    if kind == "footer":
                        stopped = True
                        self.issues.warning(number, None, N_("Bỏ qua phần cuối bảng (chữ ký, xác "
                                                             "nhận) từ dòng %(row)s."), row=number)
                    elif kind == "section":
                        section = hamlet
                    continue
            for name, message, args in errors:
                self.issues.error(number, name, message, **args)
            parsed.append(Row(number, household, member, review, bad, section))
        if progress:
            progress(self.plan.rows_read)
        for group in self._groups(parsed):
            household = self._household(group)
            if household is not None:
                self.plan.households.append(household)
        self._duplicates()
        return self.plan

    def _convert(self, values):
        parts, errors, n = ({}, {}, {}), [], len(values)
        for col, name, fn, part in self.columns:
            if col >= n:
                continue
            value = values[col]
            if value is None or (value.__class__ is str and not value.strip()):
                continue
            try:
                parts[part][name] = fn(value)
            except Bad as exc:
                errors.append((name, exc.message, exc.args_))
        return parts, errors

    def _special(self, values):
        """A row without anyone's birth data or CCCD may be the signature block (stop there),
        a totals row, or a group row naming a hamlet ("I. Thôn Đông") — or a real row with
        errors to report (None)."""
        texts = [cell_text(v) for v in values if cell_text(v)]
        if not texts:
            return "blank", None
        first = heading_key(texts[0])
        if FOOTER.match(first):
            return "footer", None
        if TOTALS.match(first):
            return "total", None
        if len(texts) <= 2:
            try:
                return "section", self.ctx.hamlet(texts[-1].split(".", 1)[-1])
            except Bad:
                pass
        return None, None

    # Households ---------------------------------------------------------------------------

    def _groups(self, parsed):
        codes = [r.household.get("household_code") for r in parsed]
        repeated = len({c for c in codes if c}) < len([c for c in codes if c])
        member_mode = ("relationship" in self.mapped or {"full_name", "head_name"} <= self.mapped
                       or (repeated and "full_name" in self.mapped))
        if not member_mode:
            return [[r] for r in parsed]
        self.plan.mode = MEMBER
        if "relationship" not in self.mapped and parsed:
            self.issues.warning(parsed[0].number, "relationship", N_(
                "Không có cột quan hệ với chủ hộ: người ở dòng đầu của mỗi hộ được coi là chủ hộ, "
                "những người khác ghi quan hệ “Khác”."))
        groups, by_code, current = [], {}, None
        for row in parsed:
            code = row.household.get("household_code")
            head_row = row.member.get("relationship") == "head"
            if code:
                current = by_code.get(code)
                if current is None:
                    current = by_code[code] = []
                    groups.append(current)
            elif head_row and "household_code" not in row.bad:
                # No code on a head's row: a new household (the system gives it a code); the
                # rows under it without a code are its members.
                current = []
                groups.append(current)
            elif "household_code" not in self.mapped and (current is None or (
                    "relationship" not in self.mapped and row.household.get("head_name"))):
                current = []
                groups.append(current)
            if current is None:
                self.issues.error(row.number, "household_code", N_(
                    "Dòng thành viên không thuộc hộ nào (thiếu mã hộ, hoặc chưa có dòng chủ hộ "
                    "phía trên)."))
                continue
            current.append(row)
        return groups

    def _household(self, rows):
        hh = HouseholdIn([r.number for r in rows], errors=any(r.bad for r in rows))
        values = hh.values
        for row in rows:
            for name, value in row.household.items():
                if name in values:
                    if values[name] != value and name != "head_name":
                        self._error(hh, row.number, name, N_("Khác với dòng %(row)s của cùng hộ."),
                                    row=hh.row)
                else:
                    values[name] = value
        hamlet_id = hh.values.pop("hamlet", None) or rows[0].section or (
            self.ctx.default_hamlet or {}).get("id")
        if hamlet_id is None and not any("hamlet" in r.bad for r in rows):
            self._error(hh, hh.row, "hamlet", N_("Thiếu thôn: thêm cột Thôn vào tệp hoặc chọn một "
                                                 "thôn cho cả tệp."))
        elif hamlet_id is not None:
            hh.values["hamlet_id"] = hamlet_id
            hh.place = self.ctx.hamlets[hamlet_id]["place"]
        members = [m for m in (self._member(hh, r, i, len(rows) == 1 and self.plan.mode == HOUSEHOLD)
                               for i, r in enumerate(rows)) if m is not None]
        heads = [m for m in members if m[1].get("relationship_code") == "head"]
        if len(heads) != 1 and members:
            self._error(hh, hh.row, "relationship", N_("Mỗi hộ phải có đúng một chủ hộ (hộ này có "
                                                       "%(n)s)."), n=len(heads))
        if not members:
            return hh if hh.errors else None
        members.sort(key=lambda m: m[1].get("relationship_code") != "head")
        hh.members = members
        head = hh.head
        given_head = hh.values.get("head_name")
        if given_head and fold(given_head) != fold(head["full_name"]):
            self.issues.warning(hh.row, "head_name", N_("Họ tên chủ hộ “%(given)s” khác tên người "
                                                        "ghi là chủ hộ “%(head)s”."),
                                given=given_head, head=head["full_name"])
        hh.values["head_name"] = head["full_name"]
        if "is_female_headed" not in hh.values and head.get("sex"):
            hh.values["is_female_headed"] = head["sex"] == "F"
        if "is_ethnic_minority" not in hh.values and head.get("ethnicity_code"):
            hh.values["is_ethnic_minority"] = head["ethnicity_code"] != self.ctx.kinh
        self._review(hh, rows)
        return hh

    def _error(self, hh, line, name, message, **args):
        hh.errors = True
        self.issues.error(line, name, message, **args)

    # Duplicates inside the file ---------------------------------------------------------------

    def _duplicates(self):
        codes, cccds, heads = {}, {}, {}
        for hh in self.plan.households:
            code = hh.values.get("household_code")
            if code and self.plan.mode == HOUSEHOLD:
                if code in codes:
                    self._error(hh, hh.row, "household_code", N_("Mã hộ trùng với dòng %(row)s."),
                                row=codes[code])
                codes.setdefault(code, hh.row)
            seen_people = {}
            for row, m in hh.members:
                number = m.get("id_number")
                if number:
                    if number in cccds:
                        self._error(hh, row, "id_number", N_("Số CCCD trùng với dòng %(row)s."),
                                    row=cccds[number])
                    cccds.setdefault(number, row)
                person = (m["name_folded"], m.get("birth_year"))
                if person in seen_people:
                    self._error(hh, row, "full_name", N_("Thành viên trùng với dòng %(row)s "
                                                         "(cùng họ tên và năm sinh)."),
                                row=seen_people[person])
                seen_people.setdefault(person, row)
            if not code and hh.members and not hh.head.get("id_number"):
                key = (hh.head["name_folded"], hh.head.get("birth_year"), hh.values.get("hamlet_id"))
                if key in heads:
                    self._error(hh, hh.row, "head_name", N_("Trùng chủ hộ (họ tên, năm sinh, thôn) "
                                                            "với dòng %(row)s."), row=heads[key])
                heads.setdefault(key, hh.row)
