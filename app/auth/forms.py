from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.auth.passwords import password_problem
from app.core.forms import AppForm

REQUIRED = _l("Không được để trống.")


def check_new_password(password: str, username: str | None, user=None):
    """The password rule, and no reuse of `user`'s current password."""
    problem = password_problem(password, username)
    if problem:
        raise ValidationError(problem)
    if user is not None and user.check_password(password):
        raise ValidationError(_l("Mật khẩu mới phải khác mật khẩu đang dùng."))


class LoginForm(AppForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(REQUIRED), Length(max=60)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED), Length(max=128)])


class PasswordChangeForm(AppForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(REQUIRED), EqualTo("new", message=_l("Hai lần nhập mật khẩu không khớp."))])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new(self, field):
        check_new_password(field.data, self.user.username, self.user)


class UserForm(AppForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(REQUIRED), Length(min=3, max=60),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Chỉ dùng chữ thường không dấu, số và . _ -"))])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    role = SelectField(_l("Vai trò"), validators=[DataRequired(REQUIRED)])
    unit_id = SelectField(_l("Địa bàn phụ trách"), validators=[Optional()])
    sponsor_id = SelectField(_l("Thuộc nhà tài trợ"), validators=[Optional()])
    password = PasswordField(_l("Mật khẩu"), validators=[Optional()])
    must_change_password = BooleanField(_l("Buộc đổi mật khẩu ở lần đăng nhập tới"))
    active = BooleanField(_l("Đang hoạt động"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = kwargs.get("obj")   # the user being edited (None: a new one)

    def validate_password(self, field):
        check_new_password(field.data, self.username.data, self.user)


AREA_VALUES = {"": None, "urban": True, "rural": False}  # AdminUnit.is_urban; None: as above


class UnitForm(AppForm):
    code = StringField(_l("Mã đơn vị"), validators=[
        DataRequired(REQUIRED), Length(max=20),
        Regexp(r"^[0-9A-Za-z._-]+$", message=_l("Mã chỉ gồm chữ số, chữ cái không dấu và . _ -"))])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(REQUIRED), Length(max=120)])
    level = SelectField(_l("Cấp"), validators=[DataRequired(REQUIRED)])
    parent_id = SelectField(_l("Thuộc đơn vị"), validators=[Optional()])
    is_urban = SelectField(_l("Khu vực"), coerce=lambda v: AREA_VALUES.get(v, v), choices=[
        ("", _l("Theo đơn vị cấp trên (thôn theo xã/phường)")), ("urban", _l("Thành thị")),
        ("rural", _l("Nông thôn"))])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
