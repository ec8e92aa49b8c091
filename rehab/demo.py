"""Demo daily logs and alerts. Idempotent: each run replaces the demo patients' logs and alerts.

Plans come from `rehab.demo_plans`, between the logs and the alerts.

Maya Chen (the demo patient login) has eight weeks of logs written as a story — cross-training,
a missed weekend, a graded walk-run, a week that went too far, a step back, a careful restart —
that raises every alert rule at least once (running on a day her plan said no running among them,
once her plan is replayed over it in `rehab.demo_plans`). The other
demo patients get varied, seeded histories: steady, struggling, lapsed, new, or none at all.
"""

import dataclasses
import datetime as dt
import random
import uuid
from collections.abc import Iterable

from django.utils import timezone

from clinic.models import Clinic, Patient, User
from rehab import services
from rehab.models import (
    Activity,
    Alert,
    AlertOccurrence,
    DailyLog,
    LogRevision,
    patient_today,
    patient_zone,
)
from rehab.rules import load

DEMO_PATIENT_ID = uuid.uuid5(uuid.UUID("5f0c1a52-6f1e-4d7b-9a53-0c8f4f1e2b77"), "demo-patient")
HISTORY_DAYS = 56
OPEN_FOR_DAYS = 7  # alerts about older days were acknowledged by the therapist in the story
REVIEW_WEEKDAYS = (0,)  # Maya's therapist reviews her alerts on Monday mornings


@dataclasses.dataclass(frozen=True)
class Day:
    """One day of a demo story; distances in the patient's unit."""

    offset: int  # days before today
    pain: int
    morning: int | None = None
    during: int | None = None
    activities: tuple[tuple, ...] = ()  # (kind, distance, minutes, rpe)
    swelling: bool = False
    limp: bool = False
    notes: str = ""


def _maya_story() -> list[Day]:
    """Eight weeks, oldest first; the days she did not log are simply missing."""
    cross = ("deep_water_running", None, 35, 5)
    bike = ("cycling", None, 40, 5)
    strength = ("strength", None, 30, 6)
    rest = ("rest", None, None, None)

    def walk(miles, minutes):
        return ("walk", miles, minutes, 3)

    def walk_run(miles, minutes, rpe=5):
        return ("walk_run", miles, minutes, rpe)

    days = [
        # Weeks 1–2: protect and cross-train. Morning pain 1–2 sets her baseline (median 1).
        Day(55, 3, 1, 2, (walk(1.0, 25),), notes="Boot off since Friday. Sore by evening."),
        Day(54, 3, 1, 2, (cross,)),
        Day(53, 2, 2, 2, (strength, walk(1.0, 20))),
        Day(52, 2, 1, 1, (bike,)),
        Day(51, 2, 1, None, (rest,)),
        Day(50, 2, 1, 1, (cross, strength)),
        Day(49, 2, 1, 1, (walk(1.5, 30),)),
        Day(48, 2, 1, 1, (bike,)),
        Day(47, 1, 1, 1, (strength, walk(1.5, 30))),
        Day(46, 1, 1, 1, (cross,)),
        Day(45, 1, 0, None, (rest,)),
        Day(44, 1, 1, 1, (walk(2.0, 38),)),
        Day(43, 1, 1, 1, (bike, strength)),
        Day(42, 1, 0, 1, (walk(2.0, 36),)),
        # Week 3: pain-free walking; a weekend away with no logs (the no-log rule).
        Day(41, 1, 0, 0, (walk(2.5, 45), strength)),
        Day(40, 1, 1, 1, (cross,)),
        Day(39, 0, 0, 0, (walk(3.0, 52),)),
        Day(38, 1, 0, None, (rest,)),
        # 37, 36, 35: away, nothing logged.
        # Week 4: walk-run starts, every other day.
        Day(34, 1, 1, 1, (walk_run(1.5, 30),), notes="First jog steps in 7 weeks!"),
        Day(33, 1, 1, None, (strength, bike)),
        Day(32, 1, 1, 2, (walk_run(1.5, 30),)),
        Day(31, 1, 1, None, (cross,)),
        Day(30, 1, 1, 2, (walk_run(1.8, 32),)),
        Day(29, 1, 1, None, (rest,)),
        # Week 5: longer intervals; each longer walk-run is above her 30-day longest.
        Day(28, 1, 1, 2, (walk_run(2.0, 34),)),
        Day(27, 1, 1, None, (strength, bike)),
        Day(26, 1, 1, 2, (walk_run(2.0, 33),)),
        Day(25, 1, 1, None, (cross,)),
        Day(24, 1, 1, 2, (walk_run(2.2, 35),)),
        Day(23, 1, 1, None, (rest,)),
        # Week 6: too much, too soon — weekly distance up, pain rising, a long run, pain 5.
        Day(22, 1, 1, 2, (walk_run(2.5, 36),)),
        Day(21, 2, 1, 3, (walk_run(2.8, 40, 6),), notes="Felt great, kept going a bit."),
        Day(20, 3, 2, 3, (walk_run(2.8, 40, 6),)),
        Day(19, 4, 2, 4, (walk_run(3.5, 48, 7),), swelling=True, notes="Ache over the shin."),
        Day(18, 5, 4, 5, (walk(1.0, 20),), swelling=True, limp=True, notes="Limping after work."),
        # Week 7: stepped back to cross-training on the therapist's advice.
        Day(17, 3, 3, None, (cross,)),
        Day(16, 2, 2, 2, (bike, strength)),
        Day(15, 2, 2, None, (rest,)),
        Day(14, 2, 1, 1, (cross,)),
        Day(13, 1, 1, 1, (walk(2.0, 35), strength)),
        Day(12, 1, 1, None, (cross,)),
        Day(11, 1, 1, 1, (walk(2.5, 42),)),
        # Week 8: a careful restart of walk-run; pain creeping up again in the last few days.
        Day(10, 1, 1, 1, (walk_run(1.5, 30),), notes="Back to the short intervals."),
        Day(9, 1, 1, None, (strength,)),
        Day(8, 1, 1, 1, (walk_run(1.8, 32),)),
        Day(7, 1, 1, None, (bike,)),
        Day(6, 1, 1, 2, (walk_run(2.0, 34),)),
        Day(5, 1, 1, None, (rest,)),
        Day(4, 1, 1, 2, (walk_run(2.0, 33),)),
        Day(3, 1, 1, None, (cross, strength)),
        Day(2, 1, 1, 2, (walk_run(2.2, 35),)),
        Day(1, 2, 1, 5, (walk_run(2.2, 36, 6),), notes="Sharp twinge at the end of the last jog."),
        # Today is left for the demo visitor to log.
    ]
    return days


def seed(clinics: Iterable[Clinic]) -> dict:
    """Replace the logs, plans and alerts of every patient of the demo `clinics`. Call in a
    transaction."""
    clinics = list(clinics)
    rng = random.Random(20261125)  # noqa: S311 - reproducible demo data, not security
    patients = list(
        Patient.objects.filter(clinic__in=list(clinics))
        .select_related("clinic", "user", "therapist")
        .order_by("clinic__slug", "pk")
    )
    Alert.objects.filter(patient__in=patients).delete()
    LogRevision.objects.filter(patient__in=patients).delete()
    DailyLog.objects.filter(patient__in=patients).delete()
    counts = {"logs": 0, "alerts": 0}
    stories = {}
    for index, patient in enumerate(patients):
        if patient.pk == DEMO_PATIENT_ID:
            stories[patient.pk] = _maya_story()
            _backdate_account(patient)
            continue  # her logs are written day by day as her plan is replayed
        stories[patient.pk] = _story_for(patient, index, rng)
        counts["logs"] += _write_logs(patient, stories[patient.pk])
    # Plans next (Maya's replayed over her days), so the alerts see what each plan allowed.
    from rehab import demo_plans

    counts.update(demo_plans.seed(clinics, stories))
    counts["logs"] += len(stories.get(DEMO_PATIENT_ID, []))
    for patient in patients:
        counts["alerts"] += _raise_alerts(patient, stories[patient.pk])
    return counts


def _backdate_account(patient: Patient) -> None:
    """Maya has had her account as long as she has been in care."""
    User.objects.filter(pk=patient.user_id).update(date_joined=patient.created_at)
    patient.user.date_joined = patient.created_at


KINDS = ["cross_training", "walk_run", "struggling", "walk_run", "lapsed", "new", "none"]
CROSS_DAYS = [
    ("cycling", None, 40, 5),
    ("deep_water_running", None, 30, 5),
    ("strength", None, 30, 6),
    ("walk", 2.0, 35, 3),
    ("rest", None, None, None),
]


def _story_for(patient: Patient, index: int, rng: random.Random) -> list[Day]:
    """A seeded history for another demo patient: one of a clinic's usual kinds of runner.

    Cross-training only with little pain; a walk-run that adds distance every second week;
    struggling with pain of 3–6; lapsed (stopped logging days ago); new (a few days); or none.
    """
    kind = KINDS[index % len(KINDS)]
    if kind == "none" or patient.discharged_at is not None:
        return []
    today = patient_today(patient)
    in_care = (today - patient.created_at.astimezone(patient_zone(patient)).date()).days
    first = min(HISTORY_DAYS - 1, in_care)
    if kind == "new":
        first = min(first, rng.randint(2, 6))
    last = rng.randint(4, 12) if kind == "lapsed" else rng.choice([0, 1, 1, 1])
    base_pain = {"struggling": 4, "cross_training": 1}.get(kind, 1)
    distance = round(rng.uniform(1.0, 2.0), 1)
    days = []
    for offset in range(first, last - 1, -1):
        if kind != "new" and rng.random() < 0.1:
            continue  # a missed day now and then
        weekday = (today - dt.timedelta(days=offset)).weekday()
        runs = kind in ("walk_run", "struggling", "lapsed") and weekday in (0, 2, 4)
        if runs and weekday == 0 and offset % 14 < 7:
            distance = round(distance * 1.15, 1)  # a planned step up, every second week
        pain = max(0, min(8, base_pain + rng.choice([-1, 0, 0, 0, 1])))
        if runs:
            activities = (("walk_run" if distance < 3 else "run", distance, 30, 5),)
        else:
            activities = (rng.choice(CROSS_DAYS),)
        days.append(
            Day(
                offset,
                pain,
                max(0, pain - rng.choice([0, 1])),
                pain if runs else None,
                activities,
                swelling=pain >= 5 and rng.random() < 0.4,
            )
        )
    return days


def write_logs(patient: Patient, story: list[Day]) -> int:
    """Write these demo days as the patient's logs, with a "logged" revision each."""
    return _write_logs(patient, story)


def _write_logs(patient: Patient, story: list[Day]) -> int:
    today = patient_today(patient)
    unit = patient.distance_unit
    logs, activities = [], []
    for day in story:
        log = DailyLog(
            patient=patient,
            date=today - dt.timedelta(days=day.offset),
            site_pain=day.pain,
            morning_pain=day.morning,
            activity_pain=day.during,
            swelling=day.swelling,
            limp=day.limp,
            notes=day.notes,
        )
        logs.append(log)
        for position, (kind, distance, minutes, rpe) in enumerate(day.activities):
            metres = load.from_display(distance, unit) if distance is not None else None
            activities.append(
                Activity(
                    log=log,
                    position=position,
                    kind=kind,
                    distance_m=metres,
                    duration_min=minutes,
                    rpe=rpe,
                )
            )
    DailyLog.objects.bulk_create(logs)
    Activity.objects.bulk_create(activities)
    _write_history(patient, logs)
    return len(logs)


def _write_history(patient: Patient, logs: list[DailyLog]) -> None:
    """A "logged" revision for every day, at a plausible evening hour, by the patient."""
    zone = patient_zone(patient)
    revisions = []
    written = DailyLog.objects.filter(pk__in=[log.pk for log in logs])
    for log in written.prefetch_related("activities"):
        at = dt.datetime.combine(log.date, dt.time(20, 15), tzinfo=zone)
        revisions.append(
            LogRevision(
                patient=patient,
                log=log,
                log_date=log.date,
                action="create",
                changed_by=patient.user,
                changed_at=at,
                before=None,
                after=log.snapshot(),
            )
        )
    LogRevision.objects.bulk_create(revisions)


def _raise_alerts(patient: Patient, story: list[Day]) -> int:
    """Raise the alerts the history calls for, as the nightly job would have, with the
    therapist's reviews along the way.

    Maya's history is evaluated night by night and her therapist reviews her alerts on Monday
    mornings, until the last week: so each rule shows as a few grouped alerts (the occurrences
    of one week each), and the last week's are open. The other demo
    patients get one evaluation over their whole history; their alerts about days older than a
    week were reviewed.
    """
    if not story:
        return 0
    today = patient_today(patient)
    first = today - dt.timedelta(days=max(day.offset for day in story))
    zone = patient_zone(patient)
    review_until = today - dt.timedelta(days=OPEN_FOR_DAYS)
    if patient.pk == DEMO_PATIENT_ID:
        for night in range((today - first).days + 1):
            day = first + dt.timedelta(days=night)
            if day < review_until and day.weekday() in REVIEW_WEEKDAYS:  # in the morning
                _review(patient, before=day, on=day, zone=zone)
            services.alerts_evaluate(patient, today=day, since=day)  # the nightly run
    services.alerts_evaluate(patient, today=today, since=first)
    _review(patient, before=review_until, on=None, zone=zone)
    _backdate_alerts(patient, zone)
    services.patient_signals_refresh(patient.pk)  # the reviews above bypass the services
    return patient.alerts.count()


def _review(patient: Patient, *, before: dt.date, on: dt.date | None, zone) -> None:
    """The therapist acknowledges the open alerts whose latest day is before `before`, on the
    morning of `on` (else the morning after that latest day)."""
    alerts = list(patient.alerts.unacknowledged().filter(last_date__lt=before))
    for alert in alerts:
        day = on or alert.last_date + dt.timedelta(days=1)
        alert.acknowledged_at = dt.datetime.combine(day, dt.time(9, 30), tzinfo=zone)
        alert.acknowledged_by = patient.therapist
        alert.acknowledgement_reason, alert.acknowledgement_note = ACK_REASONS.get(
            alert.rule, ("spoke_to_runner", "Reviewed.")
        )
    Alert.objects.bulk_update(
        alerts,
        ["acknowledged_at", "acknowledged_by", "acknowledgement_reason", "acknowledgement_note"],
    )


def _backdate_alerts(patient: Patient, zone) -> None:
    """Each occurrence recorded the evening of its latest day; alerts raised by their first."""

    def evening(day: dt.date) -> dt.datetime:
        return min(dt.datetime.combine(day, dt.time(21, 0), tzinfo=zone), timezone.now())

    occurrences = list(AlertOccurrence.objects.filter(patient=patient))
    for occurrence in occurrences:
        occurrence.recorded_at = evening(occurrence.last_date)
    AlertOccurrence.objects.bulk_update(occurrences, ["recorded_at"])
    alerts = list(patient.alerts.all())
    for alert in alerts:
        alert.raised_at = evening(alert.first_date)
        alert.refreshed_at = evening(alert.last_date)
        if alert.acknowledged_at is not None:
            alert.acknowledged_at = max(alert.acknowledged_at, alert.refreshed_at)
    Alert.objects.bulk_update(alerts, ["raised_at", "refreshed_at", "acknowledged_at"])


ACK_REASONS = {
    "site_pain_high": ("plan_adjusted", "Called: stepped back to cross-training for a week."),
    "morning_pain_above_baseline": (
        "spoke_to_runner",
        "Discussed at the visit; holding the current step.",
    ),
    "pain_rising": ("spoke_to_runner", "Asked to keep walk-run days apart and ice after."),
    "run_longer_than_recent_longest": (
        "expected",
        "Planned progression; watching the next morning's pain.",
    ),
    "weekly_distance_increase": (
        "spoke_to_runner",
        "Reminded to add distance before speed, 10% a week at most.",
    ),
    "running_not_allowed": ("spoke_to_runner", "Went over which days are running days."),
    "no_log": ("other", "Away for the weekend; logging again."),
    "plan_stopped": ("plan_adjusted", "Seen in clinic; restarting at the first walk-run step."),
}
