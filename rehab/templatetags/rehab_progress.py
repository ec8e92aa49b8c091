"""Rehab panels that other apps' pages include, and the display filters rehab pages use.

The panels are inclusion tags so the clinic's patient page and the patient's home page show
progress without those views knowing about rehab. Each checks access again with the request
the page was rendered for, and shows nothing to someone who may not see it.
"""

from django import template

from clinic import access
from clinic.access import Perm
from rehab import plan_history, progress
from rehab.models import AcknowledgementReason, alert_thresholds, patient_today, running_snoozes
from rehab.rules import load

register = template.Library()


@register.simple_tag
def acknowledgement_reasons() -> list[tuple[str, str]]:
    """The reasons a clinician picks from when acknowledging an alert."""
    return AcknowledgementReason.choices


@register.inclusion_tag("rehab/includes/patient_panel.html", takes_context=True)
def patient_progress_panel(context, patient):
    """Alerts, charts, load and adherence for the clinic's page of one patient."""
    request = context["request"]
    if not access.can(request, Perm.VIEW_PROGRESS, patient):
        return {"allowed": False}
    clinical = access.can(request, Perm.VIEW_CLINICAL, patient)
    today = patient_today(patient)
    days = progress.chosen_range(request.GET.get("days"))
    thresholds = alert_thresholds(patient.clinic)
    return {
        "allowed": True,
        "request": request,
        "patient": patient,
        "clinical": clinical,
        "today": today,
        "days": days,
        "ranges": progress.RANGES,
        "chart": progress.progress_chart(
            patient,
            today=today,
            days=days,
            pain_alert_level=thresholds["site_pain_threshold"],
            phases=plan_history.chart_phases(patient),
        ),
        "load": progress.load_summary(patient, today=today),
        "weekly_limit": thresholds["weekly_increase_pct"],
        "adherence": progress.adherence(patient, today=today),
        "streak": progress.logging_streak(patient, today=today),
        "open_alerts": list(patient.alerts.open().order_by("-last_date", "-raised_at"))
        if clinical
        else [],
        "acknowledged_alerts": list(
            patient.alerts.exclude(acknowledged_at=None)
            .select_related("acknowledged_by")
            .order_by("-acknowledged_at")[:4]
        )
        if clinical
        else [],
        "snoozes": running_snoozes(patient) if clinical else [],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("rehab/includes/log_prompt.html", takes_context=True)
def patient_log_prompt(context, patient):
    """The patient's home-page card: log today (or change it), with the logging streak."""
    request = context["request"]
    if patient.user_id != request.user.pk:
        return {"allowed": False}
    today = patient_today(patient)
    return {
        "allowed": True,
        "patient": patient,
        "today": today,
        "logged_today": patient.daily_logs.filter(date=today).exists(),
        "streak": progress.logging_streak(patient, today=today),
    }


@register.filter
def distance(metres, unit: str) -> str:
    """Stored metres as the patient reads them: `{{ activity.distance_m|distance:"mi" }}`."""
    if metres in (None, ""):
        return ""
    return f"{load.to_display(metres, unit):.1f} {unit}"


@register.filter
def in_unit(value, unit: str) -> str:
    """A distance already in the patient's unit, to one decimal: `{{ week.distance|in_unit:u }}`."""
    if value in (None, ""):
        return "—"
    return f"{value:.1f} {unit}"


@register.filter
def signed_percent(value) -> str:
    if value is None:
        return "—"
    return f"{value:+.0f}%"


@register.inclusion_tag("rehab/includes/sparkline.html")
def pain_sparkline(logs, today, days=14):
    """A small inline SVG of the highest daily pain; no script needed."""
    return {"spark": progress.sparkline(logs, today=today, days=days)}
