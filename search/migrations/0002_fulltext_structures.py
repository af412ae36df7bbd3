"""Database-specific full-text structures for SearchDocument.

PostgreSQL: a GIN index on the tsvector. SQLite: an FTS5 table over the same three
analysed columns (rowid = SearchDocument.id). Other databases get neither.
"""

from django.db import migrations

FTS5 = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, parts, tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_document_vector_gin "
            "ON search_searchdocument USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(FTS5)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
