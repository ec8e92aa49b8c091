"""Personal API tokens: made and revoked on the account page, shown once, hashed at rest,
scoped, expiring, and only ever the rights of their owner in their clinic."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import tokens
from api.models import ApiToken
from clinic.models import AuditEvent, Membership
from clinic.tests import otp


def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("api_token_create"), {"name": "EHR sync", "scope": "read", "days": "30"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("rbt_") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=alice)
    assert token.digest == tokens.token_digest(secret) and secret not in str(token.__dict__)
    assert token.scope == "read" and token.clinic == alice.memberships.get().clinic
    assert (token.expires_at - timezone.now()).days in (29, 30)
    page = client.get(reverse("account_security")).content.decode()
    assert "EHR sync" in page and f"rbt_{token.prefix}…" in page and secret not in page
    assert AuditEvent.objects.filter(action="api_token.create", actor=alice).count() == 1


def test_the_token_works_until_revoked(client, alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic, scope="read")
    assert api.get(reverse("api_patient", args=[pat.pk])).status_code == 200
    client.force_login(alice)
    token = ApiToken.objects.get(user=alice)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get(reverse("api_patient", args=[pat.pk])).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_it_rejects_revoking_someone_elses_token(client, alice, adam):
    token, _ = tokens.api_token_create(
        user=alice, clinic=alice.memberships.get().clinic, name="x", scope="read", days=7
    )
    client.force_login(adam)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_an_invalid_token_form(client, alice):
    client.force_login(alice)
    response = client.post(reverse("api_token_create"), {"name": "", "scope": "admin"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer rbt_nope_nope", "Bearer", "Bearer a b", "Basic Zm9vOmJhcg==", "Bearer " + "x" * 500],
)
def test_an_unknown_or_malformed_token_answers_401(client, pat, header):
    response = client.get(reverse("api_patients"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_answers_401(alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(reverse("api_patients")).status_code == 401


def test_a_suspended_role_ends_the_tokens_of_that_clinic(alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic)
    Membership.objects.filter(user=alice).update(is_active=False)
    assert api.get(reverse("api_patients")).status_code == 401


def test_a_password_change_ends_the_persons_tokens(client, alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic)
    assert api.get(reverse("api_patients")).status_code == 200
    alice.set_password("a-new-long-passphrase-2026")
    alice.save()
    assert api.get(reverse("api_patients")).status_code == 401
    client.force_login(alice)
    page = client.get(reverse("account_security")).content.decode()
    assert "ended by a change of password, sessions or role" in page


def test_signing_out_everywhere_ends_the_persons_tokens(client, alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic)
    client.force_login(alice)
    client.post(reverse("sign_out_everywhere"))
    assert api.get(reverse("api_patients")).status_code == 401
    alice.refresh_from_db()
    fresh = as_token(alice, alice.memberships.get().clinic)  # a token made afterwards works
    assert fresh.get(reverse("api_patients")).status_code == 200


def test_a_clinic_requiring_two_step_later_stops_tokens_of_staff_without_it(alice, pat, as_token):
    clinic = alice.memberships.get().clinic
    api = as_token(alice, clinic)
    clinic.require_staff_2fa = True
    clinic.save(update_fields=["require_staff_2fa"])
    assert api.get(reverse("api_patients")).status_code == 401
    otp.authenticator(alice)  # set up since: the token works again
    assert api.get(reverse("api_patients")).status_code == 200


def test_two_step_required_of_staff_leaves_a_patients_token_working(pat, as_token):
    clinic = pat.user.memberships.get().clinic
    api = as_token(pat.user, clinic)
    clinic.require_staff_2fa = True
    clinic.save(update_fields=["require_staff_2fa"])
    assert api.get(reverse("api_patient", args=[pat.pk])).status_code == 200


def test_a_read_token_may_not_write(alice, pat, as_token):
    api = as_token(alice, alice.memberships.get().clinic, scope="read")
    response = api.post(
        reverse("api_patients"), {"first_name": "A"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_session_without_its_second_factor_gets_403_not_a_redirect(client, alice, pat):
    otp.authenticator(alice)
    client.force_login(alice)  # password only: the code not yet entered
    assert client.get(reverse("api_patient", args=[pat.pk])).status_code == 403
    otp.sign_in(client, alice)
    assert client.get(reverse("api_patient", args=[pat.pk])).status_code == 200


def test_a_token_works_in_its_own_clinic_only(alice, bob, pat, bea, as_token, clinic_b):
    Membership.objects.create(user=alice, clinic=clinic_b, role="therapist")
    api = as_token(alice, alice.memberships.get(clinic=pat.clinic).clinic)
    assert api.get(reverse("api_patient", args=[pat.pk])).status_code == 200
    assert api.get(reverse("api_patient", args=[bea.pk])).status_code == 404
    ids = {row["id"] for row in api.get(reverse("api_patients")).json()["results"]}
    assert str(pat.pk) in ids and str(bea.pk) not in ids


def test_requests_past_the_rate_limit_answer_429(settings, alice, pat, as_token):
    settings.API_RATE_LIMIT = (3, 60)
    api = as_token(alice, alice.memberships.get().clinic)
    answers = [api.get(reverse("api_patient", args=[pat.pk])).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = as_token(alice, alice.memberships.get().clinic)  # each token counts on its own
    assert other.get(reverse("api_patient", args=[pat.pk])).status_code == 200


def test_the_rate_limit_fails_closed_without_the_cache(monkeypatch, alice, pat, as_token):
    import redis

    from clinic import rate_limits

    def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(rate_limits, "_count", broken)
    api = as_token(alice, alice.memberships.get().clinic)
    assert api.get(reverse("api_patient", args=[pat.pk])).status_code == 429


junk = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["", "read", "write", "admin", "7", "30", "365", "-1", "10**9", "é" * 100]),
)


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(["name", "scope", "days"], junk)))
def test_the_token_form_never_errors(client, alice, data):
    client.force_login(alice)
    before = ApiToken.objects.count()
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = client.post(reverse("api_token_create"), data)
    assert response.status_code in (200, 302)
    made = ApiToken.objects.count() - before
    assert made == (1 if response.status_code == 200 else 0)
