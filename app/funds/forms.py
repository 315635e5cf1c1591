"""Fund forms: a fund, a receipt, a non-household spend, a transfer, a reversal, a review
comment. Field names are the service's data keys; the services check the rules again."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.core.forms import AppForm, VNDateField, not_in_future
from app.extensions import db
from app.funds.models import DONOR_KIND_LABELS, FUND_KIND_LABELS
from app.reviews.forms import MoneyField
from app.supports.models import FundingSource

REQUIRED = _l("Không được để trống.")


def positive(form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("Số tiền phải lớn hơn 0."))


def _amount_field():
    return MoneyField(_l("Số tiền (đồng)"), validators=[InputRequired(REQUIRED), positive])


def _date_field(label=_l("Ngày")):
    return VNDateField(label, validators=[InputRequired(REQUIRED), not_in_future],
                       default=date.today)


class FundForm(AppForm):
    kind = SelectField(_l("Loại quỹ"), choices=[(k, _l(v)) for k, v in FUND_KIND_LABELS.items()],
                       validators=[InputRequired(REQUIRED)])
    name = StringField(_l("Tên quỹ (để trống: theo loại quỹ và đơn vị)"),
                       validators=[Optional(), Length(max=200)])
    funding_source_code = SelectField(_l("Nguồn kinh phí của hỗ trợ chi từ quỹ"),
                                      validators=[Optional()])

    def fill_choices(self):
        rows = db.session.execute(select(FundingSource.code, FundingSource.label).where(
            FundingSource.category == "fund", FundingSource.is_active.is_(True))
            .order_by(FundingSource.sort_order)).all()
        self.funding_source_code.choices = [("", _l("— Không gắn nguồn kinh phí —"))] + [
            (code, label) for code, label in rows]


class ReceiptForm(AppForm):
    entry_date = _date_field(_l("Ngày thu"))
    donor_name = StringField(_l("Cơ quan, đơn vị, cá nhân đóng góp"),
                             validators=[DataRequired(REQUIRED), Length(max=200)])
    donor_kind = SelectField(_l("Loại"), choices=[(k, _l(v)) for k, v in DONOR_KIND_LABELS.items()
                                                  if k != "transfer"],
                             validators=[InputRequired(REQUIRED)])
    campaign = StringField(_l("Đợt vận động"), validators=[Optional(), Length(max=200)])
    amount = _amount_field()
    document_number = StringField(_l("Số chứng từ (phiếu thu)"),
                                  validators=[Optional(), Length(max=60)])


class SpendForm(AppForm):
    entry_date = _date_field(_l("Ngày chi"))
    purpose = StringField(_l("Nội dung chi (không theo hộ)"),
                          validators=[DataRequired(REQUIRED), Length(max=2000)])
    amount = _amount_field()
    document_number = StringField(_l("Số chứng từ (phiếu chi)"),
                                  validators=[DataRequired(REQUIRED), Length(max=60)])


class TransferForm(AppForm):
    to_fund_id = SelectField(_l("Chuyển đến quỹ"), validators=[DataRequired(REQUIRED)])
    entry_date = _date_field(_l("Ngày chuyển"))
    amount = _amount_field()
    document_number = StringField(_l("Số chứng từ"), validators=[DataRequired(REQUIRED),
                                                                 Length(max=60)])
    purpose = StringField(_l("Nội dung"), validators=[Optional(), Length(max=2000)])

    def fill_choices(self, targets):
        self.to_fund_id.choices = [("", _l("— Chọn quỹ nhận —"))] + [
            (str(f.id), f"{f.name} ({f.unit.name})") for f in targets]


class ReverseForm(AppForm):
    entry_id = HiddenField()
    reason = StringField(_l("Lý do đảo bút toán"), validators=[
        DataRequired(REQUIRED), Length(min=5, max=500, message=_l("Lý do từ 5 đến 500 ký tự."))])


class CommentForm(AppForm):
    comment = TextAreaField(_l("Ý kiến"), validators=[Optional(), Length(max=2000)])
    # Approving a disbursement the commune has not verified, or without evidence: why.
    reason = StringField(_l("Lý do duyệt chi"), validators=[Optional(), Length(max=500)])
    next = HiddenField()


class PublishForm(AppForm):
    """Publish the disclosure of a period (dates typed dd/mm/yyyy; the service checks them)."""
    start = StringField(_l("Từ ngày"), validators=[Optional(), Length(max=10)])
    end = StringField(_l("Đến ngày"), validators=[Optional(), Length(max=10)])
