"""Audit rows are append-only in the database itself, not only in the app (PostgreSQL).

A trigger refuses any UPDATE or DELETE of clinic_auditevent, whoever sends it (a bug, a shell, a
migration). TRUNCATE is left alone: the test database is emptied that way between tests, and it
needs the table owner, which the app does not use. SQLite (local development) gets no trigger.
AuditEvent's foreign keys are PROTECT, so deleting a patient, person or clinic with audit rows
was already refused before the trigger is reached.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION rebound_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % of clinic_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_append_only ON clinic_auditevent;
CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION rebound_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON clinic_auditevent;
DROP FUNCTION IF EXISTS rebound_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL has a literal %


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("clinic", "0002_security_hardening"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
