"""Clients, their settings and SKU mappings, workers and stations.

Constraints live in the database: a client code that breaks the rules of scenario 35, or a
second mapping of the same (normalised) barcode for a client, is refused by the database itself.
"""

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import GreaterThanOrEqual
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from profiles.normalize import is_command_code, normalize_barcode

CLIENT_CODE_MAX = 10
CLIENT_CODE_RE = re.compile(r"^[A-Z0-9_]{1,10}$")
# Windows reserved device names: the old app made a folder CLIENT_{code} per client, and these
# names are still refused so that exports to a share keep working.
RESERVED_DEVICE_NAMES = (
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


def validate_client_code(value):
    """Explain in words why a client code is refused (scenario 35)."""
    if not value:
        raise ValidationError(_("A client code is required."), code="required")
    if len(value) > CLIENT_CODE_MAX:
        raise ValidationError(
            _("A client code has at most %(max)d characters."), code="too_long",
            params={"max": CLIENT_CODE_MAX},
        )
    if not CLIENT_CODE_RE.match(value):
        raise ValidationError(
            _("A client code may contain only capital letters A–Z, digits and '_'."),
            code="characters",
        )
    if value.startswith("CLIENT_"):
        raise ValidationError(_("A client code may not start with 'CLIENT_'."), code="prefix")
    if value.upper() in RESERVED_DEVICE_NAMES:
        raise ValidationError(
            _("'%(code)s' is a reserved device name in Windows."), code="reserved",
            params={"code": value},
        )


class Client(models.Model):
    """A customer of the warehouse whose orders are packed (the old CLIENT_{ID} folder)."""

    code = models.CharField(
        _("code"), max_length=CLIENT_CODE_MAX, unique=True, validators=[validate_client_code],
        help_text=_("A–Z, 0–9 and _, at most 10 characters, e.g. M or CLIENT1."),
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                name="client_code_format",
                condition=Q(code__regex=CLIENT_CODE_RE.pattern)
                & ~Q(code__startswith="CLIENT_")
                & ~Q(code__in=RESERVED_DEVICE_NAMES),
                violation_error_message=_("Invalid client code."),
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}" if self.name else self.code

    def settings_or_default(self):
        """The client's settings row, created with defaults on first use."""
        obj, _created = ClientSettings.objects.get_or_create(client=self)
        return obj


class PrintOnComplete(models.TextChoices):
    """What a station's printer gets when an order completes there."""

    OFF = "off", _("Nothing")
    LABEL = "label", _("The label")
    LABEL_AND_SLIP = "label_and_slip", _("The label and the packing slip")


class SlipPaper(models.TextChoices):
    A6 = "a6", _("A6")
    A4 = "a4", _("A4")


class ClientSettings(models.Model):
    """Per-client label geometry and printing choices (one row per client)."""

    PrintOnComplete = PrintOnComplete
    SlipPaper = SlipPaper

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="settings")
    label_width_mm = models.DecimalField(
        _("label width (mm)"), max_digits=5, decimal_places=1, default=68,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    label_height_mm = models.DecimalField(
        _("label height (mm)"), max_digits=5, decimal_places=1, default=38,
        validators=[MinValueValidator(15), MaxValueValidator(200)],
    )
    label_dpi = models.PositiveIntegerField(
        _("printer resolution (dpi)"), default=203,
        validators=[MinValueValidator(150), MaxValueValidator(600)],
    )
    label_show_qr = models.BooleanField(_("print a QR code too"), default=False)
    label_show_courier = models.BooleanField(_("print the courier"), default=True)
    label_show_date = models.BooleanField(_("print the date"), default=True)
    label_show_units = models.BooleanField(_("print total units"), default=True)
    label_show_country = models.BooleanField(_("print the country"), default=True)
    label_show_tags = models.BooleanField(_("print tags"), default=True)
    label_show_sequence = models.BooleanField(_("print the sequence number"), default=True)
    default_courier = models.CharField(
        _("default courier"), max_length=100, blank=True,
        help_text=_("The courier of orders whose Excel/CSV list has no courier column (or an "
                    "empty cell); with it the courier column is optional."),
    )
    printer_address = models.CharField(
        _("label printer (host:port)"), max_length=200, blank=True,
        help_text=_("A ZPL printer reachable over raw TCP, e.g. 10.0.0.5:9100."),
    )
    print_on_complete = models.CharField(
        _("print when an order completes"), max_length=20, choices=PrintOnComplete.choices,
        default=PrintOnComplete.OFF,
        help_text=_("Sent to the station's printer (else the client's) right after the order "
                    "completes; a printer that fails never changes the order."),
    )
    slip_paper = models.CharField(_("packing slip paper"), max_length=2,
                                  choices=SlipPaper.choices, default=SlipPaper.A6)
    # Authority at the station (docs/engine.md, "Who may do what").
    packers_map_new_barcodes = models.BooleanField(
        _("packers may map new barcodes"), default=True,
        help_text=_("A packer may map a barcode nobody mapped yet; changing an existing "
                    "mapping always needs a supervisor's approval."),
    )
    force_confirm_needs_approval = models.BooleanField(
        _("“Confirm all” needs a supervisor's approval"), default=True,
        help_text=_("Filling the rest of a line by hand needs a supervisor's badge or PIN."),
    )

    class Meta:
        verbose_name = _("client settings")
        verbose_name_plural = _("client settings")
        constraints = [
            models.CheckConstraint(
                name="label_geometry_positive",
                condition=Q(label_width_mm__gt=0) & Q(label_height_mm__gt=0) & Q(label_dpi__gt=0),
            ),
            models.CheckConstraint(name="print_on_complete_valid",
                                   condition=Q(print_on_complete__in=PrintOnComplete.values)),
            models.CheckConstraint(name="slip_paper_valid",
                                   condition=Q(slip_paper__in=SlipPaper.values)),
        ]

    def __str__(self):
        return f"{self.client.code} settings"


class CourierDeadline(models.Model):
    """The time of day a courier collects parcels; the station shows the time left."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="courier_deadlines")
    courier = models.CharField(_("courier"), max_length=100)
    deadline = models.TimeField(_("pick-up time"))

    class Meta:
        ordering = ["client", "deadline"]
        verbose_name = _("courier deadline")
        verbose_name_plural = _("courier deadlines")
        constraints = [
            models.UniqueConstraint(
                Lower("courier"), "client", name="unique_courier_deadline_per_client"
            ),
        ]

    def __str__(self):
        return f"{self.courier} {self.deadline:%H:%M}"


class WebhookEvent(models.TextChoices):
    """What the order-prep side can be told (the names are the contract of issue 14)."""

    ORDER_COMPLETED = "order.completed", _("Order completed")
    ORDER_FLAGGED = "order.flagged", _("Order flagged")
    LIST_ENDED = "list.ended", _("Packing list ended")
    SESSION_COMPLETED = "session.completed", _("Session completed")


# The column of a Webhook that says it wants an event.
WEBHOOK_EVENT_FIELDS = {
    WebhookEvent.ORDER_COMPLETED: "on_order_completed",
    WebhookEvent.ORDER_FLAGGED: "on_order_flagged",
    WebhookEvent.LIST_ENDED: "on_list_ended",
    WebhookEvent.SESSION_COMPLETED: "on_session_completed",
}
WEBHOOK_SECRET_MIN = 16


class Webhook(models.Model):
    """An outbound webhook of a client: where packing events are POSTed (JSON, signed with the
    secret: X-Packer-Signature), and which events it wants (sessions.outbox writes them,
    `manage.py deliver_webhooks` sends them)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=1000)
    secret = models.CharField(
        _("secret"), max_length=200,
        help_text=_("Signs every delivery (HMAC-SHA256 of the body); at least %(min)d "
                    "characters.") % {"min": WEBHOOK_SECRET_MIN},
    )
    on_order_completed = models.BooleanField(WebhookEvent.ORDER_COMPLETED.value, default=True)
    on_order_flagged = models.BooleanField(WebhookEvent.ORDER_FLAGGED.value, default=False)
    on_list_ended = models.BooleanField(WebhookEvent.LIST_ENDED.value, default=False)
    on_session_completed = models.BooleanField(WebhookEvent.SESSION_COMPLETED.value,
                                               default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "url"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.UniqueConstraint(fields=["client", "url"], name="unique_webhook_url_per_client"),
            models.CheckConstraint(name="webhook_url_http",
                                   condition=Q(url__startswith="http://")
                                   | Q(url__startswith="https://")),
            models.CheckConstraint(name="webhook_secret_long_enough",
                                   condition=GreaterThanOrEqual(Length("secret"),
                                                                WEBHOOK_SECRET_MIN)),
            models.CheckConstraint(
                name="webhook_wants_an_event",
                condition=Q(on_order_completed=True) | Q(on_order_flagged=True)
                | Q(on_list_ended=True) | Q(on_session_completed=True),
                violation_error_message=_("Choose at least one event."),
            ),
        ]

    def __str__(self):
        return f"{self.client.code} → {self.url}"

    def clean(self):
        if self.secret and len(self.secret) < WEBHOOK_SECRET_MIN:
            raise ValidationError({"secret": _("A secret has at least %(min)d characters.")
                                   % {"min": WEBHOOK_SECRET_MIN}})

    def events(self):
        return [event for event, name in WEBHOOK_EVENT_FIELDS.items() if getattr(self, name)]


class ColumnMapping(models.Model):
    """A remembered Excel column mapping for files whose headers look the same.

    `headers_key` is the file's header row (normalised, sorted, joined) so that the next file
    of that shape imports in one step.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="column_mappings")
    headers_key = models.CharField(max_length=2000)
    headers = models.JSONField(default=list, help_text=_("The file's headers as seen."))
    mapping = models.JSONField(help_text=_("Standard column → the file's column."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(fields=["client", "headers_key"], name="unique_mapping_shape"),
        ]

    def __str__(self):
        return f"{self.client.code}: {', '.join(self.headers)[:80]}"


class MappingChangeContext(models.Model):
    """Extra columns of a mapping's history: where a change was made at a station, by whom,
    and which supervisor approved it (set by the station's map action; empty for the admin)."""

    worker = models.ForeignKey("profiles.Worker", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("worker"))
    station = models.ForeignKey("profiles.Station", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("station"))
    approved_by = models.ForeignKey("profiles.Worker", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("approved by"))

    class Meta:
        abstract = True


class SkuMapping(models.Model):
    """A barcode that stands for one of the client's SKUs (many barcodes may map to one SKU)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sku_mappings")
    barcode = models.CharField(_("barcode"), max_length=200)
    normalized_barcode = models.CharField(max_length=200, editable=False, db_index=True)
    sku = models.CharField(_("SKU"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("units per scan"), default=1, validators=[MinValueValidator(1)],
        help_text=_("A packaging barcode (a 6-pack) packs this many units of the SKU in one "
                    "scan; 1 for a single unit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(bases=[MappingChangeContext])

    class Meta:
        ordering = ["client", "barcode"]
        verbose_name = _("SKU mapping")
        verbose_name_plural = _("SKU mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "normalized_barcode"], name="unique_barcode_per_client",
                violation_error_message=_("This barcode is already mapped for this client."),
            ),
            models.CheckConstraint(
                name="mapping_barcode_not_empty",
                condition=Q(normalized_barcode__gt="") & ~Q(sku=""),
            ),
            models.CheckConstraint(name="mapping_quantity_positive",
                                   condition=Q(quantity__gte=1)),
        ]

    def __str__(self):
        if self.quantity != 1:
            return f"{self.barcode} → {self.quantity} × {self.sku}"
        return f"{self.barcode} → {self.sku}"

    def save(self, *args, **kwargs):
        self.normalized_barcode = normalize_barcode(self.barcode)
        super().save(*args, **kwargs)

    def clean(self):
        self.normalized_barcode = normalize_barcode(self.barcode)
        if not self.normalized_barcode:
            raise ValidationError({"barcode": _("A barcode needs at least one letter or digit.")})
        if is_command_code(self.barcode):
            raise ValidationError({"barcode": _(
                "A barcode starting with %(prefix)s is a station command, not an item.")
                % {"prefix": settings.PACKER_COMMAND_PREFIX}})


class Station(models.Model):
    """A named packing terminal (the old app's PC name)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    printer_address = models.CharField(
        _("label printer (host:port)"), max_length=200, blank=True,
        help_text=_("Overrides the client's printer for labels printed at this station."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        constraints = [
            models.CheckConstraint(name="station_name_not_empty", condition=~Q(name="")),
        ]

    def __str__(self):
        return self.name


class Worker(models.Model):
    """A person on the floor, tied to a Django user, who may sign in by badge or PIN."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker"
    )
    display_name = models.CharField(_("display name"), max_length=100)
    badge_code = models.CharField(
        _("badge code"), max_length=100, blank=True, null=True, unique=True,
        help_text=_("Scanned at a station to sign in."),
    )
    pin_hash = models.CharField(max_length=200, blank=True, editable=False)
    legacy_id = models.CharField(
        _("legacy worker id"), max_length=50, blank=True, null=True, unique=True,
        help_text=_("worker_001 … from the old Workers/workers.json."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.CheckConstraint(name="worker_badge_not_empty", condition=~Q(badge_code="")),
            models.CheckConstraint(
                name="worker_display_name_not_empty", condition=Q(display_name__gt="")
            ),
        ]

    def __str__(self):
        return self.display_name

    def set_pin(self, pin):
        """Store a PIN hashed like a password; an empty PIN removes it."""
        if pin and (not str(pin).isdigit() or not 4 <= len(str(pin)) <= 8):
            raise ValidationError(_("A PIN is 4 to 8 digits."))
        self.pin_hash = make_password(str(pin)) if pin else ""

    def check_pin(self, pin):
        return bool(self.pin_hash) and check_password(str(pin), self.pin_hash)



@receiver(pre_create_historical_record)
def _mapping_change_context(sender, instance, history_instance, **kwargs):
    """Copy the station context a service put on the mapping into its history row."""
    if isinstance(instance, SkuMapping):
        for name in ("worker", "station", "approved_by"):
            setattr(history_instance, name, getattr(instance, f"_history_{name}", None))


__all__ = [
    "Client", "ClientSettings", "CourierDeadline", "ColumnMapping", "SkuMapping", "Station",
    "Webhook", "WebhookEvent", "Worker", "validate_client_code",
]
