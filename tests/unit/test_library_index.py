"""The library's text search uses the full-text index in both databases, never a scan of `job`.

How it is checked: the store's own search query is captured as it runs (an SQLAlchemy
before_cursor_execute hook), then asked for its plan with the same parameters: SQLite's
EXPLAIN QUERY PLAN must read job_fts through its FTS5 index ("VIRTUAL TABLE INDEX ... M", the
MATCH), Postgres's EXPLAIN must use the GIN index ix_job_search on the generated tsvector, over a
user with 3,000 jobs and fresh statistics (no planner switches turned off).
"""

from __future__ import annotations

import asyncio
import secrets

import pytest
import sqlalchemy as sa

from genapp.jobs.library import LibraryQuery, decode_cursor, encode_cursor, InvalidCursor, LibrarySort
from genapp.jobs.store import JobStore
from genapp.jobs.tags import TagError, normalise_tags, parse_tags
from genapp.models import Job

WORDS = "amber basalt cinder dusk ember frost gale hollow iron jade kestrel lantern moss".split()


def fill(engine: sa.Engine, count: int) -> None:
    rows = [
        Job(id=secrets.token_hex(8), owner="alice", type="npc", status="complete", title=f"{WORDS[i % len(WORDS)]} {i}",
            prompt=f"prompt {WORDS[(i * 7) % len(WORDS)]}", content={"name": f"n{i}", "story": WORDS[(i * 3) % len(WORDS)]}).model_dump()
        for i in range(count)
    ]
    rows.append(Job(id="needle", owner="alice", type="npc", status="complete", title="the zanzibarite", content={"name": "x"}).model_dump())
    with engine.begin() as connection:
        connection.execute(sa.insert(Job.__table__), rows)
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE job")


def searched_plan(engine: sa.Engine, text: str) -> tuple[list[str], str]:
    """(the ids found, the plan of the query that found them)."""
    captured: list[tuple[str, object]] = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY" in statement:
            captured.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", hook)
    store = JobStore(engine)
    try:
        rows, _ = asyncio.run(store.library(owner="alice", query=LibraryQuery(text=text), after=None))
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)
        store._threads.shutdown()
    statement, parameters = captured[-1]
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(explain + statement, parameters).all()
    return [job.id for job, _ in rows], "\n".join(" ".join(str(c) for c in row) for row in plan)


def test_sqlite_search_reads_the_fts5_index(db):
    fill(db, 3000)
    found, plan = searched_plan(db, "zanzib")
    assert found == ["needle"]
    assert "job_fts VIRTUAL TABLE INDEX" in plan and ":M" in plan.replace(" ", ""), plan  # M: the MATCH constraint
    assert "LIKE" not in plan


def test_postgres_search_uses_the_gin_index(pg_db):
    fill(pg_db, 3000)
    found, plan = searched_plan(pg_db, "zanzib")
    assert found == ["needle"]
    assert "ix_job_search" in plan, plan


def test_tags_are_normalised_or_refused():
    assert normalise_tags(["  Big   Bad ", "big bad", "NPC", "", "  "]) == ["big bad", "npc"]
    assert parse_tags("villain, Session 3 ,,villain") == ["villain", "session 3"]
    assert normalise_tags(["x" * 32]) == ["x" * 32]
    with pytest.raises(TagError):
        normalise_tags(["x" * 33])
    with pytest.raises(TagError):
        normalise_tags([str(i) for i in range(21)])
    assert len(normalise_tags([str(i) for i in range(20)] + ["1"])) == 20  # repeats do not count


def test_cursor_is_opaque_and_bound_to_its_sort():
    cursor = encode_cursor(LibrarySort.TITLE, {"key": "abc", "id": "j1"})
    assert "abc" not in cursor and decode_cursor(cursor, LibrarySort.TITLE) == {"key": "abc", "id": "j1"}
    for sort, bad in ((LibrarySort.NEWEST, cursor), (LibrarySort.TITLE, "x!"), (LibrarySort.TITLE, cursor[:-3])):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, sort)


def test_query_terms_are_words_only():
    assert LibraryQuery(text='Fire-Ball "OR" (near) _x_ élan*').terms() == ["fire", "ball", "or", "near", "x", "élan"]
    assert LibraryQuery(sort="relevance").effective_sort() == LibrarySort.NEWEST
    assert LibraryQuery(text="a", sort="relevance").effective_sort() == LibrarySort.RELEVANCE
