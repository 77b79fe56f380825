"""The packing app (label `packing_sessions`): sessions, lists, claims, the scan path and what
is built on it (imports, labels, legacy migration, API, pages, live updates)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackingSessionsConfig(AppConfig):
    """Packing sessions, lists, orders, items and the scan log.

    The label is `packing_sessions` because `sessions` belongs to django.contrib.sessions.
    """

    name = "sessions"
    label = "packing_sessions"
    verbose_name = _("Packing")
