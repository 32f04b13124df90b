"""Who may open which page: signed-in users with a role; some pages need particular roles."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from crm.accounts.roles import has_any_role, has_role


def role_required(*roles: str):
    """Signed in, and holding one of ``roles`` (any role when none are named); else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            allowed = has_role(request.user, *roles) if roles else has_any_role(request.user)
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        allowed = has_role(request.user, *self.roles) if self.roles else has_any_role(request.user)
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
