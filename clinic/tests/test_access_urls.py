"""Every URL of the URLconf, requested by every kind of person, answers as the table says.

A new URL pattern fails `test_every_url_is_in_the_table` until it is added to TABLE with the
outcome expected for each person, so no view can escape the access rules unnoticed.
"""

import io

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from PIL import Image

from api import tokens as api_tokens
from clinic import logos
from clinic.models import Clinic, Invitation, Membership
from clinic.tests import factories, otp
from intake import services as intake_services
from intake.services import link_token
from intake.tests.factories import IntakeLinkFactory, submitted_intake
from notifications.tests.factories import access_cast as notifications_cast
from rehab import services as rehab_services
from rehab.models import patient_today
from rehab.tests import factories as rehab_factories
from rehab.tests import measure_factories
from reports.tests import factories as reports_factories

PEOPLE = ["anonymous", "pat", "pia", "cole", "alice", "adam", "bob", "bree"]
# pat: patient whose record the URLs name · pia: another patient of the same clinic
# cole: coach on pat's team · alice: pat's therapist · adam: admin of pat's clinic
# bob: therapist of another clinic · bree: admin of another clinic

LOGIN = "login"  # redirected to the login page
OK = 200
MOVED = 302  # redirected, but not to the login page
NONE = 404
DENIED = 403


def row(*outcomes):
    assert len(outcomes) == len(PEOPLE)
    return dict(zip(PEOPLE, outcomes, strict=True))


PATIENT_EDIT = row(LOGIN, NONE, NONE, NONE, MOVED, MOVED, NONE, NONE)
ADMIN_ACTION = row(LOGIN, DENIED, DENIED, DENIED, DENIED, MOVED, DENIED, NONE)
PUBLIC_PAGE = row(OK, OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN_PAGE = row(LOGIN, OK, OK, OK, OK, OK, OK, OK)
STAFF_PAGE = row(LOGIN, DENIED, DENIED, DENIED, OK, OK, OK, OK)
INTAKE_PAGE = row(LOGIN, DENIED, DENIED, DENIED, OK, OK, NONE, NONE)
INTAKE_ACTION = row(LOGIN, DENIED, DENIED, DENIED, MOVED, MOVED, NONE, NONE)
PATIENT_PAGE = row(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
ADMIN_PAGE = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)
ADMIN_OBJECT = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, NONE)  # of clinic A
STAFF_OF_PATIENT = row(LOGIN, NONE, NONE, NONE, OK, OK, NONE, NONE)
API_CLINICAL = row(401, NONE, NONE, NONE, OK, OK, NONE, NONE)
API_PROGRESS = row(401, OK, NONE, OK, OK, OK, NONE, NONE)

# url name: (method, kwargs factory name, outcomes)
TABLE = {
    "home": ("get", None, row(LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "login": ("get", None, row(OK, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "logout": ("post", None, row(*[LOGIN] * 8)),
    "manifest": ("get", None, PUBLIC_PAGE),
    "service_worker": ("get", None, PUBLIC_PAGE),
    "password_reset": ("get", None, PUBLIC_PAGE),
    "password_reset_done": ("get", None, PUBLIC_PAGE),
    "password_reset_confirm": ("get", "reset_token", PUBLIC_PAGE),
    "password_reset_complete": ("get", None, PUBLIC_PAGE),
    "password_change": ("get", None, SIGNED_IN_PAGE),
    "password_change_done": ("get", None, SIGNED_IN_PAGE),
    "invitation_accept": ("get", "bad_token", row(*[NONE] * 8)),
    "switch_clinic": ("post", None, row(LOGIN, *[MOVED] * 7)),
    "caseload": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, OK, OK, OK, OK)),
    "care_team_home": ("get", None, row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED)),
    "patient_home": ("get", None, row(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "patient_settings": ("get", None, row(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "patient_create": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, OK, OK, OK, OK)),
    "patient_detail": ("get", "patient", row(LOGIN, MOVED, NONE, OK, OK, OK, NONE, NONE)),
    "patient_edit": ("get", "patient", row(LOGIN, NONE, NONE, NONE, OK, OK, NONE, NONE)),
    "patient_discharge": ("post", "patient", PATIENT_EDIT),
    "patient_owner": ("post", "patient", PATIENT_EDIT),
    "membership_on_duty": ("post", "membership", ADMIN_ACTION),
    "patient_invite": ("post", "patient", PATIENT_EDIT),
    "care_team_add": ("post", "patient", PATIENT_EDIT),
    "care_team_remove": ("post", "care_team_member", PATIENT_EDIT),
    "clinic_admin": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    "invitation_create": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    "invitation_revoke": ("post", "invitation", ADMIN_ACTION),
    "invitation_resend": ("post", "invitation", ADMIN_ACTION),
    "membership_toggle": ("post", "membership", ADMIN_ACTION),
    # Sign-in security. Staff of both clinics have an authenticator and are verified (see `cast`);
    # patients and the coach have none, which their clinic allows.
    "account_security": ("get", None, SIGNED_IN_PAGE),
    "two_factor_verify": ("get", None, row(LOGIN, *[MOVED] * 7)),  # nothing left to verify
    "two_factor_enrol": ("get", None, row(LOGIN, OK, OK, OK, MOVED, MOVED, MOVED, MOVED)),
    "backup_codes_new": ("post", None, row(LOGIN, MOVED, MOVED, MOVED, OK, OK, OK, OK)),
    "two_factor_disable": ("post", None, row(LOGIN, *[MOVED] * 7)),
    "sign_out_everywhere": ("post", None, row(*[LOGIN] * 8)),
    "session_status": ("get", None, row(LOGIN, *[OK] * 7)),
    "second_factor_reset": ("post", "member", ADMIN_ACTION),
    "lockout_unlock": ("post", "lockout", ADMIN_ACTION),
    "clinic_security": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    # The clinic's logo: its admin uploads (an empty form: the clinic page, told why, 400); its
    # staff see it (clinic A has one, clinic B none).
    "clinic_logo": ("post", None, row(LOGIN, *[DENIED] * 4, 400, DENIED, 400)),
    "clinic_logo_image": ("get", None, row(LOGIN, *[DENIED] * 3, OK, OK, NONE, NONE)),
    # intake/
    "intake_start": ("get", "intake_token", PUBLIC_PAGE),
    "intake_step": ("get", "intake_token_step", PUBLIC_PAGE),
    "intake_review": ("get", "intake_token", PUBLIC_PAGE),
    "intake_done": ("get", "intake_token", row(*[MOVED] * 8)),
    "my_intake": ("get", None, row(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "triage_queue": ("get", None, STAFF_PAGE),
    "intake_links": ("get", None, STAFF_PAGE),
    "intake_link_create": ("get", None, STAFF_PAGE),
    "intake_start_visit": ("post", "patient", PATIENT_EDIT),
    "intake_detail": ("get", "intake", INTAKE_PAGE),
    "intake_exam": ("get", "intake", INTAKE_PAGE),
    "intake_answer": ("get", "intake_step", INTAKE_ACTION),
    "intake_claim": ("post", "intake", INTAKE_ACTION),
    "intake_assign": ("post", "intake", INTAKE_ACTION),
    "intake_decide": ("post", "intake", row(LOGIN, DENIED, DENIED, DENIED, 400, 400, NONE, NONE)),
    # Clinical notes: clinic staff of the patient's clinic; never the patient or the care team.
    "clinical_notes": ("get", "patient", STAFF_OF_PATIENT),
    "clinical_note_create": ("post", "patient", row(LOGIN, NONE, NONE, NONE, 400, 400, NONE, NONE)),
    "clinical_note_edit": ("get", "clinical_note", STAFF_OF_PATIENT),
    "scoring_policy": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    # rehab/ — the patient's own log ("log_day" names today; only pat has a log that day).
    "log_today": ("get", None, PATIENT_PAGE),
    "log_day": ("get", "log_day", PATIENT_PAGE),
    "log_delete": ("post", "log_day", row(LOGIN, MOVED, NONE, *[DENIED] * 5)),
    # Watch files: the patient's own log only (an empty confirmation goes back to the upload).
    "log_import": ("get", "log_day", PATIENT_PAGE),
    "log_import_confirm": ("post", "log_day", row(LOGIN, MOVED, MOVED, *[DENIED] * 5)),
    "my_progress": ("get", None, PATIENT_PAGE),
    "patient_logs": ("get", "patient", row(LOGIN, MOVED, NONE, OK, OK, OK, NONE, NONE)),
    "alert_acknowledge": ("get", "alert", STAFF_OF_PATIENT),
    "alert_snooze": ("get", "patient", STAFF_OF_PATIENT),
    "alert_snooze_lift": ("post", "alert_snooze", PATIENT_EDIT),
    "alert_list": ("get", None, STAFF_PAGE),
    "worklist": ("get", None, STAFF_PAGE),
    "alert_policy": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    # rehab/ outcome measures — clinic A has pasted the LEFS wording; entering one in clinic is
    # staff only, the wording is the clinic admin's.
    "my_measures": ("get", None, PATIENT_PAGE),
    "my_measure_fill": ("get", "measure", PATIENT_PAGE),
    "patient_measure_fill": ("get", "patient_measure", STAFF_OF_PATIENT),
    "measure_wordings": ("get", None, ADMIN_PAGE),
    "measure_wording_edit": ("get", "measure", ADMIN_PAGE),
    # rehab/ plans — pat follows an active plan with a proposal waiting; cole is on his team.
    "today": ("get", None, PATIENT_PAGE),
    "session_complete": ("post", None, row(LOGIN, MOVED, MOVED, *[DENIED] * 5)),
    "morning_check": ("post", None, row(LOGIN, MOVED, MOVED, *[DENIED] * 5)),
    "plan_assign_intake": ("get", "intake", INTAKE_ACTION),  # pat has a plan: sent to it
    "plan_assign": ("get", "patient", PATIENT_EDIT),  # likewise
    "plan_detail": ("get", "plan", row(LOGIN, MOVED, NONE, OK, OK, OK, NONE, NONE)),
    "plan_edit": ("get", "plan", PATIENT_EDIT),  # active, not a draft: sent to the plan
    "plan_phase_edit": ("get", "plan_phase", PATIENT_EDIT),
    "plan_activate": ("post", "plan", PATIENT_EDIT),
    "plan_end": ("post", "plan", PATIENT_EDIT),
    "plan_resume": ("post", "plan", PATIENT_EDIT),
    "proposal_approve": ("post", "proposal", PATIENT_EDIT),
    "proposal_decline": ("post", "proposal", PATIENT_EDIT),
    "approval_list": ("get", None, STAFF_PAGE),
    "progression_policy": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    "template_list": ("get", None, STAFF_PAGE),
    "template_create": ("get", None, STAFF_PAGE),
    "template_detail": ("get", "template", INTAKE_PAGE),
    "template_edit": ("get", "template", INTAKE_PAGE),
    "template_phase_edit": ("get", "template_phase", INTAKE_PAGE),
    "exercise_list": ("get", None, STAFF_PAGE),
    "exercise_create": ("get", None, STAFF_PAGE),
    "exercise_edit": ("get", "exercise", INTAKE_PAGE),
    "care_task_inbox": ("get", None, row(LOGIN, DENIED, DENIED, OK, OK, OK, OK, OK)),
    "care_tasks": ("get", "patient", row(LOGIN, MOVED, NONE, OK, OK, OK, NONE, NONE)),
    "care_task_create": ("post", "patient", row(LOGIN, MOVED, NONE, 400, 400, 400, NONE, NONE)),
    "care_task_detail": ("get", "care_task", row(LOGIN, MOVED, NONE, OK, OK, OK, NONE, NONE)),
    "care_task_reply": ("post", "care_task", row(LOGIN, MOVED, NONE, 400, 400, 400, NONE, NONE)),
    "care_task_done": ("post", "care_task", row(LOGIN, MOVED, NONE, *[MOVED] * 3, NONE, NONE)),
    # Follow-up visits: clinic staff of the patient's clinic only.
    "visit_book": ("get", "patient", STAFF_OF_PATIENT),
    "visit_edit": ("get", "visit", STAFF_OF_PATIENT),
    "visit_attended": ("post", "visit", PATIENT_EDIT),
    "visit_missed": ("post", "visit", PATIENT_EDIT),
    "visit_cancel": ("post", "visit", PATIENT_EDIT),
    # notifications/ — reminder settings, in-app notifications, delivery history, unsubscribing.
    "reminder_preferences": ("get", None, PATIENT_PAGE),
    "notification_list": ("get", None, SIGNED_IN_PAGE),
    "notifications_read_all": ("post", None, row(LOGIN, *[MOVED] * 7)),
    "notification_open": ("get", "notification", row(LOGIN, MOVED, *[NONE] * 6)),
    "patient_deliveries": ("get", "patient", row(LOGIN, NONE, NONE, NONE, OK, OK, NONE, NONE)),
    "care_message_create": ("get", "patient", STAFF_OF_PATIENT),
    "delivery_failures": ("get", None, row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK)),
    "delivery_retry": ("post", "delivery", ADMIN_ACTION),
    "unsubscribe": ("get", "unsubscribe_token", PUBLIC_PAGE),
    "unsubscribe_undo": ("post", "unsubscribe_token", PUBLIC_PAGE),
    # reports/ — the admin's outcomes, exports and audit trail; the progress report (clinic
    # staff); the patient's "who viewed my record". bree administers her own clinic's exports.
    "outcome_dashboard": ("get", None, ADMIN_PAGE),
    "export_page": ("get", None, ADMIN_PAGE),
    "export_csv": ("get", None, ADMIN_PAGE),
    "export_measures_csv": ("get", None, ADMIN_PAGE),
    "export_job_create": ("post", None, row(LOGIN, *[DENIED] * 4, MOVED, DENIED, MOVED)),
    "export_job_status": ("get", "export_job", ADMIN_OBJECT),
    "export_job_download": ("get", "export_job", ADMIN_OBJECT),
    "audit_log": ("get", None, ADMIN_PAGE),
    "audit_log_export": ("get", None, ADMIN_PAGE),
    "progress_report": ("get", "patient", STAFF_OF_PATIENT),
    "progress_report_pdf": ("get", "patient", STAFF_OF_PATIENT),
    "progress_report_summary": ("post", "patient", PATIENT_EDIT),  # empty, unchanged: back
    "my_record_views": ("get", None, PATIENT_PAGE),
    "my_data_download": ("get", None, PATIENT_PAGE),  # each patient their own record only
    # api/ — personal tokens on the account page; the REST API answers 401 without a token or
    # session, 403 for a role (or token scope) that may not, and 404 for a patient out of reach.
    "api_token_create": ("post", None, row(LOGIN, *[MOVED] * 7)),  # an empty form: back, told
    "api_token_revoke": ("post", "api_token", row(LOGIN, *[NONE] * 3, MOVED, *[NONE] * 3)),
    "api_schema": ("get", None, PUBLIC_PAGE),
    "api_docs": ("get", None, PUBLIC_PAGE),
    "api_patients": ("get", None, row(401, *[OK] * 7)),  # each sees their own list
    "api_patient": ("get", "patient", row(401, OK, NONE, OK, OK, OK, NONE, NONE)),
    "api_patient_intakes": ("get", "patient", API_CLINICAL),
    "api_patient_plans": ("get", "patient", API_PROGRESS),
    "api_patient_logs": ("get", "patient", API_PROGRESS),
    "api_patient_alerts": ("get", "patient", API_CLINICAL),
    # The table posts forms; the API reads JSON only, so whoever gets past access is told 415.
    "api_alert_acknowledge": ("post", "alert", row(401, *[DENIED] * 3, 415, 415, NONE, NONE)),
    "api_my_logs": ("post", None, row(401, 415, 415, *[DENIED] * 5)),
    # FHIR export: $everything like the progress report; the clinic's NDJSON for its admins.
    "fhir_patient_everything": ("get", "patient", API_CLINICAL),
    "fhir_clinic_export": ("get", None, row(401, *[DENIED] * 4, OK, DENIED, OK)),
}


def named_patterns(resolver=None, prefix=""):
    """(namespaced name, pattern) for every URL pattern, the Django admin excluded."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # guarded by Django's own staff check; tested in test_admin.py
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from named_patterns(entry, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry


def test_every_url_is_in_the_table():
    names = {name for name, _ in named_patterns()}
    assert names - TABLE.keys() == set(), "add these URLs to TABLE with their expected outcomes"
    assert TABLE.keys() - names == set(), "these TABLE rows name URLs that no longer exist"


# Integer ids in URLs, each naming something that is not a patient's data on its own and that the
# view looks up only inside the asking admin's clinic (or the patient the URL's UUID names).
# Everything that names patient data uses a UUID; a new integer id must be argued for here.
INTEGER_IDS = {
    "care_team_remove": "a seat on the care team of the patient named by UUID",
    "membership_toggle": "a staff member's role in the admin's clinic",
    "membership_on_duty": "a therapist's role in the admin's clinic",
    "second_factor_reset": "a member of the admin's clinic",
    "lockout_unlock": "a sign-in lock on a member of the admin's clinic",
    "delivery_retry": "a failed reminder delivery of the admin's clinic",
    "api_token_revoke": "one of the signed-in person's own API tokens",
}


def test_urls_name_patients_and_their_data_by_uuid():
    for name, pattern in named_patterns():
        converters = pattern.pattern.converters
        if "patient_id" in converters:
            assert isinstance(converters["patient_id"], UUIDConverter), name
        integers = [
            arg
            for arg, c in converters.items()
            if isinstance(c, IntConverter) and arg.endswith("_id")  # not positions ("index")
        ]
        assert not integers or name in INTEGER_IDS, f"{name} names {integers} by integer"
    assert INTEGER_IDS.keys() <= {name for name, _ in named_patterns()}


@pytest.mark.parametrize("name,pattern", list(named_patterns()), ids=lambda v: str(v))
def test_every_view_goes_through_the_access_module(name, pattern):
    assert hasattr(pattern.callback, "access_rule"), f"{name} is not wrapped by clinic.access"


@pytest.fixture
def cast(pat, pia, coach_cole, alice, adam, bob, clinic_a, clinic_b, settings, tmp_path):
    """Both clinics require two-step verification, as in production; their staff have set it up
    and `otp.sign_in` verifies their sessions, so each row shows the role rules, not the 2FA
    redirect (test_security_headers.py checks that redirect for every URL)."""
    bree = factories.member(clinic_b, "admin", email="bree@birch.example", full_name="Bree Fox")
    Clinic.objects.update(require_staff_2fa=True)
    for staff in (alice, adam, bob, bree):
        otp.authenticator(staff)
    lockout = AccessAttempt.objects.create(
        username=alice.email, ip_address="203.0.113.9", user_agent="test", failures_since_start=5
    )
    invitation = Invitation.objects.create(
        clinic=clinic_a, email="new@alder.example", full_name="New Person", role="coach"
    )
    intake = submitted_intake(clinic_a, pat, {"region": "heel"})
    intake_token = link_token(IntakeLinkFactory(clinic=clinic_a))
    log = rehab_factories.day_log(pat, patient_today(pat))
    alert = rehab_factories.AlertFactory(patient=pat)
    snooze = rehab_services.alert_snooze(patient=pat, rule="no_log", days=3, by=alice)
    plan = rehab_factories.active_plan(pat, start=patient_today(pat), by=alice)
    proposal = rehab_factories.pending_proposal(plan)
    template = plan.template_version.template
    exercise = rehab_factories.ExerciseFactory(clinic=clinic_a)
    task = rehab_factories.care_task_for_coach(pat, by=alice, coach=coach_cole)
    visit = rehab_factories.VisitFactory(patient=pat)
    measure_factories.wording(clinic_a, "lefs")
    note = intake_services.clinical_note_add(patient=pat, author=alice, sections={"plan": "x"})
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    logos.logo_set(clinic_a, logos.validated_logo(logo_upload()))
    export_job = reports_factories.finished_job(clinic_a, adam)
    api_token, _secret = api_tokens.api_token_create(
        user=alice, clinic=clinic_a, name="EHR", scope="read", days=30
    )
    return {
        "people": {
            "pat": pat.user,
            "pia": pia.user,
            "cole": coach_cole,
            "alice": alice,
            "adam": adam,
            "bob": bob,
            "bree": bree,
        },
        "kwargs": {
            "patient": {"patient_id": pat.pk},
            "care_team_member": {
                "patient_id": pat.pk,
                "member_id": pat.care_team.get().pk,
            },
            "invitation": {"invitation_id": invitation.pk},
            "membership": {"membership_id": Membership.objects.get(user=alice).pk},
            "member": {"user_id": alice.pk},
            "lockout": {"attempt_id": lockout.pk},
            "reset_token": {"uidb64": "MQ", "token": "set-password"},
            "bad_token": {"token": "not-a-real-token"},
            "intake": {"intake_id": intake.pk},
            "intake_step": {"intake_id": intake.pk, "step": "pain"},
            "intake_token": {"token": intake_token},
            "intake_token_step": {"token": intake_token, "step": "pain"},
            "log_day": {"day": log.date},
            "alert": {"patient_id": pat.pk, "alert_id": alert.pk},
            "alert_snooze": {"patient_id": pat.pk, "snooze_id": snooze.pk},
            "plan": {"patient_id": pat.pk, "plan_id": plan.pk},
            "plan_phase": {"patient_id": pat.pk, "plan_id": plan.pk, "index": 0},
            "proposal": {"patient_id": pat.pk, "proposal_id": proposal.pk},
            "template": {"template_id": template.pk},
            "template_phase": {"template_id": template.pk, "index": 0},
            "exercise": {"exercise_id": exercise.pk},
            "care_task": {"patient_id": pat.pk, "task_id": task.pk},
            "visit": {"patient_id": pat.pk, "visit_id": visit.pk},
            "measure": {"code": "lefs"},
            "patient_measure": {"patient_id": pat.pk, "code": "uwri"},
            "clinical_note": {"patient_id": pat.pk, "note_id": note.pk},
            "export_job": {"job_id": export_job.pk},
            "api_token": {"token_id": api_token.pk},
            **notifications_cast(pat),
        },
    }


def logo_upload() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), (15, 118, 110)).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


def outcome_of(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response.url.startswith(reverse("login")) else MOVED
    return response.status_code


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("person", PEOPLE)
def test_url_answers_each_person_as_the_table_says(client, cast, name, person):
    method, kwargs_name, expected = TABLE[name]
    if person != "anonymous":
        otp.sign_in(client, cast["people"][person])
    kwargs = cast["kwargs"][kwargs_name] if kwargs_name else {}
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert outcome_of(response) == expected[person]
