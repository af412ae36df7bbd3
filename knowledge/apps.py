from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Kennis & expertise"

    def ready(self) -> None:
        from . import signals

        signals.connect()
