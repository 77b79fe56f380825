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
from sessions.approvals import APPROVE_WITH
from sessions.models import (
    FILL_REASONS,
    PROBLEM_REASONS,
    Order,
    PackingList,
    PackingSession,
    ScanEvent,
)
from sessions.outcomes import Outcome
from sessions.reads.payloads import list_counters
from sessions.scanning.actions import HANDLERS
from sessions.scanning.sql import ID_MAX

# The station contract's action names are the engine's own handlers: one list, not two.
ACTIONS = list(HANDLERS)


# --- requests -------------------------------------------------------------------------------

class IdField(serializers.IntegerField):
    """A row id: a whole number from 1 to the largest bigint (a larger one can match no row,
    and SQLite cannot even compare it: an HTML 500 before)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class ApprovalSerializer(serializers.Serializer):
    """A supervisor's approval given at the station: a badge, or a username and a PIN."""

    badge = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                  help_text=_("The supervisor's badge, as scanned."))
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    pin = serializers.CharField(max_length=8, required=False, allow_blank=True,
                                style={"input_type": "password"})


def approval_field():
    return ApprovalSerializer(required=False, allow_null=True, help_text=_(
        "A supervisor's approval, when the first answer was 403 approval_required (or 409 "
        "release_cooldown): send the same request again with it (same scan_id)."))


class ClaimRequestSerializer(serializers.Serializer):
    station = serializers.CharField(
        max_length=100, help_text=_("The station's id or name (the terminal's configured name)."))
    approval = approval_field()


class TakeoverRequestSerializer(ClaimRequestSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReleaseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="",
                                   help_text=_("Why the holder gives the list back (a break)."))


class ForceReleaseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text=_("Why the claim is ended."))


class ReassignRequestSerializer(serializers.Serializer):
    station = serializers.CharField(max_length=100, help_text=_("The target station (id or name)."))
    worker = serializers.IntegerField(min_value=1, help_text=_("The packer who gets the list."))
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True,
                                   help_text=_("Why the list moves (kept in the log)."))


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
    item = IdField(required=False, allow_null=True,
                   help_text=_("Order line id (confirm, undo, force_confirm, keep_extra, "
                               "remove_extra). Undo without it takes back the newest unit "
                               "this station packed into the open order."))
    order = IdField(required=False, allow_null=True,
                    help_text=_("Order id (reopen; skip defaults to the open order)."))
    barcode = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    help_text=_("Barcode to map (map)."))
    sku = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                help_text=_("SKU (map; keep_extra / remove_extra)."))
    reason = serializers.ChoiceField(
        choices=[r.value for r in (*FILL_REASONS, *PROBLEM_REASONS)], required=False,
        allow_blank=True,
        help_text=_("confirm / force_confirm: barcode_missing, label_damaged or other; flag: "
                    "short, damaged or wrong_stock. Missing: 400 reason_required with the "
                    "reasons to choose from."))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                 help_text=_("Words for reason “other”, or about the problem."))
    weight = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                   help_text=_("new_box: the weight (kg) of the box it closes."))
    approval = approval_field()

    def validate(self, attrs):
        if attrs["action"] == "map" and not (attrs.get("barcode") and attrs.get("sku")):
            raise serializers.ValidationError(_("Mapping needs both a barcode and a SKU."))
        return attrs


class PrintOrderRequestSerializer(serializers.Serializer):
    what = serializers.ChoiceField(choices=["label", "slip", "label_and_slip"], default="label")
    station = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                    help_text=_("Station name or id: its printer is used."))
    box = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                   help_text=_("Only this box's label."))


class PrintLabelsRequestSerializer(serializers.Serializer):
    station = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text=_("Print on this station's printer (id or name); else the client's."))
    printer = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    help_text=_("host:port (supervisors only)."))


class EndRequestSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text=_("End even though some orders are still open (needs a "
                                   "supervisor's approval)."))
    approval = approval_field()


class ReviewRequestSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=["reopen", "complete"], help_text=_(
        "reopen: the order can be scanned again; complete: as it is, with a reason."))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   default="", help_text=_("Required to complete."))
    scan_id = ScanIdField()


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
    needs_review_orders = serializers.IntegerField(
        help_text=_("Flagged orders waiting for a supervisor."))


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
                  "manual", "reason", "note", "worker", "station", "scan_id"]


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
    can_take_over = serializers.BooleanField(help_text=_(
        "Whether the caller may take the (stale) claim over; otherwise ask a supervisor."))


APPROVE_WITH_FIELD = {"choices": list(APPROVE_WITH)}


class ApprovalRequiredErrorSerializer(ErrorSerializer):
    """403 approval_required (retry with "approval") or approval_refused."""

    code = serializers.ChoiceField(choices=["approval_required", "approval_refused"])
    approve_with = serializers.ListField(child=serializers.ChoiceField(**APPROVE_WITH_FIELD),
                                         help_text=_("How a supervisor may approve."))
    action = serializers.ChoiceField(required=False, choices=[
        "remap", "map_new", "force_confirm", "end_early", "reclaim"])
    mapping = serializers.DictField(required=False, help_text=_(
        'remap / map_new: {"barcode", "old": {"sku", "product_name"} | null, '
        '"new": {"sku", "product_name"}}.'))
    open_orders = serializers.ListField(child=serializers.CharField(), required=False, help_text=_(
        "end_early: the orders still open."))
    item = serializers.IntegerField(required=False, help_text=_("force_confirm: the line."))
    sku = serializers.CharField(required=False)
    product_name = serializers.CharField(required=False)
    units = serializers.IntegerField(required=False, help_text=_(
        "force_confirm: the units it would fill without scanning."))


class ReasonRequiredErrorSerializer(ErrorSerializer):
    code = serializers.ChoiceField(choices=["reason_required"])
    reasons = serializers.ListField(child=serializers.DictField(), help_text=_(
        '[{"code", "label"}]: the reasons to choose from.'))


class ClaimRefusedErrorSerializer(ListClaimedErrorSerializer):
    """409 of claim/ and takeover/: list_claimed (holder …), or release_cooldown (released_by
    …, only then), or list_completed / station_busy / claim_active (code and message)."""

    holder = serializers.CharField(required=False, help_text=_(
        "list_claimed: display name of the worker holding the list."))
    station = serializers.CharField(required=False)
    since = serializers.DateTimeField(required=False)
    stale = serializers.BooleanField(required=False)
    heartbeat_at = serializers.DateTimeField(required=False)
    can_take_over = serializers.BooleanField(required=False, help_text=_(
        "list_claimed: whether the caller may take the stale claim over; otherwise ask a "
        "supervisor."))
    released_by = serializers.CharField(required=False, help_text=_(
        "release_cooldown: the supervisor who force-released the list from here."))
    released_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False)
    until = serializers.DateTimeField(required=False, help_text=_(
        "release_cooldown: when this station may claim it again without an approval."))
    approve_with = serializers.ListField(child=serializers.ChoiceField(**APPROVE_WITH_FIELD),
                                         required=False)


class ClaimEndedSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("release, takeover, force_release or end."))
    by = serializers.CharField(allow_null=True)
    holder = serializers.CharField(allow_null=True)
    station = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField()


class NotClaimHolderErrorSerializer(ErrorSerializer):
    ended = ClaimEndedSerializer(required=False, help_text=_(
        "How this token's claim ended: who released or took the list, when and why."))


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
    needs_review_orders = serializers.IntegerField(
        help_text=_("Flagged orders waiting for a supervisor."))
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
    extras_kept = serializers.IntegerField(help_text=_(
        "Extra units of this line's SKU kept in the parcel (shown as “+N kept”)."))
    extra_columns = serializers.DictField()


class ExtraPayloadSerializer(serializers.Serializer):
    sku = serializers.CharField()
    pending = serializers.IntegerField()
    kept = serializers.IntegerField()
    removed = serializers.IntegerField()


class BoxLineSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    sku = serializers.CharField()
    units = serializers.IntegerField()


class BoxPayloadSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    units = serializers.IntegerField()
    weight_kg = serializers.CharField(allow_null=True)
    closed = serializers.BooleanField()
    lines = BoxLineSerializer(many=True)


class OrderPayloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    sequence = serializers.IntegerField()
    courier = serializers.CharField()
    country = serializers.CharField()
    order_type = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    internal_tags = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
    system_note = serializers.CharField()
    box = serializers.CharField()
    box_count = serializers.IntegerField(help_text=_(
        "Boxes the order is packed into (1 unless “New box” was used); units go into the last."))
    boxes = BoxPayloadSerializer(many=True, help_text=_(
        "Each box with its contents (units per line), weight and whether it is closed."))
    metadata = serializers.DictField()
    started_at = serializers.DateTimeField(allow_null=True)
    first_item_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    skipped_at = serializers.DateTimeField(allow_null=True)
    corrections = serializers.IntegerField()
    extra_scans = serializers.IntegerField()
    unknown_scans = serializers.IntegerField()
    manual_confirmations = serializers.IntegerField()
    problem = serializers.CharField(help_text=_(
        "A flagged order's problem (short, damaged, wrong_stock); empty when never flagged."))
    problem_note = serializers.CharField()
    reship_of = serializers.IntegerField(allow_null=True, help_text=_(
        "The same order of an ended list this one ships again (a re-ship), or null."))
    items = ItemPayloadSerializer(many=True)
    extras = ExtraPayloadSerializer(many=True)
    pending_extras = serializers.IntegerField()
    extras_kept = serializers.IntegerField(help_text=_(
        "Extra units kept in the parcel beyond what the order required."))
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
    units = serializers.IntegerField(required=False, help_text=_(
        "Units this scan packed (N for a packaging barcode; 0 for pack_exceeds_line, with "
        "`pack` and `needed`); negative for an undo."))
    box = serializers.IntegerField(required=False, help_text=_("new_box: the box now open."))
    box_closed = serializers.IntegerField(required=False,
                                          help_text=_("new_box: the box it closed."))


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
    expires_at = serializers.DateTimeField(
        help_text=_("After this the token is refused (401): sign in again for a new one."))


class MetricsQuerySerializer(serializers.Serializer):
    """Filters of /api/v1/metrics/ (query string; `from` and `to` are local days, inclusive)."""

    client = serializers.CharField(required=False, help_text=_("Client code."))
    session = IdField(required=False)
    list = IdField(required=False)
    worker = IdField(required=False, help_text=_("Worker id."))
    group_by = serializers.ChoiceField(
        required=False, choices=["client", "worker", "day", "hour", "session", "list"])

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
