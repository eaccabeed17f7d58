"""Fair use, the same in every mode: per-user and global limits refuse with a reason and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from genapp.jobs.errors import JobNotFound, LimitReached
from genapp.jobs.limits import Limits
from genapp.jobs.requests import build_request
from genapp.models import Job, utcnow
from tests.conftest import eventually


def long_job():
    return build_request(job_type="item", simulate_seconds=60, skip_image=True)


def rows(db) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(Job)).one()


async def test_a_user_at_the_active_limit_is_refused_and_others_are_not(jobs):
    jobs.service.limits = Limits(user_active=3, user_per_minute=100, pending_total=100)
    ids = [await jobs.service.submit(owner="alice", request=long_job()) for _ in range(3)]
    before = rows(jobs.db)
    with pytest.raises(LimitReached, match="3 generations queued or running, the most one user may have") as refused:
        await jobs.service.submit(owner="alice", request=long_job())
    assert refused.value.retry_after is None  # when one of hers finishes
    assert rows(jobs.db) == before, "a refused submission changed nothing"
    await jobs.service.submit(owner="bob", request=long_job())  # another user is not held by alice's limit
    await jobs.service.cancel(owner="alice", job_id=ids[0])
    await eventually(lambda: jobs.active_rows() and ids[0] not in {j.id for j in jobs.active_rows()}, what="the cancel landed")
    # a cancelled job frees a place; retrying it takes one again
    await jobs.service.submit(owner="alice", request=long_job())
    with pytest.raises(LimitReached):
        await jobs.service.retry(owner="alice", job_id=ids[0])
    # ownership is told before limits: bob cannot learn that alice's job exists
    with pytest.raises(JobNotFound):
        await jobs.service.retry(owner="bob", job_id=ids[0])


async def test_the_submission_rate_says_when_to_try_again(jobs):
    jobs.service.limits = Limits(user_active=100, user_per_minute=2, pending_total=100)
    first = await jobs.service.submit(owner="alice", request=build_request(job_type="item", skip_image=True))
    await jobs.service.submit(owner="alice", request=build_request(job_type="item", skip_image=True))
    with pytest.raises(LimitReached, match=r"started 2 generations in the last minute.*Try again in \d+ s") as refused:
        await jobs.service.submit(owner="alice", request=build_request(job_type="item", skip_image=True))
    assert 1 <= refused.value.retry_after <= 60
    await jobs.service.submit(owner="bob", request=build_request(job_type="item", skip_image=True))
    # a minute later (the first submission moved out of the window) she may again
    with Session(jobs.db) as session:
        job = session.get(Job, first)
        job.created_at = utcnow() - timedelta(seconds=61)
        session.add(job)
        session.commit()
    await jobs.service.submit(owner="alice", request=build_request(job_type="item", skip_image=True))


async def test_a_full_queue_refuses_everyone_with_a_reason(make_jobs):
    jobs = await make_jobs(concurrency=1)
    jobs.service.limits = Limits(user_active=100, user_per_minute=100, pending_total=2)
    await jobs.service.submit(owner="alice", request=long_job())
    await eventually(lambda: [j.status for j in jobs.active_rows()] == ["generating"], timeout=30, what="alice's job running")
    for owner in ("bob", "carol"):  # they wait
        await jobs.service.submit(owner=owner, request=long_job())
    await eventually(lambda: sum(j.status == "pending" for j in jobs.active_rows()) == 2 and len(jobs.active_rows()) == 3,
                     timeout=30, what="one running, two waiting")
    with pytest.raises(LimitReached, match="genapp is busy: 2 generations are waiting") as refused:
        await jobs.service.submit(owner="dave", request=long_job())
    assert refused.value.retry_after == 60
