"""Batches, the same in every mode (see conftest.py): a real database, real runners."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlmodel import Session, func, select

from genapp.jobs.batches import BatchNotFound, expand_preset, variations, variations_label
from genapp.jobs.errors import LimitReached
from genapp.jobs.limits import Limits
from genapp.jobs.requests import build_request
from genapp.jobs.retries import JobRetryPolicy
from genapp.models import Batch, Job, JobSummary
from tests.conftest import eventually

OWNER = "alice"


def counted(db, model) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def slow(job_type="item", **kw):
    return build_request(job_type=job_type, simulate_seconds=30, skip_image=True, **kw)


async def statuses(jobs, batch_id, owner=OWNER) -> list[str]:
    view = await jobs.service.batch(owner=owner, batch_id=batch_id)
    return [j.status for j in view.jobs]


async def test_variations_are_one_batch_of_n_jobs_that_all_complete(jobs):
    service = jobs.service
    base = build_request(job_type="character", prompt="a grumpy dwarven blacksmith", seed=500, skip_image=True)
    label = variations_label(base, 4)
    batch_id = await service.submit_batch(owner=OWNER, requests=variations(base, 4, seed_fixed=True), label=label)
    view = await service.batch(owner=OWNER, batch_id=batch_id)
    assert view.batch.label == "4 × Character: a grumpy dwarven blacksmith" and view.batch.owner == OWNER
    assert view.total == 4 and [j.seed for j in view.jobs] == [500, 501, 502, 503]
    assert {j.batch_id for j in view.jobs} == {batch_id}
    summaries = [JobSummary.of(j) for j in view.jobs]
    assert {(s.batch_id, s.batch_label, s.batch_size) for s in summaries} == {(batch_id, label, 4)}
    await jobs.wait_idle()
    view = await service.batch(owner=OWNER, batch_id=batch_id)
    assert view.counts == {"complete": 4} and view.done == 4 and view.progress == 100
    assert len({j.content["name"] for j in view.jobs}) > 1, "different seeds, different characters"
    assert [b.id for b in await service.batches(owner=OWNER)] == [batch_id]


async def test_a_preset_batch_creates_its_mix(jobs):
    label, requests = expand_preset("village", level=3, prompt="a fishing village", skip_image=True)
    batch_id = await jobs.service.submit_batch(owner=OWNER, requests=requests, label=label, kind="preset")
    view = await jobs.service.batch(owner=OWNER, batch_id=batch_id)
    assert sorted(j.type for j in view.jobs) == sorted(["npc"] * 6 + ["quest"] * 2 + ["encounter"])
    await jobs.wait_idle()
    view = await jobs.service.batch(owner=OWNER, batch_id=batch_id)
    assert view.counts == {"complete": 9}
    assert {j.content.get("level", j.content.get("party_level")) for j in view.jobs} == {3}


async def test_a_batch_over_the_limits_is_refused_whole(jobs):
    service = jobs.service
    service.limits = Limits(user_active=5, user_per_minute=100, pending_total=100)
    await service.submit(owner=OWNER, request=slow())
    await service.submit(owner=OWNER, request=slow())
    jobs_before, batches_before = counted(jobs.db, Job), counted(jobs.db, Batch)
    with pytest.raises(LimitReached, match="would queue 4 generations.*room for 3.*Nothing was started"):
        await service.submit_batch(owner=OWNER, requests=[slow() for _ in range(4)], label="too many")
    assert (counted(jobs.db, Job), counted(jobs.db, Batch)) == (jobs_before, batches_before), "nothing created"
    service.limits = Limits(user_active=100, user_per_minute=4, pending_total=100)
    with pytest.raises(LimitReached, match="started 2 in the last minute") as refused:
        await service.submit_batch(owner=OWNER, requests=[slow() for _ in range(3)], label="too fast")
    assert refused.value.retry_after and 1 <= refused.value.retry_after <= 60
    assert counted(jobs.db, Job) == jobs_before
    # exactly the room left is fine
    batch_id = await service.submit_batch(owner=OWNER, requests=[slow() for _ in range(2)], label="fits")
    assert len((await service.batch(owner=OWNER, batch_id=batch_id)).jobs) == 2
    await service.cancel_batch(owner=OWNER, batch_id=batch_id)
    for job in await service.list(owner=OWNER, statuses=["pending", "generating"]):
        await service.cancel(owner=OWNER, job_id=job.id)


async def test_cancel_all_stops_every_active_job_of_the_batch_only(make_jobs):
    jobs = await make_jobs(concurrency=2)
    service = jobs.service
    outside = await service.submit(owner=OWNER, request=slow())
    batch_id = await service.submit_batch(owner=OWNER, requests=[slow() for _ in range(4)], label="slow ones")
    await eventually(lambda: statuses(jobs, batch_id), what="the batch stored")
    # The active view (what the tile draws) keeps each job's batch while the runner reports its progress.
    await eventually(lambda: any(s.progress > 0 for s in service.active(OWNER) if s.batch_id), timeout=15, what="progress of the batch")
    in_batch = [s for s in service.active(OWNER) if s.id != outside]
    assert len(in_batch) == 4 and {(s.batch_id, s.batch_size) for s in in_batch} == {(batch_id, 4)}
    assert await service.cancel_batch(owner=OWNER, batch_id=batch_id) == 4
    await eventually(lambda: _all_in(jobs, batch_id, {"cancelled"}), timeout=15, what="every job of the batch cancelled")
    assert (await service.get(owner=OWNER, job_id=outside)).status in ("pending", "generating")
    assert await service.cancel_batch(owner=OWNER, batch_id=batch_id) == 0  # nothing left to cancel
    await service.cancel(owner=OWNER, job_id=outside)
    await jobs.wait_idle()


async def _all_in(jobs, batch_id, wanted: set[str]) -> bool:
    return set(await statuses(jobs, batch_id)) <= wanted


async def test_retry_failed_reruns_only_the_failed_ones(jobs):
    service = jobs.service
    service.retry_policy = JobRetryPolicy(attempts=1)  # the injected failure stays final: the batch's retry is what this tests
    good = build_request(job_type="quest", simulate_seconds=0.3, skip_image=True)
    bad = build_request(job_type="quest", simulate_seconds=0.3, fail_at=40, skip_image=True)  # fails its first attempt only
    batch_id = await service.submit_batch(owner=OWNER, requests=[good, bad, good, bad], label="half fail")
    await jobs.wait_idle()
    view = await service.batch(owner=OWNER, batch_id=batch_id)
    assert view.counts == {"complete": 2, "error": 2} and view.done == 4
    finished_first = {j.id: j.finished_at for j in view.jobs if j.status == "complete"}
    assert await service.retry_failed(owner=OWNER, batch_id=batch_id) == 2
    await jobs.wait_idle()
    view = await service.batch(owner=OWNER, batch_id=batch_id)
    assert view.counts == {"complete": 4}
    assert sorted(j.attempt for j in view.jobs) == [1, 1, 2, 2]
    assert {j.id: j.finished_at for j in view.jobs if j.attempt == 1} == finished_first, "the complete ones were left alone"
    assert await service.retry_failed(owner=OWNER, batch_id=batch_id) == 0


async def test_retry_failed_is_all_or_nothing_against_the_waiting_limit(jobs):
    service = jobs.service
    service.retry_policy = JobRetryPolicy(attempts=1)
    bad = build_request(job_type="item", simulate_seconds=0.2, fail_at=10, skip_image=True)
    batch_id = await service.submit_batch(owner=OWNER, requests=[bad, bad, bad], label="three fail")
    await jobs.wait_idle()
    service.limits = Limits(user_active=2, user_per_minute=100, pending_total=100)
    with pytest.raises(LimitReached, match="room for 2"):
        await service.retry_failed(owner=OWNER, batch_id=batch_id)
    assert (await service.batch(owner=OWNER, batch_id=batch_id)).counts == {"error": 3}, "none re-queued"


async def test_another_users_batch_is_the_same_as_a_missing_one(jobs):
    service = jobs.service
    batch_id = await service.submit_batch(owner=OWNER, requests=[slow(), slow()], label="alice's")
    assert await service.batch(owner="bob", batch_id=batch_id) is None
    assert await service.batch(owner="bob", batch_id="no-such-batch") is None
    for action in (service.cancel_batch, service.retry_failed, service.export_batch):
        with pytest.raises(BatchNotFound) as foreign:
            await action(owner="bob", batch_id=batch_id)
        with pytest.raises(BatchNotFound) as missing:
            await action(owner="bob", batch_id="no-such-batch")
        assert str(foreign.value).replace(batch_id, "?") == str(missing.value).replace("no-such-batch", "?")
    assert await service.batches(owner="bob") == []
    assert set(await statuses(jobs, batch_id)) <= {"pending", "generating"}, "bob changed nothing"
    await service.cancel_batch(owner=OWNER, batch_id=batch_id)
    await jobs.wait_idle()


async def test_a_guests_batch_moves_to_its_account(jobs):
    service = jobs.service
    batch_id = await service.submit_batch(owner="guest1", requests=[build_request(job_type="npc", skip_image=True)] * 2, label="guest's")
    await jobs.wait_idle()
    await service.transfer("guest1", "account1")
    assert await service.batch(owner="guest1", batch_id=batch_id) is None
    assert (await service.batch(owner="account1", batch_id=batch_id)).counts == {"complete": 2}


async def test_export_of_a_batch_holds_its_items(jobs):
    service = jobs.service
    await service.submit(owner=OWNER, request=build_request(job_type="item", skip_image=True))  # not in the batch
    base = build_request(job_type="npc", prompt="a harbour master", skip_image=True)
    batch_id = await service.submit_batch(owner=OWNER, requests=variations(base, 3, seed_fixed=False), label=variations_label(base, 3))
    await jobs.wait_idle()
    archive = zipfile.ZipFile(io.BytesIO(await service.export_batch(owner=OWNER, batch_id=batch_id)))
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["items"]) == 3 and {item["type"] for item in manifest["items"]} == {"npc"}
    ids = {j.id for j in (await service.batch(owner=OWNER, batch_id=batch_id)).jobs}
    assert len(ids) == 3
