"""The follow-up visits panel of the clinic's patient page: upcoming and past visits, their
actions, and the booking form. Clinic staff only; it checks access again with the request."""

from django import template
from django.utils import timezone

from clinic import access
from clinic.access import Perm
from rehab.models import Visit
from rehab.visit_forms import VisitForm

register = template.Library()

PAST_SHOWN = 5


@register.inclusion_tag("rehab/includes/visit_panel.html", takes_context=True)
def patient_visits_panel(context, patient):
    request = context["request"]
    if not access.can(request, Perm.EDIT, patient):
        return {"allowed": False}
    now = timezone.now()
    visits = Visit.objects.filter(patient=patient).select_related("therapist", "closed_by")
    # Booked visits stay "to come" until someone marks them: a missed one must not vanish.
    upcoming = list(visits.filter(status="booked").order_by("starts_at", "id"))
    past = list(visits.exclude(status="booked").order_by("-starts_at", "-id")[:PAST_SHOWN])
    for visit in (*upcoming, *past):
        visit.patient = patient  # its local time reads the patient's zone, without a query
    initial = {"therapist": patient.therapist_id or request.user.pk}
    return {
        "allowed": True,
        "patient": patient,
        "upcoming": upcoming,
        "past": past,
        "now": now,
        "form": VisitForm(patient=patient, initial=initial),
        "csrf_token": context.get("csrf_token"),
    }
