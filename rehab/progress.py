"""What the progress pages show: chart series, load figures, adherence and caseload sparklines.

Reads only. Numbers come from the pure rules of `rehab.rules.load`, so every screen counts a week, a
run and a streak the same way the alerts do.
"""

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Min, Q, Sum

from clinic.models import Patient
from rehab.models import (
    CROSS_TRAINING_KINDS,
    RUNNING_KINDS,
    ActivityKind,
    DailyLog,
)
from rehab.rules import load
from rehab.services import logging_expected_since

RANGES = {28: "4 weeks", 84: "12 weeks", 365: "1 year"}
DEFAULT_RANGE = 28
LOAD_WINDOW_DAYS = 2 * load.LONGEST_RUN_WINDOW_DAYS  # a run of the last 30 days vs its own 30
WEEKS_SHOWN = 4


def chosen_range(value: str | None) -> int:
    """The chart range in days from a query-string value; the default for anything else."""
    try:
        days = int(value or DEFAULT_RANGE)
    except ValueError:
        return DEFAULT_RANGE
    return days if days in RANGES else DEFAULT_RANGE


def chart_days(patient: Patient, *, start: dt.date, end: dt.date) -> list[dict]:
    """One row per logged day from `start` to `end`, with the day's activity totals. One query."""
    return list(
        DailyLog.objects.filter(patient=patient, date__gte=start, date__lte=end)
        .order_by("date")
        .values("id", "date", "site_pain", "activity_pain", "morning_pain", "swelling", "limp")
        .annotate(
            running_m=Sum("activities__distance_m", filter=Q(activities__kind__in=RUNNING_KINDS)),
            walking_m=Sum("activities__distance_m", filter=Q(activities__kind=ActivityKind.WALK)),
            cross_min=Sum(
                "activities__duration_min", filter=Q(activities__kind__in=CROSS_TRAINING_KINDS)
            ),
            strength=Count("activities", filter=Q(activities__kind=ActivityKind.STRENGTH)),
        )
    )


@dataclasses.dataclass(frozen=True)
class ProgressChart:
    data: dict  # for json_script: what static/js/progress-charts.js draws
    table: list[dict]  # the same days as rows, newest first: the charts' accessible alternative
    days: int
    unit: str

    @property
    def logged_days(self) -> int:
        return len(self.table)

    @property
    def weeks(self) -> list[dict]:
        return self.data["weeks"]

    @property
    def phases(self) -> list[dict]:
        """The plan phases on the chart, as text: name and the day it began."""
        return [
            {"name": marker["name"], "began": dt.date.fromisoformat(marker["began"])}
            for marker in self.data["phases"]
        ]

    @property
    def json(self) -> str:
        """`data` as JSON for the chart container's data-chart-data attribute (autoescaped)."""
        return json.dumps(self.data, cls=DjangoJSONEncoder)


def progress_chart(
    patient: Patient,
    *,
    today: dt.date,
    days: int,
    pain_alert_level: int,
    phases: Sequence[dict] = (),
) -> ProgressChart:
    """The chart data for the `days` days ending today, ready for `json_script`. One query.

    One entry per calendar day (None where nothing was logged, so lines break at gaps), weekly
    running totals (whole ISO weeks, the first one included), and the clinic's pain alert level
    for a reference line.

    `phases` are the plan phase markers: `[{"start": "2026-05-04", "end": None, "label":
    "Walk-run"}]` (`rehab.plan_history.chart_phases`); the chart script draws a line at each
    start. A phase that began before the chart's first day and goes on into it is marked on that
    first day ("Walk-run (since 17 Oct)"), so the chart always says which phase its days were in.
    """
    unit = patient.distance_unit
    start = today - dt.timedelta(days=days - 1)
    first_monday = load.week_start(start)
    with_first_week = chart_days(patient, start=first_monday, end=today)
    rows = [row for row in with_first_week if row["date"] >= start]
    by_date = {row["date"]: row for row in rows}
    dates = [start + dt.timedelta(days=n) for n in range(days)]

    def series(name, convert=lambda value: value):
        values = [by_date.get(day, {}).get(name) for day in dates]
        return [None if value is None else convert(value) for value in values]

    day_logs = [load.DayLog(date=row["date"], activities=_running(row)) for row in with_first_week]
    weeks = load.weekly_running_distance(
        day_logs, today=today, weeks=(load.week_start(today) - first_monday).days // 7 + 1
    )
    data = {
        "unit": unit,
        "days": days,
        "dates": [day.isoformat() for day in dates],
        "site_pain": series("site_pain"),
        "activity_pain": series("activity_pain"),
        "morning_pain": series("morning_pain"),
        "running": series("running_m", lambda m: display_distance(m, unit)),
        "walking": series("walking_m", lambda m: display_distance(m, unit)),
        "cross_minutes": series("cross_min"),
        "weeks": [
            {"start": week.start.isoformat(), "distance": display_distance(week.distance_m, unit)}
            for week in weeks
        ],
        "pain_alert_level": pain_alert_level,
        "phases": chart_markers(phases, start=start, end=today),
    }
    table = [_table_row(row, unit) for row in reversed(rows)]
    return ProgressChart(data=data, table=table, days=days, unit=unit)


def chart_markers(phases: Sequence[dict], *, start: dt.date, end: dt.date) -> list[dict]:
    """The phase markers that fall on the chart from `start` to `end`, in order.

    A phase that began earlier and had not ended by `start` gets its marker on `start`, with the
    day it began in its label.
    """
    markers = []
    for phase in phases:
        began = dt.date.fromisoformat(phase["start"])
        ended = dt.date.fromisoformat(phase["end"]) if phase.get("end") else None
        if began > end or (began < start and ended is not None and ended <= start):
            continue
        marker = {"start": phase["start"], "label": phase["label"], "name": phase["label"]}
        if began < start:
            label = f"{phase['label']} (since {began.day} {began:%b})"
            marker.update(start=start.isoformat(), label=label)
        markers.append({**marker, "began": began.isoformat()})
    return markers


def _running(row: dict) -> tuple[load.Activity, ...]:
    return (load.Activity(load.ActivityKind.RUN, row["running_m"]),) if row["running_m"] else ()


def _table_row(row: dict, unit: str) -> dict:
    return {
        "date": row["date"],
        "site_pain": row["site_pain"],
        "activity_pain": row["activity_pain"],
        "morning_pain": row["morning_pain"],
        "running": display_distance(row["running_m"] or 0, unit),
        "walking": display_distance(row["walking_m"] or 0, unit),
        "cross_minutes": row["cross_min"] or 0,
        "swelling": row["swelling"],
        "limp": row["limp"],
    }


def display_distance(metres: int, unit: str) -> float:
    """Metres in the patient's unit, to two decimals: what charts and tables show."""
    return round(load.to_display(metres, unit), 2)


@dataclasses.dataclass(frozen=True)
class LoadSummary:
    """The load figures of reference §7 for the therapist's page, in the patient's unit."""

    unit: str
    weeks: tuple[dict, ...]  # oldest first: start, distance, change_pct, partial
    longest_run_30d: float | None
    longest_run_30d_date: dt.date | None
    runs_above_longest: tuple[dict, ...]  # date, distance, previous_longest, excess_pct
    acute_chronic_ratio: float | None  # information only, never an alert (§7)

    @property
    def this_week(self) -> dict:
        return self.weeks[-1]

    @property
    def last_week(self) -> dict:
        return self.weeks[-2]


def load_summary(patient: Patient, *, today: dt.date) -> LoadSummary:
    """Weekly distance and its change, the longest run of 30 days and runs above it, and ACWR."""
    logs = [
        log.as_day_log()
        for log in patient.daily_logs.recent(today, LOAD_WINDOW_DAYS).with_activities()
    ]
    unit = patient.distance_unit
    runs_30d = [
        run
        for run in load.runs(logs)
        if run.date > today - dt.timedelta(days=load.LONGEST_RUN_WINDOW_DAYS)
    ]
    longest = max(runs_30d, key=lambda run: run.distance_m, default=None)
    spikes = load.runs_exceeding_recent_longest(
        logs, start=today - dt.timedelta(days=load.LONGEST_RUN_WINDOW_DAYS - 1), end=today
    )
    return LoadSummary(
        unit=unit,
        weeks=tuple(
            {
                "start": week.start,
                "distance": display_distance(week.distance_m, unit),
                "change_pct": week.change_pct,
                "partial": week.partial,
            }
            for week in load.weekly_running_distance(logs, today=today, weeks=WEEKS_SHOWN)
        ),
        longest_run_30d=display_distance(longest.distance_m, unit) if longest else None,
        longest_run_30d_date=longest.date if longest else None,
        runs_above_longest=tuple(
            {
                "date": spike.date,
                "distance": display_distance(spike.distance_m, unit),
                "previous_longest": display_distance(spike.previous_longest_m, unit),
                "excess_pct": spike.excess_pct,
            }
            for spike in spikes
        ),
        acute_chronic_ratio=load.acute_chronic_ratio(logs, today=today),
    )


def logging_streak(patient: Patient, *, today: dt.date) -> int:
    """Consecutive days logged up to today (or up to yesterday while today is not yet logged)."""
    dates = patient.daily_logs.filter(date__lte=today).order_by("-date").values_list("date")
    recent = [load.DayLog(date=day) for (day,) in dates[:400]]
    return load.logging_streak(recent, today=today)


def adherence(patient: Patient, *, today: dt.date) -> dict:
    """Days logged out of days expected since logging began (first log, or care start)."""
    totals = patient.daily_logs.filter(date__lte=today).aggregate(
        first=Min("date"), last=Max("date"), logged=Count("id")
    )
    since = logging_expected_since(patient, first_log=totals["first"])
    expected = (today - since).days + 1 if since and since <= today else 0
    ratio = totals["logged"] / expected if expected else None
    return {
        "since": since,
        "logged": totals["logged"],
        "expected": expected,
        "percent": round(ratio * 100) if ratio is not None else None,
        "last_log": totals["last"],
    }


# --- Caseload sparklines ----------------------------------------------------------------------

SPARK_WIDTH, SPARK_HEIGHT = 96, 24
HIGH_PAIN, RAISED_PAIN = 5, 3  # §5: step back at 5/10, hold at 3–4/10


@dataclasses.dataclass(frozen=True)
class Sparkline:
    """An inline SVG's geometry: one polyline per run of logged days, and the last point."""

    segments: tuple[str, ...]  # "x,y x,y …" for <polyline points>
    last: tuple[float, float] | None
    last_pain: int | None
    peak_pain: int | None
    days: int

    @property
    def width(self) -> int:
        return SPARK_WIDTH

    @property
    def height(self) -> int:
        return SPARK_HEIGHT

    @property
    def level(self) -> str:
        """The colour of the line by the latest pain: "high", "raised", "low" or "none"."""
        if self.last_pain is None:
            return "none"
        if self.last_pain >= HIGH_PAIN:
            return "high"
        return "raised" if self.last_pain >= RAISED_PAIN else "low"


def sparkline(logs: Iterable[DailyLog], *, today: dt.date, days: int) -> Sparkline:
    """The highest pain of each logged day over `days` days as SVG points; gaps break the line."""
    pains = {log.date: _peak_pain(log) for log in logs}
    start = today - dt.timedelta(days=days - 1)
    step = (SPARK_WIDTH - 4) / max(days - 1, 1)
    segments, current, last = [], [], None
    for n in range(days):
        pain = pains.get(start + dt.timedelta(days=n))
        if pain is None:
            segments, current = _close(segments, current), []
            continue
        last = (round(2 + n * step, 1), round(SPARK_HEIGHT - 2 - pain * (SPARK_HEIGHT - 4) / 10, 1))
        current.append(last)
    segments = _close(segments, current)
    logged = {day: pain for day, pain in pains.items() if start <= day <= today}
    last_day = max(logged, default=None)
    return Sparkline(
        segments=tuple(segments),
        last=last,
        last_pain=logged[last_day] if last_day else None,
        peak_pain=max(logged.values(), default=None),
        days=days,
    )


def _peak_pain(log: DailyLog) -> int | None:
    pains = (log.site_pain, log.activity_pain, log.morning_pain)
    return max((pain for pain in pains if pain is not None), default=None)


def _close(segments: list[str], points: list[tuple[float, float]]) -> list[str]:
    if len(points) == 1:  # a lone day still shows: a flat stub either side of its point
        (x, y) = points[0]
        points = [(round(x - 1.5, 1), y), (round(x + 1.5, 1), y)]
    if points:
        segments.append(" ".join(f"{x:g},{y:g}" for x, y in points))
    return segments


# --- Edit history -----------------------------------------------------------------------------

SNAPSHOT_LABELS = {
    "date": "Day",
    "site_pain": "Pain now",
    "morning_pain": "On waking",
    "activity_pain": "During activity",
    "swelling": "Swelling",
    "limp": "Limp",
    "activities": "Activities",
    "notes": "Notes",
}


def revision_changes(revision, *, unit: str, clinical: bool) -> list[dict]:
    """What one revision changed, field by field, in words; notes only for clinic staff."""
    before, after = revision.before or {}, revision.after or {}
    changes = []
    for key, label in SNAPSHOT_LABELS.items():
        if key == "notes" and not clinical:
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(
                {"field": label, "before": _shown(key, old, unit), "after": _shown(key, new, unit)}
            )
    return changes


def _shown(key: str, value, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if key == "activities":
        return "; ".join(_activity_text(activity, unit) for activity in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_pain"):
        return f"{value}/10"
    return str(value)


def _activity_text(activity: dict, unit: str) -> str:
    parts = [ActivityKind(activity["kind"]).label]
    if activity.get("distance_m") is not None:
        parts.append(f"{load.to_display(activity['distance_m'], unit):.1f} {unit}")
    if activity.get("duration_min") is not None:
        parts.append(f"{activity['duration_min']} min")
    if activity.get("rpe") is not None:
        parts.append(f"effort {activity['rpe']}")
    return " ".join(parts)
