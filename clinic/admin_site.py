"""The Django admin site, behind the same sign-in and second factor as the rest of Rebound.

Django's admin checks only `is_staff`; without this a person could reach every clinic's records
there with a password alone. Signing in happens on Rebound's own login page (throttled, with
two-step verification); the admin's login page only sends people there.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from clinic import access


class ReboundAdminSite(admin.AdminSite):
    site_header = "Rebound administration"
    site_title = "Rebound admin"

    def has_permission(self, request):
        return (
            super().has_permission(request)
            and access.second_factor(request) is access.SecondFactor.DONE
        )

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            if gate := access.sign_in_gate(request):
                return redirect_to_login(next_url, gate.url.split("?")[0])
            return super().login(request, extra_context)  # signed in, but no admin access
        return redirect_to_login(next_url)
