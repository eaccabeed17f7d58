"""The library page's URL query: what a bookmark holds comes back the same; nonsense is dropped."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qsl

from genapp.jobs.library import LibrarySort
from genapp.state.library_view import Search


def test_search_round_trips_through_the_url():
    search = Search(q="grumpy dwarf & co", type="npc", status="error", fav=True, date_from="2026-01-02", date_to="2026-01-05", sort="title")
    params = search.to_params()
    assert params.startswith("q=grumpy+dwarf+%26+co&type=npc")
    assert Search.from_params(dict(parse_qsl(params))) == search
    assert Search().to_params() == ""


def test_nonsense_in_the_url_is_dropped():
    search = Search.from_params({"type": "spaceship", "status": "pending", "fav": "yes", "from": "yesterday", "sort": "random", "q": "x" * 500})
    assert search == Search(q="x" * 200)


def test_search_becomes_a_library_query():
    query = Search(q=" dwarf ", type="item", status="complete", fav=True, date_from="2026-01-02", date_to="2026-01-05").query(limit=10)
    assert query.text == "dwarf" and query.types == ["item"] and query.status_values() == ["complete"] and query.favourites_only
    assert query.created_from == datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert query.created_to == datetime(2026, 1, 6, tzinfo=timezone.utc)  # the end day is included
    assert Search().query().status_values() == ["cancelled", "complete", "error"]  # finished only
    assert Search(sort="relevance").query().effective_sort() == LibrarySort.NEWEST
