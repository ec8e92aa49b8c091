"""Progress pages: the patient's own, and every daily log of a patient for the clinic."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render

from clinic import access, audit
from clinic.access import Perm
from clinic.models import Role
from rehab import plan_history, progress
from rehab.models import LogRevision, alert_thresholds, is_within_edit_window, patient_today

LOGS_PER_PAGE = 28


@access.for_roles(Role.PATIENT)
def my_progress(request):
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    days = progress.chosen_range(request.GET.get("days"))
    chart = progress.progress_chart(
        patient,
        today=today,
        days=days,
        pain_alert_level=alert_thresholds(patient.clinic)["site_pain_threshold"],
        phases=plan_history.chart_phases(patient),
    )
    recent = patient.daily_logs.recent(today, 15).with_activities()
    return render(
        request,
        "rehab/my_progress.html",
        {
            "patient": patient,
            "today": today,
            "chart": chart,
            "ranges": progress.RANGES,
            "days": days,
            "load": progress.load_summary(patient, today=today),
            "streak": progress.logging_streak(patient, today=today),
            "logged_today": any(log.date == today for log in recent),
            "recent": [(log, is_within_edit_window(log.date, today)) for log in recent],
        },
    )


@access.with_patient(Perm.VIEW_PROGRESS)
def patient_logs(request, patient):
    """Every daily log of a patient with its history; notes only for clinic staff."""
    if not access.workspace(request).is_staff and patient.user_id == request.user.pk:
        return redirect("my_progress")
    clinical = access.can(request, Perm.VIEW_CLINICAL, patient)
    audit.record(request, "rehab.logs.view", patient=patient)
    revisions = LogRevision.objects.select_related("changed_by").order_by("changed_at", "id")
    logs = patient.daily_logs.prefetch_related(
        "activities", Prefetch("revisions", queryset=revisions)
    ).order_by("-date")
    page = Paginator(logs, LOGS_PER_PAGE).get_page(request.GET.get("page"))
    unit = patient.distance_unit
    history = {
        log.pk: [
            (revision, progress.revision_changes(revision, unit=unit, clinical=clinical))
            for revision in log.revisions.all()
        ]
        for log in page
    }
    deleted = patient.log_revisions.filter(action=LogRevision.Action.DELETE).select_related(
        "changed_by"
    )
    return render(
        request,
        "rehab/patient_logs.html",
        {
            "patient": patient,
            "page": page,
            "rows": [(log, history[log.pk]) for log in page],
            "clinical": clinical,
            "deleted": [
                (revision, progress.revision_changes(revision, unit=unit, clinical=clinical))
                for revision in deleted.order_by("-changed_at")[:20]
            ],
            "today": patient_today(patient),
        },
    )
