"""The job engine against a real SQLite file, migrated by alembic as in production."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import Session, select

from genapp.jobs.bus import EventKind, JobEvent
from genapp.jobs.engine import JobEngine, JobNotFound, JobStateError
from genapp.jobs.requests import JobRequestError, build_request
from genapp.models import Job
from tests.conftest import eventually

OWNER = "alice"


@pytest.fixture
async def engine(db):
    jobs = JobEngine(db=db, concurrency=4, flush_interval=0.2)
    await jobs.start()
    yield jobs
    await jobs.stop()


def row(db, job_id: str) -> Job | None:
    with Session(db) as session:
        return session.get(Job, job_id)


def request(job_type="character", **kw):
    return build_request(job_type=job_type, **kw)


class Recorder:
    """Collects bus events in the background."""

    def __init__(self, jobs: JobEngine):
        self.events: list[JobEvent] = []
        self._task = asyncio.create_task(self._collect(jobs))

    async def _collect(self, jobs):
        async for event in jobs.bus.subscribe():
            self.events.append(event)

    def statuses(self, job_id):
        out = []
        for e in self.events:
            if e.job_id == job_id and e.kind == EventKind.STATUS and (not out or out[-1] != e.status):
                out.append(e.status)
        return out

    def close(self):
        self._task.cancel()


async def test_lifecycle_runs_both_phases_and_persists(engine, db):
    rec = Recorder(engine)
    await asyncio.sleep(0)  # let the recorder subscribe
    job_id = await engine.submit(owner=OWNER, request=request(prompt="a grumpy dwarven blacksmith"))
    await engine.wait_idle()
    job = row(db, job_id)
    assert job.status == "complete" and job.progress == 100
    assert job.content and job.content.get("name") and job.title == job.content["name"]
    assert job.image.startswith("<svg") or "<svg" in job.image[:200]
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    await eventually(lambda: rec.statuses(job_id)[-1:] == ["complete"], what="the last event")
    assert rec.statuses(job_id) == ["pending", "generating", "content-complete", "image-generating", "complete"]
    rec.close()


async def test_skip_image_has_no_image_phase(engine, db):
    rec = Recorder(engine)
    await asyncio.sleep(0)
    job_id = await engine.submit(owner=OWNER, request=request("item", skip_image=True))
    await engine.wait_idle()
    assert row(db, job_id).image is None
    await eventually(lambda: rec.statuses(job_id)[-1:] == ["complete"], what="the last event")
    assert "image-generating" not in rec.statuses(job_id)
    rec.close()


async def test_every_type_completes(engine, db):
    ids = [await engine.submit(owner=OWNER, request=request(t)) for t in ("character", "npc", "item", "quest", "encounter", "world", "campaign")]
    await engine.wait_idle()
    assert [row(db, i).status for i in ids] == ["complete"] * 7


async def test_cancel_running_job_stops_within_a_second(engine, db):
    job_id = await engine.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: row(db, job_id).progress > 0, what="progress written")
    started = time.monotonic()
    await engine.cancel(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(db, job_id).status == "cancelled", timeout=1.0, what="cancelled row")
    assert time.monotonic() - started < 1.0
    assert engine.active_summaries(OWNER) == []


async def test_cancel_pending_job_never_starts(db):
    jobs = JobEngine(db=db, concurrency=1, flush_interval=0.2)
    await jobs.start()
    try:
        first = await jobs.submit(owner=OWNER, request=request(simulate_seconds=30))
        second = await jobs.submit(owner=OWNER, request=request(simulate_seconds=1))
        assert jobs.queue_position(second) is not None
        await jobs.cancel(owner=OWNER, job_id=second)
        assert row(db, second).status == "cancelled" and row(db, second).started_at is None
        await jobs.cancel(owner=OWNER, job_id=first)
        await jobs.wait_idle()
        assert row(db, second).started_at is None
    finally:
        await jobs.stop()


async def test_injected_failure_then_retry_in_place(engine, db):
    job_id = await engine.submit(owner=OWNER, request=request(simulate_seconds=0.5, fail_at=40))
    await engine.wait_idle()
    failed = row(db, job_id)
    assert failed.status == "error" and "Injected failure at 40%" in failed.error
    assert 30 <= failed.progress <= 45
    await engine.retry(owner=OWNER, job_id=job_id)
    await engine.wait_idle()
    job = row(db, job_id)
    assert job.status == "complete" and job.attempt == 2 and job.error is None
    assert job.attempts[0]["attempt"] == 1 and "Injected failure" in job.attempts[0]["error"]
    assert job.form_data == failed.form_data and job.seed == failed.seed and job.prompt == failed.prompt


async def test_retry_cancelled_job_and_refuse_running_one(engine, db):
    job_id = await engine.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: engine.active_summaries(OWNER) and engine.active_summaries(OWNER)[0].status == "generating")
    with pytest.raises(JobStateError):
        await engine.retry(owner=OWNER, job_id=job_id)
    await engine.cancel(owner=OWNER, job_id=job_id)
    await engine.retry(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(db, job_id).status == "generating", what="retried job running")
    assert row(db, job_id).attempts[0]["status"] == "cancelled"
    await engine.cancel(owner=OWNER, job_id=job_id)


async def test_remove_finished_and_running(engine, db):
    done = await engine.submit(owner=OWNER, request=request("npc", skip_image=True))
    await engine.wait_idle()
    await engine.remove(owner=OWNER, job_id=done)
    assert row(db, done) is None
    running = await engine.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: row(db, running).status == "generating")
    await engine.remove(owner=OWNER, job_id=running)
    assert row(db, running) is None
    assert engine.active_summaries(OWNER) == []


async def test_concurrency_limit_and_submission_order(db):
    jobs = JobEngine(db=db, concurrency=2, flush_interval=0.2)
    rec = Recorder(jobs)
    await asyncio.sleep(0)
    await jobs.start()
    try:
        ids = [await jobs.submit(owner=OWNER, request=request(simulate_seconds=0.3, skip_image=True)) for _ in range(6)]
        running, peak = set(), 0
        while True:
            await asyncio.sleep(0.01)
            for s in jobs.active_summaries(OWNER):
                if s.status == "generating":
                    running.add(s.id)
            peak = max(peak, sum(1 for s in jobs.active_summaries(OWNER) if s.status != "pending"))
            if not jobs.active_summaries(OWNER):
                break
        assert peak <= 2
        starts = [e.job_id for e in rec.events if e.kind == EventKind.STATUS and e.status == "generating"]
        assert starts == ids
    finally:
        rec.close()
        await jobs.stop()


async def test_progress_reaches_database_while_running(engine, db):
    job_id = await engine.submit(owner=OWNER, request=request(simulate_seconds=3))
    first = await eventually(lambda: row(db, job_id).progress or None, what="first flush")
    await eventually(lambda: row(db, job_id).progress > first, timeout=2, what="a later flush")
    live = engine.active_summaries(OWNER)[0]
    assert live.stage and live.eta >= 0
    await engine.cancel(owner=OWNER, job_id=job_id)


async def test_resume_after_restart(db):
    first = JobEngine(db=db, concurrency=1, flush_interval=0.1)  # so the second job is still waiting
    await first.start()
    running = await first.submit(owner=OWNER, request=request(simulate_seconds=1.5, skip_image=True))
    waiting = await first.submit(owner=OWNER, request=request(simulate_seconds=0.2))
    await eventually(lambda: row(db, running).progress > 10, what="progress before the stop")
    await first.stop()  # the process goes away mid-job
    assert row(db, running).status == "generating"

    second = JobEngine(db=db, concurrency=2, flush_interval=0.1)
    await second.start()
    try:
        assert {s.id for s in second.active_summaries(OWNER)} == {running, waiting}
        await second.wait_idle()
        assert row(db, running).status == "complete" and row(db, waiting).status == "complete"
        assert row(db, running).attempt == 1
    finally:
        await second.stop()


async def test_resume_keeps_finished_content_phase(db):
    jobs = JobEngine(db=db, concurrency=1)
    await jobs.start()
    job_id = await jobs.submit(owner=OWNER, request=request("world", skip_image=True))
    await jobs.wait_idle()
    await jobs.stop()
    original = row(db, job_id).content
    with Session(db) as session:  # as if the process died in the image phase
        job = session.get(Job, job_id)
        job.status, job.skip_image, job.image = "image-generating", False, None
        job.content = {**original, "name": "Kept Across Restart"}
        session.add(job)
        session.commit()
    jobs = JobEngine(db=db, concurrency=1)
    await jobs.start()
    try:
        await jobs.wait_idle()
        job = row(db, job_id)
        assert job.status == "complete" and job.content["name"] == "Kept Across Restart" and job.image
    finally:
        await jobs.stop()


async def test_other_users_job_is_invisible_and_untouched(engine, db):
    job_id = await engine.submit(owner=OWNER, request=request(simulate_seconds=30))
    for action in (engine.cancel, engine.retry, engine.remove):
        with pytest.raises(JobNotFound):
            await action(owner="mallory", job_id=job_id)
    assert engine.active_summaries("mallory") == []
    assert row(db, job_id).status in ("pending", "generating")
    await engine.cancel(owner=OWNER, job_id=job_id)


async def test_one_failure_does_not_hurt_another(engine, db):
    bad = await engine.submit(owner=OWNER, request=request(simulate_seconds=0.3, fail_at=10))
    good = await engine.submit(owner=OWNER, request=request(simulate_seconds=0.3))
    await engine.wait_idle()
    assert row(db, bad).status == "error" and row(db, good).status == "complete"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"prompt": "x" * 4001}, "prompt"),
        ({"job_type": "spaceship"}, "type"),
        ({"form": {"level": 0}}, "level"),
        ({"form": {"level": 999}}, "level"),
        ({"form": {"level": "abc"}}, "level"),
        ({"simulate_seconds": 121}, "duration"),
        ({"simulate_seconds": "soon"}, "duration"),
        ({"fail_at": 150}, "fail_at"),
    ],
)
async def test_bad_input_gets_a_message_and_creates_no_job(engine, db, kwargs, field):
    kwargs = {"job_type": "character", **kwargs}
    with pytest.raises(JobRequestError) as info:
        build_request(**kwargs)
    assert field in info.value.errors and info.value.errors[field]
    with Session(db) as session:
        assert session.exec(select(Job)).all() == []
