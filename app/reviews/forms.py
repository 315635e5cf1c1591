"""Review, round, meeting, request and exit-proposal forms."""

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                StopValidation, ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import lookups
from app.core.forms import AppForm, VNDateField, not_in_future
from app.core.text import parse_vnd
from app.reviews import rules

REQUIRED = _l("Không được để trống.")
STATUS_CHOICES = [("poor", _l("Hộ nghèo")), ("near_poor", _l("Hộ cận nghèo")),
                  ("middle", _l("Hộ có mức sống trung bình")), ("not_poor", _l("Hộ không nghèo"))]


class MoneyField(StringField):
    """VND as officers type it: "1.500.000", "1500000", "1 500 000 đ" → 1500000.
    Rendered with inputmode="numeric": a phone opens its number keypad (every money input of
    the app is a MoneyField, so this is the one place that says it)."""

    def __init__(self, *args, render_kw=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **(render_kw or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw_data = [raw]
        self.data = None
        if raw:
            try:
                self.data = parse_vnd(raw)
            except ValueError:
                raise ValueError(_l("Số tiền không hợp lệ: nhập số đồng, ví dụ 1.500.000.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if self.data is not None else ""


def readable(form, field):
    """After InputRequired: a value that could not be read keeps its own message ("Phải là số
    nguyên.", "Ngày không hợp lệ…") and stops there, before range or cross-field checks."""
    if field.process_errors:
        raise StopValidation()


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReviewForm(AppForm):
    version = HiddenField()
    year = IntegerField(_l("Năm rà soát"), validators=[
        DataRequired(REQUIRED), NumberRange(min=2000, max=2100, message=_l("Năm không hợp lệ."))])
    review_type = SelectField(_l("Loại rà soát"), choices=[
        ("periodic", _l("Định kỳ hằng năm")), ("regular", _l("Thường xuyên (theo đề nghị của hộ)"))])
    review_date = VNDateField(_l("Ngày rà soát"), validators=[InputRequired(REQUIRED), not_in_future])
    income_per_capita = MoneyField(_l("Thu nhập bình quân (đồng/người/tháng)"))
    score_a = IntegerField(_l("Điểm A (thay cho thu nhập)"), validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Điểm A từ 0 đến 1000."))])
    indicators = CheckboxesField(_l("Chỉ số thiếu hụt"), choices=[], validate_choice=False)
    causes = CheckboxesField(_l("Nguyên nhân nghèo"), choices=[])
    has_labour = RadioField(_l("Khả năng lao động"), choices=[
        ("yes", _l("Có lao động")), ("no", _l("Không có khả năng lao động"))], validators=[Optional()])
    policy_group = SelectField(_l("Nhóm chính sách"), validators=[Optional()])
    needs = TextAreaField(_l("Nhu cầu hỗ trợ"), validators=[Optional(), Length(max=2000)])
    decision_number = StringField(_l("Số quyết định công nhận"), validators=[Optional(), Length(max=60)])
    decision_date = VNDateField(_l("Ngày quyết định"), validators=[Optional(), not_in_future])
    decided_status = SelectField(_l("Phân loại theo quyết định"), validators=[Optional()])
    override_reason = StringField(_l("Lý do (khi khác kết quả tính)"), validators=[Optional(), Length(max=500)])

    def fill_choices(self, standard=None):
        self.causes.choices = lookups.choices("poverty_cause")
        self.policy_group.choices = lookups.choices("policy_group", blank=_l("Chưa xác định"))
        self.decided_status.choices = [("", _l("— Chưa có quyết định —"))] + STATUS_CHOICES
        self.indicators.choices = [(i.code, i.label) for i in standard.indicators] if standard else []

    def validate_income_per_capita(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Thu nhập bình quân không được âm."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.income_per_capita.data is None and self.score_a.data is None \
                and not self.income_per_capita.errors and not self.score_a.errors:
            self.income_per_capita.errors.append(_l("Nhập thu nhập bình quân hoặc điểm A."))
            valid = False
        if self.decision_date.data and self.review_date.data and self.decision_date.data < self.review_date.data:
            self.decision_date.errors.append(_l("Ngày quyết định không được trước ngày rà soát."))
            valid = False
        return valid

    @property
    def list_year(self) -> int | None:
        """The year of the lists this review identifies (its standard is that year's)."""
        return rules.list_year(self.year.data) if isinstance(self.year.data, int) else None

    @property
    def labour(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.has_labour.data)


class RoundForm(AppForm):
    """The commune is the officer's own (fixed), never a form field."""
    year = IntegerField(_l("Năm"), validators=[DataRequired(REQUIRED),
                                               NumberRange(min=2000, max=2100, message=_l("Năm không hợp lệ."))])
    starts_on = VNDateField(_l("Bắt đầu"), validators=[Optional()])
    ends_on = VNDateField(_l("Kết thúc"), validators=[Optional()])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class MeetingForm(AppForm):
    hamlet_id = SelectField(_l("Thôn/tổ dân phố"), validators=[DataRequired(REQUIRED)])
    held_on = VNDateField(_l("Ngày họp"), validators=[InputRequired(REQUIRED), readable, not_in_future])
    attendance = IntegerField(_l("Số người dự"), validators=[
        InputRequired(REQUIRED), readable, NumberRange(min=1, max=100000, message=_l("Số người dự phải lớn hơn 0."))])
    agreeing = IntegerField(_l("Số người đồng ý"), validators=[
        InputRequired(REQUIRED), readable, NumberRange(min=0, max=100000, message=_l("Không được âm."))])
    front_supervised = BooleanField(_l("Có MTTQ giám sát"))
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def validate_agreeing(self, field):
        if self.attendance.data and field.data is not None and field.data > self.attendance.data:
            raise ValidationError(_l("Số người đồng ý không được lớn hơn số người dự."))


class RequestForm(AppForm):
    household_code = StringField(_l("Mã hộ"), validators=[DataRequired(REQUIRED), Length(max=30)])
    requested_on = VNDateField(_l("Ngày đề nghị"), validators=[InputRequired(REQUIRED), readable, not_in_future])
    reason = StringField(_l("Lý do đề nghị rà soát"), validators=[DataRequired(REQUIRED), Length(max=500)])
