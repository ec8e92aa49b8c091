"""The imaging grade's rule for the protect phase: pure, no database."""

import pytest

from rehab.rules.imaging_grade import (
    IMAGING_CLEARANCE,
    PENDING_CLEARANCE,
    protect_advice,
    protect_phase_fields,
)


@pytest.mark.parametrize(
    ("system", "grade", "weeks", "clearance"),
    [
        ("kaeding_miller", 1, "", ""),
        ("kaeding_miller", 2, "2–3", ""),
        ("kaeding_miller", 3, "4–6", IMAGING_CLEARANCE),
        ("kaeding_miller", 4, "6–8", IMAGING_CLEARANCE),
        ("kaeding_miller", 5, "6–8", IMAGING_CLEARANCE),  # non-union: the longest tier
        ("fredericson", 2, "2–3", ""),
        ("fredericson", 4, "6–8", IMAGING_CLEARANCE),
        ("arendt", 3, "4–6", IMAGING_CLEARANCE),
    ],
)
def test_a_higher_grade_lengthens_protect_and_from_3_asks_imaging(system, grade, weeks, clearance):
    advice = protect_advice(status="done", system=system, system_label="X", grade=grade)
    assert (advice.weeks, advice.clearance) == (weeks, clearance)
    assert f"X grade {grade}" in advice.reason and "reference §3" in advice.reason


def test_a_result_without_a_grade_is_read_by_its_words():
    fracture = protect_advice(status="done", result="stress_fracture")
    assert (fracture.weeks, fracture.clearance) == ("4–6", IMAGING_CLEARANCE)
    assert "read as Kaeding–Miller 3" in fracture.reason
    assert protect_advice(status="done", result="stress_reaction").weeks == "2–3"


def test_normal_imaging_or_none_changes_nothing():
    assert protect_advice(status="done", result="normal") is None
    assert protect_advice(status="none") is None


def test_pending_imaging_asks_for_the_result_before_protect_ends():
    advice = protect_advice(status="pending")
    assert (advice.weeks, advice.clearance) == ("", PENDING_CLEARANCE)


def test_the_advice_never_shortens_or_loosens_the_template():
    advice = protect_advice(status="done", system="kaeding_miller", grade=3)
    assert protect_phase_fields("1–2", "", advice) == {
        "weeks": "4–6",
        "exit_clearance": IMAGING_CLEARANCE,
    }
    high_risk = "Imaging confirms healing (high-risk site), and the therapist signs off"
    assert protect_phase_fields("6–12", high_risk, advice) == {
        "weeks": "6–12",
        "exit_clearance": high_risk,
    }
    assert protect_phase_fields("1–2", "Physician's letter", advice)["exit_clearance"] == (
        f"Physician's letter; {IMAGING_CLEARANCE}"
    )
