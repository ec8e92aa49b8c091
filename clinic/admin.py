"""The Django admin for clinics and people: search and filters for a site superuser.

It follows the app's rules where they matter: a change of someone's roles (or of their Django
admin rights) ends their sessions, as it does in the app, and opening or saving a patient record
here is recorded in the audit trail like a view or an edit in the app.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from clinic import audit
from clinic.models import AuditEvent, CareTeamMember, Clinic, Invitation, Membership, Patient, User

# Changing these on a person is a change of what they may do: their sessions end.
ACCESS_FIELDS = {"is_active", "is_staff", "is_superuser", "groups", "user_permissions"}


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and ACCESS_FIELDS.intersection(form.changed_data):
            obj.end_sessions()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if change and formset.model is Membership and formset.has_changed():
            form.instance.end_sessions()


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "time_zone",
        "require_staff_2fa",
        "lockout_failures",
        "lockout_minutes",
        "created_at",
    ]
    list_filter = ["require_staff_2fa", "time_zone"]
    search_fields = ["name", "slug", "email", "phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "is_active", "created_at"]
    list_filter = ["clinic", "role", "is_active"]
    search_fields = ["user__email", "user__full_name", "clinic__name"]
    autocomplete_fields = ["user", "clinic"]
    list_select_related = ["user", "clinic"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():  # a role or its clinic changed, or it was suspended
            obj.user.end_sessions()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        obj.user.end_sessions()

    def delete_queryset(self, request, queryset):
        users = list(User.objects.filter(memberships__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for user in users:
            user.end_sessions()


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
        "menstrual_questions_apply",
        "distance_unit",
        "reminder_consent",
        ("therapist", admin.RelatedOnlyFieldListFilter),
        ("discharged_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["first_name", "last_name", "email", "phone", "=id"]
    autocomplete_fields = ["user", "therapist", "clinic"]
    readonly_fields = ["id", "created_at", "reminder_consent_at"]
    inlines = [CareTeamInline]
    list_select_related = ["clinic", "therapist"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            patient = response.context_data["original"]
            audit.record(
                request, "patient.view", patient=patient, obj=patient, detail={"page": "admin"}
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request,
            "patient.update" if change else "patient.create",
            patient=obj,
            obj=obj,
            detail={"fields": form.changed_data, "page": "admin"},
        )


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
