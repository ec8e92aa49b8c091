from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import access
from clinic.views import accounts, branding, home, offline, patients, security, team

auth_urls = [
    path("login/", access.public(security.SignInView.as_view()), name="login"),
    path("logout/", access.public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password-reset/",
        access.public(security.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        access.public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        access.public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        access.public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        access.signed_in(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password-change/done/",
        access.signed_in(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("security/", security.account_security, name="account_security"),
    path("two-step/verify/", security.two_factor_verify, name="two_factor_verify"),
    path("two-step/set-up/", security.two_factor_enrol, name="two_factor_enrol"),
    path("two-step/backup-codes/", security.backup_codes_new, name="backup_codes_new"),
    path("two-step/turn-off/", security.two_factor_disable, name="two_factor_disable"),
    path("sign-out-everywhere/", security.sign_out_everywhere, name="sign_out_everywhere"),
    path("session/", security.session_status, name="session_status"),
]

urlpatterns = [
    path("", home.home, name="home"),
    # The installable app: both at the root, so the worker's scope covers every page.
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("accounts/", include(auth_urls)),
    path("invite/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    path("switch-clinic/", accounts.switch_clinic, name="switch_clinic"),
    path("caseload/", home.caseload, name="caseload"),
    path("care-team/", home.care_team_home, name="care_team_home"),
    path("me/", home.patient_home, name="patient_home"),
    path("me/settings/", accounts.patient_settings, name="patient_settings"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<uuid:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/edit/", patients.patient_edit, name="patient_edit"),
    path(
        "patients/<uuid:patient_id>/discharge/",
        patients.patient_discharge,
        name="patient_discharge",
    ),
    path(
        "patients/<uuid:patient_id>/owner/",
        patients.patient_owner,
        name="patient_owner",
    ),
    path("patients/<uuid:patient_id>/invite/", patients.patient_invite, name="patient_invite"),
    path(
        "patients/<uuid:patient_id>/care-team/",
        patients.care_team_add,
        name="care_team_add",
    ),
    path(
        "patients/<uuid:patient_id>/care-team/<int:member_id>/remove/",
        patients.care_team_remove,
        name="care_team_remove",
    ),
    path("clinic/", home.clinic_admin, name="clinic_admin"),
    path("clinic/invitations/new/", team.invitation_create, name="invitation_create"),
    path(
        "clinic/invitations/<uuid:invitation_id>/revoke/",
        team.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "clinic/invitations/<uuid:invitation_id>/resend/",
        team.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "clinic/members/<int:membership_id>/toggle/",
        team.membership_toggle,
        name="membership_toggle",
    ),
    path(
        "clinic/members/<int:membership_id>/on-duty/",
        team.membership_on_duty,
        name="membership_on_duty",
    ),
    path(
        "clinic/members/<int:user_id>/reset-two-step/",
        team.second_factor_reset,
        name="second_factor_reset",
    ),
    path(
        "clinic/sign-in-locks/<int:attempt_id>/unlock/",
        team.lockout_unlock,
        name="lockout_unlock",
    ),
    path("clinic/security/", team.clinic_security, name="clinic_security"),
    path("clinic/logo/", branding.clinic_logo, name="clinic_logo"),
    path("clinic/logo.png", branding.clinic_logo_image, name="clinic_logo_image"),
    path("", include("intake.urls")),
    path("", include("rehab.urls")),
    path("", include("notifications.urls")),
    path("", include("reports.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
