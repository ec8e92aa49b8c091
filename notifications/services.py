"""Reminder and notification workflows: planning the ledger, releasing it to the queue, sending.

The path of a reminder:

1. `reminders_plan` (every few minutes) inserts one ledger row per patient, kind, due moment and
   channel for whatever fell due, in bulk; the unique key drops rows an earlier run inserted.
   `notify_patient` does the same for events (plan changes, care-team messages) as they happen.
2. `deliveries_release` queues the due rows once the transaction commits, SEND_BATCH ids to a
   send task (`notifications.tasks.deliveries_send`).
3. `delivery_send` (called for each id) claims its row with one conditional UPDATE and a lease,
   checks that sending is still right (consent, unsubscribe, pause, quiet hours, already logged),
   commits the row as handed over, sends, and marks the row sent straight away. A worker that dies
   before the hand-over leaves a row whose lease runs out; the next release re-enqueues it. One
   that dies after it leaves a row in doubt, which `deliveries_reconcile` settles instead of
   sending it blindly again. See docs/reminders.md for the exact guarantee, channel by channel.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError

from clinic.models import Patient
from intake.models import IntakeLink
from notifications import channels, messages, planning_sql
from notifications.models import (
    DEFAULT_DAILY_TIME,
    DEFAULT_MORNING_TIME,
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    EVENT_KINDS,
    KIND_RULES,
    CareMessage,
    Channel,
    Delivery,
    Kind,
    Notification,
    Reminder,
    ReminderPreference,
    reminders_allowed,
)
from notifications.planning import (
    Due,
    PatientFacts,
    due_reminders,
    rivals,
    visit_reminder_moment,
)
from notifications.schedule import is_quiet, local_date, quiet_end, zone_named
from rehab.models import RUNNING_KINDS, Activity, DailyLog, Plan, PlanStatus, Visit, VisitStatus
from rehab.models.visits import reminder_key

log = logging.getLogger(__name__)

CHUNK = 2000  # patients per planning step: a handful of queries each, whatever the total
CATCH_UP = dt.timedelta(hours=3)  # a reminder missed while the scheduler was down still goes out
REMINDERS_KEEP = dt.timedelta(days=3)  # longer than any reminder may wait to be sent
INTAKE_REMIND_BEFORE = dt.timedelta(days=2)
MAX_ATTEMPTS = 6  # the first try and the send task's five retries
SEND_BATCH = 100  # rows per send task: publishing 130,000 tasks one by one takes a minute
QUIET_CHANNELS = (Channel.EMAIL, Channel.SMS)
UNSUBSCRIBED = "unsubscribed"


def batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)


def _requeue_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)


# --- Planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchResult:
    planned: int
    released: int


def reminders_dispatch(*, now: dt.datetime) -> DispatchResult:
    """The periodic job: plan what fell due, then queue every row that may go out now."""
    with transaction.atomic():
        planned = reminders_plan(now=now, release=True)
        planned += visit_reminders_plan(now=now, release=True)
        released = deliveries_release(now=now)
    return DispatchResult(planned=planned, released=released)


def intake_reminders_dispatch(*, now: dt.datetime) -> DispatchResult:
    """The hourly job: plan the reminders of intake links about to expire, queue what is due."""
    with transaction.atomic():
        planned = intake_reminders_plan(now=now)
        released = deliveries_release(now=now)
    return DispatchResult(planned=planned, released=released)


PATIENT_FIELDS = (
    "id",
    "clinic_id",
    "clinic__time_zone",
    "time_zone",
    "email",
    "phone",
    "user_id",
    "therapist_id",
    "created_at",
    "user__date_joined",
    "reminder_preference__by_email",
    "reminder_preference__by_sms",
    "reminder_preference__in_app",
    "reminder_preference__daily_time",
    "reminder_preference__morning_time",
    "reminder_preference__quiet_start",
    "reminder_preference__quiet_end",
    "reminder_preference__paused_until",
    "reminder_preference__updated_at",
)


def reminder_patients():
    """Patients reminders may go to: in care, consenting, not unsubscribed, with an account
    (a runner without one cannot log)."""
    return Patient.objects.active().filter(
        reminder_consent=True,
        user__isnull=False,
        reminder_preference__opted_out_at__isnull=True,
    )


def reminders_plan(*, now: dt.datetime, release: bool = False, in_sql: bool | None = None) -> int:
    """Insert a `Reminder` for every reminder that fell due in the catch-up window before
    `now` and is not planned yet; the send task fans each out to the patient's channels.
    Idempotent. Returns how many new reminders were offered.

    `release=True` inserts them already marked for release at `now` (sparing an UPDATE of
    each); the caller then runs `deliveries_release(now=now)` in the same transaction, as
    `reminders_dispatch` does.

    On PostgreSQL the rules run as one INSERT … SELECT (`notifications.planning_sql`): two
    queries whatever the number of patients. Elsewhere (SQLite), or with `in_sql=False`, they
    run in Python over chunks of CHUNK patients, with the same rows as the result.
    """
    after, enqueued_at = now - CATCH_UP, now if release else None
    if in_sql is None:
        in_sql = connection.vendor == "postgresql"
    if in_sql:
        return planning_sql.reminders_insert(
            reminder_patients(), after=after, until=now, enqueued_at=enqueued_at
        )
    return _reminders_plan_in_python(after=after, until=now, enqueued_at=enqueued_at)


def _reminders_plan_in_python(
    *, after: dt.datetime, until: dt.datetime, enqueued_at: dt.datetime | None
) -> int:
    """The rules of `notifications.planning`, chunk by chunk. Per chunk of CHUNK patients: one
    query for the patients, one for the reminders already planned, one for their active plans,
    two for their logs and one insert per 1000 new rows (fewer on SQLite, which caps query
    parameters)."""
    offered, last_id = 0, None
    patients = reminder_patients().order_by("pk").values(*PATIENT_FIELDS)
    while True:
        chunk = list((patients.filter(pk__gt=last_id) if last_id else patients)[:CHUNK])
        if not chunk:
            return offered
        last_id = chunk[-1]["id"]
        known = _known_reminders([p["id"] for p in chunk], after, until)
        rows = [
            Reminder(
                patient_id=patient["id"],
                kind=due.kind,
                due_at=due.due_at,
                context=due.context,
                enqueued_at=enqueued_at,
            )
            for patient, facts in _facts_of(chunk, until)
            for due in due_reminders(facts, after=after, until=until)
            if not any((patient["id"], kind, due.due_at) in known for kind in rivals(due.kind))
        ]
        # ignore_conflicts: the unique key, not the check above, is what makes a reminder
        # once-only when two planners race.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        offered += len(rows)


def _known_reminders(ids: list, after: dt.datetime, until: dt.datetime) -> set[tuple]:
    """Reminders already planned for these patients in the window: not offered again, so a
    planner that runs every few minutes over a window of hours stays cheap."""
    return set(
        Reminder.objects.filter(
            patient_id__in=ids, due_at__gt=after, due_at__lte=until
        ).values_list("patient_id", "kind", "due_at")
    )


def _facts_of(chunk: list[dict], now: dt.datetime):
    ids = [p["id"] for p in chunk]
    plans_from = dict(
        Plan.objects.filter(patient_id__in=ids, status=PlanStatus.ACTIVE).values_list(
            "patient_id", "start_date"
        )
    )
    last_logs = dict(
        DailyLog.objects.filter(patient_id__in=ids)
        .values("patient_id")
        .annotate(last=Max("date"))
        .values_list("patient_id", "last")
    )
    recent = {patient_id: ([], [], []) for patient_id in ids}
    running = Activity.objects.filter(log=OuterRef("pk"), kind__in=RUNNING_KINDS)
    for patient_id, day, morning_pain, ran in (
        DailyLog.objects.filter(patient_id__in=ids, date__gte=now.date() - dt.timedelta(days=3))
        .annotate(ran=Exists(running))
        .values_list("patient_id", "date", "morning_pain", "ran")
    ):
        logged, ran_days, mornings = recent[patient_id]
        logged.append(day)
        if ran:
            ran_days.append(day)
        if morning_pain is not None:
            mornings.append(day)
    for patient in chunk:
        logged, ran_days, mornings = recent[patient["id"]]
        last_log, plan_from = last_logs.get(patient["id"]), plans_from.get(patient["id"])
        yield patient, _facts(patient, last_log, logged, ran_days, mornings, plan_from)


def _pref(patient: dict, name: str, default):
    value = patient[f"reminder_preference__{name}"]
    if patient["reminder_preference__updated_at"] is None:  # no row: the defaults
        return default
    return value


def _facts(patient: dict, last_log, logged, ran_days, mornings, plan_from) -> PatientFacts:
    zone = zone_named(patient["time_zone"])
    # As rehab.services.logging_expected_since: care start, or the account's first day if later.
    since = local_date(max(patient["created_at"], patient["user__date_joined"]), zone)
    return PatientFacts(
        zone=zone,
        clinic_zone=zone_named(patient["clinic__time_zone"]),
        daily_time=_pref(patient, "daily_time", DEFAULT_DAILY_TIME),
        morning_time=_pref(patient, "morning_time", DEFAULT_MORNING_TIME),
        logging_since=since,
        last_log=last_log,
        paused_until=_pref(patient, "paused_until", None),
        logged_days=frozenset(logged),
        ran_days=frozenset(ran_days),
        morning_logged=frozenset(mornings),
        plan_from=plan_from,
    )


def _channels_of(patient: dict) -> list[str]:
    chosen = {
        Channel.EMAIL: _pref(patient, "by_email", True) and bool(patient["email"]),
        Channel.SMS: _pref(patient, "by_sms", False) and bool(patient["phone"]),
        Channel.IN_APP: _pref(patient, "in_app", True),
    }
    return [channel for channel, on in chosen.items() if on]


def _targets(patient: dict, due) -> list[tuple[str, int | None, dt.datetime]]:
    """(channel, recipient, send after) of each delivery of one due reminder."""
    if KIND_RULES[due.kind].to_therapist:
        return [(Channel.IN_APP, patient["therapist_id"], due.due_at)]
    zone = zone_named(patient["time_zone"])
    start = _pref(patient, "quiet_start", DEFAULT_QUIET_START)
    end = _pref(patient, "quiet_end", DEFAULT_QUIET_END)
    return [
        (
            channel,
            patient["user_id"],
            quiet_end(due.due_at, start, end, zone) if channel in QUIET_CHANNELS else due.due_at,
        )
        for channel in _channels_of(patient)
    ]


def _row(patient: dict, due, channel: str, recipient_id, send_after, released_at) -> Delivery:
    return Delivery(
        clinic_id=patient["clinic_id"],
        patient_id=patient["id"],
        recipient_id=recipient_id,
        kind=due.kind,
        channel=channel,
        due_at=due.due_at,
        context=due.context,
        send_after=send_after,
        enqueued_at=released_at if released_at and send_after <= released_at else None,
    )


def reminders_fan_out(keys: list, *, now: dt.datetime) -> list[int]:
    """Turn due reminders (`Reminder.key`s) into ledger rows, one per channel the patient
    chose (quiet hours hold back e-mail and SMS; the therapist notice is one in-app row), and
    mark them fanned out, in one transaction. Returns the ids of the rows that may go out now.

    The rows' unique key makes this idempotent: a reminder fanned out twice (a redelivered
    task) adds nothing. A row's `created_at` is its reminder's, so staleness counts from the
    planning. Five queries for a batch, whatever its size.
    """
    with transaction.atomic():
        wanted = [Reminder.key_of(key) for key in keys]
        reminders = list(Reminder.objects.filter(pk__in=wanted, fanned_out_at__isnull=True))
        if not reminders:
            return []
        patients = {
            p["id"]: p
            for p in Patient.objects.filter(pk__in={r.patient_id for r in reminders}).values(
                *PATIENT_FIELDS
            )
        }
        rows = []
        for reminder in reminders:
            if (patient := patients.get(reminder.patient_id)) is None:
                continue
            due = Due(reminder.kind, reminder.due_at, reminder.context)
            for channel, recipient_id, send_after in _targets(patient, due):
                row = _row(patient, due, channel, recipient_id, send_after, now)
                row.created_at = reminder.created_at
                rows.append(row)
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(fanned_out_at=now)
        keys = {(r.patient_id, r.kind, r.due_at) for r in reminders}
        ready = Delivery.objects.filter(
            key="",
            patient_id__in={r.patient_id for r in reminders},
            due_at__in={r.due_at for r in reminders},
            status=Delivery.Status.QUEUED,
            enqueued_at=now,
        ).values_list("pk", "patient_id", "kind", "due_at")
        return [pk for pk, *key in ready if tuple(key) in keys]


VISIT_LOOKAHEAD = dt.timedelta(days=2, hours=1)  # a reminder the day before is due by now


def visit_reminders_plan(*, now: dt.datetime, release: bool = False) -> int:
    """Ledger rows for the reminder the evening before each booked follow-up visit, at the
    patient's daily time and on their channels, for reminders due in the catch-up window.

    Once per visit and start: the rows' key is `Visit.reminder_key()`, unique with kind and
    channel, so re-runs add nothing and a moved visit gets a new reminder (the sender drops the
    old one). Cancelled visits are not booked and get none. Three queries whatever the number
    of visits (the visits with their patients, the keys already planned, the insert).
    """
    after = now - CATCH_UP
    fields = [f"patient__{name}" for name in PATIENT_FIELDS]
    visits = list(
        Visit.objects.booked()
        .filter(
            starts_at__gt=now,
            starts_at__lte=now + VISIT_LOOKAHEAD,
            patient__in=reminder_patients(),
        )
        .values(
            "id",
            "starts_at",
            "mode",
            "video_url",
            "therapist__full_name",
            "patient__clinic__name",
            "patient__clinic__phone",
            *fields,
        )
    )
    due = []
    for visit in visits:
        patient = {name: visit[f"patient__{name}"] for name in PATIENT_FIELDS}
        zone = zone_named(patient["time_zone"])
        daily = _pref(patient, "daily_time", DEFAULT_DAILY_TIME)
        moment = visit_reminder_moment(visit["starts_at"], zone, daily)
        if after < moment <= now:
            due.append((patient, visit, Due(Kind.VISIT_REMINDER, moment, _visit_context(visit))))
    keys = {reminder_key(visit["id"], visit["starts_at"]) for _, visit, _ in due}
    known = set(
        Delivery.objects.filter(kind=Kind.VISIT_REMINDER, key__in=keys).values_list(
            "key", "channel"
        )
    )
    rows = []
    for patient, visit, reminder in due:
        key = reminder_key(visit["id"], visit["starts_at"])
        for channel, recipient_id, send_after in _targets(patient, reminder):
            if (key, channel) not in known:
                row = _row(
                    patient, reminder, channel, recipient_id, send_after, now if release else None
                )
                row.key = key
                rows.append(row)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _visit_context(visit: dict) -> dict:
    """What the reminder says, in the patient's zone, as planned (a moved visit is a new one)."""
    local = visit["starts_at"].astimezone(zone_named(visit["patient__time_zone"]))
    return {
        "visit": str(visit["id"]),
        "starts_at": visit["starts_at"].isoformat(),
        "time": f"{local:%H:%M}",
        "when": f"{local:%A} {local.day} {local:%B} at {local:%H:%M}",
        "mode": visit["mode"],
        "video_url": visit["video_url"],
        "with": visit["therapist__full_name"] or "",
        "clinic": visit["patient__clinic__name"],
        "phone": visit["patient__clinic__phone"],
    }


def intake_reminders_plan(*, now: dt.datetime) -> int:
    """Ledger rows for intake links that expire within two days and were never reminded.

    The reminder falls due two days before the link expires; links that lived less than two
    days (shortened by hand) get none. Idempotent through the ledger key (the link's id).
    """
    links = IntakeLink.objects.usable().filter(
        reminded_at__isnull=True,
        expires_at__lte=now + INTAKE_REMIND_BEFORE,
        created_at__lte=F("expires_at") - INTAKE_REMIND_BEFORE,
    )
    rows = [
        Delivery(
            clinic_id=link.clinic_id,
            patient_id=link.patient_id,
            intake_link=link,
            kind=Kind.INTAKE_EXPIRY,
            channel=Channel.EMAIL,
            key=str(link.pk),
            due_at=link.expires_at - INTAKE_REMIND_BEFORE,
            send_after=link.expires_at - INTAKE_REMIND_BEFORE,
        )
        for link in links.iterator(chunk_size=CHUNK)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def intake_invitation_queue(link: IntakeLink) -> None:
    """Send an intake link through the ledger: once per link, retried, in the history.

    `intake.services.link_create` calls it in the transaction that creates the link; the send
    task is queued when that transaction commits.
    """
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(
                    clinic_id=link.clinic_id,
                    patient_id=link.patient_id,
                    intake_link=link,
                    kind=Kind.INTAKE_INVITATION,
                    channel=Channel.EMAIL,
                    key=str(link.pk),
                    due_at=now,
                    send_after=now,
                )
            ],
            ignore_conflicts=True,
        )
        _release(Delivery.objects.filter(kind=Kind.INTAKE_INVITATION, key=str(link.pk)), now)


def intake_link_unsubscribe(*, link: IntakeLink) -> None:
    """No reminder about this questionnaire (the runner's one-click unsubscribe).

    The link's reminder row is written now, as skipped, whether or not it was planned yet: its
    unique key keeps the planner from adding it later.
    """
    due = link.expires_at - INTAKE_REMIND_BEFORE
    reminder = Delivery.objects.filter(kind=Kind.INTAKE_EXPIRY, key=str(link.pk))
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(
                    clinic_id=link.clinic_id,
                    patient_id=link.patient_id,
                    intake_link=link,
                    kind=Kind.INTAKE_EXPIRY,
                    channel=Channel.EMAIL,
                    key=str(link.pk),
                    due_at=due,
                    send_after=due,
                    status=Delivery.Status.SKIPPED,
                    reason=UNSUBSCRIBED,
                )
            ],
            ignore_conflicts=True,
        )
        reminder.filter(status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SKIPPED, reason=UNSUBSCRIBED
        )


def intake_link_resume(*, link: IntakeLink) -> None:
    """Undo `intake_link_unsubscribe`: the reminder goes out when due, if it still may."""
    Delivery.objects.filter(
        kind=Kind.INTAKE_EXPIRY,
        key=str(link.pk),
        status=Delivery.Status.SKIPPED,
        reason=UNSUBSCRIBED,
    ).update(status=Delivery.Status.QUEUED, reason="", enqueued_at=None)


def intake_link_unsubscribed(link: IntakeLink) -> bool:
    return Delivery.objects.filter(
        kind=Kind.INTAKE_EXPIRY,
        key=str(link.pk),
        status=Delivery.Status.SKIPPED,
        reason=UNSUBSCRIBED,
    ).exists()


# --- Events -----------------------------------------------------------------------------------


def event_key(patient: Patient, key: str) -> str:
    """The ledger key `notify_patient` stores for the patient's event `key`."""
    return f"{patient.pk}:{key}"[:120]


def notify_patient(patient: Patient, kind: str, *, context: dict, key: str) -> list[Delivery]:
    """Tell the patient about an event on each channel they chose, once per `key`.

    For plan changes (Kind.PLAN_ADVANCED, PLAN_HELD, PLAN_STEPPED_BACK, PLAN_APPROVED) and
    care-team messages (Kind.CARE_MESSAGE). `key` names the event, e.g. the plan transition's id:
    calling again with the same kind and key changes nothing. `context` (JSON) is what the kind's
    template shows, e.g. {"step": "Walk-run 1:1", "reason": "..."} or {"sender": ..., "text": ...}.
    Call it inside the transaction that records the event: the send is queued on commit. Without
    consent, or unsubscribed, the rows are kept as skipped so the care team sees why.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"{kind!r} is not an event kind; reminders are planned, not raised.")
    preference = ReminderPreference.of(patient)
    now = timezone.now()
    chosen = preference.channels()
    reason = reminders_allowed(patient, preference) or ("" if chosen else "no channel chosen")
    full_key = event_key(patient, key)
    zone = zone_named(patient.time_zone)
    rows = [
        Delivery(
            clinic_id=patient.clinic_id,
            patient=patient,
            recipient_id=patient.user_id,
            kind=kind,
            channel=channel,
            due_at=now,
            key=full_key,
            context=context,
            status=Delivery.Status.SKIPPED if reason else Delivery.Status.QUEUED,
            reason=reason,
            send_after=quiet_end(now, preference.quiet_start, preference.quiet_end, zone)
            if channel in QUIET_CHANNELS
            else now,
        )
        for channel in chosen or [Channel.IN_APP]
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        mine = Delivery.objects.filter(kind=kind, key=full_key)
        _release(mine, now)
    return list(mine)


def staff_notify(
    *, recipient, patient: Patient, kind: str, by=None, context: dict | None = None
) -> Notification:
    """Put a notice about `patient` in one staff member's in-app list at once (e.g. "you are now
    responsible for ..."). A row in our database, written in the caller's transaction: no
    channel, consent or quiet hours apply to a colleague's own list. `context` adds to what the
    kind's template shows."""
    if not KIND_RULES[kind].to_therapist:
        raise ValueError(f"{kind!r} is not a notice to staff.")
    context = {**(context or {}), "by": by.full_name if by is not None else "Rebound"}
    message = messages.compose(Delivery(patient=patient, kind=kind, context=context))
    return Notification.objects.create(
        recipient=recipient,
        patient=patient,
        kind=kind,
        title=message.title,
        body=message.body,
        url=message.path,
    )


def care_message_send(*, patient: Patient, sender, text: str) -> tuple[CareMessage, list]:
    """Keep the message and tell the patient on their channels (sent once the transaction
    commits); returns the message and its ledger rows, skipped ones with their reason."""
    with transaction.atomic():
        message = CareMessage.objects.create(patient=patient, sender=sender, text=text)
        rows = notify_patient(
            patient,
            Kind.CARE_MESSAGE,
            context={"sender": sender.full_name or sender.email, "text": text},
            key=f"message:{message.pk}",
        )
    return message, rows


# --- Releasing to the queue -------------------------------------------------------------------


def deliveries_release(*, now: dt.datetime) -> int:
    """Queue a send task for every row that may go out now; returns how many rows.

    Rows in doubt are reconciled first. A row whose sender stopped mid-send MAX_ATTEMPTS times
    (a worker that keeps dying on it) is recorded as failed instead of being queued again forever.
    """
    deliveries_reconcile(now=now)
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_until__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=Delivery.Status.FAILED,
        claimed_until=None,
        last_error=f"The sender stopped before finishing, {MAX_ATTEMPTS} times.",
    )
    return _release(Delivery.objects.all(), now) + _release_reminders(now)


def _release_reminders(now: dt.datetime) -> int:
    """Queue a fan-out task for every due reminder not fanned out yet and not already waiting
    in the queue (or waiting longer than NOTIFICATIONS_REQUEUE_AFTER_SECONDS: its worker died).
    The dispatch's own reminders are inserted already marked. Two queries."""
    waiting = Reminder.objects.filter(fanned_out_at__isnull=True, due_at__lte=now)
    waiting.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - _requeue_after())).update(
        enqueued_at=now
    )
    # As text from PostgreSQL: no UUID or datetime objects for tens of thousands of keys.
    keys = list(
        waiting.filter(enqueued_at=now)
        .order_by("due_at")
        .values_list(Cast("patient_id", TextField()), "kind", Cast("due_at", TextField()))
    )
    if keys:
        transaction.on_commit(lambda: publish_sends(keys, reminders=True))
    return len(keys)


IN_DOUBT = (
    "The sender stopped after handing it to the provider and before recording the answer, so "
    "it may have gone out. Not sent again, so that nobody gets it twice: send it again if it "
    "did not arrive."
)


def deliveries_reconcile(*, now: dt.datetime) -> dict:
    """Settle the rows whose sender died between handing them to the provider and recording
    the answer (`Delivery.objects.in_doubt`). Nobody can tell whether they went out.

    Where the provider drops a repeat of the same key (`channels.resend_window`) and the first
    hand-over is recent enough, the row is queued again and repeated with the same key. Every
    other row (SMTP, most e-mail APIs, SMS) is recorded as `unknown` and listed for clinic
    admins, who may send it again: at most one copy, never two without a person deciding.
    """
    in_doubt = Delivery.objects.in_doubt(now)
    repeatable = Q(pk__in=[])
    for channel in (Channel.EMAIL, Channel.SMS):
        if (window := channels.resend_window(channel)) is not None:
            repeatable |= Q(channel=channel, handed_over_at__gt=now - window)
    repeated = in_doubt.filter(repeatable).update(
        status=Delivery.Status.QUEUED, claimed_until=None, enqueued_at=None
    )
    unknown = in_doubt.update(
        status=Delivery.Status.UNKNOWN, claimed_until=None, last_error=IN_DOUBT
    )
    if unknown:
        log.warning("%d deliveries may or may not have gone out; listed for clinic admins", unknown)
    return {"repeated": repeated, "unknown": unknown}


def _release(rows, now: dt.datetime) -> int:
    """Mark the releasable rows among `rows` with `enqueued_at=now`, then queue every row so
    marked (the planner inserts rows that are due at once already marked, which spares an
    UPDATE of each new row). Two queries, however many rows."""
    rows.releasable(now, requeue_after=_requeue_after()).update(enqueued_at=now)
    ids = list(
        rows.filter(enqueued_at=now, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])
        .order_by("send_after")
        .values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: publish_sends(ids))
    return len(ids)


def publish_sends(ids: list, *, reminders: bool = False) -> None:
    """Put the rows on the broker, SEND_BATCH ids to a task (`reminders`: they are the keys
    of reminders to fan out first).

    Runs after the commit. If the broker cannot be reached the rows are still safe in the
    ledger, marked as queued for sending: the next dispatch queues them again once
    NOTIFICATIONS_REQUEUE_AFTER_SECONDS have passed. So the error is logged, and the request or
    job that committed them does not fail for it.
    """
    from notifications.tasks import deliveries_send, reminders_send

    task = reminders_send if reminders else deliveries_send
    try:
        with task.app.producer_or_acquire() as producer:
            for batch in batches(ids, SEND_BATCH):
                task.apply_async((batch,), producer=producer)
    except OperationalError:
        log.exception("Broker unreachable: %d deliveries wait for the next dispatch", len(ids))


# --- Sending ----------------------------------------------------------------------------------


def delivery_send(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Claim the row, send it if that is still right, record the outcome; returns the outcome.

    Raises channels.TransientError (after putting the row back in the queue) when the provider
    could not take it now, so the task retries with backoff; the last attempt records a failure.
    """
    now = now or timezone.now()
    attempt = _claim(delivery_id, now)
    if attempt is None:
        return "not claimed"  # sent, skipped or being sent by someone else: nothing to do
    delivery = Delivery.objects.select_related(
        "clinic", "patient__clinic", "patient__reminder_preference", "intake_link__clinic"
    ).get(pk=delivery_id)
    if reason := skip_reason(delivery, now):
        _settle(delivery, attempt, status=Delivery.Status.SKIPPED, reason=reason)
        return "skipped"
    if (later := _quiet_until(delivery, now)) is not None:
        _settle(
            delivery,
            attempt,
            status=Delivery.Status.QUEUED,
            send_after=later,
            enqueued_at=None,
            attempts=attempt - 1,
        )
        return "deferred"
    if delivery.kind == Kind.SESSIONS_TODAY:  # what is left of the day's plan, as sent
        day = local_date(delivery.due_at, zone_named(delivery.patient.time_zone))
        delivery.context = {**delivery.context, "sessions": sessions_left(delivery.patient, day)[0]}
    message = None if delivery.intake_link_id else messages.compose(delivery)
    try:
        if not _hand_over(delivery, attempt, message, now):
            return "not claimed"
    except channels.PermanentError as error:
        _settle(delivery, attempt, status=Delivery.Status.FAILED, last_error=str(error)[:2000])
        return "failed"
    except channels.TransientError as error:
        if attempt >= MAX_ATTEMPTS:
            _settle(
                delivery,
                attempt,
                status=Delivery.Status.FAILED,
                last_error=f"Gave up after {attempt} attempts: {error}"[:2000],
            )
            return "failed"
        _settle(
            delivery,
            attempt,
            status=Delivery.Status.QUEUED,
            last_error=str(error)[:2000],
            enqueued_at=now,  # the task's own retry sends it; the release need not
        )
        raise
    return "sent"


def _hand_over(delivery: Delivery, attempt: int, message, now: dt.datetime) -> bool:
    """Send through the channel and record it sent; False if the claim was lost meanwhile.

    An in-app notice is a row in our database, written in the transaction that marks the
    delivery sent: it exists once or not at all. An e-mail or SMS leaves the database, so the
    row is first committed as handed over (its own statement, before any network call). A
    worker that dies from there to the `sent` commit leaves a row in doubt, which
    `deliveries_reconcile` settles instead of sending it again blindly.
    """
    if not channels.hands_over(delivery):
        with transaction.atomic():
            provider_id = channels.send(delivery, message)
            _settle(
                delivery, attempt, status=Delivery.Status.SENT, sent_at=now, provider_id=provider_id
            )
        return True
    marked = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, attempts=attempt
    ).update(handed_over_at=Coalesce("handed_over_at", now))  # a repeat keeps the first
    if not marked:
        return False
    provider_id = channels.send(delivery, message)
    # From the provider's "accepted" to this commit nothing else happens: a worker dying in
    # between leaves the row in doubt (docs/reminders.md).
    with transaction.atomic():
        _settle(
            delivery, attempt, status=Delivery.Status.SENT, sent_at=now, provider_id=provider_id
        )
        if delivery.kind == Kind.INTAKE_EXPIRY:
            IntakeLink.objects.filter(pk=delivery.intake_link_id).update(reminded_at=now)
    return True


def _claim(delivery_id: int, now: dt.datetime) -> int | None:
    """Take the row for this sender with one conditional UPDATE; returns the attempt number.

    Only one of any number of workers (or retries of one task) gets a row: the UPDATE matches a
    row that is queued and due, or whose previous sender's lease ran out before it handed the
    message over (a row handed over is in doubt: reconciled, not claimed).
    """
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.QUEUED, send_after__lte=now)
            | Q(
                status=Delivery.Status.SENDING,
                claimed_until__lt=now,
                handed_over_at__isnull=True,
            )
        )
        .update(
            status=Delivery.Status.SENDING,
            claimed_until=now + _lease(),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).get()


def _settle(delivery: Delivery, attempt: int, **fields) -> None:
    """Record the outcome of the claim numbered `attempt` (a later claim's outcome wins)."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, attempts=attempt
    ).update(claimed_until=None, **fields)
    if not updated:
        log.warning("Delivery %s: claim %s was overtaken by a later one", delivery.pk, attempt)


def skip_reason(delivery: Delivery, now: dt.datetime) -> str:
    """Why this delivery must not go out now ("" if it may), checked just before sending."""
    if now > delivery.deadline:
        return "too late to be useful"
    if delivery.intake_link_id:
        return _intake_skip_reason(delivery)
    patient = delivery.patient
    preference = ReminderPreference.of(patient)
    if reason := reminders_allowed(patient, preference):
        return reason
    if KIND_RULES[delivery.kind].to_therapist:
        return "logged again" if _logged_since(delivery) else ""
    if delivery.channel not in preference.channels():
        return f"{delivery.get_channel_display().lower()} turned off or no address"
    day = local_date(delivery.due_at, zone_named(patient.time_zone))
    if KIND_RULES[delivery.kind].reminder and preference.is_paused(day):
        return f"paused until {preference.paused_until.isoformat()}"
    if delivery.kind == Kind.VISIT_REMINDER:
        return _visit_skip_reason(delivery, now)
    return _already_done(delivery, day)


def _intake_skip_reason(delivery: Delivery) -> str:
    """The invitation is the clinic's own request, sent once whatever the runner's reminder
    settings; the reminder before the link expires stops after an unsubscribe."""
    link = delivery.intake_link
    if link.status != "open":
        return f"link {link.status}"
    if delivery.kind == Kind.INTAKE_INVITATION:
        return ""
    if link.reminded_at is not None:
        return "already reminded"
    if delivery.patient and ReminderPreference.of(delivery.patient).opted_out_at:
        return "unsubscribed"
    return ""


def _already_done(delivery: Delivery, day: dt.date) -> str:
    if delivery.kind == Kind.SESSIONS_TODAY:
        return sessions_left(delivery.patient, day)[1]
    logs = delivery.patient.daily_logs
    if delivery.kind == Kind.DAILY_LOG and logs.filter(date=day).exists():
        return "already logged that day"
    if delivery.kind == Kind.MISSED_LOG and _logged_since(delivery):
        return "logged again"
    if (
        delivery.kind == Kind.PAIN_CHECK
        and logs.filter(date=day, morning_pain__isnull=False).exists()
    ):
        return "morning pain already logged"
    return ""


def _visit_skip_reason(delivery: Delivery, now: dt.datetime) -> str:
    """A visit reminder goes out only for a visit still booked at the time it names."""
    visit = Visit.objects.filter(pk=delivery.context.get("visit")).first()
    if visit is None:
        return "visit deleted"
    if visit.status != VisitStatus.BOOKED:
        return f"visit {visit.get_status_display().lower()}"
    if visit.reminder_key() != delivery.key:
        return "visit moved"
    if visit.starts_at <= now:
        return "visit already started"
    return ""


def sessions_left(patient: Patient, day: dt.date) -> tuple[list[str], str]:
    """The titles of the day's plan sessions not done yet, and "" (or, when there are none to
    remind of, [] and the reason). Read from the patient's Today, as they will see it."""
    from rehab.today import today_for

    view = today_for(patient, today=day)
    if view.state != "active" or view.day is None or view.day.date != day:
        return [], "no active plan that day"
    if view.day.is_rest:
        return [], "rest day"
    left = [session.title for session in view.day.sessions if not session.done]
    return (left, "") if left else ([], "the day's sessions are done")


def _logged_since(delivery: Delivery) -> bool:
    since = delivery.context.get("since")
    return bool(since) and delivery.patient.daily_logs.filter(date__gt=since).exists()


def _quiet_until(delivery: Delivery, now: dt.datetime) -> dt.datetime | None:
    """When quiet hours end, if an e-mail or SMS would go out inside them now."""
    if delivery.channel not in QUIET_CHANNELS or delivery.patient is None:
        return None
    if delivery.intake_link_id:
        return None
    preference = ReminderPreference.of(delivery.patient)
    zone = zone_named(delivery.patient.time_zone)
    if not is_quiet(now, preference.quiet_start, preference.quiet_end, zone):
        return None
    return quiet_end(now, preference.quiet_start, preference.quiet_end, zone)


RETRYABLE = (Delivery.Status.FAILED, Delivery.Status.UNKNOWN)


def delivery_retry(*, delivery: Delivery) -> None:
    """Send a failed or unconfirmed delivery again: a clinic admin fixed the address or the
    provider, or found that a message whose sender died in flight never arrived."""
    now = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status__in=RETRYABLE).update(
            status=Delivery.Status.QUEUED,
            attempts=0,
            send_after=now,
            enqueued_at=None,
            handed_over_at=None,
            reason="",
        )
        if updated:
            _release(Delivery.objects.filter(pk=delivery.pk), now)


# --- Preferences and unsubscribing ------------------------------------------------------------


def preferences_save(*, patient: Patient, reminders_on: bool, values: dict) -> ReminderPreference:
    """Store the patient's choices. `reminders_on` gives consent (or withdraws it) and resumes
    reminders after an unsubscribe."""
    with transaction.atomic():
        preference = ReminderPreference.of(patient)
        for name, value in values.items():
            setattr(preference, name, value)
        if reminders_on:
            preference.opted_out_at = None
        preference.save()
        patient.set_reminder_consent(reminders_on)
        patient.save(update_fields=["reminder_consent", "reminder_consent_at"])
    return preference


def reminders_unsubscribe(*, patient: Patient) -> ReminderPreference:
    """Stop every reminder and notice to the patient (the one-click unsubscribe)."""
    preference = ReminderPreference.of(patient)
    if preference.opted_out_at is None:
        preference.opted_out_at = timezone.now()
        preference.save()
    return preference


def reminders_resume(*, patient: Patient) -> ReminderPreference:
    """Undo an unsubscribe."""
    preference = ReminderPreference.of(patient)
    if preference.opted_out_at is not None:
        preference.opted_out_at = None
        preference.save()
    return preference


# --- Clean-up ---------------------------------------------------------------------------------


def notifications_clean_up(*, now: dt.datetime) -> dict:
    """Delete settled ledger rows older than the retention period and expired or long-read
    in-app notifications. Idempotent; bounded memory (deletes in chunks)."""
    cutoff = now - dt.timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)
    settled = Delivery.objects.filter(
        status__in=[
            Delivery.Status.SENT,
            Delivery.Status.SKIPPED,
            Delivery.Status.FAILED,
            Delivery.Status.UNKNOWN,
        ],
        due_at__lt=cutoff,
    )
    deliveries = 0
    while ids := list(settled.values_list("pk", flat=True)[:CHUNK]):
        with transaction.atomic():
            Notification.objects.filter(delivery_id__in=ids).update(delivery=None)
            deliveries += Delivery.objects.filter(pk__in=ids).delete()[0]
    notifications, _ = Notification.objects.filter(
        Q(expires_at__lt=now) | Q(read_at__lt=cutoff)
    ).delete()
    # Past the catch-up window the ledger rows hold what was sent; the reminders are spent.
    reminders, _ = Reminder.objects.filter(due_at__lt=now - REMINDERS_KEEP).delete()
    return {"deliveries": deliveries, "notifications": notifications, "reminders": reminders}
