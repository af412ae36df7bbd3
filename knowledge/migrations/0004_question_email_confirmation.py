from django.db import migrations, models
from django.db.models import F


def confirm_existing_questions(apps, schema_editor):
    # Questions asked before addresses were confirmed have already been forwarded
    # to the experts: they count as confirmed, so nothing is sent again.
    ExpertQuestion = apps.get_model("knowledge", "ExpertQuestion")
    ExpertQuestion.objects.filter(email_confirmed_at__isnull=True).update(
        email_confirmed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_question_mail_tracking"),
    ]

    operations = [
        migrations.AddField(
            model_name="expertquestion",
            name="confirmation_sent_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="confirmation request sent at"
            ),
        ),
        migrations.AddField(
            model_name="expertquestion",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True, db_index=True, null=True, verbose_name="e-mail address confirmed at"
            ),
        ),
        migrations.RunPython(confirm_existing_questions, migrations.RunPython.noop),
    ]
