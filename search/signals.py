"""Keep the index in sync: publish, unpublish, delete, move and privacy changes of
pages, experts saved or deleted, and newsletter issues once they are sent."""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services


def on_publish_or_unpublish(sender, instance, **kwargs):
    services.search_schedule_page(page_id=instance.pk)


def on_move(sender, instance, **kwargs):
    # The URL of the page and its subtree changed; a move under a private page hides it.
    services.search_schedule_page(page_id=instance.pk)


def on_page_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        services.search_schedule_removal(page_ids=[instance.pk])


def on_restriction_change(sender, instance, **kwargs):
    services.search_schedule_page(page_id=instance.page_id)


def on_expert_change(sender, instance, **kwargs):
    # Saved (perhaps made inactive) or deleted: the task indexes or removes it. The
    # admin saves the expert's themes in the same transaction, before the task runs.
    services.search_schedule_expert(expert_id=instance.pk)
    if "created" in kwargs:  # post_save; on delete, on_expert_delete ran before
        _schedule_trainings_of(instance)


def on_expert_delete(sender, instance, **kwargs):
    # Before the delete: afterwards the expert's trainings are no longer linked.
    _schedule_trainings_of(instance)


def _schedule_trainings_of(expert) -> None:
    # An event's document holds its trainers' names (EventPage.search_document).
    for page_id in expert.events.values_list("pk", flat=True):
        services.search_schedule_page(page_id=page_id)


def on_sending_saved(sender, instance, **kwargs):
    # An issue enters the public archive, and the index, when its sending starts
    # (the sending service then stamps the issue's ``sent_at``, in this transaction).
    if instance.issue_id:
        services.search_schedule_page(page_id=instance.issue_id)


def on_synonyms_change(sender, instance, **kwargs):
    services.lexicon_invalidate()


def on_theme_change(sender, instance, **kwargs):
    # Theme names are cached with the lexicon for the facet labels.
    services.lexicon_invalidate()


def connect() -> None:
    from .models import SynonymGroup

    page_published.connect(on_publish_or_unpublish, dispatch_uid="search_published")
    page_unpublished.connect(on_publish_or_unpublish, dispatch_uid="search_unpublished")
    post_page_move.connect(on_move, dispatch_uid="search_moved")
    # pre_delete: Wagtail deletes a subtree bottom-up; every page sends its own signal.
    pre_delete.connect(on_page_delete, dispatch_uid="search_page_deleted")
    post_save.connect(
        on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_vr_saved"
    )
    post_delete.connect(
        on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_vr_deleted"
    )
    post_save.connect(on_synonyms_change, sender=SynonymGroup, dispatch_uid="search_syn_saved")
    post_delete.connect(on_synonyms_change, sender=SynonymGroup, dispatch_uid="search_syn_deleted")
    # A lazy sender: search reads themes only through knowledge.selectors.
    post_save.connect(on_theme_change, sender="knowledge.Theme", dispatch_uid="search_theme_saved")
    post_delete.connect(
        on_theme_change, sender="knowledge.Theme", dispatch_uid="search_theme_deleted"
    )
    post_save.connect(
        on_expert_change, sender="knowledge.Expert", dispatch_uid="search_expert_saved"
    )
    post_delete.connect(
        on_expert_change, sender="knowledge.Expert", dispatch_uid="search_expert_deleted"
    )
    pre_delete.connect(
        on_expert_delete, sender="knowledge.Expert", dispatch_uid="search_expert_deleting"
    )
    post_save.connect(
        on_sending_saved, sender="newsletter.Sending", dispatch_uid="search_sending_saved"
    )
