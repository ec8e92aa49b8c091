"""In Chromium: a runner's alerts grouped by rule on her page, acknowledging one with a reason
(a missing note for "Other" shown beside the field), and snoozing a rule then lifting it.
Screenshots at 390 and 1280 px go to artifacts/screenshots/alerts-*.png.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from clinic.models import AuditEvent
from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from rehab import services
from rehab.models import AlertSnooze, patient_today
from rehab.rules import alerts as alert_rules

pytestmark = pytest.mark.browser


def finding(rule: alert_rules.Rule, day: dt.date, reason: str) -> alert_rules.Alert:
    return alert_rules.Alert(
        rule=rule.code,
        label=rule.label,
        key=f"{rule.code}:{day}",
        reason=reason,
        evidence=rule.evidence,
        section=rule.section,
        dates=(day,),
    )


def runner_with_alerts(clinic, alice):
    maya = factories.patient_with_account(
        clinic, alice, email="maya@runner.example", first_name="Maya", last_name="Chen"
    )
    today = patient_today(maya)
    runs = [today - dt.timedelta(days=n) for n in (6, 4, 2)]
    for day in runs:  # three nights, three occurrences of one rule
        text = f"Running was logged on {day}, a day the plan does not allow running."
        services.alerts_record(
            patient=maya, found=[finding(alert_rules.RUNNING_NOT_ALLOWED, day, text)]
        )
    services.alerts_record(
        patient=maya,
        found=[
            finding(alert_rules.SITE_PAIN, today, f"Site pain 8/10 over the day on {today}."),
            finding(alert_rules.NO_LOG, today - dt.timedelta(days=9), "No log for 3 days."),
        ],
    )
    return maya


@pytest.mark.parametrize("width", [390, 1280])
def test_a_therapist_acknowledges_a_grouped_alert_and_snoozes_a_rule(
    live_server, page_at, transactional_db, width
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    maya = runner_with_alerts(clinic, alice)
    page = page_at(width)
    login(page, live_server, "alice@alder.example", PASSWORD)
    page.goto(f"{live_server.url}/patients/{maya.pk}/#alerts")

    grouped = page.locator(".alert-rule-running_not_allowed")
    expect(grouped).to_contain_text("3 times")
    expect(page.locator(".alert-rule-site_pain_high")).to_contain_text(
        "A safety alert: it cannot be snoozed."
    )
    grouped.scroll_into_view_if_needed()
    screenshot(page, f"alerts-grouped-{width}")

    grouped.get_by_label("Reason for acknowledging").select_option(label="Other")
    grouped.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#id_note")).to_have_attribute("aria-invalid", "true")
    expect(
        page.locator("#id_note_error").get_by_text(
            "Say what the reason is when you choose “Other”."
        )
    ).to_be_visible()
    screenshot(page, f"alerts-acknowledge-error-{width}")
    page.locator("#id_note").fill("Talked it through at the visit; runs are on plan days now.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".alert").first).to_contain_text("Acknowledged")
    expect(page.locator(".alert-rule-running_not_allowed")).to_have_count(0)
    assert maya.alerts.get(rule="running_not_allowed").acknowledgement_reason == "other"

    page.locator(".alert-rule-no_log").get_by_role("link", name="Snooze this rule").click()
    expect(page.locator("#safety-rules")).to_contain_text("Site pain at or above the alert level")
    page.get_by_label("Days").fill("7")
    screenshot(page, f"alerts-snooze-{width}")
    page.get_by_role("button", name="Snooze").click()
    snoozes = page.locator("#alert-snoozes")
    expect(snoozes).to_contain_text("No log for several days")
    expect(snoozes).to_contain_text("by Alice Moss")
    expect(page.locator(".alert-rule-no_log")).to_have_count(0)
    snoozes.scroll_into_view_if_needed()
    screenshot(page, f"alerts-snoozed-{width}")

    snoozes.get_by_role("button", name="Lift snooze").click()
    expect(page.locator(".alert-rule-no_log")).to_have_count(1)
    assert AlertSnooze.objects.get(patient=maya).lifted_by == alice
    actions = set(AuditEvent.objects.filter(patient=maya).values_list("action", flat=True))
    assert {"alert.acknowledge", "alert.snooze", "alert.snooze_lift"} <= actions
