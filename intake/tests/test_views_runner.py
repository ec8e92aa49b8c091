"""The runner's questionnaire through a personal link, as a phone would use it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from intake import services
from intake.models import Intake, IntakeLink
from notifications.tests.sending import sent_in_process


@pytest.fixture
def link(clinic_a, alice, django_capture_on_commit_callbacks):
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        return services.link_create(
            clinic=clinic_a, created_by=alice, email="robin@example.com", full_name="Robin Vale"
        )


@pytest.fixture
def token(link):
    return services.link_token(link)


def step(token, name):
    return reverse("intake_step", args=[token, name])


ABOUT = {
    "first_name": "Robin",
    "last_name": "Vale",
    "date_of_birth": "1995-06-01",
    "sex": "female",
    "phone": "",
}


def test_the_link_is_emailed_and_opens_without_an_account(client, link):
    assert mail.outbox[0].to == ["robin@example.com"]
    # The token carries the second it was signed, so read it from the mail rather than sign again.
    path = re.search(r"/q/[^/\s]+/", mail.outbox[0].body).group(0)
    token = path.split("/")[2]
    assert services.link_from_token(token) == link
    response = client.get(path)
    assert response.status_code == 200
    assert "about 5 minutes" in response.content.decode()


def test_each_step_is_saved_when_answered(client, token, link):
    client.post(step(token, "about"), ABOUT)
    response = client.post(
        step(token, "pain"),
        {"region": "shin_front", "pain_localized": "one_spot", "pain_now": "3", "pain_worst": "7"},
    )
    assert response.url == step(token, "pattern")
    response = client.post(step(token, "pattern"), {"pain_on_impact": "yes", "swelling": "no"})
    assert response.url == step(token, "training")
    intake = Intake.objects.get(link=link)
    assert intake.answers["region"] == "shin_front"
    assert intake.answers["pain_worst"] == 7
    assert intake.answers["pain_on_impact"] == "yes"
    assert intake.steps_done == ["about", "pain", "pattern"]


def test_the_pain_questions_fill_two_short_screens(client, token):
    where = client.get(step(token, "pain")).context["form"]
    when = client.get(step(token, "pattern")).context["form"]
    assert list(where.fields) == [
        "area", "region", "side", "onset_date", "pain_localized", "pain_now", "pain_worst"
    ]  # fmt: skip
    assert len(when.fields) == 11 and "pain_on_impact" in when.fields
    assert "pain_stairs_hills" in when.fields and "groin_pain_also" in when.fields


AUTOSAVE = {"headers": {"X-Intake-Autosave": "1"}}


def test_the_exact_spot_is_shown_on_a_drawing_with_the_numbers_of_the_list(client, token):
    page = client.get(step(token, "pain")).content.decode()
    drawing = re.search(r"<svg class=\"spot-map\".*?</svg>", page, re.S).group(0)
    assert 'role="img"' in drawing and 'aria-label="Drawing of the leg and foot' in drawing
    assert "style=" not in drawing and "<script" not in drawing  # the CSP allows neither
    dots = dict(
        re.findall(r'data-spot="(\w+)".*?class="spot-dot-number"[^>]*>(\d+)<', drawing, re.S)
    )
    listed = dict(
        re.findall(
            r'value="(\w+)"[^>]*>\s*<label[^>]*>\s*<span class="spot-number"[^>]*>(\d+)<', page
        )
    )
    assert len(dots) == 22 and "other" not in dots  # "Somewhere else" has no place to point to
    assert dots == listed  # each dot carries the number its radio shows
    assert dots["ankle_inner"] == "12" and dots["foot_top_midfoot"] == "15"


def test_the_saved_spot_is_marked_on_the_drawing(client, token):
    client.post(step(token, "pain"), {"area": "foot", "region": "heel"}, **AUTOSAVE)
    page = client.get(step(token, "pain")).content.decode()
    assert re.findall(r'class="spot-dot is-selected" data-spot="(\w+)"', page) == ["heel"]
    # The radio keeps its plain name for screen readers; the number is hidden from them.
    assert '<span class="spot-number" aria-hidden="true">22</span> Heel' in page


def test_an_old_rule_set_list_of_regions_gets_no_drawing():
    from intake.forms import AnswerStepForm

    assert AnswerStepForm(step="pain", version="2026.2").spot_dots == []
    assert len(AnswerStepForm(step="pain").spot_dots) == 22


def test_answers_are_kept_as_they_are_given_without_finishing_the_step(client, token, link):
    client.post(step(token, "about"), ABOUT)
    answers = {"region": "heel", "pain_localized": "one_spot"}
    response = client.post(step(token, "pain"), answers, **AUTOSAVE)
    assert response.json() == {"saved": True}
    intake = Intake.objects.get(link=link)
    assert intake.answers["region"] == "heel" and intake.answers["pain_localized"] == "one_spot"
    assert intake.steps_done == ["about"]
    start = client.get(reverse("intake_start", args=[token]))
    assert start.context["resume"] == "pain"  # the phone slept mid-step: back to that step
    form = client.get(step(token, "pain")).context["form"]
    assert (form.initial["region"], form.initial["pain_localized"]) == ("heel", "one_spot")


def test_an_invalid_answer_is_not_autosaved(client, token, link):
    client.post(step(token, "pain"), {"region": "heel"}, **AUTOSAVE)
    response = client.post(step(token, "pain"), {"region": "knee", "pain_now": "11"}, **AUTOSAVE)
    assert response.json() == {"saved": False}
    assert Intake.objects.get(link=link).answers == {"region": "heel"}


def test_an_autosave_after_sending_is_refused(client, token, link):
    client.post(step(token, "about"), ABOUT)
    client.post(reverse("intake_review", args=[token]))
    response = client.post(step(token, "pain"), {"region": "knee"}, **AUTOSAVE)
    assert response.status_code == 410
    assert "region" not in Intake.objects.get(link=link).answers


def test_reopening_the_link_resumes_where_the_runner_stopped(client, token):
    client.post(step(token, "about"), ABOUT)
    client.post(step(token, "pain"), {"region": "heel"})
    response = client.get(reverse("intake_start", args=[token]))
    assert "Continue where you stopped" in response.content.decode()
    assert response.context["resume"] == "pattern"


def test_a_blank_answer_clears_an_earlier_one(client, token, link):
    client.post(step(token, "pattern"), {"limp": "no", "swelling": "yes"})
    client.post(step(token, "pattern"), {"limp": "no"})
    assert "swelling" not in Intake.objects.get(link=link).answers
    assert Intake.objects.get(link=link).answers["limp"] == "no"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("pain_now", "11", "Select a valid choice"),
        ("pain_now", "2.5", "Select a valid choice"),
        ("onset_date", "2999-01-01", "cannot be in the future"),
        ("onset_date", "yesterday", "Enter a valid date"),
    ],
)
def test_bad_pain_answers_get_a_message_and_change_nothing(
    client, token, link, field, value, message
):
    response = client.post(step(token, "pain"), {"region": "heel", field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Intake.objects.get(link=link).answers == {}


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("weekly_km__1", "401", "less than or equal to 400"),
        ("weekly_km__2", "-3", "greater than or equal to 0"),
        ("rest_days_per_week", "8", "less than or equal to 7"),
    ],
)
def test_bad_training_answers_get_a_message(client, token, field, value, message):
    response = client.post(step(token, "training"), {field: value})
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "field,value,message",
    [("height_cm", "20", "greater than or equal to 100"), ("weight_kg", "900", "less than or")],
)
def test_implausible_height_and_weight_are_refused(client, token, field, value, message):
    response = client.post(step(token, "body"), {field: value})
    assert message in response.content.decode()


def test_period_answers_are_dropped_when_the_runner_says_they_do_not_apply(client, token, link):
    body = {"menstrual_applicable": "no", "age_first_period": "13", "periods_last_12_months": "4"}
    client.post(step(token, "body"), body)
    assert Intake.objects.get(link=link).answers == {"menstrual_applicable": "no"}
    client.post(step(token, "body"), {**body, "menstrual_applicable": ""})
    answers = Intake.objects.get(link=link).answers
    assert (answers["age_first_period"], answers["periods_last_12_months"]) == (13, 4)


def test_weekly_distances_are_kept_oldest_first_in_km(client, token, link):
    client.post(
        step(token, "training"), {"weekly_km__3": "20", "weekly_km__4": "0", "weekly_km__5": "40"}
    )
    assert Intake.objects.get(link=link).answers["weekly_km"] == [20.0, 0.0, 40.0]


def test_an_empty_week_between_two_filled_ones_is_refused(client, token, link):
    response = client.post(
        step(token, "training"), {"weekly_km__1": "20", "weekly_km__3": "25", "weekly_km__6": "40"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"weekly_km__2", "weekly_km__4", "weekly_km__5"}
    assert "Fill in this week (0 if you did not run)" in response.content.decode()
    assert Intake.objects.get(link=link).answers == {}


def test_a_runner_on_miles_answers_in_miles_and_is_stored_in_km(client, clinic_a, alice, pat):
    pat.distance_unit = "mi"
    pat.save()
    link = services.link_create(
        clinic=clinic_a, created_by=alice, email=pat.email, full_name=pat.full_name
    )
    token = services.link_token(link)
    assert link.patient == pat
    response = client.get(step(token, "training"))
    assert "In mi." in response.content.decode()
    client.post(step(token, "training"), {"longest_recent_run_km": "10"})
    assert Intake.objects.get(link=link).answers["longest_recent_run_km"] == 16.1


def test_known_patients_skip_the_about_step(client, clinic_a, alice, pat):
    link = services.link_create(clinic=clinic_a, created_by=alice, email=pat.email, full_name="P")
    token = services.link_token(link)
    assert client.get(step(token, "about")).url == reverse("intake_start", args=[token])
    intake = Intake.objects.get(link=link)
    assert intake.answers["sex"] == "female"


def test_submitting_creates_the_patient_scores_and_uses_up_the_link(client, token, link, alice):
    client.post(step(token, "about"), ABOUT)
    client.post(step(token, "pain"), {"region": "shin_front", "pain_localized": "one_spot"})
    client.post(step(token, "pattern"), {"pain_on_impact": "yes", "point_tenderness": "yes"})
    response = client.post(reverse("intake_review", args=[token]))
    assert response.url == reverse("intake_done", args=[token])
    intake = Intake.objects.get(link=link)
    assert intake.status == "new"
    assert intake.band == "high"
    assert intake.red_flag_level == "urgent"
    assert intake.patient == Patient.objects.get(email="robin@example.com")
    assert intake.patient.date_of_birth.isoformat() == "1995-06-01"
    link.refresh_from_db()
    assert link.used_at is not None
    done = client.get(response.url).content.decode()
    assert "Please act on this today" in done
    assert "points" not in done  # the runner never sees the clinician's score wording


def test_a_used_link_says_the_answers_were_sent(client, token, link):
    client.post(step(token, "about"), ABOUT)
    client.post(reverse("intake_review", args=[token]))
    response = client.get(reverse("intake_start", args=[token]))
    assert response.status_code == 410
    assert "already sent" in response.content.decode()


def test_an_expired_link_says_what_to_do(client, token, link):
    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("intake_start", args=[token]))
    assert response.status_code == 410
    assert "Ask your clinic to send you a new one" in response.content.decode()


def test_a_tampered_link_is_refused(client, token):
    response = client.get(reverse("intake_start", args=[token[:-2] + "xx"]))
    assert response.status_code == 404


def test_the_review_links_each_answered_step_for_a_change(client, token):
    client.post(step(token, "about"), ABOUT)
    client.post(step(token, "pain"), {"region": "heel"})
    client.post(step(token, "history"), {"previous_stress_fractures": "1"})
    body = client.get(reverse("intake_review", args=[token])).content.decode()
    for name in ("about", "pain", "history"):
        assert f'href="{step(token, name)}">Change' in body
    assert f'href="{step(token, "training")}">Your running' in body  # not opened yet


def test_submission_without_about_goes_back_to_it(client, token):
    response = client.post(reverse("intake_review", args=[token]))
    assert response.url == step(token, "about")


def test_a_returning_runner_is_matched_by_email(client, clinic_a, alice, pia):
    link = IntakeLink.objects.create(
        clinic=clinic_a, email=pia.email.upper(), full_name="Pia", created_by=alice
    )
    intake = services.intake_for_link(link)
    services.intake_save_about(
        intake=intake,
        about={**ABOUT, "date_of_birth": timezone.localdate().replace(year=1990)},
    )
    services.intake_submit(intake=intake)
    intake.refresh_from_db()
    assert intake.patient == pia


def test_the_patient_sees_their_intake_and_next_step(client, pat):
    from intake.tests.factories import FEMORAL_NECK, submitted_intake

    submitted_intake(pat.clinic, pat, FEMORAL_NECK)
    client.force_login(pat.user)
    body = client.get(reverse("my_intake")).content.decode()
    assert "Please act on this today" in body
    assert "Point to the exact spot: where does it hurt most?" in body
    home = client.get(reverse("patient_home")).content.decode()
    assert "Please act on this today" in home


def test_a_step_and_the_submission_posted_twice_are_kept_once(client, token, link):
    """A double tap or a retried post: the same answers once, one submitted intake, one score."""
    client.post(step(token, "about"), ABOUT)
    client.post(step(token, "about"), ABOUT)
    review = reverse("intake_review", args=[token])

    first = client.post(review)
    again = client.post(review)

    assert first.url == again.url == reverse("intake_done", args=[token])
    intake = Intake.objects.get(link=link)
    assert intake.steps_done.count("about") == 1
    assert intake.status == Intake.Status.NEW
    assert intake.scores.count() == 1
    assert list(intake.events.values_list("note", flat=True)).count("Submitted") == 1
    assert Patient.objects.filter(first_name="Robin").count() == 1
