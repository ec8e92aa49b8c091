"""Alerts for the clinic: the open list, acknowledging one, and the clinic's thresholds."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.views.common import edit_clinic_policy, safe_next
from rehab import alerts as alert_rules
from rehab import services
from rehab.forms import AlertAcknowledgeForm, AlertPolicyForm
from rehab.models import Alert, ClinicAlertPolicy

ALERTS_PER_PAGE = 25


@access.staff_only
def alert_list(request):
    """The clinic's open alerts, newest first; the therapist's own patients unless asked for all."""
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    clinic = access.workspace(request).clinic
    alerts = Alert.objects.open().for_clinic(clinic).select_related("patient", "patient__therapist")
    if scope == "mine":  # with the unowned ones when this person keeps the clinic's inbox
        alerts = alerts.filter(access.signals_mine(request))
    alerts = alerts.order_by("-last_date", "-raised_at", "id")
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rehab/alert_list.html",
        {"page": page, "scope": scope, "form": AlertAcknowledgeForm()},
    )


@require_POST
@access.with_patient(Perm.EDIT)
def alert_acknowledge(request, patient, alert_id):
    alert = get_object_or_404(patient.alerts, pk=alert_id)
    form = AlertAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long: keep it under 1,000 characters.")
    elif alert.is_open:
        with transaction.atomic():
            services.alert_acknowledge(alert=alert, by=request.user, note=form.cleaned_data["note"])
            audit.record(
                request,
                "alert.acknowledge",
                patient=patient,
                obj=alert,
                detail={"rule": alert.rule, "key": alert.key, "note": alert.acknowledgement_note},
            )
        messages.success(request, f"Acknowledged “{alert.get_rule_display()}” for {patient}.")
    return HttpResponseRedirect(_back(request, patient))


def _back(request, patient) -> str:
    return safe_next(request, reverse("patient_detail", args=[patient.pk]) + "#alerts")


@access.admin_only
def alert_policy(request):
    """The clinic admin changes the alert thresholds; each change is audited before/after."""
    return edit_clinic_policy(
        request,
        model=ClinicAlertPolicy,
        form_class=AlertPolicyForm,
        current=ClinicAlertPolicy.thresholds,
        action="policy.alerts.update",
        template="rehab/alert_policy.html",
        saved="The alert thresholds were saved. Alerts use them from now on.",
        context={"rules": alert_rules.ALERT_RULES},
    )
