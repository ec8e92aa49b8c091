from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinics and people"

    def ready(self):
        # Audit rows for sign-ins come from the signals Django and axes send for them; nothing
        # else in Rebound listens to signals.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from clinic import audit, checks  # noqa: F401 - registers the system checks

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="clinic.audit.login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="clinic.audit.failed")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="clinic.audit.locked_out")


class ReboundAdminConfig(admin_apps.AdminConfig):
    """Django's admin site, replaced by one that asks for the same second factor as Rebound."""

    default = False  # named in INSTALLED_APPS; ClinicConfig stays this module's default
    default_site = "clinic.admin_site.ReboundAdminSite"
