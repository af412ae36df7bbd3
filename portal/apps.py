from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # retention registers its system check; ids the <id:...> path converter (URLconfs)
        from . import cache, ids, retention  # noqa: F401

        cache.connect_signals()
