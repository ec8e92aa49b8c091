"""Follow-up visits: a therapist books one on the patient's page in the runner's time zone, the
runner sees it on Today, and a missed visit reaches a person."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent, Membership
from clinic.tests import factories as clinic_factories
from notifications.models import Kind, Notification
from rehab.models import CareTask, CareTaskKind, Visit, VisitStatus
from rehab.tests.factories import VisitFactory

DENVER = zoneinfo.ZoneInfo("America/Denver")


def tomorrow_in(zone) -> dt.date:
    return timezone.localdate(timezone=zone) + dt.timedelta(days=1)


@pytest.fixture
def runner_in_denver(pat):
    pat.time_zone = "America/Denver"
    pat.save(update_fields=["time_zone"])
    return pat


def book(client, patient, **fields):
    data = {
        "day": tomorrow_in(DENVER).isoformat(),
        "at": "10:30",
        "mode": "in_clinic",
        "video_url": "",
        "therapist": patient.therapist_id,
        "note": "Bring your running shoes.",
        **fields,
    }
    return client.post(reverse("visit_book", args=[patient.pk]), data)


def test_a_therapist_books_a_visit_at_the_runners_local_time(client, alice, runner_in_denver):
    client.force_login(alice)
    response = book(client, runner_in_denver)
    assert response.status_code == 302
    visit = Visit.objects.get(patient=runner_in_denver)
    expected = dt.datetime.combine(tomorrow_in(DENVER), dt.time(10, 30), tzinfo=DENVER)
    assert visit.starts_at == expected  # stored as that instant (UTC in the database)
    assert visit.status == VisitStatus.BOOKED and visit.therapist == alice
    assert AuditEvent.objects.filter(action="visit.book", object_id=str(visit.pk)).exists()
    page = client.get(response.url).content.decode()
    assert "Follow-up visit booked for" in page and "10:30" in page
    assert "Bring your running shoes." in page and "America/Denver" in page
    day = tomorrow_in(DENVER)
    assert f"{day:%a} {day.day} {day:%b} {day.year}, 10:30" in page  # the runner's wall clock


def test_a_video_visit_keeps_its_https_link(client, alice, pat):
    client.force_login(alice)
    book(client, pat, mode="video", video_url="https://meet.example/pat-lane")
    visit = Visit.objects.get(patient=pat)
    assert visit.is_video and visit.video_url == "https://meet.example/pat-lane"


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"at": "00:00", "day": "2020-01-01"}, "at", "That time has passed"),
        ({"mode": "video", "video_url": ""}, "video_url", "Paste the link of the video call"),
        ({"mode": "video", "video_url": "http://meet.example/x"}, "video_url", "https://"),
        ({"mode": "video", "video_url": "javascript:alert(1)"}, "video_url", "https://"),
        ({"video_url": "https://meet.example/x"}, "video_url", "has no video link"),
        ({"day": "2030-02-30"}, "day", "Enter a valid date"),
        ({"at": "25:99"}, "at", "Enter a valid time"),
        ({"therapist": "999999"}, "therapist", "physical therapist of this clinic"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_books_nothing(
    client, alice, pat, fields, field, message
):
    client.force_login(alice)
    response = book(client, pat, **fields)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_another_clinics_therapist_cannot_be_chosen(client, alice, pat, bob):
    client.force_login(alice)
    response = book(client, pat, therapist=bob.pk)
    assert response.status_code == 400 and not Visit.objects.exists()


def test_the_runner_sees_the_next_visit_on_today(client, pat):
    starts = timezone.now() + dt.timedelta(days=3)
    VisitFactory(patient=pat, starts_at=starts, mode="video", video_url="https://meet.example/pat")
    VisitFactory(patient=pat, starts_at=starts - dt.timedelta(days=1), status="cancelled")
    client.force_login(pat.user)
    page = client.get(reverse("today")).content.decode()
    local = starts.astimezone(zoneinfo.ZoneInfo(pat.time_zone))
    assert f"{local:%A} {local.day} {local:%B}" in page and f"{local:%H:%M}" in page
    assert "Join the video call" in page and 'href="https://meet.example/pat"' in page


def test_today_shows_no_visit_once_it_is_cancelled_or_past(client, pat):
    VisitFactory(patient=pat, status="cancelled")
    VisitFactory(patient=pat, starts_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(pat.user)
    assert "Follow-up visit" not in client.get(reverse("today")).content.decode()


def test_a_missed_visit_opens_a_task_and_tells_the_owner(client, adam, alice, pat):
    visit = VisitFactory(patient=pat, starts_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(adam)
    response = client.post(reverse("visit_missed", args=[pat.pk, visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.MISSED and visit.closed_by == adam
    task = CareTask.objects.get(patient=pat, kind=CareTaskKind.MISSED_VISIT)
    assert task.assignee == alice and task.role == "therapist"
    notice = Notification.objects.get(kind=Kind.VISIT_MISSED)
    assert notice.recipient == alice
    assert notice.title == "Pat Lane missed a follow-up visit"
    assert notice.url == reverse("patient_detail", args=[pat.pk])
    assert AuditEvent.objects.filter(action="visit.missed", object_id=str(visit.pk)).exists()


def test_a_missed_visit_of_an_unowned_patient_reaches_the_clinics_inbox(
    client, clinic_a, adam, alice, pat
):
    on_duty = clinic_factories.member(clinic_a, "therapist", email="tess@alder.example")
    Membership.objects.filter(user=on_duty).update(on_duty=True)
    pat.therapist = None
    pat.save(update_fields=["therapist"])
    visit = VisitFactory(patient=pat, therapist=alice)
    client.force_login(alice)
    client.post(reverse("visit_missed", args=[pat.pk, visit.pk]))
    recipients = set(
        Notification.objects.filter(kind=Kind.VISIT_MISSED).values_list("recipient", flat=True)
    )
    assert recipients == {adam.pk, on_duty.pk}
    assert CareTask.objects.filter(kind=CareTaskKind.MISSED_VISIT, assignee=None).exists()


def test_attended_and_cancelled_are_recorded_once(client, alice, pat):
    attended, cancelled = VisitFactory(patient=pat), VisitFactory(patient=pat)
    client.force_login(alice)
    client.post(reverse("visit_attended", args=[pat.pk, attended.pk]))
    client.post(reverse("visit_cancel", args=[pat.pk, cancelled.pk]))
    again = client.post(reverse("visit_missed", args=[pat.pk, cancelled.pk]), follow=True)
    assert "already marked cancelled" in again.content.decode()
    statuses = dict(Visit.objects.values_list("pk", "status"))
    assert statuses == {attended.pk: "attended", cancelled.pk: "cancelled"}
    assert not Notification.objects.filter(kind=Kind.VISIT_MISSED).exists()
    actions = set(AuditEvent.objects.filter(action__startswith="visit.").values_list("action"))
    assert actions == {("visit.attended",), ("visit.cancelled",)}


def test_moving_a_visit_keeps_it_and_audits_the_change(client, alice, pat):
    visit = VisitFactory(patient=pat)
    client.force_login(alice)
    assert client.get(reverse("visit_edit", args=[pat.pk, visit.pk])).status_code == 200
    day = tomorrow_in(zoneinfo.ZoneInfo(pat.time_zone)) + dt.timedelta(days=5)
    response = client.post(
        reverse("visit_edit", args=[pat.pk, visit.pk]),
        {"day": day.isoformat(), "at": "16:15", "mode": "in_clinic", "therapist": alice.pk},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.local_starts_at.date() == day and f"{visit.local_starts_at:%H:%M}" == "16:15"
    assert set(
        AuditEvent.objects.filter(object_id=str(visit.pk)).values_list("action", flat=True)
    ) == {"visit.view", "visit.update"}


def test_the_care_team_sees_no_visits_panel(client, coach_cole, pat):
    VisitFactory(patient=pat, note="Bring your shoes")
    client.force_login(coach_cole)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Follow-up visits" not in page and "Bring your shoes" not in page


def test_todays_visits_for_the_worklist(alice, pat, pia, bea, bob):
    now = timezone.now()
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=zone)
    mine = VisitFactory(patient=pat, starts_at=noon)
    VisitFactory(patient=pia, starts_at=noon, status="cancelled")
    VisitFactory(patient=pia, starts_at=noon + dt.timedelta(days=1))
    VisitFactory(patient=bea, starts_at=noon)  # bob's, another clinic
    visits = Visit.objects.today_for_therapist(alice, clinic=pat.clinic, today=today)
    assert list(visits) == [mine]
    assert Visit.objects.next_for(pia, now) is not None


def test_the_patient_page_costs_the_same_with_many_visits(
    client, alice, pat, django_assert_max_num_queries
):
    VisitFactory(patient=pat)
    client.force_login(alice)
    url = reverse("patient_detail", args=[pat.pk])
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    for days in range(3, 15):
        VisitFactory(patient=pat, starts_at=timezone.now() + dt.timedelta(days=days))
        VisitFactory(
            patient=pat, starts_at=timezone.now() - dt.timedelta(days=days), status="attended"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_today_costs_the_same_with_a_visit(client, pat, django_assert_max_num_queries):
    client.force_login(pat.user)
    with django_assert_max_num_queries(80) as without:
        client.get(reverse("today"))
    VisitFactory(patient=pat)
    VisitFactory(patient=pat, starts_at=timezone.now() + dt.timedelta(days=9))
    with django_assert_max_num_queries(len(without.captured_queries)):
        assert "Follow-up visit" in client.get(reverse("today")).content.decode()
