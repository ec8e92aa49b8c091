"""Intake workflows: links, saving answers step by step, submission, scoring, triage actions."""

from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic, Invitation, Patient, Sex, User
from clinic.services import PatientInviteError, patient_invite, patient_owner_default
from intake import scoring
from intake.forms import step_keys

# The link helpers stay importable from here, the views' one entry point (services.link_token…).
from intake.links import LinkError as LinkError
from intake.links import link_from_token as link_from_token
from intake.links import link_send as link_send
from intake.links import link_token as link_token
from intake.links import link_url as link_url
from intake.models import (
    ClinicalNote,
    ClinicalNoteVersion,
    Intake,
    IntakeDecision,
    IntakeEvent,
    IntakeLink,
    IntakeScore,
)
from notifications.services import intake_invitation_queue, preferences_save
from rehab.services import visit_book
from reports.outcome_facts import outcome_facts_refresh


def link_create(
    *, clinic: Clinic, created_by: User, email: str, full_name: str, patient: Patient | None = None
) -> IntakeLink:
    """Create a personal intake link and send it through the notifications ledger (queued when
    the transaction commits, sent once, retried, in the patient's delivery history)."""
    if patient is None:
        patient = Patient.objects.filter(clinic=clinic, email__iexact=email).first()
    with transaction.atomic():
        link = IntakeLink.objects.create(
            clinic=clinic, patient=patient, email=email, full_name=full_name, created_by=created_by
        )
        intake_invitation_queue(link)
    return link


# --- Answering ---------------------------------------------------------------------------------


def intake_for_link(link: IntakeLink) -> Intake:
    """The link's intake, started on first use so answers can be saved step by step."""
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().get(pk=link.pk)
        intake, created = Intake.objects.get_or_create(
            link=locked,
            defaults={
                "clinic": locked.clinic,
                "patient": locked.patient,
                "source": Intake.Source.LINK,
                "answers": patient_answers(locked.patient) if locked.patient else {},
            },
        )
        if created:
            _event(intake, "", Intake.Status.DRAFT, None, "Runner opened the link")
    return intake


def intake_start_visit(*, patient: Patient, therapist: User) -> Intake:
    """A therapist fills the intake with the runner during a visit."""
    with transaction.atomic():
        intake = Intake.objects.create(
            clinic=patient.clinic,
            patient=patient,
            source=Intake.Source.VISIT,
            answers=patient_answers(patient),
            assigned_to=therapist,
        )
        _event(intake, "", Intake.Status.DRAFT, therapist, "Started during a visit")
    return intake


# The patient record's sex codes and the questionnaire's differ in two words.
SEX_TO_ANSWER = {Sex.INTERSEX: "other", Sex.UNDISCLOSED: "prefer_not_to_say"}
ANSWER_TO_SEX = {answer: sex for sex, answer in SEX_TO_ANSWER.items()}


def patient_answers(patient: Patient) -> dict:
    """Answers the clinic already knows from the patient record."""
    answers = {"age": patient.age(), "sex": SEX_TO_ANSWER.get(patient.sex, patient.sex)}
    answers["menstrual_applicable"] = "yes" if patient.menstrual_questions_apply else "no"
    return answers


def intake_save_step(*, intake: Intake, step: str, answers: dict, done: bool = True) -> Intake:
    """Replace the answers of one step (blank fields clear earlier answers).

    `done` notes the step as finished (Continue); an answer saved as it is given is not, so the
    link resumes on that step.
    """
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        asked = set(step_keys(step))
        merged = {k: v for k, v in locked.answers.items() if k not in asked and "__" not in k}
        merged.update(answers)
        locked.answers = merged
        if done and step not in locked.steps_done:
            locked.steps_done = [*locked.steps_done, step]
        locked.save(update_fields=["answers", "steps_done", "updated_at"])
    return locked


def intake_save_about(*, intake: Intake, about: dict, done: bool = True) -> Intake:
    """Keep who a new runner is until submission matches or creates their patient record."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        born = about["date_of_birth"]
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        locked.about = {
            **about,
            "date_of_birth": born.isoformat(),
            "full_name": f"{about['first_name']} {about['last_name']}",
        }
        locked.answers = {**locked.answers, "sex": about["sex"], "age": age}
        if done and "about" not in locked.steps_done:
            locked.steps_done = [*locked.steps_done, "about"]
        locked.save(update_fields=["about", "answers", "steps_done", "updated_at"])
    return locked


# --- Scoring and submission --------------------------------------------------------------------


def clinic_policy(clinic: Clinic) -> dict:
    """The clinic's overrides of the scoring policy defaults."""
    from intake.models import ClinicScoringPolicy

    row = ClinicScoringPolicy.objects.filter(clinic=clinic).first()
    return dict(row.values) if row else {}


def _record_score(
    intake: Intake, kind: str, actor: User | None, version: str | None = None
) -> IntakeScore:
    """Score with `version` (the latest when None) and the clinic's policy, and keep the result."""
    policy = clinic_policy(intake.clinic)
    result = scoring.score(intake.answers, version=version, policy=policy).to_dict()
    intake.apply_score(result)
    return IntakeScore.objects.create(
        intake=intake,
        kind=kind,
        answers=intake.answers,
        policy=policy,
        result=result,
        version=result["version"],
        score=result["score"],
        band=result["band"],
        priority=result["priority"],
        created_by=actor,
    )


def _match_or_create_patient(intake: Intake) -> Patient:
    email = intake.link.email if intake.link_id else ""
    existing = Patient.objects.filter(clinic=intake.clinic, email__iexact=email).first()
    if existing:
        return existing
    about = intake.about
    sex = ANSWER_TO_SEX.get(about.get("sex"), about.get("sex"))
    if sex not in Sex.values:
        sex = Sex.UNDISCLOSED
    return Patient.objects.create(
        clinic=intake.clinic,
        first_name=about["first_name"],
        last_name=about["last_name"],
        date_of_birth=about["date_of_birth"],
        sex=sex,
        menstrual_questions_apply=intake.answers.get("menstrual_applicable") == "yes",
        email=email,
        phone=about.get("phone", ""),
        time_zone=intake.clinic.time_zone,
    )


def intake_submit(
    *, intake: Intake, actor: User | None = None, reminders: dict | None = None
) -> Intake:
    """Score the answers, match or create the patient, use up the link, and queue the intake.

    A runner who answered by link also gives (or withholds) consent to reminders: `reminders` is
    {"reminders_on": bool, "values": {channel: bool}} as the preferences page stores it; and is
    invited to set up their account, so the plan and its notices reach them."""
    with transaction.atomic():
        locked = (
            Intake.objects.select_for_update(of=("self",))
            .select_related("link", "clinic")
            .get(pk=intake.pk)
        )
        if locked.status != Intake.Status.DRAFT:
            return locked
        if locked.patient_id is None:
            locked.patient = _match_or_create_patient(locked)
        _record_score(locked, IntakeScore.Kind.RUNNER, actor)
        locked.status = Intake.Status.NEW
        locked.submitted_at = timezone.now()
        locked.save()
        if locked.link_id:
            IntakeLink.objects.filter(pk=locked.link_id).update(used_at=timezone.now())
        _event(locked, Intake.Status.DRAFT, Intake.Status.NEW, actor, "Submitted")
        if reminders is not None:
            preferences_save(
                patient=locked.patient,
                reminders_on=reminders["reminders_on"],
                values=reminders["values"],
            )
        if locked.link_id:
            _runner_invite(locked)
        outcome_facts_refresh(locked.patient_id)
    return locked


def _runner_invite(intake: Intake) -> Invitation | None:
    """Invite the runner to an account unless they have one or a pending invitation."""
    patient = intake.patient
    if patient.user_id or Invitation.objects.pending().filter(patient=patient).exists():
        return None
    try:
        return patient_invite(patient=patient, invited_by=intake.link.created_by)
    except PatientInviteError:
        return None  # e.g. the address signs in to another record: the clinic sorts it out


def intake_rescore(*, intake: Intake, answers: dict, actor: User) -> IntakeScore:
    """Add the therapist's examination and score again; the runner's score stays on record.

    An intake scored under an older rule set is examined and rescored under that version, so its
    stored scores stay comparable.
    """
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        version = locked.ruleset_version or None
        asked = set(step_keys("therapist", version))
        locked.answers = {
            **{k: v for k, v in locked.answers.items() if k not in asked},
            **answers,
        }
        result = _record_score(locked, IntakeScore.Kind.THERAPIST, actor, version)
        if locked.status == Intake.Status.NEW:
            _event(locked, locked.status, Intake.Status.IN_REVIEW, actor, "Examined")
            locked.status = Intake.Status.IN_REVIEW
            locked.assigned_to = locked.assigned_to or actor
        locked.save()
        if locked.patient_id:
            outcome_facts_refresh(locked.patient_id)
    return result


# --- Triage actions ------------------------------------------------------------------------------


def _event(intake, from_status, to_status, actor, note="") -> IntakeEvent:
    return IntakeEvent.objects.create(
        intake=intake, from_status=from_status, to_status=to_status, actor=actor, note=note
    )


def intake_assign(*, intake: Intake, therapist: User | None, actor: User) -> Intake:
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        locked.assigned_to = therapist
        note = f"Assigned to {therapist.full_name}" if therapist else "Unassigned"
        to_status = locked.status
        if therapist and locked.status == Intake.Status.NEW:
            to_status = Intake.Status.IN_REVIEW
        _event(locked, locked.status, to_status, actor, note)
        locked.status = to_status
        locked.save(update_fields=["assigned_to", "status", "updated_at"])
        if therapist and locked.patient_id:
            # The therapist who takes the intake is responsible for a runner who has nobody.
            patient_owner_default(patient=locked.patient, actor=therapist)
    return locked


DECISION_STATUS = {
    IntakeDecision.Kind.FOLLOW_UP: Intake.Status.FOLLOW_UP,
    IntakeDecision.Kind.URGENT_REFERRAL: Intake.Status.DECIDED,
    IntakeDecision.Kind.START_REHAB: Intake.Status.DECIDED,
    IntakeDecision.Kind.NOT_BSI: Intake.Status.DECIDED,
}


def intake_decide(
    *, intake: Intake, kind: str, notes: str, follow_up_on, actor: User, visit: dict | None = None
) -> IntakeDecision:
    """Record the decision. A follow-up with `visit` (starts_at, mode, video_url) books that
    visit for the runner with the deciding therapist, in the same transaction."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        decision = IntakeDecision.objects.create(
            intake=locked, kind=kind, notes=notes, follow_up_on=follow_up_on, decided_by=actor
        )
        to_status = DECISION_STATUS[kind]
        _event(locked, locked.status, to_status, actor, decision.get_kind_display())
        locked.status = to_status
        locked.assigned_to = locked.assigned_to or actor
        if to_status == Intake.Status.DECIDED:
            locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "assigned_to", "decided_at", "updated_at"])
        if locked.patient_id:
            patient_owner_default(patient=locked.patient, actor=actor)
        if kind == IntakeDecision.Kind.FOLLOW_UP and visit and locked.patient_id:
            decision.visit = visit_book(
                patient=locked.patient,
                therapist=actor,
                by=actor,
                intake=locked,
                **visit,  # the decision's notes are the clinic's: not copied to the runner
            )
        if locked.patient_id:
            outcome_facts_refresh(locked.patient_id)
    return decision


# --- The examination's record and clinical notes (clinic staff only) --------------------------


def intake_exam_record(
    *, intake: Intake, exam_side: str, imaging_status: str, imaging_date
) -> Intake:
    """Keep the examination's side and imaging status and date (saved with the examination)."""
    intake.exam_side, intake.imaging_status = exam_side, imaging_status
    intake.imaging_date = imaging_date
    intake.save(update_fields=["exam_side", "imaging_status", "imaging_date", "updated_at"])
    return intake


def clinical_note_add(
    *, patient: Patient, author: User, sections: dict, intake: Intake | None = None
) -> ClinicalNote:
    """A new SOAP note with its first version."""
    with transaction.atomic():
        note = ClinicalNote.objects.create(patient=patient, intake=intake, created_by=author)
        ClinicalNoteVersion.objects.create(note=note, number=1, author=author, **sections)
    return note


def clinical_note_revise(
    *, note: ClinicalNote, author: User, sections: dict
) -> ClinicalNoteVersion | None:
    """Add a version with the changed text (earlier versions stay); None when nothing changed."""
    with transaction.atomic():
        locked = ClinicalNote.objects.select_for_update().get(pk=note.pk)
        latest = locked.versions.order_by("-number").first()
        if all(getattr(latest, name) == text for name, text in sections.items()):
            return None
        return ClinicalNoteVersion.objects.create(
            note=locked, number=latest.number + 1, author=author, **sections
        )
