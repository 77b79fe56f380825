"""Token authentication that also reads the user's floor role, in one query.

Every station call (scan, action, heartbeat) is token-authenticated and then role-checked
(`permissions.HasRole`); reading both in the token query saves a round trip on the hot path.
The token's age is checked from the same row (`profiles.tokens`: expired tokens are refused
and deleted).
The query is plain SQL (sessions/scanning/sql.py): built by the ORM it cost about 0.6 ms of CPU per
request, a tenth of a scan.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from profiles import tokens
from profiles.roles import RANK, ROLES, remember_role
from sessions.scanning.sql import columns, joined_row, prepared_statements, table


def token_sql(token_model, user_model):
    """Token, user and the rank of the user's highest role group (NULL: no role); the
    parameters are the role names (for the rank) followed by the key."""
    through = user_model.groups.through
    user_col = through._meta.get_field("user").column
    group_col = through._meta.get_field("group").column
    rank = " ".join(f"WHEN %s THEN {RANK[role]}" for role in ROLES)
    key = connection.ops.quote_name(token_model._meta.pk.column)
    return (
        f"SELECT {columns(token_model, 't')}, {columns(user_model, 'u')}, ("
        f"SELECT MAX(CASE g.name {rank} END) FROM {table(through)} ug "
        f"JOIN {table(Group)} g ON g.id = ug.{group_col} WHERE ug.{user_col} = u.id) "
        f"FROM {table(token_model)} t JOIN {table(user_model)} u ON u.id = t.user_id "
        f"WHERE t.{key} = %s"
    )


ROLE_BY_RANK = {rank: role for role, rank in RANK.items()}


class RoleTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`; the user comes back with its role already known."""

    def authenticate_credentials(self, key):
        token_model, user_model = self.get_model(), get_user_model()
        with prepared_statements():
            found = joined_row(token_sql(token_model, user_model), [*ROLES, key],
                               [(token_model, "t"), (user_model, "u")])
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        token, user, rank = found
        token_model.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if tokens.is_expired(token):  # from the same row: still one query
            tokens.revoke(user)
            raise AuthenticationFailed(_("The token has expired. Sign in again for a new one."))
        remember_role(user, ROLE_BY_RANK.get(rank))
        return (user, token)
