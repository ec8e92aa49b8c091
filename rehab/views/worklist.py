"""The clinician's worklist: the day starts from what waits for them."""

from django.shortcuts import render
from django.utils import timezone

from clinic import access
from rehab import worklist as blocks


@access.staff_only
def worklist(request):
    """Red-flag intakes, open alerts by severity, approvals, today's visits, silent runners and,
    for whoever keeps the clinic's inbox, the unowned patients: each with a link to act."""
    ws = access.workspace(request)
    return render(
        request,
        "rehab/worklist.html",
        {
            "blocks": blocks.worklist(request),
            "today": timezone.localdate(),
            "can_take": "therapist" in ws.roles,
            "severity_labels": blocks.SEVERITY_LABELS,
        },
    )
