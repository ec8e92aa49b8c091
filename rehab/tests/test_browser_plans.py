"""In Chromium, with the CSP on: the therapist starts rehab from an intake, assigns the proposed
template and activates it; the runner sees Today on a 390-px phone, runs the timer, marks the
session done with pain; the next morning's check makes the engine propose the next step; the
therapist approves it from the approvals list; the runner sees the next step.

Screenshots: artifacts/screenshots/plan-*.png.
"""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from intake import demo as intake_demo
from intake.tests.factories import submitted_intake
from rehab.models import (
    ClinicProgressionPolicy,
    Plan,
    PlanProposal,
    PlanTransition,
    SessionCompletion,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANTERIOR_TIBIA = {**intake_demo.ANTERIOR_SHIN, "confirmed_site": "anterior_tibia"}


def opened(page_at, width: int):
    page = page_at(width)
    page.emulate_media(reduced_motion="reduce")
    return page


def a_day_passes(plan: Plan) -> None:
    """Move the plan's history one day into the past: tomorrow has come."""
    one = dt.timedelta(days=1)
    Plan.objects.filter(pk=plan.pk).update(
        start_date=F("start_date") - one,
        phase_started_on=F("phase_started_on") - one,
        step_started_on=F("step_started_on") - one,
    )
    SessionCompletion.objects.filter(plan=plan).update(date=F("date") - one)
    PlanTransition.objects.filter(plan=plan).update(date=F("date") - one)
    PlanProposal.objects.filter(plan=plan).update(evaluated_on=F("evaluated_on") - one)


def test_from_start_rehab_to_the_approved_next_step(live_server, page_at, alice, pat, clinic_a):
    # One pain-free session (and its morning) moves a step on in this clinic, to keep it short.
    ClinicProgressionPolicy.objects.create(
        clinic=clinic_a, overrides={"advance_after_completions": 1}
    )
    intake = submitted_intake(clinic_a, pat, ANTERIOR_TIBIA)

    desk = opened(page_at, 1280)
    login(desk, live_server, alice.email, PASSWORD)
    desk.goto(live_server.url + reverse("intake_detail", args=[intake.pk]))
    desk.get_by_label("Start rehab").check()
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_role("heading", name="A rehab plan for Pat Lane")).to_be_visible()
    proposed = desk.locator(".template-option", has_text="High-risk site: return to running")
    expect(proposed).to_contain_text("Proposed")
    expect(desk.get_by_label("High-risk site: I approve every change of step")).to_be_checked()
    screenshot(desk, "plan-assign-1280")
    desk.get_by_role("button", name="Make the draft plan").click()
    expect(desk.get_by_text("Draft plan made")).to_be_visible()
    desk.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the save bar at the end
    screenshot(desk, "plan-draft-1280")
    desk.get_by_role("button", name="Activate the plan").click()
    expect(desk.get_by_text("sees it under Today")).to_be_visible()

    phone = opened(page_at, 390)
    login(phone, live_server, pat.user.email, PASSWORD)
    phone.get_by_role("link", name="Open today").click()
    expect(phone.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    key = phone.locator("#session-step")
    expect(key).to_contain_text("Off-loaded as the physician orders")
    expect(phone.get_by_role("heading", name="The week ahead")).to_be_visible()
    key.get_by_role("button", name="Start").click()
    expect(key.locator("[data-timer-now]")).to_contain_text("Walk")
    expect(key.locator(".segment.is-now")).to_have_count(1)
    screenshot(phone, "plan-today-390")
    key.get_by_role("button", name="Pause").click()
    key.locator("summary", has_text="Mark done").click()
    key.get_by_role("group", name="Pain at the injury site during it").locator(
        "label[for$='_1']"
    ).click()
    key.get_by_label("Effort, 0–10").select_option("3")
    screenshot(phone, "plan-today-mark-done-390")
    key.get_by_role("button", name="Save").click()
    expect(phone.locator(".messages")).to_contain_text("Done")
    expect(phone.locator("#session-step")).to_contain_text("Done · pain 1/10")
    screenshot(phone, "plan-today-done-390")

    plan = pat.plans.get()
    a_day_passes(plan)
    phone.reload()
    morning = phone.get_by_role("region", name="How did yesterday's session sit this morning?")
    expect(morning).to_be_visible()
    expect(phone.locator("#session-step")).to_contain_text("First tell us")
    screenshot(phone, "plan-today-morning-check-390")
    morning.locator("label[for$='_0']").click()  # no baseline yet: any morning pain holds
    morning.get_by_role("button", name="Save this morning's pain").click()
    expect(phone.locator(".messages")).to_contain_text("this morning's pain is recorded")
    assert plan.proposals.get().status == "pending"  # high-risk site: it waits

    desk.get_by_role("link", name="Approvals").click()
    item = desk.locator(".proposal", has_text="Pat Lane")
    expect(item).to_contain_text("High-risk site: the therapist signs off.")
    expect(item).to_contain_text("Walk 10 min in the boot or shoes as cleared")
    screenshot(desk, "plan-approvals-1280")
    item.get_by_placeholder("Note (optional)").fill("Boot for outdoor walks only.")
    item.get_by_role("button", name="Approve").click()
    expect(desk.locator(".messages")).to_contain_text("Approved for Pat Lane")

    phone.reload()
    expect(phone.locator("#session-step")).to_contain_text(
        "Walk 10 min in the boot or shoes as cleared"
    )
    screenshot(phone, "plan-today-next-step-390")

    desk.goto(f"{live_server.url}/patients/{pat.pk}/")
    panel = desk.locator("#plan")
    expect(panel).to_contain_text("Step 2 of 4")
    expect(panel).to_contain_text("Advanced")
    expect(panel).to_contain_text("by Alice Moss")
    screenshot(desk, "plan-patient-page-1280")
    panel.get_by_role("link", name="Whole plan and history").click()
    expect(desk.locator("main")).to_contain_text("Boot for outdoor walks only.")
    screenshot(desk, "plan-detail-1280")


def test_the_demo_plan_pages_at_both_widths(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")

    phone = opened(page_at, 390)
    login(phone, live_server, "patient@demo.example", demo.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/me/today/")
    expect(phone.get_by_role("heading", name="The week ahead")).to_be_visible()
    expect(phone.locator(".session-card").first).to_be_visible()
    screenshot(phone, "plan-maya-today-390")
    phone.goto(f"{live_server.url}/me/progress/")
    screenshot(phone, "plan-maya-progress-390")

    desk = opened(page_at, 1280)
    login(desk, live_server, "therapist@demo.example", demo.DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/patients/{maya.pk}/")
    expect(desk.locator("#plan")).to_contain_text("Walk-run")
    screenshot(desk, "plan-maya-patient-1280")
    desk.goto(f"{live_server.url}/patients/{maya.pk}/plans/{maya.plans.get().pk}/")
    expect(desk.locator("main")).to_contain_text("Stopped for review")
    screenshot(desk, "plan-maya-history-1280")
    desk.get_by_role("link", name="Approvals").click()
    expect(desk.locator(".proposal").first).to_be_visible()
    screenshot(desk, "plan-demo-approvals-1280")
    desk.get_by_role("link", name="Plans").click()
    screenshot(desk, "plan-library-1280")
    desk.get_by_role("link", name="Low-risk site: return to running").click()
    screenshot(desk, "plan-template-1280")
    desk.locator("#phase-3").get_by_role("link", name="Edit").click()
    expect(desk.get_by_role("heading", name="Phase 4: Walk-run")).to_be_visible()
    screenshot(desk, "plan-phase-editor-1280")
    desk.goto(f"{live_server.url}/patients/{maya.pk}/care/")
    desk.locator(".task-row a").first.click()
    screenshot(desk, "plan-care-task-1280")

    coach = opened(page_at, 390)
    login(coach, live_server, "coach@demo.example", demo.DEMO_PASSWORD)
    coach.goto(f"{live_server.url}/patients/{maya.pk}/")
    expect(coach.locator("#plan")).to_contain_text("Walk-run")
    expect(coach.locator("main")).not_to_contain_text("Approve")
    screenshot(coach, "plan-coach-patient-390")
