"""The audit trail: admins browse, filter and export it; a patient sees who viewed their record."""

import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.tests import factories


def event(clinic, actor, action, patient=None, days_ago=0, **fields):
    return AuditEvent.objects.create(
        clinic=clinic,
        actor=actor,
        action=action,
        patient=patient,
        at=timezone.now() - dt.timedelta(days=days_ago),
        ip_address="198.51.100.7",
        **fields,
    )


def test_the_admin_sees_the_clinics_rows_newest_first(client, adam, alice, pat, bea, bob):
    event(pat.clinic, alice, "patient.view", pat, days_ago=2)
    event(pat.clinic, alice, "policy.alerts.update", days_ago=1)
    event(bea.clinic, bob, "patient.view", bea)
    client.force_login(adam)
    page = client.get(reverse("audit_log")).content.decode()
    assert page.index("Changed the alert thresholds") < page.index("Opened the patient record")
    assert "Bea North" not in page and "198.51.100.7" in page


def test_the_admin_filters_by_actor_action_patient_and_dates(client, adam, alice, pat, pia):
    event(pat.clinic, alice, "patient.view", pat, days_ago=10)
    event(pat.clinic, alice, "rehab.logs.view", pia, days_ago=1)
    event(pat.clinic, adam, "export.cohort_csv")
    client.force_login(adam)

    def actions(**query):
        page = client.get(reverse("audit_log"), query).context["page"]
        return [e.action for e in page]

    assert actions(actor=alice.pk) == ["rehab.logs.view", "patient.view"]
    assert actions(action="export.") == ["export.cohort_csv"]
    assert actions(patient=pat.pk) == ["patient.view"]
    today = timezone.localdate()
    assert actions(date_from=today - dt.timedelta(days=3), actor=alice.pk) == ["rehab.logs.view"]
    assert actions(date_to=today - dt.timedelta(days=5)) == ["patient.view"]


def test_the_audit_csv_streams_the_filtered_rows_and_is_itself_audited(client, adam, alice, pat):
    event(pat.clinic, alice, "patient.view", pat, detail={"page": "edit"})
    event(pat.clinic, alice, "alert.acknowledge", pat)
    client.force_login(adam)
    response = client.get(reverse("audit_log_export"), {"action": "patient.view"})
    assert response["Content-Disposition"].startswith('attachment; filename="rebound-audit-trail-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["actor"], r["action"], r["patient"]) for r in rows] == [
        ("Alice Moss", "patient.view", "Pat Lane")
    ]
    assert rows[0]["detail"] == '{"page": "edit"}' and rows[0]["ip_address"] == "198.51.100.7"
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.actor == adam and exported.detail["filters"] == {"action": "patient.view"}


def test_a_patient_sees_who_on_their_care_team_viewed_their_record(
    client, pat, alice, coach_cole, adam
):
    client.force_login(alice)
    client.get(reverse("patient_detail", args=[pat.pk]))
    client.force_login(coach_cole)
    client.get(reverse("patient_detail", args=[pat.pk]))
    client.force_login(adam)
    client.get(reverse("progress_report", args=[pat.pk]))
    client.force_login(pat.user)
    client.get(reverse("patient_detail", args=[pat.pk]))  # their own visits are not listed
    views = client.get(reverse("my_record_views")).context["views"]
    assert [(v.who, v.role, v.what) for v in views] == [
        ("Adam Hale", "Clinic admin", "Opened the progress report"),
        ("Cole Park", "Coach", "Opened the patient record"),
        ("Alice Moss", "Your physical therapist", "Opened the patient record"),
    ]


def test_a_patient_never_sees_views_of_someone_elses_record(client, pat, pia, alice):
    client.force_login(alice)
    client.get(reverse("patient_detail", args=[pia.pk]))
    client.force_login(pat.user)
    assert client.get(reverse("my_record_views")).context["views"] == []


def test_staff_cannot_open_the_patients_who_viewed_page(client, alice):
    client.force_login(alice)
    assert client.get(reverse("my_record_views")).status_code == 403


def test_another_clinics_admin_sees_none_of_this_clinics_rows(client, clinic_b, alice, pat):
    event(pat.clinic, alice, "patient.view", pat)
    bree = factories.member(clinic_b, "admin", email="bree@birch.example")
    client.force_login(bree)
    shown = list(client.get(reverse("audit_log")).context["page"])
    assert [(e.actor, e.action) for e in shown] == [(bree, "auth.login")]  # her own sign-in
    rows = b"".join(client.get(reverse("audit_log_export")).streaming_content).decode()
    assert "Pat Lane" not in rows
