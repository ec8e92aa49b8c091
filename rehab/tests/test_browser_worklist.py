"""In Chromium: a therapist signs in to her worklist, the pain alert first, counts in the
navigation, and takes an unowned runner from it. Screenshots at 390 and 1280 px go to
artifacts/screenshots/worklist-*.png.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Membership, Patient
from clinic.tests import factories
from clinic.tests.browser import login, open_the_phone_menu, screenshot
from clinic.tests.factories import PASSWORD
from intake.tests.factories import FEMORAL_NECK, submitted_intake
from rehab.tests.factories import AlertFactory, VisitFactory, active_plan

pytestmark = pytest.mark.browser


def a_clinic_day():
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    Membership.objects.filter(user=alice).update(on_duty=True)
    today = timezone.localdate()
    pat = factories.patient_with_account(
        clinic, alice, email="pat@runner.example", first_name="Pat", last_name="Lane"
    )
    pia = factories.patient_with_account(
        clinic, alice, email="pia@runner.example", first_name="Pia", last_name="Stone"
    )
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    submitted_intake(
        clinic, pat, {"region": "shin_front", "side": "left", "confirmed_site": "anterior_tibia"}
    )
    active_plan(pat, start=today - dt.timedelta(days=10), by=alice)
    AlertFactory(patient=pia, rule="no_log", key="no_log:1", reason="No log for 3 days.")
    AlertFactory(
        patient=pat,
        last_date=today - dt.timedelta(days=1),
        reason="Site pain 8/10 over the day (alert at 5/10).",
    )
    submitted_intake(clinic, pia, FEMORAL_NECK)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    VisitFactory(patient=pia, starts_at=noon + dt.timedelta(hours=4))
    ursa = factories.patient_with_account(
        clinic, None, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )
    return alice, pat, ursa


@pytest.mark.parametrize("width", [390, 1280])
def test_the_therapist_starts_from_her_worklist_and_takes_an_unowned_runner(
    live_server, page_at, transactional_db, width
):
    alice, pat, ursa = a_clinic_day()
    page = page_at(width)
    login(page, live_server, "alice@alder.example", PASSWORD)
    assert page.url == f"{live_server.url}/worklist/"
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()

    alerts = page.get_by_role("region", name="Open alerts")
    expect(alerts.get_by_role("heading", level=3).first).to_have_text("Urgent")
    first = alerts.get_by_role("listitem").first
    expect(first).to_contain_text("Pat Lane")
    expect(first).to_contain_text("Site pain 8/10")
    expect(page.get_by_role("region", name="Red-flag intakes waiting")).to_contain_text("Pia")
    expect(page.get_by_role("region", name="Follow-up visits today")).to_contain_text("16:00")
    screenshot(page, f"worklist-{width}")

    if width < 576:
        open_the_phone_menu(page)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Alerts 2 open for your patients")).to_be_visible()
    expect(nav.get_by_role("link", name="Triage 2 waiting for you")).to_be_visible()
    if width < 576:
        screenshot(page, f"worklist-menu-{width}")
        page.get_by_role("button", name="Open the menu").click()

    # Keyboard: the summary link moves focus to its block; Take is reached and pressed by keys.
    page.get_by_role("link", name="1 unowned").focus()
    page.keyboard.press("Enter")
    unowned = page.get_by_role("region", name="Patients without a therapist")
    expect(unowned).to_be_focused()
    unowned.get_by_role("button", name="Take Ursa Vale").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("You are now responsible for Ursa Vale")
    assert page.url == f"{live_server.url}/worklist/"
    expect(page.get_by_role("region", name="Patients without a therapist")).to_contain_text(
        "All clear"
    )
    screenshot(page, f"worklist-taken-{width}")
    assert Patient.objects.get(pk=ursa.pk).therapist == alice

    # The caseload and the patient's header: site, side, phase and days in care at a glance.
    page.goto(f"{live_server.url}/caseload/")
    row = page.get_by_role("row").filter(has_text="Lane, Pat")
    expect(row).to_contain_text("Anterior tibial cortex (front of the shin), left")
    expect(row).to_contain_text("Protect")
    expect(row).to_contain_text("day 11")
    screenshot(page, f"caseload-glance-{width}")
    row.get_by_role("link", name="Lane, Pat").click()
    glance = page.locator(".page-head .glance")
    expect(glance).to_contain_text("Anterior tibial cortex (front of the shin), left")
    expect(glance).to_contain_text("Protect")
    expect(glance).to_contain_text("Day 11 in care")
    screenshot(page, f"patient-glance-{width}")
