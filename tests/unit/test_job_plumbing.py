"""The job service's plumbing: no SQL on the event loop, the active view's ordering rules, the
embedded mode's refusal to run twice, and the Redis channel's behaviour when Redis is away."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

from genapp.config import Settings
from genapp.jobs.active import ActiveJobs
from genapp.jobs.embedded import embedded_service
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.redis_channel import RedisChannel
from genapp.jobs.requests import build_request
from genapp.jobs.runtime import ModeError, _only_process
from genapp.models import JobSummary
from tests.conftest import eventually


async def test_no_sql_runs_on_the_event_loop_thread(db):
    """Every statement the service and its runner make, in a whole job's life and every page read, runs off the loop."""
    loop_thread = threading.get_ident()
    on_loop: list[str] = []
    statements = 0

    def record(conn, cursor, statement, *args):
        nonlocal statements
        statements += 1
        if threading.get_ident() == loop_thread:
            on_loop.append(statement[:80])

    sa.event.listen(db, "before_cursor_execute", record)
    service = embedded_service(db, concurrency=2, flush_interval=0.05)
    await service.start()
    try:
        ids = [await service.submit(owner="u", request=build_request(job_type=t, simulate_seconds=0.3)) for t in ("npc", "item")]
        await service.cancel(owner="u", job_id=ids[1])
        await eventually(lambda: service.active("u") == [], what="both jobs finished")
        await service.retry(owner="u", job_id=ids[1])
        await service.list(owner="u")
        await service.counts(owner="u")
        await service.get(owner="u", job_id=ids[0])
        await service.queue_position(ids[0])
        await service.dispatcher.wait_idle()
        await service.remove(owner="u", job_id=ids[0])
    finally:
        await service.stop()
        sa.event.remove(db, "before_cursor_execute", record)
    assert statements > 10
    assert on_loop == [], f"{len(on_loop)} of {statements} statements ran on the event loop: {on_loop[:3]}"


def _summary(job_id: str, status: str, attempt: int = 1, progress: int = 0) -> JobSummary:
    return JobSummary(id=job_id, type="item", title="t", status=status, progress=progress, stage="", eta=-1, attempt=attempt)


def test_a_late_event_from_another_process_cannot_revive_a_finished_job():
    view = ActiveJobs()
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "generating")))
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "complete")))
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "pending")))  # the backend's "queued", delivered late
    view.apply(JobEvent(EventKind.PROGRESS, "o", "j", _summary("j", "generating", progress=50)))
    view.apply(JobEvent(EventKind.DRAFT, "o", "j", draft="Name: late"))
    assert view.summaries("o") == [] and view.drafts("o") == {}
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "pending", attempt=2)))  # a retry does revive it
    assert [s.attempt for s in view.summaries("o")] == [2]
    view.apply(JobEvent(EventKind.REMOVED, "o", "j"))
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "pending", attempt=3)))
    assert view.summaries("o") == [], "a removed job stays gone"


def test_drafts_come_and_go_with_their_job():
    view = ActiveJobs()
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "generating")))
    view.apply(JobEvent(EventKind.DRAFT, "o", "j", draft="Name: Ser"))
    assert view.drafts("o") == {"j": "Name: Ser"}
    view.apply(JobEvent(EventKind.DRAFT, "o", "j", draft=""))
    assert view.drafts("o") == {}
    view.apply(JobEvent(EventKind.DRAFT, "o", "j", draft="Name: Ser Aldo"))
    view.apply(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "error")))
    assert view.drafts("o") == {} and view.owners() == set()


def test_events_survive_the_trip_through_json():
    event = JobEvent(EventKind.PROGRESS, "o", "j", _summary("j", "generating", progress=42), "")
    assert JobEvent.from_json(event.to_json()) == event
    assert JobEvent.from_json(JobEvent(EventKind.REMOVED, "o", "j").to_json()).summary is None


def test_embedded_mode_refuses_a_second_process_on_the_same_database(tmp_path):
    config = Settings(db_url=f"sqlite:///{tmp_path / 'one.db'}")
    with _only_process(config):
        with pytest.raises(ModeError, match="already runs the jobs .* GENAPP_MODE=scaled"):
            with _only_process(config):
                pass
    with _only_process(config):  # released when the first one stops
        pass


def test_embedded_mode_refuses_reflex_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379")
    with pytest.raises(ModeError, match="REFLEX_REDIS_URL is set"):
        with _only_process(Settings(db_url=f"sqlite:///{tmp_path / 'one.db'}")):
            pass


async def test_publishing_to_an_unreachable_redis_never_raises_and_is_counted():
    channel = RedisChannel("redis://127.0.0.1:9/0", channel="genapp:test:nowhere", reconnect_seconds=0.05)
    for i in range(5):
        channel.publish(JobEvent(EventKind.PROGRESS, "o", "j", _summary("j", "generating", progress=i)))
    await eventually(lambda: channel.dropped == 5, what="all five dropped")
    assert channel.published == 0
    await channel.aclose()


async def test_a_subscription_starts_with_resync_and_carries_events():
    channel = RedisChannel("redis://127.0.0.1:6379/0", channel=f"genapp:test:{id(asyncio.get_running_loop())}")
    seen: list[JobEvent] = []

    async def follow():
        async for event in channel.subscribe():
            seen.append(event)

    task = asyncio.create_task(follow())
    await eventually(lambda: seen, what="the RESYNC")
    channel.publish(JobEvent(EventKind.STATUS, "o", "j", _summary("j", "pending")))
    await eventually(lambda: len(seen) == 2, what="the published event")
    assert [e.kind for e in seen] == [EventKind.RESYNC, EventKind.STATUS] and seen[1].summary.status == "pending"
    task.cancel()
    await channel.aclose()
