"""Fixtures of the reports tests: export files in a temporary folder, and a known data set."""

import pytest

from reports.tests.factories import episode


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def known_cohort(pat, pia, bea):
    """pat (km): anterior tibia (high risk), intake 20 days ago, rehab decided that day, walks
    pain-free on day 3, runs 3 km on day 10 and 5 km on day 12. pia (miles): posteromedial
    tibia (low risk), intake 10 days ago, rehab decided that day, runs one mile on day 2. bea is
    in another clinic and never in clinic A's rows."""
    pia.distance_unit = "mi"
    pia.save()
    episode(
        pat,
        intake_days_ago=20,
        rehab_day=0,
        logs={
            0: (4,),
            3: (0, [("walk", 2000)]),
            10: (1, [("run", 3000, 20), ("cycling", None, 30)]),
            12: (1, [("run", 5000, 30), ("walk", 1000)]),
        },
    )
    episode(
        pia,
        intake_days_ago=10,
        site="posteromedial_tibia",
        weekly_km=(),
        rehab_day=0,
        logs={2: (2, [("run", 1609)])},
    )
    episode(bea, intake_days_ago=5, logs={1: (3,)})
    return {"pat": pat, "pia": pia, "bea": bea}


# The notifications tests' real Celery worker (a subprocess on a private Redis queue), for the
# export browser test.
from notifications.tests.conftest import worker_harness  # noqa: E402, F401
