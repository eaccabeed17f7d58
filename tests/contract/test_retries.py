"""Automatic retries, the same in every mode (see conftest.py): transient faults run again after a backoff,
permanent ones do not, the runs are bounded, a waiting retry can be cancelled, and each run is in the history."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import Session

from genapp.config import Settings
from genapp.jobs.events import EventKind
from genapp.jobs.requests import build_request
from genapp.jobs.retries import JobRetryPolicy, aware
from genapp.models import Job, utcnow
from genapp.providers import providers_from_settings
from tests.conftest import eventually
from tests.fakes.provider_server import FakeProviderServer, Fault

OWNER = "alice"
KEY = "sk-retries-test"
QUICK = JobRetryPolicy(attempts=3, base_seconds=0.05, max_seconds=0.2)


def row(db, job_id: str) -> Job:
    with Session(db) as session:
        return session.get(Job, job_id)


class Stages:
    """The stage of every status event the service passes on (what the tile shows)."""

    def __init__(self, jobs):
        self.seen: list[tuple[str, str, str]] = []
        self.ready = asyncio.Event()
        self._task = asyncio.create_task(self._collect(jobs.service))

    async def _collect(self, service):
        async for event in service.watch():
            if event.kind == EventKind.RESYNC:
                self.ready.set()
            elif event.kind == EventKind.STATUS and event.summary is not None:
                self.seen.append((event.job_id, event.summary.status, event.summary.stage))

    def statuses(self, job_id: str) -> list[str]:
        out: list[str] = []
        for seen_id, status, _ in self.seen:
            if seen_id == job_id and (not out or out[-1] != status):
                out.append(status)
        return out

    def close(self):
        self._task.cancel()


async def stages(jobs) -> Stages:
    watcher = Stages(jobs)
    await asyncio.wait_for(watcher.ready.wait(), 5)
    return watcher


async def use_llm(jobs, server: FakeProviderServer, key: str = KEY) -> None:
    """Whatever runs the jobs talks to the fake LLM, one request per run (the provider's own retries off)."""
    env = {"llm_base_url": f"{server.url}/v1", "llm_model": "fake-model", "llm_api_key": key, "provider_max_attempts": "1"}
    if jobs.mode == "embedded":
        jobs.service.dispatcher.runner.providers = providers_from_settings(Settings(_env_file=None, **env))
    else:
        for worker in jobs.workers:
            jobs.stop_worker(worker)
        jobs.start_worker(**{f"GENAPP_{k.upper()}": v for k, v in env.items()})


def llm_request(**kw):
    return build_request(job_type="item", skip_image=True, text_source="llm", llm_configured=True, **kw)


def chats(server: FakeProviderServer) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/chat/completions"))


@pytest.fixture
def llm_server():
    with FakeProviderServer(api_key=KEY) as server:
        yield server


async def test_transient_fault_is_retried_then_succeeds_and_recorded(jobs):
    watcher = await stages(jobs)
    jobs.service.retry_policy = QUICK
    job_id = await jobs.service.submit(owner=OWNER, request=build_request(job_type="character", simulate_seconds=0.3, fail_at=40))
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "complete" and job.error is None and job.retry_at is None and job.attempt == 2
    [first] = job.attempts
    assert first["attempt"] == 1 and first["status"] == "error" and first["automatic"] is True
    assert "Injected failure at 40%" in first["error"] and first["started_at"] and first["finished_at"]
    assert 0.05 <= first["wait_seconds"] <= 0.2 and first["retry_at"]
    assert aware(job.started_at) >= aware(Job.model_validate({**job.model_dump(), "retry_at": first["retry_at"]}).retry_at) - timedelta(milliseconds=50)
    await eventually(lambda: watcher.statuses(job_id)[-1:] == ["complete"], what="the last event")
    waiting = [stage for seen_id, status, stage in watcher.seen if seen_id == job_id and status == "pending" and stage.startswith("Retrying")]
    assert waiting and "(attempt 2 of 3): Injected failure at 40%" in waiting[0]
    assert watcher.statuses(job_id) == ["pending", "generating", "pending", "generating", "content-complete", "image-generating", "complete"]
    watcher.close()


async def test_a_failed_illustration_is_retried_without_redoing_the_content(jobs):
    watcher = await stages(jobs)
    jobs.service.retry_policy = QUICK
    job_id = await jobs.service.submit(owner=OWNER, request=build_request(job_type="npc", simulate_seconds=0.3, fail_at=95))
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "complete" and job.attempt == 2 and job.attempts[0]["progress"] >= 80
    await eventually(lambda: watcher.statuses(job_id)[-1:] == ["complete"], what="the last event")
    # the content phase ran once: the second run started at the illustration
    assert watcher.statuses(job_id) == ["pending", "generating", "content-complete", "image-generating", "pending", "image-generating", "complete"]
    watcher.close()


async def test_provider_outage_is_retried_then_succeeds(jobs, llm_server):
    await use_llm(jobs, llm_server)
    jobs.service.retry_policy = QUICK
    llm_server.script(Fault.status(503, message="restarting"))
    job_id = await jobs.service.submit(owner=OWNER, request=llm_request(prompt="a lantern"))
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "complete" and job.attempt == 2 and chats(llm_server) == 2
    assert "HTTP 503" in job.attempts[0]["error"] and job.attempts[0]["automatic"]


async def test_permanent_fault_is_not_retried(jobs, llm_server):
    await use_llm(jobs, llm_server, key="sk-wrong")  # the server refuses the key: HTTP 401
    jobs.service.retry_policy = QUICK
    job_id = await jobs.service.submit(owner=OWNER, request=llm_request(prompt="a cursed ring"))
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "error" and "refused the API key" in job.error
    assert job.attempt == 1 and job.attempts == [] and job.retry_at is None and chats(llm_server) == 1


async def test_attempts_are_bounded_and_each_is_in_the_history(jobs, llm_server):
    await use_llm(jobs, llm_server)
    jobs.service.retry_policy = QUICK
    llm_server.script(*[Fault.status(500, message="still down")] * 3)
    job_id = await jobs.service.submit(owner=OWNER, request=llm_request(prompt="a broken sword"))
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "error" and "HTTP 500" in job.error and job.stage == "Failed"
    assert job.attempt == 3 and chats(llm_server) == 3
    assert [a["attempt"] for a in job.attempts] == [1, 2] and all(a["automatic"] and "HTTP 500" in a["error"] for a in job.attempts)
    # the manual retry still works for a job that ended error, and starts a new series of runs
    assert llm_server.faults_pending == 0  # the outage is over
    await jobs.service.retry(owner=OWNER, job_id=job_id)
    await jobs.wait_idle()
    job = row(jobs.db, job_id)
    assert job.status == "complete" and job.attempt == 4 and len(job.attempts) == 3 and not job.attempts[2].get("automatic")


async def test_one_jobs_retries_never_touch_another(jobs):
    jobs.service.retry_policy = JobRetryPolicy(attempts=3, base_seconds=0.5, max_seconds=1.0)
    flaky = await jobs.service.submit(owner=OWNER, request=build_request(job_type="item", simulate_seconds=0.2, fail_at=10))
    steady = await jobs.service.submit(owner=OWNER, request=build_request(job_type="item", simulate_seconds=0.2))
    await eventually(lambda: row(jobs.db, steady).status == "complete", what="the steady job done")
    assert row(jobs.db, steady).attempt == 1 and row(jobs.db, steady).attempts == []
    await jobs.wait_idle()
    assert row(jobs.db, flaky).status == "complete" and row(jobs.db, flaky).attempt == 2


async def test_cancel_while_waiting_for_the_retry(jobs):
    jobs.service.retry_policy = JobRetryPolicy(attempts=3, base_seconds=0.5, max_seconds=1.5)
    job_id = await jobs.service.submit(owner=OWNER, request=build_request(job_type="quest", simulate_seconds=0.2, fail_at=10))
    waiting = await eventually(lambda: (j := row(jobs.db, job_id)).retry_at is not None and j.status == "pending" and j, what="the retry scheduled")
    assert waiting.stage.startswith("Retrying in ") and "(attempt 2 of 3)" in waiting.stage
    await jobs.service.cancel(owner=OWNER, job_id=job_id)
    cancelled = row(jobs.db, job_id)  # at once: nothing was running
    assert cancelled.status == "cancelled" and cancelled.retry_at is None and cancelled.finished_at is not None
    assert [s.id for s in jobs.service.active(OWNER)] == [] or await eventually(lambda: jobs.service.active(OWNER) == [], what="the view")
    # past the due time (and a scaled worker's next poll), the timer has not brought it back
    due = aware(waiting.retry_at)
    await eventually(lambda: utcnow() > due + timedelta(seconds=2.5), timeout=10, what="the due time gone by")
    job = row(jobs.db, job_id)
    assert job.status == "cancelled" and job.attempt == 2 and job.started_at is None
    # and a manual retry of it runs (a new series)
    await jobs.service.retry(owner=OWNER, job_id=job_id)
    await jobs.wait_idle()
    assert row(jobs.db, job_id).status == "complete"


async def test_a_scheduled_retry_survives_a_restart(jobs):
    """The process (embedded) or the workers (scaled) go away while a job waits for its retry: once they are
    back, it runs, and not before its due time."""
    jobs.service.retry_policy = JobRetryPolicy(attempts=3, base_seconds=1.0, max_seconds=3.0)
    job_id = await jobs.service.submit(owner=OWNER, request=build_request(job_type="item", simulate_seconds=0.2, fail_at=10))
    waiting = await eventually(lambda: (j := row(jobs.db, job_id)).retry_at is not None and j, what="the retry scheduled")
    await jobs.stop_runners()
    assert row(jobs.db, job_id).status == "pending"
    await jobs.start_runners()
    if jobs.mode == "embedded":
        await jobs.service.start()
    await jobs.wait_idle(timeout=30)
    job = row(jobs.db, job_id)
    assert job.status == "complete" and job.attempt == 2
    assert aware(job.started_at) >= aware(waiting.retry_at) - timedelta(milliseconds=50)
