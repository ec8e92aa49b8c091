"""A runner's own data, all of it, as JSON and CSV in one ZIP: the right of access.

`my_data_zip(patient)` reads the one patient record the signed-in runner owns (the view takes it
from `clinic.access.own_patient_record`, never from the URL) and writes:

- `my-data.json`: every section below in one document, with the time it was made;
- `csv/<section>.csv`: one table per section, for a spreadsheet (text that a spreadsheet could
  read as a formula gets an apostrophe, as in the clinic's exports);
- `README.txt`: what each file holds, and what the clinic keeps that is not in it.

Sections: profile (with reminder choices), intakes (score, band, site, red flags) and their
answers, plans, plan history (every change, with its reasons), sessions done, daily logs and their
activities, outcome measures (LEFS, UWRI), messages from the care team,
in-app notices, and the reminders and notices sent to the runner (the delivery ledger).

Built in memory, on the request: one runner's rows are few (a log a day and a handful of
reminders a day is about 3,000 rows a year: two years zip to 34 KB in 0.8 s, measured by
`test_two_years_of_a_runner_is_a_small_zip_made_quickly`), so a background job and a file kept
on disk would add a copy of health data to clean up without making anyone wait less.
`MAX_ROWS` bounds a section all the same, so the ZIP can never grow with a runaway table; a
section cut short says so in the README.

Clinical notes, the examination and the clinician's report summary are not in the file: they
are the clinic's clinical record (`Perm.VIEW_CLINICAL`, staff only in Rebound), which the runner
asks the clinic for, as the README says.
"""

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from clinic.models import Patient
from intake.models import Intake
from notifications.models import KIND_RULES, CareMessage, Delivery, Notification
from rehab.models import DailyLog, MeasureResponse, Plan, PlanTransition, SessionCompletion
from reports.exporters import safe_text

MAX_ROWS = 50_000  # per section; a runner has a few thousand at most
THERAPIST_KINDS = [kind for kind, rule in KIND_RULES.items() if rule.to_therapist]


@dataclass
class Section:
    name: str
    description: str
    rows: list[dict] = field(default_factory=list)
    cut_short: bool = False


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _name(user) -> str:
    return user.full_name if user is not None else ""


def _bounded(queryset, to_row: Callable[..., dict], section: Section) -> Section:
    items = list(queryset[: MAX_ROWS + 1])
    section.cut_short = len(items) > MAX_ROWS
    section.rows = [to_row(item) for item in items[:MAX_ROWS]]
    return section


def sections(patient: Patient) -> list[Section]:
    """Every section of the patient's data, in a constant number of queries."""
    out = [_profile(patient)]
    intakes = list(
        Intake.objects.filter(patient=patient, submitted_at__isnull=False).order_by(
            "submitted_at", "pk"
        )
    )
    out.append(
        Section(
            "intakes",
            "Your intake questionnaires: when you sent them, the score, its band, the site "
            "named, and the red flags that applied.",
            [_intake_row(intake) for intake in intakes],
        )
    )
    out.append(
        Section(
            "intake_answers",
            "Each answer you gave in each intake questionnaire.",
            [
                {
                    "intake_id": str(intake.pk),
                    "question": key,
                    "answer": json.dumps(value) if isinstance(value, dict | list) else value,
                }
                for intake in intakes
                for key, value in sorted((intake.answers or {}).items())
            ],
        )
    )
    plans = Plan.objects.filter(patient=patient).order_by("created_at", "pk")
    out.append(
        _bounded(
            plans,
            _plan_row,
            Section("plans", "Your rehab plans: their status, start and where each stands."),
        )
    )
    out.append(
        _bounded(
            PlanTransition.objects.filter(plan__patient=patient)
            .select_related("by")
            .order_by("date", "created_at", "pk"),
            lambda t: {
                "plan_id": str(t.plan_id),
                "date": _when(t.date),
                "change": t.get_kind_display(),
                "from": t.from_label,
                "to": t.to_label,
                "phase": t.phase_label,
                "reasons": "; ".join(str(r) for r in t.reasons or []),
                "by": _name(t.by) or "Rebound, by the plan's rules",
                "note": t.note,
            },
            Section("plan_history", "Every change of your plans, with its reasons."),
        )
    )
    out.append(
        _bounded(
            SessionCompletion.objects.filter(plan__patient=patient).order_by("date", "created_at"),
            lambda s: {
                "plan_id": str(s.plan_id),
                "date": _when(s.date),
                "session": s.label,
                "kind": s.get_kind_display(),
                "running": s.running,
                "site_pain_during": s.site_pain_during,
                "effort": s.effort,
                "next_morning_pain": s.next_morning_pain,
                "swelling": s.swelling,
                "limp": s.limp,
                "note": s.note,
            },
            Section("sessions_done", "The plan sessions you marked done."),
        )
    )
    logs = _bounded(
        DailyLog.objects.filter(patient=patient).prefetch_related("activities").order_by("date"),
        lambda log: {
            "date": _when(log.date),
            "site_pain": log.site_pain,
            "activity_pain": log.activity_pain,
            "morning_pain": log.morning_pain,
            "swelling": log.swelling,
            "limp": log.limp,
            "notes": log.notes,
            "activities": [
                {
                    "kind": a.get_kind_display(),
                    "distance_m": a.distance_m,
                    "duration_min": a.duration_min,
                    "effort_rpe": a.rpe,
                }
                for a in log.activities.all()
            ],
        },
        Section("daily_logs", "Your daily logs: pain, swelling, limp and notes."),
    )
    out.append(logs)
    out.append(
        Section(
            "activities",
            "What you did on each logged day (distance in metres, duration in minutes).",
            [
                {"date": log["date"], **activity}
                for log in logs.rows
                for activity in log["activities"]
            ],
        )
    )
    out.append(measures_section(patient))
    out.append(
        _bounded(
            CareMessage.objects.filter(patient=patient)
            .select_related("sender")
            .order_by("created_at"),
            lambda m: {"sent_at": _when(m.created_at), "from": _name(m.sender), "text": m.text},
            Section("messages", "Messages your clinic wrote to you."),
        )
    )
    out.append(
        _bounded(
            Notification.objects.filter(recipient_id=patient.user_id, patient=patient).order_by(
                "created_at"
            )
            if patient.user_id
            else Notification.objects.none(),
            lambda n: {
                "created_at": _when(n.created_at),
                "kind": n.get_kind_display(),
                "title": n.title,
                "text": n.body,
                "read_at": _when(n.read_at),
            },
            Section("notices", "The notices in your list in the app."),
        )
    )
    out.append(
        _bounded(
            Delivery.objects.filter(patient=patient)
            .exclude(kind__in=THERAPIST_KINDS)
            .order_by("due_at", "pk"),
            lambda d: {
                "due_at": _when(d.due_at),
                "kind": d.get_kind_display(),
                "channel": d.get_channel_display(),
                "status": d.get_status_display(),
                "sent_at": _when(d.sent_at),
                "why_not_sent": d.reason,
            },
            Section(
                "reminders_sent",
                "Every reminder and notice Rebound sent you, or decided not to send and why.",
            ),
        )
    )
    return out


def measures_section(patient: Patient) -> Section:
    """Outcome measures (LEFS, UWRI) the runner or their therapist filled in (rehab.measures)."""
    section = Section(
        "outcome_measures",
        "Questionnaires about how your leg works (LEFS) and your running (UWRI): the points "
        "of each answer, in order, and the total.",
    )
    return _bounded(
        MeasureResponse.objects.filter(patient=patient).order_by("date", "instrument"),
        lambda r: {
            "date": _when(r.date),
            "measure": r.get_instrument_display(),
            "total": r.total,
            "answers": json.dumps(r.answers),
            "occasion": r.get_occasion_kind_display(),
            "in_clinic": r.in_clinic,
        },
        section,
    )


def _profile(patient: Patient) -> Section:
    preference = getattr(patient, "reminder_preference", None)
    row = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": _when(patient.date_of_birth),
        "sex": patient.get_sex_display(),
        "email": patient.email,
        "phone": patient.phone,
        "time_zone": patient.time_zone,
        "distance_unit": patient.distance_unit,
        "clinic": patient.clinic.name,
        "responsible_therapist": _name(patient.therapist),
        "in_care_since": _when(patient.created_at),
        "discharged_at": _when(patient.discharged_at),
        "reminder_consent": patient.reminder_consent,
        "reminder_consent_at": _when(patient.reminder_consent_at),
        "account_email": patient.user.email if patient.user_id else "",
    }
    if preference is not None:
        row["reminder_choices"] = json.dumps(
            {
                f.name: getattr(preference, f.name)
                for f in preference._meta.concrete_fields
                if f.name != "patient"
            },
            default=str,
        )
    return Section("profile", "Your details as your clinic keeps them.", [row])


def _intake_row(intake: Intake) -> dict:
    result = intake.result or {}
    return {
        "intake_id": str(intake.pk),
        "sent_at": _when(intake.submitted_at),
        "status": intake.get_status_display(),
        "score": intake.score,
        "band": intake.band,
        "site": (result.get("site") or {}).get("label", ""),
        "red_flags": "; ".join(f.get("title", "") for f in result.get("red_flags", [])),
        "rule_set_version": intake.ruleset_version,
    }


def _plan_row(plan: Plan) -> dict:
    return {
        "plan_id": str(plan.pk),
        "name": plan.name,
        "status": plan.get_status_display(),
        "site": plan.site_label,
        "start_date": _when(plan.start_date),
        "current_phase": plan.phase_label,
        "current_step": plan.step_label,
        "activated_at": _when(plan.activated_at),
        "ended_at": _when(plan.ended_at),
    }


def _csv(rows: list[dict]) -> bytes:
    """One table; nested lists (a log's activities) have their own CSV and are left out."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k, v in row.items() if k not in columns and not isinstance(v, list)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [safe_text(v) if isinstance(v, str) else _cell(v) for v in map(row.get, columns)]
        )
    return out.getvalue().encode("utf-8-sig")  # the BOM: Excel reads the accents right


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _readme(patient: Patient, parts: list[Section], made: str) -> str:
    lines = [
        f"Your data from Rebound, {patient.clinic.name}",
        f"Made {made} for {patient.full_name}.",
        "",
        "my-data.json holds everything below in one file; csv/ holds one table per part.",
        "",
    ]
    for section in parts:
        note = f" Only the first {MAX_ROWS} rows are here." if section.cut_short else ""
        lines.append(
            f"csv/{section.name}.csv ({len(section.rows)} rows): {section.description}{note}"
        )
    lines += [
        "",
        "Not in this file: your clinic's clinical notes, the examination and the summary your",
        "clinician writes on your progress report. Ask your clinic for them.",
    ]
    return "\n".join(lines) + "\n"


def my_data_zip(patient: Patient) -> tuple[bytes, dict]:
    """The ZIP's bytes, and what it holds (rows per section) for the audit row."""
    patient = (
        Patient.objects.select_related("clinic", "therapist", "user", "reminder_preference")
        .filter(pk=patient.pk)
        .get()
    )
    parts = sections(patient)
    made = timezone.localtime().isoformat(timespec="seconds")
    document = {
        "made_at": made,
        "clinic": patient.clinic.name,
        **{section.name: section.rows for section in parts},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(patient, parts, made))
        archive.writestr("my-data.json", json.dumps(document, indent=2, ensure_ascii=False))
        for section in parts:
            archive.writestr(f"csv/{section.name}.csv", _csv(section.rows))
    return buffer.getvalue(), {section.name: len(section.rows) for section in parts}
