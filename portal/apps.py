from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import cache, retention  # noqa: F401  retention registers its system check

        cache.connect_signals()
