"""The follow-up visit reminder: the evening before, at the runner's daily time in their zone,
once per visit and start, never for a cancelled visit, again for a moved one."""

import datetime as dt

import pytest

from notifications import services
from notifications.models import Channel, Delivery, Kind, Notification, ReminderPreference
from notifications.planning import visit_reminder_moment
from notifications.schedule import UTC, zone_named
from notifications.tests.factories import reminder_patient
from notifications.tests.sending import sent_in_process
from rehab import services as rehab_services
from rehab.models import VisitStatus
from rehab.tests.factories import VisitFactory

DENVER = zone_named("America/Denver")
LONDON = zone_named("Europe/London")
VISIT_DAY = dt.date(2027, 3, 16)


def local(day: dt.date, hour: int, minute: int = 0, zone=DENVER) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(UTC)


EVE = local(VISIT_DAY - dt.timedelta(days=1), 19)  # the default daily time, the day before


@pytest.fixture
def runner(clinic_a, alice):
    patient = reminder_patient(clinic_a, alice, email="robin@runner.example")
    patient.time_zone = "America/Denver"
    patient.save(update_fields=["time_zone"])
    return patient


def visit_rows():
    return sorted(
        Delivery.objects.filter(kind=Kind.VISIT_REMINDER).values_list("channel", "due_at", "key")
    )


def test_the_reminder_falls_due_the_evening_before_at_the_daily_time_in_the_runners_zone():
    starts = local(VISIT_DAY, 10, 30)
    assert visit_reminder_moment(starts, DENVER, dt.time(19)) == EVE
    # A visit early in the morning is still reminded the evening before, local time.
    early = local(VISIT_DAY, 0, 30)
    assert visit_reminder_moment(early, DENVER, dt.time(19)) == EVE


def test_across_the_clocks_changing_the_wall_clock_time_holds():
    # Europe/London moves to summer time on 28 March 2027.
    starts = local(dt.date(2027, 3, 29), 9, zone=LONDON)
    moment = visit_reminder_moment(starts, LONDON, dt.time(19))
    assert moment == local(dt.date(2027, 3, 28), 19, zone=LONDON)
    assert moment.astimezone(LONDON).hour == 19


def test_it_is_planned_once_per_channel_however_often_the_planner_runs(runner, alice):
    visit = VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10, 30))
    assert services.visit_reminders_plan(now=EVE - dt.timedelta(minutes=5)) == 0
    for minutes in (2, 5, 10, 90):
        services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=minutes))
    key = visit.reminder_key()
    assert visit_rows() == [(Channel.EMAIL, EVE, key), (Channel.IN_APP, EVE, key)]
    row = Delivery.objects.get(kind=Kind.VISIT_REMINDER, channel=Channel.IN_APP)
    assert row.recipient == runner.user and row.context["time"] == "10:30"


def test_the_runners_own_daily_time_and_quiet_hours_apply(runner):
    ReminderPreference.objects.create(patient=runner, daily_time=dt.time(22, 30))
    VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 15))
    eve = local(VISIT_DAY - dt.timedelta(days=1), 22, 30)
    services.visit_reminders_plan(now=eve + dt.timedelta(minutes=1))
    email = Delivery.objects.get(kind=Kind.VISIT_REMINDER, channel=Channel.EMAIL)
    in_app = Delivery.objects.get(kind=Kind.VISIT_REMINDER, channel=Channel.IN_APP)
    assert in_app.send_after == eve  # silent, so not held back
    assert email.send_after == local(VISIT_DAY, 7)  # after quiet hours (22:00-07:00)


def test_no_reminder_for_a_cancelled_visit_or_without_consent(runner, clinic_a, alice):
    VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10), status=VisitStatus.CANCELLED)
    no_consent = reminder_patient(clinic_a, alice, email="nc@runner.example", consent=False)
    no_consent.time_zone = "America/Denver"
    no_consent.save(update_fields=["time_zone"])
    VisitFactory(patient=no_consent, starts_at=local(VISIT_DAY, 10))
    services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=2))
    assert visit_rows() == []


def test_a_visit_cancelled_after_planning_is_not_sent(runner, alice, mailoutbox):
    visit = VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10))
    services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=2))
    rehab_services.visit_close(visit=visit, status=VisitStatus.CANCELLED, by=alice)
    for row in Delivery.objects.filter(kind=Kind.VISIT_REMINDER):
        assert services.delivery_send(row.pk, now=EVE + dt.timedelta(minutes=3)) == "skipped"
    assert set(Delivery.objects.values_list("reason", flat=True)) == {"visit cancelled"}
    assert mailoutbox == []


def test_a_moved_visit_is_reminded_again_and_the_old_reminder_dropped(runner, alice):
    visit = VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10))
    services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=2))
    old_key = visit.reminder_key()
    moved = local(VISIT_DAY, 14)
    rehab_services.visit_update(
        visit=visit, therapist=alice, starts_at=moved, mode="in_clinic", video_url="", note=""
    )
    visit.refresh_from_db()
    services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=7))
    keys = Delivery.objects.filter(kind=Kind.VISIT_REMINDER).values_list("key", flat=True)
    assert sorted(set(keys)) == sorted({old_key, visit.reminder_key()})
    old = Delivery.objects.filter(key=old_key, channel=Channel.IN_APP).get()
    assert services.delivery_send(old.pk, now=EVE + dt.timedelta(minutes=8)) == "skipped"
    old.refresh_from_db()
    assert old.reason == "visit moved"


def test_the_runner_gets_it_in_the_app_and_by_e_mail_with_the_video_link(runner, mailoutbox):
    VisitFactory(
        patient=runner,
        starts_at=local(VISIT_DAY, 10, 30),
        mode="video",
        video_url="https://meet.example/robin",
    )
    with sent_in_process():
        services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=2))
        for row in Delivery.objects.filter(kind=Kind.VISIT_REMINDER):
            services.delivery_send(row.pk, now=EVE + dt.timedelta(minutes=3))
    notice = Notification.objects.get(recipient=runner.user, kind=Kind.VISIT_REMINDER)
    assert notice.title == "Your follow-up visit is tomorrow at 10:30"
    assert "https://meet.example/robin" in notice.body and notice.url == "/me/today/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.endswith("Your follow-up visit is tomorrow at 10:30")
    assert "https://meet.example/robin" in mailoutbox[0].body


def test_the_dispatch_plans_visit_reminders(runner):
    VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10, 30))
    result = services.reminders_dispatch(now=EVE + dt.timedelta(minutes=2))
    assert result.planned >= 2
    assert len(visit_rows()) == 2


def test_planning_visit_reminders_costs_the_same_for_many_visits(
    runner, clinic_a, alice, django_assert_num_queries
):
    VisitFactory(patient=runner, starts_at=local(VISIT_DAY, 10))
    with django_assert_num_queries(3):
        services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=2))
    for n in range(10):
        other = reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
        other.time_zone = "America/Denver"
        other.save(update_fields=["time_zone"])
        VisitFactory(patient=other, starts_at=local(VISIT_DAY, 11))
    with django_assert_num_queries(3):
        services.visit_reminders_plan(now=EVE + dt.timedelta(minutes=4))
    assert len(visit_rows()) == 22
