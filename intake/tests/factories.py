import factory

from intake import services
from intake.models import Intake, IntakeLink


class IntakeLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeLink

    email = factory.Sequence(lambda n: f"runner{n}@example.com")
    full_name = "Robin Runner"


def submitted_intake(clinic, patient=None, answers=None, **fields) -> Intake:
    """An intake as if the runner had answered `answers` and sent them."""
    intake = Intake.objects.create(
        clinic=clinic, patient=patient, source=Intake.Source.VISIT, answers=answers or {}, **fields
    )
    return services.intake_submit(intake=intake)


FOCAL_ANTERIOR_SHIN = {
    "region": "shin_front",
    "side": "left",
    "pain_localized": "one_spot",
    "pain_on_impact": "yes",
    "point_tenderness": "yes",
    "pain_now": 4,
    "pain_worst": 7,
}
FEMORAL_NECK = {
    "region": "hip_groin",
    "pain_on_impact": "yes",
    "hip_internal_rotation_pain": "positive",
}
DIFFUSE_SHIN = {
    "region": "shin_inner",
    "pain_localized": "spread",
    "pain_on_impact": "no",
    "point_tenderness": "no",
    "change_distance": "yes",
}
