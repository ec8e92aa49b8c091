"""Runs from the runner's watch: what an upload found, and adding it to the day's log once.

The upload is read (`rehab.watch_files`), shown for confirmation and forgotten: the page carries
what was read in a signed token (`preview_token`), never the file, so the confirmation adds
exactly what the runner saw and nothing has to be stored in between. `activity_import_confirm`
adds each activity to the log of its local start day through `daily_log_save` (revision, alerts
and plan as for a typed log) and records the file's SHA-256 (`ActivityImport`), so the same file
is added once however often it is uploaded.

Which day: where the runner lives (`patient_zone`), the day the activity started. A run started
at 23:50 belongs to that evening's day even if the runner logs it the next morning; when that is
not the day being logged, the preview says so and the activity goes on its own day.
"""

import dataclasses
import datetime as dt
import io
import itertools

from django.core import signing
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.utils.formats import date_format

from clinic.models import Patient
from rehab.models import (
    EDIT_WINDOW_DAYS,
    MAX_DISTANCE_M_PER_DAY,
    MAX_MINUTES_PER_DAY,
    ActivityImport,
    DailyLog,
    care_start,
    is_within_edit_window,
    patient_zone,
)
from rehab.rules import alerts as alert_rules
from rehab.rules import load
from rehab.services import alerts as alert_services
from rehab.services import logs as log_services
from rehab.watch_files import MAX_FILE_BYTES, MAX_FILES, WatchActivity

MAX_ACTIVITIES_PER_DAY = 8  # the log form's rows (rehab.forms.MAX_ACTIVITIES)
PREVIEW_SALT = "rehab.imports.preview"
TOKEN_MAX_AGE = 60 * 60  # an hour to confirm what the upload found

LOG_FIELDS = ("date", "site_pain", "morning_pain", "activity_pain", "swelling", "limp", "notes")


# --- The upload: bounded in memory, never on disk ----------------------------------------------


class BoundedUploadHandler(FileUploadHandler):
    """Keeps at most MAX_FILES files of MAX_FILE_BYTES each, in memory; drops anything more.

    A larger or extra file still arrives as an upload, marked `refused` ("too big" or "too
    many") with what was kept of it, so the form can name it; its bytes past the limit are
    read off the connection and thrown away, never held or written to a temporary file.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.count = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.count += 1
        self.buffer, self.size = io.BytesIO(), 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size <= MAX_FILE_BYTES and self.count <= MAX_FILES:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        upload = InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            self.size,
            self.charset,
            self.content_type_extra,
        )
        upload.refused = ""
        if self.count > MAX_FILES:
            upload.refused = "too many"
        elif self.size > MAX_FILE_BYTES:
            upload.refused = "too big"
        return upload


# --- What an upload found ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Found:
    """One activity read from a file, placed on its day, with what stands in its way."""

    activity: WatchActivity
    day: dt.date  # the local start date
    started_local: dt.datetime
    imported: ActivityImport | None  # this file was added before
    problem: str  # why it cannot be added ("" when it can)
    needs_pain: bool  # its day has no log yet: the confirmation asks the site pain

    @property
    def addable(self) -> bool:
        return not self.imported and not self.problem


def imports_found(
    *, patient: Patient, activities: list[WatchActivity], today: dt.date, logged: set[dt.date]
) -> list[Found]:
    """Each activity on its local day, with duplicates and days that cannot take it named.

    `logged` holds the days among theirs that already have a log (`logged_days`).
    """
    zone = patient_zone(patient)
    shas = [activity.sha256 for activity in activities]
    known = {
        row.sha256: row
        for row in ActivityImport.objects.filter(patient=patient, sha256__in=shas).select_related(
            "log"
        )
    }
    found = []
    for activity in activities:
        local = activity.started_at.astimezone(zone)
        day = local.date()
        found.append(
            Found(
                activity=activity,
                day=day,
                started_local=local,
                imported=known.get(activity.sha256),
                problem=_day_problem(patient, day, today),
                needs_pain=day not in logged,
            )
        )
    return found


def logged_days(patient: Patient, activities: list[WatchActivity]) -> set[dt.date]:
    """The local start days of `activities` that the patient has logged already (one query)."""
    zone = patient_zone(patient)
    days = {activity.started_at.astimezone(zone).date() for activity in activities}
    return set(patient.daily_logs.filter(date__in=days).values_list("date", flat=True))


def _day_problem(patient: Patient, day: dt.date, today: dt.date) -> str:
    if day > today:
        return f"It starts on {_day(day)}, which has not come yet here. Check your watch's clock."
    if day < care_start(patient):
        return f"It is from {_day(day)}, before your logs start ({_day(care_start(patient))})."
    if not is_within_edit_window(day, today):
        return (
            f"It is from {_day(day)}: only the last {EDIT_WINDOW_DAYS} days can be logged. "
            "Tell your therapist about it instead."
        )
    return ""


def preview_token(patient: Patient, activities: list[WatchActivity]) -> str:
    """What the upload found, signed for this patient: the confirmation adds exactly that."""
    payload = {"patient": str(patient.pk), "activities": [a.as_dict() for a in activities]}
    return signing.dumps(payload, salt=PREVIEW_SALT, compress=True)


def preview_read(patient: Patient, token: str) -> list[WatchActivity] | None:
    """The activities a token carries; None when it is forged, expired or someone else's."""
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=TOKEN_MAX_AGE)
        if payload.get("patient") != str(patient.pk):
            return None
        return [WatchActivity.from_dict(item) for item in payload["activities"]][:MAX_FILES]
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


# --- Confirming: adding to the days' logs -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Added:
    """What the confirmation did with one activity."""

    found: Found
    log: DailyLog | None  # the log it went on; None when it was skipped
    note: str  # why it was skipped


def activity_import_confirm(
    *,
    patient: Patient,
    by,
    choices: list[tuple[WatchActivity, str]],
    site_pains: dict[dt.date, int],
    today: dt.date,
) -> list[Added]:
    """Add each (activity, kind chosen) to its day's log, once per file; return what happened.

    One transaction under the patient's row lock, so two confirmations of the same upload (two
    tabs) add it once: the second finds the files' hashes stored and skips them. A day without a
    log gets one, with the site pain from `site_pains` (the confirmation asks for it). A run on
    a day the plan does not allow running raises that alert with the file's figures as its
    evidence, recorded before the log's own evaluation so the occurrence names the file.
    """
    activities = [activity for activity, _kind in choices]
    kinds = {activity.sha256: kind for activity, kind in choices}
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        found = imports_found(
            patient=patient,
            activities=activities,
            today=today,
            logged=logged_days(patient, activities),
        )
        results = []
        seen = set()
        for day, group in itertools.groupby(
            sorted(found, key=lambda f: (f.day, f.activity.started_at)), key=lambda f: f.day
        ):
            group = [f for f in group if f.activity.sha256 not in seen]
            seen.update(f.activity.sha256 for f in group)
            results.extend(_add_day(patient, by, day, group, kinds, site_pains, today))
    return results


def _add_day(patient, by, day, group, kinds, site_pains, today) -> list[Added]:
    skipped = [Added(f, None, _skip_note(f)) for f in group if not f.addable]
    adding = [f for f in group if f.addable]
    if not adding:
        return skipped
    log = patient.daily_logs.with_activities().filter(date=day).first()
    if log is None and site_pains.get(day) is None:
        note = f"Say how the injury site felt on {_day(day)} to add it."
        return skipped + [Added(f, None, note) for f in adding]
    current = [a.snapshot() for a in log.activities.all()] if log else []
    new = [_activity_row(f.activity, kinds.get(f.activity.sha256)) for f in adding]
    if problem := _day_full(current, new):
        return skipped + [Added(f, None, problem) for f in adding]
    fields = _log_fields(log, day, site_pains.get(day))
    _record_running_evidence(patient, day, adding, new)
    saved = log_services.daily_log_save(
        patient=patient, by=by, log=log, fields=fields, activities=current + new, today=today
    )
    ActivityImport.objects.bulk_create(
        _import_row(patient, by, saved, f.activity, row["kind"])
        for f, row in zip(adding, new, strict=True)
    )
    return skipped + [Added(f, saved, "") for f in adding]


def _skip_note(found: Found) -> str:
    if found.imported:
        return f"Added before, to your log of {_day(found.imported.log.date)}."
    return found.problem


def _activity_row(activity: WatchActivity, kind: str | None) -> dict:
    minutes = round(activity.duration_s / 60)
    return {
        "kind": kind or str(activity.kind),
        "distance_m": min(activity.distance_m, MAX_DISTANCE_M_PER_DAY),
        "duration_min": max(1, minutes) if activity.duration_s else None,
        "rpe": None,
    }


def _day_full(current: list[dict], new: list[dict]) -> str:
    rows = current + new
    if len(rows) > MAX_ACTIVITIES_PER_DAY:
        return f"That day already has {len(current)} activities, the most a day can hold."
    if sum(r["distance_m"] or 0 for r in rows) > MAX_DISTANCE_M_PER_DAY:
        return "With it, that day's distances add up to more than a day can hold."
    if sum(r["duration_min"] or 0 for r in rows) > MAX_MINUTES_PER_DAY:
        return "With it, that day's minutes add up to more than 24 hours."
    return ""


def _log_fields(log: DailyLog | None, day: dt.date, site_pain: int | None) -> dict:
    if log is not None:
        return {name: getattr(log, name) for name in LOG_FIELDS}
    return {
        "date": day,
        "site_pain": site_pain,
        "morning_pain": None,
        "activity_pain": None,
        "swelling": False,
        "limp": False,
        "notes": "",
    }


def _import_row(patient, by, log, activity: WatchActivity, kind: str) -> ActivityImport:
    return ActivityImport(
        patient=patient,
        log=log,
        sha256=activity.sha256,
        file_name=activity.file_name,
        file_format=activity.file_format,
        sport=activity.sport[:40],
        kind=kind,
        kind_from=activity.kind_from if kind == activity.kind else "runner",
        started_at=activity.started_at,
        duration_s=activity.duration_s,
        distance_m=activity.distance_m,
        imported_by=by,
    )


def _record_running_evidence(patient, day: dt.date, adding: list[Found], rows: list[dict]):
    """The running-not-allowed occurrence of `day`, naming the files, when the plan says no."""
    runs = [
        (found, row)
        for found, row in zip(adding, rows, strict=True)
        if row["kind"] in {kind.value for kind in load.RUNNING_LOAD_KINDS}
    ]
    not_allowed = log_services.running_not_allowed_rule(patient)
    if not runs or not_allowed is None or not not_allowed(day):
        return
    rule = alert_rules.RUNNING_NOT_ALLOWED
    files = "; ".join(_evidence(found, row, patient.distance_unit) for found, row in runs)
    finding = alert_rules.Alert(
        rule=rule.code,
        label=rule.label,
        # The rule's own key for the day (rehab.rules.alerts._alert), so the log's evaluation
        # that follows finds this occurrence and does not record the day a second time.
        key=f"{rule.code}:{day.isoformat()}",
        reason=(
            f"Running was imported from a watch file on {day}, a day the plan does not allow "
            f"running: {files}."
        ),
        evidence=rule.evidence,
        section=rule.section,
        dates=(day,),
    )
    alert_services.alerts_record(patient=patient, found=[finding])


def _evidence(found: Found, row: dict, unit: str) -> str:
    distance = f"{load.to_display(row['distance_m'] or 0, unit):.2f} {unit}"
    minutes = row["duration_min"] or 0
    started = found.started_local.strftime("%H:%M")
    return f"{found.activity.file_name}, {distance} in {minutes} min from {started}"


def _day(day: dt.date) -> str:
    return date_format(day, "D j M")
