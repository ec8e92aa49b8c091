"""Care-team collaboration: referral → reply → done, each role seeing only what it may."""

from django.urls import reverse

from clinic.models import CareTeamMember
from rehab import services
from rehab.models import CareTask, CareTaskStatus, patient_today
from rehab.tests.factories import active_plan, care_task_for_coach


def referral(pat, alice, nia):
    return services.care_task_create(
        patient=pat,
        by=alice,
        kind="nutritionist_referral",
        role="nutritionist",
        title="Energy availability review",
        shared_with="nutritionist",
        assignee=nia,
    )


def test_a_referral_is_replied_to_and_marked_done(client, alice, pat, nutri_nia):
    CareTeamMember.objects.create(patient=pat, user=nutri_nia, role="nutritionist")
    task = referral(pat, alice, nutri_nia)
    client.force_login(nutri_nia)
    assert "Energy availability review" in client.get(reverse("care_task_inbox")).content.decode()
    client.post(
        reverse("care_task_reply", args=[pat.pk, task.pk]),
        {"text": "Seen her: eating enough now."},
    )
    task.refresh_from_db()
    assert task.status == CareTaskStatus.REPLIED
    client.force_login(alice)
    page = client.get(reverse("care_task_detail", args=[pat.pk, task.pk])).content.decode()
    assert "Seen her: eating enough now." in page
    client.post(reverse("care_task_done", args=[pat.pk, task.pk]))
    task.refresh_from_db()
    assert task.status == CareTaskStatus.DONE and task.done_by == alice


def test_the_coach_sees_only_tasks_shared_with_coaches(client, alice, pat, coach_cole, nutri_nia):
    shared = care_task_for_coach(pat, by=alice, coach=coach_cole)
    private = services.care_task_create(
        patient=pat, by=alice, kind="footwear_check", role="therapist", title="Footwear check"
    )
    nutrition = referral(pat, alice, nutri_nia)
    client.force_login(coach_cole)
    page = client.get(reverse("care_tasks", args=[pat.pk])).content.decode()
    assert "Load planning hand-off" in page
    assert "Footwear check" not in page and "Energy availability" not in page
    for task in (private, nutrition):
        url = reverse("care_task_detail", args=[pat.pk, task.pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("care_task_detail", args=[pat.pk, shared.pk])).status_code == 200


def test_a_nutritionist_off_the_care_team_sees_nothing_of_the_patient(
    client, alice, pat, nutri_nia
):
    task = referral(pat, alice, nutri_nia)
    client.force_login(nutri_nia)
    assert client.get(reverse("care_tasks", args=[pat.pk])).status_code == 404
    assert client.get(reverse("care_task_detail", args=[pat.pk, task.pk])).status_code == 404
    assert "Energy availability" not in client.get(reverse("care_task_inbox")).content.decode()


def test_the_coach_writes_to_the_therapist(client, alice, pat, coach_cole):
    client.force_login(coach_cole)
    response = client.post(
        reverse("care_task_create", args=[pat.pk]),
        {"title": "Race in May?", "detail": "Pat asks about the 10k on 12 May."},
    )
    task = CareTask.objects.get(patient=pat)
    assert response.url == reverse("care_task_detail", args=[pat.pk, task.pk])
    assert (task.role, task.shared_with, task.assignee) == ("therapist", "coach", alice)
    client.force_login(alice)
    assert "Race in May?" in client.get(reverse("care_task_inbox")).content.decode()


def test_the_coach_reads_the_plan_but_cannot_change_it_or_see_the_intake(
    client, alice, pat, coach_cole
):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(coach_cole)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Rehab plan" in page and plan.step_label in page
    assert "Approve" not in page and "Intake" not in page
    detail = client.get(reverse("plan_detail", args=[pat.pk, plan.pk])).content.decode()
    assert "End the plan" not in detail
    assert client.post(reverse("plan_end", args=[pat.pk, plan.pk])).status_code == 404


def test_the_patient_does_not_see_the_teams_threads(client, alice, pat, coach_cole):
    task = care_task_for_coach(pat, by=alice, coach=coach_cole)
    client.force_login(pat.user)
    response = client.get(reverse("care_task_detail", args=[pat.pk, task.pk]))
    assert response.url == reverse("patient_home")
    assert "Load planning" not in client.get(reverse("patient_home")).content.decode()


def test_other_clinics_get_404(client, alice, bob, pat, coach_cole):
    task = care_task_for_coach(pat, by=alice, coach=coach_cole)
    client.force_login(bob)
    assert client.get(reverse("care_task_detail", args=[pat.pk, task.pk])).status_code == 404
    assert client.post(reverse("care_task_done", args=[pat.pk, task.pk])).status_code == 404
