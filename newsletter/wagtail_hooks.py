from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import NewsletterIndexPage, NewsletterIssuePage, Subscriber


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "mail"
    menu_label = _("Subscribers")
    add_to_admin_menu = True
    list_display = ["email", "status", "frequency", "confirmed_at"]
    list_filter = ["status", "frequency"]
    search_fields = ["email", "name", "organisation"]
    # Filter in the database: addresses never go into a search index.
    search_backend_name = None


register_snippet(SubscriberViewSet)


@hooks.register("register_snippet_listing_buttons")
def subscriber_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Subscriber):
        yield Button(
            _("Consent proof (JSON)"),
            reverse("newsletter_admin:proof", args=[snippet.pk]),
            icon_name="download",
            priority=20,
        )
        if snippet.status in {"active", "pending"}:
            yield Button(
                _("Unsubscribe"),
                reverse("newsletter_admin:unsubscribe", args=[snippet.pk]),
                icon_name="cross",
                priority=30,
            )


admin_urls = [
    path("uitgave/<id:page_id>/", admin_views.issue_dashboard, name="issue"),
    path("uitgave/<id:page_id>/voortgang/", admin_views.issue_progress, name="progress"),
    path("uitgave/<id:page_id>/pauzeren/", admin_views.issue_pause, name="pause"),
    path("uitgave/<id:page_id>/hervatten/", admin_views.issue_resume, name="resume"),
    path("nieuw/<id:index_id>/", admin_views.issue_new_prefilled, name="new_issue"),
    path("abonnee/<id:pk>/bewijs/", admin_views.subscriber_proof, name="proof"),
    path("abonnee/<id:pk>/afmelden/", admin_views.subscriber_staff_unsubscribe, name="unsubscribe"),
    path("import/", admin_views.subscriber_import, name="import"),
]


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return [path("nieuwsbrief/", include((admin_urls, "newsletter_admin")))]


class ImportMenuItem(MenuItem):
    # Shown only to those the import view lets in (e.g. not to the manager, who
    # reaches the admin for the annual report).
    def is_shown(self, request):
        return request.user.has_perm("newsletter.add_subscriber")


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return ImportMenuItem(
        _("Import subscribers"), reverse("newsletter_admin:import"), icon_name="upload", order=610
    )


def _buttons(page):
    if page.specific_class is NewsletterIssuePage:
        yield Button(
            _("Sending and statistics"),
            reverse("newsletter_admin:issue", args=[page.pk]),
            icon_name="mail",
            priority=5,
        )


@hooks.register("register_page_header_buttons")
def issue_header_buttons(page, user, view_name, next_url=None):
    yield from _buttons(page)


@hooks.register("register_page_listing_more_buttons")
def issue_listing_buttons(page, user, next_url=None):
    yield from _buttons(page)


@hooks.register("register_page_header_buttons")
def index_header_buttons(page, user, view_name, next_url=None):
    if page.specific_class is NewsletterIndexPage:
        yield Button(
            _("New issue pre-filled since the last issue"),
            reverse("newsletter_admin:new_issue", args=[page.pk]),
            icon_name="plus",
            priority=6,
        )
