"""A "follow-up" decision on an intake books the visit: date and time in the runner's zone."""

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.tests.factories import PatientFactory
from intake.tests.factories import FOCAL_ANTERIOR_SHIN, submitted_intake
from rehab.models import Visit

SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")


def decide(client, intake, **fields):
    data = {"kind": "follow_up", "notes": "Re-check in a week", **fields}
    return client.post(reverse("intake_decide", args=[intake.pk]), data)


def test_a_follow_up_decision_books_the_visit_at_the_runners_local_time(client, alice, clinic_a):
    runner = PatientFactory(clinic=clinic_a, last_name="Follow", time_zone="Australia/Sydney")
    intake = submitted_intake(clinic_a, runner, FOCAL_ANTERIOR_SHIN)
    day = timezone.localdate(timezone=SYDNEY) + dt.timedelta(days=7)
    client.force_login(alice)
    response = decide(
        client,
        intake,
        follow_up_on=day.isoformat(),
        follow_up_time="09:15",
        follow_up_mode="video",
        follow_up_video_url="https://meet.example/follow",
    )
    assert response.status_code == 302
    visit = Visit.objects.get(patient=runner)
    assert visit.starts_at == dt.datetime.combine(day, dt.time(9, 15), tzinfo=SYDNEY)
    assert visit.intake == intake and visit.therapist == alice and visit.created_by == alice
    assert visit.video_url == "https://meet.example/follow"
    assert visit.note == ""  # the decision's notes stay the clinic's
    assert AuditEvent.objects.filter(action="visit.book", object_id=str(visit.pk)).exists()
    page = client.get(response.url).content.decode()
    assert "Follow-up visit booked for" in page and "09:15" in page


def test_a_follow_up_needs_a_time_and_a_valid_link(client, alice, clinic_a):
    intake = submitted_intake(clinic_a, PatientFactory(clinic=clinic_a), FOCAL_ANTERIOR_SHIN)
    client.force_login(alice)
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = decide(client, intake, follow_up_on=tomorrow)
    assert response.status_code == 400
    assert "Choose the time of the follow-up visit" in response.content.decode()
    response = decide(
        client,
        intake,
        follow_up_on=tomorrow,
        follow_up_time="09:00",
        follow_up_mode="video",
        follow_up_video_url="ftp://meet.example/x",
    )
    assert response.status_code == 400
    assert "https://" in str(response.context["decision_form"].errors["follow_up_video_url"])
    assert not intake.decisions.exists() and not Visit.objects.exists()


def test_other_decisions_book_no_visit(client, alice, clinic_a):
    intake = submitted_intake(clinic_a, PatientFactory(clinic=clinic_a), FOCAL_ANTERIOR_SHIN)
    client.force_login(alice)
    client.post(reverse("intake_decide", args=[intake.pk]), {"kind": "not_bsi", "notes": ""})
    assert intake.decisions.exists() and not Visit.objects.exists()
