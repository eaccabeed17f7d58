"""The embedded dispatcher's fair order: users in turn, each user's own jobs in order."""

from __future__ import annotations

import random

from sqlmodel import Session, select

from genapp.jobs.dispatch.fair import FairQueue
from genapp.jobs.embedded import embedded_service
from genapp.jobs.requests import build_request
from genapp.models import Job


def drain(queue: FairQueue) -> list[str]:
    out = []
    while queue:
        out.append(queue.pop()[0])
    return out


def test_users_take_turns_and_keep_their_own_order():
    queue = FairQueue()
    for i in range(5):
        queue.push(f"a{i}", "alice")
    queue.push("b0", "bob")
    queue.push("b1", "bob")
    queue.push("c0", "carol")
    assert drain(queue) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4"]


def test_a_newcomer_waits_for_at_most_one_job_of_a_user_with_a_backlog():
    queue = FairQueue()
    for i in range(50):
        queue.push(f"a{i}", "alice")
    queue.pop()  # alice's first is running
    queue.push("b0", "bob")
    assert queue.position("b0") == 2
    assert [queue.pop()[0], queue.pop()[0]] == ["a1", "b0"]


def test_positions_are_the_order_jobs_will_start_in():
    rng = random.Random(7)
    for _ in range(200):
        queue, pushed = FairQueue(), []
        for i in range(rng.randint(1, 30)):
            job = f"j{i}"
            queue.push(job, rng.choice("abcd"))
            pushed.append(job)
            if rng.random() < 0.2:
                queue.pop()
            if rng.random() < 0.1:
                queue.remove(rng.choice(pushed))
        positions = {job: queue.position(job) for job in pushed if job in queue}
        order = drain(queue)
        assert positions == {job: i + 1 for i, job in enumerate(order)}


def test_removing_and_pushing_twice_change_nothing_else():
    queue = FairQueue()
    queue.push("a0", "alice")
    queue.push("a0", "alice")
    queue.push("b0", "bob")
    assert queue.remove("a0") and not queue.remove("a0")
    assert queue.position("a0") is None and len(queue) == 1
    assert drain(queue) == ["b0"]


async def test_embedded_service_runs_a_second_users_job_after_at_most_one_of_the_first(db):
    service = embedded_service(db, concurrency=1, flush_interval=0.05)
    await service.start()
    try:
        alice = [await service.submit(owner="alice", request=build_request(job_type="item", simulate_seconds=0.3, skip_image=True))
                 for _ in range(6)]
        bob = await service.submit(owner="bob", request=build_request(job_type="item", simulate_seconds=0.3, skip_image=True))
        assert await service.queue_position(bob) <= 2  # alice's first runs (or is next), then at most one more of hers
        await service.dispatcher.wait_idle()
        with Session(db) as session:
            started = [job.id for job in session.exec(select(Job).order_by(Job.started_at))]
        assert started.index(bob) <= 2, f"bob's job started {started.index(bob) + 1}th"
        assert [j for j in started if j != bob] == alice, "alice's jobs kept their order"
    finally:
        await service.stop()
        service.store.close()
