"""Whose figures a user may see: a supervisor everyone's, anyone else only their own.

The dashboard page, the metrics API and anything else that shows per-worker figures ask this
one selector, so the rule cannot drift between them.
"""

from django.utils.translation import gettext as _

from profiles.roles import is_supervisor
from profiles.services import worker_for_user
from sessions.errors import Forbidden


def figures_worker(user, requested=None):
    """The worker filter to apply for `user`: `requested` (None = everyone) for a supervisor;
    the user's own worker otherwise. Asking for another worker's figures is Forbidden."""
    if is_supervisor(user):
        return requested
    own = worker_for_user(user)
    if requested is not None and getattr(requested, "pk", requested) != own.pk:
        raise Forbidden(_("Only a supervisor may see another worker's figures."))
    return own
