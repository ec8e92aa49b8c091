"""On a shared clinic computer, the back button after signing out shows no patient record.

Every page is sent with `Cache-Control: no-store` (clinic.middleware.NoStoreMiddleware), so
Chromium keeps no copy to go back to, neither in its back-forward cache nor in its HTTP cache: it
asks the server again, which wants a sign-in.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.tests import factories
from clinic.tests.browser import CHROMIUM, login
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def everyday_chromium(browser):
    """Chromium with its back-forward cache on, as people have it (Playwright turns it off)."""
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=["--no-sandbox", "--disable-gpu"],
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    chromium.close()


def test_the_back_button_after_signing_out_shows_no_patient_record(live_server, everyday_chromium):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    therapist = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    patient = factories.patient_with_account(
        clinic, therapist, email="pat@runner.example", first_name="Pat", last_name="Lane"
    )
    page = everyday_chromium.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server, therapist.email, PASSWORD)
    page.goto(live_server.url + reverse("patient_detail", args=[patient.pk]))
    expect(page.get_by_role("heading", name="Pat Lane")).to_be_visible()

    page.get_by_role("button", name="Alice").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.go_back(wait_until="commit")  # a page restored from the cache fires no "load"

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Pat Lane")).to_have_count(0)
