"""URLs of the intake app; every view is wrapped by clinic.access."""

from django.urls import path

from intake.views import notes, policy, runner, triage

urlpatterns = [
    # The runner's questionnaire, through a personal link (no account needed).
    path("q/<str:token>/", runner.intake_start, name="intake_start"),
    path("q/<str:token>/step/<slug:step>/", runner.intake_step, name="intake_step"),
    path("q/<str:token>/review/", runner.intake_review, name="intake_review"),
    path("q/<str:token>/done/", runner.intake_done, name="intake_done"),
    path("me/intake/", runner.my_intake, name="my_intake"),
    # The clinic's side.
    path("triage/", triage.triage_queue, name="triage_queue"),
    path("intake-links/", triage.intake_links, name="intake_links"),
    path("intake-links/new/", triage.intake_link_create, name="intake_link_create"),
    path(
        "patients/<uuid:patient_id>/intakes/new/",
        triage.intake_start_visit,
        name="intake_start_visit",
    ),
    path("intakes/<uuid:intake_id>/", triage.intake_detail, name="intake_detail"),
    path(
        "intakes/<uuid:intake_id>/answer/<slug:step>/",
        triage.intake_answer,
        name="intake_answer",
    ),
    path("intakes/<uuid:intake_id>/exam/", triage.intake_exam, name="intake_exam"),
    path("intakes/<uuid:intake_id>/claim/", triage.intake_claim, name="intake_claim"),
    path("intakes/<uuid:intake_id>/assign/", triage.intake_assign, name="intake_assign"),
    path("intakes/<uuid:intake_id>/decide/", triage.intake_decide, name="intake_decide"),
    path("clinic/scoring-policy/", policy.scoring_policy, name="scoring_policy"),
    # Clinical notes: clinic staff only.
    path("patients/<uuid:patient_id>/notes/", notes.clinical_notes, name="clinical_notes"),
    path(
        "patients/<uuid:patient_id>/notes/new/",
        notes.clinical_note_create,
        name="clinical_note_create",
    ),
    path(
        "patients/<uuid:patient_id>/notes/<uuid:note_id>/edit/",
        notes.clinical_note_edit,
        name="clinical_note_edit",
    ),
]
