"""Small services of the profiles app used by every entry point (API, pages, commands)."""

from django.db import IntegrityError, transaction

from profiles.models import Worker


def worker_for_user(user):
    """The Worker of a signed-in user, created on first use (admins who also pack).

    Every scan and claim names a Worker; a user without one gets a Worker named after them.
    """
    try:
        return user.worker
    except Worker.DoesNotExist:
        pass
    name = (user.get_full_name() or user.get_username()).strip() or user.get_username()
    try:
        with transaction.atomic():
            return Worker.objects.create(user=user, display_name=name)
    except IntegrityError:  # created concurrently by another request
        return Worker.objects.get(user=user)

