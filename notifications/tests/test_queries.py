"""Every notifications page answers in a fixed number of queries, however much history there is."""

import pytest
from django.urls import reverse

from notifications.models import Delivery
from notifications.tests.factories import DeliveryFactory, NotificationFactory, reminder_patient


def grow(patient, clinic, therapist, n: int) -> None:
    """n more deliveries of each status, in-app notices, and n more patients with failures."""
    for _ in range(n):
        NotificationFactory(recipient=patient.user, patient=patient)
        for status in ("sent", "skipped", "failed"):
            DeliveryFactory(
                patient=patient, status=status, reason="x" if status == "skipped" else ""
            )
    for k in range(n):
        other = reminder_patient(
            clinic, therapist, email=f"grow{k}-{Delivery.objects.count()}@r.example"
        )
        DeliveryFactory(patient=other, status="failed", last_error="550 unknown", attempts=6)


@pytest.mark.parametrize(
    "who,page",
    [
        ("patient", "notification_list"),
        ("patient", "reminder_preferences"),
        ("alice", "patient_deliveries"),
        ("alice", "patient_detail"),
        ("adam", "delivery_failures"),
        ("alice", "care_message_create"),
    ],
)
def test_the_page_costs_the_same_queries_with_ten_times_the_history(
    client, clinic_a, alice, adam, who, page, django_assert_max_num_queries
):
    patient = reminder_patient(clinic_a, alice, email="robin@runner.example")
    person = {"patient": patient.user, "alice": alice, "adam": adam}[who]
    args = (
        [patient.pk]
        if page in ("patient_deliveries", "patient_detail", "care_message_create")
        else []
    )
    url = reverse(page, args=args)
    client.force_login(person)
    grow(patient, clinic_a, alice, 2)
    client.get(url)  # warm the session and the clinic's settings
    with django_assert_max_num_queries(60) as small:
        assert client.get(url).status_code == 200
    grow(patient, clinic_a, alice, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
