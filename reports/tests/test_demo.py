"""The demo shows Maya who viewed her record, and seeding again adds nothing."""

from django.core.management import call_command
from django.urls import reverse

from clinic.models import AuditEvent, User


def test_maya_sees_her_care_team_in_who_viewed_and_a_second_seed_adds_nothing(client, db):
    call_command("seed_demo", verbosity=0)
    count = AuditEvent.objects.count()
    call_command("seed_demo", verbosity=0)
    assert AuditEvent.objects.count() == count
    client.force_login(User.objects.get(email="patient@demo.example"))
    views = client.get(reverse("my_record_views")).context["views"]
    assert {v.who for v in views} >= {"Dr. Priya Raman", "Jamie Reyes", "Alex Morgan"}
