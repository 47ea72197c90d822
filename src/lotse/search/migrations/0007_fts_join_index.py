"""SQLite: a narrow covering index for the full-text join.

A full-text match yields row ids of every entity type; restricting them to one
type (the directory asks for organisations only) looked up each of them in the
wide ``search_searchdocument`` rows (title, body, tokens, vector): ~35 ms for
the 37,000 matches of a common word at full scale.  This index holds just what
the join reads, so the same restriction costs about half.  PostgreSQL matches
on the row itself (``tsv``) and needs nothing here.
"""

from django.db import migrations

INDEX = "search_doc_fts_join"


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON search_searchdocument "
            "(id, entity_type, entity_pk, members_only)"
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_tsv_per_type")]

    operations = [migrations.RunPython(_forward, _backward)]
