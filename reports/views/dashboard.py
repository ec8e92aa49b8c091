"""The clinic admin's outcome dashboard."""

from django.shortcuts import render

from clinic import access
from reports import outcome_measures, outcomes


@access.admin_only
def outcome_dashboard(request):
    clinic = access.workspace(request).clinic
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": outcomes.dashboard(clinic),
            "measures": outcome_measures.median_changes(clinic),  # a section of its own, 1 query
        },
    )
