"""Compare every patient's stored signals (open alerts, last log date) with a fresh count and
store the fresh ones where they differ, e.g. after rows were edited in bulk or by hand.

Every write keeps them in its own transaction, so a run should find none; `--check` only reports
(and fails when it finds any), for a nightly check or after a deploy.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from rehab import services


class Command(BaseCommand):
    help = "Recount the open alerts and last log date stored on each patient; fix any that drifted."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="only this clinic (its slug)")
        parser.add_argument("--check", action="store_true", help="report only; fail if any drifted")

    def handle(self, *args, clinic=None, check=False, **options):
        clinic_id = None
        if clinic:
            clinic_id = Clinic.objects.filter(slug=clinic).values_list("pk", flat=True).first()
            if clinic_id is None:
                raise CommandError(f"No clinic {clinic!r}.")
        stale = services.patient_signals_repair(clinic_id=clinic_id, fix=not check)
        said = f"{len(stale)} patient{'s' if len(stale) != 1 else ''}"
        if check and stale:
            raise CommandError(f"{said} with stored signals that differ from a fresh count.")
        if not check:
            self.stdout.write(f"Recounted: {said} had drifted; fixed.")
