"""Statistics history imported from the old apps' Stats/ files (legacy share import).

The old counters double-count resumed runs and their histories were truncated to 1,000 entries,
so they are kept as historical records, flagged, and never mixed into the metrics computed from
ScanEvents; each record keeps the file's own fields in `payload` (nothing lost).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models import Client, Worker


class LegacyStatRecord(models.Model):
    """One entry of stats.json / global_stats.json / workers.json, as the old app wrote it."""

    class Kind(models.TextChoices):
        PACKING = "packing", _("Packing run")
        ANALYSIS = "analysis", _("Analysis run")
        LABEL_PRINT = "label_print", _("Labels printed")
        SESSION = "session", _("Session (stats 1.1)")
        CLIENT_TOTALS = "client_totals", _("Client totals")
        GLOBAL_TOTALS = "global_totals", _("Share totals")
        WORKER_TOTALS = "worker_totals", _("Worker totals")
        ORDER_IDS = "order_ids", _("Processed / completed order ids")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="legacy_stats")
    client_code = models.CharField(max_length=50, blank=True)
    session_ref = models.CharField(
        max_length=1000, blank=True,
        help_text=_("session_id as written (may be an absolute path + list name)."),
    )
    session_external_id = models.CharField(max_length=200, blank=True, db_index=True)
    list_name = models.CharField(max_length=300, blank=True)
    worker = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="legacy_stats")
    worker_ref = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    orders_count = models.IntegerField(null=True, blank=True)
    items_count = models.IntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    possibly_double_counted = models.BooleanField(
        default=False,
        help_text=_("The old app counted a resumed run again at each end."),
    )
    payload = models.JSONField(default=dict, blank=True)
    source_path = models.CharField(max_length=1000, blank=True)
    fingerprint = models.CharField(max_length=64, unique=True,
                                   help_text=_("Makes a second import of the same file a no-op."))
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("legacy statistics record")
        verbose_name_plural = _("legacy statistics records")
        constraints = [
            models.CheckConstraint(
                name="legacy_stat_kind_valid",
                condition=models.Q(kind__in=["packing", "analysis", "label_print", "session",
                                             "client_totals", "global_totals", "worker_totals",
                                             "order_ids"]),
            ),
        ]
        indexes = [models.Index(fields=["client", "kind", "recorded_at"])]

    def __str__(self):
        return f"{self.kind} {self.client_code} {self.session_ref[:40]}"

