"""Role guards for blueprints: declared once in before_request, so no route can forget."""
from functools import wraps

from flask import abort
from flask_login import current_user


def require_roles(blueprint, *roles):
    """Every route of `blueprint` needs a logged-in user with one of `roles`."""

    @blueprint.before_request
    def _guard():
        if not current_user.is_authenticated:
            from app.extensions import login_manager
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)


def roles_required(*roles):
    """Narrower guard for single routes (e.g. writes inside a readable blueprint)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
