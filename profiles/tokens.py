"""API tokens (DRF's authtoken, one per user): how long one lives and what ends it early.

A token expires PACKER_API_TOKEN_HOURS after it was issued; the caller then gets 401 and signs
in again for a new one. It dies at once when its user's password changes or the user is
deactivated (a stolen token must not outlive the credentials it came from), when its holder
revokes it (POST /api/v1/auth/token/revoke/), or when an admin deletes it (Admin → Tokens).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

CREDENTIAL_FIELDS = {"password", "is_active"}


def lifetime():
    return timedelta(hours=settings.PACKER_API_TOKEN_HOURS)


def is_expired(token, now=None):
    return token.created <= (now or timezone.now()) - lifetime()


def issue(user):
    """The user's live token, or a new one when there is none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not is_expired(token):
        return token
    try:
        with transaction.atomic():
            if token is not None:
                token.delete()
            return Token.objects.create(user=user)
    except IntegrityError:  # a concurrent sign-in of the same user issued it first
        return Token.objects.get(user=user)


def revoke(user):
    """Delete the user's token; returns how many there were (0 or 1)."""
    return Token.objects.filter(user_id=user.pk).delete()[0]


def revoke_on_credential_change(sender, instance, update_fields=None, **kwargs):
    """pre_save of the user model: a new password or a deactivation ends the user's token."""
    if instance.pk is None:
        return
    if update_fields is not None and not CREDENTIAL_FIELDS & set(update_fields):
        return  # e.g. the last_login update of every sign-in: no extra query
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"]
                                                   and not instance.is_active):
        revoke(instance)
