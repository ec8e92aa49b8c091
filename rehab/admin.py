"""Read-only admin views of logs, their history and alerts; changes go through the app."""

from django.contrib import admin

from rehab.models import Alert, ClinicAlertPolicy, DailyLog, LogRevision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyLog)
class DailyLogAdmin(ReadOnlyAdmin):
    list_display = ["patient", "date", "site_pain", "morning_pain", "activity_pain"]
    list_filter = ["patient__clinic"]
    date_hierarchy = "date"


@admin.register(LogRevision)
class LogRevisionAdmin(ReadOnlyAdmin):
    list_display = ["patient", "log_date", "action", "changed_by", "changed_at"]
    list_filter = ["action"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["patient", "rule", "last_date", "raised_at", "acknowledged_at"]
    list_filter = ["rule", "patient__clinic"]


@admin.register(ClinicAlertPolicy)
class ClinicAlertPolicyAdmin(ReadOnlyAdmin):
    list_display = ["clinic", "updated_by", "updated_at"]
