from django.core.management.base import BaseCommand

from clinic import demo


class Command(BaseCommand):
    help = "Create or refresh the demo clinics, people and patients (safe to run again)."

    def handle(self, *args, **options):
        counts = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready: {clinics} clinics, {staff} staff, {patients} patients.".format(
                    **counts
                )
            )
        )
