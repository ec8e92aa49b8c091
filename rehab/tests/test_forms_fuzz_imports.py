"""Whatever is uploaded or posted to the watch import, the answer is a page, never a 500, and
nothing is added unless a real activity was confirmed."""

import datetime as dt
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient
from rehab import imports
from rehab.models import Activity, ActivityImport, patient_today
from rehab.tests import watch_builders as build
from rehab.watch_files import read_watch_file

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID = [build.fixture("run.fit"), build.fixture("run.gpx"), build.fixture("walk.tcx")]


@st.composite
def mutated(draw):
    """A valid export with a few bytes changed, cut short or spliced: the parsers' hard cases."""
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(0, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut] if draw(st.booleans()) else data)


contents = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=200).map(lambda b: b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + b),
    st.text(max_size=300).map(lambda t: f"<gpx version='1.1'>{t}</gpx>".encode()),
    st.text(max_size=300).map(lambda t: f"<TrainingCenterDatabase>{t}".encode()),
    mutated(),
)
names = st.sampled_from(["run.fit", "run.gpx", "run.tcx", "run.FIT", "run.pdf", "run", ".gpx"])


def signed_in(client, pat):
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    pat.refresh_from_db()
    client.force_login(pat.user)
    return patient_today(pat)


@FUZZ
@given(files=st.lists(st.tuples(names, contents), min_size=1, max_size=3))
def test_any_upload_answers_with_a_page_and_adds_nothing(client, pat, files):
    today = signed_in(client, pat)
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = client.post(reverse("log_import", args=[today]), {"files": uploads})
    assert response.status_code == 200
    assert not Activity.objects.exists() and not ActivityImport.objects.exists()


junk = st.one_of(
    st.text(max_size=40).map(lambda t: t.replace("\x00", "")),
    st.sampled_from(["", "run", "walk", "rest", "0", "10", "11", "-1", "3.5", "é" * 50]),
)


@FUZZ
@given(
    token=st.one_of(junk, st.just("VALID")),
    fields=st.dictionaries(
        st.sampled_from(["kind_0", "kind_1", "submission", "PAIN", "token2"]),
        junk,
        max_size=4,
    ),
)
def test_any_confirmation_answers_without_an_error(client, pat, token, fields):
    today = signed_in(client, pat)
    activity = read_watch_file("run.gpx", build.gpx(start=timezone.now() - dt.timedelta(hours=1)))
    data = {"submission": str(uuid.uuid4()), **fields}
    if "PAIN" in data:  # the site pain of the run's day, which has no log yet
        day = activity.started_at.astimezone(dt.UTC).date()
        data[f"site_pain_{day:%Y%m%d}"] = data.pop("PAIN")
    data["token"] = imports.preview_token(pat, [activity]) if token == "VALID" else token
    response = client.post(reverse("log_import_confirm", args=[today]), data)
    assert response.status_code in (200, 302)
    added = ActivityImport.objects.filter(patient=pat)
    if token != "VALID" or fields.get("kind_0") not in {"run", "walk"}:
        assert not added.exists()
    added.delete()
