"""In Chromium: a therapist books a follow-up video visit on the runner's page (a bad link is
explained beside the field first), and the runner sees it on Today on her phone. Screenshots go
to artifacts/screenshots/visits-*.png (booking at 1280 px, Today at 390 px).
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from rehab.models import Visit, patient_zone

pytestmark = pytest.mark.browser


def test_a_therapist_books_a_video_visit_and_the_runner_sees_it_on_today(
    live_server, page_at, transactional_db
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    runner = factories.patient_with_account(
        clinic, alice, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )
    runner.time_zone = "America/Denver"
    runner.save(update_fields=["time_zone"])
    runner.user.time_zone = "America/Denver"
    runner.user.save(update_fields=["time_zone"])
    day = timezone.localdate(timezone=patient_zone(runner)) + dt.timedelta(days=2)

    desk = page_at(1280, expected_errors=("status of 400",))
    login(desk, live_server, alice.email, PASSWORD)
    desk.goto(f"{live_server.url}/patients/{runner.pk}/")
    panel = desk.locator("#visits")
    expect(panel).to_contain_text("No visit booked.")
    panel.get_by_label("Date").fill(day.isoformat())
    panel.get_by_label("Time").fill("10:30")
    panel.get_by_label("Video call").check()
    panel.get_by_label("Video link").fill("http://meet.example/ursa")
    panel.get_by_label("Note to the runner").fill("Have your shoes nearby.")
    panel.get_by_role("button", name="Book the visit").click()
    expect(desk.locator("#div_id_video_url")).to_contain_text("https://")
    assert not Visit.objects.exists()
    desk.get_by_label("Video link").fill("https://meet.example/ursa")
    desk.get_by_role("button", name="Book the visit").click()
    expect(desk.locator(".alert").first).to_contain_text("Follow-up visit booked for")
    panel = desk.locator("#visits")
    expect(panel).to_contain_text("10:30")
    expect(panel).to_contain_text("America/Denver")
    expect(panel.get_by_role("button", name="Mark missed")).to_be_visible()
    panel.scroll_into_view_if_needed()
    screenshot(desk, "visits-booked-1280")
    visit = Visit.objects.get()
    assert visit.starts_at == dt.datetime.combine(day, dt.time(10, 30), tzinfo=patient_zone(runner))

    phone = page_at(390)
    login(phone, live_server, runner.email, PASSWORD)
    phone.goto(f"{live_server.url}/me/today/")
    card = phone.locator(".visit-card")
    expect(card).to_contain_text(f"{day:%A} {day.day} {day:%B} at 10:30")
    expect(card).to_contain_text("Have your shoes nearby.")
    join = card.get_by_role("link", name="Join the video call")
    expect(join).to_have_attribute("href", "https://meet.example/ursa")
    screenshot(phone, "visits-today-390")
