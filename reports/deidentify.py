"""De-identification for research exports. Pure Python: no Django import.

A de-identified export keeps no names, contacts, dates of birth or calendar dates:
- each patient is a stable pseudonymous id, an HMAC-SHA256 of the patient id keyed with the
  clinic's own secret (`reports.models.ClinicResearchKey`), so one clinic's exports can be joined
  but no one without the secret can tell who a row is about;
- dates become whole days since the patient's intake (day 0), which keeps the course of the
  rehab and drops the calendar;
- age becomes a ten-year band, and ages from 90 up one band ("90+").
"""

import datetime as dt
import hashlib
import hmac
import uuid

RESEARCH_ID_PREFIX = "R-"
RESEARCH_ID_HEX_DIGITS = 16  # 64 bits: no collision to expect below billions of patients


def research_id(secret: bytes, patient_id: uuid.UUID | str) -> str:
    """The patient's stable pseudonymous id in this clinic's exports."""
    digest = hmac.new(secret, str(patient_id).encode(), hashlib.sha256).hexdigest()
    return RESEARCH_ID_PREFIX + digest[:RESEARCH_ID_HEX_DIGITS]


def days_since(anchor: dt.date | None, day: dt.date | None) -> int | None:
    """Whole days from `anchor` (day 0) to `day`; None if either is unknown or `day` is before
    day 0 (a day count is never negative: "days since intake" means nothing before it)."""
    if anchor is None or day is None or day < anchor:
        return None
    return (day - anchor).days


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"
