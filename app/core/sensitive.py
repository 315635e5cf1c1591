"""Sensitive personal data: ONE definition of what each role may see and filter by, used by
pages, partials, exports and logs alike.

Ethnicity, the CCCD, health and disability are sensitive personal data (Luật Bảo vệ dữ liệu cá
nhân 91/2025/QH15). Only the officers who own the case see them (User.sees_sensitive: commune
officers and the district/province officers above them). For everyone else — the Front and
other mass organisations, sponsors:
- a filter on a sensitive attribute is ignored: it would narrow a list to exactly the households
  that have it, so the filter reveals what the hidden column hides. It is dropped when the
  query string is read, so it narrows nothing and appears in no title, link or audit entry;
- a health or disability cause of poverty is shown as one neutral group, "Sức khỏe"."""
from flask_babel import gettext as _
from flask_login import current_user

from app.core.i18n import N_

# Query parameter → the values that filter on a sensitive attribute.
SENSITIVE_FILTERS = {"flag": frozenset({"ethnic"})}
# Causes of poverty (lookup kind "poverty_cause") that are health or disability data.
HEALTH_CAUSES = frozenset({"illness", "disability"})
HEALTH_GROUP = N_("Sức khỏe")


def sees_sensitive(user=None) -> bool:
    """Fails closed: without a user (or outside a request) nothing sensitive is shown."""
    user = current_user if user is None else user
    return bool(getattr(user, "sees_sensitive", False))


def may_filter(param: str, value, user=None) -> bool:
    return value not in SENSITIVE_FILTERS.get(param, ()) or sees_sensitive(user)


def usable(param: str, values, user=None) -> list:
    """The values of a (repeatable) filter parameter this user may use."""
    return [v for v in values if may_filter(param, v, user)]


def shown_cause(code: str, label: str, user=None) -> str:
    if code in HEALTH_CAUSES and not sees_sensitive(user):
        return _(HEALTH_GROUP)
    return label


def shown_causes(codes, labels: dict, user=None) -> list[str]:
    """A review's causes as this user may see them (the neutral group once)."""
    return list(dict.fromkeys(shown_cause(c, labels.get(c, c), user) for c in codes))


def shown_need(item, user=None) -> str:
    """A support plan item's need — an indicator, or a cause labelled when it was planned."""
    if item.need_kind == "cause":
        return shown_cause(item.need_code, item.need_label, user)
    return item.need_label


# Jinja globals (app/__init__.py), so every template asks the same question.
TEMPLATE_HELPERS = {"shown_causes": shown_causes, "shown_need": shown_need}
