"""A patient at a glance (site, side, phase, days in care) for the caseload and the patient page."""

from django import template

from rehab.glance import glance_of

register = template.Library()


@register.filter
def glance(patient):
    """The patient's glance; annotate lists with `rehab.glance.with_glance` first."""
    return glance_of(patient)


@register.inclusion_tag("rehab/includes/glance.html")
def patient_glance(patient, clinical: bool):
    """The glance as a short line; the site and side only for clinic staff (`clinical`)."""
    return {"g": glance_of(patient), "clinical": clinical}
