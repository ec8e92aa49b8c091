"""The clinic admin's page for the scoring rule set's *policy* defaults."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from clinic import access, audit
from intake.forms import ScoringPolicyForm
from intake.models import ClinicScoringPolicy


@access.admin_only
def scoring_policy(request):
    clinic = access.workspace(request).clinic
    row, _ = ClinicScoringPolicy.objects.get_or_create(clinic=clinic)
    form = ScoringPolicyForm(request.POST or None, current=row.values)
    if request.method == "POST" and form.is_valid():
        before, after = dict(row.values), form.overrides()
        with transaction.atomic():
            row.values, row.updated_by = after, request.user
            row.save()
            audit.record(
                request,
                "policy.scoring.update",
                obj=row,
                detail={"before": before, "after": after},
            )
        messages.success(request, "The scoring policy was saved. New intakes use it from now on.")
        return redirect("scoring_policy")
    return render(request, "intake/policy.html", {"form": form, "row": row})
