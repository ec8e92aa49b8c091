from django.contrib import admin

from intake.models import (
    ClinicScoringPolicy,
    Intake,
    IntakeDecision,
    IntakeEvent,
    IntakeLink,
    IntakeScore,
)


class IntakeScoreInline(admin.TabularInline):
    model = IntakeScore
    extra = 0
    fields = ["kind", "version", "score", "band", "priority", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False


class IntakeDecisionInline(admin.TabularInline):
    model = IntakeDecision
    extra = 0


class IntakeEventInline(admin.TabularInline):
    model = IntakeEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "note", "at"]
    can_delete = False


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "patient",
        "clinic",
        "status",
        "priority",
        "band",
        "score",
        "submitted_at",
    ]
    list_filter = ["clinic", "status", "band", "priority", "region", "ruleset_version"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    list_select_related = ["patient", "clinic"]
    readonly_fields = ["result", "ruleset_version", "score", "band", "priority", "priority_rank"]
    raw_id_fields = ["patient", "link", "assigned_to"]
    inlines = [IntakeScoreInline, IntakeDecisionInline, IntakeEventInline]


@admin.register(IntakeLink)
class IntakeLinkAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "clinic", "created_at", "expires_at", "used_at"]
    list_filter = ["clinic"]
    search_fields = ["email", "full_name"]
    raw_id_fields = ["patient", "created_by"]


@admin.register(ClinicScoringPolicy)
class ClinicScoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["clinic", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]
