"""Runs from the watch on the daily log: upload, check, add once; limits, time zones, the alert,
who may do it."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient, Submission
from rehab import imports
from rehab.models import Activity, ActivityImport, Alert, AlertOccurrence, DailyLog, patient_today
from rehab.tests import watch_builders as build
from rehab.tests.factories import active_plan, day_log
from rehab.watch_files import MAX_FILE_BYTES, MAX_FILES


@pytest.fixture
def pat_in(client, pat):
    """Pat signed in, in care for 30 days."""
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    pat.refresh_from_db()
    client.force_login(pat.user)
    return pat


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def local_start(patient, day: dt.date, hour=7, minute=0) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def post_files(client, day, *files):
    return client.post(reverse("log_import", args=[day]), {"files": list(files)})


def confirm(client, day, preview, *, submission=None, **extra):
    """Confirm what a preview response showed, with its token and the kinds it proposed."""
    form = preview.context["form"]
    data = {"token": form["token"].value(), "submission": submission or str(uuid.uuid4())}
    for name in form.fields:
        if name.startswith("kind_"):
            data[name] = form[name].value()
    data.update(extra)
    return client.post(reverse("log_import_confirm", args=[day]), data)


def pain_key(day: dt.date) -> str:
    return f"site_pain_{day:%Y%m%d}"


# --- Upload and confirm -----------------------------------------------------------------------


def test_the_log_page_offers_the_upload(client, pat_in):
    response = client.get(reverse("log_today"))
    assert reverse("log_import", args=[patient_today(pat_in)]) in response.content.decode()


@pytest.mark.parametrize("make", [build.gpx, build.tcx, build.fit])
def test_an_upload_shows_what_it_found_and_adds_nothing_until_confirmed(client, pat_in, make):
    today = patient_today(pat_in)
    day_log(pat_in, today, pain=2)
    data = make(start=local_start(pat_in, today), km=5.0, minutes=31)
    response = post_files(client, today, upload(f"morning.{make.__name__}", data))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Is this right?" in page and "5.0 km" in page and "31 min" in page
    assert not Activity.objects.exists() and not ActivityImport.objects.exists()

    response = confirm(client, today, response)
    assert response.status_code == 302 and response.url == reverse("log_today")
    log = DailyLog.objects.get(patient=pat_in, date=today)
    [activity] = log.activities.all()
    assert activity.kind == "run" and activity.duration_min == 31
    assert abs(activity.distance_m - 5000) <= 5
    imported = ActivityImport.objects.get(patient=pat_in)
    assert imported.log == log and imported.file_name == f"morning.{make.__name__}"
    assert len(imported.sha256) == 64 and imported.kind_from == "file"
    assert log.revisions.filter(action="update").exists()  # kept in the day's history


def test_it_adds_to_the_activities_already_logged(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today, pain=1, run_m=None)
    log = DailyLog.objects.get(patient=pat_in, date=today)
    Activity.objects.create(log=log, position=0, kind="strength", duration_min=20)
    preview = post_files(
        client, today, upload("run.gpx", build.gpx(start=local_start(pat_in, today)))
    )
    confirm(client, today, preview)
    assert list(log.activities.values_list("kind", flat=True)) == ["strength", "run"]
    log.refresh_from_db()
    assert log.site_pain == 1  # what was logged stays


def test_a_day_without_a_log_asks_the_site_pain_first(client, pat_in):
    today = patient_today(pat_in)
    preview = post_files(
        client, today, upload("run.fit", build.fit(start=local_start(pat_in, today)))
    )
    assert "You have not logged" in preview.content.decode()

    refused = confirm(client, today, preview)
    assert refused.status_code == 200
    assert "Choose how much the injury site hurt" in refused.content.decode()
    assert not DailyLog.objects.exists() and not ActivityImport.objects.exists()

    confirm(client, today, preview, **{pain_key(today): "3"})
    log = DailyLog.objects.get(patient=pat_in, date=today)
    assert log.site_pain == 3 and log.activities.get().kind == "run"


def test_the_runner_may_correct_the_kind(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    preview = post_files(
        client, today, upload("x.gpx", build.gpx(start=local_start(pat_in, today)))
    )
    confirm(client, today, preview, kind_0="walk_run")
    assert Activity.objects.get().kind == "walk_run"
    assert ActivityImport.objects.get().kind_from == "runner"


def test_several_files_go_on_in_one_upload(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    morning = build.gpx(start=local_start(pat_in, today, 7), sport="walking", km=2)
    evening = build.tcx(start=local_start(pat_in, today, 18), km=4)
    preview = post_files(client, today, upload("am.gpx", morning), upload("pm.tcx", evening))
    confirm(client, today, preview)
    kinds = DailyLog.objects.get(date=today).activities.values_list("kind", flat=True)
    assert list(kinds) == ["walk", "run"]
    assert ActivityImport.objects.count() == 2


# --- Once -------------------------------------------------------------------------------------


def test_the_same_file_uploaded_again_is_recognised_and_not_added_twice(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    data = build.fit(start=local_start(pat_in, today))
    first = post_files(client, today, upload("run.fit", data))
    confirm(client, today, first)

    again = post_files(client, today, upload("renamed.fit", data))
    assert "You added this file before" in again.content.decode()
    assert "Add to my log" not in again.content.decode()
    response = confirm(client, today, first)  # the old page's token, a new submission
    assert response.status_code == 302
    assert DailyLog.objects.get(date=today).activities.count() == 1
    assert ActivityImport.objects.count() == 1


def test_the_same_file_chosen_twice_in_one_upload_counts_once(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    data = build.gpx(start=local_start(pat_in, today))
    preview = post_files(client, today, upload("a.gpx", data), upload("b.gpx", data))
    assert len(preview.context["rows"]) == 1
    confirm(client, today, preview)
    assert Activity.objects.count() == 1


def test_a_replayed_confirmation_is_kept_once(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    preview = post_files(
        client, today, upload("a.gpx", build.gpx(start=local_start(pat_in, today)))
    )
    submission = str(uuid.uuid4())
    confirm(client, today, preview, submission=submission)
    replay = confirm(client, today, preview, submission=submission)
    assert replay.status_code == 302
    assert Activity.objects.count() == 1
    assert Submission.objects.filter(scope="activity-import").count() == 1


def test_deleting_the_day_lets_the_file_be_imported_again(client, pat_in):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    data = build.gpx(start=local_start(pat_in, today))
    confirm(client, today, post_files(client, today, upload("a.gpx", data)))
    client.post(reverse("log_delete", args=[today]))
    assert not ActivityImport.objects.exists()
    again = post_files(client, today, upload("a.gpx", data))
    assert "You added this file before" not in again.content.decode()


# --- Limits and bad files ---------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_next_to_the_field(client, pat_in):
    today = patient_today(pat_in)
    big = build.gpx()[:-6] + b" " * MAX_FILE_BYTES + b"</gpx>"
    response = post_files(client, today, upload("long.gpx", big))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="files-errors"' in page
    assert "long.gpx: this file is over 5 MB" in page
    assert not DailyLog.objects.exists()


def test_too_many_files_are_refused(client, pat_in):
    today = patient_today(pat_in)
    files = [upload(f"{n}.gpx", build.gpx(km=n + 1)) for n in range(MAX_FILES + 1)]
    response = post_files(client, today, *files)
    assert f"Choose at most {MAX_FILES} files" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("report.pdf", b"%PDF-1.7 ...", "reads .fit, .gpx and .tcx"),
        ("run.gpx", b"<html></html>", "not an activity file"),
        ("run.fit", build.fit()[:-30], "damaged or incomplete"),
    ],
)
def test_a_broken_or_foreign_file_changes_nothing(client, pat_in, name, data, says):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    good = upload("good.gpx", build.gpx(start=local_start(pat_in, today)))
    response = post_files(client, today, good, upload(name, data))
    page = response.content.decode()
    assert "Nothing was added." in page and f"{name}: " in page and says in page
    assert "good.gpx" not in page  # nothing is previewed while one file cannot be read
    assert not Activity.objects.exists() and not ActivityImport.objects.exists()


def test_an_upload_without_files_says_what_to_choose(client, pat_in):
    response = client.post(reverse("log_import", args=[patient_today(pat_in)]), {})
    assert "Choose the file of your run" in response.content.decode()


def test_a_forged_token_is_refused(client, pat_in):
    today = patient_today(pat_in)
    response = client.post(
        reverse("log_import_confirm", args=[today]),
        {"token": "forged", "submission": str(uuid.uuid4())},
    )
    assert response.status_code == 302 and response.url == reverse("log_import", args=[today])
    assert not DailyLog.objects.exists()


def test_a_day_past_the_edit_window_is_named_and_not_added(client, pat_in):
    today = patient_today(pat_in)
    old = today - dt.timedelta(days=20)
    preview = post_files(
        client, today, upload("old.gpx", build.gpx(start=local_start(pat_in, old)))
    )
    assert "only the last 14 days can be logged" in preview.content.decode()
    response = confirm(client, today, preview)
    assert response.status_code == 302
    assert not DailyLog.objects.exists()


# --- Which day: the runner's own time zone -----------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hour", "minute"),
    [("America/Los_Angeles", 23, 50), ("Pacific/Auckland", 0, 10)],
)
def test_a_run_near_midnight_goes_on_its_local_day(client, pat_in, zone, hour, minute):
    Patient.objects.filter(pk=pat_in.pk).update(time_zone=zone)
    pat_in.refresh_from_db()
    today = patient_today(pat_in)
    day = today - dt.timedelta(days=2)
    start = local_start(pat_in, day, hour, minute)
    assert start.date() != day  # in UTC it is another date
    day_log(pat_in, today)
    day_log(pat_in, day)
    preview = post_files(client, today, upload("late.gpx", build.gpx(start=start)))
    page = preview.content.decode()
    assert "not the day you were logging" in page and f"{hour:02d}:{minute:02d}" in page
    response = confirm(client, today, preview)
    assert response.url == reverse("log_day", args=[day])
    assert DailyLog.objects.get(date=day).activities.count() == 1
    assert not DailyLog.objects.get(date=today).activities.exists()


# --- The plan's "no running" alert ------------------------------------------------------------


def test_a_run_imported_on_a_no_running_day_raises_the_alert_with_the_files_figures(
    client, pat_in, alice
):
    today = patient_today(pat_in)
    active_plan(pat_in, start=today - dt.timedelta(days=3), by=alice)  # protect: no running
    day_log(pat_in, today)
    start = local_start(pat_in, today, 6, 45)
    preview = post_files(client, today, upload("tempo.fit", build.fit(start=start, km=6.2)))
    confirm(client, today, preview)
    alert = Alert.objects.get(patient=pat_in, rule="running_not_allowed")
    [occurrence] = AlertOccurrence.objects.filter(alert=alert)  # the log's evaluation adds none
    assert occurrence.key == f"running_not_allowed:{today.isoformat()}"
    assert "tempo.fit, 6.20 km in 30 min from 06:45" in occurrence.reason
    assert alert.dates == [today.isoformat()]


def test_a_walk_imported_on_a_no_running_day_raises_nothing(client, pat_in, alice):
    today = patient_today(pat_in)
    active_plan(pat_in, start=today - dt.timedelta(days=3), by=alice)
    day_log(pat_in, today)
    walk = build.gpx(start=local_start(pat_in, today), sport="walking", km=2)
    confirm(client, today, post_files(client, today, upload("walk.gpx", walk)))
    assert not Alert.objects.filter(patient=pat_in, rule="running_not_allowed").exists()


# --- Who may --------------------------------------------------------------------------------


def test_staff_cannot_upload_as_the_patient(client, pat, alice):
    client.force_login(alice)
    day = patient_today(pat)
    response = post_files(client, day, upload("run.gpx", build.gpx()))
    assert response.status_code == 403
    response = client.post(reverse("log_import_confirm", args=[day]), {"token": "x"})
    assert response.status_code == 403
    assert not ActivityImport.objects.exists()


def test_another_patients_token_adds_nothing(client, pat_in, pia):
    today = patient_today(pat_in)
    day_log(pat_in, today)
    token = imports.preview_token(pia, [build_activity(pat_in, today)])  # Pia's, posted by Pat
    response = client.post(
        reverse("log_import_confirm", args=[today]),
        {"token": token, "submission": str(uuid.uuid4()), "kind_0": "run"},
    )
    assert response.status_code == 302 and response.url == reverse("log_import", args=[today])
    assert not ActivityImport.objects.exists()


def build_activity(patient, day):
    from rehab.watch_files import read_watch_file

    return read_watch_file("run.gpx", build.gpx(start=local_start(patient, day)))


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("history", [1, 14])
def test_upload_and_confirm_cost_the_same_with_any_history(
    client, pat_in, django_assert_max_num_queries, history
):
    today = patient_today(pat_in)
    for back in range(history):
        day_log(pat_in, today - dt.timedelta(days=back), morning=1)
    files = [
        upload(f"{n}.gpx", build.gpx(start=local_start(pat_in, today, 6 + n))) for n in range(3)
    ]
    with django_assert_max_num_queries(13):
        preview = post_files(client, today, *files)
    with django_assert_max_num_queries(48):  # 44 today, most of it daily_log_save's
        confirm(client, today, preview)
    assert ActivityImport.objects.count() == 3


def test_the_upload_still_checks_the_csrf_token(pat_in):
    # The view is csrf_exempt outside (to set its upload handler first) and csrf_protect inside.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(pat_in.user)
    day = patient_today(pat_in)
    response = strict.post(
        reverse("log_import", args=[day]), {"files": [upload("a.gpx", build.gpx())]}
    )
    assert response.status_code == 403
    response = strict.post(reverse("log_import_confirm", args=[day]), {"token": "x"})
    assert response.status_code == 403
