"""A therapist makes a personal API token on the account page, uses it, and revokes it, at
phone and desktop width, with the Content-Security-Policy on (`page_at` fails on any console
error). Screenshots: artifacts/screenshots/api-token-*.png."""

import pytest
from playwright.sync_api import expect

from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_a_therapist_makes_uses_and_revokes_an_api_token(live_server, page_at, width):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    therapist = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    patient = factories.PatientFactory(clinic=clinic, therapist=therapist, first_name="Pat")
    page = page_at(width)
    login(page, live_server, therapist.email, PASSWORD)

    page.goto(f"{live_server.url}/accounts/security/")
    tokens = page.get_by_role("region", name="API tokens")
    tokens.get_by_label("What is it for?").fill("Clinic EHR sync")
    tokens.get_by_label("Read and write").check()
    tokens.get_by_label("Expires after").select_option("90")
    screenshot(page, f"api-token-form-{width}")
    tokens.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="Copy your token now")).to_be_visible()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("rbt_")
    screenshot(page, f"api-token-shown-once-{width}")

    api_url = f"{live_server.url}/api/v1/patients/{patient.pk}/"
    answer = page.request.get(api_url, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["first_name"] == "Pat"

    page.get_by_role("link", name="I have copied my token").click()
    listed = page.get_by_role("list", name="Your API tokens").get_by_role("listitem")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Clinic EHR sync")
    expect(listed.first).to_contain_text("Read and write")
    expect(page.get_by_text(secret)).to_have_count(0)  # never shown again
    listed.first.get_by_role("button", name="Revoke Clinic EHR sync").click()

    expect(page.get_by_text("“Clinic EHR sync” is revoked")).to_be_visible()
    expect(listed.first).to_contain_text("Revoked")
    screenshot(page, f"api-token-revoked-{width}")
    answer = page.request.get(api_url, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 401

    # The documentation the panel links to loads from vendored files under the same CSP.
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name="Rebound API")).to_be_visible()
    expect(page.get_by_text("/api/v1/patients/", exact=True).first).to_be_visible()
    screenshot(page, f"api-docs-{width}")
