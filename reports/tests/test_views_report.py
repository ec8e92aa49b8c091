"""The progress report: the page and the PDF, for clinic staff only, audited each time."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from clinic.models import AuditEvent
from rehab.tests.factories import AlertFactory
from reports.pdf import _plain


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def report_of_pat(known_cohort):
    pat = known_cohort["pat"]
    AlertFactory(patient=pat, reason="Site pain 6/10 over the day (alert at 5/10).")
    return pat


def test_the_report_page_shows_site_milestones_and_alerts(client, alice, report_of_pat):
    client.force_login(alice)
    page = client.get(reverse("progress_report", args=[report_of_pat.pk])).content.decode()
    assert "Anterior tibial cortex (front of the shin)" in page
    assert "High-risk site" in page
    assert "First pain-free walk" in page and "day 3" in page
    assert "First run" in page and "day 10" in page
    assert "Site pain 6/10 over the day" in page
    assert 'data-chart-data="' in page and "js/progress-charts.js" in page
    assert "No rehab plan phases are recorded" in page
    event = AuditEvent.objects.get(action="report.view")
    assert (event.actor, event.patient) == (alice, report_of_pat)


def test_the_pdf_is_an_attachment_whose_text_tells_the_story(client, adam, report_of_pat):
    client.force_login(adam)
    response = client.get(reverse("progress_report_pdf", args=[report_of_pat.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="rebound-progress-report-'
    )
    assert "-pat-lane-" in response["Content-Disposition"]  # the name, as an ASCII slug
    text = pdf_text(response.content)
    for expected in (
        "Progress report",
        "Pat Lane",
        "Anterior tibial cortex",
        "High-risk site",
        "First run",
        "Pain at the injury site",
        "Running per week",
        "Site pain 6/10 over the day",
        "No rehab plan phases are recorded",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.get(action="report.download").patient == report_of_pat


def test_a_patient_without_logs_or_intake_still_gets_a_report(client, alice, pia):
    client.force_login(alice)
    assert client.get(reverse("progress_report", args=[pia.pk])).status_code == 200
    response = client.get(reverse("progress_report_pdf", args=[pia.pk]))
    assert "Not yet confirmed" in pdf_text(response.content)


@pytest.mark.parametrize("who", ["coach_cole", "bob"])
def test_the_care_team_and_other_clinics_cannot_open_the_report(client, request, who, pat):
    client.force_login(request.getfixturevalue(who))
    for name in ("progress_report", "progress_report_pdf"):
        assert client.get(reverse(name, args=[pat.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()


def test_the_pdf_replaces_what_its_fonts_cannot_draw_and_keeps_what_they_can():
    assert _plain("Pain ≥ 5 → stop <b>") == "Pain &gt;= 5 -&gt; stop &lt;b&gt;"
    assert _plain("Metatarsals 2–4, “Zoë”") == "Metatarsals 2–4, “Zoë”"


def test_the_pdf_and_the_page_group_alerts_by_rule_with_their_days(client, alice, pat):
    """A rule that fired on many days takes one row with its days and count, not a row a day."""
    import datetime as dt

    from rehab import services
    from rehab.tests.factories import day_log

    today = dt.date(2026, 3, 18)
    for n in range(10, -1, -2):
        day = today - dt.timedelta(days=n)
        day_log(pat, day, 6)
        services.alerts_evaluate(pat, today=day)
        if n == 6:  # reviewed once along the way: the next days open a second alert
            services.alert_acknowledge(alert=pat.alerts.get(), by=alice, reason="expected")
    assert pat.alerts.count() == 2
    client.force_login(alice)
    pdf = client.get(reverse("progress_report_pdf", args=[pat.pk])).content
    text = " ".join(pdf_text(pdf).split())  # table cells wrap
    assert text.count("Site pain at or above the alert level") == 1
    assert "(6 times)" in text and "8, 10, 12, 14, 16, 18 Mar 2026" in text
    assert "Site pain 6/10 over the day on 2026-03-18" in text
    page = client.get(reverse("progress_report", args=[pat.pk])).content.decode()
    assert page.count('class="alert-group"') == 1 and "6 times" in page


def test_days_are_listed_compactly_by_month():
    import datetime as dt

    from reports.progress_report import day_list

    days = [dt.date(2026, 3, 2), dt.date(2026, 3, 4), dt.date(2026, 4, 1)]
    assert day_list(days) == "2, 4 Mar; 1 Apr 2026"
    assert day_list([dt.date(2025, 12, 31), dt.date(2026, 1, 2)]) == "31 Dec 2025; 2 Jan 2026"
    assert day_list([]) == ""
