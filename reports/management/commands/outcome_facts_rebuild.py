"""Recompute every patient's outcome facts, the rows the outcome dashboard groups.

The writes keep the rows up to date as they happen; run this after loading data in bulk (the
benchmark's builder does), after restoring a backup, or when the definitions in
`reports.measures` change. Safe to run at any time and as often as you like: each batch of
patients is recomputed and written in its own transaction.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.models import Clinic
from reports.outcome_facts import outcome_facts_rebuild


class Command(BaseCommand):
    help = "Recompute the outcome facts of every patient (or of one clinic's, --clinic SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", default="", help="a clinic's slug (all clinics without it)")

    def handle(self, *args, clinic: str, **options):
        clinic_id = None
        if clinic:
            found = Clinic.objects.filter(slug=clinic).first()
            if found is None:
                raise CommandError(f"No clinic with the slug {clinic!r}.")
            clinic_id = found.pk
        written = outcome_facts_rebuild(clinic_id=clinic_id)
        self.stdout.write(f"Outcome facts of {written} patient{'s' if written != 1 else ''}.")
