"""Evaluate the alert rules for every active patient: what the nightly job runs.

Safe to run twice: alerts are unique per patient and rule anchor, so a second run raises nothing.
"""

from django.core.management.base import BaseCommand

from rehab import services


class Command(BaseCommand):
    help = "Raise the alerts that every active patient's logs call for, as of their own today."

    def handle(self, *args, **options):
        raised = services.alerts_evaluate_all()
        self.stdout.write(f"Raised {raised} new alert{'s' if raised != 1 else ''}.")
