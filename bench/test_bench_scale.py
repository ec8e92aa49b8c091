"""`make bench` keeps working as the models change: its builder and one measure, tiny and quick.

The benchmark itself never runs in `make test`; this only builds 50 runners and times a page.
"""

import pytest
import scale  # bench/scale.py: pytest puts this folder on the path
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bench builds its data in PostgreSQL's SQL"
)


@pytest.mark.django_db
def test_the_bench_builds_its_clinic_and_times_a_page_against_its_floor(settings):
    scale.build(0.001, say=lambda text: None, analyze=False)  # 50 runners
    assert "50 patients in one clinic" in scale.counts()
    settings.ROOT_URLCONF = scale.bench_urls()
    line, _ = scale.page("triage queue", "/triage/", scale.THERAPIST, budget=0.1)
    assert line.startswith("triage queue") and "/ floor p95" in line and "queries" in line
