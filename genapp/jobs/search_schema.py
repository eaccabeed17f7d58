"""The full-text index of jobs, as DDL: SQLite FTS5 (embedded mode) or a Postgres tsvector (scaled mode).

Used by the alembic revision a1b2c3d4e5f6. Kept here so that a later migration which has to rebuild
the `job` table can put the index back the same way (see `drop_sqlite` / `create_sqlite`).

What is indexed, in both modes: title, prompt, the text of the content's JSON string values (never its
keys: "name", "backstory" are not words of the job), and the tags. Tokens are words, lower-cased, no
stemming (SQLite `unicode61`, Postgres `simple`), so the same query finds the same jobs in both modes;
queries match word prefixes (genapp/jobs/library.py builds them).

SQLite: `job_fts` is an external-content FTS5 table (content='job', rowid = job's rowid): it stores only
the index, the text stays in `job`. Triggers keep it in step. The 'delete' command must be given the
values that were indexed, which the triggers recompute from the old row: never change `job` behind
their back (no `INSERT INTO job_fts(job_fts) VALUES('rebuild')` either: that would read the raw JSON,
keys included; use `create_sqlite`, which fills the index from the rows). Caveats: SQLite's VACUUM may
renumber the rowids of a table without an INTEGER PRIMARY KEY, and a batch migration that recreates
`job` drops its triggers: after either, run `drop_sqlite` then `create_sqlite`. genapp runs neither.
"""

from __future__ import annotations

FTS_TABLE = "job_fts"
PG_COLUMN = "search"
PG_INDEX = "ix_job_search"


def _values(row: str, column: str) -> str:
    """The text of a JSON column's string values, space-separated (NULL for NULL or no strings)."""
    return f"(SELECT group_concat(value, ' ') FROM json_tree({row}.{column}) WHERE type = 'text')"


def _fields(row: str) -> str:
    return f"{row}.rowid, {row}.title, {row}.prompt, {_values(row, 'content')}, {_values(row, 'tags')}"


SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        title, prompt, content, tags,
        content='job', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER job_fts_insert AFTER INSERT ON job BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, prompt, content, tags) VALUES ({_fields('new')});
    END""",
    f"""CREATE TRIGGER job_fts_delete AFTER DELETE ON job BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, prompt, content, tags) VALUES ('delete', {_fields('old')});
    END""",
    # Only the indexed columns: progress ticks and status changes never touch the index.
    f"""CREATE TRIGGER job_fts_update AFTER UPDATE OF title, prompt, content, tags ON job BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, prompt, content, tags) VALUES ('delete', {_fields('old')});
        INSERT INTO {FTS_TABLE}(rowid, title, prompt, content, tags) VALUES ({_fields('new')});
    END""",
    # The rows already there.
    f"INSERT INTO {FTS_TABLE}(rowid, title, prompt, content, tags) SELECT {_fields('job')} FROM job",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS job_fts_update",
    "DROP TRIGGER IF EXISTS job_fts_delete",
    "DROP TRIGGER IF EXISTS job_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

# A stored generated column (Postgres 12+): every expression in it is immutable, the GIN index makes
# `search @@ tsquery` an index scan. Weights let ts_rank put title matches first.
_PG_VECTOR = """
    setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
    || setweight(jsonb_to_tsvector('simple'::regconfig, coalesce(tags::jsonb, '[]'::jsonb), '["string"]'), 'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(prompt, '')), 'B')
    || setweight(jsonb_to_tsvector('simple'::regconfig, coalesce(content::jsonb, '{}'::jsonb), '["string"]'), 'C')
"""

PG_CREATE = [
    f"ALTER TABLE job ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    f"CREATE INDEX {PG_INDEX} ON job USING gin ({PG_COLUMN})",
]

PG_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}", f"ALTER TABLE job DROP COLUMN IF EXISTS {PG_COLUMN}"]


def create(op) -> None:
    for statement in SQLITE_CREATE if op.get_bind().dialect.name == "sqlite" else PG_CREATE:
        op.execute(statement)


def drop(op) -> None:
    for statement in SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else PG_DROP:
        op.execute(statement)
