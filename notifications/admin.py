from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom and when, for support. Bodies hold no personal data."""

    list_display = ("created_at", "kind", "recipient", "status", "attempts", "sent_at")
    list_filter = ("kind", "status")
    search_fields = ("recipient__email", "event_key")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
