"""Users take turns, the same in every mode: one user's backlog delays another user's next job by at
most one job slot, each user's own jobs start in the order they were submitted, and a cancelled
waiting job costs its owner no turn. (Embedded: FairQueue. Scaled: Procrastinate priorities.)

Start order is read from the rows' started_at. Two runs taken at the same instant race to write it,
which would blur the order measured (not the order they were taken in), so these tests keep slots
from freeing at the same moment: one slot, or two whose jobs end 0.2 s apart.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from genapp.jobs.requests import build_request
from genapp.models import Job, utcnow
from tests.conftest import eventually
from tests.contract.conftest import ScaledJobs
from tests.contract.test_jobs import row


async def submit(jobs, owner: str, seconds: float) -> str:
    request = build_request(job_type="item", simulate_seconds=seconds, skip_image=True)
    return await jobs.service.submit(owner=owner, request=request)


def started(db) -> list[Job]:
    """The jobs that started, in the order they started."""
    with Session(db) as session:
        return list(session.exec(select(Job).where(col(Job.started_at).is_not(None)).order_by(col(Job.started_at))))


def running(jobs) -> int:
    return sum(j.status != "pending" for j in jobs.active_rows())


async def test_a_newcomer_waits_for_at_most_one_job_of_another_users_backlog(make_jobs):
    jobs = await make_jobs(concurrency=2)
    # alice's first two hold both slots while everything is queued; they end 0.2 s apart, and so do
    # the two slots' later jobs (0.4 s each)
    alice = [await submit(jobs, "alice", 1.5), await submit(jobs, "alice", 1.7)]
    alice += [await submit(jobs, "alice", 0.4) for _ in range(18)]
    await eventually(lambda: running(jobs) == 2, timeout=30, what="both slots busy with alice's jobs")
    queued = utcnow()
    bob = await submit(jobs, "bob", 0.4)
    position = await jobs.service.queue_position(bob)
    assert [j.id for j in started(jobs.db)] == alice[:2], "a slot freed while bob was queued: the measure would be off"
    await jobs.wait_idle(timeout=60)

    order = started(jobs.db)
    after = [j for j in order if j.started_at >= queued]  # what started once bob's job was queued
    place = [j.id for j in after].index(bob) + 1
    wait = (row(jobs.db, bob).started_at - queued).total_seconds()
    print(f"\nFIGURE ({jobs.mode}): behind alice's 2 running and 18 waiting, bob's job was number {place} to start of the "
          f"{len(after)} queued (first come, first served: number {len(after)}), {wait:.2f} s after it was queued; "
          f"its queue position then: {position}")
    assert place <= 2, f"bob's job waited for {place - 1} of alice's"
    assert position is not None and position <= 2
    assert [j.id for j in order if j.id != bob] == alice, "alice's jobs started in the order she submitted them"


async def test_cancelled_waiting_jobs_cost_their_owner_no_turn(make_jobs):
    jobs = await make_jobs(concurrency=1)
    hold = await submit(jobs, "alice", 60)  # holds the one slot while the line is made
    await eventually(lambda: row(jobs.db, hold).status == "generating", timeout=30, what="the slot busy")
    a = [await submit(jobs, "alice", 0.1) for _ in range(5)]
    for job_id in a[1:3]:
        await jobs.service.cancel(owner="alice", job_id=job_id)
    b = [await submit(jobs, "bob", 0.1) for _ in range(3)]
    expected = [a[0], b[0], a[3], b[1], a[4], b[2]]  # in turn, as if alice had never queued the two
    assert [await jobs.service.queue_position(job_id) for job_id in expected] == [1, 2, 3, 4, 5, 6]
    await jobs.service.cancel(owner="alice", job_id=hold)
    await jobs.wait_idle()
    assert [j.id for j in started(jobs.db) if j.id != hold] == expected


@pytest.fixture
async def scaled(pg_db, tmp_path):
    system = ScaledJobs(pg_db, 1, tmp_path)
    await system.service.start()
    yield system
    await system.close()


async def test_a_run_the_sweeper_queues_again_rejoins_the_turn_being_served(scaled):
    """Scaled only (the embedded mode has no sweeper: it resumes everything at start, oldest first)."""
    scaled.start_worker(concurrency=1)
    hold = await submit(scaled, "carol", 60)
    await eventually(lambda: row(scaled.db, hold).status == "generating", timeout=30, what="the slot busy")
    a = [await submit(scaled, "alice", 0.1) for _ in range(3)]
    b = [await submit(scaled, "bob", 0.1) for _ in range(3)]
    lost = b[2]
    ref = row(scaled.db, lost).dispatch_ref
    with scaled.db.begin() as connection:  # its run ends without running it, as when its worker shuts down
        connection.execute(sa.text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"), {"id": int(ref)})
    await eventually(lambda: row(scaled.db, lost).dispatch_ref != ref, timeout=10, what="the sweeper's new run")
    # not behind everyone (7th), not even behind bob's own (6th): with the turn being served
    assert await scaled.service.queue_position(lost) == 3
    await scaled.service.cancel(owner="carol", job_id=hold)
    await scaled.wait_idle()
    assert [j.id for j in started(scaled.db) if j.id != hold] == [a[0], b[0], lost, a[1], b[1], a[2]]
