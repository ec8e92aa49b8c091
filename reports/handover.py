"""What makes a progress report a handover document, beside the report itself
(`reports.progress_report`): the clinic's name and logo, the clinician's summary, and the
standard outcome measures (LEFS, UWRI: `rehab.measures`).

Kept apart from `progress_report` so the figures (milestones, outcomes, alerts) and the
handover's paper (who, from where, what the clinician says) change independently.
"""

import dataclasses

from django.db import IntegrityError, transaction

from clinic import logos
from clinic.models import Patient, User
from rehab.measures.queries import Panel, measures_panel
from reports.models import ReportSummary


@dataclasses.dataclass(frozen=True)
class Handover:
    clinic_name: str
    logo_png: bytes | None
    summary: ReportSummary | None  # the latest version, if one was ever written
    earlier_versions: list[ReportSummary]
    measures: Panel

    @property
    def summary_text(self) -> str:
        return self.summary.text if self.summary else ""


SUMMARY_VERSIONS_SHOWN = 10  # the latest and the nine before it, on the report page


def handover_for(patient: Patient, *, with_logo: bool = True) -> Handover:
    """The handover parts of `patient`'s report, in two queries (summaries, measures)."""
    versions = list(
        ReportSummary.objects.filter(patient=patient)
        .select_related("author")
        .order_by("-number")[:SUMMARY_VERSIONS_SHOWN]
    )
    return Handover(
        clinic_name=patient.clinic.name,
        logo_png=logos.logo_bytes(patient.clinic) if with_logo else None,
        summary=versions[0] if versions else None,
        earlier_versions=versions[1:],
        measures=measures_panel(patient),
    )


def report_summary_save(*, patient: Patient, text: str, author: User) -> ReportSummary | None:
    """Add a version of the summary; None when `text` is what the latest version says already
    (a form sent twice adds nothing). Versions are numbered under a lock on the patient."""
    text = text.strip()
    with transaction.atomic():
        list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk"))
        latest = ReportSummary.objects.filter(patient=patient).order_by("-number").first()
        if (latest.text if latest else "") == text:
            return None
        try:
            with transaction.atomic():
                return ReportSummary.objects.create(
                    patient=patient,
                    number=(latest.number if latest else 0) + 1,
                    text=text,
                    author=author,
                )
        except IntegrityError:  # a save racing this one took the number: theirs stands
            return None
