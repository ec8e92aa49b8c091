"""Alerts for the clinic: the open list, acknowledging one, snoozing a rule for a patient, and
the clinic's thresholds."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.views.common import edit_clinic_policy, safe_next
from rehab.forms import AlertAcknowledgeForm, AlertPolicyForm, AlertSnoozeForm
from rehab.models import (
    RULE_CHOICES,
    UNSNOOZABLE_RULES,
    Alert,
    ClinicAlertPolicy,
    running_snoozes,
)
from rehab.rules import alerts as alert_rules
from rehab.services import alerts as alert_services

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


@access.with_patient(Perm.EDIT)
def alert_acknowledge(request, patient, alert_id):
    """Acknowledge an alert with a reason. The lists post here; a post with a missing reason (or
    "Other" without a note) is shown again on this page with the message beside the field."""
    alert = get_object_or_404(patient.alerts, pk=alert_id)
    if not alert.is_open:
        messages.info(request, f"“{alert.get_rule_display()}” was already acknowledged.")
        return HttpResponseRedirect(_back(request, patient))
    form = AlertAcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            return _acknowledge(request, patient, alert, form.cleaned_data)
        except alert_services.AlertChanged:
            alert.refresh_from_db()
            form = AlertAcknowledgeForm(initial=form.cleaned_data)
            messages.warning(
                request,
                "This alert took new occurrences since you looked at it. Review them and "
                "acknowledge again.",
            )
    if request.method == "GET":
        audit.record(request, "alert.view", patient=patient, obj=alert)
    history = list(alert.history.all())
    return render(
        request,
        "rehab/alert_acknowledge.html",
        {
            "patient": patient,
            "alert": alert,
            "form": form,
            "history": history,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def _acknowledge(request, patient, alert, data: dict) -> HttpResponseRedirect:
    with transaction.atomic():
        done = alert_services.alert_acknowledge(
            alert=alert,
            by=request.user,
            reason=data["reason"],
            note=data["note"],
            seen_occurrences=data["seen"],
        )
        if done:
            audit.record(
                request,
                "alert.acknowledge",
                patient=patient,
                obj=alert,
                detail={
                    "rule": alert.rule,
                    "key": alert.key,
                    "occurrences": alert.occurrences,
                    "reason": alert.acknowledgement_reason,
                    "note": alert.acknowledgement_note,
                },
            )
    if done:
        messages.success(request, f"Acknowledged “{alert.get_rule_display()}” for {patient}.")
    return HttpResponseRedirect(_back(request, patient))


def _back(request, patient) -> str:
    return safe_next(request, reverse("patient_detail", args=[patient.pk]) + "#alerts")


@access.with_patient(Perm.EDIT)
def alert_snooze(request, patient):
    """Mute one rule for this patient for 1–30 days (audited). The safety rules are not offered:
    pain at the alert level and a stopped plan must always reach a person."""
    form = AlertSnoozeForm(
        request.POST if request.method == "POST" else None,
        initial={"rule": request.GET.get("rule")},
    )
    if request.method == "POST" and form.is_valid():
        rule, days = form.cleaned_data["rule"], form.cleaned_data["days"]
        with transaction.atomic():
            snooze = alert_services.alert_snooze(
                patient=patient, rule=rule, days=days, by=request.user
            )
            audit.record(
                request,
                "alert.snooze",
                patient=patient,
                obj=snooze,
                detail={"rule": rule, "days": days, "until": snooze.until.isoformat()},
            )
        messages.success(
            request,
            f"“{snooze.get_rule_display()}” is snoozed for {patient} until "
            f"{dateformat.format(timezone.localtime(snooze.until), 'j M Y, H:i')}. New occurrences "
            "are still recorded on the alert.",
        )
        return HttpResponseRedirect(_back(request, patient))
    if request.method == "GET":
        audit.record(request, "alert.snoozes.view", patient=patient, obj=patient)
    return render(
        request,
        "rehab/alert_snooze.html",
        {
            "patient": patient,
            "form": form,
            "snoozes": running_snoozes(patient),
            "safety_rules": [label for code, label in RULE_CHOICES if code in UNSNOOZABLE_RULES],
        },
    )


@require_POST
@access.with_patient(Perm.EDIT)
def alert_snooze_lift(request, patient, snooze_id):
    snooze = get_object_or_404(patient.alert_snoozes, pk=snooze_id)
    with transaction.atomic():
        lifted = alert_services.alert_snooze_lift(snooze=snooze, by=request.user)
        if lifted:
            audit.record(
                request,
                "alert.snooze_lift",
                patient=patient,
                obj=snooze,
                detail={"rule": snooze.rule},
            )
    if lifted:
        messages.success(request, f"“{snooze.get_rule_display()}” alerts show again for {patient}.")
    else:
        messages.info(request, "That snooze had already ended.")
    return HttpResponseRedirect(_back(request, patient))


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
