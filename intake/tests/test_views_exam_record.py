"""What the examination records beside the score: side, imaging (date, or pending) and the grade,
which sets the plan draft's protect phase (issue 12 §5)."""

import datetime as dt

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from intake.tests.factories import submitted_intake
from rehab import services as rehab_services
from rehab.models import PlanTemplate, patient_today

SHIN = {"region": "shin_inner", "side": "left", "pain_on_impact": "yes"}
MRI_GRADE_3 = {
    "confirmed_site": "posteromedial_tibia",
    "imaging_modality": "mri",
    "imaging_result": "stress_fracture",
    "imaging_grade_system": "kaeding_miller",
    "imaging_grade": "3",
}


@pytest.fixture
def intake(pat):
    return submitted_intake(pat.clinic, pat, SHIN)


def examine(client, intake, answers=None, **record):
    return client.post(reverse("intake_exam", args=[intake.pk]), {**(answers or {}), **record})


def test_the_examination_records_side_imaging_date_and_grade(client, alice, intake):
    client.force_login(alice)
    page = client.get(reverse("intake_exam", args=[intake.pk]))
    assert page.context["record"].initial["exam_side"] == "left"  # the runner's answer
    day = dt.date.today() - dt.timedelta(days=3)
    response = examine(
        client, intake, MRI_GRADE_3, exam_side="both", imaging_status="done", imaging_date=day
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert (intake.exam_side, intake.imaging_status, intake.imaging_date) == ("both", "done", day)
    assert intake.result["imaging"]["grade"] == 3
    event = AuditEvent.objects.get(action="intake.examine")
    assert event.detail == {"side": "both", "imaging": "done"}
    detail = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    assert "Side and imaging" in detail
    assert "Imaging done: MRI, Stress fracture (fracture line), Kaeding–Miller grade 3" in detail


@pytest.mark.parametrize(
    ("answers", "record", "field", "message"),
    [
        (MRI_GRADE_3, {"imaging_status": "done"}, "imaging_date", "Give the date of the imaging."),
        (
            MRI_GRADE_3,
            {"imaging_status": "done", "imaging_date": "2999-01-01"},
            "imaging_date",
            "The imaging date cannot be in the future.",
        ),
        (
            MRI_GRADE_3,
            {"imaging_status": "pending"},
            "imaging_status",
            "You recorded an imaging result above: choose Imaging done, or clear it.",
        ),
        (
            {},
            {"imaging_status": "done", "imaging_date": "2026-01-05"},
            "imaging_status",
            "Imaging done: choose its type and result above.",
        ),
        (
            {**MRI_GRADE_3, "imaging_grade": ""},
            {"imaging_status": "done", "imaging_date": "2026-01-05"},
            "imaging_grade",
            "An MRI showing a bone stress injury needs its grade",
        ),
        ({}, {"exam_side": "up"}, "exam_side", "Select a valid choice."),
    ],
)
def test_a_record_that_contradicts_itself_is_refused_beside_the_field(
    client, alice, intake, answers, record, field, message
):
    client.force_login(alice)
    response = examine(client, intake, answers, **record)
    assert response.status_code == 200
    forms = (response.context["record"], response.context["form"])
    errors = {name: " ".join(e) for form in forms for name, e in form.errors.items()}
    assert message in errors[field]
    intake.refresh_from_db()
    assert intake.imaging_status == "" and "imaging_modality" not in intake.answers


def test_imaging_pending_is_recorded_without_a_result(client, alice, intake):
    client.force_login(alice)
    examine(client, intake, {"confirmed_site": "posteromedial_tibia"}, imaging_status="pending")
    intake.refresh_from_db()
    assert intake.imaging_status == "pending" and intake.imaging_date is None


# --- The grade feeds the plan draft -----------------------------------------------------------


def _draft_page(client, pat, intake):
    rehab_services.library_seed(clinic=pat.clinic)
    template = PlanTemplate.objects.get(clinic=pat.clinic, code="low_risk_site")
    plan = rehab_services.plan_assign(
        patient=pat,
        template=template,
        by=pat.therapist,
        start_date=patient_today(pat),
        high_risk_site=False,
        intake=intake,
    )
    return plan, client.get(reverse("plan_detail", args=[pat.pk, plan.pk])).content.decode()


def test_a_fracture_line_lengthens_protect_and_asks_imaging_clearance(client, alice, pat, intake):
    client.force_login(alice)
    examine(client, intake, MRI_GRADE_3, imaging_status="done", imaging_date="2026-01-05")
    intake.refresh_from_db()
    plan, page = _draft_page(client, pat, intake)
    protect = plan.spec.phases[0]
    assert (protect.kind, protect.weeks) == ("protect", "4–6")
    assert protect.exit_clearance == "Imaging confirms healing, and the therapist signs off"
    assert "Protect phase set from the examination's imaging." in page
    assert "Kaeding–Miller grade 3: protect 4–6 weeks" in page
    assert "protect ends only with imaging that confirms healing" in page


def test_a_low_grade_keeps_the_templates_protect(client, alice, pat, intake):
    client.force_login(alice)
    low = {**MRI_GRADE_3, "imaging_result": "stress_reaction", "imaging_grade": "1"}
    examine(client, intake, low, imaging_status="done", imaging_date="2026-01-05")
    intake.refresh_from_db()
    plan, page = _draft_page(client, pat, intake)
    assert (plan.spec.phases[0].weeks, plan.spec.phases[0].exit_clearance) == ("1–2", "")
    assert "the template&#x27;s protect duration stands" in page


def test_pending_imaging_holds_protect_until_the_result_is_reviewed(client, alice, pat, intake):
    client.force_login(alice)
    examine(client, intake, {"confirmed_site": "posteromedial_tibia"}, imaging_status="pending")
    intake.refresh_from_db()
    plan, page = _draft_page(client, pat, intake)
    assert plan.spec.phases[0].exit_clearance.startswith("The pending imaging result is in")
    assert "Imaging is pending: protect ends only once its result is in and reviewed" in page


def test_the_care_team_never_sees_the_grade(client, alice, coach_cole, pat, intake):
    client.force_login(alice)
    examine(client, intake, MRI_GRADE_3, imaging_status="done", imaging_date="2026-01-05")
    intake.refresh_from_db()
    plan, _ = _draft_page(client, pat, intake)
    rehab_services.plan_activate(plan=plan, by=alice)
    client.force_login(coach_cole)
    for url in (
        reverse("plan_detail", args=[pat.pk, plan.pk]),
        reverse("patient_detail", args=[pat.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Kaeding" not in body and "grade 3" not in body, url
    assert client.get(reverse("intake_exam", args=[intake.pk])).status_code == 403
    assert client.get(reverse("intake_detail", args=[intake.pk])).status_code == 403
