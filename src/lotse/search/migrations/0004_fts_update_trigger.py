"""SQLite: re-index a row's full text only when its token columns change.

Writing embeddings (``lotse reindex --semantic``) updates ``embedding`` and
``revision`` of every row; the FTS5 row must not be deleted and re-inserted for that.
"""

from django.db import migrations

FORWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "CREATE TRIGGER search_fts_au AFTER UPDATE OF title_tokens, body_tokens, title_words "
    "ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, title_words) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.title_words); "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens, title_words) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.title_words); END",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, title_words) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.title_words); "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens, title_words) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.title_words); END",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_seed_synonyms")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
