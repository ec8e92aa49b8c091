"""Whatever a runner or therapist types, the answer is a page with messages, never an error."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import services
from intake.forms import step_keys
from intake.models import Intake
from intake.scoring import QUESTIONS, score
from intake.tests.factories import IntakeLinkFactory, submitted_intake

junk = st.one_of(
    st.text(max_size=30).map(lambda s: s.replace("\x00", "")),
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "yes", "no", "unsure", "positive", "2999-01-01", "1900-02-30", "1e400"]),
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fields_of(step):
    keys = step_keys(step)
    names = [k for k in keys if QUESTIONS[k].kind != "number_list"]
    if any(QUESTIONS[k].kind == "number_list" for k in keys):
        names += [f"weekly_km__{n}" for n in range(1, 7)]
    return names


@FUZZ
@given(
    step=st.sampled_from(["pain", "pattern", "training", "equipment", "history", "body"]),
    data=st.data(),
)
def test_questionnaire_steps_never_error(client, clinic_a, step, data):
    link = IntakeLinkFactory(clinic=clinic_a)
    token = services.link_token(link)
    answers = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(fields_of(step), junk)))
    response = client.post(reverse("intake_step", args=[token, step]), answers)
    assert response.status_code in (200, 302)
    intake = Intake.objects.get(link=link)
    if response.status_code == 200:
        assert intake.answers == {}
    score(intake.answers)  # whatever was stored scores without error


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(fields_of("therapist"), junk)))
def test_examination_never_errors(client, alice, pat, data):
    intake = submitted_intake(pat.clinic, pat, {"region": "heel"})
    client.force_login(alice)
    response = client.post(reverse("intake_exam", args=[intake.pk]), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(["first_name", "last_name", "date_of_birth", "sex"], junk)
    )
)
def test_about_step_never_errors(client, clinic_a, data):
    token = services.link_token(IntakeLinkFactory(clinic=clinic_a))
    assert client.post(reverse("intake_step", args=[token, "about"]), data).status_code in (
        200,
        302,
    )


@FUZZ
@given(
    data=st.fixed_dictionaries({}, optional=dict.fromkeys(["kind", "notes", "follow_up_on"], junk))
)
def test_decision_form_never_errors(client, alice, pat, data):
    intake = submitted_intake(pat.clinic, pat, {"region": "heel"})
    client.force_login(alice)
    response = client.post(reverse("intake_decide", args=[intake.pk]), data)
    assert response.status_code in (302, 400)
