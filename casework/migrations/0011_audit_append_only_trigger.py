"""The audit log refuses UPDATE and DELETE in the database itself (PostgreSQL).

The model already refuses both, and the hash chain detects changes made around
it; this trigger also stops raw SQL and other programs using the application's
database account. TRUNCATE is not covered: Django's test flush uses it, and the
production write-only role (docs/security-casework.md) has no TRUNCATE right.
SQLite (the embedded demo) gets no trigger; the chain still detects tampering.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION casework_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'casework_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS casework_auditentry_append_only ON casework_auditentry;
CREATE TRIGGER casework_auditentry_append_only
    BEFORE UPDATE OR DELETE ON casework_auditentry
    FOR EACH ROW EXECUTE FUNCTION casework_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS casework_auditentry_append_only ON casework_auditentry;
DROP FUNCTION IF EXISTS casework_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0010_survey_invitation_public_id_reminder_token")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
