"""`seed_demo` gives the triage queue something to show: every band, every kind of red flag."""

from clinic import demo
from intake.models import Intake, IntakeScore
from intake.rulesets import LATEST_VERSION, get_ruleset

RED_FLAG_CODES = {rule.code for rule in get_ruleset(LATEST_VERSION).red_flags}


def demo_intakes():
    return Intake.objects.filter(clinic__slug="demo-sports-pt").exclude(status="draft")


def test_the_demo_queue_has_every_band_and_every_kind_of_red_flag_and_reseeds_in_place(db):
    demo.seed()
    counts = (demo_intakes().count(), IntakeScore.objects.count())
    demo.seed()  # seeding is slow: check idempotence in the same test
    assert (demo_intakes().count(), IntakeScore.objects.count()) == counts
    intakes = list(demo_intakes())
    assert {intake.band for intake in intakes} == {"low", "moderate", "high"}
    # The runner's own score and the therapist's rescore each count: both are on the page.
    raised = {
        flag["code"]
        for result in IntakeScore.objects.filter(intake__in=intakes).values_list(
            "result", flat=True
        )
        for flag in result["red_flags"]
    }
    assert raised == RED_FLAG_CODES
    open_levels = {i.red_flag_level for i in intakes if i.is_open}
    assert {"urgent", "expedite", "refer", ""} <= open_levels
    assert {intake.status for intake in intakes} >= {"new", "in_review", "follow_up", "decided"}
    assert all(intake.ruleset_version == LATEST_VERSION for intake in intakes)
