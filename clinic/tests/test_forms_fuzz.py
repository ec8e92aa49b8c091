"""Whatever is typed into a form, the answer is a page with messages, never a server error."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["", " ", "0", "-1", "2999-12-31", "1800-01-01", "null", "<script>", "é" * 200]
    ),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PATIENT_FIELDS = [
    "first_name", "last_name", "date_of_birth", "sex", "menstrual_questions_apply", "email",
    "phone", "time_zone", "distance_unit", "therapist",
]  # fmt: skip


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(PATIENT_FIELDS, junk)))
def test_patient_form_never_errors(client, alice, data):
    client.force_login(alice)
    before = Patient.objects.count()
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = client.post(reverse("patient_create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Patient.objects.count() == before


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(["full_name", "email", "role"], junk)))
def test_invitation_form_never_errors(client, adam, data):
    client.force_login(adam)
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    assert client.post(reverse("invitation_create"), data).status_code in (200, 302)


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(["phone", "time_zone", "distance_unit", "reminder_consent"], junk),
    )
)
def test_patient_settings_form_never_errors(client, pat, data):
    client.force_login(pat.user)
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    assert client.post(reverse("patient_settings"), data).status_code in (200, 302)


@FUZZ
@given(token=st.text(max_size=80))
def test_invitation_links_never_error(client, token):
    token = "".join(c for c in token if c.isprintable() and c not in "/?#%\\") or "x"
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404
