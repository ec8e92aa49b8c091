"""Follow-up visits: booking, moving, and closing them as attended, missed or cancelled.

The reminder the evening before is planned by the notifications planner from booked visits
(`notifications.services.visit_reminders_plan`); its ledger key names the visit and its start,
so moving a visit plans a new reminder and the old one is dropped at sending. A missed visit
must reach a person: it opens a follow-up task for the therapist and a notice to whoever must
see the patient's signals (`clinic.access.signal_recipients`).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.access import signal_recipients
from clinic.models import Patient, Role, User
from rehab.models import CareTask, CareTaskKind, Visit, VisitMode, VisitStatus


class VisitClosed(Exception):
    """The visit was already attended, missed or cancelled: it cannot change any more."""


def visit_book(
    *,
    patient: Patient,
    therapist: User | None,
    starts_at: dt.datetime,
    mode: str = VisitMode.IN_CLINIC,
    video_url: str = "",
    note: str = "",
    by: User,
    intake=None,
) -> Visit:
    return Visit.objects.create(
        patient=patient,
        therapist=therapist,
        starts_at=starts_at,
        mode=mode,
        video_url=video_url if mode == VisitMode.VIDEO else "",
        note=note,
        intake=intake,
        created_by=by,
    )


def visit_update(
    *,
    visit: Visit,
    therapist: User | None,
    starts_at: dt.datetime,
    mode: str,
    video_url: str = "",
    note: str = "",
) -> Visit:
    """Move or change a booked visit. A new start time gets its own reminder."""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.status != VisitStatus.BOOKED:
            raise VisitClosed(locked.get_status_display())
        locked.therapist = therapist
        locked.starts_at = starts_at
        locked.mode = mode
        locked.video_url = video_url if mode == VisitMode.VIDEO else ""
        locked.note = note
        locked.save()
    return locked


def visit_close(*, visit: Visit, status: str, by: User) -> Visit:
    """Record the visit as attended, missed or cancelled (once: a closed visit stays closed)."""
    if status not in (VisitStatus.ATTENDED, VisitStatus.MISSED, VisitStatus.CANCELLED):
        raise ValueError(f"{status!r} does not close a visit")
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
        if locked.status != VisitStatus.BOOKED:
            raise VisitClosed(locked.get_status_display())
        locked.status, locked.closed_at, locked.closed_by = status, timezone.now(), by
        locked.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        if status == VisitStatus.MISSED:
            _missed_follow_up(locked, by=by)
    return locked


def _missed_follow_up(visit: Visit, *, by: User) -> CareTask:
    """A task to get back in touch, for the responsible therapist (unowned: the clinic's
    inbox sees it), and a notice to each person who must see the patient's signals."""
    from notifications.models import Kind
    from notifications.services import staff_notify

    patient = visit.patient
    when = _local_text(visit)
    task = CareTask.objects.create(
        patient=patient,
        kind=CareTaskKind.MISSED_VISIT,
        role=Role.THERAPIST,
        assignee=patient.therapist,
        title=f"Missed visit of {when}: get in touch",
        detail=(
            f"{patient.full_name} did not come to the follow-up visit of {when}. Get in touch "
            "and book another visit on their page."
        ),
        source="visit",
        created_by=by,
    )
    for person in signal_recipients(patient):
        staff_notify(
            recipient=person,
            patient=patient,
            kind=Kind.VISIT_MISSED,
            by=by,
            context={"when": when},
        )
    return task


def _local_text(visit: Visit) -> str:
    local = visit.local_starts_at
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"
