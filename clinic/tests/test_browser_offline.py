"""In Chromium: the installed worker keeps Maya's log form, a day logged with no network waits on
her phone and reaches the clinic exactly once when the network returns; signing out forgets the
kept pages. Screenshot of the waiting state: artifacts/screenshots/offline-waiting-390.png.
"""

import pytest
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.browser import login, screenshot
from rehab.models import patient_today

pytestmark = pytest.mark.browser

WORKER_READY = "navigator.serviceWorker.ready.then(() => true)"
CONTROLLED = "!!navigator.serviceWorker.controller"
KEPT_PAGES = "caches.has('rebound-pages')"


def tap_pain(page, question: str, value: int) -> None:
    page.get_by_role("group", name=question).locator(f"label[for$='_{value}']").click()


def test_a_day_logged_offline_is_sent_once_when_the_network_returns(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    today = patient_today(maya)
    maya.daily_logs.filter(date=today).delete()
    # Chromium reports the pages it could not fetch while offline as console errors.
    phone = page_at(390, expected_errors=("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch"))
    login(phone, live_server, "patient@demo.example", demo.DEMO_PASSWORD)

    phone.goto(f"{live_server.url}/me/today/")
    phone.wait_for_load_state("load")
    assert phone.evaluate(WORKER_READY) is True  # installed and active
    phone.goto(f"{live_server.url}/me/log/")  # now through the worker, which keeps it
    expect(phone.get_by_role("heading", name="How was today?")).to_be_visible()
    assert phone.evaluate(CONTROLLED) is True
    assert phone.evaluate(KEPT_PAGES) is True

    phone.context.set_offline(True)
    phone.goto(f"{live_server.url}/me/log/")  # from the worker's cache
    expect(phone.get_by_role("heading", name="How was today?")).to_be_visible()
    tap_pain(phone, "How much does the injury site hurt now?", 2)
    tap_pain(phone, "How did it feel when you woke up this morning?", 1)
    tap_pain(phone, "Pain during or after today's activity", 2)
    phone.get_by_label("Activity 1").select_option("walk_run")
    phone.get_by_label("Distance").fill("3")
    phone.get_by_label("Minutes").fill("30")
    phone.get_by_role("button", name="Save today").click()

    expect(phone.get_by_role("status").filter(has_text="Waiting to send (1)")).to_be_visible()
    screenshot(phone, "offline-waiting-390")
    assert not maya.daily_logs.filter(date=today).exists()

    phone.context.set_offline(False)  # the browser fires `online`: the queue is sent
    expect(phone.get_by_role("status").filter(has_text="Sent (1)")).to_be_visible()
    phone.reload()  # a new load finds nothing left to send
    expect(phone.get_by_role("heading", name="Change today")).to_have_count(0)
    expect(phone.get_by_text("You logged this day.")).to_be_visible()
    logs = maya.daily_logs.filter(date=today)
    assert logs.count() == 1
    activity = logs.get().activities.get()
    assert (activity.kind, activity.duration_min) == ("walk_run", 30)
    assert logs.get().site_pain == 2

    # The menu's "Sign out" button, pressed without opening the menu.
    phone.locator("form[action$='/logout/'] button").first.dispatch_event("click")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    assert phone.evaluate(KEPT_PAGES) is False
