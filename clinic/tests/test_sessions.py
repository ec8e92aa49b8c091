"""Sessions: staff are signed out when idle, patients may stay signed in, role changes end them."""

import time

from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic import sessions
from clinic.tests.factories import PASSWORD


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[sessions.LAST_SEEN_KEY] = time.time() - minutes * 60
    session.save()


def last_seen(client) -> float:
    return client.session[sessions.LAST_SEEN_KEY]


def test_a_staff_session_ends_after_30_idle_minutes(client, alice):
    client.force_login(alice)
    client.get(reverse("caseload"))
    idle_for(client, 31)
    response = client.get(reverse("caseload"))
    assert response.url == f"{reverse('login')}?next=/caseload/"
    page = client.get(response.url).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert "_auth_user_id" not in client.session


def test_a_staff_session_lasts_while_they_work(client, alice):
    client.force_login(alice)
    client.get(reverse("caseload"))
    idle_for(client, 29)
    assert client.get(reverse("caseload")).status_code == 200
    assert time.time() - last_seen(client) < 5


def test_coaches_are_signed_out_when_idle_too(client, coach_cole):
    client.force_login(coach_cole)
    client.get(reverse("care_team_home"))
    idle_for(client, 31)
    assert client.get(reverse("care_team_home")).url.startswith(reverse("login"))


def test_a_patient_session_does_not_end_when_idle(client, pat):
    client.force_login(pat.user)
    client.get(reverse("patient_home"))
    idle_for(client, 120)
    assert client.get(reverse("patient_home")).status_code == 200


def test_reading_the_time_left_is_not_activity(client, alice):
    client.force_login(alice)
    client.get(reverse("caseload"))
    idle_for(client, 29)
    before = last_seen(client)
    remaining = client.get(reverse("session_status")).json()["remaining"]
    assert 55 <= remaining <= 60
    assert last_seen(client) == before


def test_stay_signed_in_restarts_the_clock(client, alice):
    client.force_login(alice)
    client.get(reverse("caseload"))
    idle_for(client, 29.5)
    remaining = client.post(reverse("session_status")).json()["remaining"]
    assert remaining == settings.SESSION_IDLE_TIMEOUT
    idle_for(client, 0)
    assert client.get(reverse("caseload")).status_code == 200


def test_stay_signed_in_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("session_status")).status_code == 403


def test_a_staff_page_carries_the_idle_warning_and_its_script(client, alice):
    client.force_login(alice)
    body = client.get(reverse("caseload")).content.decode()
    assert 'data-session-timeout="1800"' in body
    assert 'data-session-warning="60"' in body
    assert f'data-session-url="{reverse("session_status")}"' in body
    assert 'data-csrf-token="' in body
    assert 'id="session-timeout"' in body and "Stay signed in" in body
    assert "js/session-timeout.js" in body


def test_a_patient_page_has_no_idle_warning(client, pat):
    client.force_login(pat.user)
    body = client.get(reverse("patient_home")).content.decode()
    assert "data-session-timeout" not in body and "session-timeout.js" not in body


def sign_in(client, email, remember):
    data = {"username": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    return client.post(reverse("login"), data)


def test_keep_me_signed_in_keeps_a_patient_for_14_days(client, pat):
    response = sign_in(client, pat.user.email, remember=True)
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()
    assert response.cookies["sessionid"]["max-age"] == 14 * 24 * 3600


def test_without_the_box_a_patient_session_ends_with_the_browser(client, pat):
    response = sign_in(client, pat.user.email, remember=False)
    assert client.session.get_expire_at_browser_close()
    assert response.cookies["sessionid"]["max-age"] == ""


def test_staff_cannot_stay_signed_in(client, alice):
    response = sign_in(client, alice.email, remember=True)
    assert client.session.get_expire_at_browser_close()
    assert response.cookies["sessionid"]["max-age"] == ""


def test_the_login_form_offers_to_keep_me_signed_in(client):
    assert "Keep me signed in on this phone" in client.get(reverse("login")).content.decode()


def test_signing_in_gives_a_new_session_key(client, alice):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, alice.email, remember=False)
    assert client.session.session_key != before


def test_a_role_change_ends_the_persons_other_sessions(client, adam, alice):
    alice_client = Client()
    alice_client.force_login(alice)
    assert alice_client.get(reverse("caseload")).status_code == 200
    client.force_login(adam)
    client.post(reverse("membership_toggle", args=[alice.memberships.get().pk]))
    client.post(reverse("membership_toggle", args=[alice.memberships.get().pk]))  # restored
    assert alice_client.get(reverse("caseload")).url.startswith(reverse("login"))
    assert sign_in(alice_client, alice.email, remember=False).status_code == 302
    assert alice_client.get(reverse("caseload")).status_code == 200


def test_an_admin_changing_their_own_roles_keeps_this_session(client, adam, clinic_a):
    therapist_role = clinic_a.memberships.create(user=adam, role="therapist")
    client.force_login(adam)
    before = client.session.session_key
    client.post(reverse("membership_toggle", args=[therapist_role.pk]))
    assert client.get(reverse("clinic_admin")).status_code == 200
    assert client.session.session_key != before


def test_accepting_a_new_role_ends_the_persons_other_sessions(client, alice, clinic_b):
    from clinic import services

    other = Client()
    other.force_login(alice)
    invitation = services.invitation_create(
        clinic=clinic_b, email=alice.email, full_name="Alice", role="therapist", invited_by=None
    )
    client.force_login(alice)
    client.post(reverse("invitation_accept", args=[services.invitation_token(invitation)]))
    assert client.get(reverse("caseload")).status_code == 200
    assert other.get(reverse("caseload")).url.startswith(reverse("login"))


def test_sign_out_of_all_devices(client, alice):
    phone = Client()
    phone.force_login(alice)
    client.force_login(alice)
    response = client.post(reverse("sign_out_everywhere"), follow=True)
    assert "signed out on every device" in response.content.decode()
    assert phone.get(reverse("caseload")).url.startswith(reverse("login"))
    assert client.get(reverse("caseload")).url.startswith(reverse("login"))


def test_changing_the_password_ends_other_sessions(client, alice):
    phone = Client()
    phone.force_login(alice)
    client.force_login(alice)
    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-pass-9",
            "new_password2": "a-brand-new-pass-9",
        },
    )
    assert client.get(reverse("caseload")).status_code == 200
    assert phone.get(reverse("caseload")).url.startswith(reverse("login"))


def test_the_account_security_page_lists_recent_sign_ins(client, alice):
    sign_in(client, alice.email, remember=False)
    body = client.get(reverse("account_security")).content.decode()
    assert "Recent sign-ins" in body and "127.0.0.1" in body
    assert "Sign out of all devices" in body
