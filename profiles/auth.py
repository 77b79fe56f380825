"""Quick station sign-in by scanning a badge or typing a PIN.

Used by the station login form (`authenticate(request, badge=...)` or `pin=` with `username=`).
A PIN alone is never enough: it needs the username, so that four digits cannot be guessed
across every worker at once; axes throttles both like passwords.
"""

from django.contrib.auth.backends import ModelBackend

from profiles.models import Worker


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
