"""The clinician's worklist: each block lists what waits for them, most urgent first, with a link
to act and an "all clear" when nothing waits; the navigation counts what waits, in fixed queries."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Membership, Patient
from clinic.tests import factories
from intake.models import Intake
from intake.tests.factories import FEMORAL_NECK, submitted_intake
from rehab import worklist
from rehab.models import Alert, DailyLog
from rehab.tests.factories import (
    AlertFactory,
    VisitFactory,
    active_plan,
    day_log,
    pending_proposal,
)


class _Text(HTMLParser):
    def __init__(self, within: str | None):
        super().__init__()
        self.within, self.depth, self.parts = within, 0 if within else 1, []

    def handle_starttag(self, tag, attrs):
        if tag == self.within:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == self.within:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth > 0:
            self.parts.append(data)


def text_of(response, within: str | None = None) -> str:
    """The page's text as a person reads it (screen-reader text included), spaces collapsed;
    only inside `within` elements when given."""
    parser = _Text(within)
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", "".join(parser.parts))


def runner(clinic, therapist, *, email, first_name="Ursa", last_name="Vale"):
    return factories.patient_with_account(
        clinic, therapist, email=email, first_name=first_name, last_name=last_name
    )


def worklist_page(client, user):
    client.force_login(user)
    response = client.get(reverse("worklist"))
    assert response.status_code == 200
    return response


def block(response, name):
    return response.context["blocks"][name]


def test_a_therapist_starts_her_day_on_the_worklist(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home")).url == reverse("worklist")


def test_an_admin_who_does_not_treat_still_starts_on_the_clinic_page(client, adam):
    client.force_login(adam)
    assert client.get(reverse("home")).url == reverse("clinic_admin")


def test_an_empty_day_says_all_is_clear(client, alice):
    body = text_of(worklist_page(client, alice))
    assert "All clear: no open alerts for your patients." in body
    assert "All clear: no intake with a red flag is waiting." in body
    assert "All clear: no plan change waits for you." in body
    assert "No follow-up visits booked with you today." in body
    assert "All clear: every runner on a plan has logged in the last three days." in body


def test_the_pain_alert_comes_first_even_when_older_alerts_are_newer(client, alice, pat, pia):
    today = timezone.localdate()
    AlertFactory(patient=pia, rule="no_log", key="no_log:x", last_date=today)
    AlertFactory(patient=pia, rule="running_not_allowed", key="run:x", last_date=today)
    pain = AlertFactory(patient=pat, last_date=today - dt.timedelta(days=1))
    response = worklist_page(client, alice)
    alerts = block(response, "alerts")
    assert alerts.items[0] == pain and alerts.count == 3
    assert [a.severity for a in alerts.items] == ["urgent", "review", "review"]
    body = text_of(response)
    assert body.index("Urgent") < body.index("Pat Lane") < body.index("To review")


def test_alerts_of_other_therapists_and_other_clinics_stay_off_my_worklist(
    client, alice, clinic_a, bea
):
    tom = factories.member(clinic_a, "therapist", email="tom@alder.example")
    toms = runner(clinic_a, tom, email="t@runner.example")
    AlertFactory(patient=toms)
    AlertFactory(patient=bea)
    assert block(worklist_page(client, alice), "alerts").count == 0


def test_an_acknowledged_alert_leaves_the_worklist(client, alice, pat):
    alert = AlertFactory(patient=pat)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=timezone.now())
    assert block(worklist_page(client, alice), "alerts").items == []


def test_a_red_flag_intake_waits_until_someone_else_takes_it(client, alice, clinic_a, pat):
    intake = submitted_intake(clinic_a, pat, FEMORAL_NECK)
    assert intake.red_flag_level
    calm = submitted_intake(clinic_a, pat, {"region": "shin_inner", "pain_localized": "spread"})
    assert not calm.red_flag_level
    response = worklist_page(client, alice)
    assert block(response, "red_flags").items == [intake]
    assert reverse("intake_detail", args=[intake.pk]) in response.content.decode()

    tom = factories.member(clinic_a, "therapist", email="tom@alder.example")
    Intake.objects.filter(pk=intake.pk).update(assigned_to=tom, status=Intake.Status.IN_REVIEW)
    assert block(worklist_page(client, alice), "red_flags").items == []


def test_approvals_waiting_for_my_patients_link_to_the_plan(client, alice, pat):
    plan = active_plan(pat, start=timezone.localdate(), by=alice)
    proposal = pending_proposal(plan)
    response = worklist_page(client, alice)
    assert block(response, "approvals").items == [proposal]
    assert f"{reverse('patient_detail', args=[pat.pk])}#plan" in response.content.decode()


def test_a_runner_silent_for_three_whole_days_is_listed(client, alice, pat, pia):
    today = timezone.localdate()
    start = today - dt.timedelta(days=20)
    for patient in (pat, pia):
        active_plan(patient, start=start, by=alice)
    day_log(pat, today - dt.timedelta(days=4))  # then three whole days without one
    day_log(pia, today - dt.timedelta(days=3))  # two whole days: not yet
    response = worklist_page(client, alice)
    silent = block(response, "silent")
    assert [plan.patient for plan in silent.items] == [pat]
    assert silent.items[0].silent_days == 3
    assert "No log for 3 days" in text_of(response)


def test_a_runner_who_never_logged_counts_from_her_first_day(client, alice, pat, pia):
    today = timezone.localdate()
    for patient in (pat, pia):
        active_plan(patient, start=today - dt.timedelta(days=10), by=alice)
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    pat.user.date_joined = timezone.now() - dt.timedelta(days=10)
    pat.user.save()
    DailyLog.objects.filter(patient=pia).delete()
    silent = block(worklist_page(client, alice), "silent")
    assert [plan.patient for plan in silent.items] == [pat]  # pia joined today
    assert "never logged" in text_of(worklist_page(client, alice))


def test_todays_visits_are_listed_in_order_and_tomorrows_are_not(client, alice, pat, pia):
    now = timezone.localtime()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    later = VisitFactory(patient=pat, starts_at=noon + dt.timedelta(hours=3))
    earlier = VisitFactory(patient=pia, starts_at=noon - dt.timedelta(hours=3))
    VisitFactory(patient=pat, starts_at=noon + dt.timedelta(days=1))
    response = worklist_page(client, alice)
    assert block(response, "visits").items == [earlier, later]
    assert "09:00" in text_of(response) and "15:00" in text_of(response)


def test_the_inbox_keeper_sees_unowned_patients_and_takes_one(client, alice, clinic_a):
    Membership.objects.filter(user=alice).update(on_duty=True)
    ursa = runner(clinic_a, None, email="u@runner.example")
    AlertFactory(patient=ursa)
    response = worklist_page(client, alice)
    assert block(response, "unowned").items == [ursa]
    assert block(response, "alerts").count == 1  # her signals reach the inbox too
    assert "Patients without a therapist" in text_of(response)

    taken = client.post(
        reverse("patient_owner", args=[ursa.pk]),
        {"therapist": alice.pk, "next": reverse("worklist")},
    )
    assert taken.url == reverse("worklist")
    after = client.get(reverse("worklist"))
    assert block(after, "unowned").items == []
    assert "every active patient has a responsible therapist" in text_of(after)


def test_a_therapist_off_duty_has_no_unowned_block(client, alice, adam, clinic_a):
    runner(clinic_a, None, email="u@runner.example")
    response = worklist_page(client, alice)
    assert block(response, "unowned") is None
    assert "Patients without a therapist" not in text_of(response)


def test_the_navigation_counts_what_waits_with_words_for_screen_readers(
    client, alice, clinic_a, pat
):
    AlertFactory(patient=pat)
    AlertFactory(patient=pat, rule="no_log", key="no_log:x")
    plan = active_plan(pat, start=timezone.localdate(), by=alice)
    pending_proposal(plan)
    submitted_intake(clinic_a, pat, FEMORAL_NECK)
    client.force_login(alice)
    nav = text_of(client.get(reverse("caseload")), "nav")
    assert "Alerts 2 open for your patients" in nav
    assert "Approvals 1 waiting for you" in nav
    assert "Triage 1 waiting for you" in nav


def test_the_navigation_shows_no_count_when_nothing_waits(client, alice):
    client.force_login(alice)
    nav = text_of(client.get(reverse("caseload")), "nav")
    assert "waiting for you" not in nav and "open for your patients" not in nav


def test_the_care_team_gets_no_counts(client, coach_cole, pat):
    AlertFactory(patient=pat)
    client.force_login(coach_cole)
    response = client.get(reverse("care_team_home"))
    assert "nav_counts" not in response.context
    assert "open for your patients" not in response.content.decode()


def _fill_the_clinic(clinic, therapist, n: int, *, first: int = 0) -> None:
    """`n` runners on plans with alerts, proposals, red-flag intakes and visits, silent too."""
    today = timezone.localdate()
    for i in range(first, first + n):
        patient = runner(clinic, therapist, email=f"r{i}@x.example")
        Patient.objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(30))
        plan = active_plan(patient, start=today - dt.timedelta(days=20), by=therapist)
        pending_proposal(plan)
        day_log(patient, today - dt.timedelta(days=6))
        AlertFactory(patient=patient)
        AlertFactory(patient=patient, rule="no_log", key="no_log:x")
        submitted_intake(clinic, patient, FEMORAL_NECK)
        VisitFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(minutes=5))
        runner(clinic, None, email=f"u{i}@x.example")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["worklist", "caseload"])
def test_the_worklist_and_the_counts_do_not_grow_with_the_clinic(
    client, alice, clinic_a, django_assert_max_num_queries, url_name
):
    Membership.objects.filter(user=alice).update(on_duty=True)  # with the unowned block
    client.force_login(alice)
    url = reverse(url_name)
    client.get(url)  # the session's first request also records its policy
    # Past a block's size (a block of fewer rows skips its count query), then three times as many.
    _fill_the_clinic(clinic_a, alice, worklist.BLOCK_SIZE + 1)
    few = _queries(client, url)
    assert few <= {"worklist": 18, "caseload": 11}[url_name]  # measured: 18 and 11
    _fill_the_clinic(clinic_a, alice, 2 * worklist.BLOCK_SIZE + 2, first=worklist.BLOCK_SIZE + 1)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    if url_name == "worklist":
        blocks = response.context["blocks"]
        for name in ("alerts", "red_flags", "approvals", "silent", "unowned"):
            assert blocks[name].count > worklist.BLOCK_SIZE and blocks[name].more, name
        assert "See all" in response.content.decode()


def test_the_navigation_counts_take_one_query(rf, alice, adam, clinic_a, pat):
    AlertFactory(patient=pat)
    request = rf.get("/")
    request.user, request.session = adam, {}
    with CaptureQueriesContext(connection) as queries:
        counts = worklist.nav_counts(request)
    assert counts == {"triage": 0, "alerts": 0, "approvals": 0}  # pat is alice's
    assert len([q for q in queries if "COUNT" in q["sql"]]) == 1
