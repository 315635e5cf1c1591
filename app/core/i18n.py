"""N_() marks a string for extraction without translating it now: labels kept in dicts are
translated where they are shown ({{ _(label) }})."""


def N_(string: str) -> str:
    return string
