from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.core.forms import AppForm

REQUIRED = _l("Không được để trống.")
PASSWORD_RULE = [Length(min=8, max=128, message=_l("Mật khẩu từ 8 đến 128 ký tự."))]


class LoginForm(AppForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(REQUIRED), Length(max=60)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED), Length(max=128)])


class PasswordChangeForm(AppForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(REQUIRED), *PASSWORD_RULE])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(REQUIRED), EqualTo("new", message=_l("Hai lần nhập mật khẩu không khớp."))])


class UserForm(AppForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(REQUIRED), Length(min=3, max=60),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Chỉ dùng chữ thường không dấu, số và . _ -"))])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    role = SelectField(_l("Vai trò"), validators=[DataRequired(REQUIRED)])
    unit_id = SelectField(_l("Địa bàn phụ trách"), validators=[Optional()])
    sponsor_id = SelectField(_l("Thuộc nhà tài trợ"), validators=[Optional()])
    password = PasswordField(_l("Mật khẩu"), validators=[Optional(), *PASSWORD_RULE])
    active = BooleanField(_l("Đang hoạt động"), default=True)


class UnitForm(AppForm):
    code = StringField(_l("Mã đơn vị"), validators=[
        DataRequired(REQUIRED), Length(max=20),
        Regexp(r"^[0-9A-Za-z._-]+$", message=_l("Mã chỉ gồm chữ số, chữ cái không dấu và . _ -"))])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(REQUIRED), Length(max=120)])
    level = SelectField(_l("Cấp"), validators=[DataRequired(REQUIRED)])
    parent_id = SelectField(_l("Thuộc đơn vị"), validators=[Optional()])
    is_urban = BooleanField(_l("Khu vực thành thị"))
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
