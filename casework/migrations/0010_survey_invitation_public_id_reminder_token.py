import uuid

from django.db import migrations, models

import casework.models


def fill_public_ids(apps, schema_editor):
    SurveyInvitation = apps.get_model("casework", "SurveyInvitation")
    for invitation in SurveyInvitation.objects.filter(public_id__isnull=True):
        invitation.public_id = uuid.uuid4()
        invitation.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_roles_reports"),
    ]

    operations = [
        # Added nullable, filled per row, then made unique: a callable default is
        # evaluated once for all existing rows.
        migrations.AddField(
            model_name="surveyinvitation",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="surveyinvitation",
            name="public_id",
            field=models.UUIDField(
                default=casework.models._new_public_id, editable=False, unique=True
            ),
        ),
        migrations.AddField(
            model_name="surveyinvitation",
            name="reminder_token_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
    ]
