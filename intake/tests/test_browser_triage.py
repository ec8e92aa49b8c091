"""The triage path in a real browser: link sent, runner answers on a phone, therapist decides."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from intake.models import Intake
from notifications.tests.sending import sent_in_process

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def links_sent_in_process():
    """The link goes out through the notifications ledger; here it is sent in this process."""
    with sent_in_process():
        yield


def test_link_to_runner_to_queue_to_decision(
    live_server, page_at, settings, alice, clinic_a, links_sent_in_process
):
    settings.SITE_URL = live_server.url
    desk = page_at(1280)
    login(desk, live_server, alice.email, PASSWORD)
    desk.get_by_role("link", name="Triage").click()
    desk.get_by_role("link", name="Send a questionnaire").first.click()
    desk.get_by_label("Runner's full name").fill("Robin Vale")
    desk.get_by_label("Runner's e-mail address").fill("robin@example.com")
    desk.get_by_role("button", name="Send the link").click()
    expect(desk.get_by_text("A questionnaire link was sent to robin@example.com")).to_be_visible()

    url = re.search(r"http://\S+/q/\S+/", mail.outbox[-1].body).group(0)
    phone = page_at(390)
    phone.goto(url)
    screenshot(phone, "intake-start-390")
    phone.get_by_role("link", name="Start").click()
    phone.get_by_label("First name").fill("Robin")
    phone.get_by_label("Last name").fill("Vale")
    phone.get_by_label("Date of birth").fill("1996-03-14")
    phone.get_by_label("Female").check()
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_label("Where is the pain?").select_option("hip_groin")
    phone.locator("#div_id_pain_on_impact").get_by_label("Yes").check()
    phone.locator("#div_id_limp").get_by_label("Yes").check()
    phone.locator("#div_id_pain_worst").get_by_text("7", exact=True).click()
    screenshot(phone, "intake-step-pain-390")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_label("Last week").fill("40")
    phone.get_by_role("button", name="Continue").click()
    for _ in range(3):  # shoes, past injuries, health and energy: skipped
        phone.get_by_role("button", name=re.compile("Continue|Save and review")).click()
    screenshot(phone, "intake-review-390")
    phone.get_by_role("button", name="Send to my clinic").click()
    expect(phone.get_by_text("your answers are with Alder Sports PT")).to_be_visible()
    screenshot(phone, "intake-done-390")

    desk.goto(f"{live_server.url}/triage/")
    first_row = desk.locator("tbody tr").first
    expect(first_row).to_contain_text("Robin Vale")
    expect(first_row).to_contain_text("Urgent")
    screenshot(desk, "triage-queue-1280")
    first_row.get_by_role("link", name="Robin Vale").click()
    expect(desk.get_by_text("URGENT", exact=False).first).to_be_visible()
    desk.get_by_label("Urgent referral for imaging or a physician").check()
    desk.get_by_label("Notes").fill("Femoral neck suspected; MRI booked today.")
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_text("Decision recorded")).to_be_visible()
    screenshot(desk, "intake-detail-1280")
    intake = Intake.objects.get(patient__email="robin@example.com")
    assert intake.status == "decided"
    assert intake.decisions.get().kind == "urgent_referral"
