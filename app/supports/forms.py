"""Plan item, draft, support, reversal and rejection forms. The forms read and check the shape
of the input; the rules (codes exist, credit fields, whose plan item, which sponsor) live in
the services, whose refusals are shown on the field they name."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.core import clock, lookups
from app.core.forms import AppForm, VNDateField, not_in_future
from app.core.lookups import Lookup
from app.extensions import db
from app.reviews.forms import REQUIRED, CheckboxesField, MoneyField, readable
from app.supports.models import PLAN_STATUS_LABELS, FundingSource
from app.sponsors.scope import sponsors_in_scope


def sponsor_choices(blank):
    from app.sponsors.models import Sponsor
    rows = db.session.scalars(sponsors_in_scope().where(Sponsor.is_active.is_(True))
                              .order_by(Sponsor.name_folded)).all()
    return [("", blank)] + [(str(s.id), s.name) for s in rows]


NEED_REQUIRED = _l("Chọn nhu cầu (chỉ số thiếu hụt hoặc nguyên nhân nghèo).")


class PlanItemForm(AppForm):
    version = HiddenField()
    need = SelectField(_l("Nhu cầu (thiếu hụt / nguyên nhân)"), validate_choice=False,
                       validators=[InputRequired(NEED_REQUIRED)])
    action = TextAreaField(_l("Biện pháp, hoạt động hỗ trợ"),
                           validators=[InputRequired(REQUIRED), Length(max=2000)])
    responsible_name = StringField(_l("Người phụ trách"), validators=[Optional(), Length(max=200)])
    responsible_sponsor_id = SelectField(_l("Nhà tài trợ phụ trách"), validate_choice=False)
    due_on = VNDateField(_l("Thời hạn"), validators=[InputRequired(REQUIRED), readable])
    status = SelectField(_l("Tình trạng"), choices=list(PLAN_STATUS_LABELS.items()))
    dropped_reason = StringField(_l("Lý do dừng"), validators=[Optional(), Length(max=500)])

    def fill_choices(self, needs):
        deprived, other, causes, other_causes = [], [], [], []
        for n in needs:
            bucket = (deprived if n.deprived else other) if n.kind == "indicator" else \
                (causes if n.deprived else other_causes)
            bucket.append((n.value, n.label))
        groups = {str(_l("Chỉ số thiếu hụt (rà soát gần nhất)")): deprived,
                  str(_l("Nguyên nhân nghèo đã ghi nhận")): causes,
                  str(_l("Chỉ số khác của chuẩn nghèo")): other,
                  str(_l("Nguyên nhân khác")): other_causes}
        # A blank first choice: the browser would otherwise preselect the first need.
        self.need.choices = {"": [("", _l("— Chọn nhu cầu —"))],
                             **{label: rows for label, rows in groups.items() if rows}}
        self.responsible_sponsor_id.choices = sponsor_choices(_l("— Không —"))

    @property
    def data_for_service(self) -> dict:
        return {k: getattr(self, k).data for k in (
            "need", "action", "responsible_name", "responsible_sponsor_id", "due_on", "status",
            "dropped_reason")}


class DraftForm(AppForm):
    accepted = CheckboxesField(_l("Gợi ý"), choices=[], validate_choice=False)
    due_on = VNDateField(_l("Thời hạn chung"), validators=[InputRequired(REQUIRED), readable])
    responsible_name = StringField(_l("Người phụ trách"), validators=[InputRequired(REQUIRED),
                                                                      Length(max=200)])


def support_type_choices():
    return {label: rows for label, rows in lookups.grouped_choices("support_type", "support_group")
            if rows}


def programme_choices():
    """The programme tree as optgroups: each programme, then its projects."""
    rows = db.session.execute(select(Lookup.code, Lookup.label, Lookup.parent_code).where(
        Lookup.kind == "programme", Lookup.is_active.is_(True)).order_by(Lookup.sort_order)).all()
    groups = {}
    for code, label, parent in rows:
        if parent is None:
            groups[label] = [(code, _l("%(label)s — chung", label=label))]
    for code, label, parent in rows:
        if parent is not None:
            parent_label = next((lbl for c, lbl, p in rows if c == parent), None)
            if parent_label in groups:
                groups[parent_label].append((code, label))
    return {"": [("", _l("— Không —"))], **groups}


def funding_sources() -> list[FundingSource]:
    return db.session.scalars(select(FundingSource).where(FundingSource.is_active.is_(True))
                              .order_by(FundingSource.sort_order)).all()


class SupportForm(AppForm):
    delivered_on = VNDateField(_l("Ngày hỗ trợ"), validators=[InputRequired(REQUIRED), readable,
                                                              not_in_future])
    type_code = SelectField(_l("Loại hỗ trợ"), validate_choice=False,
                            validators=[InputRequired(REQUIRED)])
    description = TextAreaField(_l("Mô tả"), validators=[Optional(), Length(max=2000)])
    quantity = StringField(_l("Số lượng"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Đơn vị tính"), validators=[Optional(), Length(max=30)])
    value_vnd = MoneyField(_l("Giá trị (đồng)"), validators=[InputRequired(REQUIRED), readable])
    funding_source_code = SelectField(_l("Nguồn kinh phí"), validate_choice=False,
                                      validators=[InputRequired(REQUIRED)])
    credit_programme_code = SelectField(_l("Chương trình tín dụng NHCSXH"), validate_choice=False)
    credit_term_months = IntegerField(_l("Thời hạn vay (tháng)"), validators=[
        Optional(), NumberRange(min=1, max=600, message=_l("Thời hạn vay từ 1 đến 600 tháng."))])
    programme_code = SelectField(_l("Chương trình, dự án"), validate_choice=False)
    provider_sponsor_id = SelectField(_l("Nhà tài trợ"), validate_choice=False)
    provider_name = StringField(_l("Hoặc cơ quan, tổ chức hỗ trợ"),
                                validators=[Optional(), Length(max=200)])
    plan_item_id = SelectField(_l("Thuộc mục kế hoạch"), validate_choice=False)
    evidence = MultipleFileField(_l("Minh chứng (ảnh JPEG/PNG/WebP hoặc PDF, tối đa 10 MB mỗi tệp)"),
                                 render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"})

    def fill_choices(self, plan_items):
        self.type_code.choices = {"": [("", _l("— Chọn loại hỗ trợ —"))], **support_type_choices()}
        self.funding_source_code.choices = [("", _l("— Chọn nguồn —"))] + [
            (s.code, s.label) for s in funding_sources()]
        self.credit_programme_code.choices = lookups.choices("credit_programme",
                                                             blank=_l("— Không phải vốn vay —"))
        self.programme_code.choices = programme_choices()
        self.provider_sponsor_id.choices = sponsor_choices(_l("— Không —"))
        self.plan_item_id.choices = [("", _l("— Không —"))] + [
            (str(i.id), f"{i.need_label}: {i.action[:80]}") for i in plan_items]

    def validate_value_vnd(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Giá trị không được âm; điều chỉnh bằng bút toán đảo."))

    @property
    def data_for_service(self) -> dict:
        return {k: getattr(self, k).data for k in (
            "delivered_on", "type_code", "description", "quantity", "unit", "value_vnd",
            "funding_source_code", "credit_programme_code", "credit_term_months",
            "programme_code", "provider_sponsor_id", "provider_name", "plan_item_id")}


class ReasonForm(AppForm):
    reason = StringField(_l("Lý do"), validators=[InputRequired(REQUIRED), Length(
        min=5, max=500, message=_l("Lý do từ 5 đến 500 ký tự."))])


def default_due() -> date:
    today = clock.today()
    return date(today.year, 12, 31)
