"""Access rules in Python: one decorator for roles and unit kinds; object checks live in the areas.

Every view declares who may use it with `@requires(...)` (or `@public`). The declaration is kept on the
view function, so a test can walk every route and prove each refusal.
"""

from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from lltp.core.audit import Actor


def requires(*roles, unit_kinds=None):
    """Only logged-in users holding one of `roles` (any role when none is given), in a unit of one of
    `unit_kinds` (any unit when None), may call the view. Anonymous users go to the login page."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            if unit_kinds is not None and current_user.unit.kind not in unit_kinds:
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = {"roles": frozenset(roles), "unit_kinds": unit_kinds and frozenset(unit_kinds)}
        return wrapper

    return decorate


def public(view):
    """Mark a view as open to everyone, on purpose."""
    view.access = {"public": True}
    return view


def current_actor():
    """The logged-in user and the address the request came from, for services and the audit log."""
    user = current_user if current_user.is_authenticated else None
    user = user._get_current_object() if user is not None and hasattr(user, "_get_current_object") else user
    return Actor(
        user=user,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
        source="anonymous" if user is None else "web",
    )
