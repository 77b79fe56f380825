"""Who may open which page: the page-side face of the one role check (profiles.roles)."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from profiles.roles import is_supervisor


def supervisor_required(view):
    """Supervisors and admins only; anyone else gets a 403."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied(_("Supervisors only."))
        return view(request, *args, **kwargs)
    return wrapper
