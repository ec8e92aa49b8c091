"""Two-step verification: required of admins and therapists where the clinic says so."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import demo
from clinic.models import AuditEvent, Clinic, User
from clinic.tests import factories, otp
from clinic.tests.test_access_urls import TABLE, cast, named_patterns  # noqa: F401
from clinic.two_factor import WRONG_CODE


@pytest.fixture
def requiring(clinic_a):
    clinic_a.require_staff_2fa = True
    clinic_a.save()
    return clinic_a


@pytest.fixture
def alice_enrolled(alice, requiring):
    return otp.authenticator(alice)


def verify(client, code, next_url="/caseload/"):
    return client.post(reverse("two_factor_verify"), {"code": code, "next": next_url})


def last_step(device):
    """Forget the last used time step, as if the next 30 seconds had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


def test_a_therapist_of_a_clinic_that_requires_it_is_sent_to_set_it_up(client, alice, requiring):
    client.force_login(alice)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_enrol')}?next=/caseload/"


def test_a_clinic_that_does_not_require_it_lets_staff_in(client, alice):
    client.force_login(alice)
    assert client.get(reverse("caseload")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_then_confirms_with_a_code(client, alice, requiring):
    client.force_login(alice)
    page = client.get(reverse("two_factor_enrol"), {"next": "/caseload/"})
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert page.context["secret"].replace(" ", "") in body.replace(" ", "")

    response = client.post(
        reverse("two_factor_enrol"), {"code": otp.code_of(device), "next": "/caseload/"}
    )
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert response["Cache-Control"] == "no-store"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("caseload")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_enrolled", actor=alice).exists()


def test_enrolment_refuses_a_wrong_code(client, alice, requiring):
    client.force_login(alice)
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert not TOTPDevice.objects.get(user=alice).confirmed
    assert client.get(reverse("caseload")).url.startswith(reverse("two_factor_enrol"))


def test_signing_in_again_asks_for_a_code_and_accepts_the_right_one(client, alice, alice_enrolled):
    client.force_login(alice)
    response = client.get(reverse("caseload"))
    assert response.url == f"{reverse('two_factor_verify')}?next=/caseload/"
    response = verify(client, otp.code_of(alice_enrolled))
    assert response.status_code == 302 and response.url == "/caseload/"
    assert client.get(reverse("caseload")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor", actor=alice).exists()


def test_verifying_gives_the_session_a_new_key(client, alice, alice_enrolled):
    client.force_login(alice)
    before = client.session.session_key
    verify(client, otp.code_of(alice_enrolled))
    assert client.session.session_key != before


def test_a_wrong_code_is_refused_with_a_clear_message(client, alice, alice_enrolled):
    client.force_login(alice)
    response = verify(client, "123456")
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode().replace("&#x27;", "'")
    assert client.get(reverse("caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.second_factor_failed", actor=alice).exists()


def test_after_a_wrong_code_even_the_right_one_must_wait(client, alice, alice_enrolled):
    client.force_login(alice)
    verify(client, "123456")
    response = verify(client, otp.code_of(alice_enrolled))
    assert "Too many wrong codes. Wait" in response.content.decode()
    TOTPDevice.objects.filter(pk=alice_enrolled.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert verify(client, otp.code_of(alice_enrolled)).status_code == 302


def test_a_code_cannot_be_used_twice(client, alice, alice_enrolled):
    code = otp.code_of(alice_enrolled)
    client.force_login(alice)
    assert verify(client, code).status_code == 302
    other = Client()
    other.force_login(alice)
    assert verify(other, code).status_code == 200


def test_a_backup_code_works_once(client, alice, alice_enrolled):
    client.force_login(alice)
    verify(client, otp.code_of(alice_enrolled))
    codes = client.post(reverse("backup_codes_new")).context["codes"]

    phone_lost = Client()
    phone_lost.force_login(alice)
    assert verify(phone_lost, codes[0].upper()).status_code == 302
    assert phone_lost.get(reverse("caseload")).status_code == 200

    again = Client()
    again.force_login(alice)
    response = verify(again, codes[0])
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert StaticDevice.objects.get(user=alice).token_set.count() == 9


def test_new_backup_codes_cancel_the_old_ones(client, alice, alice_enrolled):
    otp.sign_in(client, alice)
    old = client.post(reverse("backup_codes_new")).context["codes"]
    client.post(reverse("backup_codes_new"))
    fresh = Client()
    fresh.force_login(alice)
    assert verify(fresh, old[0]).status_code == 200


def test_someone_with_an_authenticator_cannot_set_up_another_before_verifying(
    client, alice, alice_enrolled
):
    client.force_login(alice)
    response = client.get(reverse("two_factor_enrol"))
    assert response.url.startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_the_clinic_admin_resets_a_therapists_second_factor(client, adam, alice, alice_enrolled):
    alice_client = Client()
    otp.sign_in(alice_client, alice)
    otp.authenticator(adam)
    otp.sign_in(client, adam)

    response = client.post(reverse("second_factor_reset", args=[alice.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert alice_client.get(reverse("caseload")).url.startswith(reverse("login"))
    event = AuditEvent.objects.get(action="auth.second_factor_reset")
    assert (event.actor, event.object_id) == (adam, str(alice.pk))

    alice.refresh_from_db()
    alice_client.force_login(alice)
    assert alice_client.get(reverse("caseload")).url.startswith(reverse("two_factor_enrol"))


def test_an_admin_cannot_reset_another_clinics_staff(client, adam, bob):
    otp.authenticator(bob)
    client.force_login(adam)
    assert client.post(reverse("second_factor_reset", args=[bob.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=bob).exists()


def test_the_clinic_page_shows_who_has_two_step_on(client, adam, alice, alice_enrolled):
    otp.authenticator(adam)
    otp.sign_in(client, adam)
    body = client.get(reverse("clinic_admin")).content.decode()
    assert f'action="{reverse("second_factor_reset", args=[alice.pk])}"' in body
    assert f'action="{reverse("second_factor_reset", args=[adam.pk])}"' not in body


def test_patients_may_set_it_up_but_are_not_asked_to(client, pat, requiring):
    client.force_login(pat.user)
    assert client.get(reverse("patient_home")).status_code == 200
    assert client.get(reverse("two_factor_enrol")).status_code == 200


def test_a_patient_with_an_authenticator_is_asked_for_a_code(client, pat):
    device = otp.authenticator(pat.user)
    client.force_login(pat.user)
    assert client.get(reverse("patient_home")).url.startswith(reverse("two_factor_verify"))
    verify(client, otp.code_of(device), next_url="/me/")
    assert client.get(reverse("patient_home")).status_code == 200


def test_a_patient_may_turn_it_off_but_required_staff_may_not(client, pat, alice, alice_enrolled):
    otp.authenticator(pat.user)
    otp.sign_in(client, pat.user)
    client.post(reverse("two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=pat.user).exists()

    staff = Client()
    otp.sign_in(staff, alice)
    response = staff.post(reverse("two_factor_disable"), follow=True)
    assert "requires two-step verification" in response.content.decode()
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_the_django_admin_asks_for_the_second_factor(client, db):
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    device = otp.authenticator(root)
    client.force_login(root)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    verify(client, otp.code_of(device), next_url=reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_django_admin_users_must_set_it_up_where_new_clinics_require_it(client, db, settings):
    settings.STAFF_2FA_DEFAULT = True
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_enrol"))


def test_new_clinics_require_it_by_default_outside_development(settings, db):
    settings.STAFF_2FA_DEFAULT = True
    assert Clinic.objects.create(name="New", slug="new").require_staff_2fa
    settings.STAFF_2FA_DEFAULT = False
    assert not Clinic.objects.create(name="Dev", slug="dev").require_staff_2fa


def test_demo_clinics_do_not_require_it_so_the_demo_logins_work(client, db, settings):
    settings.STAFF_2FA_DEFAULT = True
    demo.seed()
    assert not Clinic.objects.filter(require_staff_2fa=True).exists()
    client.post(
        reverse("login"),
        {"username": "therapist@demo.example", "password": demo.DEMO_PASSWORD},
    )
    assert client.get(reverse("caseload")).status_code == 200


def test_the_clinic_admin_turns_the_requirement_on(client, adam, alice):
    client.force_login(adam)
    response = client.post(
        reverse("clinic_security"),
        {"require_staff_2fa": "on", "lockout_failures": 5, "lockout_minutes": 30},
    )
    assert response.status_code == 302
    clinic = adam.memberships.get().clinic
    clinic.refresh_from_db()
    assert (clinic.require_staff_2fa, clinic.lockout_minutes) == (True, 30)
    assert AuditEvent.objects.get(action="clinic.security_update").detail == {
        "require_staff_2fa": True,
        "lockout_minutes": 30,
    }
    alice_client = Client()
    alice_client.force_login(alice)
    assert alice_client.get(reverse("caseload")).url.startswith(reverse("two_factor_enrol"))


def test_security_settings_refuse_out_of_range_numbers(client, adam):
    client.force_login(adam)
    response = client.post(
        reverse("clinic_security"), {"lockout_failures": 1, "lockout_minutes": 100000}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"lockout_failures", "lockout_minutes"}


GUARDED = sorted(
    name
    for name, pattern in named_patterns()
    if name in TABLE
    and pattern.callback.access_rule not in {"public", "before_second_factor"}
    and not pattern.callback.access_rule.startswith("api:")  # answers 403: api/tests
)


@pytest.mark.parametrize("name", GUARDED)
def test_every_guarded_url_asks_for_the_code_before_anything_else(client, cast, name):  # noqa: F811
    """Alice has an authenticator but has not entered a code in this session."""
    method, kwargs_name, _ = TABLE[name]
    client.force_login(cast["people"]["alice"])
    kwargs = cast["kwargs"][kwargs_name] if kwargs_name else {}
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify") + "?next=")


@pytest.mark.parametrize("name", GUARDED)
def test_every_guarded_url_sends_unenrolled_required_staff_to_set_up(client, cast, name):  # noqa: F811
    """Nova, a therapist of a clinic that requires it, has not set it up yet."""
    clinic = cast["people"]["alice"].memberships.get().clinic
    nova = factories.member(clinic, "therapist", email="nova@alder.example")
    method, kwargs_name, _ = TABLE[name]
    client.force_login(nova)
    kwargs = cast["kwargs"][kwargs_name] if kwargs_name else {}
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert re.match(re.escape(reverse("two_factor_enrol")) + r"\?next=", response.url)
