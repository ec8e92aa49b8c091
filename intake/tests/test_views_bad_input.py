"""Tampered links, odd query strings and junk posts: a clear page every time, never a 500."""

import pytest
from django.core import signing
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import links, services
from intake.models import ClinicScoringPolicy, Intake, IntakeLink
from intake.scoring import POLICY_DEFAULTS
from intake.tests.factories import IntakeLinkFactory, submitted_intake

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a browser can send: no NUL (the test client refuses it), any other character welcome.
sent_text = st.text(max_size=40).map(lambda s: s.replace("\x00", ""))
odd_values = st.one_of(
    sent_text,
    st.sampled_from(["²", "١٢", "99999999999999999999999", "-1", "0", "1e9", "open", "all"]),
)


@FUZZ
@given(
    params=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(["status", "band", "region", "therapist", "page"], odd_values)
    )
)
def test_the_queue_answers_any_query_string(client, alice, params):
    client.force_login(alice)
    assert client.get(reverse("triage_queue"), params).status_code == 200


@pytest.mark.parametrize("therapist", ["²", "١٢", "1" * 30])
def test_a_therapist_filter_that_is_not_an_id_is_ignored(client, alice, pat, therapist):
    submitted_intake(pat.clinic, pat, {"region": "heel"})
    client.force_login(alice)
    page = client.get(reverse("triage_queue"), {"therapist": therapist}).context["page"]
    assert page.paginator.count == 1


def test_the_band_filter_takes_only_bands(client, alice, pat):
    submitted_intake(pat.clinic, pat, {"region": "hip_groin", "limp": "yes"})  # urgent, low band
    client.force_login(alice)
    assert client.get(reverse("triage_queue"), {"band": "urgent"}).context["page"].paginator.count
    page = client.get(reverse("triage_queue"), {"band": "low"}).context["page"]
    assert page.paginator.count == 1


@pytest.mark.parametrize("patient", ["abc", "é", "12345678-1234-1234-1234-1234567890ab"])
def test_sending_a_link_for_an_unknown_patient_id_is_a_404(client, alice, patient):
    client.force_login(alice)
    assert client.get(reverse("intake_link_create"), {"patient": patient}).status_code == 404


def _signed(value) -> str:
    return signing.dumps(value, salt=links.LINK_SALT)


BAD_TOKENS = [
    "x",
    "a:b",
    "é:ü",
    _signed("not-a-uuid"),
    _signed({"id": 1}),
    _signed(["x"]),
    _signed("12345678-1234-1234-1234-1234567890ab"),  # signed, but no such link
]


@pytest.mark.parametrize("token", BAD_TOKENS, ids=lambda token: token[:12])
def test_a_tampered_or_forged_token_says_the_link_does_not_work(client, db, token):
    for url in (
        reverse("intake_start", args=[token]),
        reverse("intake_step", args=[token, "pain"]),
        reverse("intake_review", args=[token]),
        reverse("intake_done", args=[token]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    response = client.post(reverse("intake_step", args=[token, "pain"]), {"region": "heel"})
    assert response.status_code == 404


@FUZZ
@given(token=st.text(min_size=1, max_size=200).filter(lambda t: "/" not in t and "\x00" not in t))
def test_any_token_text_is_refused_without_an_error(client, db, token):
    assert client.get(reverse("intake_start", args=[token])).status_code == 404


def test_an_expired_link_refuses_a_step_save_and_keeps_the_answers(client, clinic_a):
    from datetime import timedelta

    from django.utils import timezone

    link = IntakeLinkFactory(clinic=clinic_a)
    token = services.link_token(link)
    client.post(reverse("intake_step", args=[token, "pain"]), {"region": "heel"})
    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (
        client.post(reverse("intake_step", args=[token, "pain"]), {"region": "knee"}),
        client.post(reverse("intake_review", args=[token])),
    ):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    intake = Intake.objects.get(link=link)
    assert (intake.status, intake.answers) == ("draft", {"region": "heel"})


def test_a_revoked_link_says_so(client, clinic_a):
    from django.utils import timezone

    link = IntakeLinkFactory(clinic=clinic_a, revoked_at=timezone.now())
    response = client.get(reverse("intake_start", args=[services.link_token(link)]))
    assert response.status_code == 410
    assert "This link was withdrawn" in response.content.decode()


def test_an_unknown_step_goes_back_to_the_start(client, clinic_a):
    token = services.link_token(IntakeLinkFactory(clinic=clinic_a))
    response = client.get(reverse("intake_step", args=[token, "therapist"]))
    assert response.url == reverse("intake_start", args=[token])


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(["full_name", "email"], odd_values | st.just("a@b.example"))
    )
)
def test_the_link_form_never_errors(client, alice, data):
    client.force_login(alice)
    before = IntakeLink.objects.count()
    response = client.post(reverse("intake_link_create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert IntakeLink.objects.count() == before


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(POLICY_DEFAULTS, odd_values)))
def test_the_scoring_policy_form_never_errors_and_refuses_junk(client, adam, clinic_a, data):
    client.force_login(adam)

    def stored():
        row = ClinicScoringPolicy.objects.filter(clinic=clinic_a).first()
        return dict(row.values) if row else {}

    before = stored()
    response = client.post(reverse("scoring_policy"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert stored() == before


@FUZZ
@given(therapist=odd_values)
def test_assigning_junk_changes_nothing(client, alice, pat, therapist):
    intake = submitted_intake(pat.clinic, pat, {"region": "heel"})
    client.force_login(alice)
    response = client.post(reverse("intake_assign", args=[intake.pk]), {"therapist": therapist})
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to is None


def test_state_changing_views_refuse_get(client, alice, pat):
    intake = submitted_intake(pat.clinic, pat, {"region": "heel"})
    client.force_login(alice)
    for name in ("intake_claim", "intake_assign", "intake_decide"):
        assert client.get(reverse(name, args=[intake.pk])).status_code == 405
    assert client.get(reverse("intake_start_visit", args=[pat.pk])).status_code == 405
