"""The planner's rules for every patient at once, as one INSERT … SELECT (PostgreSQL).

`notifications.planning` states the rules for one patient; `notifications.services` runs them in
Python chunk by chunk on SQLite. Here the same rules are one statement: Python works out the
due instants once per distinct (zone, local time) with `notifications.planning`'s own schedule
functions (so daylight saving, gaps and folds are exactly the pure rules'), and PostgreSQL joins
those instants with the patients, their preferences, logs and plans and inserts the reminders
that are not planned yet. Planners take turns on an advisory lock, and the primary key refuses
a reminder twice whatever happens. PostgreSQL never converts a time zone itself: every local
date it compares is a date column or a span of instants worked out here.

`notifications/tests/test_planning_sql.py` runs this and the Python path on the same patients
and compares the rows.
"""

import datetime as dt
import re

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from notifications import planning
from notifications.models import DEFAULT_DAILY_TIME, DEFAULT_MORNING_TIME, Reminder
from notifications.planning import Slot
from notifications.schedule import zone_named
from rehab.models import RUNNING_KINDS, Activity, DailyLog, Plan, PlanStatus

DATE = "'YYYY-MM-DD'"
LOCK = 7_301_013  # the planner's advisory lock (any number no other code uses)


def eligible(patients):
    """The patients with what the rules read of them, the defaults filled in."""
    return patients.order_by().values(
        "id",
        "time_zone",
        clinic_zone=F("clinic__time_zone"),
        daily=Coalesce("reminder_preference__daily_time", Value(DEFAULT_DAILY_TIME)),
        morning=Coalesce("reminder_preference__morning_time", Value(DEFAULT_MORNING_TIME)),
        paused=F("reminder_preference__paused_until"),
        since=Greatest("created_at", "user__date_joined"),
    )


def reminders_insert(
    patients, *, after: dt.datetime, until: dt.datetime, enqueued_at: dt.datetime | None
) -> int:
    """Insert the reminders of `patients` due in (after, until] that the ledger does not hold
    yet; returns how many. Three queries: the distinct zones and times, the transaction's
    work_mem and lock, the insert. Call it inside a transaction (the dispatch's)."""
    rows = eligible(patients)
    combos = set(rows.values_list("time_zone", "clinic_zone", "daily", "morning").distinct())
    evening = planning.daily_slots(
        {(z, daily) for z, _, daily, _ in combos}, zone_named, after=after, until=until
    )
    morning = planning.daily_slots(
        {(z, at) for z, _, _, at in combos}, zone_named, after=after, until=until
    )
    therapist = planning.therapist_slots(
        {(clinic, z) for z, clinic, _, _ in combos}, zone_named, after=after, until=until
    )
    if not (evening or morning or therapist):
        return 0
    eligible_sql, eligible_params = rows.query.sql_with_params()
    slot_params: list = []
    evening_sql = _slots_sql(evening, slot_params)
    morning_sql = _slots_sql(morning, slot_params)
    therapist_sql = _slots_sql(therapist, slot_params)
    # The oldest log date any rule can look at: the therapist notice's last log (day - 4).
    since_day = min(s.day for s in [*evening, *morning, *therapist]) - dt.timedelta(
        days=planning.THERAPIST_AFTER_DAYS + 1
    )
    logs, activities = DailyLog._meta.db_table, Activity._meta.db_table
    reminders, plans = Reminder._meta.db_table, Plan._meta.db_table
    nudge, notice = planning.NUDGE_AFTER_DAYS + 1, planning.THERAPIST_AFTER_DAYS + 1
    # Candidates first: each patient's slots whose reminder is not planned yet, so a run with
    # nothing new reads no logs for them. `NOT IN` a hashed subplan of the window's reminders:
    # the row estimates of a join with the slots are far too low, and a nested-loop anti-join
    # chosen on them would compare every candidate with every planned reminder. The work_mem
    # holds that hash whatever the window's size.
    # Then one index range scan of each remaining patient's recent logs (dates only) decides
    # most of it; a run or a morning pain is looked up only where a log of that day exists.
    sql = f"""
        WITH eligible AS ({eligible_sql}),
        evening AS ({evening_sql}),
        morning AS ({morning_sql}),
        therapist AS ({therapist_sql}),
        planned AS MATERIALIZED (
            SELECT patient_id, kind, due_at FROM {reminders}
            WHERE due_at > %(after)s AND due_at <= %(until)s
        ),
        candidate AS MATERIALIZED (
            SELECT e.id, e.since, 'evening' AS rule, s.moment, s.day, s.since_from, s.since_until
            FROM eligible e JOIN evening s ON s.zone = e.time_zone AND s.local_time = e.daily
            WHERE (e.paused IS NULL OR s.day > e.paused)
              AND (e.id, s.moment) NOT IN (
                  SELECT patient_id, due_at FROM planned WHERE kind IN (%(daily)s, %(missed)s))
          UNION ALL
            SELECT e.id, e.since, 'morning', s.moment, s.day, s.since_from, s.since_until
            FROM eligible e JOIN morning s ON s.zone = e.time_zone AND s.local_time = e.morning
            WHERE (e.paused IS NULL OR s.day > e.paused)
              AND (e.id, s.moment) NOT IN (
                  SELECT patient_id, due_at FROM planned WHERE kind = %(pain)s)
          UNION ALL
            SELECT e.id, e.since, 'therapist', t.moment, t.day, t.since_from, t.since_until
            FROM eligible e
            JOIN therapist t ON t.clinic_zone = e.clinic_zone AND t.zone = e.time_zone
            WHERE (e.paused IS NULL OR t.day - 1 > e.paused)
              AND (e.id, t.moment) NOT IN (
                  SELECT patient_id, due_at FROM planned WHERE kind = %(therapist)s)
        ),
        recent AS MATERIALIZED (
            SELECT c.id, r.days, r.last
            FROM (SELECT DISTINCT id FROM candidate) c
            CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(l.date), '{{}}') AS days, max(l.date) AS last
                FROM {logs} l WHERE l.patient_id = c.id AND l.date >= %(since_day)s
            ) r
        ),
        silent AS (
            -- The day the silence began: the last log, or the day before logging was first
            -- expected when there was never one (only looked up where that day would match).
            SELECT c.*, r.days,
                   CASE WHEN r.last IS NOT NULL THEN r.last
                        WHEN c.since >= c.since_from AND c.since < c.since_until
                             AND NOT EXISTS (SELECT 1 FROM {logs} l WHERE l.patient_id = c.id)
                        THEN c.day - CASE c.rule WHEN 'therapist' THEN %(notice)s
                                                 ELSE %(nudge)s END
                   END AS since_day
            FROM candidate c JOIN recent r ON r.id = c.id
        ),
        due (patient_id, kind, due_at, context) AS (
            SELECT id, CASE WHEN since_day = day - %(nudge)s THEN %(missed)s ELSE %(daily)s END,
                   moment,
                   CASE WHEN since_day = day - %(nudge)s
                        THEN jsonb_build_object('since', to_char(since_day, {DATE}),
                                                'days', %(nudge)s - 1)
                        ELSE jsonb_build_object('day', to_char(day, {DATE})) END
            FROM silent WHERE rule = 'evening' AND NOT day = ANY(days)
          UNION ALL
            SELECT id, %(pain)s, moment,
                   jsonb_build_object('day', to_char(day, {DATE}),
                                      'ran_on', to_char(day - 1, {DATE}))
            FROM silent c
            WHERE rule = 'morning' AND day - 1 = ANY(days)
              AND EXISTS (SELECT 1 FROM {logs} l JOIN {activities} a ON a.log_id = l.id
                          WHERE l.patient_id = c.id AND l.date = c.day - 1
                            AND a.kind = ANY(%(running)s))
              AND NOT (day = ANY(days) AND EXISTS (
                  SELECT 1 FROM {logs} l WHERE l.patient_id = c.id AND l.date = c.day
                  AND l.morning_pain IS NOT NULL))
          UNION ALL
            SELECT id, %(therapist)s, moment,
                   jsonb_build_object('since', to_char(since_day, {DATE}), 'days', %(notice)s - 1)
            FROM silent WHERE rule = 'therapist' AND since_day = day - %(notice)s
          UNION ALL
            SELECT e.id, %(sessions)s, s.moment, jsonb_build_object('day', to_char(s.day, {DATE}))
            FROM eligible e
            JOIN morning s ON s.zone = e.time_zone AND s.local_time = e.morning
            JOIN {plans} p
              ON p.patient_id = e.id AND p.status = %(active)s AND p.start_date <= s.day
            WHERE (e.paused IS NULL OR s.day > e.paused)
              AND (e.id, s.moment) NOT IN (
                  SELECT patient_id, due_at FROM planned WHERE kind = %(sessions)s)
        )
        INSERT INTO {reminders} (patient_id, kind, due_at, context, created_at, enqueued_at)
        SELECT patient_id, kind, due_at, context, %(created)s, %(enqueued)s FROM due
    """  # noqa: S608 # nosec B608 - table names from the models' meta, values as parameters
    params = {
        "after": after,
        "until": until,
        "since_day": since_day,
        "daily": planning.DAILY_LOG,
        "missed": planning.MISSED_LOG,
        "pain": planning.PAIN_CHECK,
        "sessions": planning.SESSIONS_TODAY,
        "therapist": planning.MISSED_LOGS_THERAPIST,
        "nudge": nudge,
        "notice": notice,
        "running": list(RUNNING_KINDS),
        "active": PlanStatus.ACTIVE.value,
        "created": timezone.now(),
        "enqueued": enqueued_at,
    }
    # Django compiles the eligible patients and the slots with positional placeholders; name
    # them too, so that one statement takes one mapping.
    positional = [*eligible_params, *slot_params]
    for n, value in enumerate(positional):
        params[f"p{n}"] = value
    counter = iter(range(len(positional)))
    head, rest = sql.split("planned AS MATERIALIZED", 1)
    head = re.sub(r"(?<!%)%s", lambda _: f"%(p{next(counter)})s", head)
    with connection.cursor() as cursor:
        # Planners take turns (the lock is held to the end of the dispatch's transaction), so
        # the insert needs no ON CONFLICT, which would double its cost: the primary key still
        # refuses a duplicate, failing that dispatch rather than planning a reminder twice.
        cursor.execute(f"SET LOCAL work_mem = '256MB'; SELECT pg_advisory_xact_lock({LOCK})")
        cursor.execute(head + "planned AS MATERIALIZED" + rest, params)
        return cursor.rowcount


def _slots_sql(slots: list[Slot], params: list) -> str:
    """A VALUES list of the slots (typed; an empty one when there are none), its values
    appended to `params`."""
    columns = "zone, clinic_zone, local_time, moment, day, since_from, since_until"
    if not slots:
        return (
            "SELECT NULL::text AS zone, NULL::text AS clinic_zone, NULL::time AS local_time, "
            "NULL::timestamptz AS moment, NULL::date AS day, NULL::timestamptz AS since_from, "
            "NULL::timestamptz AS since_until WHERE false"
        )
    row = (
        "(%s::text, %s::text, %s::time, "
        "%s::timestamptz, %s::date, %s::timestamptz, %s::timestamptz)"
    )
    for s in slots:
        params.extend([s.zone, s.clinic_zone, s.at, s.moment, s.day, s.since_from, s.since_until])
    values = ", ".join([row] * len(slots))
    return f"SELECT * FROM (VALUES {values}) AS v({columns})"  # noqa: S608 # nosec B608 - the values are placeholders only
