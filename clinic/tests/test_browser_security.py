"""Two-step verification and the idle warning in Chromium, with the Content-Security-Policy on.

The `page_at` fixture fails a test on any console error, and Chromium reports every CSP
violation (an inline script or style it refused) as one, so these tests also prove the pages
need nothing the policy forbids. Screenshots: artifacts/screenshots/two-step-*.png.
"""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from clinic.models import Clinic, User
from clinic.tests import factories
from clinic.tests.browser import login, open_the_phone_menu, screenshot
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def code_from_key(key_text: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the set-up key on the page."""
    secret = key_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = totp.time + steps_ahead * 30
    return f"{totp.token():06d}"


def wait_for_a_fresh_time_step(page) -> None:
    """Confirm set-up early in a 30-second step, so the server sees it in the same step.

    Otherwise django-otp records a clock drift, and the next-step code typed later would miss.
    """
    left = 30 - time.time() % 30
    if left < 5:
        page.wait_for_timeout((left + 0.5) * 1000)


def sign_out(page, width: int, first_name: str) -> None:
    if width < 992:
        open_the_phone_menu(page)
    page.get_by_role("button", name=first_name).click()
    sign_out_button = page.get_by_role("button", name="Sign out")
    expect(sign_out_button).to_be_visible()
    sign_out_button.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_therapist_sets_up_two_step_and_signs_in_with_a_code(
    live_server, page_at, width, settings
):
    # A wrong code would make the next try wait a second (test_two_factor.py tests that); here
    # the next try follows at once, so the test waits for pages, never for the clock to run.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder", require_staff_2fa=True)
    therapist = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    page = page_at(width)

    login(page, live_server, therapist.email, PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    screenshot(page, f"two-step-enrol-{width}")

    key = page.locator("#secret-key").inner_text()
    wait_for_a_fresh_time_step(page)
    page.get_by_label("Enter the 6-digit code the app shows").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Save your backup codes")).to_be_visible()
    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    screenshot(page, f"two-step-backup-codes-{width}")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()

    sign_out(page, width, "Alice")
    login(page, live_server, therapist.email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    screenshot(page, f"two-step-verify-{width}")

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code did not work")).to_be_visible()
    screenshot(page, f"two-step-verify-wrong-code-{width}")

    # The code used to confirm set-up cannot be used again, so take the next one (within drift).
    page.get_by_label("Code").fill(code_from_key(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    assert page.url.endswith("/worklist/")


def test_the_idle_warning_offers_to_stay_signed_in_then_signs_out(live_server, page_at, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_IDLE_WARNING = 6
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    factories.member(clinic, "therapist", email="alice@alder.example", full_name="Alice Moss")
    page = page_at(1280)
    login(page, live_server, "alice@alder.example", PASSWORD)

    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("0:0")
    screenshot(page, "session-timeout-warning-1280")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert page.url.endswith("/worklist/")

    expect(dialog).to_be_visible()
    page.wait_for_url("**/accounts/login/?next=%2Fworklist%2F", timeout=20_000)
    expect(page.get_by_text("you were signed out after")).to_be_visible()


def test_the_patient_page_and_account_security_work_under_the_csp(live_server, page_at):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    therapist = factories.member(clinic, "therapist", email="alice@alder.example")
    factories.patient_with_account(
        clinic, therapist, email="pat@runner.example", first_name="Pat", last_name="Lane"
    )
    page = page_at(390)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("pat@runner.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Keep me signed in on this phone").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hi Pat")).to_be_visible()
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] > 0  # a lasting cookie, not one that ends with the browser

    page.goto(f"{live_server.url}/accounts/security/")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    screenshot(page, "account-security-390")


def test_the_django_admin_works_under_the_csp(live_server, page_at):
    root = User.objects.create_superuser(
        email="root@example.com", password=PASSWORD, full_name="Root Admin"
    )
    clinic = Clinic.objects.create(name="Alder Sports PT", slug="alder")
    page = page_at(1280, expected_errors=("status of 403",))  # no clinic: Rebound's home is 403
    login(page, live_server, root.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/clinic/clinic/{clinic.pk}/change/")
    expect(page.get_by_role("heading", name="Change clinic")).to_be_visible()
    page.goto(f"{live_server.url}/admin/clinic/patient/add/")
    expect(page.get_by_role("heading", name="Add patient")).to_be_visible()
    page.locator(".select2-selection").first.click()  # autocomplete widgets run under the CSP
    expect(page.locator(".select2-search__field")).to_be_visible()


def test_a_locked_out_therapist_is_told_what_to_do_and_the_admin_unlocks_them(live_server, page_at):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    factories.member(clinic, "therapist", email="alice@alder.example", full_name="Alice Moss")
    factories.member(clinic, "admin", email="adam@alder.example", full_name="Adam Hale")
    phone = page_at(390, expected_errors=("status of 429",))
    phone.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        phone.get_by_label("E-mail address").fill("alice@alder.example")
        phone.get_by_label("Password").fill("a-wrong-guess")
        phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", name="Signing in is paused for 15 minutes")).to_be_visible()
    screenshot(phone, "locked-out-390")

    desk = page_at(1280)
    login(desk, live_server, "adam@alder.example", PASSWORD)
    locks = desk.locator(".card", has=desk.get_by_role("heading", name="Locked sign-ins"))
    expect(locks).to_contain_text("Alice Moss")
    screenshot(desk, "clinic-admin-locks-1280")
    locks.get_by_role("button", name="Unlock Alice Moss").click()
    expect(desk.get_by_text("alice@alder.example can sign in again.")).to_be_visible()

    login(phone, live_server, "alice@alder.example", PASSWORD)
    expect(phone.get_by_role("heading", name="Worklist")).to_be_visible()
