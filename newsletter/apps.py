from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Nieuwsbrief"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the Anymail receiver)
