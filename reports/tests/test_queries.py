"""Every reports page answers in a fixed number of queries, however large the clinic's history:
the export page, the audit trail, a progress report (page and PDF), who viewed a record."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.tests import factories
from rehab.tests.factories import AlertFactory
from reports.tests.factories import episode, finished_job


def grow(clinic, alice, adam, pat, n: int) -> None:
    for k in range(n):
        patient = factories.PatientFactory(clinic=clinic, therapist=alice)
        episode(patient, intake_days_ago=20, logs={1: (1, [("run", 2000)])})
        finished_job(clinic, adam)
        # Acknowledged, since a patient has one open alert per rule.
        AlertFactory(
            patient=pat, key=f"grow-{pat.alerts.count()}-{k}", acknowledged_at=timezone.now()
        )
        for action in ("patient.view", "report.view", "export.download"):
            AuditEvent.objects.create(clinic=clinic, actor=alice, action=action, patient=pat)


@pytest.mark.parametrize(
    "who,page",
    [
        ("adam", "export_page"),
        ("adam", "audit_log"),
        ("adam", "outcome_dashboard"),
        ("alice", "progress_report"),
        ("alice", "progress_report_pdf"),
        ("pat", "my_record_views"),
    ],
)
def test_the_page_costs_the_same_queries_with_ten_times_the_data(
    client, clinic_a, alice, adam, pat, who, page, django_assert_max_num_queries
):
    episode(
        pat,
        intake_days_ago=30,
        logs={day: (1, [("run", 3000)]) for day in range(0, 30, 2)},
    )
    person = {"adam": adam, "alice": alice, "pat": pat.user}[who]
    args = [pat.pk] if page.startswith("progress_report") else []
    url = reverse(page, args=args)
    client.force_login(person)
    grow(clinic_a, alice, adam, pat, 2)
    client.get(url)
    with django_assert_max_num_queries(80) as small:
        assert client.get(url).status_code == 200
    grow(clinic_a, alice, adam, pat, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
