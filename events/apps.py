from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Trainingen & bijeenkomsten"

    def ready(self):
        from wagtail.signals import page_published

        from .models import EventPage

        page_published.connect(_event_published, sender=EventPage)


def _event_published(sender, instance, **kwargs):
    from . import services

    # Calendars and the waiting list follow every publish: a new time or place
    # raises SEQUENCE and tells registrants; more capacity offers seats in order.
    services.event_published(event=instance)
