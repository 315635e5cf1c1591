"""Upload and check forms. The column → field choices are read from the request by the route
(one select per column of the file); everything else is a WTForms field."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import AppForm, VNDateField, not_in_future

REQUIRED = _l("Không được để trống.")


class UploadForm(AppForm):
    file = FileField(_l("Tệp danh sách (.xlsx hoặc .csv)"),
                     validators=[FileRequired(_l("Chọn tệp cần nhập."))])


class CheckForm(AppForm):
    sheet = IntegerField(validators=[Optional()])
    year = IntegerField(_l("Năm rà soát của kết quả trong tệp"), validators=[
        InputRequired(REQUIRED), NumberRange(min=2000, max=2100, message=_l("Năm không hợp lệ."))])
    review_date = VNDateField(_l("Ngày rà soát"), validators=[InputRequired(REQUIRED), not_in_future])
    decision_number = StringField(_l("Số quyết định công nhận (cho cả tệp)"),
                                  validators=[Optional(), Length(max=60)])
    decision_date = VNDateField(_l("Ngày quyết định"), validators=[Optional(), not_in_future])
    hamlet_id = SelectField(_l("Thôn cho cả tệp (khi tệp không có cột thôn)"), validators=[Optional()])
    mapping_name = StringField(_l("Lưu cách ghép cột với tên (để dùng lại năm sau)"),
                               validators=[Optional(), Length(max=120)])

    def validate_decision_date(self, field):
        if field.data and self.review_date.data and field.data < self.review_date.data:
            raise ValidationError(_l("Ngày quyết định không được trước ngày rà soát."))


class CommitForm(AppForm):
    dry_run = BooleanField(_l("Chỉ chạy thử"))
