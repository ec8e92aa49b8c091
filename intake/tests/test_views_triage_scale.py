"""The triage queue at clinic-network scale: a page is read from the index, jsonb left behind
(issue 13: 15,000 open intakes were sorted with their answers on every view of the queue)."""

import pytest
from django.db import connection
from django.urls import reverse

from clinic.tests.factories import PatientFactory
from intake.models import Intake
from intake.tests.factories import FEMORAL_NECK, FOCAL_ANTERIOR_SHIN, submitted_intake
from intake.views.triage import QUEUE_PAGE_SIZE, filtered_queue, queue_filters


@pytest.fixture
def big_queue(clinic_a):
    """600 open intakes (a few flagged), the answers and result of real ones."""
    patients = PatientFactory.create_batch(10, clinic=clinic_a)
    plain = submitted_intake(clinic_a, patients[0], FOCAL_ANTERIOR_SHIN)
    flagged = submitted_intake(clinic_a, patients[1], FEMORAL_NECK)
    Intake.objects.bulk_create(
        Intake(
            clinic=clinic_a,
            patient=patients[n % 10],
            source="link",
            status=Intake.OPEN_STATUSES[n % 3],
            answers=(flagged if n % 50 == 0 else plain).answers,
            result=(flagged if n % 50 == 0 else plain).result,
            score=n % 9,
            band=["low", "moderate", "high"][n % 3],
            priority_rank=0 if n % 50 == 0 else 1 + n % 5,
            red_flag_level="urgent" if n % 50 == 0 else "",
            submitted_at=plain.submitted_at,
            region="shin_front",
        )
        for n in range(600)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_intake")


def test_a_page_of_the_queue_leaves_the_answers_in_the_table(
    rf, client, alice, clinic_a, big_queue
):
    client.force_login(alice)
    response = client.get(reverse("triage_queue"))
    rows = list(response.context["page"].object_list)
    assert len(rows) == QUEUE_PAGE_SIZE
    assert {"answers", "result", "steps_done"} <= rows[0].get_deferred_fields()
    assert rows[0].red_flag_level == "urgent"
    assert rows[0].first_red_flag["action"] in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_open_queue_is_read_in_order_from_its_partial_index(rf, alice, clinic_a, big_queue):
    request = rf.get("/triage/")
    page = filtered_queue(clinic_a, queue_filters(request), alice)[:QUEUE_PAGE_SIZE]
    plan = page.explain()
    assert "intake_open_queue" in plan
    assert "Sort" not in plan


def test_every_page_of_the_queue_costs_the_same_queries(
    client, alice, clinic_a, big_queue, django_assert_max_num_queries
):
    client.force_login(alice)
    # Sign-in and workspace 5, the queue's count and page 2, the bell, the menu's counts, the
    # therapist filter, the session's idle clock 3: none of them grows with the queue.
    with django_assert_max_num_queries(14):
        first = client.get(reverse("triage_queue"))
    with django_assert_max_num_queries(14):
        last = client.get(reverse("triage_queue"), {"page": 25})
    assert first.context["page"].paginator.count == 602
    assert len(last.context["page"].object_list) == 602 - 24 * QUEUE_PAGE_SIZE
