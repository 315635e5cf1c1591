"""Base form: WTForms' own messages in Vietnamese (WTForms ships no Vietnamese catalogue),
the one-time token every form carries (core.once), and the dd/mm/yyyy date field every
domain uses."""
import secrets

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, ValidationError
from wtforms.widgets import TextInput

from app.core import clock

# WTForms' built-in messages → Vietnamese. Messages with placeholders keep them.
WTFORMS_VI = {
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s”: lựa chọn không hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "“%(value)s”: lựa chọn không hợp lệ.",
    "Not a valid integer value.": "Phải là số nguyên.",
    "Not a valid decimal value.": "Phải là số.",
    "Not a valid float value.": "Phải là số.",
    "Not a valid date value.": "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
    "This field is required.": "Không được để trống.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số phải không quá %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải từ %(min)s đến %(max)s.",
    "Field must be at least %(min)d character long.": "Phải có ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Phải có ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Phải từ %(min)d đến %(max)d ký tự.",
    "The CSRF token is missing.": "Thiếu mã bảo vệ biểu mẫu (CSRF). Hãy tải lại trang.",
    "The CSRF token has expired.": "Biểu mẫu đã hết hạn. Hãy tải lại trang.",
    "The CSRF token is invalid.": "Mã bảo vệ biểu mẫu không hợp lệ. Hãy tải lại trang.",
    "The CSRF session token is missing.": "Phiên làm việc đã hết hạn. Hãy tải lại trang.",
    "The CSRF tokens do not match.": "Mã bảo vệ biểu mẫu không khớp. Hãy tải lại trang.",
}


class _VietnameseMessages:
    def gettext(self, string):
        locale = get_locale()
        return WTFORMS_VI.get(string, string) if locale is None or locale.language == "vi" else string

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class OnceTokenField(HiddenField):
    """A create form's one-time token (see core.once): new each time the form is shown
    afresh, the posted one when a form comes back with its errors (so the corrected post
    is still the same submission)."""

    def __init__(self, **kwargs):
        super().__init__(default=lambda: secrets.token_urlsafe(16), **kwargs)

    def __call__(self, **kwargs):
        kwargs.setdefault("id", False)   # several forms on one page: no duplicate ids
        return super().__call__(**kwargs)


class AppForm(FlaskForm):
    form_token = OnceTokenField()   # rendered by create forms; read by core.once

    class Meta:
        def get_translations(self, form):
            return _VietnameseMessages()


def not_in_future(form, field):
    """A date validator: what happened cannot be dated after today."""
    if field.data and field.data > clock.today():
        raise ValidationError(_l("Ngày không được ở tương lai."))


class VNDateField(DateField):
    """dd/mm/yyyy in and out (also accepts ISO yyyy-mm-dd). A text input, not type=date:
    browsers would show a dd/mm/yyyy value in a date input as blank."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%d/%m/%Y", "%Y-%m-%d"], **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."))
