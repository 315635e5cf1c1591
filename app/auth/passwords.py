"""The password rule, NIST SP 800-63B style: long enough, not a known common password, not
built on the username. No composition rules (they make passwords harder to remember, not to
guess)."""
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    text = Path(__file__).with_name("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str | None):
    """Why `password` may not be used by `username`, or None when it may."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return _l("Mật khẩu từ %(min)d đến %(max)d ký tự.", min=MIN_LENGTH, max=MAX_LENGTH)
    folded = password.lower()
    if folded in common_passwords():
        return _l("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.")
    if username and username.strip().lower() in folded:
        return _l("Mật khẩu không được chứa tên đăng nhập.")
    return None
