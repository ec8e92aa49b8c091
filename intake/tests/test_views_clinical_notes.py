"""Clinical notes in the SOAP layout: clinic staff only, every read and write audited, edits kept
as versions (issue 12 §5)."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests.factories import CareTeamMemberFactory
from intake import services
from intake.models import ClinicalNote, ClinicalNoteVersion
from rehab.models import patient_today
from rehab.tests.factories import active_plan

SECRET = "Suspect disordered eating; discuss with GP"


@pytest.fixture
def note(pat, alice):
    return services.clinical_note_add(
        patient=pat,
        author=alice,
        sections={"subjective": "Pain 3/10 on stairs", "assessment": SECRET, "plan": "Review"},
    )


def test_a_therapist_writes_a_soap_note_on_the_patients_page(client, alice, pat):
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Clinical notes" in page and 'name="subjective"' in page
    response = client.post(
        reverse("clinical_note_create", args=[pat.pk]),
        {"subjective": "Hurts after 20 min", "objective": "Hop test positive", "plan": "MRI"},
        follow=True,
    )
    body = response.content.decode()
    assert "The note was saved." in body and "Hop test positive" in body
    note = ClinicalNote.objects.get(patient=pat)
    version = note.versions.get()
    assert (note.created_by, version.author, version.number) == (alice, alice, 1)
    assert AuditEvent.objects.filter(action="clinical_note.create", patient=pat).exists()
    # The patient's page lists it, audited as a read of clinical text.
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Hop test positive" in page
    read = AuditEvent.objects.filter(action="clinical_note.view", patient=pat).latest("pk")
    assert read.detail == {"page": "patient", "notes": [str(note.pk)]}


def test_an_empty_note_is_refused_beside_the_form(client, alice, pat):
    client.force_login(alice)
    response = client.post(reverse("clinical_note_create", args=[pat.pk]), {"subjective": "  "})
    assert response.status_code == 400
    assert "Write at least one section of the note." in response.content.decode()
    assert not ClinicalNote.objects.exists()


def test_a_null_character_is_refused_not_a_server_error(client, alice, pat):
    client.force_login(alice)
    response = client.post(reverse("clinical_note_create", args=[pat.pk]), {"plan": "a\x00b"})
    assert response.status_code == 400
    assert not ClinicalNote.objects.exists()


def test_an_edit_adds_a_version_and_keeps_the_earlier_text(client, alice, adam, pat, note):
    client.force_login(adam)
    edit = reverse("clinical_note_edit", args=[pat.pk, note.pk])
    assert SECRET in client.get(edit).content.decode()
    client.post(edit, {"subjective": "Pain 2/10 on stairs", "assessment": SECRET, "plan": "Review"})
    versions = list(note.versions.order_by("number"))
    assert [(v.number, v.author) for v in versions] == [(1, alice), (2, adam)]
    assert versions[0].subjective == "Pain 3/10 on stairs"  # never changed in place
    body = client.get(reverse("clinical_notes", args=[pat.pk])).content.decode()
    assert "Pain 2/10 on stairs" in body and "Earlier versions" in body
    assert "Pain 3/10 on stairs" in body  # the earlier version stays readable
    assert AuditEvent.objects.filter(
        action="clinical_note.revise", patient=pat, detail={"version": 2}
    ).exists()


def test_saving_an_unchanged_note_adds_no_version(client, alice, pat, note):
    client.force_login(alice)
    client.post(
        reverse("clinical_note_edit", args=[pat.pk, note.pk]),
        {"subjective": "Pain 3/10 on stairs", "assessment": SECRET, "plan": "Review"},
    )
    assert note.versions.count() == 1


def test_the_notes_page_is_audited_with_the_notes_it_shows(client, alice, pat, note):
    client.force_login(alice)
    client.get(reverse("clinical_notes", args=[pat.pk]))
    event = AuditEvent.objects.get(action="clinical_note.view", detail__page="notes")
    assert (event.actor, event.patient, event.detail["notes"]) == (alice, pat, [str(note.pk)])


def test_another_patients_note_cannot_be_edited_through_this_patient(client, alice, pia, note):
    client.force_login(alice)
    response = client.get(reverse("clinical_note_edit", args=[pia.pk, note.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["coach_cole", "nutri_nia"])
def test_the_care_team_never_sees_clinical_notes(client, request, alice, pat, note, who):
    member = request.getfixturevalue(who)
    if who == "nutri_nia":
        CareTeamMemberFactory(patient=pat, user=member, role="nutritionist")
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(member)
    for url in (
        reverse("patient_detail", args=[pat.pk]),
        reverse("plan_detail", args=[pat.pk, plan.pk]),
        reverse("care_team_home"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body and "Clinical notes" not in body, url
    for url in (
        reverse("clinical_notes", args=[pat.pk]),
        reverse("clinical_note_edit", args=[pat.pk, note.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("clinical_note_create", args=[pat.pk]), {"plan": "x"}).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="clinical_note.view", actor=member).exists()


def test_the_patient_never_sees_their_clinical_notes(client, pat, note):
    client.force_login(pat.user)
    for name in ("patient_home", "my_intake", "today"):
        assert SECRET not in client.get(reverse(name)).content.decode()
    assert client.get(reverse("clinical_notes", args=[pat.pk])).status_code == 404


def test_the_notes_page_queries_do_not_grow_with_notes(
    client, alice, pat, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("clinical_notes", args=[pat.pk])
    client.get(url)
    for n in range(30):
        note = services.clinical_note_add(patient=pat, author=alice, sections={"plan": f"n{n}"})
        services.clinical_note_revise(note=note, author=alice, sections={"plan": f"n{n}, later"})
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 20
    assert ClinicalNoteVersion.objects.count() == 60
