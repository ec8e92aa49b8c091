"""Reading the audit trail: the admin's filtered list and CSV, and a patient's "who viewed".

Rows are only ever added (`clinic.audit.record`); nothing here or anywhere in the app changes
or deletes one, and on PostgreSQL a trigger refuses it (reports/migrations/0002).
"""

import dataclasses
import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from clinic.models import AuditEvent, Clinic, Membership, Patient, Role
from reports.exporters import Table, safe_text

# Plain words for each action, for the admin's list and the patient's page.
ACTION_LABELS = {
    "patient.view": "Opened the patient record",
    "patient.create": "Added the patient",
    "patient.update": "Changed the patient record",
    "patient.discharge": "Discharged the patient",
    "patient.reactivate": "Took the patient back into care",
    "patient.deliveries.view": "Viewed the reminder history",
    "rehab.logs.view": "Viewed the daily logs",
    "intake.view": "Viewed the intake questionnaire",
    "intake.examine": "Recorded an examination",
    "intake.decide": "Recorded a triage decision",
    "intake.assign": "Assigned the intake",
    "intake.start_visit": "Started an intake during a visit",
    "intake_link.create": "Sent an intake link",
    "alert.view": "Opened an alert",
    "alert.acknowledge": "Reviewed an alert",
    "alert.snoozes.view": "Viewed the alert snoozes",
    "alert.snooze": "Snoozed an alert rule for the patient",
    "alert.snooze_lift": "Lifted an alert snooze",
    "plan.view": "Opened the rehab plan",
    "plan.assign": "Drafted a rehab plan",
    "plan.update": "Changed the rehab plan",
    "plan.activate": "Started the rehab plan",
    "plan.end": "Ended the rehab plan",
    "plan.discard": "Discarded a draft plan",
    "plan.resume": "Resumed the rehab plan",
    "plan.proposal.approve": "Approved a plan change",
    "plan.proposal.decline": "Declined a plan change",
    "plan_template.create": "Created a plan template",
    "plan_template.update": "Changed a plan template",
    "exercise.create": "Added an exercise",
    "exercise.update": "Changed an exercise",
    "policy.progression.update": "Changed the progression rules",
    "care_tasks.view": "Viewed the care-team tasks",
    "care_task.view": "Opened a care-team task",
    "care_task.create": "Asked the care team",
    "care_task.reply": "Replied to the care team",
    "care_task.done": "Closed a care-team task",
    "care_team.add": "Added someone to the care team",
    "care_team.remove": "Removed someone from the care team",
    "invitation.create": "Sent an invitation",
    "invitation.resend": "Sent an invitation again",
    "invitation.revoke": "Withdrew an invitation",
    "membership.grant": "Joined the clinic with a role",
    "membership.suspend": "Suspended a role",
    "membership.restore": "Restored a role",
    "policy.scoring.update": "Changed the scoring policy",
    "policy.alerts.update": "Changed the alert thresholds",
    "clinic.security_update": "Changed the clinic's security settings",
    "report.view": "Opened the progress report",
    "report.download": "Downloaded the progress report (PDF)",
    "report.summary_save": "Wrote the progress report's summary",
    "patient.data_download": "Downloaded their own data",
    "clinic.logo_update": "Changed the clinic's logo",
    "clinic.logo_remove": "Removed the clinic's logo",
    "export.cohort_csv": "Downloaded a cohort export (CSV)",
    "export.job_create": "Started a cohort export",
    "export.download": "Downloaded a prepared export",
    "audit.export": "Downloaded the audit trail (CSV)",
    "notifications.retry": "Retried a failed reminder",
    "notifications.message": "Sent the patient a message",
    "notifications.unsubscribe": "Unsubscribed from reminders",
    "notifications.resume": "Resumed reminders",
    "auth.login": "Signed in",
    "auth.login_failed": "Failed to sign in",
    "auth.locked_out": "Was locked out of signing in",
    "auth.unlock": "Unlocked a sign-in lock",
    "auth.second_factor_reset": "Reset someone's two-step verification",
    "auth.signed_out_everywhere": "Signed out of every device",
}

# What counts as someone looking at a patient's record, for the patient's own page.
RECORD_VIEW_ACTIONS = (
    "patient.view",
    "plan.view",
    "patient.deliveries.view",
    "rehab.logs.view",
    "care_tasks.view",
    "care_task.view",
    "intake.view",
    "report.view",
    "report.download",
)
ROLE_WORDS = {
    Role.ADMIN: "Clinic admin",
    Role.THERAPIST: "Physical therapist",
    Role.COACH: "Coach",
    Role.NUTRITIONIST: "Nutritionist",
}
VIEWS_SHOWN = 200


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@dataclasses.dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str = ""  # an action, or a family such as "patient." or "export."
    patient_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def clinic_events(clinic: Clinic, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The clinic's audit rows, plus the sign-in rows of its members, newest first."""
    members = Membership.objects.filter(clinic=clinic).values("user_id")
    events = AuditEvent.objects.filter(
        Q(clinic=clinic) | Q(clinic__isnull=True, actor_id__in=members)
    )
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.action.endswith("."):
        events = events.filter(action__startswith=filters.action)
    elif filters.action:
        events = events.filter(action=filters.action)
    if filters.patient_id:
        events = events.filter(patient_id=filters.patient_id)
    zone = zoneinfo.ZoneInfo(clinic.time_zone)
    if filters.date_from:
        events = events.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, zone))
    if filters.date_to:
        end = filters.date_to + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(end, dt.time.min, zone))
    return events.select_related("actor", "patient").order_by("-at", "-pk")


AUDIT_HEADER = [
    "at_utc",
    "actor",
    "actor_email",
    "action",
    "what",
    "patient_id",
    "patient",
    "object_type",
    "object_id",
    "ip_address",
    "detail",
]


def audit_table(events: QuerySet[AuditEvent]) -> Table:
    """The rows as a CSV table, read through a server-side cursor."""

    def rows() -> Iterator[list]:
        for event in events.iterator(chunk_size=2000):
            yield [
                event.at.astimezone(dt.UTC).isoformat(),
                safe_text(event.actor.full_name if event.actor else ""),
                safe_text(event.actor.email if event.actor else ""),
                event.action,
                action_label(event.action),
                str(event.patient_id or ""),
                safe_text(event.patient.full_name if event.patient else ""),
                event.object_type,
                event.object_id,
                event.ip_address or "",
                safe_text(json.dumps(event.detail, sort_keys=True)) if event.detail else "",
            ]

    return Table(header=AUDIT_HEADER, rows=rows())


@dataclasses.dataclass(frozen=True)
class RecordView:
    at: dt.datetime
    who: str
    role: str
    what: str

    @property
    def initial(self) -> str:
        """The first letter of the name, a title such as "Dr." skipped."""
        words = [word for word in self.who.split() if not word.endswith(".")]
        return (words or [self.who])[0][:1].upper()


def record_views(patient: Patient) -> list[RecordView]:
    """Who at the clinic or on the care team looked at the patient's record, newest first."""
    events = (
        AuditEvent.objects.filter(patient=patient, action__in=RECORD_VIEW_ACTIONS)
        .exclude(actor__isnull=True)
        .exclude(actor_id=patient.user_id)
        .select_related("actor")
        .order_by("-at", "-pk")[:VIEWS_SHOWN]
    )
    events = list(events)
    roles = _roles_of({event.actor_id for event in events}, patient)
    return [
        RecordView(
            at=event.at,
            who=event.actor.full_name or event.actor.email,
            role=roles.get(event.actor_id, ""),
            what=action_label(event.action),
        )
        for event in events
    ]


def _roles_of(user_ids: set[int], patient: Patient) -> dict[int, str]:
    """Each person's role towards the patient: care-team seat first, else clinic role."""
    roles: dict[int, str] = {}
    memberships = Membership.objects.filter(clinic_id=patient.clinic_id, user_id__in=user_ids)
    order = {Role.THERAPIST: 0, Role.ADMIN: 1, Role.COACH: 2, Role.NUTRITIONIST: 3}
    for membership in sorted(memberships, key=lambda m: order.get(m.role, 9)):
        roles.setdefault(membership.user_id, ROLE_WORDS.get(membership.role, ""))
    for seat in patient.care_team.all():
        if seat.user_id in user_ids:
            roles[seat.user_id] = ROLE_WORDS.get(seat.role, roles.get(seat.user_id, ""))
    if patient.therapist_id in user_ids:
        roles[patient.therapist_id] = "Your physical therapist"
    return roles
