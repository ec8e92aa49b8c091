"""Read-only admin views of logs, alerts, plans and care tasks; changes go through the app."""

from django.contrib import admin

from rehab.models import (
    Alert,
    AlertSnooze,
    CareTask,
    ClinicAlertPolicy,
    ClinicProgressionPolicy,
    DailyLog,
    Exercise,
    LogRevision,
    Plan,
    PlanProposal,
    PlanTemplate,
    PlanTransition,
    TemplateVersion,
)


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
    list_display = ["patient", "rule", "occurrences", "last_date", "raised_at", "acknowledged_at"]
    list_filter = ["rule", "patient__clinic"]


@admin.register(AlertSnooze)
class AlertSnoozeAdmin(ReadOnlyAdmin):
    list_display = ["patient", "rule", "until", "created_by", "lifted_at"]
    list_filter = ["rule", "patient__clinic"]


@admin.register(ClinicAlertPolicy)
class ClinicAlertPolicyAdmin(ReadOnlyAdmin):
    list_display = ["clinic", "updated_by", "updated_at"]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "clinic", "risk_class", "current_version", "is_archived"]
    list_filter = ["clinic", "risk_class"]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "note", "created_by", "created_at"]


@admin.register(Exercise)
class ExerciseAdmin(ReadOnlyAdmin):
    list_display = ["name", "clinic", "target", "is_archived"]
    list_filter = ["clinic", "target"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["patient", "name", "status", "phase_label", "step_label", "start_date"]
    list_filter = ["status", "phase_kind", "patient__clinic"]


@admin.register(PlanProposal)
class PlanProposalAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "status", "evaluated_on", "decided_by"]
    list_filter = ["status", "action"]


@admin.register(PlanTransition)
class PlanTransitionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "kind", "date", "to_label", "by"]
    list_filter = ["kind"]


@admin.register(ClinicProgressionPolicy)
class ClinicProgressionPolicyAdmin(ReadOnlyAdmin):
    list_display = ["clinic", "updated_by", "updated_at"]


@admin.register(CareTask)
class CareTaskAdmin(ReadOnlyAdmin):
    list_display = ["patient", "title", "role", "status", "created_at"]
    list_filter = ["status", "kind"]
