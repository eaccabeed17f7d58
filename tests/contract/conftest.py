"""One contract for every mode: the same tests drive the job service, whatever runs the jobs.

`make_jobs(concurrency=...)` gives a running `JobSystem`: the backend's job service, the database
it stands on, and how to wait for, stop and restart whatever runs the jobs.
- embedded: jobs run in this process (local dispatcher, in-process channel, SQLite);
- scaled: this process is a backend (Procrastinate dispatcher, Redis channel, a fresh Postgres
  database), and real `genapp worker` processes run the jobs.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from genapp.jobs.dispatch.procrastinate import ProcrastinateDispatcher, procrastinate_app
from genapp.jobs.embedded import embedded_service
from genapp.jobs.redis_channel import RedisChannel
from genapp.jobs.service import JobService
from genapp.jobs.store import JobStore
from genapp.media import MediaStore
from genapp.jobs.status import ACTIVE_VALUES
from genapp.models import Job
from sqlmodel import Session, col, select
from tests.conftest import eventually


class JobSystem:
    """What a contract test may use: the service, the database, and control over the job runners."""

    mode = "?"

    def __init__(self, service: JobService, db):
        self.service, self.db = service, db

    def active_rows(self) -> list[Job]:
        with Session(self.db) as session:
            return list(session.exec(select(Job).where(col(Job.status).in_(list(ACTIVE_VALUES)))))

    async def wait_idle(self, timeout: float = 30.0) -> None:
        """Until no job is pending or running in the database."""
        await eventually(lambda: not self.active_rows(), timeout=timeout, interval=0.02, what="every job finished")

    async def stop_runners(self) -> None:
        """Whatever runs jobs goes away mid-job, as a graceful shutdown does: active rows stay active."""
        raise NotImplementedError

    async def start_runners(self) -> None:
        raise NotImplementedError

    async def resume(self, job_id: str) -> None:
        """A row a test made active by hand gets run again as a crashed one would (embedded: at start, by itself)."""

    async def close(self) -> None:
        raise NotImplementedError


class EmbeddedJobs(JobSystem):
    mode = "embedded"

    def __init__(self, db, concurrency: int):
        self._concurrency = concurrency
        super().__init__(self._service(db), db)

    def _service(self, db) -> JobService:
        return embedded_service(db, concurrency=self._concurrency, flush_interval=0.1)

    async def stop_runners(self) -> None:
        await self.service.stop()  # the backend process goes away: it is what runs jobs here

    async def start_runners(self) -> None:
        self.service = self._service(self.db)
        await self.service.start()

    async def close(self) -> None:
        await self.service.stop()


REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


class ScaledJobs(JobSystem):
    """A backend's service in this process; `genapp worker` subprocesses run the jobs."""

    mode = "scaled"

    def __init__(self, db, concurrency: int, tmp: Path):
        self._concurrency, self._tmp = concurrency, tmp
        self.url = db.url.render_as_string(hide_password=False)
        self.channel_name = f"genapp:test:{secrets.token_hex(4)}"
        self.workers: list[subprocess.Popen] = []
        store = JobStore(db, flush_interval=0.1)
        dispatcher = ProcrastinateDispatcher(app=procrastinate_app(self.url), store=store)
        channel = RedisChannel(REDIS_URL, channel=self.channel_name)
        super().__init__(JobService(store=store, dispatcher=dispatcher, channel=channel, media=MediaStore(tmp / "media")), db)

    def worker_env(self, **extra: str) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GENAPP_")}
        return {
            **clean,
            "GENAPP_MODE": "scaled",
            "GENAPP_DB_URL": self.url,
            "GENAPP_REDIS_URL": REDIS_URL,
            "GENAPP_REDIS_CHANNEL": self.channel_name,
            "GENAPP_MEDIA_DIR": str(self._tmp / "media"),
            "GENAPP_DB_FLUSH_SECONDS": "0.1",
            "GENAPP_WORKER_HEARTBEAT_SECONDS": "0.5",
            "GENAPP_WORKER_STALLED_SECONDS": "3",
            "GENAPP_WORKER_SWEEP_SECONDS": "0.5",
            "GENAPP_WORKER_SHUTDOWN_SECONDS": "0",  # a stop leaves running jobs active, as a crash would
            **extra,
        }

    def start_worker(self, concurrency: int | None = None, **env: str) -> subprocess.Popen:
        log = (self._tmp / f"worker-{len(self.workers)}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "genapp.cli", "worker", "--concurrency", str(concurrency or self._concurrency)],
            cwd=REPO,
            env=self.worker_env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def stop_worker(self, worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        if worker.poll() is None:
            worker.send_signal(sig)
            worker.wait(timeout=30)

    async def stop_runners(self) -> None:
        for worker in self.workers:
            self.stop_worker(worker)

    async def start_runners(self) -> None:
        self.start_worker()

    async def resume(self, job_id: str) -> None:
        await self.service.dispatcher.resume(job_id)

    async def close(self) -> None:
        for worker in self.workers:
            self.stop_worker(worker, signal.SIGKILL)
        await self.service.stop()
        await self.service.channel.aclose()


@pytest.fixture(params=["embedded", "scaled"])
async def make_jobs(request, tmp_path):
    systems: list[JobSystem] = []

    async def make(concurrency: int = 4) -> JobSystem:
        if request.param == "embedded":
            system = EmbeddedJobs(request.getfixturevalue("db"), concurrency)
        else:
            system = ScaledJobs(request.getfixturevalue("pg_db"), concurrency, tmp_path)
            system.start_worker()
        await system.service.start()
        systems.append(system)
        return system

    yield make
    for system in systems:
        await system.close()


@pytest.fixture
async def jobs(make_jobs) -> JobSystem:
    return await make_jobs()
