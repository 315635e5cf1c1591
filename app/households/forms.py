"""Household and member forms. Messages are Vietnamese; choices come from lookups and scope."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                ValidationError)

from app.core import clock, lookups
from app.core.forms import AppForm, VNDateField, not_in_future
from app.households import checks

REQUIRED = _l("Không được để trống.")


class HouseholdForm(AppForm):
    version = HiddenField()
    code = StringField(_l("Mã hộ"), validators=[DataRequired(REQUIRED), Length(max=30)])
    hamlet_id = SelectField(_l("Thôn/tổ dân phố"), coerce=str,
                            validators=[DataRequired(REQUIRED)])
    head_name = StringField(_l("Họ tên chủ hộ"), validators=[DataRequired(REQUIRED), Length(max=120)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=255)])
    is_ethnic_minority = BooleanField(_l("Hộ dân tộc thiểu số"))
    is_female_headed = BooleanField(_l("Phụ nữ làm chủ hộ"))
    has_no_labour_capacity = BooleanField(_l("Hộ không còn khả năng lao động"))
    policy_group = SelectField(_l("Nhóm chính sách"), validators=[Optional()])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def validate_code(self, field):
        field.data = (field.data or "").strip().upper()
        if not re.fullmatch(r"[A-Z0-9._-]+", field.data):
            raise ValidationError(_l("Mã hộ chỉ gồm chữ cái không dấu, số và . _ -"))

    def fill_choices(self, hamlets):
        self.hamlet_id.choices = [("", _l("— Chọn thôn —"))] + [(str(h.id), h.name) for h in hamlets]
        self.policy_group.choices = lookups.choices("policy_group", blank=_l("Chưa xác định"))


class NewHouseholdForm(HouseholdForm):
    """Creating a case also creates its head as the first member: who they are, not a guess."""
    head_sex = SelectField(_l("Giới tính chủ hộ"), choices=[("M", _l("Nam")), ("F", _l("Nữ"))],
                           validators=[InputRequired(REQUIRED)])
    head_birth_year = IntegerField(_l("Năm sinh chủ hộ"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1900, max=clock.today().year,
                                             message=_l("Năm sinh phải từ 1900 đến năm hiện tại."))])


class MemberForm(AppForm):
    version = HiddenField()
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    birth_date = VNDateField(_l("Ngày sinh"), validators=[Optional(), not_in_future])
    birth_year = IntegerField(_l("Năm sinh"), validators=[
        Optional(), NumberRange(min=1900, max=clock.today().year,
                                message=_l("Năm sinh phải từ 1900 đến năm hiện tại."))])
    sex = SelectField(_l("Giới tính"), choices=[("M", _l("Nam")), ("F", _l("Nữ"))],
                      validators=[InputRequired(REQUIRED)])
    relationship_code = SelectField(_l("Quan hệ với chủ hộ"), validators=[InputRequired(REQUIRED)])
    ethnicity_code = SelectField(_l("Dân tộc"), validators=[Optional()])
    id_number = StringField(_l("Số CCCD"), validators=[Optional(), Length(max=20)])
    has_disability = BooleanField(_l("Người khuyết tật"))
    disability_note = StringField(_l("Dạng, mức độ khuyết tật"), validators=[Optional(), Length(max=255)])
    health_insurance_number = StringField(_l("Số thẻ BHYT"), validators=[Optional(), Length(max=20)])
    health_insurance_expiry = VNDateField(_l("Hạn thẻ BHYT"), validators=[Optional()])
    schooling_code = SelectField(_l("Trình độ/tình trạng đi học"), validators=[Optional()])
    work_status_code = SelectField(_l("Tình trạng việc làm"), validators=[Optional()])
    merit_category = SelectField(_l("Người có công (diện)"), validators=[Optional()])
    merit_relation = SelectField(_l("Quan hệ"), validators=[Optional()])
    merit_benefit = SelectField(_l("Chế độ đang hưởng"), validators=[Optional()])

    def fill_choices(self):
        none = _l("— Không —")
        self.relationship_code.choices = lookups.choices("relationship")
        self.ethnicity_code.choices = lookups.choices("ethnicity", blank=none)
        self.schooling_code.choices = lookups.choices("schooling", blank=none)
        self.work_status_code.choices = lookups.choices("work_status", blank=none)
        self.merit_category.choices = lookups.choices("merit_category", blank=none)
        self.merit_relation.choices = lookups.choices("merit_relation", blank=none)
        self.merit_benefit.choices = lookups.choices("merit_benefit", blank=none)

    def validate(self, extra_validators=None):
        # Rules across fields live here: an Optional() field stops its own validator chain.
        valid = super().validate(extra_validators)
        year, born = self.birth_year, self.birth_date
        if born.data:
            if year.data and year.data != born.data.year:
                year.errors.append(_l("Năm sinh không khớp với ngày sinh."))
            year.data = born.data.year
        elif not year.data and not born.errors and not year.errors:
            year.errors.append(_l("Nhập ngày sinh hoặc năm sinh."))
        if self.merit_category.data and not self.merit_relation.data:
            self.merit_relation.errors.append(_l("Chọn bản thân hay thân nhân người có công."))
        return valid and not year.errors and not self.merit_relation.errors

    def validate_id_number(self, field):
        value = checks.normalise_id_number(field.data)
        field.data = value or None
        if not value:
            return
        year = self.birth_date.data.year if self.birth_date.data else self.birth_year.data
        problem = checks.id_number_problem(value, year, self.sex.data)
        if problem:
            raise ValidationError(_l(problem))

    def validate_health_insurance_number(self, field):
        value = checks.normalise_health_insurance(field.data)
        field.data = value or None
        problem = value and checks.health_insurance_problem(value)
        if problem:
            raise ValidationError(_l(problem))


class DeleteForm(AppForm):
    version = HiddenField()
    reason = StringField(_l("Lý do xóa"), validators=[DataRequired(REQUIRED), Length(min=5, max=500,
                         message=_l("Lý do từ 5 đến 500 ký tự."))])
