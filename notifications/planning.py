"""Which reminders fall due for one patient in a window of time: pure rules over plain facts.

The planner (`notifications.services.reminders_plan`) loads facts for thousands of patients in a
few queries, asks `due_reminders` for each, and inserts the answers into the ledger. Nothing here
touches the database, so each rule is tested on plain data.

Rules (RULES_VERSION 1):
- Daily log: every day at the patient's daily time, unless that day is already logged or paused.
- Missed-log nudge: once per silence, on the third day after the last log (two whole days without
  one), at the daily time; it replaces that day's daily reminder.
- Therapist notice: once per silence, on the fourth day after the last log (three whole days
  without one), at 08:00 in the clinic's zone, in the therapist's in-app list.
- Next-morning pain check: at the morning time, the day after a day with running in the log,
  unless this morning's pain is already logged. The bone's response shows the morning after.
- Before the first log, the silence counts from the day before logging was first expected.
- Today's sessions: at the morning time, every day of an active rehab plan from its start. The
  sender drops it on a rest day or once the day's sessions are done (`rehab.today` knows the
  day's sessions; working them out for every patient here would cost queries per patient).
- Follow-up visit: at the daily time on the local day before the visit, once per visit and
  start time (`visit_reminder_moment`). The sender drops it if the visit was cancelled or moved.
"""

import datetime as dt
from dataclasses import dataclass, field

from notifications.schedule import daily_moments, days_touching, local_date, local_moment

RULES_VERSION = "2"

DAILY_LOG = "daily_log"
SESSIONS_TODAY = "sessions_today"
MISSED_LOG = "missed_log"
PAIN_CHECK = "pain_check"
MISSED_LOGS_THERAPIST = "missed_logs_therapist"
VISIT_REMINDER = "visit_reminder"
KINDS = (DAILY_LOG, SESSIONS_TODAY, MISSED_LOG, PAIN_CHECK, MISSED_LOGS_THERAPIST)

# The nudge replaces the day's reminder: one evening reminder per patient and moment, either kind.
EVENING_KINDS = (DAILY_LOG, MISSED_LOG)

NUDGE_AFTER_DAYS = 2  # whole days without a log before the patient is nudged
THERAPIST_AFTER_DAYS = 3  # ... and before the therapist hears of it
THERAPIST_NOTICE_TIME = dt.time(8, 0)  # clinic time: when the day's caseload is read


@dataclass(frozen=True)
class PatientFacts:
    zone: dt.tzinfo
    clinic_zone: dt.tzinfo
    daily_time: dt.time
    morning_time: dt.time
    logging_since: dt.date  # the first day a log was expected
    last_log: dt.date | None = None
    paused_until: dt.date | None = None
    logged_days: frozenset[dt.date] = field(default_factory=frozenset)
    ran_days: frozenset[dt.date] = field(default_factory=frozenset)
    morning_logged: frozenset[dt.date] = field(default_factory=frozenset)
    plan_from: dt.date | None = None  # the start of the patient's active rehab plan, if any

    @property
    def silence_since(self) -> dt.date:
        """The last day the patient is not missing: their last log, or the day before logging
        was first expected."""
        return self.last_log or self.logging_since - dt.timedelta(days=1)

    def is_paused(self, day: dt.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


@dataclass(frozen=True)
class Due:
    kind: str
    due_at: dt.datetime
    context: dict = field(default_factory=dict)


def due_reminders(facts: PatientFacts, *, after: dt.datetime, until: dt.datetime) -> list[Due]:
    """Every reminder for this patient whose due moment lies in (after, until]."""
    return [
        *_evening(facts, after, until),
        *_morning(facts, after, until),
        *_sessions(facts, after, until),
        *_therapist(facts, after, until),
    ]


def _evening(facts: PatientFacts, after: dt.datetime, until: dt.datetime) -> list[Due]:
    found = []
    nudge_day = facts.silence_since + dt.timedelta(days=NUDGE_AFTER_DAYS + 1)
    for moment in daily_moments(facts.daily_time, facts.zone, after=after, until=until):
        day = local_date(moment, facts.zone)
        if facts.is_paused(day) or day in facts.logged_days:
            continue
        if day == nudge_day:
            since = facts.silence_since.isoformat()
            found.append(Due(MISSED_LOG, moment, {"since": since, "days": NUDGE_AFTER_DAYS}))
        else:
            found.append(Due(DAILY_LOG, moment, {"day": day.isoformat()}))
    return found


def _morning(facts: PatientFacts, after: dt.datetime, until: dt.datetime) -> list[Due]:
    found = []
    for moment in daily_moments(facts.morning_time, facts.zone, after=after, until=until):
        day = local_date(moment, facts.zone)
        ran_on = day - dt.timedelta(days=1)
        if facts.is_paused(day) or ran_on not in facts.ran_days or day in facts.morning_logged:
            continue
        context = {"day": day.isoformat(), "ran_on": ran_on.isoformat()}
        found.append(Due(PAIN_CHECK, moment, context))
    return found


def _sessions(facts: PatientFacts, after: dt.datetime, until: dt.datetime) -> list[Due]:
    if facts.plan_from is None:
        return []
    found = []
    for moment in daily_moments(facts.morning_time, facts.zone, after=after, until=until):
        day = local_date(moment, facts.zone)
        if day >= facts.plan_from and not facts.is_paused(day):
            found.append(Due(SESSIONS_TODAY, moment, {"day": day.isoformat()}))
    return found


def _therapist(facts: PatientFacts, after: dt.datetime, until: dt.datetime) -> list[Due]:
    day = facts.silence_since + dt.timedelta(days=THERAPIST_AFTER_DAYS + 1)
    moment = local_moment(day, THERAPIST_NOTICE_TIME, facts.clinic_zone)
    # Planned whether or not the patient has a therapist: sent to the clinic's inbox then.
    if not (after < moment <= until):
        return []
    if facts.is_paused(day - dt.timedelta(days=1)):
        return []
    since = facts.silence_since.isoformat()
    return [Due(MISSED_LOGS_THERAPIST, moment, {"since": since, "days": THERAPIST_AFTER_DAYS})]


def rivals(kind: str) -> tuple[str, ...]:
    """The kinds that, once planned for a moment, stand for `kind` at that moment: the evening
    reminder is planned once, as the daily reminder or as the nudge, whichever it was then."""
    return EVENING_KINDS if kind in EVENING_KINDS else (kind,)


def visit_reminder_moment(starts_at: dt.datetime, zone: dt.tzinfo, at: dt.time) -> dt.datetime:
    """When a visit is reminded: wall-clock `at` (the patient's daily reminder time) on the
    local day before the visit starts, in the patient's zone."""
    return local_moment(local_date(starts_at, zone) - dt.timedelta(days=1), at, zone)


# --- Set-based planning ------------------------------------------------------------------------
# The same rules for many patients at once: the wall-clock instants are worked out here, once per
# distinct zone and time; PostgreSQL compares them with each patient's logs and plan
# (`notifications.planning_sql`).


@dataclass(frozen=True)
class Slot:
    """One wall-clock time in one zone whose instant falls in the window.

    `since_from`/`since_until`: the instants of the local day in the patient's zone on which a
    patient who never logged must have started logging for `day` to be the rule's silent day
    (the nudge's or the therapist notice's); a patient with logs is compared by date instead.
    """

    zone: str  # the patient's zone, as stored
    at: dt.time
    moment: dt.datetime
    day: dt.date
    since_from: dt.datetime
    since_until: dt.datetime
    clinic_zone: str = ""  # the therapist notice's: the clinic's zone, which sets its moment


def day_span(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants whose local date in `zone` is `day`: [start, end)."""
    return local_moment(day, dt.time(0), zone), local_moment(
        day + dt.timedelta(days=1), dt.time(0), zone
    )


def daily_slots(pairs, zone_named, *, after: dt.datetime, until: dt.datetime) -> list[Slot]:
    """The slots of the distinct (zone name, daily or morning time) `pairs` in (after, until];
    their `since_*` span is the nudge's (a morning's is not used)."""
    found = []
    for name, at in pairs:
        zone = zone_named(name)
        for moment in daily_moments(at, zone, after=after, until=until):
            day = local_date(moment, zone)
            start, end = day_span(day - dt.timedelta(days=NUDGE_AFTER_DAYS), zone)
            found.append(Slot(name, at, moment, day, start, end))
    return found


def therapist_slots(pairs, zone_named, *, after: dt.datetime, until: dt.datetime) -> list[Slot]:
    """The therapist notice's slots for the distinct (clinic zone name, patient zone name)
    `pairs`: 08:00 clinic time on each day whose moment falls in (after, until]."""
    found = []
    for clinic_name, name in pairs:
        clinic_zone, zone = zone_named(clinic_name), zone_named(name)
        for day in days_touching(after, until, clinic_zone):
            moment = local_moment(day, THERAPIST_NOTICE_TIME, clinic_zone)
            if after < moment <= until:
                start, end = day_span(day - dt.timedelta(days=THERAPIST_AFTER_DAYS), zone)
                at = THERAPIST_NOTICE_TIME
                found.append(Slot(name, at, moment, day, start, end, clinic_zone=clinic_name))
    return found
