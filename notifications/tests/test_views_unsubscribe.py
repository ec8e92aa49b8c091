"""One-click unsubscribe: works signed out, confirms, offers undo, and accepts RFC 8058 POSTs."""

from django.test import Client
from django.urls import reverse

from clinic.models import AuditEvent
from notifications.models import ReminderPreference
from notifications.unsubscribe import token_for, token_for_link


def opted_out(patient) -> bool:
    preference = ReminderPreference.objects.filter(patient=patient).first()
    return preference is not None and preference.opted_out_at is not None


def test_opening_the_link_asks_first_and_changes_nothing(client, pat):
    page = client.get(reverse("unsubscribe", args=[token_for(pat)])).content.decode()
    assert "Stop reminders from Alder Sports PT?" in page
    assert not opted_out(pat)


def test_confirming_unsubscribes_without_signing_in_and_offers_undo(client, pat):
    url = reverse("unsubscribe", args=[token_for(pat)])
    page = client.post(url).content.decode()
    assert "You are unsubscribed" in page
    assert "Undo" in page
    assert opted_out(pat)
    assert AuditEvent.objects.filter(action="notifications.unsubscribe", patient=pat).exists()
    page = client.post(reverse("unsubscribe_undo", args=[token_for(pat)])).content.decode()
    assert "Reminders are back on" in page
    assert not opted_out(pat)


def test_a_mail_providers_one_click_post_needs_no_csrf_token(pat):
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        reverse("unsubscribe", args=[token_for(pat)]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert opted_out(pat)


def test_a_forged_or_damaged_link_does_nothing(client, pat, pia):
    token = token_for(pat)
    for bad in (token[:-2] + "xx", token_for(pia).split(":")[0] + ":" + token.split(":")[1], "x"):
        response = client.post(reverse("unsubscribe", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert not opted_out(pat) and not opted_out(pia)


def test_the_token_reveals_no_name_or_address(pat):
    token = token_for(pat)
    assert "pat" not in token.lower() and "@" not in token


def test_a_runners_questionnaire_link_has_its_own_unsubscribe_page(client, clinic_a):
    from intake.tests.factories import IntakeLinkFactory
    from notifications.models import Delivery

    link = IntakeLinkFactory(clinic=clinic_a)
    url = reverse("unsubscribe", args=[token_for_link(link)])
    page = client.get(url).content.decode()
    assert "No reminder about your questionnaire?" in page
    assert not Delivery.objects.exists()
    page = client.post(url).content.decode()
    assert "You are unsubscribed" in page and "no reminder about your questionnaire" in page
    assert Delivery.objects.get().reason == "unsubscribed"
    event = AuditEvent.objects.get(action="notifications.unsubscribe")
    assert (event.clinic, event.object_id) == (clinic_a, str(link.pk))
    page = client.post(reverse("unsubscribe_undo", args=[token_for_link(link)])).content.decode()
    assert "Reminders are back on" in page
    assert Delivery.objects.get().status == "queued"


def test_a_link_token_is_not_a_patient_token(client, pat):
    from notifications.unsubscribe import link_for, patient_for

    assert link_for(token_for(pat)) is None
    forged = token_for(pat).replace(pat.pk.hex, "link-" + pat.pk.hex)
    assert patient_for(forged) is None and link_for(forged) is None
