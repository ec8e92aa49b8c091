"""In Chromium, with the CSP on: Maya logs a day on her phone, her therapist sees and acknowledges
the alert it raised. Screenshots of the log form, progress, the therapist's patient page and the
alert list at 390 and 1280 px go to artifacts/screenshots/rehab-*.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.browser import login, screenshot
from rehab.models import patient_today

pytestmark = pytest.mark.browser

PAIN_CHART = "document.querySelector(\"[data-chart='pain']\")"


def last_pain(page):
    """The last point of the pain chart as drawn: today's pain now, or None."""
    # The chart scripts draw as the page loads, so once it has loaded the chart is there. (Not
    # wait_for_function: when its first check fails it polls through eval, which the CSP refuses.)
    page.wait_for_load_state("load")
    return page.evaluate(f"Chart.getChart({PAIN_CHART}).data.datasets[0].data.at(-1)")


def opened(page_at, width: int):
    # Bootstrap scrolls smoothly unless motion is reduced; Playwright's clicks need it still.
    page = page_at(width)
    page.emulate_media(reduced_motion="reduce")
    return page


def tap_pain(page, question: str, value: int) -> None:
    page.get_by_role("group", name=question).locator(f"label[for$='_{value}']").click()


def log_today(page, *, pain: int) -> None:
    expect(page.get_by_role("heading", name="How was today?")).to_be_visible()
    tap_pain(page, "How much does the injury site hurt now?", pain)
    tap_pain(page, "How did it feel when you woke up this morning?", 2)
    tap_pain(page, "Pain during or after today's activity", pain)
    page.get_by_label("Activity 1").select_option("walk_run")
    page.get_by_label("Distance").fill("2.5")
    page.get_by_label("Minutes").fill("38")
    page.get_by_text("Swelling at the injury site", exact=True).click()
    page.get_by_label("Notes for your therapist").fill("Ached on the last interval.")


def full_page(page, name: str) -> None:
    # Scrolled to the end, the sticky save bar sits under the form instead of over it.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, name)


def test_patient_logs_a_day_on_a_phone_and_the_therapist_acknowledges_the_alert(
    live_server, page_at
):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    today = patient_today(maya)

    phone = opened(page_at, 390)
    login(phone, live_server, "patient@demo.example", demo.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/me/progress/")
    assert last_pain(phone) is None  # today is not logged yet
    phone.get_by_role("link", name="Log today About 30 seconds").click()
    log_today(phone, pain=6)
    full_page(phone, "rehab-log-form-390")
    phone.get_by_role("button", name="Save today").click()

    expect(phone.get_by_role("heading", name="Your progress")).to_be_visible()
    expect(phone.locator(".messages")).to_contain_text("Saved your log for today")
    assert last_pain(phone) == 6  # the chart now ends on today's pain
    expect(phone.get_by_role("region", name="Recent days")).to_contain_text("Pain 6/10")
    screenshot(phone, "rehab-progress-390")

    desk = opened(page_at, 1280)
    login(desk, live_server, "therapist@demo.example", demo.DEMO_PASSWORD)
    desk.goto(f"{live_server.url}{reverse('caseload')}")  # a therapist lands on the worklist
    maya_row = desk.locator("tr", has=desk.get_by_role("link", name="Chen, Maya"))
    expect(maya_row).to_contain_text("open")
    maya_row.get_by_role("link", name="Chen, Maya").click()
    alert = desk.locator("#alerts li", has_text=f"on {today.isoformat()}").filter(
        has_text="Site pain at or above the alert level"
    )
    expect(alert).to_contain_text("6/10")
    expect(alert).to_contain_text("Evidence: D — SEMC")
    expect(desk.locator("main")).to_contain_text("information only")
    screenshot(desk, "rehab-therapist-patient-1280")

    alert.get_by_role("combobox").select_option(label="Spoke to the runner")
    alert.get_by_role("textbox").fill("Called Maya: back to cross-training for three days.")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(desk.locator(".messages")).to_contain_text("Acknowledged")
    expect(alert).to_have_count(0)
    desk.get_by_text("Recently acknowledged").click()
    expect(desk.locator("#alerts")).to_contain_text("back to cross-training for three days")

    desk.goto(f"{live_server.url}/alerts/")
    expect(desk.get_by_role("heading", name="Open alerts")).to_be_visible()
    expect(desk.locator("main")).to_contain_text("Maya Chen")
    screenshot(desk, "rehab-alerts-1280")

    desk.goto(f"{live_server.url}/patients/{maya.pk}/logs/")
    expect(desk.locator("main")).to_contain_text("Ached on the last interval.")  # staff see notes
    screenshot(desk, "rehab-patient-logs-1280")

    # Twelve weeks: the plan's phases are marked on the chart, and named in text beside it.
    phone.goto(f"{live_server.url}/me/progress/?days=84")
    expect(phone.locator(".chart-phases")).to_contain_text("Walk-run from")
    last_pain(phone)
    screenshot(phone, "rehab-progress-12-weeks-390")


def test_the_rehab_pages_at_the_other_width(live_server, page_at):
    """The same pages at the width each person uses less: a patient at a desk, a clinician on a
    phone. Everything must fit and work there too."""
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")

    desk = opened(page_at, 1280)
    login(desk, live_server, "patient@demo.example", demo.DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/me/log/")
    log_today(desk, pain=3)
    desk.get_by_role("button", name="Add another activity").click()
    desk.get_by_label("Activity 2").select_option("strength")
    expect(desk.locator("[data-activity-row]").nth(1).get_by_label("Distance")).to_be_hidden()
    screenshot(desk, "rehab-log-form-1280")
    desk.get_by_role("button", name="Save today").click()
    expect(desk.locator(".messages")).to_contain_text("Saved your log for today")
    assert last_pain(desk) == 3
    screenshot(desk, "rehab-progress-1280")

    phone = opened(page_at, 390)
    login(phone, live_server, "therapist@demo.example", demo.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/patients/{maya.pk}/")
    expect(phone.get_by_role("heading", name="Alerts")).to_be_visible()
    expect(phone.locator("[data-chart='pain']")).to_be_visible()
    screenshot(phone, "rehab-therapist-patient-390")
    phone.goto(f"{live_server.url}/alerts/")
    expect(phone.get_by_role("heading", name="Open alerts")).to_be_visible()
    screenshot(phone, "rehab-alerts-390")
    phone.goto(f"{live_server.url}/caseload/")
    screenshot(phone, "rehab-caseload-390")
