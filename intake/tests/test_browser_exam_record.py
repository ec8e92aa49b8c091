"""In Chromium (issue 12 §4, §5): the runner gives consent to reminders at the end of the
questionnaire; the therapist records side and an MRI grade at the examination, sees the plan
draft's protect phase follow the grade with its reason, and writes a SOAP note on the patient's
page. Screenshots at 390 and 1280 px: artifacts/screenshots/exam-*.png and consent-*.png.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from clinic.models import Patient
from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD
from intake import services
from intake.models import ClinicalNote
from intake.tests.factories import submitted_intake
from notifications.models import ReminderPreference
from rehab import services as rehab_services

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_the_grade_sets_the_draft_and_a_note_is_written(
    live_server, page_at, transactional_db, width
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    ursa = factories.patient_with_account(
        clinic, alice, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )
    intake = submitted_intake(clinic, ursa, {"region": "shin_inner", "side": "left"})
    rehab_services.library_seed(clinic=clinic)
    page = page_at(width)
    login(page, live_server, "alice@alder.example", PASSWORD)

    page.goto(f"{live_server.url}/intakes/{intake.pk}/exam/")
    page.get_by_label("Confirmed site").select_option("posteromedial_tibia")
    page.locator("#div_id_imaging_modality").get_by_label("MRI").check()
    page.locator("#div_id_imaging_result").get_by_label("Stress fracture").check()
    page.locator("#div_id_imaging_grade_system").get_by_label("Kaeding–Miller").check()
    page.get_by_label("Grade", exact=True).fill("3")
    record = page.get_by_role("region", name="Side and imaging record")
    expect(record.get_by_label("Left")).to_be_checked()  # the runner's answer, to confirm
    record.get_by_label("Both").check()
    record.get_by_label("Imaging done").check()
    page.get_by_role("button", name="Save and rescore").click()
    expect(page.locator("#div_id_imaging_date")).to_contain_text("Give the date of the imaging.")
    page.locator("#div_id_imaging_date").scroll_into_view_if_needed()
    screenshot(page, f"exam-record-error-{width}")
    page.get_by_label("Imaging date").fill("2026-01-05")
    page.get_by_role("button", name="Save and rescore").click()
    expect(page.get_by_text("Examination saved. New score")).to_be_visible()
    facts = page.get_by_role("region", name="Side and imaging")
    expect(facts).to_contain_text("Both")
    expect(facts).to_contain_text("MRI, Stress fracture (fracture line), Kaeding–Miller grade 3")

    page.goto(f"{live_server.url}/intakes/{intake.pk}/")
    page.locator("#div_id_kind").get_by_label("Start rehab").check()
    page.get_by_role("button", name="Record decision").click()
    page.get_by_role("button", name="Make the draft plan").click()
    advice = page.locator("#imaging-advice")
    expect(advice).to_contain_text("Kaeding–Miller grade 3: protect 4–6 weeks")
    expect(advice).to_contain_text("imaging confirms healing, and the therapist signs off")
    screenshot(page, f"exam-draft-protect-{width}")

    page.goto(f"{live_server.url}/patients/{ursa.pk}/")
    notes = page.get_by_role("region", name="Clinical notes")
    notes.get_by_text("Add a note").click()
    notes.get_by_label("Subjective").fill("Shin pain 3/10 on stairs, none at rest.")
    notes.get_by_label("Assessment").fill("Tibial stress fracture, KM 3; healing.")
    notes.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("The note was saved.")).to_be_visible()
    expect(page.locator(".clinical-note").first).to_contain_text("Tibial stress fracture")
    screenshot(page, f"exam-notes-{width}")
    assert ClinicalNote.objects.filter(patient=ursa).count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_the_runner_consents_to_reminders_at_the_end_of_the_questionnaire(
    live_server, page_at, transactional_db, width
):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    alice = factories.member(
        clinic, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )
    link = services.link_create(
        clinic=clinic, created_by=alice, email="robin@example.com", full_name="Robin Vale"
    )
    intake = services.intake_for_link(link)
    services.intake_save_about(
        intake=intake,
        about={
            "first_name": "Robin",
            "last_name": "Vale",
            "date_of_birth": dt.date(1995, 6, 1),
            "sex": "female",
            "phone": "",
        },
    )
    page = page_at(width, expected_errors=("status of 400",))  # the refused send, on purpose
    page.goto(f"{live_server.url}/q/{services.link_token(link)}/review/")
    consent = page.get_by_role("group", name="Reminders from your clinic")
    expect(
        consent.get_by_label("Yes, send me reminders and news about my plan")
    ).not_to_be_checked()
    consent.get_by_label("Yes, send me reminders and news about my plan").check()
    consent.get_by_label("Text message (SMS)").check()
    consent.get_by_label("E-mail").uncheck()
    consent.get_by_label("In the app").uncheck()
    page.get_by_role("button", name="Send to my clinic").click()
    expect(page.locator("#div_id_by_sms")).to_contain_text("Add your mobile number under About you")
    consent = page.get_by_role("group", name="Reminders from your clinic")
    consent.scroll_into_view_if_needed()
    screenshot(page, f"consent-error-{width}")
    consent.get_by_label("Text message (SMS)").uncheck()
    consent.get_by_label("E-mail").check()
    page.get_by_role("button", name="Send to my clinic").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    robin = Patient.objects.get(email="robin@example.com")
    assert robin.reminder_consent
    assert ReminderPreference.of(robin).by_email
    assert robin.invitations.filter(role="patient").count() == 1
