"""Role rules of the API.

Roles come from `profiles.roles` (the one role check): every signed-in user with a role may
pack (claim, scan, act on the list they hold); supervisors (and admins) may also force-release,
take over someone else's stale claim, reopen orders and read everyone's figures; admins may do
everything. The services check the same rules again: these classes only refuse early with a
clear 403.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from profiles.roles import has_floor_role, is_supervisor


class IsSupervisor(BasePermission):
    """Supervisors and admins only."""

    message = _("Only a supervisor may do that.")

    def has_permission(self, request, view):
        return is_supervisor(request.user)


class HasRole(BasePermission):
    """Signed in AND given a floor role (packer, supervisor, admin) or a superuser.

    A bare Django account (e.g. created for the admin site and never given a role) gets a 403,
    not the packing floor.
    """

    message = _("Your account has no role on the packing floor. Ask an admin to assign one.")

    def has_permission(self, request, view):
        return has_floor_role(request.user)
