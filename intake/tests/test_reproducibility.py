"""A stored score can always be reproduced from what was stored with it."""

from intake.models import ClinicScoringPolicy
from intake.scoring import score
from intake.tests.factories import FOCAL_ANTERIOR_SHIN, submitted_intake


def test_rescoring_a_stored_intake_with_its_version_and_policy_reproduces_it(clinic_a, pat):
    ClinicScoringPolicy.objects.create(clinic=clinic_a, values={"band_moderate_from": 2})
    intake = submitted_intake(clinic_a, pat, FOCAL_ANTERIOR_SHIN)
    stored = intake.scores.get()
    stored.refresh_from_db()  # through the database's JSON round trip
    again = score(stored.answers, version=stored.version, policy=stored.result["policy_used"])
    assert again.to_dict() == stored.result


def test_a_later_policy_change_does_not_alter_stored_scores(clinic_a, pat):
    intake = submitted_intake(clinic_a, pat, FOCAL_ANTERIOR_SHIN)
    before = intake.scores.get().result
    ClinicScoringPolicy.objects.create(clinic=clinic_a, values={"band_high_from": 30})
    intake.scores.get().refresh_from_db()
    assert intake.scores.get().result == before
