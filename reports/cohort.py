"""Cohort exports for clinic admins: which patients (filters), and their rows (summary, daily logs).

Both exports are a header and a row iterator (`exporters.Table`) that never holds the cohort in
memory: the summary walks the patients in batches (one query for the batch's daily logs), the
daily-log export walks one server-side cursor over the logs. Distances are given in the
patient's own unit and in kilometres, each column labelled. A de-identified export swaps names
and contacts for research ids and calendar dates for days since intake (`reports.deidentify`).
"""

import dataclasses
import datetime as dt
import functools
import itertools
import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

from django.db import connections
from django.db.models import (
    CharField,
    Count,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from clinic.models import Clinic, Patient
from intake import scoring
from intake.models import Intake
from rehab.models import (
    CROSS_TRAINING_KINDS,
    RUNNING_KINDS,
    ActivityKind,
    Alert,
    DailyLog,
    patient_today,
)
from rehab.rules import load
from rehab.services import logging_expected_since
from reports import deidentify, exporters, measures, outcome_facts, plans
from reports.exporters import Table

SUMMARY_BATCH = 200  # patients whose logs are read in one query
LOG_CURSOR_CHUNK = 5000  # rows fetched at a time from the server-side cursor

STATUSES = {"all": "All patients", "active": "In care", "discharged": "Discharged"}
RISK_CLASSES = {"high": "High-risk sites", "low": "Low-risk sites"}


@dataclasses.dataclass(frozen=True)
class CohortFilters:
    """Which patients an export or the dashboard covers. JSON-ready for an export job."""

    intake_from: dt.date | None = None
    intake_to: dt.date | None = None
    therapist_id: int | None = None
    site: str = ""
    risk: str = ""
    status: str = "all"
    phase: str = ""

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        for key in ("intake_from", "intake_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "CohortFilters":
        data = dict(data)
        for key in ("intake_from", "intake_to"):
            data[key] = dt.date.fromisoformat(data[key]) if data.get(key) else None
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def describe(self, therapists: dict[int, str] | None = None) -> list[str]:
        """The filters in words, for the page and the job list; `therapists` names them."""
        words = []
        if self.therapist_id:
            words.append((therapists or {}).get(self.therapist_id, "one therapist"))
        if self.intake_from or self.intake_to:
            start = self.intake_from.isoformat() if self.intake_from else "the start"
            end = self.intake_to.isoformat() if self.intake_to else "today"
            words.append(f"intake {start} to {end}")
        if self.site:
            words.append(SITE_LABELS.get(self.site, self.site))
        if self.risk:
            words.append(RISK_CLASSES.get(self.risk, self.risk))
        if self.status != "all":
            words.append(STATUSES.get(self.status, self.status).lower())
        if self.phase:
            words.append(dict(plans.phase_choices()).get(self.phase, self.phase))
        return words


SITE_LABELS = {site.code: site.label for site in scoring.SITES}


def _latest_intake() -> QuerySet[Intake]:
    """The patient's latest submitted intake: the episode the reports measure from."""
    return Intake.objects.filter(patient=OuterRef("pk"), submitted_at__isnull=False).order_by(
        "-submitted_at", "-pk"
    )


def with_intake(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` annotated with their latest intake's date, site, risk class, score and band."""
    latest = _latest_intake()
    return patients.annotate(
        intake_at=Subquery(latest.values("submitted_at")[:1]),
        site_code=Subquery(latest.values("confirmed_site")[:1]),
        site_label=Subquery(latest.annotate(v=KT("result__site__label")).values("v")[:1]),
        site_risk=Subquery(latest.annotate(v=KT("result__site__risk")).values("v")[:1]),
        intake_score=Subquery(latest.values("score")[:1]),
        intake_band=Subquery(latest.values("band")[:1]),
        intake_weekly_km=Subquery(
            latest.values("answers__weekly_km")[:1], output_field=JSONField()
        ),
    )


def cohort(clinic: Clinic, filters: CohortFilters) -> QuerySet[Patient]:
    """The clinic's patients that match `filters`, annotated by `with_intake`."""
    patients = with_intake(Patient.objects.filter(clinic=clinic))
    zone = zoneinfo.ZoneInfo(clinic.time_zone)
    if filters.intake_from:
        start = dt.datetime.combine(filters.intake_from, dt.time.min, tzinfo=zone)
        patients = patients.filter(intake_at__gte=start)
    if filters.intake_to:
        end = dt.datetime.combine(filters.intake_to + dt.timedelta(days=1), dt.time.min, zone)
        patients = patients.filter(intake_at__lt=end)
    if filters.therapist_id:
        patients = patients.filter(therapist_id=filters.therapist_id)
    if filters.site:
        patients = patients.filter(site_code=filters.site)
    if filters.risk:
        patients = patients.filter(site_risk=filters.risk)
    if filters.status == "active":
        patients = patients.filter(discharged_at__isnull=True)
    elif filters.status == "discharged":
        patients = patients.filter(discharged_at__isnull=False)
    return plans.with_phase(patients, filters.phase)


def anchor_date(patient: Patient) -> dt.date:
    """Day 0 of the patient's episode: their latest intake's local date, else their care start."""
    return outcome_facts.day_zero(patient, getattr(patient, "intake_at", None))


# --- Summary: one row per patient -------------------------------------------------------------

SUMMARY_IDENTIFIED = ["patient_id", "name", "email", "phone", "therapist"]
SUMMARY_DEIDENTIFIED = ["research_id"]
SUMMARY_COMMON = [
    "status",
    "sex",
    "age",
    "site",
    "site_label",
    "site_risk_class",
    "intake_score",
    "intake_band",
    "intake_date",
    "days_since_intake",
    "current_phase",
    "first_pain_free_walk_date",
    "first_run_date",
    "full_volume_date",
    "days_to_pain_free_walk",
    "days_to_first_run",
    "days_to_full_volume",
    "adherence_pct",
    "logged_days",
    "expected_days",
    "site_pain_mean_last_7d",
    "site_pain_mean_previous_7d",
    "site_pain_change",
    "pain_trend",
    "distance_unit",
    "running_last_full_week_in_unit",
    "running_last_full_week_km",
    "alerts_total",
    "alerts_open",
]
# Text people typed, which the CSV guards against formulas (`exporters.Table.text_columns`).
SUMMARY_TEXT = frozenset({"name", "email", "phone", "therapist"})
# Columns a de-identified summary leaves out: calendar dates. Age becomes a band.
DATED_COLUMNS = {"intake_date", "first_pain_free_walk_date", "first_run_date", "full_volume_date"}


def summary_header(*, deidentified: bool) -> list[str]:
    if deidentified:
        return SUMMARY_DEIDENTIFIED + [
            "age_band" if c == "age" else c for c in SUMMARY_COMMON if c not in DATED_COLUMNS
        ]
    return SUMMARY_IDENTIFIED + SUMMARY_COMMON


def with_alert_counts(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    def count(alerts):
        return Coalesce(
            Subquery(
                alerts.filter(patient=OuterRef("pk"))
                .order_by()
                .values("patient")
                .annotate(n=Count("id"))
                .values("n")
            ),
            Value(0),
        )

    return patients.annotate(
        alerts_total=count(Alert.objects.all()), alerts_open=count(Alert.objects.open())
    )


def summary_table(
    clinic: Clinic, filters: CohortFilters, *, deidentified: bool, secret: bytes = b""
) -> Table:
    patients = (
        with_alert_counts(cohort(clinic, filters))
        .select_related("user", "therapist")
        .order_by("last_name", "first_name", "pk")
    )
    header = summary_header(deidentified=deidentified)

    def rows() -> Iterator[list]:
        for batch in batched(patients.iterator(chunk_size=SUMMARY_BATCH), SUMMARY_BATCH):
            ids = [patient.pk for patient in batch]
            days, phases = days_by_patient(ids), plans.current_phases(ids)
            episodes = outcome_facts.compute(ids, days=days)
            for patient in batch:
                facts = summary_facts(
                    patient,
                    days.get(patient.pk, []),
                    phase=phases.get(patient.pk),
                    episode=episodes[patient.pk],
                )
                yield summary_row(patient, facts, deidentified=deidentified, secret=secret)

    return Table(header=header, rows=rows(), total=patients.count(), text_columns=SUMMARY_TEXT)


def batched(items, size: int) -> Iterator[tuple]:
    """`items` in tuples of `size` (itertools.batched arrives with Python 3.12)."""
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


days_by_patient = outcome_facts.days_by_patient


@dataclasses.dataclass(frozen=True)
class SummaryFacts:
    """What the summary says about one patient, before it becomes a row."""

    today: dt.date
    anchor: dt.date
    milestones: measures.Milestones
    adherence: load.Adherence
    trend: measures.PainTrend
    last_full_week_m: int
    phase: str | None


def summary_facts(
    patient: Patient,
    days: list[measures.Day],
    *,
    phase: str | None,
    episode: outcome_facts.Computed,
) -> SummaryFacts:
    today = patient_today(patient)
    day_logs = [
        load.DayLog(
            date=day.date,
            site_pain=day.site_pain,
            activities=(load.Activity(load.ActivityKind.RUN, day.running_m),) if day.ran else (),
        )
        for day in days
    ]
    since = logging_expected_since(patient, first_log=days[0].date if days else None)
    adherence = load.adherence(day_logs, start=since, end=today) if since else load.Adherence(0, 0)
    weeks = load.weekly_running_distance(day_logs, today=today, weeks=2)
    return SummaryFacts(
        today=today,
        anchor=episode.facts.day0,
        milestones=episode.milestones,
        adherence=adherence,
        trend=measures.pain_trend(days, today=today),
        last_full_week_m=weeks[-2].distance_m,
        phase=phase,
    )


def summary_row(patient: Patient, facts: SummaryFacts, *, deidentified: bool, secret: bytes):
    unit = patient.distance_unit
    marks = facts.milestones
    since = facts.anchor

    def day_of(date):
        return deidentify.days_since(since, date)

    ratio = facts.adherence.ratio
    values = {
        "status": "active" if patient.is_active else "discharged",
        "sex": patient.sex,
        "age": patient.age(facts.today),
        "site": patient.site_code or "",
        "site_label": patient.site_label or "",
        "site_risk_class": patient.site_risk or "",
        "intake_score": patient.intake_score,
        "intake_band": patient.intake_band or "",
        "intake_date": since if patient.intake_at else None,
        "days_since_intake": deidentify.days_since(since, facts.today),
        "current_phase": facts.phase or "",
        "first_pain_free_walk_date": marks.first_pain_free_walk,
        "first_run_date": marks.first_run,
        "full_volume_date": marks.full_volume,
        "days_to_pain_free_walk": day_of(marks.first_pain_free_walk),
        "days_to_first_run": day_of(marks.first_run),
        "days_to_full_volume": day_of(marks.full_volume),
        "adherence_pct": round(ratio * 100) if ratio is not None else None,
        "logged_days": facts.adherence.logged_days,
        "expected_days": facts.adherence.expected_days,
        "site_pain_mean_last_7d": facts.trend.recent_mean,
        "site_pain_mean_previous_7d": facts.trend.previous_mean,
        "site_pain_change": facts.trend.change,
        "pain_trend": facts.trend.label,
        "distance_unit": unit,
        "running_last_full_week_in_unit": in_unit(facts.last_full_week_m, unit),
        "running_last_full_week_km": in_unit(facts.last_full_week_m, "km"),
        "alerts_total": patient.alerts_total,
        "alerts_open": patient.alerts_open,
    }
    if deidentified:
        values["research_id"] = deidentify.research_id(secret, patient.pk)
        values["age_band"] = deidentify.age_band(values["age"])
    else:
        values.update(
            patient_id=str(patient.pk),
            name=patient.full_name,
            email=patient.email,
            phone=patient.phone,
            therapist=patient.therapist.full_name if patient.therapist else "",
        )
    return [values[column] for column in summary_header(deidentified=deidentified)]


@lru_cache(maxsize=65536)
def in_unit(metres: int, unit: str) -> float:
    """Metres in `unit` ("km" or "mi") to 3 decimals, as exports show them (a metre or two).

    Cached: a cohort repeats the same distances many times over.
    """
    return round(load.to_display(metres, unit), 3)


# --- Daily logs: one row per log ----------------------------------------------------------------

LOGS_IDENTIFIED = ["patient_id", "name", "date", "day_since_intake"]
LOGS_DEIDENTIFIED = ["research_id", "day_since_intake"]
LOGS_COMMON = [
    "site_pain",
    "morning_pain",
    "activity_pain",
    "swelling",
    "limp",
    "distance_unit",
    "running_in_unit",
    "walking_in_unit",
    "running_km",
    "walking_km",
    "cross_training_min",
]
# The rows give the date and distances as text, which is what the CSV writes; XLSX reads them
# back into a date and numbers (`exporters.Table.parsed_columns`).
LOGS_PARSED = {
    "date": dt.date.fromisoformat,
    "running_in_unit": float,
    "walking_in_unit": float,
    "running_km": float,
    "walking_km": float,
}


def logs_header(*, deidentified: bool) -> list[str]:
    return (LOGS_DEIDENTIFIED if deidentified else LOGS_IDENTIFIED) + LOGS_COMMON


def log_rows(patient_ids: QuerySet) -> QuerySet:
    """The daily logs of `patient_ids` (a values("pk") queryset), one tuple per log, with the
    day's running and walking metres and cross-training minutes; ordered by patient and date.

    The patient id and the date come as the database's text for them, so the rows can be read
    straight from the driver without building a UUID and a date per row.
    """
    return (
        DailyLog.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "date")
        .annotate(patient_key=as_text("patient_id"), day=as_text("date"))
        .values_list(
            "patient_key", "day", "site_pain", "morning_pain", "activity_pain", "swelling", "limp"
        )
        .annotate(
            running_m=Sum("activities__distance_m", filter=Q(activities__kind__in=RUNNING_KINDS)),
            walking_m=Sum("activities__distance_m", filter=Q(activities__kind=ActivityKind.WALK)),
            cross_min=Sum(
                "activities__duration_min", filter=Q(activities__kind__in=CROSS_TRAINING_KINDS)
            ),
        )
    )


def as_text(field: str) -> Cast:
    """A column as the database's own text: a patient id to match rows on, an ISO date."""
    return Cast(field, output_field=CharField())


def driver_rows(queryset: QuerySet, *, chunk_size: int) -> Iterator[tuple]:
    """The rows of a values_list queryset as the database driver returns them, read through a
    server-side cursor `chunk_size` rows at a time. The SQL is the ORM's own; only the ORM's
    per-row converters are skipped, which is most of the cost of a million-row export."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


@dataclasses.dataclass(frozen=True)
class LogPatient:
    """What every log row of one patient repeats."""

    ref: tuple  # (patient_id, name) or (research_id,)
    anchor: int  # day 0 as a proleptic ordinal
    unit: str


def logs_table(
    clinic: Clinic, filters: CohortFilters, *, deidentified: bool, secret: bytes = b""
) -> Table:
    patients = cohort(clinic, filters)
    people = {
        patient.key: LogPatient(
            ref=(deidentify.research_id(secret, patient.pk),)
            if deidentified
            else (str(patient.pk), patient.full_name),
            anchor=anchor_date(patient).toordinal(),
            unit=patient.distance_unit,
        )
        # Only the latest intake's date: the cohort's other annotations (site, score, phase)
        # are subqueries per patient that a log export never reads.
        for patient in Patient.objects.filter(pk__in=patients.values("pk"))
        .annotate(
            key=as_text("pk"), intake_at=Subquery(_latest_intake().values("submitted_at")[:1])
        )
        .only("pk", "first_name", "last_name", "distance_unit", "time_zone", "created_at")
        .iterator(chunk_size=2000)
    }
    ids = patients.values("pk")
    total = DailyLog.objects.filter(patient_id__in=ids).count()
    csv_body = None
    if connections[patients.db].vendor == "postgresql" and copy_safe(people):
        query, params = logs_copy_query(people, deidentified=deidentified)
        csv_body = functools.partial(
            exporters.postgres_csv_chunks, query, params, using=patients.db
        )
    return Table(
        header=logs_header(deidentified=deidentified),
        rows=format_log_rows(
            driver_rows(log_rows(ids), chunk_size=LOG_CURSOR_CHUNK),
            people,
            deidentified=deidentified,
        ),
        total=total,
        text_columns=frozenset({"name"}),
        parsed_columns=LOGS_PARSED,
        csv_body=csv_body,
    )


def copy_safe(people: dict) -> bool:
    """Whether PostgreSQL's CSV of these people's rows is byte for byte the csv module's: COPY
    ends lines in LF (made CRLF on the way out), so no cell may hold a line break, and it quotes
    a lone backslash-dot. Names are the only free text; a cohort with such a name keeps the
    Python path."""
    return not any(
        "\n" in text or "\r" in text or text == "\\." for who in people.values() for text in who.ref
    )


def sql_thousandths(metres: str, *, unit: str) -> str:
    """SQL for whole thousandths of `unit` in `metres` (a column, NULL as 0), rounded as Python
    rounds the float to 3 decimals: to nearest, a tie to even. Ties do happen in miles (12,573 m
    is 7.8125 mi), so in integers: n = 1,000,000 m over P = 1000 x metres per unit. A
    kilometre's thousandths are the metres themselves."""
    per = int(load.METRES_PER_UNIT[unit] * 1000)
    if per == 1000000:
        return f"coalesce({metres}, 0)"
    n = f"(1000000::bigint * coalesce({metres}, 0))"
    q, r = f"({n} / {per})", f"({n} %% {per})"
    return (
        f"({q} + CASE WHEN 2 * {r} > {per} OR (2 * {r} = {per} AND {q} %% 2 = 1) THEN 1 ELSE 0 END)"
    )


def sql_distance(thousandths: str) -> str:
    """A distance as `distance_cells` writes it, from whole thousandths (best a column: it is
    read three times): Python's float rounded to 3 decimals (5.0, 3.107), i.e. the shortest
    decimal with at least one digit after the point; NULL stays NULL. (%% is the modulo: the
    query goes through mogrify.)"""
    return (
        f"({thousandths} / 1000)::text || CASE WHEN {thousandths} %% 1000 = 0 THEN '.0' "
        f"ELSE '.' || rtrim(lpad(({thousandths} %% 1000)::text, 3, '0'), '0') END"
    )


def logs_copy_query(people: dict, *, deidentified: bool) -> tuple[str, list]:
    """`log_rows` with `format_log_rows` done in SQL, for `COPY ... TO STDOUT`: the same rows,
    written the same way. Each patient's research id, or id and name (formula-guarded, an empty
    one NULL as the csv module writes it), day 0 and unit come from `people`, worked out once
    per patient in Python (as the Python path does).

    Shaped by EXPLAIN ANALYZE on a million logs (issue 13): the logs are grouped with their
    activities as in `log_rows`, one sort serving the grouping and the order (the key starts
    with patient and date, unique per log), but without the patients' text, which made that
    sort twice as wide; the patients' cells join after it, a merge join that keeps the order.
    The distances are formatted once per row, in a layer the planner may not fold into the
    next (OFFSET 0): a km distance's text is its metres', written once for both columns.
    (Grouping by the log's id instead would let PostgreSQL drop the other keys and sort again.)
    """
    keys = list(people)
    other_units = sorted({who.unit for who in people.values()} - {"km"})
    who = ["f.ref"] if deidentified else ["f.ref", "f.name", "f.date::text"]
    cells = [
        *who,
        "CASE WHEN f.date >= f.anchor THEN f.date - f.anchor END",  # never negative
        "f.site_pain",
        "f.morning_pain",
        "f.activity_pain",
        "CASE WHEN f.swelling THEN 'yes' ELSE 'no' END",
        "CASE WHEN f.limp THEN 'yes' ELSE 'no' END",
        "f.unit",
        f"coalesce({sql_distance('f.run_t')}, f.run_km)",
        f"coalesce({sql_distance('f.walk_t')}, f.walk_km)",
        "f.run_km",
        "f.walk_km",
        "f.cross_min",
    ]

    def in_unit(metres: str) -> str:
        """Thousandths in the patient's unit unless it is km (NULL: the metres are)."""
        cases = " ".join(
            f"WHEN '{unit}' THEN {sql_thousandths(metres, unit=unit)}" for unit in other_units
        )
        return f"CASE p.unit {cases} END" if cases else "NULL::bigint"

    query = (
        f"SELECT {', '.join(cells)}"  # noqa: S608 # nosec B608 - only our own cells are formatted in
        """
        FROM (
            SELECT g.patient_id, g.date, g.site_pain, g.morning_pain, g.activity_pain,
                g.swelling, g.limp, g.cross_min, p.ref, p.name, p.anchor, p.unit,
                {run_km} AS run_km, {walk_km} AS walk_km, {run_t} AS run_t, {walk_t} AS walk_t
            FROM (
                SELECT l.patient_id, l.date, l.site_pain, l.morning_pain, l.activity_pain,
                    l.swelling, l.limp,
                    SUM(a.distance_m) FILTER (WHERE a.kind = ANY(%s)) AS running_m,
                    SUM(a.distance_m) FILTER (WHERE a.kind = %s) AS walking_m,
                    SUM(a.duration_min) FILTER (WHERE a.kind = ANY(%s)) AS cross_min
                FROM rehab_dailylog l
                JOIN unnest(%s::uuid[]) AS k (id) ON k.id = l.patient_id
                LEFT JOIN rehab_activity a ON a.log_id = l.id
                GROUP BY l.patient_id, l.date, l.site_pain, l.morning_pain, l.activity_pain,
                    l.swelling, l.limp
            ) g
            JOIN unnest(%s::uuid[], %s::text[], %s::text[], %s::date[], %s::text[])
                AS p (id, ref, name, anchor, unit) ON p.id = g.patient_id
            ORDER BY g.patient_id, g.date
            OFFSET 0
        ) f
        ORDER BY f.patient_id, f.date
    """.format(
            run_km=sql_distance(sql_thousandths("g.running_m", unit="km")),
            walk_km=sql_distance(sql_thousandths("g.walking_m", unit="km")),
            run_t=in_unit("g.running_m"),
            walk_t=in_unit("g.walking_m"),
        )
    )
    refs = [people[key].ref for key in keys]
    params = [
        RUNNING_KINDS,
        ActivityKind.WALK.value,
        CROSS_TRAINING_KINDS,
        keys,
        keys,
        [ref[0] for ref in refs],
        [exporters.safe_text(ref[1]) or None if len(ref) > 1 else None for ref in refs],
        [dt.date.fromordinal(people[key].anchor) for key in keys],
        [people[key].unit for key in keys],
    ]
    return query, params


@lru_cache(maxsize=65536)
def distance_cells(metres: int | None, unit: str) -> tuple[str, str]:
    """(in the patient's unit, in km) as the export writes them. Cached: a cohort repeats the
    same distances over and over, and formatting floats is much of a row's cost."""
    metres = metres or 0
    return str(in_unit(metres, unit)), str(in_unit(metres, "km"))


def format_log_rows(rows, people: dict, *, deidentified: bool) -> Iterator[tuple]:
    """Log tuples (from `log_rows`, as the driver gives them) as export rows: the tight loop of
    the largest export, so it does as little as it can per row. SQLite gives booleans as 0/1."""
    yes_no = ("no", "yes")
    ordinals: dict[str, int] = {}  # ISO date -> ordinal; a cohort shares a few hundred dates
    for key, date, site, morning, activity, swelling, limp, run_m, walk_m, cross in rows:
        who = people[key]
        ordinal = ordinals.get(date)
        if ordinal is None:
            ordinal = ordinals[date] = dt.date.fromisoformat(date).toordinal()
        unit = who.unit
        run, walk = distance_cells(run_m, unit), distance_cells(walk_m, unit)
        day = ordinal - who.anchor
        cells = (
            day if day >= 0 else None,  # a log before day 0 has no day since intake
            site,
            morning,
            activity,
            yes_no[swelling],
            yes_no[limp],
            unit,
            run[0],
            walk[0],
            run[1],
            walk[1],
            cross,
        )
        yield who.ref + cells if deidentified else who.ref + (date,) + cells
