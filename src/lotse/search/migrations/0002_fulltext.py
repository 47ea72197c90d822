"""The full-text half of the index, per database.

SQLite: an FTS5 table with external content (``search_searchdocument``) kept in
sync by triggers.  PostgreSQL: a generated ``tsvector`` column (title weight A,
body weight B, 'simple' config: the tokens are already analysed by Lotse) with
a GIN index, and a GIN expression index for title-prefix autocomplete.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tokens, body_tokens, title_words, "
    "content='search_searchdocument', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens, title_words) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.title_words); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, title_words) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.title_words); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, title_words) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.title_words); "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens, title_words) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.title_words); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', body_tokens), 'B')) STORED",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING GIN (tsv)",
    "CREATE INDEX search_doc_title_words ON search_searchdocument "
    "USING GIN (to_tsvector('simple', title_words))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_title_words",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
