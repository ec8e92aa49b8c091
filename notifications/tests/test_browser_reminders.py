"""In Chromium, with the CSP on: Maya reads her notifications and changes her reminders on her
phone; the unsubscribe link works signed out; her therapist and the clinic admin see the ledger.
Screenshots go to artifacts/screenshots/reminders-*.png (390 px, and 1280 px for staff pages).
"""

import re

import pytest
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.browser import login, screenshot
from notifications.models import Notification, ReminderPreference
from notifications.tests.sending import sent_in_process
from notifications.unsubscribe import token_for

pytestmark = pytest.mark.browser

PASSWORD = demo.DEMO_PASSWORD


def opened(page_at, width: int):
    page = page_at(width)
    page.emulate_media(reduced_motion="reduce")
    return page


def full_page(page, name: str) -> None:
    # Scrolled to the end, the sticky save bar sits under the form instead of over it.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, name)


def test_the_patient_changes_her_reminders_and_unsubscribes_signed_out(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    phone = opened(page_at, 390)
    login(phone, live_server, "patient@demo.example", PASSWORD)

    bell = phone.get_by_role("link", name=re.compile(r"Notifications, \d+ unread"))
    expect(bell).to_be_visible()
    screenshot(phone, "reminders-home-390")
    bell.click()
    expect(phone.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(phone.get_by_text("A message from Dr. Priya Raman")).to_be_visible()
    screenshot(phone, "reminders-notifications-390")

    phone.goto(f"{live_server.url}/me/")
    phone.get_by_role("link", name="Change reminders").click()
    expect(phone.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    phone.get_by_label("Daily log reminder").fill("23:15")
    phone.get_by_role("button", name="Save reminder settings").click()
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("Please correct 1 field")
    expect(phone.locator("#id_daily_time ~ .invalid-feedback, #id_daily_time + .invalid-feedback")
           ).to_contain_text("falls in your quiet hours")  # fmt: skip
    full_page(phone, "reminders-preferences-error-390")

    phone.get_by_label("Daily log reminder").fill("20:15")
    phone.get_by_label("Text message (SMS)").uncheck()
    phone.get_by_role("button", name="Save reminder settings").click()
    expect(phone.get_by_text("Your reminder settings were saved.")).to_be_visible()
    full_page(phone, "reminders-preferences-390")
    saved = ReminderPreference.objects.get(patient=maya)
    assert saved.daily_time.strftime("%H:%M") == "20:15" and not saved.by_sms

    signed_out = opened(page_at, 390)
    signed_out.goto(f"{live_server.url}/unsubscribe/{token_for(maya)}/")
    expect(
        signed_out.get_by_role("heading", name=re.compile("Stop reminders from"))
    ).to_be_visible()
    screenshot(signed_out, "reminders-unsubscribe-390")
    signed_out.get_by_role("button", name="Unsubscribe from all reminders").click()
    expect(signed_out.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot(signed_out, "reminders-unsubscribed-390")
    assert ReminderPreference.objects.get(patient=maya).opted_out_at is not None
    signed_out.get_by_role("button", name=re.compile("Undo")).click()
    expect(signed_out.get_by_role("heading", name="Reminders are back on")).to_be_visible()
    assert ReminderPreference.objects.get(patient=maya).opted_out_at is None


def test_staff_see_the_delivery_history_and_the_failures(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    desk = opened(page_at, 1280)
    login(desk, live_server, "therapist@demo.example", PASSWORD)
    desk.goto(f"{live_server.url}/patients/{maya.pk}/")
    history = desk.locator("#reminders")
    expect(history).to_contain_text("1 failed")
    expect(history).to_contain_text("Message from the care team")
    screenshot(desk, "reminders-patient-detail-1280")
    with sent_in_process():  # the ledger's send, in this process instead of a worker
        history.get_by_role("link", name="Message Maya").click()
        desk.get_by_role("button", name="Send message").click()
        expect(desk.locator("#error-summary")).to_contain_text("Write the message first.")
        desk.get_by_label("Message").fill("Great week. Keep Thursday's walk-run easy.")
        screenshot(desk, "reminders-message-1280")
        desk.get_by_role("button", name="Send message").click()
        expect(desk.get_by_text("Your message to Maya is on its way.")).to_be_visible()
    notice = Notification.objects.get(body="Great week. Keep Thursday's walk-run easy.")
    assert notice.recipient == maya.user and notice.title == "A message from Dr. Priya Raman"
    history = desk.locator("#reminders")
    history.get_by_role("link", name="Full history").click()
    expect(desk.get_by_role("heading", name="Reminders and notices")).to_be_visible()
    expect(desk.get_by_text("Already logged that day")).to_be_visible()
    expect(desk.get_by_text("Gave up after 6 attempts: Twilio 503")).to_be_visible()
    screenshot(desk, "reminders-history-1280")

    admin = opened(page_at, 1280)
    login(admin, live_server, "admin@demo.example", PASSWORD)
    admin.goto(f"{live_server.url}/clinic/deliveries/failed/")
    expect(admin.get_by_text("Twilio 503")).to_be_visible()
    screenshot(admin, "reminders-failures-1280")
    phone = opened(page_at, 390)
    login(phone, live_server, "admin@demo.example", PASSWORD)
    phone.goto(f"{live_server.url}/clinic/deliveries/failed/")
    screenshot(phone, "reminders-failures-390")
