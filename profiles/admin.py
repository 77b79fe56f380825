"""Admin of clients (with their settings), SKU mappings, workers, stations and users.

Webhooks (per client: URL, secret, events) are set up here too. Clients and mappings keep a
change history (simple_history: who and when), which replaces the old app's `backups/`
folder. The SKU-mapping admin lives in sessions/admin.py: it checks a typed SKU against the
client's packing lists, which profiles cannot see.

Users get a role column and actions that go through profiles.roles.assign_role, so groups and
the staff flag never disagree.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from profiles.models import (
    Client,
    ClientSettings,
    ColumnMapping,
    CourierDeadline,
    Station,
    Webhook,
    Worker,
)
from profiles.roles import ADMIN, PACKER, SUPERVISOR, assign_role, role_of


class ClientSettingsInline(admin.StackedInline):
    model = ClientSettings
    can_delete = False
    max_num = 1
    fieldsets = [
        (_("Label"), {"fields": [("label_width_mm", "label_height_mm", "label_dpi"),
                                 "printer_address", ("print_on_complete", "slip_paper")]}),
        (_("Printed texts"), {"fields": [
            ("label_show_courier", "label_show_date", "label_show_units"),
            ("label_show_country", "label_show_tags", "label_show_sequence"),
            "label_show_qr",
        ]}),
        (_("At the station"), {"fields": ["packers_map_new_barcodes",
                                          "force_confirm_needs_approval"]}),
        (_("Imports"), {"fields": ["default_courier"]}),
    ]


class CourierDeadlineInline(admin.TabularInline):
    model = CourierDeadline
    extra = 0


class ColumnMappingInline(admin.TabularInline):
    """Remembered Excel mappings are written by the importer; here they can only be removed."""

    model = ColumnMapping
    extra = 0
    fields = ["headers", "mapping", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "active", "mapping_count", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [ClientSettingsInline, CourierDeadlineInline, ColumnMappingInline]
    history_list_display = ["code", "name", "active"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_mappings=Count("sku_mappings"))

    @admin.display(description=_("SKU mappings"), ordering="_mappings")
    def mapping_count(self, obj):
        return obj._mappings

    def get_readonly_fields(self, request, obj=None):
        # A client's code names its sessions, exports and channel groups: fixed once created.
        return ["code"] if obj else []


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """A client's outbound webhooks; their deliveries are under Packing → webhook deliveries.
    The secret is shown only to those who may change the webhook."""

    list_display = ["client", "url", "events_wanted", "active", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["active", "client"]
    list_select_related = ["client"]
    search_fields = ["url", "client__code"]
    fieldsets = [
        (None, {"fields": ["client", "url", "secret", "active"]}),
        (_("Events wanted"), {"fields": [("on_order_completed", "on_order_flagged"),
                                         ("on_list_ended", "on_session_completed")]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [(None, {"fields": ["client", "url", "active"]}), self.fieldsets[1]]
        return self.fieldsets

    @admin.display(description=_("events"))
    def events_wanted(self, obj):
        return ", ".join(obj.events())


class WorkerForm(forms.ModelForm):
    """A worker with a PIN field: typing a PIN sets it (hashed), ticking 'clear' removes it."""

    pin = forms.CharField(
        label=_("new PIN"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("4 to 8 digits for quick sign-in at a station. Leave empty to keep it."),
    )
    clear_pin = forms.BooleanField(label=_("remove the PIN"), required=False)

    class Meta:
        model = Worker
        fields = ["user", "display_name", "badge_code", "legacy_id"]

    def clean_badge_code(self):
        # An empty badge is stored as NULL: unique, and the database refuses "".
        return self.cleaned_data.get("badge_code") or None

    def clean_legacy_id(self):
        return self.cleaned_data.get("legacy_id") or None

    def clean(self):
        cleaned = super().clean()
        pin = cleaned.get("pin")
        if pin and cleaned.get("clear_pin"):
            raise ValidationError(_("Either type a new PIN or remove it, not both."))
        if pin:
            try:
                Worker(display_name="check").set_pin(pin)
            except ValidationError as error:
                self.add_error("pin", error)
        return cleaned

    def save(self, commit=True):
        worker = super().save(commit=False)
        if self.cleaned_data.get("clear_pin"):
            worker.set_pin("")
        elif self.cleaned_data.get("pin"):
            worker.set_pin(self.cleaned_data["pin"])
        if commit:
            worker.save()
        return worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    form = WorkerForm
    list_display = ["display_name", "user", "badge_code", "has_pin", "legacy_id", "created_at"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "badge_code", "legacy_id"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("PIN set"), boolean=True)
    def has_pin(self, obj):
        return bool(obj.pin_hash)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "printer_address", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "description"]


# Users: Django's admin plus the role, so that a role always comes with the right staff flag.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_staff", "is_active",
                    "last_login"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]
    actions = ["make_packer", "make_supervisor", "make_admin"]

    @admin.display(description=_("role"))
    def role(self, obj):
        return role_of(obj) or "—"

    def _assign(self, request, queryset, role):
        for user in queryset:
            assign_role(user, role)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d user is now %(role)s.", "%(count)d users are now %(role)s.",
                     count) % {"count": count, "role": role},
            messages.SUCCESS,
        )

    @admin.action(description=_("Make packer (no admin access)"), permissions=["change"])
    def make_packer(self, request, queryset):
        self._assign(request, queryset, PACKER)

    @admin.action(description=_("Make supervisor"), permissions=["change"])
    def make_supervisor(self, request, queryset):
        self._assign(request, queryset, SUPERVISOR)

    @admin.action(description=_("Make admin"), permissions=["change"])
    def make_admin(self, request, queryset):
        self._assign(request, queryset, ADMIN)
