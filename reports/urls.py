"""URLs of reports, exports and the audit trail; every view is wrapped by clinic.access."""

from django.urls import path

from reports.views import audit, dashboard, exports, my_data, report

urlpatterns = [
    path("clinic/reports/", dashboard.outcome_dashboard, name="outcome_dashboard"),
    path("clinic/exports/", exports.export_page, name="export_page"),
    path("clinic/exports/cohort.csv", exports.export_csv, name="export_csv"),
    path("clinic/exports/measures.csv", exports.export_measures_csv, name="export_measures_csv"),
    path("clinic/exports/jobs/", exports.export_job_create, name="export_job_create"),
    path(
        "clinic/exports/jobs/<uuid:job_id>/status/",
        exports.export_job_status,
        name="export_job_status",
    ),
    path(
        "clinic/exports/jobs/<uuid:job_id>/download/",
        exports.export_job_download,
        name="export_job_download",
    ),
    path("clinic/audit/", audit.audit_log, name="audit_log"),
    path("clinic/audit/export.csv", audit.audit_log_export, name="audit_log_export"),
    path("patients/<uuid:patient_id>/report/", report.report_page, name="progress_report"),
    path("patients/<uuid:patient_id>/report.pdf", report.report_pdf, name="progress_report_pdf"),
    path(
        "patients/<uuid:patient_id>/report/summary/",
        report.report_summary,
        name="progress_report_summary",
    ),
    path("me/record-views/", audit.my_record_views, name="my_record_views"),
    path("me/my-data.zip", my_data.my_data_download, name="my_data_download"),
]
