"""The clinic's logo: uploaded or removed by its admin on the clinic page, shown to its staff."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clinic import access, audit, logos
from clinic.forms import ClinicLogoForm
from clinic.models import STAFF_ROLES
from clinic.views.home import clinic_admin_page


@require_POST
@access.admin_only
def clinic_logo(request):
    """Upload a new logo, or remove it (`remove` posted). A refused file changes nothing and the
    clinic page says why beside the field."""
    clinic = access.workspace(request).clinic
    if request.POST.get("remove"):
        if logos.logo_remove(clinic):
            audit.record(request, "clinic.logo_remove", obj=clinic)
            messages.success(request, "The logo was removed from the progress reports.")
        return redirect("clinic_admin")
    form = ClinicLogoForm(request.POST, request.FILES)
    if not form.is_valid():
        return clinic_admin_page(request, logo_form=form, status=400)
    png = form.cleaned_data["logo"]
    logos.logo_set(clinic, png)
    audit.record(
        request,
        "clinic.logo_update",
        obj=clinic,
        detail={"bytes": len(png), "uploaded_name": form.files["logo"].name[:100]},
    )
    messages.success(request, "The logo was saved. It is printed on every progress report.")
    return redirect("clinic_admin")


@access.for_roles(*STAFF_ROLES)
def clinic_logo_image(request):
    """The active clinic's stored logo (a PNG we drew ourselves), for its staff's pages."""
    png = logos.logo_bytes(access.workspace(request).clinic)
    if png is None:
        raise Http404("This clinic has no logo.")
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response
