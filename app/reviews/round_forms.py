"""Forms of a round's later steps: public posting, complaints, the commune's decision and the
per-household choices when it is applied."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import AppForm, VNDateField, not_in_future
from app.reviews.forms import REQUIRED, readable
from app.reviews.round_decision import Choice


class PostingForm(AppForm):
    hamlet_id = SelectField(_l("Thôn/tổ dân phố"), validators=[DataRequired(REQUIRED)])
    place = StringField(_l("Nơi niêm yết"), validators=[DataRequired(REQUIRED), Length(max=200)])
    posted_from = VNDateField(_l("Niêm yết từ ngày"), validators=[InputRequired(REQUIRED), readable,
                                                                   not_in_future])
    posted_to = VNDateField(_l("Đến ngày"), validators=[InputRequired(REQUIRED), readable])
    front_supervised = BooleanField(_l("Có MTTQ giám sát"))
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


class ComplaintForm(AppForm):
    received_on = VNDateField(_l("Ngày nhận"), validators=[InputRequired(REQUIRED), readable,
                                                           not_in_future])
    complainant = StringField(_l("Người khiếu nại, kiến nghị"),
                              validators=[DataRequired(REQUIRED), Length(max=200)])
    content = TextAreaField(_l("Nội dung"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class ResolveForm(AppForm):
    resolved_on = VNDateField(_l("Ngày giải quyết"), validators=[InputRequired(REQUIRED), readable,
                                                                 not_in_future])
    resolution = TextAreaField(_l("Kết quả giải quyết"),
                               validators=[DataRequired(REQUIRED), Length(max=4000)])


class DecisionForm(AppForm):
    number = StringField(_l("Số quyết định"), validators=[DataRequired(REQUIRED), Length(max=60)])
    decided_on = VNDateField(_l("Ngày quyết định"), validators=[InputRequired(REQUIRED), readable,
                                                                not_in_future])
    list_year = IntegerField(_l("Danh sách năm"), validators=[
        InputRequired(REQUIRED), readable,
        NumberRange(min=2000, max=2101, message=_l("Năm không hợp lệ."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_choices(formdata) -> list[Choice]:
    """The households listed on the decision page (`household`), each with the version of its
    review shown (`version-<id>`) and the officer's exception (`exclude-<id>`, `status-<id>`,
    `reason-<id>`). Ids that are not numbers are dropped; the rest are checked against the
    round by the service."""
    choices = []
    for hid in dict.fromkeys(_int(v) for v in formdata.getlist("household")):
        if hid is None:
            continue
        choices.append(Choice(household_id=hid, version=_int(formdata.get(f"version-{hid}")),
                              exclude=bool(formdata.get(f"exclude-{hid}")),
                              status=(formdata.get(f"status-{hid}") or "").strip() or None,
                              reason=" ".join((formdata.get(f"reason-{hid}") or "").split())))
    return choices
