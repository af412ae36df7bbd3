"""Give the manager the Wagtail admin (annual report) and the prognosis permissions
(roles.ROLE_PERMISSIONS)."""

from django.db import migrations


def update_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    from casework.roles import ensure_roles

    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("casework", "0008_import_cases_permission"), ("wagtailadmin", "0001_create_admin_access_permissions")]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
