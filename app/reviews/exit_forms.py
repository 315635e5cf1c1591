"""Exit-proposal forms: propose, record the decision, withdraw."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.core import clock
from app.core.forms import AppForm, VNDateField, not_in_future
from app.reviews.forms import REQUIRED, STATUS_CHOICES


def not_after_next_year(form, field):
    if field.data and field.data > clock.today().year + 1:
        raise ValidationError(_l("Năm không hợp lệ."))


class ExitProposalForm(AppForm):
    # InputRequired, not DataRequired: an unreadable value keeps its own message.
    year = IntegerField(_l("Năm xét thoát nghèo"), validators=[
        InputRequired(REQUIRED), NumberRange(min=2000, max=2100, message=_l("Năm không hợp lệ.")),
        not_after_next_year])
    to_status = SelectField(_l("Đề nghị chuyển thành"), choices=STATUS_CHOICES[1:])
    evidence = TextAreaField(_l("Căn cứ, minh chứng"), validators=[
        DataRequired(REQUIRED), Length(min=10, max=4000, message=_l("Căn cứ từ 10 đến 4000 ký tự."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def fill_choices(self, targets):
        """`targets`: the statuses the household may be proposed to (exits.EXIT_TARGETS)."""
        self.to_status.choices = [(v, label) for v, label in STATUS_CHOICES if v in targets]


class ExitDecisionForm(AppForm):
    version = HiddenField()
    decision_number = StringField(_l("Số quyết định"), validators=[DataRequired(REQUIRED), Length(max=60)])
    decision_date = VNDateField(_l("Ngày quyết định"), validators=[InputRequired(REQUIRED), not_in_future])


class ExitWithdrawForm(AppForm):
    version = HiddenField()
    reason = StringField(_l("Lý do rút đề nghị"), validators=[DataRequired(REQUIRED), Length(max=500)])
