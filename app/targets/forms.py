"""Target and deadline forms. Numbers are read the way officers type them: "1.220" households,
"1,5" or "1,50 %" percent."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.core.forms import AppForm, VNDateField
from app.targets.queries import KINDS
from app.targets.services import TargetValue

COUNT, PERCENT = "count", "percent"
MODE_CHOICES = [(COUNT, _l("Số hộ")), (PERCENT, _l("Tỷ lệ trên số hộ đầu năm (%)"))]
_COUNT = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)$")
_PERCENT = re.compile(r"^-?\d+([.,]\d+)?$")


def parse_count(raw: str) -> int:
    text = raw.replace(" ", "")
    if not _COUNT.match(text):
        raise ValueError(_l("Số hộ phải là số nguyên (ví dụ 12 hoặc 1.220)."))
    return int(text.replace(".", ""))


def parse_percent(raw: str) -> int:
    """"1,5" / "1.50" / "1,50 %" → 150 basis points; at most two decimals."""
    text = raw.replace(" ", "").rstrip("%")
    if not _PERCENT.match(text):
        raise ValueError(_l("Tỷ lệ phải là số, ví dụ 1,50."))
    whole, _sep, decimals = text.replace(",", ".").partition(".")
    if len(decimals) > 2:
        raise ValueError(_l("Tỷ lệ chỉ ghi tối đa 2 chữ số thập phân."))
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((decimals + "00")[:2]))


class TargetForm(AppForm):
    poor_mode = SelectField(_l("Giảm hộ nghèo"), choices=MODE_CHOICES, default=COUNT)
    poor_value = StringField(_l("Chỉ tiêu giảm hộ nghèo"), validators=[Optional(), Length(max=20)])
    poor_version = HiddenField(default="0")
    near_poor_mode = SelectField(_l("Giảm hộ cận nghèo"), choices=MODE_CHOICES, default=COUNT)
    near_poor_value = StringField(_l("Chỉ tiêu giảm hộ cận nghèo"),
                                  validators=[Optional(), Length(max=20)])
    near_poor_version = HiddenField(default="0")
    merit_poor_mode = SelectField(_l("Giảm hộ nghèo có người có công"), choices=MODE_CHOICES,
                                  default=COUNT)
    merit_poor_value = StringField(_l("Chỉ tiêu giảm hộ nghèo có người có công"),
                                   validators=[Optional(), Length(max=20)])
    merit_poor_version = HiddenField(default="0")
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])

    values: dict[str, TargetValue]

    def fill(self, targets: dict):
        """Show the saved targets (GET)."""
        for kind in KINDS:
            target = targets.get(kind)
            getattr(self, f"{kind}_version").data = str(target.version if target else 0)
            if target is None:
                continue
            if target.count is not None:
                getattr(self, f"{kind}_mode").data = COUNT
                getattr(self, f"{kind}_value").data = str(target.count)
            else:
                getattr(self, f"{kind}_mode").data = PERCENT
                bp = target.percent_bp or 0
                getattr(self, f"{kind}_value").data = f"{bp // 100},{bp % 100:02d}"
            self.note.data = target.note

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.values = {}
        for kind in KINDS:
            field = getattr(self, f"{kind}_value")
            raw = (field.data or "").strip()
            if not raw:
                self.values[kind] = TargetValue()
                continue
            try:
                if getattr(self, f"{kind}_mode").data == PERCENT:
                    self.values[kind] = TargetValue(percent_bp=parse_percent(raw))
                else:
                    self.values[kind] = TargetValue(count=parse_count(raw))
            except ValueError as exc:
                field.errors = list(field.errors) + [str(exc.args[0])]
                ok = False
        return ok

    def versions(self) -> dict[str, int]:
        found = {}
        for kind in KINDS:
            try:
                found[kind] = int(getattr(self, f"{kind}_version").data or 0)
            except ValueError:
                found[kind] = -1
        return found


class DeadlineForm(AppForm):
    """A unit's own deadlines for one year; a blank date falls back to the default."""
    year = IntegerField(_l("Năm"), validators=[Optional()])
    due_6m = VNDateField(_l("Hạn báo cáo 6 tháng"), validators=[Optional()])
    due_9m = VNDateField(_l("Hạn báo cáo 9 tháng"), validators=[Optional()])
    due_annual = VNDateField(_l("Hạn báo cáo năm"), validators=[Optional()])

    def dates(self) -> dict:
        return {"6m": self.due_6m.data, "9m": self.due_9m.data, "annual": self.due_annual.data}


class SubmitForm(AppForm):
    note = TextAreaField(_l("Ghi chú gửi kèm"), validators=[Optional(), Length(max=1000)])


class FiguresForm(AppForm):
    """A unit's total households at the end of a review year ("2.111"; blank: count the app's
    households) and its households in the next plan year ("88.480", or a growth "0,3 %")."""
    households = StringField(_l("Tổng số hộ cuối năm"), validators=[Optional(), Length(max=20)])
    projected = StringField(_l("Số hộ dự kiến năm sau (số hộ, hoặc % tăng)"),
                            validators=[Optional(), Length(max=20)])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])

    total: int | None
    projection: tuple[int | None, int | None]

    def fill(self, total, planned):
        self.households.data = f"{total.households:,}".replace(",", ".") if total else ""
        self.note.data = total.note if total else ""
        if planned is not None and planned.households is not None:
            self.projected.data = f"{planned.households:,}".replace(",", ".")
        elif planned is not None and planned.growth_bp is not None:
            bp = planned.growth_bp
            self.projected.data = f"{'-' if bp < 0 else ''}{abs(bp) // 100},{abs(bp) % 100:02d} %"

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.total, self.projection = None, (None, None)
        raw = (self.households.data or "").strip()
        try:
            self.total = parse_count(raw) if raw else None
        except ValueError as exc:
            self.households.errors = list(self.households.errors) + [str(exc.args[0])]
            ok = False
        raw = (self.projected.data or "").strip()
        try:
            if raw.endswith("%"):
                self.projection = (None, parse_percent(raw))
            elif raw:
                self.projection = (parse_count(raw), None)
        except ValueError as exc:
            self.projected.errors = list(self.projected.errors) + [str(exc.args[0])]
            ok = False
        return ok
