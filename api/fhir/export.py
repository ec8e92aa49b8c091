"""A patient's record as FHIR R4 resources: the `$everything` Bundle and the clinic's NDJSON.

Plain dictionaries in FHIR R4 (4.0.1) JSON; the tests validate every resource with the models
of fhir.resources. What each resource holds, and every code used, is in docs/fhir.md.
"""

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from api.fhir import codes
from clinic.models import Patient, User
from intake.models import Intake
from intake.rulesets import get_ruleset
from rehab.models import RUNNING_KINDS, DailyLog, Plan, PlanStatus

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json"


def with_fhir_data(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """The patients with everything the export reads, in a fixed number of queries."""
    return patients.select_related("clinic", "therapist").prefetch_related(
        Prefetch(
            "daily_logs",
            DailyLog.objects.prefetch_related("activities").order_by("date"),
            to_attr="fhir_logs",
        ),
        Prefetch("plans", Plan.objects.order_by("created_at", "pk"), to_attr="fhir_plans"),
        Prefetch(
            "intakes",
            Intake.objects.filter(submitted_at__isnull=False)
            .prefetch_related("decisions")
            .order_by("-submitted_at", "-pk"),
            to_attr="fhir_intakes",
        ),
    )


def everything_bundle(patient: Patient, *, base: str, exported_by: User, now: dt.datetime) -> dict:
    """`Patient/<id>/$everything`: the patient's resources and the export's Provenance."""
    resources = patient_resources(patient, base=base)
    resources.append(provenance(resources, exported_by=exported_by, clinic=patient.clinic, now=now))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": now.isoformat()},
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": [
            {"fullUrl": f"{base}/fhir/R4/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def ndjson_lines(
    patients: QuerySet[Patient], *, base: str, exported_by: User, now: dt.datetime, chunk: int = 200
) -> Iterator[bytes]:
    """Every resource of every patient, one JSON object per line; a Practitioner or Questionnaire
    shared by many patients is written once. Patients are read `chunk` at a time."""
    seen: set[str] = set()
    ids = list(patients.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        batch = with_fhir_data(Patient.objects.filter(pk__in=ids[start : start + chunk]))
        for patient in batch.order_by("pk"):
            resources = patient_resources(patient, base=base)
            resources.append(
                provenance(resources, exported_by=exported_by, clinic=patient.clinic, now=now)
            )
            for resource in resources:
                key = f"{resource['resourceType']}/{resource['id']}"
                if resource["resourceType"] in ("Practitioner", "Questionnaire"):
                    if key in seen:
                        continue
                    seen.add(key)
                yield (json.dumps(resource, separators=(",", ":")) + "\n").encode()


def patient_resources(patient: Patient, *, base: str) -> list[dict]:
    """Patient, Practitioner, Condition, Observations, CarePlans, Questionnaire(s) and
    QuestionnaireResponses of one patient loaded `with_fhir_data`."""
    logs, plans, intakes = patient.fhir_logs, patient.fhir_plans, patient.fhir_intakes
    resources = [patient_resource(patient)]
    if patient.therapist_id:
        resources.append(practitioner(patient.therapist))
    if intakes and (condition := condition_resource(patient, intakes[0])):
        resources.append(condition)
    for log in logs:
        resources.extend(log_observations(patient, log, base=base))
    resources.extend(care_plan(patient, plan) for plan in plans)
    questionnaires = {}
    for intake in intakes:
        if intake.ruleset_version and intake.ruleset_version not in questionnaires:
            questionnaires[intake.ruleset_version] = questionnaire(
                intake.ruleset_version, base=base
            )
    resources.extend(questionnaires.values())
    resources.extend(
        questionnaire_response(patient, intake, base=base)
        for intake in intakes
        if intake.ruleset_version
    )
    return resources


def _ref(resource_type: str, resource_id: str, display: str = "") -> dict:
    reference = {"reference": f"{resource_type}/{resource_id}"}
    return {**reference, "display": display} if display else reference


def _practitioner_id(user: User) -> str:
    return f"therapist-{user.pk}"


# --- Resources --------------------------------------------------------------------------------


def patient_resource(patient: Patient) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": codes.URI_IDENTIFIER, "value": f"urn:uuid:{patient.pk}"}],
        "active": patient.discharged_at is None,
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "gender": codes.GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"display": patient.clinic.name},
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (("email", patient.email), ("phone", patient.phone))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    if patient.therapist_id:
        resource["generalPractitioner"] = [
            _ref("Practitioner", _practitioner_id(patient.therapist), patient.therapist.full_name)
        ]
    return resource


def practitioner(user: User) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": _practitioner_id(user),
        "active": user.is_active,
        "name": [{"text": user.full_name or user.email}],
    }


def verification_status(intake: Intake) -> str:
    """From the examination and imaging: a bone stress injury seen on imaging is confirmed; a
    normal image or a "not a bone stress injury" decision refutes it; a decision to treat (rehab
    or an urgent referral) without imaging is provisional; anything else is unconfirmed."""
    result = intake.answers.get("imaging_result")
    if result in ("stress_reaction", "stress_fracture"):
        return "confirmed"
    decisions = {decision.kind for decision in intake.decisions.all()}
    if result == "normal" or "not_bsi" in decisions:
        return "refuted"
    if decisions & {"start_rehab", "urgent_referral"}:
        return "provisional"
    return "unconfirmed"


def condition_resource(patient: Patient, intake: Intake) -> dict | None:
    """The bone stress injury of the patient's latest intake, when its site was confirmed."""
    site = codes.BODY_SITES.get(intake.confirmed_site)
    if site is None:
        return None
    ruleset_sites = {s.code: s.label for s in _ruleset(intake.ruleset_version).sites}
    body_site = site.code.concept(text=ruleset_sites.get(intake.confirmed_site, ""))
    side = intake.exam_side or intake.side
    if side in codes.LATERALITY:
        body_site["extension"] = [
            {
                "url": codes.LATERALITY_EXTENSION,
                "valueCodeableConcept": codes.LATERALITY[side].concept(),
            }
        ]
    verification = verification_status(intake)
    code = {"text": codes.BONE_STRESS_INJURY_TEXT}
    if intake.answers.get("imaging_result") == "stress_fracture":
        code = codes.STRESS_FRACTURE.concept()
    resource = {
        "resourceType": "Condition",
        "id": f"bsi-{intake.pk}",
        "verificationStatus": codes.VERIFICATION_STATUS[verification].concept(),
        "category": [codes.CATEGORY_ENCOUNTER_DIAGNOSIS.concept()],
        "code": code,
        "bodySite": [body_site],
        "subject": _ref("Patient", str(patient.pk)),
        "recordedDate": intake.submitted_at.isoformat(),
    }
    if verification != "refuted":
        status = "resolved" if patient.discharged_at else "active"
        resource["clinicalStatus"] = codes.CLINICAL_STATUS[status].concept()
    if patient.therapist_id:
        resource["asserter"] = _ref("Practitioner", _practitioner_id(patient.therapist))
    return resource


def log_observations(patient: Patient, log: DailyLog, *, base: str) -> list[dict]:
    """The day's site pain (0–10 NRS, LOINC) and, when the patient ran, the running distance."""
    subject = _ref("Patient", str(patient.pk))
    pain = {
        "resourceType": "Observation",
        "id": f"pain-{log.pk}",
        "status": "final",
        "category": [codes.CATEGORY_SURVEY.concept()],
        "code": codes.PAIN_NRS.concept(text="Pain at the injury site (0-10)"),
        "subject": subject,
        "effectiveDateTime": log.date.isoformat(),
        "valueInteger": log.site_pain,
    }
    metres = sum(a.distance_m or 0 for a in log.activities.all() if a.kind in RUNNING_KINDS)
    if not metres:
        return [pain]
    distance = {
        "resourceType": "Observation",
        "id": f"run-{log.pk}",
        "status": "final",
        "category": [codes.CATEGORY_ACTIVITY.concept()],
        "code": {
            "coding": [
                {
                    "system": base + codes.LOCAL_OBSERVATION_PATH,
                    "code": codes.RUNNING_DISTANCE_CODE,
                    "display": codes.RUNNING_DISTANCE_DISPLAY,
                }
            ],
            "text": codes.RUNNING_DISTANCE_DISPLAY,
        },
        "subject": subject,
        "effectiveDateTime": log.date.isoformat(),
        "valueQuantity": {"value": metres, "unit": "m", "system": codes.UCUM, "code": "m"},
    }
    return [pain, distance]


def _phase_status(plan: Plan, index: int) -> str:
    if plan.status == PlanStatus.COMPLETED:
        return "completed"
    if plan.status == PlanStatus.DRAFT or index > plan.phase_index:
        return "cancelled" if plan.status == PlanStatus.ENDED else "not-started"
    if index < plan.phase_index:
        return "completed"
    return {PlanStatus.REVIEW: "on-hold", PlanStatus.ENDED: "stopped"}.get(
        plan.status, "in-progress"
    )


def care_plan(patient: Patient, plan: Plan) -> dict:
    """The rehab plan, its phases as activities (done, under way, to come)."""
    period = {"start": plan.start_date.isoformat()}
    if plan.ended_at:
        period["end"] = plan.ended_at.isoformat()
    activities = []
    for index, phase in enumerate(plan.spec.phases):
        steps = "; ".join(step.label for step in phase.steps)
        detail = {
            "code": {"text": phase.kind},
            "status": _phase_status(plan, index),
            "description": " — ".join(part for part in (phase.label, phase.goal, steps) if part),
        }
        activities.append({"detail": detail})
    return {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "status": codes.CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "title": plan.name,
        "description": _plan_now(plan),
        "subject": _ref("Patient", str(patient.pk)),
        "period": period,
        "created": plan.created_at.isoformat(),
        "activity": activities,
    }


def _plan_now(plan: Plan) -> str:
    if plan.is_started:
        return f"Now: {plan.phase_label} — {plan.step_label} ({plan.get_status_display()})"
    return plan.get_status_display()


# --- The intake as a questionnaire response ---------------------------------------------------

_ITEM_TYPES = {
    "choice": "choice",
    "yes_no": "choice",
    "choice_list": "choice",
    "int": "integer",
    "number": "decimal",
    "number_list": "decimal",
    "date": "date",
    "text": "text",
}


def _ruleset(version: str):
    try:
        return get_ruleset(version)
    except ValueError:
        return get_ruleset()


def _questionnaire_url(base: str) -> str:
    return base + codes.QUESTIONNAIRE_PATH


def _questionnaire_id(version: str) -> str:
    return f"rebound-intake-{version}"


def _answer_coding(question, code, *, base: str) -> dict:
    labels = dict(question.choices)
    code = {True: "yes", False: "no"}.get(code, code)
    coding = {"system": base + codes.LOCAL_ANSWER_PATH, "code": str(code)}
    if str(code) in labels:
        coding["display"] = str(labels[str(code)])
    return coding


def questionnaire(version: str, *, base: str) -> dict:
    """The rule set's questions, as the Questionnaire the intake answered."""
    items = []
    for question in _ruleset(version).questions:
        item = {
            "linkId": question.key,
            "text": question.question,
            "type": _ITEM_TYPES.get(question.kind, "string"),
        }
        if question.kind in ("choice_list", "number_list"):
            item["repeats"] = True
        if question.choices and item["type"] == "choice":
            item["answerOption"] = [
                {"valueCoding": _answer_coding(question, code, base=base)}
                for code, _label in question.choices
            ]
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": _questionnaire_id(version),
        "url": _questionnaire_url(base),
        "version": version,
        "name": "ReboundIntake",
        "title": f"Rebound runner intake, rule set {version}",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def _answers(question, value, *, base: str) -> list[dict]:
    values = value if isinstance(value, list) else [value]
    answers = []
    for one in values:
        if one is None or one == "":
            continue
        try:
            if question.kind in ("choice", "yes_no", "choice_list"):
                answers.append({"valueCoding": _answer_coding(question, one, base=base)})
            elif question.kind == "int":
                answers.append({"valueInteger": int(one)})
            elif question.kind in ("number", "number_list"):
                answers.append({"valueDecimal": float(one)})
            elif question.kind == "date":
                answers.append({"valueDate": dt.date.fromisoformat(str(one)).isoformat()})
            else:
                answers.append({"valueString": str(one)})
        except (TypeError, ValueError):
            continue  # a stored answer the rule set would not read either
    return answers


def questionnaire_response(patient: Patient, intake: Intake, *, base: str) -> dict:
    """The intake's answers, against the Questionnaire of the rule-set version it used."""
    items = []
    for question in _ruleset(intake.ruleset_version).questions:
        if question.key in intake.answers:
            answers = _answers(question, intake.answers[question.key], base=base)
            if answers:
                items.append({"linkId": question.key, "text": question.label, "answer": answers})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(intake.pk),
        "questionnaire": f"{_questionnaire_url(base)}|{intake.ruleset_version}",
        "status": "completed",
        "subject": _ref("Patient", str(patient.pk)),
        "authored": intake.submitted_at.isoformat(),
        "item": items,
    }


def provenance(resources: Iterable[dict], *, exported_by: User, clinic, now: dt.datetime) -> dict:
    """Who exported these resources, when, from which clinic's Rebound."""
    return {
        "resourceType": "Provenance",
        "id": str(uuid.uuid4()),
        "target": [_ref(r["resourceType"], r["id"]) for r in resources],
        "recorded": now.isoformat(),
        "agent": [
            {
                "type": codes.AGENT_ASSEMBLER.concept(),
                "who": {
                    "display": f"Rebound export by {exported_by.full_name or exported_by.email}"
                },
                "onBehalfOf": {"display": clinic.name},
            }
        ],
    }
