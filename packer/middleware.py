"""Every page requires a login and a role on the floor, except the few that must not.

Signing in is not enough: an account without a floor role (e.g. one made for the admin site and
never given a role) is refused every page, download and form with a 403, exactly as the API
refuses it (`sessions.api.permissions.HasRole`) and the sockets close on it
(`sessions.live.consumers`). The one role check is `profiles.roles.has_floor_role`.
tests/test_access_matrix.py walks every URL pattern and socket route for every kind of user,
so a new page cannot be added without deciding who sees it.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from profiles.roles import has_floor_role

# DRF authenticates inside its views (session or token) and answers 401/403 as JSON, so API
# paths must not be redirected to the HTML login page. /healthz and /readyz are for probes.
OPEN_PREFIXES = ("/api/", "/healthz", "/readyz", "/static/")


def no_floor_role_required(view):
    """Mark a view a signed-in account without a role may still use (e.g. signing out)."""
    view.floor_role_required = False
    return view


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's LoginRequiredMiddleware plus the floor role, leaving the API and the health
    check to their own auth. Views open to anonymous users (`login_not_required`) are open to
    accounts without a role too."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        refused = super().process_view(request, view_func, view_args, view_kwargs)
        if refused is not None or not getattr(view_func, "login_required", True):
            return refused
        if getattr(view_func, "floor_role_required", True) and not has_floor_role(request.user):
            raise PermissionDenied(_("Your account has no role on the packing floor. Ask an "
                                     "admin to assign one."))
        return None
