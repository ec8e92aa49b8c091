"""Research ids, day numbers and age bands (pure)."""

import datetime as dt
import uuid

from reports.deidentify import age_band, days_since, research_id

PATIENT = uuid.UUID("8c1c6a36-7d6f-4f55-8b8e-3f1e0f2b9a10")


def test_a_research_id_is_stable_for_one_secret_and_changes_with_it():
    assert research_id(b"clinic-a", PATIENT) == research_id(b"clinic-a", str(PATIENT))
    assert research_id(b"clinic-a", PATIENT) != research_id(b"clinic-b", PATIENT)


def test_a_research_id_is_an_hmac_that_does_not_contain_the_patient_id():
    rid = research_id(b"secret", PATIENT)
    assert rid.startswith("R-") and len(rid) == 18
    assert str(PATIENT)[:8] not in rid


def test_days_count_from_the_intake_as_day_zero():
    assert days_since(dt.date(2026, 3, 1), dt.date(2026, 3, 11)) == 10
    assert days_since(dt.date(2026, 3, 1), dt.date(2026, 2, 27)) is None
    assert days_since(None, dt.date(2026, 3, 1)) is None


def test_ages_become_ten_year_bands_and_ninety_up_one_band():
    assert [age_band(a) for a in (17, 30, 39, 89, 90, 97)] == [
        "10-19",
        "30-39",
        "30-39",
        "80-89",
        "90+",
        "90+",
    ]
