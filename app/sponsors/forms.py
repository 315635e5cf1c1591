"""Sponsor directory, assignment and sponsor-portal forms. Messages in Vietnamese; choices come
from the user's scope (sponsors_in_scope, units_in_scope, the sponsor's own plan items)."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (DataRequired, Length, Optional, Regexp, StopValidation,
                                ValidationError)

from app.core import lookups
from app.core.forms import AppForm, VNDateField, not_in_future
from app.reviews.forms import MoneyField
from app.sponsors.models import KIND_LABELS

REQUIRED = _l("Không được để trống.")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def date_required(form, field):
    """A date that could not be read keeps its own message ("Ngày không hợp lệ…"); a blank
    one is required."""
    if field.process_errors:
        raise StopValidation()
    if field.data is None:
        raise StopValidation(REQUIRED)


class SponsorForm(AppForm):
    name = StringField(_l("Tên nhà tài trợ"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Loại"), choices=[(k, _l(v)) for k, v in KIND_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    home_unit_id = SelectField(_l("Địa bàn"), validators=[DataRequired(REQUIRED)])
    contact_person = StringField(_l("Người liên hệ"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Điện thoại"), validators=[
        Optional(), Length(max=30),
        Regexp(r"^\+?[0-9 ]+$", message=_l("Số điện thoại chỉ gồm chữ số, dấu cách và dấu + ở đầu."))])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=255)])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)

    def validate_phone(self, field):
        digits = re.sub(r"\D", "", field.data or "")
        if field.data and not 8 <= len(digits) <= 15:
            raise ValidationError(_l("Số điện thoại cần từ 8 đến 15 chữ số."))

    def validate_email(self, field):
        field.data = (field.data or "").strip()
        if field.data and not EMAIL.match(field.data):
            raise ValidationError(_l("Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@congty.vn)."))

    def fill_choices(self, units):
        self.home_unit_id.choices = [(str(u.id), f"{u.name} ({_l(u.level_label)})") for u in units]


class AssignForm(AppForm):
    """A sponsor adopts the household from a day, with what it commits to."""
    sponsor_id = SelectField(_l("Nhà tài trợ"), validators=[DataRequired(REQUIRED)])
    starts_on = VNDateField(_l("Đỡ đầu từ ngày"), validators=[date_required])
    commitment = TextAreaField(_l("Cam kết hỗ trợ"), validators=[DataRequired(REQUIRED),
                                                                 Length(max=2000)])

    def fill_choices(self, sponsors):
        self.sponsor_id.choices = [("", _l("— Chọn nhà tài trợ —"))] + [
            (str(s.id), f"{s.name} ({_l(s.kind_label)})") for s in sponsors]


class EndAssignmentForm(AppForm):
    version = HiddenField()
    ends_on = VNDateField(_l("Đỡ đầu đến hết ngày"), validators=[date_required,
                                                                   not_in_future])
    reason = StringField(_l("Lý do kết thúc"), validators=[DataRequired(REQUIRED), Length(max=500)])


class PortalSupportForm(AppForm):
    """What a sponsor logs from its phone: pending until the commune verifies it."""
    delivered_on = VNDateField(_l("Ngày hỗ trợ"), validators=[date_required, not_in_future])
    type_code = SelectField(_l("Loại hỗ trợ"), validators=[DataRequired(REQUIRED)])
    description = TextAreaField(_l("Nội dung"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    quantity = StringField(_l("Số lượng"), validators=[Optional(), Length(max=30)])
    unit = StringField(_l("Đơn vị tính"), validators=[Optional(), Length(max=30)])
    value_vnd = MoneyField(_l("Giá trị (đồng)"))
    plan_item_id = SelectField(_l("Thuộc kế hoạch hỗ trợ"), validators=[Optional()])
    evidence = FileField(_l("Ảnh hoặc chứng từ (không bắt buộc)"))

    def fill_choices(self, plan_items):
        self.type_code.choices = {None: [("", _l("— Chọn loại hỗ trợ —"))]}
        self.type_code.choices.update(
            {group: items for group, items in lookups.grouped_choices("support_type", "support_group")
             if items})
        self.plan_item_id.choices = [("", _l("— Không thuộc kế hoạch —"))] + [
            (str(p.id), p.action if len(p.action) <= 80 else p.action[:79] + "…") for p in plan_items]

    def validate_quantity(self, field):
        raw = (field.data or "").strip().replace(",", ".")
        if raw and not re.fullmatch(r"\d{1,9}(\.\d{1,3})?", raw):
            raise ValidationError(_l("Số lượng phải là số, ví dụ 2 hoặc 1,5."))
        field.data = raw or None

    def validate_value_vnd(self, field):
        if field.errors:   # could not be read: MoneyField's own message stands
            return
        if field.data is None:
            raise ValidationError(_l("Nhập giá trị hỗ trợ (đồng), ví dụ 24.000.000."))
        if field.data < 0:
            raise ValidationError(_l("Giá trị hỗ trợ không được âm."))
