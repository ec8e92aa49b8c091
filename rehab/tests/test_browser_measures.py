"""In Chromium: a runner answers the LEFS on her phone from Today's prompt (a missed item is
named in the error summary first), and her therapist sees the score, change since baseline and
the meaningful-change verdict with its chart and table on the patient page. Screenshots go to
artifacts/screenshots/measures-*.png (the phone at 390 px, the patient page at 1280 px).
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from rehab.models import MeasureResponse, patient_today
from rehab.tests import measure_factories

pytestmark = pytest.mark.browser


def test_a_runner_answers_the_lefs_on_her_phone_and_her_therapist_sees_the_change(
    live_server, page_at, transactional_db
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    runner = factories.patient_with_account(
        clinic, alice, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )
    measure_factories.wording(clinic, "lefs")
    measure_factories.wording(clinic, "uwri")
    # An earlier episode's answer does not count as this one's baseline; set the care start back
    # so the first LEFS (38) is the baseline and today's is the 4-week one.
    runner.created_at = runner.created_at - dt.timedelta(days=40)
    runner.save(update_fields=["created_at"])
    measure_factories.response(runner, "lefs", patient_today(runner) - dt.timedelta(days=30), 38)

    phone = page_at(390, expected_errors=("status of 400",))
    login(phone, live_server, runner.user.email, PASSWORD)
    phone.goto(f"{live_server.url}/me/today/")
    # The LEFS baseline is answered and no plan runs: Today asks only for the UWRI's baseline.
    expect(phone.get_by_role("link", name="Answer the UWRI")).to_be_visible()
    expect(phone.get_by_role("link", name="Answer the LEFS")).to_have_count(0)
    screenshot(phone, "measures-today-390")
    phone.goto(f"{live_server.url}/me/measures/")
    phone.get_by_role("link", name="LEFS", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(
        "Lower Extremity Functional Scale"
    )
    for number in range(1, 20):  # every item but the last: a slip
        group = phone.get_by_role("group", name=f"{number}. Activity {number}", exact=True)
        group.get_by_text("A little" if number % 2 else "No difficulty", exact=True).click()
    phone.get_by_role("button", name="Save my answers").click()
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("20. Activity 20")
    expect(summary).to_contain_text("Choose one answer.")
    assert not MeasureResponse.objects.filter(date=patient_today(runner)).exists()
    screenshot(phone, "measures-error-390")
    last = phone.get_by_role("group", name="20. Activity 20", exact=True)
    last.get_by_text("No difficulty", exact=True).click()
    expect(phone.get_by_label("A little").first).to_be_checked()  # kept after the error
    phone.get_by_role("button", name="Save my answers").click()
    # 10 items at 3 (odd numbers) + 10 at 4 = 70
    expect(phone.locator(".alert").first).to_contain_text("LEFS saved: 70 of 80.")
    expect(phone.get_by_role("table")).to_contain_text("+32")
    screenshot(phone, "measures-saved-390")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"

    desk = page_at(1280)
    login(desk, live_server, alice.email, PASSWORD)
    desk.goto(f"{live_server.url}/patients/{runner.pk}/")
    panel = desk.locator("#measures")
    expect(panel).to_contain_text("+32 since")
    expect(panel).to_contain_text("Meaningful improvement")
    expect(panel.locator("canvas[data-measure-chart='lefs']")).to_be_visible()
    panel.get_by_text("Show LEFS as a table").click()
    expect(panel.get_by_role("table")).to_contain_text("70")
    panel.scroll_into_view_if_needed()
    screenshot(desk, "measures-patient-1280")
