"""Facet values on each search document (``facets``: ``lookup=value`` tokens).

A directory query with a facet counted its matches' facet values in the
entity and link tables: at full scale, one index probe per match and facet
(the topic counts over the 6,600 organisations that contain "Archiv" took
14–23 ms alone).  The match now returns the values with the ids.

NULL means "not computed yet": until ``lotse reindex`` (or an entity's next
change) fills it, the directory counts as before.  SQLite: the narrow covering
index of 0007 includes the column, so the standalone match still reads only
that index.  PostgreSQL reads the matching rows anyway (``tsv``).
"""

from django.db import migrations, models

INDEX = "search_doc_fts_join"


def _covering(columns: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            schema_editor.execute(
                f"CREATE INDEX {INDEX} ON search_searchdocument ({columns})"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0008_fts_entity_type")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="facets",
            field=models.TextField(
                blank=True,
                help_text="Facet values, 'lookup=value' tokens split by U+001F; NULL: not computed.",
                null=True,
            ),
        ),
        migrations.RunPython(
            _covering("id, entity_type, entity_pk, members_only, facets"),
            _covering("id, entity_type, entity_pk, members_only"),
        ),
    ]
