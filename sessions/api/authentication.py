"""Token authentication that also reads whether the user has a floor role, in one query.

Every station call (scan, action, heartbeat) is token-authenticated and then role-checked
(`permissions.HasRole`); reading both in the token query saves a round trip on the hot path.
"""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from profiles.roles import ROLES


class RoleTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`; the user comes back with `has_floor_role` already set."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        role = Group.objects.filter(user=OuterRef("user_id"), name__in=ROLES)
        token = (model.objects.select_related("user").annotate(has_floor_role=Exists(role))
                 .filter(key=key).first())
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        token.user.has_floor_role = token.has_floor_role
        return (token.user, token)
