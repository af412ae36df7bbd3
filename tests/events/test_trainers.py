"""Trainers are expert profiles from the knowledge app; free text stays for external trainers."""

import importlib

from django.apps import apps

import pytest

from events.models import EventPage
from knowledge.models import Expert

from .factories import create_event

pytestmark = pytest.mark.django_db


def expert(name, **fields):
    slug = name.lower().replace(" ", "-")
    return Expert.objects.create(name=name, slug=slug, job_title="Procesregisseur", **fields)


def test_the_event_page_links_each_trainer_to_their_expert_profile(client, agenda):
    marieke = expert("Marieke Voorbeeld", organisation="ZVH")
    event = create_event(agenda, trainers="Jan Extern (Bureau Voorbeeld)")
    event.trainer_experts.set([marieke])
    event.save_revision().publish()

    html = client.get(event.url).content.decode()

    assert '<a href="/expertise/experts/marieke-voorbeeld/">Marieke Voorbeeld</a>' in html
    assert "Procesregisseur, ZVH" in html
    assert "Jan Extern (Bureau Voorbeeld)" in html


def test_an_inactive_expert_is_named_without_a_link_to_the_hidden_profile(client, agenda):
    former = expert("Oud Trainer", active=False)
    event = create_event(agenda)
    event.trainer_experts.set([former])
    event.save_revision().publish()

    html = client.get(event.url).content.decode()

    assert "Oud Trainer" in html
    assert "/expertise/experts/oud-trainer/" not in html


def test_the_migration_links_names_that_are_experts_and_keeps_the_rest_as_text(bare_agenda):
    marieke = expert("Marieke Voorbeeld")
    liesbeth = expert("Liesbeth Voorbeeld")
    event = create_event(
        bare_agenda, trainers="marieke voorbeeld en Liesbeth Voorbeeld, Jan Extern (Bureau X)"
    )
    untouched = create_event(bare_agenda, trainers="Twee ervaren procesregisseurs")
    migration = importlib.import_module("events.migrations.0002_event_trainer_experts")

    migration.link_named_experts(apps, None)

    event = EventPage.objects.get(pk=event.pk)
    assert event.trainers == "Jan Extern (Bureau X)"
    assert set(event.trainer_experts.all()) == {marieke, liesbeth}
    # The editor's next publish starts from the latest revision: it has the change too.
    draft = event.get_latest_revision_as_object()
    assert draft.trainers == "Jan Extern (Bureau X)"
    assert set(draft.trainer_experts.all()) == {marieke, liesbeth}
    assert EventPage.objects.get(pk=untouched.pk).trainers == "Twee ervaren procesregisseurs"
