"""Packing sessions, packing lists (with their claim), orders, items and the scan log.

Counters on PackingList / Order / OrderItem / OrderExtra are a cache of the ScanEvent log:
replaying the log gives the same numbers. The database refuses what must never happen: packed
< 0 or above required (on a line and on a list), two orders of a list with one normalised
number, a client scan id used twice, list counters whose statuses do not add up.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Client, Station, WebhookEvent, Worker
from sessions.listcodes import list_barcode
from sessions.outcomes import Outcome


class Reason(models.TextChoices):
    """Why a packer filled a line by hand, or flagged an order (kept in the scan log)."""

    BARCODE_MISSING = "barcode_missing", _("Barcode missing")
    LABEL_DAMAGED = "label_damaged", _("Label damaged")
    OTHER = "other", _("Other")
    SHORT = "short", _("Short (not enough stock)")
    DAMAGED = "damaged", _("Damaged item")
    WRONG_STOCK = "wrong_stock", _("Wrong stock")


# A manual fill (confirm one unit, "Confirm all") names one of these; a flag one of those.
FILL_REASONS = (Reason.BARCODE_MISSING, Reason.LABEL_DAMAGED, Reason.OTHER)
PROBLEM_REASONS = (Reason.SHORT, Reason.DAMAGED, Reason.WRONG_STOCK)


class PackingSession(models.Model):
    """A batch of work for one client: an Excel upload, a Shopify Tool session, a legacy folder."""

    class Source(models.TextChoices):
        EXCEL = "excel", _("Excel")
        SHOPIFY = "shopify", _("Shopify Tool")
        API = "api", _("API")
        LEGACY = "legacy", _("Legacy share")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sessions")
    external_id = models.CharField(
        _("session id"), max_length=200, help_text=_("e.g. 2025-11-19_1 or 2025-10-28_09-35")
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    source_path = models.CharField(_("source path"), max_length=1000, blank=True)
    info = models.JSONField(
        default=dict, blank=True, help_text=_("Metadata of the source (analysis figures, etc.)")
    )
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("packing session")
        verbose_name_plural = _("packing sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="unique_session_id_per_client"
            ),
            models.CheckConstraint(
                name="session_source_valid",
                condition=Q(source__in=["excel", "shopify", "api", "legacy"]),
            ),
            models.CheckConstraint(
                name="session_status_valid", condition=Q(status__in=["open", "completed"])
            ),
        ]

    def __str__(self):
        return f"{self.client.code} / {self.external_id}"


class PackingList(models.Model):
    """The unit of work a station claims: one Excel file or one Shopify packing-list JSON.

    The claim columns replace the old `.session.lock` file: only the holder (worker + station +
    token) may scan, and a claim without a heartbeat for PACKER_STALE_AFTER_SECONDS is stale.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    session = models.ForeignKey(PackingSession, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    source_file = models.CharField(_("source file"), max_length=1000, blank=True)
    source_columns = models.JSONField(
        default=list, blank=True, help_text=_("Column headers of the source file, in order.")
    )
    info = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    all_done_announced = models.BooleanField(default=False)
    open_order = models.ForeignKey(
        "Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The order currently open at the holding station."),
    )
    # Claim columns (a row lock on this row serialises every change to the list).
    holder = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_lists"
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_lists"
    )
    claim_token = models.UUIDField(null=True, blank=True, unique=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Counters (sessions.counters): a cache of the list's orders, lines and scan log, moved in the
    # transaction of every change under this row's lock, so no screen sums the list's rows.
    # One column per order status, named `<status>_orders`.
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    new_orders = models.PositiveIntegerField(_("new orders"), default=0)
    in_progress_orders = models.PositiveIntegerField(_("orders in progress"), default=0)
    completed_orders = models.PositiveIntegerField(_("completed orders"), default=0)
    skipped_orders = models.PositiveIntegerField(_("skipped orders"), default=0)
    needs_review_orders = models.PositiveIntegerField(_("orders to review"), default=0)
    required_units = models.PositiveIntegerField(_("required units"), default=0)
    packed_units = models.PositiveIntegerField(_("packed units"), default=0)
    wrong_scans = models.PositiveIntegerField(
        _("wrong scans"), default=0,
        help_text=_("Scans answered unknown item, extra item or another order's label."),
    )

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("packing list")
        verbose_name_plural = _("packing lists")
        permissions = [("release_claim", _("Can release the claim on a packing list"))]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"],
                                    name="unique_list_name_per_session"),
            models.CheckConstraint(
                name="list_status_valid",
                condition=Q(status__in=["not_started", "in_progress", "completed"]),
            ),
            # A claim is all or nothing: holder, station, token and times together.
            models.CheckConstraint(
                name="list_claim_complete",
                condition=(
                    Q(holder__isnull=True, station__isnull=True, claim_token__isnull=True,
                      claimed_at__isnull=True, heartbeat_at__isnull=True)
                    | Q(holder__isnull=False, station__isnull=False, claim_token__isnull=False,
                        claimed_at__isnull=False, heartbeat_at__isnull=False)
                ),
            ),
            # One station works one list at a time.
            models.UniqueConstraint(
                fields=["station"], condition=Q(station__isnull=False),
                name="one_claimed_list_per_station",
            ),
            # Counters (each also >= 0: positive integer columns). A new order status adds its
            # `<status>_orders` column to this sum (tests/test_list_counters.py checks it).
            models.CheckConstraint(
                name="list_packed_within_required",
                condition=Q(packed_units__lte=F("required_units")),
            ),
            models.CheckConstraint(
                name="list_orders_by_status",
                condition=Q(order_count=F("new_orders") + F("in_progress_orders")
                            + F("completed_orders") + F("skipped_orders")
                            + F("needs_review_orders")),
            ),
        ]

    def __str__(self):
        return f"{self.session} / {self.name}"

    @property
    def is_claimed(self):
        return self.claim_token is not None

    @property
    def barcode(self):
        """The printable list barcode (`LIST-42`): scanned at a pick page, it opens the list."""
        return list_barcode(self.pk)


class ClaimEvent(models.Model):
    """Who claimed, heart-beat, released, took over or force-released a list, when and why."""

    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claimed")
        RELEASE = "release", _("Released")
        TAKEOVER = "takeover", _("Taken over")
        FORCE_RELEASE = "force_release", _("Force-released")
        REASSIGN = "reassign", _("Reassigned by a supervisor")
        END = "end", _("List ended")

    packing_list = models.ForeignKey(
        PackingList, on_delete=models.CASCADE, related_name="claim_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    previous_holder = models.ForeignKey(Worker, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    previous_station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    by_user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    reason = models.TextField(blank=True)
    claim_token = models.UUIDField(
        null=True, blank=True, db_index=True,
        help_text=_("The token of the claim this event ended (release, take-over, "
                    "force-release, end): a station holding it is told who ended it and why."),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.packing_list_id} {self.created_at:%Y-%m-%d %H:%M}"


class Order(models.Model):
    """One order of a packing list; the unit a packer scans open and packs."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        SKIPPED = "skipped", _("Skipped")
        NEEDS_REVIEW = "needs_review", _("Needs review")

    packing_list = models.ForeignKey(PackingList, on_delete=models.CASCADE, related_name="orders")
    number = models.CharField(_("order number"), max_length=200)
    normalized_number = models.CharField(max_length=200)
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    order_type = models.CharField(_("order type"), max_length=50, blank=True)
    tags = models.JSONField(default=list, blank=True)
    internal_tags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    system_note = models.TextField(blank=True)
    box = models.CharField(_("recommended box"), max_length=100, blank=True)
    box_count = models.PositiveSmallIntegerField(
        _("boxes"), default=1, db_default=1,
        help_text=_("Boxes the order is packed into; scanned units go into the last one "
                    "(“New box” closes it and opens the next)."),
    )
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # Timing (first order scan, first item scan, completion), and who completed it.
    started_at = models.DateTimeField(null=True, blank=True)
    first_item_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    completed_station = models.ForeignKey(Station, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+")
    # A flagged problem (status needs_review) and its reason, until a supervisor resolves it.
    problem = models.CharField(_("problem"), max_length=20, blank=True,
                               choices=[(r.value, r.label) for r in PROBLEM_REASONS])
    problem_note = models.TextField(_("problem note"), blank=True)
    reship_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("re-ship of"),
        help_text=_("The same order of an ended list, imported again (a re-ship)."),
    )
    # Quality counters (a cache of the scan log).
    corrections = models.PositiveIntegerField(default=0)
    extra_scans = models.PositiveIntegerField(default=0)
    unknown_scans = models.PositiveIntegerField(default=0)
    manual_confirmations = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["packing_list", "sequence", "id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [("reopen_order", _("Can reopen a completed order"))]
        constraints = [
            models.UniqueConstraint(
                fields=["packing_list", "normalized_number"], name="unique_order_number_per_list",
                violation_error_message=_("Two orders of this list have the same number."),
            ),
            models.CheckConstraint(name="order_number_not_empty",
                                   condition=~Q(normalized_number="")),
            models.CheckConstraint(
                name="order_status_valid",
                condition=Q(status__in=["new", "in_progress", "completed", "skipped",
                                        "needs_review"]),
            ),
            models.CheckConstraint(name="order_box_count_positive",
                                   condition=Q(box_count__gte=1)),
            models.CheckConstraint(
                name="order_completed_has_time",
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
            ),
            # A flagged order names its problem (kept after the review, for the report).
            models.CheckConstraint(
                name="order_problem_valid",
                condition=Q(problem__in=["", *(r.value for r in PROBLEM_REASONS)])
                & (~Q(status="needs_review") | ~Q(problem="")),
            ),
        ]
        indexes = [
            models.Index(fields=["packing_list", "status"]),
            models.Index(fields=["normalized_number"], name="order_number_idx"),
            # A list's orders in list order, a page at a time (GET /api/v1/lists/{id}/orders/).
            models.Index(fields=["packing_list", "sequence", "id"], name="order_list_sequence"),
        ]

    def __str__(self):
        return self.number


class OrderItem(models.Model):
    """One source line of an order: SKU, required units and units packed so far."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    line_number = models.PositiveIntegerField(_("line"))
    source_row = models.PositiveIntegerField(_("source row"), null=True, blank=True)
    sku = models.CharField(_("SKU"), max_length=200)
    normalized_sku = models.CharField(max_length=200, db_index=True)
    product_name = models.CharField(_("product name"), max_length=500, blank=True)
    required = models.PositiveIntegerField(_("required"))
    packed = models.PositiveIntegerField(_("packed"), default=0)
    extra_columns = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "line_number"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(name="item_packed_not_negative", condition=Q(packed__gte=0)),
            models.CheckConstraint(
                name="item_packed_within_required", condition=Q(packed__lte=F("required"))
            ),
            models.CheckConstraint(name="item_required_not_negative", condition=Q(required__gte=0)),
            models.UniqueConstraint(fields=["order", "line_number"], name="unique_line_per_order"),
        ]

    def __str__(self):
        return f"{self.sku} {self.packed}/{self.required}"

    @property
    def is_complete(self):
        return self.packed >= self.required


class OrderBox(models.Model):
    """A box of an order packed into several: its number, when it was closed, its weight.

    Only orders with more than one box have rows (one box looks exactly as before). What is in a
    box is read from the scan log (every unit's event names its box: ScanEvent.box), so undo
    and replay need nothing here.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="box_rows")
    number = models.PositiveSmallIntegerField(_("box"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=3, null=True,
                                    blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("box")
        verbose_name_plural = _("boxes")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="unique_box_per_order"),
            models.CheckConstraint(name="box_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(name="box_weight_positive",
                                   condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0)),
        ]

    def __str__(self):
        return f"{self.order} box {self.number}"


class OrderExtra(models.Model):
    """Over-scans of one SKU on one order: pending until kept or removed one at a time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="extras")
    normalized_sku = models.CharField(max_length=200)
    sku = models.CharField(max_length=200, help_text=_("The SKU as on the order line."))
    pending = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("extra item")
        verbose_name_plural = _("extra items")
        constraints = [
            models.UniqueConstraint(fields=["order", "normalized_sku"],
                                    name="unique_extra_per_sku"),
            models.CheckConstraint(
                name="extra_counts_not_negative",
                condition=Q(pending__gte=0) & Q(kept__gte=0) & Q(removed__gte=0),
            ),
        ]

    def __str__(self):
        return f"{self.sku} +{self.pending}"


class ScanEvent(models.Model):
    """Append-only log of every scan and manual action: the truth behind every counter."""

    class Action(models.TextChoices):
        SCAN = "scan", _("Scan")
        CONFIRM = "confirm", _("Confirmed by hand")
        UNDO = "undo", _("Undo")
        FORCE_CONFIRM = "force_confirm", _("Force-confirmed")
        SKIP = "skip", _("Skipped")
        KEEP_EXTRA = "keep_extra", _("Extra kept")
        REMOVE_EXTRA = "remove_extra", _("Extra removed")
        REOPEN = "reopen", _("Reopened")
        MAP = "map", _("Barcode mapped")
        IMPORT = "import", _("Imported")
        FLAG = "flag", _("Problem flagged")
        REVIEW = "review", _("Review resolved")
        NEW_BOX = "new_box", _("New box")

    packing_list = models.ForeignKey(PackingList, on_delete=models.CASCADE,
                                     related_name="scan_events")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="scan_events")
    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="scan_events")
    worker = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="scan_events")
    station = models.ForeignKey(Station, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="scan_events")
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.SCAN)
    raw_code = models.CharField(_("scanned code"), max_length=500, blank=True)
    outcome = models.CharField(max_length=40, choices=Outcome.choices)
    quantity = models.IntegerField(
        default=0, help_text=_("Units added to (or, negative, taken from) the item.")
    )
    manual = models.BooleanField(default=False)
    box = models.PositiveSmallIntegerField(
        _("box"), null=True, blank=True,
        help_text=_("The box of the order the units went into (or came out of); empty: box 1."),
    )
    # Database defaults too: plain-SQL writers of the log (bench/load_scans.py) may omit them.
    reason = models.CharField(_("reason"), max_length=20, blank=True, choices=Reason.choices,
                              default="", db_default="")
    note = models.TextField(_("note"), blank=True, default="", db_default="")
    scan_id = models.CharField(
        _("client scan id"), max_length=100, null=True, blank=True,
        help_text=_("Sent by the station; a retry with the same id is answered, not re-applied."),
    )
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("scan event")
        verbose_name_plural = _("scan events")
        constraints = [
            models.UniqueConstraint(
                fields=["packing_list", "scan_id"], condition=Q(scan_id__isnull=False),
                name="unique_scan_id_per_list",
            ),
            models.CheckConstraint(name="scan_id_not_empty", condition=~Q(scan_id="")),
            models.CheckConstraint(name="scan_outcome_valid",
                                   condition=Q(outcome__in=Outcome.values)),
            models.CheckConstraint(name="scan_reason_valid",
                                   condition=Q(reason__in=["", *Reason.values])),
            # "Other" says what, in words.
            models.CheckConstraint(name="scan_other_reason_has_note",
                                   condition=~Q(reason="other") | ~Q(note="")),
        ]
        indexes = [
            models.Index(fields=["worker", "created_at"]),
            models.Index(fields=["order", "created_at"]),
        ]

    def __str__(self):
        return f"{self.created_at:%H:%M:%S} {self.action} {self.raw_code} → {self.outcome}"

    def save(self, *args, **kwargs):
        """The log is append-only: an existing event is never rewritten."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("ScanEvent is append-only")
        super().save(*args, **kwargs)


class ApprovalAction(models.TextChoices):
    """What a supervisor approved at a station."""

    REMAP = "remap", _("Change a barcode's mapping")
    MAP_NEW = "map_new", _("Map a new barcode")
    FORCE_CONFIRM = "force_confirm", _("Confirm the rest of a line")
    END_EARLY = "end_early", _("End a list with open orders")
    RECLAIM = "reclaim", _("Re-claim after a force-release")


class ApprovalMethod(models.TextChoices):
    """How the supervisor gave the approval."""

    BADGE = "badge", _("Badge scanned")
    PIN = "pin", _("Username and PIN")
    SIGNED_IN = "signed_in", _("Signed in as a supervisor")


class Approval(models.Model):
    """A supervisor's approval of a risky action at a station, stored with the event it allowed.

    Exactly one event: the ScanEvent of a scan-path action (a remap, "Confirm all", a new
    barcode where packers may not map) or the ClaimEvent of a claim change (ending a list
    early, re-claiming during the cool-down after a force-release).
    """

    Action = ApprovalAction
    Method = ApprovalMethod

    packing_list = models.ForeignKey(PackingList, on_delete=models.CASCADE,
                                     related_name="approvals")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    approver = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="approvals_given",
                                 verbose_name=_("approved by"))
    requested_by = models.ForeignKey(Worker, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    scan_event = models.OneToOneField(ScanEvent, on_delete=models.CASCADE, null=True,
                                      blank=True, related_name="approval")
    claim_event = models.OneToOneField(ClaimEvent, on_delete=models.CASCADE, null=True,
                                       blank=True, related_name="approval")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.CheckConstraint(name="approval_action_valid",
                                   condition=Q(action__in=ApprovalAction.values)),
            models.CheckConstraint(name="approval_method_valid",
                                   condition=Q(method__in=ApprovalMethod.values)),
            models.CheckConstraint(
                name="approval_of_one_event",
                condition=(Q(scan_event__isnull=False, claim_event__isnull=True)
                           | Q(scan_event__isnull=True, claim_event__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.approver} · {self.created_at:%Y-%m-%d %H:%M}"


class ImportRecord(models.Model):
    """One import of a file or a push: its content hash, so the same work is never created
    twice (an identical file or push points back here), and what it created or replaced."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="imports")
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    source_name = models.CharField(_("file or push"), max_length=300, blank=True)
    session = models.ForeignKey(PackingSession, on_delete=models.CASCADE,
                                related_name="import_records")
    lists = models.ManyToManyField(PackingList, related_name="import_records", blank=True)
    orders = models.PositiveIntegerField(default=0)
    choice = models.CharField(
        _("duplicate orders"), max_length=20, blank=True,
        help_text=_("How overlapping orders were handled: empty (none), new_only or replace."),
    )
    details = models.JSONField(
        default=dict, blank=True,
        help_text=_("Orders left out, lists replaced (with their orders), re-shipped orders."),
    )
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.UniqueConstraint(fields=["client", "content_hash"],
                                    name="unique_import_per_content"),
            models.CheckConstraint(name="import_hash_is_sha256",
                                   condition=Q(content_hash__regex=r"^[0-9a-f]{64}$")),
            models.CheckConstraint(name="import_choice_valid",
                                   condition=Q(choice__in=["", "new_only", "replace"])),
        ]

    def __str__(self):
        return f"{self.client.code} {self.source_name} {self.created_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    """What the floor view alerts a supervisor to (sessions.reads.floor_alerts finds them)."""

    STALE_CLAIM = "stale_claim", _("Stale claim")
    ORDER_OPEN_LONG = "order_open_long", _("Order open too long")
    WRONG_SCANS = "wrong_scans", _("Wrong scans in a row")
    FLAGGED_ORDER = "flagged_order", _("Flagged order")
    PRINTER_FAILURE = "printer_failure", _("Printer failure")


class AlertAcknowledgement(models.Model):
    """A supervisor saw an alert and dealt with it: it leaves every floor view.

    `key` names one occurrence (a claim, an open order, a run of wrong scans, a flag, a printer
    failure), so the same condition arising again later is a new alert.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    key = models.CharField(_("key"), max_length=200)
    by_user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("acknowledged by"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert acknowledgement")
        verbose_name_plural = _("alert acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="unique_alert_acknowledgement"),
            models.CheckConstraint(name="alert_ack_kind_valid",
                                   condition=Q(kind__in=AlertKind.values)),
            models.CheckConstraint(name="alert_ack_key_not_empty", condition=~Q(key="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"


class AlertMute(models.Model):
    """A supervisor's choice: alerts of this kind make no sound on their floor view."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="alert_mutes")
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("muted alert")
        verbose_name_plural = _("muted alerts")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_alert_mute"),
            models.CheckConstraint(name="alert_mute_kind_valid",
                                   condition=Q(kind__in=AlertKind.values)),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class PrinterFailure(models.Model):
    """A label printer that did not print (raised by sessions.alerts.raise_printer_failure)."""

    station = models.ForeignKey(Station, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    packing_list = models.ForeignKey(PackingList, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    printer = models.CharField(_("printer"), max_length=200, blank=True)
    error = models.TextField(_("error"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("printer failure")
        verbose_name_plural = _("printer failures")
        constraints = [
            models.CheckConstraint(name="printer_failure_has_error", condition=~Q(error="")),
        ]

    def __str__(self):
        return f"{self.printer or '?'} {self.created_at:%Y-%m-%d %H:%M}"


class OutboxMessage(models.Model):
    """One event for one webhook, written in the transaction of the change that caused it
    (sessions.outbox), so none is lost if a process dies; `manage.py deliver_webhooks` sends
    it. The body is kept as the exact bytes sent (the signature covers them), and the
    delivery id stays the same across retries and redeliveries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    webhook = models.ForeignKey("profiles.Webhook", on_delete=models.CASCADE,
                                related_name="messages")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    delivery_id = models.UUIDField(_("delivery id"), unique=True)
    body = models.TextField(_("body"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retries = models.PositiveIntegerField(
        _("failures in a row"), default=0,
        help_text=_("Failed attempts since it was written or redelivered (the back-off)."))
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                name="outbox_event_valid",
                condition=Q(event__in=WebhookEvent.values)),
            models.CheckConstraint(name="outbox_status_valid",
                                   condition=Q(status__in=["pending", "delivered", "failed"])),
            models.CheckConstraint(
                name="outbox_delivered_has_time",
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False)),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.event} {self.delivery_id}"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per POST of an outbox message, with the answer or error."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE,
                                related_name="delivery_attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("sent at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    ok = models.BooleanField(_("delivered"), default=False)
    error = models.TextField(_("error"), blank=True)
    manual = models.BooleanField(_("manual redelivery"), default=False)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["message", "number"],
                                    name="unique_attempt_number_per_message"),
            models.CheckConstraint(name="attempt_ok_is_2xx",
                                   condition=Q(ok=False) | Q(status_code__gte=200,
                                                             status_code__lt=300)),
        ]

    def __str__(self):
        return f"{self.message_id} #{self.number} {self.status_code or self.error[:40]}"
