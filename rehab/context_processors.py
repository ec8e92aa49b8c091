"""Page context: what waits for a clinician, as counts beside Triage, Alerts and Approvals."""

from django.utils.functional import SimpleLazyObject

from clinic.access import SecondFactor, second_factor, workspace
from rehab import worklist


def nav_counts(request):
    """The navigation's counts for clinic staff, in one query, and only when a page shows them
    (the object is lazy)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if second_factor(request) is not SecondFactor.DONE or not workspace(request).is_staff:
        return {}
    return {"nav_counts": SimpleLazyObject(lambda: worklist.nav_counts(request))}
