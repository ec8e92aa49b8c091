"""URLs of the rehab app; every view is wrapped by clinic.access."""

import datetime as dt

from django.urls import path, register_converter

from rehab.views import (
    alerts,
    approvals,
    care,
    imports,
    library,
    logbook,
    measures,
    plans,
    progress,
    today,
    visits,
    worklist,
)


class IsoDateConverter:
    """A calendar date as YYYY-MM-DD; anything that is not a real date does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else value


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    # The patient's own log and progress.
    path("me/log/", logbook.log_day, name="log_today"),
    path("me/log/<isodate:day>/", logbook.log_day, name="log_day"),
    path("me/log/<isodate:day>/delete/", logbook.log_delete, name="log_delete"),
    path("me/log/<isodate:day>/import/", imports.log_import, name="log_import"),
    path(
        "me/log/<isodate:day>/import/confirm/",
        imports.log_import_confirm,
        name="log_import_confirm",
    ),
    path("me/progress/", progress.my_progress, name="my_progress"),
    path("me/today/", today.today, name="today"),
    path("me/today/done/", today.session_complete, name="session_complete"),
    path("me/today/morning/", today.morning_check, name="morning_check"),
    path("me/measures/", measures.my_measures, name="my_measures"),
    path("me/measures/<slug:code>/", measures.my_measure_fill, name="my_measure_fill"),
    # The clinic's side.
    path("patients/<uuid:patient_id>/logs/", progress.patient_logs, name="patient_logs"),
    path(
        "patients/<uuid:patient_id>/alerts/<uuid:alert_id>/acknowledge/",
        alerts.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("patients/<uuid:patient_id>/alerts/snooze/", alerts.alert_snooze, name="alert_snooze"),
    path(
        "patients/<uuid:patient_id>/alerts/snoozes/<uuid:snooze_id>/lift/",
        alerts.alert_snooze_lift,
        name="alert_snooze_lift",
    ),
    path("worklist/", worklist.worklist, name="worklist"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("clinic/alert-thresholds/", alerts.alert_policy, name="alert_policy"),
    # Plans: assignment, the draft editor, the plan page, approvals.
    path(
        "intakes/<uuid:intake_id>/plan/", plans.plan_assign_from_intake, name="plan_assign_intake"
    ),
    path("patients/<uuid:patient_id>/plans/new/", plans.plan_assign, name="plan_assign"),
    path("patients/<uuid:patient_id>/plans/<uuid:plan_id>/", plans.plan_detail, name="plan_detail"),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/edit/",
        plans.plan_edit,
        name="plan_edit",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/phases/<int:index>/",
        plans.plan_phase_edit,
        name="plan_phase_edit",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/activate/",
        plans.plan_activate,
        name="plan_activate",
    ),
    path("patients/<uuid:patient_id>/plans/<uuid:plan_id>/end/", plans.plan_end, name="plan_end"),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/resume/",
        plans.plan_resume,
        name="plan_resume",
    ),
    path(
        "patients/<uuid:patient_id>/proposals/<uuid:proposal_id>/approve/",
        approvals.proposal_approve,
        name="proposal_approve",
    ),
    path(
        "patients/<uuid:patient_id>/proposals/<uuid:proposal_id>/decline/",
        approvals.proposal_decline,
        name="proposal_decline",
    ),
    path("approvals/", approvals.approval_list, name="approval_list"),
    path("clinic/progression-rules/", approvals.progression_policy, name="progression_policy"),
    # The clinic's library: templates (versioned) and exercises.
    path("library/templates/", library.template_list, name="template_list"),
    path("library/templates/new/", library.template_create, name="template_create"),
    path("library/templates/<uuid:template_id>/", library.template_detail, name="template_detail"),
    path("library/templates/<uuid:template_id>/edit/", library.template_edit, name="template_edit"),
    path(
        "library/templates/<uuid:template_id>/phases/<int:index>/",
        library.template_phase_edit,
        name="template_phase_edit",
    ),
    path("library/exercises/", library.exercise_list, name="exercise_list"),
    path("library/exercises/new/", library.exercise_create, name="exercise_create"),
    path("library/exercises/<uuid:exercise_id>/edit/", library.exercise_edit, name="exercise_edit"),
    # Care-team collaboration.
    path("care/tasks/", care.care_task_inbox, name="care_task_inbox"),
    path("patients/<uuid:patient_id>/care/", care.care_tasks, name="care_tasks"),
    path("patients/<uuid:patient_id>/care/new/", care.care_task_create, name="care_task_create"),
    path(
        "patients/<uuid:patient_id>/care/<uuid:task_id>/",
        care.care_task_detail,
        name="care_task_detail",
    ),
    path(
        "patients/<uuid:patient_id>/care/<uuid:task_id>/reply/",
        care.care_task_reply,
        name="care_task_reply",
    ),
    path(
        "patients/<uuid:patient_id>/care/<uuid:task_id>/done/",
        care.care_task_done,
        name="care_task_done",
    ),
    # Outcome measures (LEFS, UWRI): entered in clinic; the licensed wording, pasted once.
    path(
        "patients/<uuid:patient_id>/measures/<slug:code>/",
        measures.patient_measure_fill,
        name="patient_measure_fill",
    ),
    path("clinic/measures/", measures.measure_wordings, name="measure_wordings"),
    path(
        "clinic/measures/<slug:code>/wording/",
        measures.measure_wording_edit,
        name="measure_wording_edit",
    ),
    # Follow-up visits.
    path("patients/<uuid:patient_id>/visits/new/", visits.visit_book, name="visit_book"),
    path(
        "patients/<uuid:patient_id>/visits/<uuid:visit_id>/", visits.visit_edit, name="visit_edit"
    ),
    path(
        "patients/<uuid:patient_id>/visits/<uuid:visit_id>/attended/",
        visits.visit_attended,
        name="visit_attended",
    ),
    path(
        "patients/<uuid:patient_id>/visits/<uuid:visit_id>/missed/",
        visits.visit_missed,
        name="visit_missed",
    ),
    path(
        "patients/<uuid:patient_id>/visits/<uuid:visit_id>/cancel/",
        visits.visit_cancel,
        name="visit_cancel",
    ),
]
