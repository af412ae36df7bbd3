"""The events app in the Wagtail admin: a menu item and per-event staff views."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import admin_views
from .models import EventPage

admin_urls = [
    path("", admin_views.event_index, name="index"),
    path("<id:event_id>/", admin_views.event_registrations, name="registrations"),
    path("<id:event_id>/aanwezigheid/", admin_views.event_attendance, name="attendance"),
    path("<id:event_id>/bericht/", admin_views.event_message, name="message"),
    path("<id:event_id>/annuleren/", admin_views.event_cancel, name="cancel"),
    path(
        "<id:event_id>/export/<slug:kind>.<str:fmt>",
        admin_views.event_export,
        name="export",
    ),
    path(
        "aanmelding/<id:registration_id>/annuleren/",
        admin_views.registration_cancel,
        name="registration_cancel",
    ),
]


@hooks.register("register_admin_urls")
def register_events_admin_urls():
    return [path("bijeenkomsten/", include((admin_urls, "events_admin")))]


class RegistrationsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("events.view_registration")


@hooks.register("register_admin_menu_item")
def register_registrations_menu_item():
    return RegistrationsMenuItem(
        _("Registrations"), reverse("events_admin:index"), icon_name="date", order=250
    )


def _registrations_button(page, user, priority):
    if isinstance(page.specific_deferred, EventPage) and user.has_perm("events.view_registration"):
        yield Button(
            _("Registrations"),
            reverse("events_admin:registrations", args=[page.pk]),
            icon_name="group",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def event_header_buttons(page, user, view_name=None, next_url=None):
    yield from _registrations_button(page, user, priority=12)


@hooks.register("register_page_listing_more_buttons")
def event_listing_buttons(page, user, next_url=None):
    yield from _registrations_button(page, user, priority=5)


@hooks.register("knowledge_theme_page_sections")
def upcoming_events_of_theme(theme, request):
    """A theme page shows the upcoming trainings and events of its theme."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from knowledge.selectors import ThemeSection

    from .models import AgendaPage
    from .selectors import upcoming_events

    events = list(upcoming_events(start=timezone.now(), theme=theme)[:5])
    agenda = AgendaPage.objects.live().first()
    if not events:
        return None
    return ThemeSection(
        title=_("Upcoming trainings and events"),
        items=[
            {
                "title": event.title,
                "url": event.url,
                "meta": date_format(timezone.localtime(event.starts_at), "j F Y"),
            }
            for event in events
        ],
        more_url=f"{agenda.url}?thema={theme.slug}" if agenda else "",
    )
