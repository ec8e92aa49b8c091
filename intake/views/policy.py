"""The clinic admin's page for the scoring rule set's *policy* defaults."""

from clinic import access
from clinic.views.common import edit_clinic_policy
from intake.forms import ScoringPolicyForm
from intake.models import ClinicScoringPolicy


@access.admin_only
def scoring_policy(request):
    return edit_clinic_policy(
        request,
        model=ClinicScoringPolicy,
        form_class=ScoringPolicyForm,
        field="values",
        action="policy.scoring.update",
        template="intake/policy.html",
        saved="The scoring policy was saved. New intakes use it from now on.",
    )
