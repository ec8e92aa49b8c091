"""The outcome-measures panel of the clinic's patient page: one query, whoever looks.

A function score is progress, not clinical data (Perm.VIEW_PROGRESS): the LEFS and UWRI are the
runner's own report of what they can do and how their running is coming back, the same kind of
information as the pain and mileage the care team already sees, and the coach needs it to pace
the return to running. They hold no diagnosis, imaging or examination. Item-level answers are not
shown here; entering one in clinic is staff only (Perm.EDIT)."""

from django import template

from clinic import access
from clinic.access import Perm
from rehab.measures import queries
from rehab.measures.instruments import INSTRUMENTS

register = template.Library()


@register.inclusion_tag("rehab/measures/includes/panel.html", takes_context=True)
def patient_measures_panel(context, patient):
    request = context["request"]
    if not access.can(request, Perm.VIEW_PROGRESS, patient):
        return {"allowed": False}
    return {
        "allowed": True,
        "patient": patient,
        "panel": queries.measures_panel(patient),
        "can_enter": access.can(request, Perm.EDIT, patient),
        "instruments": list(INSTRUMENTS.values()),
    }
