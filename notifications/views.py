"""Reminder preferences, in-app notifications, delivery history and failures, unsubscribing."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic import access, audit, submissions
from clinic.access import Perm
from clinic.models import Role
from notifications import services
from notifications import unsubscribe as unsubscribe_links
from notifications.forms import CareMessageForm, ReminderPreferencesForm
from notifications.models import Delivery, Notification, ReminderPreference

PAGE_SIZE = 25


# --- The patient's preferences -----------------------------------------------------------------


@access.for_roles(Role.PATIENT)
def reminder_preferences(request):
    patient = access.own_patient_record(request)
    preference = ReminderPreference.of(patient)
    data = request.POST if request.method == "POST" else None
    form = ReminderPreferencesForm(data, patient=patient, preference=preference)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            patient=patient,
            reminders_on=form.cleaned_data["reminders_on"],
            values=form.preference_values(),
        )
        messages.success(request, "Your reminder settings were saved.")
        return redirect("reminder_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "patient": patient, "preference": preference},
    )


# --- In-app notifications ----------------------------------------------------------------------


def visible_notifications(request):
    """The person's notifications about patients they may still see in the active clinic.

    Notifications are addressed to a person: the query starts from the recipient's own rows (an
    index) and checks each one's patient by its key. `patient__in=patients_visible(...)` made
    PostgreSQL hash the clinic's whole patient list on every staff page (the bell)."""
    visible = access.patients_visible(request).filter(pk=OuterRef("patient_id"))
    return (
        Notification.objects.filter(recipient=request.user)
        .shown()
        .filter(Q(patient__isnull=True) | Exists(visible))
    )


@access.signed_in
def notification_list(request):
    page = Paginator(
        visible_notifications(request).select_related("patient").order_by("-created_at", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    unread = visible_notifications(request).unread().count()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@access.signed_in
def notification_open(request, notification_id):
    """Mark the notification read and follow its link."""
    notification = visible_notifications(request).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    notification.mark_read()
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notification_list")


@require_POST
@access.signed_in
def notifications_read_all(request):
    visible_notifications(request).unread().update(read_at=timezone.now())
    messages.success(request, "All notifications are marked as read.")
    return redirect("notification_list")


# --- Staff: delivery history and failures ------------------------------------------------------


@access.with_patient(Perm.VIEW_CLINICAL)
def patient_deliveries(request, patient):
    audit.record(request, "patient.deliveries.view", patient=patient, obj=patient)
    page = Paginator(
        patient.deliveries.select_related("recipient").order_by("-due_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/patient_deliveries.html",
        {"patient": patient, "page": page, "preference": ReminderPreference.of(patient)},
    )


@access.admin_only
def delivery_failures(request):
    clinic = access.workspace(request).clinic
    failures = (
        Delivery.objects.for_clinic(clinic)
        .filter(status__in=services.RETRYABLE)
        .select_related("patient", "intake_link")
        .order_by("-due_at", "-id")
    )
    page = Paginator(failures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/failures.html", {"page": page})


@require_POST
@access.admin_only
def delivery_retry(request, delivery_id):
    delivery = access.clinic_object(request, Delivery.objects.all(), pk=delivery_id)
    services.delivery_retry(delivery=delivery)
    audit.record(request, "notifications.retry", patient=delivery.patient, obj=delivery)
    messages.success(request, "The message is queued to be sent again.")
    return redirect("delivery_failures")


@access.with_patient(Perm.VIEW_CLINICAL)
def care_message_create(request, patient):
    """Clinic staff write to the patient; it reaches them as a notice on their channels."""
    form = CareMessageForm(request.POST if request.method == "POST" else None)
    back = reverse("patient_detail", args=[patient.pk]) + "#reminders"
    if request.method == "POST" and (first := submissions.replayed(request, MESSAGE_SCOPE)):
        return submissions.Replayed(first).response(request, back)
    if request.method == "POST" and form.is_valid():
        try:
            with submissions.once(request, form.cleaned_data["submission"], MESSAGE_SCOPE) as claim:
                message, rows = services.care_message_send(
                    patient=patient, sender=request.user, text=form.cleaned_data["text"]
                )
                audit.record(request, "notifications.message", patient=patient, obj=message)
                said = _care_message_said(patient, rows)
                claim.answer(back, said)
        except submissions.Replayed as replay:
            return replay.response(request, back)
        if all(row.status == Delivery.Status.SKIPPED for row in rows):
            messages.warning(request, said)
        else:
            messages.success(request, said)
        return redirect(back)
    return render(request, "notifications/care_message.html", {"patient": patient, "form": form})


MESSAGE_SCOPE = "care-message"


def _care_message_said(patient, rows) -> str:
    if all(row.status == Delivery.Status.SKIPPED for row in rows):
        reasons = ", ".join(sorted({row.reason for row in rows}))
        return f"The message was kept, but {patient.first_name} will not be told: {reasons}."
    return f"Your message to {patient.first_name} is on its way."


# --- Unsubscribing, without signing in -------------------------------------------------------


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" here without a session or CSRF
# token. The signed token in the URL is the secret, so CSRF protection would add nothing.
@access.public
@csrf_exempt
def unsubscribe(request, token):
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST unsubscribes."""
    patient = unsubscribe_links.patient_for(token)
    if patient is None:
        return _link_unsubscribe(request, token)
    if request.method == "POST":
        services.reminders_unsubscribe(patient=patient)
        audit.record(request, "notifications.unsubscribe", patient=patient, obj=patient)
    return _unsubscribe_page(request, patient, token)


@require_POST
@access.public
def unsubscribe_undo(request, token):
    patient = unsubscribe_links.patient_for(token)
    if patient is None:
        return _link_unsubscribe(request, token, undo=True)
    services.reminders_resume(patient=patient)
    audit.record(request, "notifications.resume", patient=patient, obj=patient)
    return _unsubscribe_page(request, patient, token, resumed=True)


def _unsubscribe_page(request, patient, token, *, resumed=False):
    preference = ReminderPreference.of(patient)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "token": token,
            "unsubscribed": preference.opted_out_at is not None,
            "resumed": resumed,
            "consented": patient.reminder_consent,
        },
    )


def _link_unsubscribe(request, token, *, undo=False):
    """The same for a runner's questionnaire link: no reminder about it."""
    link = unsubscribe_links.link_for(token)
    if link is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if undo:
        services.intake_link_resume(link=link)
    elif request.method == "POST":
        services.intake_link_unsubscribe(link=link)
    if request.method == "POST":
        action = "notifications.resume" if undo else "notifications.unsubscribe"
        audit.record(request, action, patient=link.patient, obj=link, clinic=link.clinic)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "link": link,
            "clinic": link.clinic,
            "token": token,
            "unsubscribed": services.intake_link_unsubscribed(link),
            "resumed": undo,
            "consented": True,
        },
    )
