"""The daily-log CSV made by PostgreSQL's COPY is byte for byte the Python path's (issue 13)."""

import dataclasses

import pytest
from django.db import connection

from clinic.models import Patient
from clinic.tests.factories import PatientFactory
from reports import cohort, exporters
from reports.cohort import CohortFilters
from reports.models import ClinicResearchKey
from reports.tests.factories import episode

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite keeps the Python path"
)
NAMES = [
    ("=HYPERLINK(1)", "Cell"),
    ("+Plus", "Minus"),
    ("-5", "Dash"),
    ("@Sum", "At"),
    ("\tTab", "Start"),
    ('Quote "The Rocket"', "Comma, Jr."),
    ("Zoë", "Ångström"),
    ("", ""),
]
DISTANCES = [None, 0, 1, 5, 499, 1000, 1609, 1609344, 3107, 12345, 42195, 99999]


@pytest.fixture
def tricky_cohort(clinic_a, alice, known_cohort):
    """Names a spreadsheet would run or the CSV must quote, both units, every kind of cell."""
    for n, (first, last) in enumerate(NAMES):
        patient = PatientFactory(
            clinic=clinic_a,
            therapist=alice,
            first_name=first,
            last_name=last,
            distance_unit="mi" if n % 2 else "km",
        )
        logs = {}
        for day, metres in enumerate(DISTANCES):
            runs = [("run", metres, 30)] if metres is not None else []
            logs[day] = (day % 11, [*runs, ("walk", (metres or 0) * 3 + 7), ("cycling", None, 45)])
        logs[len(DISTANCES)] = (0, [])
        episode(patient, intake_days_ago=30, logs=logs)
    return Patient.objects.filter(clinic=clinic_a)


def both_paths(clinic, *, deidentified: bool, secret: bytes = b"") -> tuple[bytes, bytes, bool]:
    fast = cohort.logs_table(clinic, CohortFilters(), deidentified=deidentified, secret=secret)
    slow = cohort.logs_table(clinic, CohortFilters(), deidentified=deidentified, secret=secret)
    slow = dataclasses.replace(slow, csv_body=None)
    return (
        b"".join(exporters.csv_chunks(fast)),
        b"".join(exporters.csv_chunks(slow)),
        fast.csv_body is not None,
    )


@on_postgresql
@pytest.mark.parametrize("deidentified", [False, True])
def test_copy_writes_exactly_what_the_python_path_writes(tricky_cohort, clinic_a, deidentified):
    secret = ClinicResearchKey.secret_for(clinic_a) if deidentified else b""
    copied, written, used_copy = both_paths(clinic_a, deidentified=deidentified, secret=secret)
    assert used_copy
    assert copied == written
    assert copied.count(b"\r\n") == 1 + len(NAMES) * (len(DISTANCES) + 1) + 5  # Pat 4, Pia 1


@on_postgresql
def test_the_guard_and_quoting_show_in_the_copied_file(tricky_cohort, clinic_a):
    copied, _, _ = both_paths(clinic_a, deidentified=False)
    text = copied.decode()
    assert ",'=HYPERLINK(1) Cell," in text
    assert ",'@Sum At," in text
    assert ',"Quote ""The Rocket"" Comma, Jr.",' in text
    assert ",Zoë Ångström," in text
    assert "\n" not in text.replace("\r\n", "")


@on_postgresql
def test_a_name_with_a_line_break_keeps_the_python_path(known_cohort, clinic_a):
    pat = known_cohort["pat"]
    pat.last_name = "Lane\nSecond line"
    pat.save()
    copied, written, used_copy = both_paths(clinic_a, deidentified=False)
    assert not used_copy
    assert copied == written and b'"Pat Lane\nSecond line"' in copied


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_sqlite_keeps_the_python_path(known_cohort, clinic_a):
    table = cohort.logs_table(clinic_a, CohortFilters(), deidentified=False)
    assert table.csv_body is None


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_half_way_leaves_the_database_usable(
    clinic_a, alice, known_cohort, monkeypatch
):
    monkeypatch.setattr(exporters, "CSV_CHUNK_BYTES", 16)  # many chunks from a few rows
    monkeypatch.setattr(exporters, "COPY_QUEUE_CHUNKS", 1)
    table = cohort.logs_table(clinic_a, CohortFilters(), deidentified=False)
    chunks = exporters.csv_chunks(table)
    assert next(chunks).startswith(b"patient_id,name,date")
    assert next(chunks)
    chunks.close()  # the client went away
    assert Patient.objects.filter(clinic=clinic_a).count() == 2


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("unit", ["km", "mi"])
def test_sql_writes_every_distance_as_python_does(unit):
    """Metres 0 to 60 km one by one, then longer ones: the SQL cell is `distance_cells`'."""
    thousandths = cohort.sql_thousandths("m", unit=unit)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m, {cohort.sql_distance(thousandths)} FROM ("  # noqa: S608 - our own SQL
            "SELECT generate_series(0, 60000) AS m UNION ALL "
            "SELECT generate_series(60000, 5000000, 997)) s",
            [],  # the %% of the modulo is read as a parameter string
        )
        rows = cursor.fetchall()
    assert len(rows) > 60000
    assert [cell for _, cell in rows] == [cohort.distance_cells(m, unit)[0] for m, _ in rows]
