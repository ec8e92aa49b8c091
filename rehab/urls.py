"""URLs of the rehab app; every view is wrapped by clinic.access."""

import datetime as dt

from django.urls import path, register_converter

from rehab.views import alerts, logbook, progress


class IsoDateConverter:
    """A calendar date as YYYY-MM-DD; anything that is not a real date does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else value


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    # The patient's own log and progress.
    path("me/log/", logbook.log_day, name="log_today"),
    path("me/log/<isodate:day>/", logbook.log_day, name="log_day"),
    path("me/log/<isodate:day>/delete/", logbook.log_delete, name="log_delete"),
    path("me/progress/", progress.my_progress, name="my_progress"),
    # The clinic's side.
    path("patients/<uuid:patient_id>/logs/", progress.patient_logs, name="patient_logs"),
    path(
        "patients/<uuid:patient_id>/alerts/<uuid:alert_id>/acknowledge/",
        alerts.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("clinic/alert-thresholds/", alerts.alert_policy, name="alert_policy"),
]
