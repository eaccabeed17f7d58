"""The library's contract in both modes: search, filters, sort, paging, favourites, tags, ownership."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genapp.jobs.errors import JobNotFound
from genapp.jobs.library import InvalidCursor, LibraryQuery, LibrarySort
from genapp.jobs.requests import build_request
from genapp.jobs.retries import JobRetryPolicy
from genapp.jobs.tags import TagError
from tests.conftest import eventually

OWNER, OTHER = "alice", "bob"


async def make(jobs, job_type="npc", prompt="", owner=OWNER, **kw) -> str:
    return await jobs.service.submit(owner=owner, request=build_request(job_type=job_type, prompt=prompt, skip_image=True, **kw))


async def ids(service, owner=OWNER, **query) -> list[str]:
    return [job.id for job in (await service.library(owner=owner, query=LibraryQuery(**query))).items]


async def all_pages(service, owner=OWNER, **query) -> list[str]:
    seen, cursor, pages = [], None, 0
    while True:
        page = await service.library(owner=owner, query=LibraryQuery(cursor=cursor, **query))
        seen += [job.id for job in page.items]
        pages += 1
        assert page.total >= len(seen)
        if page.next_cursor is None:
            return seen
        assert len(page.items) == query.get("limit", 24) and pages < 100
        cursor = page.next_cursor


async def test_search_filters_and_finished_only(jobs):
    service = jobs.service
    smith = await make(jobs, prompt="a zorblax blacksmith who hates the sea")
    king = await make(jobs, prompt="zorblax king under the mountain")
    ring = await make(jobs, "item", prompt="a ring of quiet snow")
    jobs.service.retry_policy = JobRetryPolicy(attempts=1)  # the injected failure stays final
    failed = await make(jobs, prompt="doomed zorblax", simulate_seconds=0.3, fail_at=10)
    await jobs.wait_idle()
    running = await make(jobs, prompt="zorblax still running", simulate_seconds=30)
    await eventually(lambda: [s.id for s in service.active(OWNER)] == [running], what="the running job")

    # Finished jobs only, newest first; the running one is not in the library.
    assert await ids(service) == [failed, ring, king, smith]
    # Every word, as a word prefix, case-insensitive; punctuation is not syntax.
    assert set(await ids(service, text="ZORBLAX")) == {smith, king, failed}
    assert await ids(service, text="zorb moun") == [king]
    assert await ids(service, text='"zorblax" OR ring*) (NEAR') == []  # all words must match: none has "or", "near"
    assert await ids(service, text="nothingmatcheszz") == []
    # The content's text values are indexed, its keys are not.
    content = (await service.get(owner=OWNER, job_id=smith)).content
    name_word = content["name"].split()[-1]
    assert smith in await ids(service, text=name_word)
    assert "mannerisms" not in str(list(content.values())).lower()
    assert await ids(service, text="mannerisms") == []
    # Title matches rank first.
    title_word = (await service.get(owner=OWNER, job_id=king)).title.split()[0]
    assert (await ids(service, text=title_word, sort=LibrarySort.RELEVANCE))[0] == king
    # Type, status, dates.
    assert await ids(service, types=["item"]) == [ring]
    assert await ids(service, statuses=["error"]) == [failed]
    assert set(await ids(service, text="zorblax", statuses=["complete"])) == {smith, king}
    king_at = (await service.get(owner=OWNER, job_id=king)).created_at
    assert await ids(service, created_from=king_at, created_to=king_at + timedelta(microseconds=1)) == [king]
    assert set(await ids(service, created_to=king_at)) == {smith}
    assert (await service.library(owner=OWNER, query=LibraryQuery(text="zorblax"))).total == 3
    await service.cancel(owner=OWNER, job_id=running)


async def test_favourites_and_tags_persist_filter_and_search(jobs):
    service = jobs.service
    first, second = await make(jobs, prompt="one"), await make(jobs, "quest", prompt="two")
    await jobs.wait_idle()
    assert await ids(service, favourites_only=True) == []
    job = await service.set_favourite(owner=OWNER, job_id=second, favourite=True)
    assert job.favourite and await ids(service, favourites_only=True) == [second]
    tagged = await service.set_tags(owner=OWNER, job_id=first, tags=["  Session Three ", "ZORBTAG", "zorbtag", ""])
    assert tagged.tags == ["session three", "zorbtag"]
    fresh = await service.get(owner=OWNER, job_id=first)
    assert fresh.tags == ["session three", "zorbtag"] and not fresh.favourite
    assert await ids(service, tag="Zorbtag") == [first]
    assert await ids(service, text="zorbt") == [first]  # tags are searched too
    await service.set_tags(owner=OWNER, job_id=first, tags=["quorbhero"])
    assert await ids(service, text="zorbtag") == [] and await ids(service, text="quorbhero") == [first]
    with pytest.raises(TagError):
        await service.set_tags(owner=OWNER, job_id=first, tags=["x" * 33])
    with pytest.raises(TagError):
        await service.set_tags(owner=OWNER, job_id=first, tags=[f"t{i}" for i in range(21)])
    assert (await service.get(owner=OWNER, job_id=first)).tags == ["quorbhero"]  # a refusal changes nothing
    await service.set_favourite(owner=OWNER, job_id=second, favourite=False)
    assert await ids(service, favourites_only=True) == []


async def test_paging_has_no_duplicates_or_gaps_in_every_sort(jobs):
    service = jobs.service
    made = [await make(jobs, "item" if i % 3 else "npc", prompt=f"paging quill {i} {'odd' if i % 2 else 'even'}") for i in range(23)]
    await jobs.wait_idle(timeout=60)
    newest = await all_pages(service, limit=5)
    assert newest == list(reversed(made))
    assert await all_pages(service, limit=5, sort=LibrarySort.OLDEST) == made
    by_title = await all_pages(service, limit=4, sort=LibrarySort.TITLE)
    titles = {job.id: job.title.lower() for job in (await service.library(owner=OWNER, query=LibraryQuery(limit=100))).items}
    assert sorted(by_title) == sorted(made) and [titles[i] for i in by_title] == sorted(titles[i] for i in by_title)
    relevance = await all_pages(service, limit=3, text="quill odd", sort=LibrarySort.RELEVANCE)
    assert sorted(relevance) == sorted(made[1::2])
    # A job made between two pages does not shift the next one (keyset, not offset).
    page = await service.library(owner=OWNER, query=LibraryQuery(limit=5))
    await make(jobs, prompt="late arrival")
    await jobs.wait_idle()
    rest = await service.library(owner=OWNER, query=LibraryQuery(limit=100, cursor=page.next_cursor))
    assert [j.id for j in rest.items] == newest[5:]
    # A cursor belongs to its sort; a forged one is refused.
    with pytest.raises(InvalidCursor):
        await service.library(owner=OWNER, query=LibraryQuery(sort=LibrarySort.TITLE, cursor=page.next_cursor))
    with pytest.raises(InvalidCursor):
        await service.library(owner=OWNER, query=LibraryQuery(cursor="not-a-cursor"))
    with pytest.raises(ValueError):
        LibraryQuery(limit=101)


async def test_ownership_not_yours_is_does_not_exist(jobs):
    service = jobs.service
    mine = await make(jobs, prompt="quintessa zorblax plans")
    theirs = await make(jobs, owner=OTHER, prompt="bob's zorblax")
    await jobs.wait_idle()
    assert await ids(service, OTHER, text="zorblax") == [theirs]
    assert await ids(service, OTHER, text="quintessa") == []
    with pytest.raises(JobNotFound):
        await service.set_favourite(owner=OTHER, job_id=mine, favourite=True)
    with pytest.raises(JobNotFound):
        await service.set_tags(owner=OTHER, job_id=mine, tags=["stolen"])
    with pytest.raises(JobNotFound):
        await service.set_tags(owner=OWNER, job_id="no-such-job", tags=["x"])
    mine_row = await service.get(owner=OWNER, job_id=mine)
    assert not mine_row.favourite and mine_row.tags == []
    # Bulk delete removes only the caller's own among the ids; others' and unknown ones are ignored.
    assert await service.remove_many(owner=OTHER, job_ids=[mine, theirs, "nope"]) == 1
    assert await service.get(owner=OWNER, job_id=mine) is not None
    assert await ids(service, OTHER) == [] and await ids(service, OTHER, text="zorblax") == []
    assert await service.remove_many(owner=OWNER, job_ids=[mine]) == 1
    assert await ids(service) == [] and await ids(service, text="quintessa") == []
