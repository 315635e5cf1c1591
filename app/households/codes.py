"""The next household code to suggest on the new-household form, derived from the codes the
officer's commune already uses (prefix + zero-padded number, e.g. XM-0042 → XM-0043)."""
import re
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select

from app.core.scoping import scoped
from app.extensions import db

_NUMBERED = re.compile(r"(.*?)(\d+)")
MAX_LENGTH = 30              # Household.code


def next_code(codes: Iterable[str]) -> str | None:
    """The most used prefix's highest number plus one, padded to that prefix's usual width;
    None when no code ends in a number (nothing to follow)."""
    numbers: dict[str, list[str]] = {}
    for code in codes:
        found = _NUMBERED.fullmatch((code or "").strip().upper())
        if found:
            numbers.setdefault(found[1], []).append(found[2])
    if not numbers:
        return None
    # The prefix used most; on a tie the one with the highest number (the newest series).
    prefix = max(numbers, key=lambda p: (len(numbers[p]), max(int(n) for n in numbers[p]), p))
    digits = numbers[prefix]
    width = Counter(len(n) for n in digits).most_common(1)[0][0]
    taken = {int(n) for n in digits}
    following = max(taken) + 1
    code = f"{prefix}{following:0{width}d}"
    return code if len(code) <= MAX_LENGTH else None


def suggest_code(user=None) -> str | None:
    """Codes in the user's scope only (deleted households too: their code stays taken)."""
    from app.households.models import Household
    codes = db.session.scalars(scoped(select(Household.code), Household, user=user,
                                      include_deleted=True)).all()
    return next_code(codes)
