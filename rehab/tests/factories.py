"""Factories for daily logs and alerts, plus `day_log()` to write one day in a line."""

import datetime as dt

import factory

from rehab.models import Activity, Alert, DailyLog


class DailyLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyLog

    date = factory.LazyFunction(dt.date.today)
    site_pain = 1


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = "walk"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    rule = "site_pain_high"
    key = factory.Sequence(lambda n: f"site_pain_high:{dt.date(2026, 1, 1) + dt.timedelta(days=n)}")
    reason = "Site pain 6/10 over the day (alert at 5/10)."
    evidence = "D — SEMC; C — Vincent 2022"
    section = "§5 Progression rules"
    dates = factory.LazyAttribute(lambda alert: [alert.last_date.isoformat()])
    last_date = factory.LazyFunction(dt.date.today)
    rules_version = "2026.1"


def day_log(patient, date, pain=1, *, morning=None, during=None, run_m=None, **fields) -> DailyLog:
    """One day's log; `run_m` adds a run of that many metres."""
    log = DailyLogFactory(
        patient=patient,
        date=date,
        site_pain=pain,
        morning_pain=morning,
        activity_pain=during,
        **fields,
    )
    if run_m is not None:
        ActivityFactory(log=log, kind="run", distance_m=run_m, duration_min=30)
    return log
