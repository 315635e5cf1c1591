"""Admin forms for a poverty standard: its numbers and area lines, and one indicator label.
Each field is checked alone here; rules across fields live in reviews.standards.check()."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import AppForm
from app.core.text import clean
from app.reviews.forms import REQUIRED, MoneyField

LABEL_MAX = 200


def positive(form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("Phải là số nguyên dương."))


def _money(label, required=False):
    return MoneyField(label, validators=[InputRequired(REQUIRED) if required else Optional(),
                                         positive])


def _score_a(label):
    return IntegerField(label, validators=[Optional(), NumberRange(
        min=1, max=1000, message=_l("Điểm A phải là số nguyên từ 1 đến 1000."))])


def _year(label):
    return IntegerField(label, validators=[InputRequired(REQUIRED), NumberRange(
        min=2000, max=2100, message=_l("Năm phải từ 2000 đến 2100."))])


class StandardForm(AppForm):
    name = StringField(_l("Tên chuẩn nghèo"), filters=[clean],
                       validators=[DataRequired(REQUIRED), Length(max=200)])
    legal_basis = StringField(_l("Căn cứ pháp lý"), filters=[clean],
                              validators=[DataRequired(REQUIRED), Length(max=200)])
    list_year_from = _year(_l("Áp dụng cho danh sách từ năm"))
    list_year_to = _year(_l("Đến danh sách năm"))
    is_provisional = BooleanField(_l("Tạm tính (văn bản chưa được kiểm tra)"))
    deprivation_threshold = IntegerField(_l("Ngưỡng thiếu hụt (số chỉ số)"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=20, message=_l("Ngưỡng thiếu hụt từ 1 đến 20."))])
    points_per_indicator = IntegerField(_l("Điểm B mỗi chỉ số thiếu hụt"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=100, message=_l("Điểm mỗi chỉ số từ 1 đến 100."))])
    note = TextAreaField(_l("Ghi chú"), filters=[lambda s: (s or "").strip()],
                         validators=[Optional(), Length(max=2000)])

    rural_poor_by_income = _money(_l("Mức nghèo theo thu nhập"))
    rural_line = _money(_l("Mức chuẩn nghèo"), required=True)
    rural_middle_line = _money(_l("Mức sống trung bình"))
    rural_score_a_line = _score_a(_l("Ngưỡng điểm A"))
    urban_poor_by_income = _money(_l("Mức nghèo theo thu nhập"))
    urban_line = _money(_l("Mức chuẩn nghèo"), required=True)
    urban_middle_line = _money(_l("Mức sống trung bình"))
    urban_score_a_line = _score_a(_l("Ngưỡng điểm A"))

    def validate_list_year_to(self, field):
        if field.data is not None and self.list_year_from.data is not None \
                and field.data < self.list_year_from.data:
            raise ValidationError(_l("Năm kết thúc không được trước năm bắt đầu."))


class IndicatorLabelForm(AppForm):
    label = StringField(_l("Nhãn chỉ số"), filters=[clean], validators=[
        DataRequired(REQUIRED),
        Length(max=LABEL_MAX, message=_l("Nhãn không được dài quá 200 ký tự."))])
