"""In Chromium: a runner without a responsible therapist shows as unowned on her page, and one
choice reassigns her. Screenshots of the patient page with the control at 390 and 1280 px go to
artifacts/screenshots/ownership-*.png.
"""

import pytest
from playwright.sync_api import expect

from clinic.models import AuditEvent, Patient
from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from notifications.models import Notification

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_a_therapist_reassigns_an_unowned_runner_on_her_page(
    live_server, page_at, transactional_db, width
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    factories.member(clinic, "therapist", email="alice@alder.example", full_name="Alice Moss")
    tom = factories.member(clinic, "therapist", email="tom@alder.example", full_name="Tom Ng")
    ursa = factories.patient_with_account(
        clinic, None, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )
    page = page_at(width)
    login(page, live_server, "alice@alder.example", PASSWORD)
    page.goto(f"{live_server.url}/patients/{ursa.pk}/")
    owner = page.locator("#owner")
    expect(owner).to_contain_text("No responsible therapist")
    expect(owner).to_contain_text("Unowned")
    owner.scroll_into_view_if_needed()
    screenshot(page, f"ownership-unowned-{width}")

    page.get_by_label("Responsible physical therapist").select_option(label="Tom Ng")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert")).first).to_contain_text(
        "Tom Ng is now responsible for Ursa Vale"
    )
    expect(page.locator("#owner")).not_to_contain_text("Unowned")
    screenshot(page, f"ownership-reassigned-{width}")
    assert Patient.objects.get(pk=ursa.pk).therapist == tom
    assert AuditEvent.objects.filter(action="patient.owner", patient=ursa).count() == 1
    assert Notification.objects.filter(recipient=tom).count() == 1
