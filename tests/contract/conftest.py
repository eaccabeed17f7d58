"""One contract for every mode: the same tests drive the job service, whatever runs the jobs.

`make_jobs(concurrency=...)` gives a running `JobSystem`: the backend's job service, the database
it stands on, and how to wait for, stop and restart whatever runs the jobs. The embedded mode runs
them in this process (local dispatcher, in-process channel, SQLite).
"""

from __future__ import annotations

import pytest

from genapp.jobs.embedded import embedded_service
from genapp.jobs.service import JobService
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


@pytest.fixture(params=["embedded"])
async def make_jobs(request):
    systems: list[JobSystem] = []

    async def make(concurrency: int = 4) -> JobSystem:
        if request.param == "embedded":
            system = EmbeddedJobs(request.getfixturevalue("db"), concurrency)
        else:
            raise AssertionError(request.param)
        await system.service.start()
        systems.append(system)
        return system

    yield make
    for system in systems:
        await system.close()


@pytest.fixture
async def jobs(make_jobs) -> JobSystem:
    return await make_jobs()
