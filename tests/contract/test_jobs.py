"""The job service's contract, the same in every mode (see conftest.py): a real database, real runners."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import Session, select

from genapp.jobs.errors import JobNotFound, JobStateError
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.requests import JobRequestError, build_request
from genapp.jobs.retries import JobRetryPolicy
from genapp.models import Job
from tests.conftest import eventually

OWNER = "alice"


def row(db, job_id: str) -> Job | None:
    with Session(db) as session:
        return session.get(Job, job_id)


def request(job_type="character", **kw):
    return build_request(job_type=job_type, **kw)


class Recorder:
    """Collects the service's events in the background (after its view of active jobs took them in)."""

    def __init__(self, jobs):
        self.events: list[JobEvent] = []
        self.ready = asyncio.Event()
        self._task = asyncio.create_task(self._collect(jobs.service))

    async def _collect(self, service):
        async for event in service.watch():
            if event.kind == EventKind.RESYNC:
                self.ready.set()
            self.events.append(event)

    def statuses(self, job_id):
        out = []
        for e in self.events:
            if e.job_id == job_id and e.kind == EventKind.STATUS and (not out or out[-1] != e.status):
                out.append(e.status)
        return out

    def close(self):
        self._task.cancel()


async def recorder(jobs) -> Recorder:
    rec = Recorder(jobs)
    await asyncio.wait_for(rec.ready.wait(), 5)
    return rec


async def test_lifecycle_runs_both_phases_and_persists(jobs):
    db = jobs.db
    rec = await recorder(jobs)
    job_id = await jobs.service.submit(owner=OWNER, request=request(prompt="a grumpy dwarven blacksmith"))
    await jobs.wait_idle()
    job = row(db, job_id)
    assert job.status == "complete" and job.progress == 100
    assert job.content and job.content.get("name") and job.title == job.content["name"]
    assert job.image.startswith("<svg") or "<svg" in job.image[:200]
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    await eventually(lambda: rec.statuses(job_id)[-1:] == ["complete"], what="the last event")
    assert rec.statuses(job_id) == ["pending", "generating", "content-complete", "image-generating", "complete"]
    rec.close()


async def test_skip_image_has_no_image_phase(jobs):
    db = jobs.db
    rec = await recorder(jobs)
    job_id = await jobs.service.submit(owner=OWNER, request=request("item", skip_image=True))
    await jobs.wait_idle()
    assert row(db, job_id).image is None
    await eventually(lambda: rec.statuses(job_id)[-1:] == ["complete"], what="the last event")
    assert "image-generating" not in rec.statuses(job_id)
    rec.close()


async def test_every_type_completes(jobs):
    types = ("character", "npc", "item", "quest", "encounter", "world", "campaign")
    ids = [await jobs.service.submit(owner=OWNER, request=request(t)) for t in types]
    await jobs.wait_idle()
    assert [row(jobs.db, i).status for i in ids] == ["complete"] * 7


async def test_cancel_running_job_stops_within_a_second(jobs):
    job_id = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: row(jobs.db, job_id).progress > 0, what="progress written")
    started = time.monotonic()
    await jobs.service.cancel(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(jobs.db, job_id).status == "cancelled", timeout=1.0, what="cancelled row")
    assert time.monotonic() - started < 1.0
    await eventually(lambda: jobs.service.active(OWNER) == [], timeout=2, what="the active view empty")


async def test_cancel_pending_job_never_starts(make_jobs):
    jobs = await make_jobs(concurrency=1)
    first = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=30))
    second = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=1))
    await eventually(lambda: row(jobs.db, first).status == "generating", what="the first job running")
    assert await jobs.service.queue_position(second) == 1
    await jobs.service.cancel(owner=OWNER, job_id=second)
    assert row(jobs.db, second).status == "cancelled" and row(jobs.db, second).started_at is None
    await jobs.service.cancel(owner=OWNER, job_id=first)
    await jobs.wait_idle()
    assert row(jobs.db, second).started_at is None


async def test_injected_failure_then_retry_in_place(jobs):
    db, service = jobs.db, jobs.service
    service.retry_policy = JobRetryPolicy(attempts=1)  # no automatic retry: the manual one is what this tests
    job_id = await service.submit(owner=OWNER, request=request(simulate_seconds=0.5, fail_at=40))
    await jobs.wait_idle()
    failed = row(db, job_id)
    assert failed.status == "error" and "Injected failure at 40%" in failed.error
    assert 30 <= failed.progress <= 45
    await service.retry(owner=OWNER, job_id=job_id)
    await jobs.wait_idle()
    job = row(db, job_id)
    assert job.status == "complete" and job.attempt == 2 and job.error is None
    assert job.attempts[0]["attempt"] == 1 and "Injected failure" in job.attempts[0]["error"]
    assert job.form_data == failed.form_data and job.seed == failed.seed and job.prompt == failed.prompt


async def test_retry_cancelled_job_and_refuse_running_one(jobs):
    db, service = jobs.db, jobs.service
    job_id = await service.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: service.active(OWNER) and service.active(OWNER)[0].status == "generating", what="running")
    with pytest.raises(JobStateError):
        await service.retry(owner=OWNER, job_id=job_id)
    await service.cancel(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(db, job_id).status == "cancelled", what="cancelled")
    await service.retry(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(db, job_id).status == "generating", what="retried job running")
    assert row(db, job_id).attempts[0]["status"] == "cancelled" and row(db, job_id).attempt == 2
    await service.cancel(owner=OWNER, job_id=job_id)
    await eventually(lambda: row(db, job_id).status == "cancelled", what="cancelled again")


async def test_remove_finished_and_running(jobs):
    db, service = jobs.db, jobs.service
    done = await service.submit(owner=OWNER, request=request("npc", skip_image=True))
    await jobs.wait_idle()
    await service.remove(owner=OWNER, job_id=done)
    assert row(db, done) is None
    running = await service.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: row(db, running).status == "generating", what="running")
    await service.remove(owner=OWNER, job_id=running)
    assert row(db, running) is None
    await eventually(lambda: service.active(OWNER) == [], timeout=2, what="the active view empty")


async def test_concurrency_limit_and_submission_order(make_jobs):
    jobs = await make_jobs(concurrency=2)
    rec = await recorder(jobs)
    try:
        ids = [await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=0.3, skip_image=True)) for _ in range(6)]
        peak = 0
        while jobs.active_rows():
            peak = max(peak, sum(1 for r in jobs.active_rows() if r.status != "pending"))
            await asyncio.sleep(0.01)
        assert peak <= 2
        await eventually(lambda: len([e for e in rec.events if e.kind == EventKind.STATUS and e.status == "complete"]) == 6, what="all events")
        starts = [e.job_id for e in rec.events if e.kind == EventKind.STATUS and e.status == "generating"]
        assert sorted(starts) == sorted(ids)
        # In submission order, give or take the jobs that start together: two taken at once race to announce
        # their start (scaled: one worker fetches both), but no job starts ahead of one submitted two before it.
        assert all(ids.index(job_id) <= place + 1 for place, job_id in enumerate(starts)), (starts, ids)
    finally:
        rec.close()


async def test_progress_reaches_database_while_running(jobs):
    job_id = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=3))
    first = await eventually(lambda: row(jobs.db, job_id).progress or None, what="first flush")
    await eventually(lambda: row(jobs.db, job_id).progress > first, timeout=3, what="a later flush")
    live = await eventually(lambda: [s for s in jobs.service.active(OWNER) if s.eta >= 0], what="a live summary with an ETA")
    assert live[0].stage
    await jobs.service.cancel(owner=OWNER, job_id=job_id)


async def test_resume_after_restart(make_jobs):
    jobs = await make_jobs(concurrency=1)  # so the second job is still waiting
    db = jobs.db
    running = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=1.5, skip_image=True))
    waiting = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=0.2))
    await eventually(lambda: row(db, running).progress > 10, what="progress before the stop")
    await jobs.stop_runners()  # whatever runs the jobs goes away mid-job
    assert row(db, running).status == "generating" and row(db, waiting).status == "pending"
    await jobs.start_runners()
    await eventually(lambda: {s.id for s in jobs.service.active(OWNER)} >= {running} or not jobs.active_rows(), what="the view")
    await jobs.wait_idle()
    assert row(db, running).status == "complete" and row(db, waiting).status == "complete"
    assert row(db, running).attempt == 1


async def test_resume_keeps_finished_content_phase(make_jobs):
    jobs = await make_jobs(concurrency=1)
    db = jobs.db
    job_id = await jobs.service.submit(owner=OWNER, request=request("world", skip_image=True))
    await jobs.wait_idle()
    await jobs.stop_runners()
    original = row(db, job_id).content
    with Session(db) as session:  # as if the runner died in the image phase
        job = session.get(Job, job_id)
        job.status, job.skip_image, job.image = "image-generating", False, None
        job.content = {**original, "name": "Kept Across Restart"}
        session.add(job)
        session.commit()
    await jobs.start_runners()
    await jobs.resume(job_id)
    await jobs.wait_idle()
    job = row(db, job_id)
    assert job.status == "complete" and job.content["name"] == "Kept Across Restart" and job.image


async def test_other_users_job_is_invisible_and_untouched(jobs):
    service = jobs.service
    job_id = await service.submit(owner=OWNER, request=request(simulate_seconds=30))
    for action in (service.cancel, service.retry, service.remove):
        with pytest.raises(JobNotFound):
            await action(owner="mallory", job_id=job_id)
    assert await service.get(owner="mallory", job_id=job_id) is None
    assert await service.list(owner="mallory") == [] and service.active("mallory") == []
    assert row(jobs.db, job_id).status in ("pending", "generating")
    await service.cancel(owner=OWNER, job_id=job_id)


async def test_one_failure_does_not_hurt_another(jobs):
    jobs.service.retry_policy = JobRetryPolicy(attempts=1)  # the injected failure stays final
    bad = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=0.3, fail_at=10))
    good = await jobs.service.submit(owner=OWNER, request=request(simulate_seconds=0.3))
    await jobs.wait_idle()
    assert row(jobs.db, bad).status == "error" and row(jobs.db, good).status == "complete"


async def test_lists_counts_and_the_active_view(jobs):
    service = jobs.service
    done = await service.submit(owner=OWNER, request=request("item", skip_image=True))
    await jobs.wait_idle()
    running = await service.submit(owner=OWNER, request=request(simulate_seconds=30))
    await eventually(lambda: [s.id for s in service.active(OWNER)] == [running], what="the running job in the view")
    assert [j.id for j in await service.list(owner=OWNER)] == [running, done]
    assert [j.id for j in await service.list(owner=OWNER, statuses=["complete"], job_type="item")] == [done]
    assert (await service.counts(owner=OWNER))["complete"] == 1
    await service.cancel(owner=OWNER, job_id=running)
    await eventually(lambda: service.active(OWNER) == [], what="the view empty")
    assert await service.counts(owner=OWNER) == {"complete": 1, "cancelled": 1}


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
def test_bad_input_gets_a_message_and_creates_no_job(kwargs, field):
    kwargs = {"job_type": "character", **kwargs}
    with pytest.raises(JobRequestError) as info:
        build_request(**kwargs)
    assert field in info.value.errors and info.value.errors[field]


async def test_a_guests_jobs_move_to_its_account_and_a_running_one_stays_live(jobs):
    """Sign-in moves a guest's jobs: rows, the active view in every process, and the running job's later
    events (its runner started under the guest) all follow the new owner."""
    service, guest, account = jobs.service, "guest1", "account1"
    rec = await recorder(jobs)
    done = await service.submit(owner=guest, request=request("item", skip_image=True))
    await eventually(lambda: row(jobs.db, done).status == "complete", what="the first job done")
    running = await service.submit(owner=guest, request=request(simulate_seconds=3))
    await eventually(lambda: row(jobs.db, running).status == "generating", what="the second job running")

    assert await service.transfer(guest, account) == 2
    await eventually(lambda: [s.id for s in service.active(account)] == [running], what="the running job in the account's view")
    assert service.active(guest) == []
    moved_at = len(rec.events)
    await eventually(lambda: row(jobs.db, running).status == "complete", timeout=20, what="the moved job done")
    after = [e for e in rec.events[moved_at:] if e.job_id == running and e.kind in (EventKind.PROGRESS, EventKind.STATUS)]
    assert after and {e.owner for e in after} == {account}, {e.owner for e in after}
    assert {j.id for j in await service.list(owner=account)} == {done, running}
    assert await service.list(owner=guest) == [] and await service.get(owner=guest, job_id=done) is None
    rec.close()


async def test_retention_and_clear_finished_keep_starred_and_active_jobs(jobs):
    """Older than N days, or beyond each user's newest N, finished jobs go; starred and active ones never do."""
    from datetime import timedelta

    from genapp.jobs.retention import Retention
    from genapp.models import utcnow

    service = jobs.service
    done = [await service.submit(owner=OWNER, request=request("item", skip_image=True)) for _ in range(4)]
    other = await service.submit(owner="bob", request=request("item", skip_image=True))
    await eventually(lambda: all(row(jobs.db, i).status == "complete" for i in [*done, other]), what="all complete")
    running = await service.submit(owner=OWNER, request=request(simulate_seconds=30))
    await service.set_favourite(owner=OWNER, job_id=done[0], favourite=True)  # the oldest, starred

    assert await service.prune(Retention()) == 0, "no policy removes nothing"
    assert await service.prune(Retention(keep_newest=2)) == 1  # alice: 3 unstarred finished, newest 2 stay
    assert row(jobs.db, done[1]) is None and all(row(jobs.db, i) for i in (done[0], done[2], done[3], other, running))
    assert await service.prune(Retention(days=1)) == 0, "nothing is a day old"
    assert await service.prune(Retention(days=1), now=utcnow() + timedelta(days=2)) == 3  # alice's 2 and bob's 1
    assert row(jobs.db, done[0]) is not None and row(jobs.db, running) is not None

    again = await service.submit(owner=OWNER, request=request("quest", skip_image=True))
    await eventually(lambda: row(jobs.db, again).status == "complete", what="done")
    assert await service.clear_finished(owner=OWNER) == 1
    assert row(jobs.db, again) is None and row(jobs.db, done[0]) is not None and row(jobs.db, running) is not None
    await service.cancel(owner=OWNER, job_id=running)
