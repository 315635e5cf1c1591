"""The review rules of app.reviews, applied to a household of the file: the standard of the
year, its indicators (numbers, codes or labels; marks in indicator columns), income or score A,
rules.classify, a decided status differing from the computed one needs a reason, a decided
status needs the decision's number and date."""
from app.core.i18n import N_
from app.imports.mapping import INDICATOR_PREFIX
from app.reviews import rules
from app.reviews.labels import STATUS_LABELS
from app.reviews.rules import RuleError


class ReviewRules:
    """Mixed into validate._Check (self.ctx, self.issues, self.today, self.classified, _error)."""

    def _review(self, hh, rows):
        got, marks, any_mark = {}, [], False
        for row in rows:
            for name, value in row.review.items():
                if name[:4] == INDICATOR_PREFIX:
                    any_mark = True
                    if value:
                        marks.append(name[4:])
                elif name not in got:
                    got[name] = value
        if not got and not any_mark:
            return
        ctx, options, n = self.ctx, self.ctx.options, hh.row
        if ctx.standard is None:
            self._error(hh, n, "status", ctx.standard_error)
            return
        codes = list(dict.fromkeys(got.get("deprivations", []) + marks))
        foreign = [c for c in codes if c not in ctx.indicators]
        if foreign:
            self._error(hh, n, INDICATOR_PREFIX + foreign[0], N_(
                "Chỉ số “%(value)s” không thuộc chuẩn nghèo %(years)s."),
                value=ctx.indicator_labels.get(foreign[0], foreign[0]), years=ctx.standard.years_label)
            return
        income, score_a = got.get("income"), got.get("score_a")
        if income is None and score_a is None:
            self._error(hh, n, "income", N_("Nhập thu nhập bình quân hoặc điểm A."))
            return
        area = "urban" if hh.place and ctx.hamlets[hh.values["hamlet_id"]]["is_urban"] else "rural"
        key = (area, tuple(sorted(codes)), income, score_a)   # a pure rule: same input, same answer
        result = self.classified.get(key)
        if result is None:
            try:
                result = self.classified[key] = rules.classify(
                    ctx.standard, area, [ctx.indicators[c] for c in codes], income, score_a)
            except RuleError as exc:
                self._error(hh, n, "income", str(exc))
                return
        if "deprivation_count" in got and got["deprivation_count"] != len(codes) \
                and got["deprivation_count"] != result.score_b:
            self.issues.warning(n, "deprivation_count", N_("Số chỉ số thiếu hụt ghi trong tệp "
                                                           "(%(given)s) khác số chỉ số được đánh "
                                                           "dấu (%(counted)s)."),
                                given=got["deprivation_count"], counted=len(codes))
        decided = got.get("status")
        reason = got.get("override_reason")
        if decided and decided != result.status and not reason:
            self._error(hh, n, "status", N_("Phân loại được quyết định khác với kết quả tính theo "
                                            "chuẩn (%(computed)s): cần ghi lý do."),
                        computed=STATUS_LABELS.get(result.status, result.status))
        number = got.get("decision_number") or options.decision_number
        decided_on = got.get("decision_date") or options.decision_date
        if decided and not (number and decided_on):
            self._error(hh, n, "decision_number", N_("Cần số và ngày quyết định công nhận của UBND "
                                                     "xã (cột trong tệp, hoặc nhập cho cả tệp)."))
        if decided_on and (decided_on > self.today or decided_on < options.review_date):
            self._error(hh, n, "decision_date", N_("Ngày quyết định không được ở tương lai hay "
                                                   "trước ngày rà soát."))
        no_labour = hh.values.get("has_no_labour_capacity")
        hh.review = {
            "year": options.year, "area": area, "income": income, "score_a": score_a,
            "codes": codes, "causes": list(dict.fromkeys(got.get("causes", []))),
            "computed": result.status, "score_b": result.score_b, "dimensions": result.dimensions,
            "decided": decided, "decision_number": number if decided or number else None,
            "decision_date": decided_on, "override_reason": reason if decided and decided != result.status else None,
            "has_labour": None if no_labour is None else not no_labour,
            "policy_group": hh.values.get("policy_group")}
