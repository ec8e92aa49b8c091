"""The FHIR R4 export: every resource validates against the R4 models of fhir.resources, the
codes are the documented ones, access and audit are the progress report's."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from fhir.resources import __fhir_version__ as FHIR_MODELS_VERSION
from fhir.resources import construct_fhir_element

from api.fhir import codes
from clinic.models import AuditEvent
from clinic.tests import factories
from intake.models import IntakeDecision
from intake.tests.factories import FOCAL_ANTERIOR_SHIN, submitted_intake
from rehab.models import patient_today
from rehab.tests import factories as rehab_factories

EXAMINED = {
    **FOCAL_ANTERIOR_SHIN,
    "confirmed_site": "anterior_tibia",
    "imaging_modality": "mri",
    "imaging_result": "stress_fracture",
}


def validate(resource: dict):
    """The resource as the R4 model reads it; raises when it is not valid FHIR R4."""
    return construct_fhir_element(resource["resourceType"], resource)


def test_the_models_are_fhir_r4():
    assert FHIR_MODELS_VERSION == "4.0.1"


@pytest.fixture
def record(pat, alice):
    today = patient_today(pat)
    intake = submitted_intake(pat.clinic, pat, EXAMINED, exam_side="left")
    IntakeDecision.objects.create(intake=intake, kind="start_rehab", decided_by=alice)
    rehab_factories.day_log(pat, today - dt.timedelta(days=1), pain=3, run_m=2500)
    rehab_factories.day_log(pat, today, pain=1)
    plan = rehab_factories.active_plan(pat, start=today - dt.timedelta(days=10), by=alice)
    rehab_factories.place(plan, 2, 0, on=today)
    return {"intake": intake, "plan": plan}


def everything(client, pat):
    response = client.get(reverse("fhir_patient_everything", args=[pat.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.json()


def by_type(bundle: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def test_everything_is_a_valid_r4_bundle_of_the_record(client, pat, alice, record):
    client.force_login(alice)
    bundle = everything(client, pat)
    validate(bundle)
    for entry in bundle["entry"]:
        validate(entry["resource"])
    found = by_type(bundle)
    assert set(found) == {
        "Patient",
        "Practitioner",
        "Condition",
        "Observation",
        "CarePlan",
        "Questionnaire",
        "QuestionnaireResponse",
        "Provenance",
    }
    assert found["Patient"][0]["id"] == str(pat.pk)
    assert found["Practitioner"][0]["name"][0]["text"] == alice.full_name


def test_the_condition_names_the_site_side_and_what_confirmed_it(client, pat, alice, record):
    client.force_login(alice)
    condition = by_type(everything(client, pat))["Condition"][0]
    site = condition["bodySite"][0]
    assert site["coding"][0] == {
        "system": codes.SNOMED,
        "code": "52687003",
        "display": "Bone structure of shaft of tibia",
    }
    laterality = site["extension"][0]
    assert laterality["url"] == codes.LATERALITY_EXTENSION
    assert laterality["valueCodeableConcept"]["coding"][0]["code"] == "7771000"
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert condition["code"]["coding"][0]["code"] == "240197007"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"


def test_without_imaging_a_decision_to_treat_is_provisional(client, pat, alice):
    answers = {**FOCAL_ANTERIOR_SHIN, "confirmed_site": "navicular"}
    intake = submitted_intake(pat.clinic, pat, answers)
    IntakeDecision.objects.create(intake=intake, kind="start_rehab", decided_by=alice)
    client.force_login(alice)
    condition = by_type(everything(client, pat))["Condition"][0]
    validate(condition)
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert condition["code"] == {"text": codes.BONE_STRESS_INJURY_TEXT}
    assert condition["bodySite"][0]["coding"][0]["code"] == "75772009"


def test_observations_carry_pain_with_loinc_and_the_days_running(client, pat, alice, record):
    client.force_login(alice)
    observations = by_type(everything(client, pat))["Observation"]
    pains = [o for o in observations if o["code"]["coding"][0]["system"] == codes.LOINC]
    assert {o["code"]["coding"][0]["code"] for o in pains} == {"72514-3"}
    assert sorted(o["valueInteger"] for o in pains) == [1, 3]
    runs = [o for o in observations if "valueQuantity" in o]
    assert [r["valueQuantity"] for r in runs] == [
        {"value": 2500, "unit": "m", "system": codes.UCUM, "code": "m"}
    ]


def test_the_care_plan_lists_its_phases_with_the_current_one_under_way(client, pat, alice, record):
    client.force_login(alice)
    plan = by_type(everything(client, pat))["CarePlan"][0]
    assert plan["status"] == "active" and plan["intent"] == "plan"
    statuses = [activity["detail"]["status"] for activity in plan["activity"]]
    assert statuses == ["completed", "completed", "in-progress", "not-started"]


def test_the_intake_answers_its_rule_set_questionnaire(client, pat, alice, record):
    client.force_login(alice)
    found = by_type(everything(client, pat))
    questionnaire, response = found["Questionnaire"][0], found["QuestionnaireResponse"][0]
    version = record["intake"].ruleset_version
    assert questionnaire["version"] == version
    assert response["questionnaire"] == f"{questionnaire['url']}|{version}"
    links = {item["linkId"] for item in questionnaire["item"]}
    answered = {item["linkId"]: item["answer"] for item in response["item"]}
    assert set(answered) <= links
    assert answered["pain_now"] == [{"valueInteger": 4}]
    assert answered["region"][0]["valueCoding"]["code"] == "shin_front"


def test_the_provenance_covers_every_resource_and_names_the_exporter(client, pat, alice, record):
    client.force_login(alice)
    found = by_type(everything(client, pat))
    provenance = found.pop("Provenance")[0]
    targets = {t["reference"] for t in provenance["target"]}
    assert targets == {f"{t}/{r['id']}" for t, rs in found.items() for r in rs}
    assert alice.full_name in provenance["agent"][0]["who"]["display"]


def test_access_and_audit_follow_the_progress_report(client, pat, alice, coach_cole, bob, record):
    for outsider in (coach_cole, bob, pat.user):
        client.force_login(outsider)
        assert client.get(reverse("fhir_patient_everything", args=[pat.pk])).status_code == 404
    client.force_login(alice)
    everything(client, pat)
    download = client.get(reverse("fhir_patient_everything", args=[pat.pk]) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    validate(json.loads(download.content))
    actions = list(
        AuditEvent.objects.filter(patient=pat, actor=alice).values_list("action", flat=True)
    )
    assert sorted(actions) == ["fhir.download", "fhir.view"]


def test_the_patient_page_offers_the_download_to_staff_only(client, pat, alice, coach_cole):
    client.force_login(alice)
    url = reverse("fhir_patient_everything", args=[pat.pk]) + "?download=1"
    assert url in client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    client.force_login(coach_cole)
    assert url not in client.get(reverse("patient_detail", args=[pat.pk])).content.decode()


def test_the_clinic_export_streams_every_patient_once(
    client, pat, pia, adam, alice, record, bea, django_assert_max_num_queries
):
    for _ in range(3):
        factories.PatientFactory(clinic=pat.clinic, therapist=alice)
    client.force_login(adam)
    response = client.get(reverse("fhir_clinic_export"))
    assert response["Content-Type"] == "application/fhir+ndjson"
    assert response["Content-Disposition"].startswith("attachment")
    with django_assert_max_num_queries(12):  # per chunk of patients, not per patient
        lines = b"".join(response.streaming_content).decode().splitlines()
    resources = [json.loads(line) for line in lines]
    for resource in resources:
        validate(resource)
    patients = [r["id"] for r in resources if r["resourceType"] == "Patient"]
    assert len(patients) == len(set(patients)) == 5 and str(bea.pk) not in patients
    practitioners = [r["id"] for r in resources if r["resourceType"] == "Practitioner"]
    assert len(practitioners) == len(set(practitioners))
    exported = AuditEvent.objects.filter(action="fhir.bulk_export", patient__isnull=False)
    assert exported.count() == 5


def test_only_admins_export_the_clinic(client, alice, as_token, adam):
    assert (
        as_token(alice, alice.memberships.get().clinic)
        .get(reverse("fhir_clinic_export"))
        .status_code
        == 403
    )
    assert (
        as_token(adam, adam.memberships.get().clinic, scope="read")
        .get(reverse("fhir_clinic_export"))
        .status_code
        == 200
    )


def test_the_exports_page_offers_the_clinic_export(client, adam):
    client.force_login(adam)
    page = client.get(reverse("export_page")).content.decode()
    assert reverse("fhir_clinic_export") in page


@pytest.mark.parametrize("days", [1, 6])
def test_everything_keeps_its_query_budget(client, pat, alice, days, django_assert_max_num_queries):
    today = patient_today(pat)
    for back in range(days):
        rehab_factories.day_log(pat, today - dt.timedelta(days=back), run_m=1000)
        intake = submitted_intake(pat.clinic, pat, EXAMINED)
        IntakeDecision.objects.create(intake=intake, kind="start_rehab", decided_by=alice)
    rehab_factories.active_plan(pat, start=today, by=alice)
    client.force_login(alice)
    url = reverse("fhir_patient_everything", args=[pat.pk])
    with django_assert_max_num_queries(17):  # measured 17 with 1 day of data and with 6
        assert client.get(url).status_code == 200


def test_a_session_write_needs_the_csrf_token(pat, alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post(reverse("api_patients"), {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
