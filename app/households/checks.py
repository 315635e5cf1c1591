"""Rules for a member's identity numbers, shared by the member form and the Excel import, so
both refuse the same values with the same messages. Messages are msgids (N_): the form
translates them at once, the import stores them and translates them where they are shown."""
import re

from app.core.i18n import N_

_SPACES = re.compile(r"\s")


def normalise_id_number(value: str | None) -> str:
    return _SPACES.sub("", value or "")


def id_number_problem(value: str, year: int | None, sex: str | None):
    """The message refusing CCCD `value` (normalised, not empty) for a person born in `year`
    of `sex` ("M"/"F"), or None when it is valid. Digit 4 encodes century and sex, digits
    5–6 the last two digits of the birth year; year or sex unknown skips that check."""
    if not re.fullmatch(r"\d{12}", value):
        return N_("Số CCCD phải gồm đúng 12 chữ số.")
    if not 1 <= int(value[:3]) <= 96:
        return N_("3 số đầu của CCCD phải là mã tỉnh nơi đăng ký khai sinh (001–096).")
    if year and sex in ("M", "F"):
        expected = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
        if int(value[3]) != expected or value[4:6] != f"{year % 100:02d}":
            return N_("Số CCCD không khớp với giới tính và năm sinh (số thứ 4 là mã thế kỷ/giới "
                      "tính, số thứ 5–6 là hai số cuối năm sinh).")
    return None


def sex_from_id_number(value: str) -> str | None:
    """"M"/"F" from a valid CCCD's fourth digit (even: male, odd: female)."""
    if re.fullmatch(r"\d{12}", value or ""):
        return "F" if int(value[3]) % 2 else "M"
    return None


def normalise_health_insurance(value: str | None) -> str:
    return _SPACES.sub("", value or "").upper()


def health_insurance_problem(value: str):
    """The message refusing BHYT card number `value` (normalised, not empty), or None."""
    if not re.fullmatch(r"\d{10}|[A-Z]{2}\d{13}", value):
        return N_("Số thẻ BHYT gồm 10 chữ số (mã BHXH) hoặc 2 chữ cái và 13 chữ số.")
    return None
