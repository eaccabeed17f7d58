"""Queue control, the same in every mode: a user pauses and resumes their queue (waiting jobs wait,
running ones finish, or stop after their phase), an admin pauses the whole service, and a user moves
their waiting jobs in their own line. (Embedded: FairQueue. Scaled: Procrastinate runs set aside and
re-ranked.)"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from genapp.jobs.errors import JobNotFound, JobStateError
from genapp.jobs.requests import build_request
from genapp.models import EVERYONE, Job
from tests.conftest import eventually
from tests.contract.test_jobs import row


async def submit(jobs, owner: str, seconds: float, *, skip_image: bool = True) -> str:
    request = build_request(job_type="item", simulate_seconds=seconds, skip_image=skip_image)
    return await jobs.service.submit(owner=owner, request=request)


def status(jobs, job_id: str) -> str:
    return row(jobs.db, job_id).status


def start_order(db, job_ids: list[str]) -> list[str]:
    with Session(db) as session:
        rows = session.exec(select(Job).where(col(Job.id).in_(job_ids), col(Job.started_at).is_not(None)).order_by(col(Job.started_at)))
        return [job.id for job in rows]


def waiting_line(jobs, owner: str) -> list[str]:
    """The owner's waiting jobs as their tile lists them (in line order)."""
    return [job.id for job in jobs.service.active(owner) if job.status == "pending"]


async def test_a_paused_queue_starts_nothing_until_resumed_while_others_go_on(make_jobs):
    jobs = await make_jobs(concurrency=2)
    await jobs.service.pause(owner="alice")
    await eventually(lambda: jobs.service.hold_of("alice"), timeout=10, what="alice's hold seen")
    mine = [await submit(jobs, "alice", 0.1) for _ in range(3)]
    theirs = await submit(jobs, "bob", 0.1)
    await eventually(lambda: status(jobs, theirs) == "complete", timeout=30, what="bob's job done")
    assert [status(jobs, j) for j in mine] == ["pending"] * 3
    assert jobs.service.hold_of("alice").mode == "queue" and jobs.service.hold_of("bob") is None
    assert all(job.place == 0 for job in jobs.service.active("alice")), "a paused queue's jobs have no place in line"
    assert await jobs.service.resume(owner="alice") is True
    assert await jobs.service.resume(owner="alice") is False  # not paused any more
    await jobs.wait_idle(timeout=30)
    assert [status(jobs, j) for j in mine] == ["complete"] * 3
    assert start_order(jobs.db, mine) == mine, "her jobs kept their order through the pause"


async def test_pausing_lets_a_running_job_finish(make_jobs):
    jobs = await make_jobs(concurrency=1)
    running = await submit(jobs, "alice", 1.0)
    waiting = await submit(jobs, "alice", 0.1)
    await eventually(lambda: status(jobs, running) != "pending", timeout=20, what="the first job running")
    await jobs.service.pause(owner="alice")
    await eventually(lambda: status(jobs, running) == "complete", timeout=20, what="the running job finished")
    assert status(jobs, waiting) == "pending"
    await jobs.service.resume(owner="alice")
    await eventually(lambda: status(jobs, waiting) == "complete", timeout=20, what="the waiting job ran after the resume")


async def test_pause_now_stops_a_running_job_after_its_text_and_the_resume_paints_only_its_picture(make_jobs):
    jobs = await make_jobs(concurrency=1)
    job_id = await submit(jobs, "alice", 1.5, skip_image=False)
    await eventually(lambda: status(jobs, job_id) == "generating", timeout=20, what="the text phase running")
    await jobs.service.pause(owner="alice", stop_running=True)
    parked = await eventually(lambda: (r := row(jobs.db, job_id)).status == "pending" and r.content is not None and r, timeout=20,
                              what="the job back to waiting with its text")
    assert parked.stage.startswith("Paused after its text") and parked.image is None
    assert jobs.service.hold_of("alice").mode == "checkpoint"
    await jobs.service.resume(owner="alice")
    done = await eventually(lambda: (r := row(jobs.db, job_id)).status == "complete" and r, timeout=20, what="the picture painted")
    assert done.content == parked.content, "the text was not made again"
    assert done.image and done.attempt == 1 and done.attempts == []


async def test_the_service_pause_holds_everyone_and_a_users_own_pause_outlasts_it(make_jobs):
    jobs = await make_jobs(concurrency=2)
    await jobs.service.pause(owner=EVERYONE, by="admin")
    await jobs.service.pause(owner="alice")
    alice, bob = await submit(jobs, "alice", 0.1), await submit(jobs, "bob", 0.1)
    await eventually(lambda: jobs.service.hold_of("bob") is not None, timeout=10, what="the service's hold seen")
    assert jobs.service.hold_of("bob").owner == EVERYONE
    await jobs.service.resume(owner=EVERYONE)
    await eventually(lambda: status(jobs, bob) == "complete", timeout=30, what="bob's job ran after the service resumed")
    assert status(jobs, alice) == "pending", "alice's own pause still holds"
    await jobs.service.resume(owner="alice")
    await eventually(lambda: status(jobs, alice) == "complete", timeout=30, what="alice's job ran after her resume")


async def test_moving_waiting_jobs_changes_the_order_they_start_in(make_jobs):
    jobs = await make_jobs(concurrency=1)
    blocker = await submit(jobs, "alice", 2.0)
    await eventually(lambda: status(jobs, blocker) != "pending", timeout=20, what="the slot taken")
    a, b, c, d = [await submit(jobs, "alice", 0.05) for _ in range(4)]
    await eventually(lambda: waiting_line(jobs, "alice") == [a, b, c, d], timeout=10, what="the line as submitted")
    await jobs.service.move(owner="alice", job_id=d, to="front")  # d a b c
    await jobs.service.move(owner="alice", job_id=a, to="down")  # d b a c
    await jobs.service.move(owner="alice", job_id=c, to="up")  # d b c a
    await jobs.service.move(owner="alice", job_id=a, to="before", before=b)  # d a b c
    await jobs.service.move(owner="alice", job_id=b, to="back")  # d a c b
    await eventually(lambda: waiting_line(jobs, "alice") == [d, a, c, b], timeout=10, what="the tile's line in the new order")
    places = lambda: [job.place for job in jobs.service.active("alice") if job.status == "pending"]  # noqa: E731
    await eventually(lambda: places() == [1, 2, 3, 4], timeout=10, what="their places, in that order")
    await jobs.wait_idle(timeout=30)
    assert start_order(jobs.db, [blocker, a, b, c, d]) == [blocker, d, a, c, b]


async def test_a_move_is_refused_for_someone_elses_a_running_or_an_unknown_job(make_jobs):
    jobs = await make_jobs(concurrency=1)
    running = await submit(jobs, "alice", 2.0)
    waiting = await submit(jobs, "alice", 0.1)
    await eventually(lambda: status(jobs, running) != "pending", timeout=20, what="the first job running")
    with pytest.raises(JobNotFound):
        await jobs.service.move(owner="bob", job_id=waiting, to="front")
    with pytest.raises(JobNotFound):
        await jobs.service.move(owner="alice", job_id="no-such-job", to="front")
    with pytest.raises(JobStateError, match="waiting"):
        await jobs.service.move(owner="alice", job_id=running, to="front")
    for to, before in (("sideways", None), ("before", "no-such-job"), ("before", running)):
        with pytest.raises(JobStateError):
            await jobs.service.move(owner="alice", job_id=waiting, to=to, before=before)
    await jobs.wait_idle(timeout=30)
    assert start_order(jobs.db, [running, waiting]) == [running, waiting]


async def test_waiting_jobs_show_their_places_with_users_in_turn(make_jobs):
    jobs = await make_jobs(concurrency=1)
    blocker = await submit(jobs, "carol", 2.0)
    await eventually(lambda: status(jobs, blocker) != "pending", timeout=20, what="the slot taken")
    alice = [await submit(jobs, "alice", 0.05) for _ in range(2)]
    bob = await submit(jobs, "bob", 0.05)

    def places() -> dict[str, int]:
        return {job.id: job.place for owner in ("alice", "bob") for job in jobs.service.active(owner) if job.status == "pending"}

    seen = await eventually(lambda: (p := places()) and sorted(p.values()) == [1, 2, 3] and p, timeout=10, what="three places")
    assert seen[alice[0]] < seen[alice[1]] and seen[bob] < seen[alice[1]], f"bob's first comes before alice's second: {seen}"
    await jobs.wait_idle(timeout=30)
