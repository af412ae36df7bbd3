from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self):
        from . import account_audit, signals  # noqa: F401 - connect the audit receivers
