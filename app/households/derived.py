"""A household's derived fields, defined once for every writer: the form's services
(households.services), the Excel import's bulk writer (imports.writer), the demo data (app.demo).
Pure functions of plain values, so the bulk writers use them on dicts without ORM objects.

- `head_name_folded`: the head's name folded (core.text.fold), the list's sort key;
- `search_text`: the code in lower case, then each distinct folded name once — the head's first,
  then the active members' in their order — joined by "|": the list's one-column search;
- `has_merit_member`: some active member has a người có công category;
- a member's `name_folded`, and its scope columns: those of its household.

`fold` may be given a faster function with core.text.fold's results (imports.convert.fold,
which the import tests compare with it)."""
from app.core.text import fold as text_fold

SCOPE = ("province_id", "district_id", "commune_id", "hamlet_id")


def household_fields(code: str, head_name: str, members, fold=text_fold) -> dict:
    """The derived columns of a household: `members` are its active members in order (position,
    id), as (full_name, merit_category) pairs."""
    members = list(members)
    head = fold(head_name)
    names = dict.fromkeys(n for n in (head, *(fold(name) for name, _ in members)) if n)
    return {"head_name_folded": head,
            "search_text": "|".join([code.lower(), *names]),
            "has_merit_member": any(merit for _, merit in members)}


def member_fields(full_name: str, place: dict, fold=text_fold) -> dict:
    """The derived columns of a member: its folded name and its household's scope columns
    (`place`: a household's row, or any mapping with the SCOPE keys)."""
    return {"name_folded": fold(full_name), **scope_of(place)}


def scope_of(place) -> dict:
    """The scope columns of a row: a mapping with the SCOPE keys, or a scoped object."""
    if isinstance(place, dict):
        return {c: place[c] for c in SCOPE}
    return {c: getattr(place, c) for c in SCOPE}
