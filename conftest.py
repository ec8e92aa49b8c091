"""Test set-up shared by every app: services CI insists on, fast hashing, and the cast.

The cast (small and named, as in a story):
- `alice`: therapist at clinic A ("Alder Sports PT"), responsible for `pat` and `pia`.
- `pat`, `pia`: patients of clinic A, each with an account; `coach_cole` is on pat's care team.
- `nutri_nia`: nutritionist of clinic A, on nobody's care team.
- `adam`: clinic admin of clinic A.
- `bob`: therapist at clinic B ("Birch Physio"), with his own patient `bea`.

The cast's clinics do not require two-step verification (ClinicFactory), so `client.force_login`
reaches the page under test. Tests about it turn it on and use `clinic.tests.otp` (an
authenticator, its codes, and `otp.sign_in` for a verified session); test_access_urls.py does so
for the whole URL table.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from clinic.tests import factories

# A busy CI machine makes any wall-clock check flaky, so no property test has a deadline or fails
# Hypothesis's "too slow" health check; examples, shrinking and the other checks stay as they are.
# Tests that set their own @settings inherit these two unless they say otherwise.
settings.register_profile("rebound", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rebound")

pytest_plugins = ["clinic.tests.browser"]


def pytest_report_header(config):
    return f"DATABASE_URL={os.environ.get('DATABASE_URL', '(default: SQLite)')}"


def pytest_configure(config):
    """In CI, refuse to start without PostgreSQL and Redis, before any test process starts.

    (With pytest-xdist, an exit inside a test process reads only as "worker crashed".)
    """
    if not os.environ.get("REBOUND_REQUIRE_SERVICES") or hasattr(config, "workerinput"):
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"CI requires PostgreSQL, but the tests would run on {engine}.", 2)
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.exit(f"CI requires Redis at {settings.REDIS_URL}: {error}", 2)


@pytest.fixture(scope="session", autouse=True)
def required_services(django_db_setup, django_db_blocker):
    """In CI the suite must run on PostgreSQL and reach Redis; never silently on SQLite."""
    if not os.environ.get("REBOUND_REQUIRE_SERVICES"):
        return
    from django.conf import settings
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit(f"CI requires PostgreSQL, but the tests run on {connection.vendor}.", 2)
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.exit(f"CI requires Redis at {settings.REDIS_URL}: {error}", 2)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def cache_of_its_own(settings):
    """Each test counts (password-reset requests) in an empty cache in this process's memory,
    never in a Redis that other tests and other test runs share."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def two_step_default_off(settings):
    """Whatever DEBUG the local .env sets, new clinics and Django-admin users do not need 2FA.

    Tests of two-step verification turn it on for a clinic (clinic.tests.otp has the helpers).
    """
    settings.STAFF_2FA_DEFAULT = False


@pytest.fixture
def clinic_a(db):
    return factories.ClinicFactory(name="Alder Sports PT", slug="alder")


@pytest.fixture
def clinic_b(db):
    return factories.ClinicFactory(name="Birch Physio", slug="birch")


@pytest.fixture
def alice(clinic_a):
    return factories.member(
        clinic_a, "therapist", email="alice@alder.example", full_name="Alice Moss"
    )


@pytest.fixture
def adam(clinic_a):
    return factories.member(clinic_a, "admin", email="adam@alder.example", full_name="Adam Hale")


@pytest.fixture
def coach_cole(clinic_a):
    return factories.member(clinic_a, "coach", email="cole@alder.example", full_name="Cole Park")


@pytest.fixture
def nutri_nia(clinic_a):
    return factories.member(
        clinic_a, "nutritionist", email="nia@alder.example", full_name="Nia Sato"
    )


@pytest.fixture
def bob(clinic_b):
    return factories.member(clinic_b, "therapist", email="bob@birch.example", full_name="Bob Reed")


@pytest.fixture
def pat(clinic_a, alice, coach_cole):
    patient = factories.patient_with_account(
        clinic_a, alice, email="pat@runner.example", first_name="Pat", last_name="Lane"
    )
    factories.CareTeamMemberFactory(patient=patient, user=coach_cole, role="coach")
    return patient


@pytest.fixture
def pia(clinic_a, alice):
    return factories.patient_with_account(
        clinic_a, alice, email="pia@runner.example", first_name="Pia", last_name="Stone"
    )


@pytest.fixture
def bea(clinic_b, bob):
    return factories.patient_with_account(
        clinic_b, bob, email="bea@runner.example", first_name="Bea", last_name="North"
    )
