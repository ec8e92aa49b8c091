"""In Chromium on a phone (390 px): a runner adds a GPX from their watch to the daily log, checks
what Rebound read, confirms, and finds the run in that day's log. Screenshots go to
artifacts/screenshots/rehab-import-*.png.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Patient
from clinic.tests.browser import login, screenshot
from rehab.models import ActivityImport, DailyLog, patient_today, patient_zone
from rehab.tests import watch_builders as build

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-passphrase-9"  # noqa: S105 - a test account's


def test_a_runner_adds_a_gpx_from_the_phone(live_server, page_at, pat, tmp_path):
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    pat.refresh_from_db()
    pat.user.set_password(PASSWORD)
    pat.user.save()
    start = timezone.now() - dt.timedelta(minutes=50)
    day = start.astimezone(patient_zone(pat)).date()  # today, unless it is just past midnight
    gpx = tmp_path / "morning-run.gpx"
    gpx.write_bytes(build.gpx(start=start, km=5.0, minutes=31))

    phone = page_at(390)
    login(phone, live_server, pat.email, PASSWORD)
    phone.goto(f"{live_server.url}{reverse('log_day', args=[day])}")
    phone.get_by_text("Add a run from your watch").click()
    phone.get_by_label("Files from your watch or app").set_input_files(str(gpx))
    phone.get_by_role("button", name="Read the file").click()

    expect(phone.get_by_role("heading", name="Is this right?")).to_be_visible()
    found = phone.get_by_role("region", name="morning-run.gpx")
    expect(found).to_contain_text("5.0 km")
    expect(found).to_contain_text("31 min")
    expect(found.get_by_label("What was it?")).to_have_value("run")
    assert not ActivityImport.objects.exists()  # nothing added before confirming
    found.get_by_role("group", name="How much did the injury site hurt").locator(
        "label[for$='_2']"
    ).click()
    screenshot(phone, "rehab-import-confirm-390")
    phone.get_by_role("button", name="Add to my log").click()

    expect(phone.locator(".messages")).to_contain_text("Added 5.00 km from morning-run.gpx")
    today = patient_today(pat)
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "How was today?" if day == today else day.strftime("%A %-d %B")
    )
    expect(phone.locator("select[name='activity-0-kind']")).to_have_value("run")
    expect(phone.locator("input[name='activity-0-minutes']")).to_have_value("31")
    screenshot(phone, "rehab-import-done-390")
    log = DailyLog.objects.get(patient=pat, date=day)
    assert log.site_pain == 2 and log.activities.get().kind == "run"
