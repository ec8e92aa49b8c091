"""The questionnaire and the triage queue with the keyboard alone (WCAG 2.1.1, issue 16 §2).

The runner answers on a phone and sends; the therapist finds them at the top of the queue, opens
their intake and records a decision. No mouse: Tab, Shift+Tab, arrow keys, Space and Enter, with
the focus visible wherever it lands (clinic/tests/keyboard.py).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.tests.factories import PASSWORD, PatientFactory
from clinic.tests.keyboard import choose, sign_in, tab_to
from intake.links import link_token
from intake.models import Intake
from intake.tests.factories import DIFFUSE_SHIN, IntakeLinkFactory, submitted_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_by_keyboard(phone) -> None:
    tab_to(phone, phone.get_by_role("link", name="Start"))
    phone.keyboard.press("Enter")
    tab_to(phone, phone.get_by_label("First name"))
    phone.keyboard.type("Kai")
    tab_to(phone, phone.get_by_label("Last name"))
    phone.keyboard.type("Keys")
    tab_to(phone, phone.get_by_label("Date of birth"))
    phone.keyboard.type("03141996")
    expect(phone.get_by_label("Date of birth")).to_have_value("1996-03-14")
    choose(phone, phone.get_by_label("Female"))
    tab_to(phone, phone.get_by_role("button", name="Continue"))
    phone.keyboard.press("Enter")

    choose(phone, phone.get_by_label("Hip, groin or buttock"))
    groin = phone.get_by_label("Groin, front of the hip or deep in the hip")
    choose(phone, groin)
    worst = phone.locator("#div_id_pain_worst")
    choose(phone, worst.get_by_label("7", exact=True), key="ArrowRight")
    tab_to(phone, phone.get_by_role("button", name="Continue"))
    phone.keyboard.press("Enter")

    impact = phone.locator("#div_id_pain_on_impact")
    choose(phone, impact.get_by_label("Yes"))
    tab_to(phone, phone.get_by_role("button", name="Continue"))
    phone.keyboard.press("Enter")
    for step in ("Your running", "Your shoes", "Past injuries", "Health and energy"):
        expect(phone.locator("main")).to_contain_text(step)
        next_step = "Save and review" if step == "Health and energy" else "Continue"
        tab_to(phone, phone.get_by_role("button", name=next_step))
        phone.keyboard.press("Enter")

    expect(phone.get_by_role("heading", name="Check your answers")).to_be_visible()
    tab_to(phone, phone.get_by_role("button", name="Send to my clinic"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("your answers are with Alder Sports PT")).to_be_visible()


def test_a_runner_answers_and_a_therapist_decides_with_the_keyboard_alone(
    live_server, page_at, alice, clinic_a
):
    waiting = PatientFactory(clinic=clinic_a, first_name="Lou", last_name="Low")
    submitted_intake(clinic_a, waiting, DIFFUSE_SHIN)
    link = IntakeLinkFactory(clinic=clinic_a, email="kai@example.com", full_name="Kai Keys")

    phone = page_at(390)
    phone.goto(live_server.url + reverse("intake_start", args=[link_token(link)]))
    answer_by_keyboard(phone)

    desk = page_at(1280)
    sign_in(desk, live_server, alice.email, PASSWORD)
    tab_to(desk, desk.get_by_role("link", name=re.compile(r"^Triage")))
    desk.keyboard.press("Enter")
    runners = desk.locator("tbody tr td:first-child a")
    expect(runners).to_have_text(["Kai Keys", "Lou Low"])  # the red flag first
    tab_to(desk, desk.get_by_role("link", name="Kai Keys"))
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="Kai Keys", level=1)).to_be_visible()

    decision = desk.locator("section[aria-labelledby='decision-title']")
    urgent = decision.get_by_label("Urgent referral for imaging or a physician")
    choose(desk, urgent)
    tab_to(desk, decision.get_by_label("Notes"))
    desk.keyboard.type("Femoral neck suspected; MRI booked today.")
    tab_to(desk, decision.get_by_role("button", name="Record decision"))
    desk.keyboard.press("Enter")
    expect(desk.get_by_text("Decision recorded")).to_be_visible()
    intake = Intake.objects.get(patient__email="kai@example.com")
    assert intake.decisions.get().kind == "urgent_referral"
