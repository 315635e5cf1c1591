"""Cell values as officers type them → the values the case file stores, or `Bad(msgid)`.

Dates "12/03/1958", "12-3-1958", "1958-03-12", Excel dates and Excel serial numbers; numbers
"1.500.000", "1,500,000", "1 500 000 đ"; marks "x", "có", "1"; codes and labels of lookup lists
(folded, so "Chủ hộ", "chu ho" and "CHỦ HỘ" are the same); CCCD and BHYT numbers that Excel
stored as numbers (leading zeros lost) padded back."""
import calendar
import re
import unicodedata
from datetime import date, datetime

from openpyxl.utils.datetime import from_excel

from app.core import clock, text as core_text
from app.core.i18n import N_
from app.core.text import clean
from app.households import checks
from app.imports.reader import CellError


def _fold_table() -> dict[int, str]:
    """Each precomposed Latin letter → what core.text.fold makes of it, when that is one ASCII
    character (all Vietnamese letters, đ included); uppercase ASCII → lowercase."""
    table = {cp: chr(cp + 32) for cp in range(65, 91)}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        folded = core_text.fold(chr(cp))
        if len(folded) == 1 and folded.isascii():
            table[cp] = folded
    return table


_FOLD = _fold_table()


def fold(value: str | None) -> str:
    """core.text.fold, the same result (tests compare them) at a fraction of the cost: one
    str.translate for precomposed text, the general path for anything else."""
    if not value:
        return ""
    quick = value.translate(_FOLD)
    if not quick.isascii():
        return core_text.fold(value)
    return " ".join(quick.split())


class Bad(ValueError):
    def __init__(self, message: str, **args):
        super().__init__(message)
        self.message, self.args_ = message, args


def text(value) -> str:
    if value.__class__ is str:
        # core.text.clean's result without its work when there is none to do: NFC already,
        # and no whitespace but single inner spaces (isprintable: no tab, newline, nbsp…).
        if value.isprintable() and unicodedata.is_normalized("NFC", value) and "  " not in value \
                and value[:1] != " " and value[-1:] != " ":
            return value
        return clean(value)
    if isinstance(value, CellError):
        raise Bad(N_("Ô có lỗi công thức (%(error)s)."), error=str(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


def limited(value, maximum: int) -> str:
    result = text(value)
    if len(result) > maximum:
        raise Bad(N_("Dài quá %(max)s ký tự."), max=maximum)
    return result


_CODE = re.compile(r"[A-Z0-9._-]+")


def household_code(value) -> str:
    result = text(value).upper().replace(" ", "")
    if not _CODE.fullmatch(result):
        raise Bad(N_("Mã hộ chỉ gồm chữ cái không dấu, số và . _ -"))
    if len(result) > 30:
        raise Bad(N_("Dài quá %(max)s ký tự."), max=30)
    return result


# Numbers ----------------------------------------------------------------------------------

_NUMBER_NOISE = re.compile(r"[\s.,]|đồng|đ|vnd", re.I)


def integer(value) -> int:
    if isinstance(value, bool):
        raise Bad(N_("Phải là số."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(round(value))
    raw = text(value)
    digits = _NUMBER_NOISE.sub("", raw)
    if digits.isdigit() and len(digits) <= 15:
        return int(digits)
    raise Bad(N_("“%(value)s” không phải là số (ví dụ 1.500.000)."), value=raw[:40])


def money(value) -> int:
    result = integer(value)
    if result < 0:
        raise Bad(N_("Thu nhập bình quân không được âm."))
    return result


# Dates ------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
MIN_YEAR = 1900


def _make(y, m, d) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        pass
    written = f"{d:02d}/{m:02d}/{y}"
    if not 1 <= m <= 12:
        raise Bad(N_("Ngày %(value)s không có: tháng phải từ 1 đến 12 (dd/mm/yyyy)."), value=written)
    if y < 1 or d < 1:
        raise Bad(N_("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."))
    days = calendar.monthrange(y, m)[1]
    raise Bad(N_("Ngày %(value)s không có: tháng %(month)s năm %(year)s chỉ có %(days)s ngày."),
              value=written, month=m, year=y, days=days)


def day(value, allow_year: bool = False):
    """A date, or (when `allow_year`) a bare year as an int: "1958", 1958, "03/1958"."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if allow_year and float(value).is_integer() and MIN_YEAR <= value <= clock.today().year:
            return int(value)
        if 1 <= value < 2958466:   # an Excel serial number in a cell not formatted as a date
            return from_excel(value).date()
        raise Bad(N_("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."))
    raw = text(value)
    m = _DMY.match(raw)
    if m:
        if len(m.group(3)) != 4:
            raise Bad(N_("Năm phải đủ 4 chữ số (dd/mm/yyyy): “%(value)s”."), value=raw)
        return _make(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _ISO.match(raw)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if allow_year:
        if raw.isdigit() and len(raw) == 4:
            return int(raw)
        m = _MONTH_YEAR.match(raw)
        if m and 1 <= int(m.group(1)) <= 12:
            return int(m.group(2))
    raise Bad(N_("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy: “%(value)s”."), value=raw[:40])


def year(value) -> int:
    if isinstance(value, (datetime, date)):
        result = value.year
    else:
        result = day(value, allow_year=True)
        result = result.year if isinstance(result, date) else result
    if not MIN_YEAR <= result <= clock.today().year:
        raise Bad(N_("Năm sinh phải từ 1900 đến năm hiện tại."))
    return result


# Marks, lists and lookups -----------------------------------------------------------------

TRUE = {"x", "co", "1", "true", "yes", "v", "c", "dung", "phai", "✓", "✔", "√", "+"}
FALSE = {"", "khong", "0", "false", "no", "k", "-", "sai"}


def mark(value) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(text(value))
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise Bad(N_("Ghi “x” (có) hoặc để trống: “%(value)s”."), value=text(value)[:40])


_SPLIT = re.compile(r"[,;/\n+]+|\s-\s")


def tokens(value) -> list[str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(int(value))]
    return [t.strip() for t in _SPLIT.split(text(value)) if t.strip()]


class Lookup:
    """Folded labels and codes of one lookup list → code; `extra`: more folded names."""

    def __init__(self, rows: dict[str, str], extra: dict[str, str] | None = None):
        self.index = {}
        for code, label in rows.items():
            self.index[fold(code)] = code
            self.index[fold(label)] = code
            bare = re.sub(r"^[a-zđ]{1,2}\)\s*", "", fold(label))   # "g) Thương binh…" → "thuong binh…"
            self.index.setdefault(bare, code)
        for name, code in (extra or {}).items():
            if code in rows:
                self.index[name] = code

    def __call__(self, value, message=N_("“%(value)s” không có trong danh mục.")) -> str:
        raw = text(value)
        key = fold(raw)
        code = self.index.get(key) or self.index.get(" ".join(re.sub(r"[^0-9a-z']+", " ", key).split()))
        if code is None:
            raise Bad(message, value=raw[:60])
        return code


SEX = {"nam": "M", "m": "M", "male": "M", "trai": "M", "nu": "F", "f": "F", "female": "F", "gai": "F"}


def sex(value) -> str:
    key = fold(text(value))
    if key in SEX:
        return SEX[key]
    raise Bad(N_("Giới tính ghi “Nam” hoặc “Nữ”: “%(value)s”."), value=text(value)[:20])


STATUS = {"ngheo": "poor", "ho ngheo": "poor", "hn": "poor", "n": "poor",
          "can ngheo": "near_poor", "ho can ngheo": "near_poor", "hcn": "near_poor", "cn": "near_poor",
          "trung binh": "middle", "muc song trung binh": "middle", "ho co muc song trung binh": "middle",
          "ho trung binh": "middle", "tb": "middle",
          "khong ngheo": "not_poor", "ho khong ngheo": "not_poor", "kn": "not_poor"}
STATUS_CODES = ("poor", "near_poor", "middle", "not_poor")


def status(value) -> str:
    key = fold(text(value))
    if key in STATUS:
        return STATUS[key]
    if key in STATUS_CODES:
        return key
    raise Bad(N_("Phân loại ghi “Hộ nghèo”, “Hộ cận nghèo”, “Hộ có mức sống trung bình” hoặc "
                 "“Hộ không nghèo”: “%(value)s”."), value=text(value)[:40])


# Identity numbers -------------------------------------------------------------------------

def _digits_from_number(value, width: int) -> str | None:
    """A number Excel stored for a digit string: leading zeros come back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value).zfill(width)
    return None


def id_number(value) -> str:
    return _digits_from_number(value, 12) or checks.normalise_id_number(text(value))


def health_insurance_number(value) -> str:
    result = _digits_from_number(value, 10) or checks.normalise_health_insurance(text(value))
    problem = checks.health_insurance_problem(result)
    if problem:
        raise Bad(problem)
    return result
