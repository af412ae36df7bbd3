"""The default synonym and acronym groups (search/data/synonyms_nl.txt) on every
installation, not only the demo's: the groups missing are added, none is changed. A
later change to the defaults comes with a migration of its own, so that a group staff
deleted on purpose does not come back with every deploy."""

from django.db import migrations


def add_default_groups(apps, schema_editor):
    from search.query import default_synonyms

    SynonymGroup = apps.get_model("search", "SynonymGroup")
    for terms, note in default_synonyms():
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [("search", "0004_index_titles_for_navigational_queries")]

    operations = [migrations.RunPython(add_default_groups, migrations.RunPython.noop)]
