"""Quick station sign-in by scanning a badge or typing a PIN.

Used by the station login form (`authenticate(request, badge=...)` or `pin=` with `username=`).
A PIN alone is never enough: it needs the username, so that four digits cannot be guessed
across every worker at once; axes throttles both like passwords.

What axes counts failures against (`lockout_name`, with the client's address): the username
for passwords and PINs, and for a badge the badge itself. Badge scans carry no username, so
all of them used to count as one: five unknown badges locked every badge at that terminal for
15 minutes. A badge is a credential, so it is kept only as a keyed hash in axes' records.
"""

from django.contrib.auth.backends import ModelBackend
from django.utils.crypto import salted_hmac

from profiles.models import Worker


def lockout_name(request, credentials=None):
    """The name django-axes counts a sign-in attempt under (AXES_USERNAME_CALLABLE)."""
    credentials = credentials or {}
    badge = str(credentials.get("badge") or "").strip()
    if badge:
        return "badge:" + salted_hmac("profiles.auth.lockout_name", badge).hexdigest()[:24]
    if "username" in credentials:
        return credentials["username"]
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return data.get("username") if hasattr(data, "get") else None


class BadgeBackend(ModelBackend):
    def authenticate(self, request, badge=None, pin=None, username=None, **kwargs):
        worker = None
        if badge:
            worker = Worker.objects.select_related("user").filter(badge_code=badge.strip()).first()
        elif pin and username:
            candidate = Worker.objects.select_related("user").filter(
                user__username=username).first()
            if candidate and candidate.check_pin(pin):
                worker = candidate
        if worker and self.user_can_authenticate(worker.user):
            return worker.user
        return None
