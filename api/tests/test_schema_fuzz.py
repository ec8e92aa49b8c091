"""A property-based run of the OpenAPI schema against the app (schemathesis): whatever the
request the schema allows, no server error, and every answer matches the schema.

Bounded and repeatable: a few examples per operation, derandomized. Requests carry a
read-write token of a therapist and of a patient, and name the cast's real patient and alert,
so the runs reach the data and not only 404s.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api import tokens
from rehab.models import patient_today
from rehab.tests import factories as rehab_factories


def api_schema() -> dict:
    """The schema exactly as /api/v1/schema/ serves it (the same generator, no request)."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(api_schema())


@pytest.fixture
def app(db):
    """The app through WSGI. As Django's test client does, requests leave the test's database
    connection open: they run inside the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz_cast(settings, pat, alice):
    settings.API_RATE_LIMIT = (10**6, 60)
    rehab_factories.day_log(pat, patient_today(pat), run_m=2000)
    rehab_factories.active_plan(pat, start=patient_today(pat), by=alice)
    alert = rehab_factories.AlertFactory(patient=pat)
    secrets = [
        tokens.api_token_create(user=user, clinic=pat.clinic, name="fuzz", scope="write", days=7)[1]
        for user in (alice, pat.user)
    ]
    return {"patient": pat, "alert": alert, "secrets": secrets}


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_the_schema_allows(case, app, fuzz_cast):
    if "patient_id" in (case.path_parameters or {}):
        case.path_parameters["patient_id"] = str(fuzz_cast["patient"].pk)
    if "alert_id" in (case.path_parameters or {}):
        case.path_parameters["alert_id"] = str(fuzz_cast["alert"].pk)
    for secret in fuzz_cast["secrets"]:
        case.call_and_validate(
            app=app,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {secret}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
