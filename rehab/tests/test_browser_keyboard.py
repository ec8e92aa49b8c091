"""The daily log with the keyboard alone (WCAG 2.1.1, issue 16 §2): from her home page Maya
reaches the log, answers the pain questions with arrow keys, describes her run, ticks a symptom
with Space and saves with Enter, seeing the focus at each stop (clinic/tests/keyboard.py)."""

import re

import pytest
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.keyboard import choose, sign_in, tab_to
from rehab.models import DailyLog, patient_today

pytestmark = pytest.mark.browser

PAIN_QUESTIONS = {
    "How much does the injury site hurt now?": 3,
    "How did it feel when you woke up this morning?": 2,
    "Pain during or after today's activity": 4,
}


def test_a_runner_logs_her_day_with_the_keyboard_alone(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    phone = page_at(390)
    sign_in(phone, live_server, "patient@demo.example", demo.DEMO_PASSWORD)
    tab_to(phone, phone.get_by_role("link", name=re.compile(r"^Log today")).first)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="How was today?")).to_be_visible()

    for question, pain in PAIN_QUESTIONS.items():
        group = phone.get_by_role("group", name=question)
        choose(phone, group.locator(f"input[value='{pain}']"), key="ArrowRight")
    tab_to(phone, phone.get_by_label("Activity 1"))
    phone.keyboard.type("Walk")  # picks the first activity whose name starts so
    expect(phone.get_by_label("Activity 1")).to_have_value("walk_run")
    tab_to(phone, phone.get_by_label("Distance"))
    phone.keyboard.type("2.5")
    tab_to(phone, phone.get_by_label("Minutes"))
    phone.keyboard.type("38")
    swelling = phone.get_by_label("Swelling at the injury site", exact=True)
    tab_to(phone, swelling)
    phone.keyboard.press("Space")
    expect(swelling).to_be_checked()
    tab_to(phone, phone.get_by_label("Notes for your therapist"))
    phone.keyboard.type("Ached on the last interval.")
    tab_to(phone, phone.get_by_role("button", name="Save today"))
    phone.keyboard.press("Enter")

    expect(phone.locator(".messages")).to_contain_text("Saved your log for today")
    log = DailyLog.objects.get(patient=maya, date=patient_today(maya))
    assert (log.site_pain, log.morning_pain, log.activity_pain) == (3, 2, 4)
    assert log.swelling and log.notes == "Ached on the last interval."
