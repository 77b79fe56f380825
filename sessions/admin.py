"""Admin of packing sessions, lists, orders and the logs: read-mostly by design.

Counters (the list's own: sessions.counters) and claims change only through the services
(sessions.claims, sessions.scanning.codes), so the admin shows them read-only; the one write it
offers on the floor is "Release claim", which calls sessions.claims.force_release with a
reason, exactly like the supervisor's floor view.
The scan and claim logs are append-only: nobody adds, edits or deletes them here.

SKU mappings (profiles.SkuMapping) are administered here, not in profiles/admin.py, because a
typed SKU is checked against the client's packing lists (`sessions.reads.skus`): a SKU that
no list of the client has ever carried is saved with a warning (it may be a typo, or a product
whose first list has not arrived yet). The list filters by client (shown even when there is
only one) and one search box finds a term in the SKU or the barcode, also typed with other
punctuation or case (the way a scan matches: `profiles.normalize`).
The webhook outbox shows every delivery with its attempts (the delivery log) and offers a
redeliver.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from profiles.models import Client, SkuMapping
from profiles.normalize import normalize_barcode
from profiles.resources import MappingCSV, MappingXLSX, SkuMappingResource
from sessions import delivery
from sessions.claims import force_release
from sessions.counters import FIELDS as COUNTER_FIELDS
from sessions.errors import PackingError
from sessions.models import (
    AlertAcknowledgement,
    AlertMute,
    Approval,
    ClaimEvent,
    DeliveryAttempt,
    ImportRecord,
    Order,
    OrderBox,
    OrderExtra,
    OrderItem,
    OutboxMessage,
    PackingList,
    PackingSession,
    PrinterFailure,
    ScanEvent,
)
from sessions.reads.payloads import claim_state
from sessions.reads.skus import unseen_skus

CLAIM_FIELDS = ["holder", "station", "claim_token", "claimed_at", "heartbeat_at"]


class ReadOnlyMixin:
    """Everything visible, nothing writable: for logs and service-owned rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class PackingListInline(ReadOnlyInline):
    model = PackingList
    fields = ["name", "status", "holder", "station", "started_at", "ended_at"]
    readonly_fields = fields


@admin.register(PackingSession)
class PackingSessionAdmin(admin.ModelAdmin):
    """Sessions come from imports; an admin may correct the status or delete a wrong import."""

    list_display = ["external_id", "client", "source", "status", "list_count", "created_at"]
    list_filter = ["status", "source", "client"]
    search_fields = ["external_id", "client__code", "client__name"]
    list_select_related = ["client"]
    date_hierarchy = "created_at"
    fields = ["client", "external_id", "source", "status", "source_path", "info",
              "created_by", "created_at", "completed_at"]
    readonly_fields = ["client", "external_id", "source", "source_path", "info", "created_by",
                       "created_at"]
    inlines = [PackingListInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("lists"))
    def list_count(self, obj):
        return obj.lists.count()


class OrderInline(ReadOnlyInline):
    model = Order
    fields = ["sequence", "number", "status", "courier", "country", "completed_at",
              "completed_by"]
    readonly_fields = fields


class ReleaseClaimForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500,
        help_text=_("Kept in the claim log, e.g. “station PC-3 crashed”."),
    )


@admin.register(PackingList)
class PackingListAdmin(admin.ModelAdmin):
    list_display = ["name", "session", "client", "status", "holder", "station", "claim",
                    "heartbeat_at"]
    list_filter = ["status", "session__client"]
    search_fields = ["name", "session__external_id", "session__client__code",
                     "holder__display_name", "station__name"]
    list_select_related = ["session__client", "holder", "station"]
    fields = ["session", "name", "position", "status", "source_file", "source_columns", "info",
              "created_at", "started_at", "ended_at", "ended_by", "all_done_announced",
              "open_order", "claim", *CLAIM_FIELDS, *COUNTER_FIELDS]
    readonly_fields = [f for f in fields if f != "position"]
    inlines = [OrderInline]
    actions = ["release_claim"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("client"), ordering="session__client__code")
    def client(self, obj):
        return obj.session.client.code

    @admin.display(description=_("claim"))
    def claim(self, obj):
        state = claim_state(obj)
        if state is None:
            return gettext("free")
        return gettext("stale") if state["stale"] else gettext("active")

    def has_release_claim_permission(self, request):
        return request.user.has_perm("packing_sessions.release_claim")

    @admin.action(description=_("Release claim (with a reason)"), permissions=["release_claim"])
    def release_claim(self, request, queryset):
        """Ask for a reason, then force-release each selected claimed list through the service."""
        form = ReleaseClaimForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Release claims"),
                "opts": self.model._meta,
                "form": form,
                "lists": queryset.select_related("holder", "station"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/packing_sessions/packinglist/release_claim.html", context
            )
        self._release_all(request, queryset, form.cleaned_data["reason"])
        return None

    def _release_all(self, request, queryset, reason):
        released = 0
        for packing_list in queryset:
            try:
                force_release(packing_list.pk, by_user=request.user, reason=reason)
                released += 1
            except PackingError as error:
                self.message_user(request, f"{packing_list.name}: {error.message}",
                                  messages.WARNING)
        if released:
            self.message_user(
                request, gettext("Released %(count)d claim(s).") % {"count": released},
                messages.SUCCESS,
            )


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ["line_number", "sku", "product_name", "required", "packed", "extra_columns"]
    readonly_fields = fields
    show_change_link = False


class OrderExtraInline(ReadOnlyInline):
    model = OrderExtra
    fields = ["sku", "pending", "kept", "removed"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "packing_list", "status", "courier", "country", "completed_at",
                    "completed_by", "corrections", "extra_scans", "unknown_scans"]
    list_filter = ["status", "courier", "country", "packing_list__session__client"]
    search_fields = ["number", "normalized_number", "packing_list__name",
                     "packing_list__session__external_id"]
    list_select_related = ["packing_list__session__client", "completed_by"]
    inlines = [OrderItemInline, OrderExtraInline]


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["sku", "product_name", "order", "required", "packed"]
    search_fields = ["sku", "normalized_sku", "product_name", "order__number"]
    list_select_related = ["order"]


@admin.register(OrderExtra)
class OrderExtraAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["sku", "order", "pending", "kept", "removed"]
    search_fields = ["sku", "order__number"]
    list_select_related = ["order"]


@admin.register(OrderBox)
class OrderBoxAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "number", "weight_kg", "closed_at"]
    search_fields = ["order__number"]
    list_select_related = ["order"]


@admin.register(ScanEvent)
class ScanEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "raw_code", "outcome", "quantity", "box", "manual",
                    "reason", "order", "worker", "station", "packing_list"]
    list_filter = ["action", "outcome", "manual", "reason", "packing_list__session__client"]
    search_fields = ["raw_code", "scan_id", "order__number", "worker__display_name",
                     "station__name"]
    list_select_related = ["order", "worker", "station", "packing_list"]
    date_hierarchy = "created_at"


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "packing_list", "worker", "station",
                    "previous_holder", "by_user", "reason"]
    list_filter = ["kind"]
    search_fields = ["packing_list__name", "worker__display_name", "reason"]
    list_select_related = ["packing_list", "worker", "station", "previous_holder", "by_user"]
    date_hierarchy = "created_at"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who approved what at which station (stored with the event it allowed)."""

    list_display = ["created_at", "action", "approver", "method", "requested_by", "station",
                    "packing_list"]
    list_filter = ["action", "method"]
    search_fields = ["approver__display_name", "requested_by__display_name",
                     "packing_list__name"]
    list_select_related = ["approver", "requested_by", "station", "packing_list"]
    date_hierarchy = "created_at"


@admin.register(PrinterFailure)
class PrinterFailureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Printers that did not print (sessions.alerts.raise_printer_failure), as the floor saw."""

    list_display = ["created_at", "printer", "station", "packing_list", "error"]
    search_fields = ["printer", "error"]
    list_select_related = ["station", "packing_list"]
    date_hierarchy = "created_at"


@admin.register(AlertAcknowledgement)
class AlertAcknowledgementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Which floor alert a supervisor dealt with, and when."""

    list_display = ["created_at", "kind", "key", "by_user"]
    list_filter = ["kind"]
    list_select_related = ["by_user"]
    date_hierarchy = "created_at"


@admin.register(AlertMute)
class AlertMuteAdmin(admin.ModelAdmin):
    """Kinds of floor alerts a supervisor chose to hear no sound for."""

    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every import with its content hash: what it created, left out or replaced."""

    list_display = ["created_at", "client", "source_name", "session", "orders", "choice",
                    "created_by"]
    list_filter = ["client", "choice"]
    search_fields = ["source_name", "content_hash", "session__external_id"]
    list_select_related = ["client", "session", "created_by"]
    date_hierarchy = "created_at"


# ---------------------------------------------------------------- SKU mappings

class ClientFilter(admin.SimpleListFilter):
    """By client, always shown: Django's own filter hides itself when there is one client,
    which looked like "no client filter" on a site with one client."""

    title = _("client")
    parameter_name = "client"

    def lookups(self, request, model_admin):
        return [(c.code, f"{c.code} · {c.name}") for c in Client.objects.order_by("code")]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(client__code=self.value())
        return queryset


def warn_unseen_skus(request, client, skus):
    """A warning naming the SKUs that no list of the client has carried."""
    unseen = unseen_skus(client, skus)
    if unseen:
        messages.warning(request, gettext(
            "No packing list of %(client)s has a line with the SKU %(skus)s. Check it for a "
            "typo: a barcode mapped to it finds no item to pack.")
            % {"client": client.code, "skus": ", ".join(f"“{s}”" for s in unseen[:20])})


@admin.register(SkuMapping)
class SkuMappingAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    list_display = ["barcode", "sku", "quantity", "client", "updated_at"]
    list_filter = [ClientFilter]
    list_select_related = ["client"]
    search_fields = ["barcode", "sku", "client__code"]
    search_help_text = _("A SKU or a barcode (any punctuation or case), or a client code.")
    fields = ["client", "barcode", "sku", "quantity", "normalized_barcode", "created_at",
              "updated_at"]
    readonly_fields = ["normalized_barcode", "created_at", "updated_at"]
    resource_classes = [SkuMappingResource]
    formats = [MappingCSV, MappingXLSX]
    history_list_display = ["barcode", "sku", "quantity"]

    def has_import_permission(self, request):
        """Importing writes mappings: only for users who may add and change them."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_search_results(self, request, queryset, search_term):
        """Django's word-by-word search, plus the whole term as a SKU or a barcode: exactly
        as typed, or normalised like a scan (`380-1234 5000-13` finds 3801234500013)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, duplicates
        whole = Q(sku__icontains=term) | Q(barcode__icontains=term)
        normalized = normalize_barcode(term)
        if normalized:
            whole |= Q(normalized_barcode__contains=normalized)
        return found | queryset.filter(whole), duplicates

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "sku" in form.changed_data or "client" in form.changed_data:
            warn_unseen_skus(request, obj.client, [obj.sku])

    def process_result(self, result, request):
        """After a file import: the same warning for every imported SKU no list carried."""
        response = super().process_result(result, request)
        by_client = {}
        for row in result.rows:
            if (row.is_new() or row.is_update()) and row.instance is not None:
                by_client.setdefault(row.instance.client, []).append(row.instance.sku)
        for client, skus in by_client.items():
            warn_unseen_skus(request, client, skus)
        return response


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "duration_ms", "status_code", "ok", "error"]
    readonly_fields = fields
    show_change_link = False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The webhook outbox and delivery log: every event, its attempts, and a redeliver
    (same body, same delivery id) for those who may change deliveries."""

    list_display = ["created_at", "event", "webhook", "status", "attempts", "next_attempt_at",
                    "delivered_at", "delivery_id"]
    list_filter = ["status", "event", "webhook__client"]
    list_select_related = ["webhook__client"]
    search_fields = ["delivery_id", "body", "webhook__url"]
    fields = ["webhook", "event", "delivery_id", "status", "attempts", "retries",
              "next_attempt_at", "delivered_at", "last_error", "created_at", "body"]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Redeliver (same delivery id)"), permissions=["change"])
    def redeliver(self, request, queryset):
        count = delivery.redeliver(queryset)
        self.message_user(request, ngettext(
            "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count}, messages.SUCCESS)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The delivery log, one row per POST (also shown under each delivery)."""

    list_display = ["started_at", "message", "number", "status_code", "ok", "duration_ms",
                    "error"]
    list_filter = ["ok", "message__event"]
    list_select_related = ["message"]
    search_fields = ["message__delivery_id", "error"]
