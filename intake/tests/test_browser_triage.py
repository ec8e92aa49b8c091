"""The triage path in a real browser: link sent, runner answers on a phone, therapist decides."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from clinic.tests.browser import SCREENSHOTS, login, screenshot
from clinic.tests.factories import PASSWORD, PatientFactory
from intake.models import Intake
from intake.tests.factories import DIFFUSE_SHIN, submitted_intake
from notifications.tests.sending import sent_in_process

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runners already waiting, one in each part of the queue below an urgent red flag.
WAITING = [
    ("Erin Expedite", {"region": "heel", "pain_walking": "yes", "pain_on_impact": "yes"}),
    (
        "Hana High",
        {
            "region": "foot_top",
            "pain_localized": "one_spot",
            "point_tenderness": "yes",
            "swelling": "yes",
        },
    ),
    ("Lou Low", DIFFUSE_SHIN),
]


@pytest.fixture
def links_sent_in_process():
    """The link goes out through the notifications ledger; here it is sent in this process."""
    with sent_in_process():
        yield


def autosaved(page, *values):
    """Wait for the autosave that carries every given value: an earlier save may already have
    put "saved" on the page before the last answer went out."""

    def carries_all(response):
        body = response.request.post_data or ""
        return response.request.method == "POST" and all(v in body for v in values)

    return page.expect_response(carries_all)


def test_link_to_runner_to_queue_to_decision(
    live_server, page_at, settings, alice, clinic_a, links_sent_in_process
):
    settings.SITE_URL = live_server.url
    for name, answers in WAITING:
        first, last = name.split()
        patient = PatientFactory(clinic=clinic_a, first_name=first, last_name=last)
        submitted_intake(clinic_a, patient, answers)

    desk = page_at(1280)
    login(desk, live_server, alice.email, PASSWORD)
    desk.get_by_role("link", name="Triage").click()
    desk.get_by_role("link", name="Send a questionnaire").first.click()
    desk.get_by_label("Runner's full name").fill("Robin Vale")
    desk.get_by_label("Runner's e-mail address").fill("robin@example.com")
    desk.get_by_role("button", name="Send the link").click()
    expect(desk.get_by_text("A questionnaire link was sent to robin@example.com")).to_be_visible()

    # The runner, on a 390-px phone, through the link in the e-mail.
    url = re.search(r"http://\S+/q/\S+/", mail.outbox[-1].body).group(0)
    phone = page_at(390)
    phone.goto(url)
    screenshot(phone, "intake-start-390")
    phone.get_by_role("link", name="Start").click()
    phone.get_by_label("First name").fill("Robin")
    phone.get_by_label("Last name").fill("Vale")
    phone.get_by_label("Date of birth").fill("1996-03-14")
    phone.get_by_label("Female").check()
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_label("Hip, groin or buttock").check()
    phone.get_by_label("Groin, front of the hip or deep in the hip").check()
    with autosaved(phone, "hip_groin", 'name="pain_worst"\r\n\r\n7'):
        phone.locator("#div_id_pain_worst").get_by_text("7", exact=True).click()
    expect(phone.get_by_text("Your answers on this page are saved.")).to_be_visible()
    # The phone sleeps and the tab reloads: the answers given so far are still there.
    phone.reload()
    expect(phone.get_by_label("Groin, front of the hip or deep in the hip")).to_be_checked()
    expect(phone.locator("#div_id_pain_worst").get_by_label("7", exact=True)).to_be_checked()
    screenshot(phone, "intake-step-pain-390")
    phone.get_by_role("button", name="Continue").click()
    phone.locator("#div_id_pain_on_impact").get_by_label("Yes").check()
    phone.locator("#div_id_limp").get_by_label("Yes").check()
    screenshot(phone, "intake-step-pattern-390")
    phone.get_by_role("button", name="Continue").click()

    # A week left empty between two filled ones is refused, next to the field.
    phone.get_by_label("6 weeks ago").fill("20")
    phone.get_by_label("Last week").fill("40")
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("alert")).to_contain_text("Please correct 4 fields")
    expect(phone.locator("#div_id_weekly_km__2")).to_contain_text(
        "Fill in this week (0 if you did not run)."
    )
    screenshot(phone, "intake-step-training-error-390")
    phone.get_by_label("6 weeks ago").fill("")
    phone.get_by_role("button", name="Continue").click()
    for _ in range(3):  # shoes, past injuries, health and energy: skipped
        phone.get_by_role("button", name=re.compile("Continue|Save and review")).click()
    expect(phone.get_by_role("heading", name="Check your answers")).to_be_visible()
    screenshot(phone, "intake-review-390")
    phone.get_by_role("button", name="Send to my clinic").click()
    expect(phone.get_by_text("your answers are with Alder Sports PT")).to_be_visible()
    expect(phone.get_by_text("Please act on this today")).to_be_visible()
    screenshot(phone, "intake-done-390")

    # The therapist: Robin's urgent red flag comes before everyone already waiting.
    desk.goto(f"{live_server.url}/triage/")
    runners = desk.locator("tbody tr td:first-child a")
    expect(runners).to_have_text(["Robin Vale", "Erin Expedite", "Hana High", "Lou Low"])
    expect(desk.locator("tbody tr").first).to_contain_text("Urgent: stop running")
    screenshot(desk, "triage-queue-1280")

    # Keyboard only: from the filter button, Tab reaches the first runner and Enter opens it.
    desk.get_by_role("button", name="Filter").focus()
    desk.keyboard.press("Tab")
    expect(desk.get_by_role("link", name="Robin Vale")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="Robin Vale", level=1)).to_be_visible()
    expect(desk.get_by_text("URGENT · Groin or deep hip pain")).to_be_visible()
    expect(desk.get_by_text("Raised by: Groin, front-of-hip or deep hip pain")).to_be_visible()
    screenshot(desk, "intake-detail-1280")

    # The examination rescores; both scores stay on the page.
    desk.get_by_role("link", name="Add examination").click()
    desk.locator("#div_id_hip_internal_rotation_pain").get_by_label("Positive").check()
    desk.locator("#div_id_hop_test").get_by_label("Positive").check()
    desk.get_by_label("Confirmed site").select_option("femoral_neck")
    # The site provocation tests are grouped by site, each with its evidence grade.
    heel = desk.get_by_role("region", name="Heel · calcaneus")
    expect(heel).to_contain_text("Calcaneal squeeze Evidence C")
    expect(heel.get_by_label("Not done")).to_be_visible()
    neck = desk.get_by_role("region", name="Femoral neck · hip, a high-risk site")
    expect(
        neck.locator("#div_id_hip_internal_rotation_pain").get_by_label("Positive")
    ).to_be_checked()
    screenshot(desk, "intake-exam-1280")
    desk.set_viewport_size({"width": 390, "height": 844})
    screenshot(desk, "intake-exam-390")
    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.get_by_role("button", name="Save and rescore").click()
    expect(desk.get_by_text("Examination saved. New score")).to_be_visible()
    scores = desk.locator("section[aria-labelledby='scores-title'] > ul > li")
    expect(scores).to_have_count(2)
    expect(scores.nth(0)).to_contain_text("Runner's answers")
    expect(scores.nth(1)).to_contain_text("With the therapist's examination")

    decision = desk.locator("section[aria-labelledby='decision-title']")
    decision.get_by_label("Urgent referral for imaging or a physician").check()
    decision.get_by_label("Notes").fill("Femoral neck suspected; MRI booked today.")
    screenshot(desk, "intake-rescored-1280")
    decision.screenshot(path=str(SCREENSHOTS / "intake-decision-form-1280.png"))
    decision.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_text("Decision recorded")).to_be_visible()
    screenshot(desk, "intake-decided-1280")
    intake = Intake.objects.get(patient__email="robin@example.com")
    assert intake.status == "decided"
    assert intake.decisions.get().kind == "urgent_referral"
    assert list(intake.scores.values_list("kind", flat=True)) == ["runner", "therapist"]


def test_a_bad_decision_is_explained_next_to_the_field(live_server, page_at, alice, clinic_a):
    patient = PatientFactory(clinic=clinic_a, first_name="Fay", last_name="Follow")
    intake = submitted_intake(clinic_a, patient, DIFFUSE_SHIN)
    desk = page_at(1280, expected_errors=("status of 400",))
    login(desk, live_server, alice.email, PASSWORD)
    desk.goto(f"{live_server.url}/intakes/{intake.pk}/")
    desk.get_by_label("Follow-up visit").check()
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_role("alert")).to_contain_text("Choose the date of the follow-up visit")
    expect(desk.locator("#div_id_follow_up_on")).to_contain_text(
        "Choose the date of the follow-up visit"
    )
    screenshot(desk, "intake-decision-error-1280")
    assert not intake.decisions.exists()


def test_the_clinic_admin_edits_the_scoring_policy(live_server, page_at, adam, clinic_a):
    from clinic.models import AuditEvent
    from intake.models import ClinicScoringPolicy

    desk = page_at(1280)
    login(desk, live_server, adam.email, PASSWORD)
    desk.goto(f"{live_server.url}/clinic/scoring-policy/")
    expect(desk.get_by_text("policy, not evidence")).to_be_visible()
    desk.get_by_label("High suspicion from score").fill("6")
    desk.get_by_label("Patella counts as a high-risk site").uncheck()
    screenshot(desk, "scoring-policy-1280")
    desk.get_by_role("button", name="Save policy").click()
    expect(desk.get_by_text("The scoring policy was saved")).to_be_visible()
    expect(desk.get_by_text("Last changed by")).to_be_visible()
    values = ClinicScoringPolicy.objects.get(clinic=clinic_a).values
    assert values == {"band_high_from": 6, "patella_high_risk": False}
    event = AuditEvent.objects.get(action="policy.scoring.update")
    assert event.detail["after"] == values


def test_a_precise_spot_picked_on_the_phone_puts_the_runner_first(
    live_server, page_at, settings, alice, clinic_a, links_sent_in_process
):
    """Rule set 2026.3: the inner ankle bone, focal, flags the runner before any examination."""
    from intake import services

    settings.SITE_URL = live_server.url
    for name, answers in WAITING:
        first, last = name.split()
        patient = PatientFactory(clinic=clinic_a, first_name=first, last_name=last)
        submitted_intake(clinic_a, patient, answers)
    ines = PatientFactory(clinic=clinic_a, first_name="Ines", last_name="Ankle")
    services.link_create(
        clinic=clinic_a, created_by=alice, patient=ines, full_name="Ines Ankle",
        email="ines@example.com",
    )  # fmt: skip
    url = re.search(r"http://\S+/q/\S+/", mail.outbox[-1].body).group(0)

    phone = page_at(390)
    phone.goto(url)
    phone.get_by_role("link", name="Start").click()
    spot = phone.get_by_label("Inner ankle bone (the bump on the inside of the ankle)")
    expect(spot).to_be_visible()  # without an area every spot is listed
    drawing = phone.get_by_role("img", name=re.compile("Drawing of the leg and foot"))
    expect(drawing).to_be_visible()
    dot = phone.locator(".spot-dot[data-spot='ankle_inner']")
    phone.get_by_label("Foot", exact=True).check()
    expect(spot).to_be_hidden()  # the picker shows only the spots of the area picked
    expect(dot).to_have_class(re.compile(r"\bis-other-area\b"))  # and fades the other dots
    # Tapping the inner ankle bone on the drawing picks its area and its spot, then saves.
    with autosaved(phone, "ankle_inner"):
        dot.click()
    expect(phone.get_by_label("Ankle", exact=True)).to_be_checked()
    expect(spot).to_be_checked()
    expect(dot).to_have_class(re.compile(r"\bis-selected\b"))
    expect(phone.locator(".spot-dot.is-selected")).to_have_count(1)
    # The radio stays the real control: the keyboard moves the choice and the drawing follows.
    spot.press("ArrowDown")
    expect(
        phone.get_by_label("Outer ankle bone (the bump on the outside of the ankle)")
    ).to_be_checked()
    expect(phone.locator(".spot-dot.is-selected")).to_have_attribute("data-spot", "ankle_outer")
    spot.check()
    with autosaved(phone, "ankle_inner", "one_spot"):
        phone.get_by_label("In one spot I can point to with one finger").check()
    phone.reload()  # the saved spot is marked on the drawing by the page itself
    expect(spot).to_be_checked()
    expect(phone.locator(".spot-dot.is-selected")).to_have_attribute("data-spot", "ankle_inner")
    screenshot(phone, "intake-spot-picker-390")
    drawing.screenshot(path=str(SCREENSHOTS / "intake-spot-drawing-390.png"))
    phone.set_viewport_size({"width": 1280, "height": 900})
    screenshot(phone, "intake-spot-picker-1280")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.get_by_role("button", name="Continue").click()
    phone.locator("#div_id_pain_on_impact").get_by_label("Yes").check()
    for _ in range(5):  # pattern, training, shoes, past injuries, health and energy
        phone.get_by_role("button", name=re.compile("Continue|Save and review")).click()
    phone.get_by_role("button", name="Send to my clinic").click()
    expect(phone.get_by_text("Please act on this today")).to_be_visible()

    desk = page_at(1280)
    login(desk, live_server, alice.email, PASSWORD)
    desk.goto(f"{live_server.url}/triage/")
    runners = desk.locator("tbody tr td:first-child a")
    expect(runners).to_have_text(["Ines Ankle", "Erin Expedite", "Hana High", "Lou Low"])
    screenshot(desk, "triage-queue-spot-1280")
    desk.get_by_role("link", name="Ines Ankle").click()
    expect(
        desk.get_by_text("URGENT · Possible high-risk site — confirm at examination")
    ).to_be_visible()
    expect(desk.get_by_text("Possible site: Medial malleolus (inner ankle bone)")).to_be_visible()
    screenshot(desk, "intake-detail-spot-1280")
