from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom and when, for support. Bodies hold no personal data."""

    list_display = ("created_at", "kind", "recipient", "status", "attempts", "sent_at")
    list_filter = ("kind", "status")
    search_fields = ("recipient__email", "event_key")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
