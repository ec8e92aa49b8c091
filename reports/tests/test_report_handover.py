"""The progress report as a handover document (issue 14 §4): the clinic and the patient on every
page, the clinician's summary (staff only, versioned, audited), the LEFS and UWRI, alerts grouped
by rule, and a file name with the patient's name and the date."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from clinic import logos
from clinic.models import AuditEvent
from rehab import services as rehab_services
from rehab.models import patient_today
from rehab.tests import measure_factories
from rehab.tests.factories import day_log
from reports.models import ReportSummary


def pages_of(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def long_report(known_cohort, alice):
    """pat with 60 days of logs, a site-pain alert rule that fired on many days and once
    reviewed, and LEFS answered twice: a report of several pages."""
    pat = known_cohort["pat"]
    today = patient_today(pat)
    for n in range(40, 20, -2):
        day = today - dt.timedelta(days=n)
        day_log(pat, day, 6)
        rehab_services.alerts_evaluate(pat, today=day)
        if n == 30:
            rehab_services.alert_acknowledge(alert=pat.alerts.get(), by=alice, reason="expected")
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=19), 40)
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=1), 52)
    return pat


def add_logo(clinic):
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (15, 118, 110)).save(out, format="PNG")
    logos.logo_set(clinic, logos.validated_logo(SimpleUploadedFile("l.png", out.getvalue())))


def test_every_page_carries_the_clinic_and_the_patient(client, adam, long_report):
    pat = long_report
    add_logo(pat.clinic)
    client.force_login(adam)
    response = client.get(reverse("progress_report_pdf", args=[pat.pk]))
    pages = pages_of(response.content)
    assert len(pages) >= 2
    born = f"{pat.date_of_birth.day} {pat.date_of_birth:%b %Y}"
    for number, text in enumerate(pages, start=1):
        assert "Alder Sports PT" in text, number
        assert f"Pat Lane - born {born}" in text, number
        assert "Site: Anterior tibial cortex (front of the shin)" in text, number
        assert f"Page {number}" in text
    reader = PdfReader(io.BytesIO(response.content))
    assert all(len(page.images) == 1 for page in reader.pages)  # the logo, on each page


def test_the_file_is_named_by_the_patient_and_the_date(client, adam, pat):
    pat.first_name, pat.last_name = "Zoë", "Ó'Brien-Núñez"
    pat.save()
    client.force_login(adam)
    response = client.get(reverse("progress_report_pdf", args=[pat.pk]))
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    today = dt.date.today().isoformat()  # the test's clock and the server's agree (UTC)
    assert re.fullmatch(rf"rebound-progress-report-zoe-obrien-nunez-{today}-\d{{4}}\.pdf", name), (
        name
    )


def test_a_clinician_writes_the_summary_and_the_pdf_prints_it(client, alice, adam, long_report):
    pat = long_report
    client.force_login(alice)
    url = reverse("progress_report_summary", args=[pat.pk])
    text = "Walk-run going well.\nKeep strength work twice a week; review in 4 weeks."
    assert client.post(url, {"text": text}).status_code == 302
    assert client.post(url, {"text": text + "  "}).status_code == 302  # the same: no version
    assert ReportSummary.objects.filter(patient=pat).count() == 1
    event = AuditEvent.objects.get(action="report.summary_save")
    assert (event.actor, event.patient, event.detail["version"]) == (alice, pat, 1)

    client.force_login(adam)
    client.post(url, {"text": "Cleared to rebuild. Review in 2 weeks."})
    versions = list(ReportSummary.objects.filter(patient=pat).order_by("number"))
    assert [(v.number, v.author) for v in versions] == [(1, alice), (2, adam)]
    assert versions[0].text == text  # the first version is kept as it was

    pdf = " ".join(pages_of(client.get(reverse("progress_report_pdf", args=[pat.pk])).content))
    assert "Clinician's summary Cleared to rebuild. Review in 2 weeks." in pdf
    assert "Written by Adam Hale on" in pdf and "(version 2)" in pdf
    assert "Walk-run going well" not in pdf  # only the latest version is printed
    assert AuditEvent.objects.filter(action="report.download").get().detail == {
        "summary_version": 2
    }
    page = client.get(reverse("progress_report", args=[pat.pk])).content.decode()
    assert "Cleared to rebuild" in page and "Earlier versions (1)" in page
    assert "Walk-run going well" in page  # the earlier version, under its details


def test_a_summary_too_long_is_refused_beside_the_field(client, alice, pat):
    client.force_login(alice)
    url = reverse("progress_report_summary", args=[pat.pk])
    response = client.post(url, {"text": "x" * (ReportSummary.MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert re.search(r'id="error_1_id_text">.*?at most 1500 characters', response.content.decode())
    assert not ReportSummary.objects.exists()


@pytest.mark.parametrize("who", ["coach_cole", "bob"])
def test_the_care_team_and_other_clinics_never_read_or_write_the_summary(
    client, request, who, alice, pat
):
    client.force_login(alice)
    client.post(reverse("progress_report_summary", args=[pat.pk]), {"text": "Staff words."})
    client.force_login(request.getfixturevalue(who))
    url = reverse("progress_report_summary", args=[pat.pk])
    assert client.post(url, {"text": "Coach words."}).status_code == 404
    assert list(ReportSummary.objects.values_list("text", flat=True)) == ["Staff words."]
    if who == "coach_cole":  # the pages the care team does open never show it
        for name in ("patient_detail", "patient_logs"):
            page = client.get(reverse(name, args=[pat.pk]))
            assert page.status_code == 200
            assert "Staff words." not in page.content.decode()


def test_the_pdf_has_the_measures_and_alerts_grouped_by_rule(client, alice, long_report):
    client.force_login(alice)
    pages = pages_of(client.get(reverse("progress_report_pdf", args=[long_report.pk])).content)
    text = " ".join(pages)
    assert "Function questionnaires (LEFS, UWRI)" in text
    assert re.search(r"LEFS \(0-80, important change 9\) 40 on .+? 52 on .+? \+12 Meaningful", text)
    assert text.count("Site pain at or above the alert level") == 1  # one row for the rule
    assert "(10 times)" in text


def test_without_measures_the_pdf_says_so(client, alice, pat):
    client.force_login(alice)
    text = " ".join(pages_of(client.get(reverse("progress_report_pdf", args=[pat.pk])).content))
    assert "No LEFS or UWRI has been filled in yet." in text
    assert "Clinician's summary" not in text  # none written: no empty heading


def test_the_report_page_keeps_its_query_budget_with_summaries(
    client, alice, long_report, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("progress_report", args=[long_report.pk])
    client.get(url)  # warm the session and the clinic's settings
    with django_assert_max_num_queries(60) as before:
        assert client.get(url).status_code == 200
    budget = len(before.captured_queries)  # now: the connection's log is a bounded deque
    assert budget > 10
    summary_url = reverse("progress_report_summary", args=[long_report.pk])
    for n in range(15):
        client.post(summary_url, {"text": f"Version {n}"})
    client.get(url)  # shows the last "saved" message, which the session then forgets
    with django_assert_max_num_queries(budget):
        page = client.get(url).content.decode()
    assert "Earlier versions (9)" in page  # the latest and nine before it are shown
