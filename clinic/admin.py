from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from clinic.models import AuditEvent, CareTeamMember, Clinic, Invitation, Membership, Patient, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["clinic"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = [
        "is_active",
        "is_staff",
        "is_superuser",
        "memberships__role",
        "memberships__clinic",
    ]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "is_active", "created_at"]
    list_filter = ["clinic", "role", "is_active"]
    search_fields = ["user__email", "user__full_name", "clinic__name"]
    autocomplete_fields = ["user", "clinic"]


class CareTeamInline(admin.TabularInline):
    model = CareTeamMember
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["added_by"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "clinic",
        "therapist",
        "sex",
        "created_at",
        "discharged_at",
    ]
    list_filter = [
        "clinic",
        "sex",
        "distance_unit",
        "reminder_consent",
        ("discharged_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["user", "therapist", "clinic"]
    readonly_fields = ["id", "created_at", "reminder_consent_at"]
    inlines = [CareTeamInline]
    list_select_related = ["clinic", "therapist"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "role",
        "clinic",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["clinic", "role"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["id", "created_at", "accepted_at", "accepted_by", "invited_by"]
    autocomplete_fields = ["clinic", "patient"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are never edited or deleted."""

    list_display = ["at", "actor", "action", "clinic", "patient", "ip_address"]
    list_filter = ["clinic", "action"]
    search_fields = ["actor__email", "action", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["actor", "clinic", "patient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
