"""Request parsing and the documented shapes of the API.

Request serializers validate what a station sends before a service is called. The answers of
claims, scans, actions and lists are built by the services (`sessions.reads.payloads`), not here:
the response serializers below only describe those dicts for the OpenAPI schema, so the
schema and the stations read one shape and nothing is computed twice.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from profiles.models import Client
from sessions.models import PackingList, PackingSession, ScanEvent
from sessions.outcomes import Outcome
from sessions.reads.payloads import list_counters
from sessions.scanning.actions import HANDLERS

# The station contract's action names are the engine's own handlers: one list, not two.
ACTIONS = list(HANDLERS)


# --- requests -------------------------------------------------------------------------------

class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class ClaimRequestSerializer(serializers.Serializer):
    station = serializers.CharField(
        max_length=100, help_text=_("The station's id or name (the terminal's configured name)."))


class TakeoverRequestSerializer(ClaimRequestSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ForceReleaseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text=_("Why the claim is ended."))


class ScanIdField(serializers.CharField):
    """A client scan id: the same id on a retry returns the first answer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("help_text", _("Client scan id; a retry with the same id is answered "
                                         "from the log and changes nothing."))
        super().__init__(**kwargs)


class ScanRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=500, trim_whitespace=True,
                                 help_text=_("The scanned barcode (order label or item)."))
    scan_id = ScanIdField()


class ActionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    scan_id = ScanIdField()
    item = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                    help_text=_("Order line id (confirm, undo, force_confirm, "
                                                "keep_extra, remove_extra)."))
    order = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     help_text=_("Order id (reopen; skip defaults to the open "
                                                 "order)."))
    barcode = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    help_text=_("Barcode to map (map)."))
    sku = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                help_text=_("SKU (map; keep_extra / remove_extra)."))

    def validate(self, attrs):
        if attrs["action"] == "map" and not (attrs.get("barcode") and attrs.get("sku")):
            raise serializers.ValidationError(_("Mapping needs both a barcode and a SKU."))
        return attrs


class EndRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text=_("End even though some orders are still open."))


# --- resources ------------------------------------------------------------------------------

class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "code", "name", "active", "created_at"]


class ListCountersSerializer(serializers.Serializer):
    """A packing list inside a session answer: its name, status and counters."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    orders = serializers.IntegerField()
    required_units = serializers.IntegerField(help_text=_("Units the list's orders require."))
    units = serializers.IntegerField(help_text=_("Deprecated: the same as required_units."))
    packed_units = serializers.IntegerField()
    completed_orders = serializers.IntegerField()
    skipped_orders = serializers.IntegerField()
    in_progress_orders = serializers.IntegerField()
    new_orders = serializers.IntegerField()


class PackingSessionSerializer(serializers.ModelSerializer):
    """A session with its lists and their counters (`list_counters`, from each list's row)."""

    client = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lists = serializers.SerializerMethodField()

    class Meta:
        model = PackingSession
        fields = ["id", "client", "external_id", "source", "status", "created_at",
                  "completed_at", "info", "lists"]

    @extend_schema_field(ListCountersSerializer(many=True))
    def get_lists(self, session):
        return [list_entry(pl) for pl in session.lists.all()]


def list_entry(packing_list):
    """A list's identity plus its counters (`sessions.reads.payloads.list_counters`)."""
    entry = {"id": packing_list.id, "name": packing_list.name, "status": packing_list.status}
    entry.update(list_counters(packing_list))
    entry["units"] = entry["required_units"]  # the API's first name for required_units
    return entry


class ScanEventSerializer(serializers.ModelSerializer):
    """One line of an order's scan timeline."""

    worker = serializers.StringRelatedField()
    station = serializers.StringRelatedField()
    code = serializers.CharField(source="raw_code")
    item = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ScanEvent
        fields = ["id", "created_at", "action", "outcome", "code", "item", "quantity",
                  "manual", "worker", "station", "scan_id"]


# --- documented answers (shapes built by sessions.reads.payloads and the services) ---------------

class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable machine-readable code."))
    message = serializers.CharField(help_text=_("Human message in the user's language."))


class ListClaimedErrorSerializer(ErrorSerializer):
    holder = serializers.CharField(help_text=_("Display name of the worker holding the list."))
    station = serializers.CharField()
    since = serializers.DateTimeField()
    stale = serializers.BooleanField()
    heartbeat_at = serializers.DateTimeField()


class ClaimStateSerializer(serializers.Serializer):
    holder = serializers.CharField()
    holder_id = serializers.IntegerField()
    station = serializers.CharField()
    station_id = serializers.IntegerField()
    since = serializers.DateTimeField()
    heartbeat_at = serializers.DateTimeField()
    heartbeat_age_seconds = serializers.FloatField()
    stale = serializers.BooleanField()
    active = serializers.BooleanField()


class ListPayloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    session = serializers.IntegerField()
    session_external_id = serializers.CharField()
    client = serializers.CharField()
    status = serializers.ChoiceField(choices=PackingList.Status.choices)
    orders = serializers.IntegerField()
    required_units = serializers.IntegerField(help_text=_("Units the list's orders require."))
    units = serializers.IntegerField(help_text=_("Deprecated: the same as required_units."))
    packed_units = serializers.IntegerField()
    completed_orders = serializers.IntegerField()
    skipped_orders = serializers.IntegerField()
    in_progress_orders = serializers.IntegerField()
    new_orders = serializers.IntegerField()
    open_order = serializers.IntegerField(allow_null=True)
    all_done = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    claim = ClaimStateSerializer(allow_null=True)


class ItemPayloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line_number = serializers.IntegerField()
    sku = serializers.CharField()
    product_name = serializers.CharField()
    required = serializers.IntegerField()
    packed = serializers.IntegerField()
    complete = serializers.BooleanField()
    extra_columns = serializers.DictField()


class ExtraPayloadSerializer(serializers.Serializer):
    sku = serializers.CharField()
    pending = serializers.IntegerField()
    kept = serializers.IntegerField()
    removed = serializers.IntegerField()


class OrderPayloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    sequence = serializers.IntegerField()
    courier = serializers.CharField()
    country = serializers.CharField()
    order_type = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    internal_tags = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
    system_note = serializers.CharField()
    box = serializers.CharField()
    metadata = serializers.DictField()
    started_at = serializers.DateTimeField(allow_null=True)
    first_item_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    skipped_at = serializers.DateTimeField(allow_null=True)
    corrections = serializers.IntegerField()
    extra_scans = serializers.IntegerField()
    unknown_scans = serializers.IntegerField()
    manual_confirmations = serializers.IntegerField()
    items = ItemPayloadSerializer(many=True)
    extras = ExtraPayloadSerializer(many=True)
    pending_extras = serializers.IntegerField()
    required_units = serializers.IntegerField()
    packed_units = serializers.IntegerField()


class OrderDetailSerializer(OrderPayloadSerializer):
    packing_list = serializers.IntegerField()
    timeline = ScanEventSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    """The answer to every scan and action (also replayed for a retried scan id)."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    message = serializers.CharField()
    order = OrderPayloadSerializer(allow_null=True)
    list = ListPayloadSerializer()
    scan_id = serializers.CharField(allow_null=True)
    duplicate = serializers.BooleanField()
    all_done = serializers.BooleanField()


class ClaimAnswerSerializer(serializers.Serializer):
    token = serializers.UUIDField(help_text=_("Send it as the X-Claim-Token header."))
    heartbeat_seconds = serializers.IntegerField()
    stale_after_seconds = serializers.IntegerField()
    list = ListPayloadSerializer()


class HeartbeatAnswerSerializer(serializers.Serializer):
    heartbeat_at = serializers.DateTimeField()
    heartbeat_seconds = serializers.IntegerField()
    stale_after_seconds = serializers.IntegerField()
    claim = ClaimStateSerializer(allow_null=True)


class ListAnswerSerializer(serializers.Serializer):
    list = ListPayloadSerializer()


class TokenAnswerSerializer(serializers.Serializer):
    token = serializers.CharField()


class MetricsQuerySerializer(serializers.Serializer):
    """Filters of /api/v1/metrics/ (query string; `from` and `to` are local days, inclusive)."""

    client = serializers.CharField(required=False, help_text=_("Client code."))
    session = serializers.IntegerField(required=False, min_value=1)
    list = serializers.IntegerField(required=False, min_value=1)
    worker = serializers.IntegerField(required=False, min_value=1, help_text=_("Worker id."))
    group_by = serializers.ChoiceField(
        required=False, choices=["client", "worker", "day", "session", "list"])

    def get_fields(self):
        # `from` is a Python keyword, so these two cannot be declared as class attributes.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text=_("First day."))
        fields["to"] = serializers.DateField(required=False, help_text=_("Last day."))
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(_("'from' is after 'to'."))
        return attrs
