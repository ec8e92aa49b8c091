from django.contrib import admin

from notifications.models import Delivery, Notification, ReminderPreference


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["patient", "by_email", "by_sms", "in_app", "daily_time", "opted_out_at"]
    raw_id_fields = ["patient"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The ledger, read-only: rows change only through notifications.services."""

    list_display = ["due_at", "kind", "channel", "patient", "status", "attempts", "reason"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["patient"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "patient", "delivery"]
