"""One patient's progress report: what the page and the PDF both show, assembled once.

The numbers come from the same functions as the patient's pages (`rehab.progress`,
`rehab.rules.load`) and the cohort export (`reports.measures`, `reports.cohort`), so the report, the
charts and the exports agree. Written to be handed to the patient, their physician or coach:
plain words, no internal codes, no clinical notes.
"""

import dataclasses
import datetime as dt

from django.utils import timezone

from clinic.models import Patient
from intake import scoring
from intake.models import Intake, IntakeDecision
from rehab import progress
from rehab.models import Alert, alert_thresholds, patient_today
from reports import cohort, deidentify, measures, outcome_facts, plans

# The charts cover the episode from its intake, at least four weeks and at most a year.
MIN_CHART_DAYS, MAX_CHART_DAYS = 28, 365
RISK_WORDS = {"high": "High-risk site", "low": "Low-risk site"}
BAND_WORDS = {"low": "Low", "moderate": "Moderate", "high": "High"}
REGION_LABELS = dict(scoring.REGIONS)
ALERTS_SHOWN = 200  # alerts (each one rule's run of occurrences) read for the report's table


@dataclasses.dataclass(frozen=True)
class Milestone:
    label: str
    date: dt.date | None
    day: int | None  # days since intake
    explanation: str


@dataclasses.dataclass(frozen=True)
class Outcome:
    measure: str
    at_intake: str
    now: str


@dataclasses.dataclass(frozen=True)
class AlertGroup:
    """Every alert of one rule in the report: how often it fired, on which days, and whether a
    clinician has reviewed it, so a rule that fired twenty times takes one row, not twenty."""

    label: str
    occurrences: int
    dates: list[dt.date]
    latest_reason: str
    open: bool
    reviewed_on: dt.date | None  # the latest acknowledgement, when none is open
    review_note: str

    @property
    def days(self) -> str:
        return day_list(self.dates)

    @property
    def status(self) -> str:
        if self.open:
            return "Open"
        return f"Reviewed {self.reviewed_on:%-d %b}" if self.reviewed_on else "Reviewed"


def alert_groups(alerts: list[Alert]) -> list[AlertGroup]:
    """The alerts grouped by rule, the rule that fired most recently first."""
    by_rule: dict[str, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.last_date, a.raised_at), reverse=True):
        by_rule.setdefault(alert.rule, []).append(alert)
    groups = []
    for rule_alerts in by_rule.values():
        latest = rule_alerts[0]
        reviewed = [a for a in rule_alerts if not a.is_open]
        last_review = max(reviewed, key=lambda a: a.acknowledged_at) if reviewed else None
        groups.append(
            AlertGroup(
                label=latest.get_rule_display(),
                occurrences=sum(a.occurrences for a in rule_alerts),
                dates=sorted({day for a in rule_alerts for day in a.log_dates}),
                latest_reason=latest.reason,
                open=any(a.is_open for a in rule_alerts),
                reviewed_on=timezone.localdate(last_review.acknowledged_at)
                if last_review
                else None,
                review_note=last_review.acknowledgement_text if last_review else "",
            )
        )
    return groups


def day_list(dates: list[dt.date]) -> str:
    """Days written compactly, by month: "2, 4, 9 Mar; 1 Apr 2026" (the year once, at the end,
    or per month when they span years)."""
    if not dates:
        return ""
    months: dict[tuple[int, int], list[int]] = {}
    for day in sorted(dates):
        months.setdefault((day.year, day.month), []).append(day.day)
    one_year = len({year for year, _month in months}) == 1
    parts = [
        f"{', '.join(str(d) for d in days)} {dt.date(year, month, 1):%b}"
        + ("" if one_year else f" {year}")
        for (year, month), days in months.items()
    ]
    return "; ".join(parts) + (f" {dates[0].year}" if one_year else "")


@dataclasses.dataclass(frozen=True)
class ProgressReport:
    patient: Patient
    generated_at: dt.datetime
    today: dt.date
    anchor: dt.date
    intake: Intake | None
    decision: IntakeDecision | None
    phases: list[plans.PhaseSpan]
    chart: progress.ProgressChart
    load: progress.LoadSummary
    adherence: dict
    alerts: list[Alert]
    milestones: list[Milestone]
    outcomes: list[Outcome]
    trend: measures.PainTrend

    @property
    def site(self) -> dict | None:
        return (self.intake.result or {}).get("site") if self.intake else None

    @property
    def risk_words(self) -> str:
        return RISK_WORDS.get((self.site or {}).get("risk", ""), "Not yet confirmed")

    @property
    def region(self) -> str:
        if not self.intake:
            return ""
        return REGION_LABELS.get(self.intake.answers.get("region"), "")

    @property
    def band_words(self) -> str:
        return BAND_WORDS.get(self.intake.band, self.intake.band) if self.intake else ""

    @property
    def red_flags(self) -> list[str]:
        if not self.intake:
            return []
        return [flag["title"] for flag in (self.intake.result or {}).get("red_flags", [])]

    @property
    def days_in_care(self) -> int:
        return (self.today - self.anchor).days

    @property
    def open_alerts(self) -> int:
        return sum(1 for alert in self.alerts if alert.is_open)

    @property
    def alert_groups(self) -> list[AlertGroup]:
        return alert_groups(self.alerts)


def progress_report(patient: Patient) -> ProgressReport:
    today = patient_today(patient)
    intake = (
        Intake.objects.filter(patient=patient, submitted_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    patient.intake_at = intake.submitted_at if intake else None
    anchor = cohort.anchor_date(patient)
    days = min(max((today - anchor).days + 1, MIN_CHART_DAYS), MAX_CHART_DAYS)
    phases = plans.phase_history(patient)
    chart = progress.progress_chart(
        patient,
        today=today,
        days=days,
        pain_alert_level=alert_thresholds(patient.clinic)["site_pain_threshold"],
        phases=[{"start": span.start.isoformat(), "label": span.label} for span in phases],
    )
    by_patient = cohort.days_by_patient([patient.pk])
    logged = by_patient.get(patient.pk, [])
    episode = outcome_facts.compute([patient.pk], days=by_patient)[patient.pk]
    weekly_m, marks = episode.weekly_m, episode.milestones
    load_summary = progress.load_summary(patient, today=today)
    trend = measures.pain_trend(logged, today=today)
    return ProgressReport(
        patient=patient,
        generated_at=timezone.now(),
        today=today,
        anchor=anchor,
        intake=intake,
        decision=intake.decisions.first() if intake else None,
        phases=phases,
        chart=chart,
        load=load_summary,
        adherence=progress.adherence(patient, today=today),
        alerts=list(patient.alerts.order_by("-last_date", "-raised_at")[:ALERTS_SHOWN]),
        milestones=_milestones(marks, anchor, weekly_m, patient.distance_unit),
        outcomes=_outcomes(intake, logged, load_summary, weekly_m, trend, patient.distance_unit),
        trend=trend,
    )


def _milestones(marks: measures.Milestones, anchor, weekly_m, unit) -> list[Milestone]:
    volume = (
        f"running over 7 days reached the {cohort.in_unit(weekly_m, unit):.1f} {unit} a week "
        "run before the injury"
        if weekly_m
        else "no weekly distance before the injury was recorded at intake"
    )
    return [
        Milestone(
            "First pain-free walk",
            marks.first_pain_free_walk,
            deidentify.days_since(anchor, marks.first_pain_free_walk),
            "a walk logged with no pain at the injury site",
        ),
        Milestone(
            "First run",
            marks.first_run,
            deidentify.days_since(anchor, marks.first_run),
            "the first run or walk-run logged, or running session of the plan done, since rehab "
            "began (the plan's start, or the decision to start rehab)",
        ),
        Milestone(
            "Full volume",
            marks.full_volume,
            deidentify.days_since(anchor, marks.full_volume),
            volume,
        ),
    ]


def _outcomes(intake, logged, load_summary, weekly_m, trend, unit) -> list[Outcome]:
    answers = intake.answers if intake else {}
    latest = logged[-1] if logged else None

    def pain(value) -> str:
        return f"{value:g}/10" if isinstance(value, int | float) else "not recorded"

    last_week = load_summary.weeks[-2]["distance"] if len(load_summary.weeks) > 1 else None
    return [
        Outcome("Pain at the injury site", pain(answers.get("pain_now")), pain(trend.recent_mean)),
        Outcome(
            "Worst pain",
            pain(answers.get("pain_worst")),
            pain(max((d.site_pain for d in logged[-7:] if d.site_pain is not None), default=None))
            if latest
            else "not recorded",
        ),
        Outcome(
            "Running per week",
            f"{cohort.in_unit(weekly_m, unit):.1f} {unit}" if weekly_m else "not recorded",
            f"{last_week:.1f} {unit} (last full week)" if last_week is not None else "not recorded",
        ),
    ]
