"""Admin of the legacy statistics history: read-only, it is a record of the old app's files."""

from django.contrib import admin

from stats.models import LegacyStatRecord


@admin.register(LegacyStatRecord)
class LegacyStatRecordAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "kind", "client_code", "list_name", "worker_ref",
                    "orders_count", "items_count", "possibly_double_counted"]
    list_filter = ["kind", "possibly_double_counted", "client"]
    search_fields = ["client_code", "session_ref", "session_external_id", "list_name",
                     "worker_ref"]
    list_select_related = ["client", "worker"]
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
