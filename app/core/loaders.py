"""Scoped loading by construction: a view declares the objects its URL names, and receives
them loaded through the scope (or the request ends in a 404 before the view runs).

    @bp.get("/<int:household_id>/members/<int:member_id>/edit")
    @loads(household=Household, member=Member)
    def member_edit(household, member): ...

`<int:household_id>` never reaches the view as a bare id, so the view cannot forget the scope.
Objects loaded together must belong together: a row with a `household_id` loaded beside a
`household` must be that household's (else 404), so /households/<mine>/members/<theirs> fails.
Every declaration lands in OBJECT_ARGS, which the access matrix reads to know each object
argument of the URL map.
"""
from functools import wraps

from flask import abort, request

from app.core.scoping import get_scoped_or_404

# URL argument name ("household_id") → the scoped model it names; filled by `loads`.
OBJECT_ARGS: dict = {}


def loads(**objects):
    """`@loads(household=Household)`: path argument `household_id` → kwarg `household`."""
    for name, model in objects.items():
        known = OBJECT_ARGS.setdefault(f"{name}_id", model)
        if known is not model:
            raise ValueError(f"{name}_id already names {known.__name__}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            loaded = {name: get_scoped_or_404(model, kwargs.pop(f"{name}_id"))
                      for name, model in objects.items()}
            household = loaded.get("household")
            if household is not None and any(
                    getattr(obj, "household_id", household.id) != household.id
                    for obj in loaded.values()):
                abort(404)
            return view(*args, **kwargs, **loaded)
        wrapped.loads = {f"{name}_id": model for name, model in objects.items()}
        return wrapped
    return decorator


def scoped_field(model, name: str, source=None):
    """An object named by a query-string or form field (`?id=`, `other_id`): loaded through
    the scope, or a 404. Never read such an id by hand."""
    source = request.values if source is None else source
    return get_scoped_or_404(model, source.get(name))
