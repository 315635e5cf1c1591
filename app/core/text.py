"""Vietnamese text helpers: accent folding for search, and display formats."""
import re
from decimal import ROUND_HALF_UP, Decimal
import unicodedata
from datetime import date, datetime

from flask_babel import format_datetime

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Lowercase, strip diacritics, đ → d, collapse spaces: "Đặng Thị Ánh" → "dang thi anh"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def clean(text: str | None) -> str:
    """Text as stored: NFC, trimmed, inner whitespace collapsed."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).split())


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a timestamp (stored in UTC) as dd/mm/yyyy HH:mm in the user's zone."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy HH:mm")
    return value.strftime("%d/%m/%Y")


def format_number(value: int | None) -> str:
    """314947 → "314.947" (Vietnamese thousands separator)."""
    if value is None:
        return ""
    return f"{value:,}".replace(",", ".")


def format_vnd(value: int | None) -> str:
    if value is None:
        return ""
    return format_number(value) + " đ"


def format_percent(numerator: int, denominator: int) -> str:
    """Two decimals with a comma, like the official tables: 1,36."""
    if not denominator:
        return "0,00"
    rate = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{rate}".replace(".", ",")


def mask_id(number: str | None) -> str:
    """CCCD shown in lists: only the last 4 digits."""
    if not number:
        return ""
    return "•" * (len(number) - 4) + number[-4:]


_MONEY = re.compile(r"-?(\d+|\d{1,3}(?:([.,\s])\d{3})(?:\2\d{3})*)")


def parse_vnd(text: str) -> int:
    """Whole đồng as officers type them: "24.000.000", "24,000,000", "24 000 000 đ", "24000000".
    Separators must group thousands (one kind throughout), so "24.000.000,5" or "1.5" is
    refused rather than read as 240.000.005 or 15. Raises ValueError."""
    bare = re.sub(r"(?i)\s*(đ|vnđ|vnd|đồng)\s*$", "", text.strip())
    if not _MONEY.fullmatch(bare):
        raise ValueError(text)
    value = int(re.sub(r"[.,\s]", "", bare))
    if abs(value) >= 10**15:
        raise ValueError(text)
    return value
