"""PostgreSQL: one partial GIN index over ``tsv`` per entity type.

A type-restricted match (the directory asks for organisations only) otherwise
intersects the global ``tsv`` bitmap with the bitmap of all 100,000 rows of
that type, ~15 ms per query at full scale; a partial index answers it in ~1 ms.
The global index stays for searches over every type.  SQLite: nothing to do
(FTS5 has no partial indexes; the type is filtered on the joined rows).
"""

from django.db import migrations

TYPES = ("organisation", "person", "offer", "need")


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for entity_type in TYPES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS search_doc_tsv_{entity_type} ON search_searchdocument "
            f"USING GIN (tsv) WHERE entity_type = '{entity_type}'"
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for entity_type in TYPES:
        schema_editor.execute(f"DROP INDEX IF EXISTS search_doc_tsv_{entity_type}")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_title_tsv_index")]

    operations = [migrations.RunPython(_forward, _backward)]
