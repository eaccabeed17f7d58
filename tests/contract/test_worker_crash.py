"""Scaled mode: a worker killed with kill -9 mid-job loses nothing, and a cancel reaches a worker fast.

Each test prints its measured figure (FIGURE: ...; shown with `pytest -s`).
"""

from __future__ import annotations

import os
import subprocess
import signal
import time

import pytest

from genapp.jobs.events import EventKind
from genapp.jobs.requests import build_request
from tests.conftest import eventually
from tests.contract.conftest import ScaledJobs
from tests.contract.test_jobs import recorder, row

OWNER = "crash"


@pytest.fixture
async def scaled(pg_db, tmp_path):
    system = ScaledJobs(pg_db, 1, tmp_path)
    await system.service.start()
    yield system
    await system.close()


async def test_kill_9_of_a_worker_mid_job_completes_it_once_on_another_without_redoing_content(scaled):
    first = scaled.start_worker(concurrency=1)  # alone, so the job is surely on it
    rec = await recorder(scaled)
    job_id = await scaled.service.submit(owner=OWNER, request=build_request(job_type="npc", simulate_seconds=12))
    # the image phase is the last 20% (from 9.6 s): kill in it, with the content stored
    await eventually(lambda: row(scaled.db, job_id).status == "image-generating", timeout=40, what="the image phase")
    content = row(scaled.db, job_id).content
    scaled.start_worker(concurrency=1)  # the one that will take over
    seen_before = len(rec.events)
    os.kill(first.pid, signal.SIGKILL)
    killed = time.monotonic()
    await eventually(lambda: row(scaled.db, job_id).status == "complete", timeout=60, interval=0.05, what="completion elsewhere")
    print(f"\nFIGURE: kill -9 of the worker mid-job -> complete on the other worker in {time.monotonic() - killed:.1f} s")
    job = row(scaled.db, job_id)
    assert job.attempt == 1 and job.content == content and job.image
    await eventually(lambda: rec.statuses(job_id)[-1:] == ["complete"], what="the completion event")
    after = [e.status for e in rec.events[seen_before:] if e.job_id == job_id and e.kind == EventKind.STATUS]
    assert "generating" not in after, f"the content phase was redone: {after}"
    completions = [e for e in rec.events if e.job_id == job_id and e.kind == EventKind.STATUS and e.status == "complete"]
    assert len(completions) == 1, "completed exactly once"
    rec.close()


async def test_cancel_of_a_running_job_reaches_the_worker_within_a_second(scaled):
    scaled.start_worker()
    latencies = []
    for _ in range(3):
        job_id = await scaled.service.submit(owner=OWNER, request=build_request(job_type="item", simulate_seconds=30))
        await eventually(lambda: row(scaled.db, job_id).status == "generating", timeout=30, what="running on the worker")
        started = time.monotonic()
        await scaled.service.cancel(owner=OWNER, job_id=job_id)
        await eventually(lambda: row(scaled.db, job_id).status == "cancelled", timeout=1.0, interval=0.005, what="cancelled within 1 s")
        latencies.append(time.monotonic() - started)
    print(f"\nFIGURE: cancel -> CANCELLED row, scaled mode: {', '.join(f'{s * 1000:.0f} ms' for s in latencies)}")


def _postgres(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True, capture_output=True, timeout=120)


def _postgres_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10).returncode == 0


async def test_postgres_restarted_mid_jobs_loses_nothing(scaled):
    scaled.start_worker(concurrency=4)
    ids = [await scaled.service.submit(owner=OWNER, request=build_request(job_type="quest", simulate_seconds=6)) for _ in range(4)]
    await eventually(lambda: all(row(scaled.db, i).status != "pending" for i in ids), timeout=40, what="all four running")
    try:
        _postgres("restart")
    finally:
        if not _postgres_up():
            _postgres("start")
    back = time.monotonic()

    def statuses():
        try:
            return [row(scaled.db, i).status for i in ids]
        except Exception:  # the test's own pool meets the restart too
            return []

    await eventually(lambda: statuses() == ["complete"] * 4, timeout=90, interval=0.2, what="every job complete after the restart")
    print(f"\nFIGURE: Postgres restarted mid-jobs -> all 4 complete {time.monotonic() - back:.1f} s after it was back")
    assert all(row(scaled.db, i).attempt == 1 for i in ids)


REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no",
               "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


def _redis_up() -> bool:
    return subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=10).stdout.strip() == "PONG"


async def test_redis_restarted_mid_jobs_the_view_equals_the_database_within_5_s(scaled):
    scaled.start_worker(concurrency=4)
    ids = [await scaled.service.submit(owner=OWNER, request=build_request(job_type="item", simulate_seconds=s)) for s in (2, 4, 30, 30)]
    await eventually(lambda: len(scaled.service.active(OWNER)) == 4, timeout=30, what="four jobs in the view")
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=10)
        await eventually(lambda: not _redis_up(), timeout=10, what="Redis down")
        # while it is down the short jobs finish: their events are lost, the database has them
        await eventually(lambda: row(scaled.db, ids[1]).status == "complete", timeout=30, what="jobs finishing without Redis")
    finally:
        if not _redis_up():
            subprocess.run(REDIS_START, capture_output=True, timeout=30)
    await eventually(_redis_up, timeout=10, what="Redis back")
    back = time.monotonic()

    def view_equals_database():
        truth = {j.id: j.status for j in scaled.active_rows()}
        seen = {s.id: s.status for s in scaled.service.active(OWNER)}
        return truth == seen and set(truth) == set(ids[2:])

    await eventually(view_equals_database, timeout=5, interval=0.05, what="the view equal to the database")
    print(f"\nFIGURE: Redis restarted -> the backend's view of active jobs equals the database {time.monotonic() - back:.2f} s after Redis was back")
    for job_id in ids[2:]:
        await scaled.service.cancel(owner=OWNER, job_id=job_id)
