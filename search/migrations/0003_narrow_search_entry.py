"""Move what a search reads per matched row into a narrow table, SearchEntry.

The facet fields, the theme ids (as a list, so the theme facet needs no join) and,
on PostgreSQL, the tsvectors leave SearchDocument; a title-only tsvector is added
for suggestions. Existing index rows are carried over, so search keeps working
without a rebuild (docs/search.md, "100k documents").
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL: one INSERT … SELECT, tsvectors included (an UPDATE afterwards would
# leave a dead copy of every row behind).
CARRY_OVER_POSTGRESQL = """
INSERT INTO search_searchentry
    (document_id, kind, audience, date, year, theme_ids, search_vector, title_vector)
SELECT d.id, d.kind, d.audience, d.date, d.year,
    COALESCE((SELECT jsonb_agg(t.theme_id ORDER BY t.theme_id)
              FROM search_searchdocument_themes t WHERE t.searchdocument_id = d.id), '[]'),
    setweight(to_tsvector('simple', d.analysed_title), 'A')
        || setweight(to_tsvector('simple', d.analysed_body), 'B')
        || setweight(to_tsvector('simple', d.analysed_parts), 'C'),
    to_tsvector('simple', d.analysed_title)
FROM search_searchdocument d
"""


def carry_over(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CARRY_OVER_POSTGRESQL)
        return
    document = apps.get_model("search", "SearchDocument")
    entry = apps.get_model("search", "SearchEntry")
    themes: dict[int, list[int]] = {}
    for doc_id, theme_id in document.themes.through.objects.values_list(
        "searchdocument_id", "theme_id"
    ):
        themes.setdefault(doc_id, []).append(theme_id)
    rows = document.objects.values_list("id", "kind", "audience", "date", "year")
    entry.objects.bulk_create(
        [
            entry(
                document_id=pk,
                kind=kind,
                audience=audience,
                date=date,
                year=year,
                theme_ids=sorted(themes.get(pk, [])),
            )
            for pk, kind, audience, date, year in rows.iterator()
        ],
        batch_size=1000,
    )


def gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_vector_gin "
            "ON search_searchentry USING gin (search_vector)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_title_gin "
            "ON search_searchentry USING gin (title_vector)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_gin")


def drop_gin_indexes(apps, schema_editor):
    # Reversed after the document's columns are back: its index of 0002 returns too.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_title_gin")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_document_vector_gin "
            "ON search_searchdocument USING gin (search_vector)"
        )


def empty_index(apps, schema_editor):
    """Going back: the old columns cannot be re-added next to rows without values, so
    the index is emptied first; ``manage.py rebuild_search_index`` refills it."""
    if schema_editor.connection.vendor == "postgresql":
        # TRUNCATE fires no foreign-key triggers, which would block the ALTER TABLEs.
        schema_editor.execute("TRUNCATE search_searchentry, search_searchdocument")
        return
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DELETE FROM search_fts")
    apps.get_model("search", "SearchEntry").objects.all().delete()
    apps.get_model("search", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_structures")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="entry",
                        serialize=False,
                        to="search.searchdocument",
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                ("audience", models.CharField(blank=True, max_length=40)),
                ("date", models.DateField(null=True)),
                ("year", models.PositiveSmallIntegerField(null=True)),
                ("theme_ids", models.JSONField(default=list)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("title_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={"verbose_name": "search entry"},
        ),
        # Carrying the rows back is not needed: rebuild_search_index refills the index.
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RunPython(gin_indexes, drop_gin_indexes),
        migrations.RemoveField(model_name="searchdocument", name="audience"),
        migrations.RemoveField(model_name="searchdocument", name="date"),
        migrations.RemoveField(model_name="searchdocument", name="kind"),
        migrations.RemoveField(model_name="searchdocument", name="search_vector"),
        migrations.RemoveField(model_name="searchdocument", name="themes"),
        migrations.RemoveField(model_name="searchdocument", name="year"),
        migrations.RunPython(migrations.RunPython.noop, empty_index),
    ]
