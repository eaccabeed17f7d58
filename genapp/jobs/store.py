"""The job store: every read and write of job rows, off the event loop.

- Status is written before anyone hears of it (the caller publishes after `await`).
- Progress is noted in memory at full rate and written about once per `flush_interval`.
- A runner's writes are conditional on the run token it claimed and on the job being active,
  so a runner that lost its claim (the job was cancelled, removed, or re-run elsewhere after a
  crash) changes nothing, and completion is one active -> finished update.
The database calls are synchronous SQLAlchemy run in the store's own threads: the backend's event
loop never waits on the database. SQLite gets one thread (one writer at a time anyway; several
threads would only meet in its lock and sleep in its busy handler), Postgres a few.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from genapp.jobs.errors import JobNotFound, JobStateError
from genapp.jobs.status import ACTIVE_VALUES, RETRYABLE, RUNNING, JobStatus
from genapp.models import Job, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

_ACTIVE = list(ACTIVE_VALUES)
_RUNNING = [s.value for s in RUNNING]


@dataclass(frozen=True, slots=True)
class Admission:
    user_active: int  # the user's pending + running jobs
    user_recent: int  # the user's jobs created since the window's start
    user_oldest_recent: datetime | None  # the oldest of those
    pending_total: int  # every user's pending jobs


@dataclass(slots=True)
class _Progress:
    token: str
    progress: float
    stage: str
    eta: float | None


class JobStore:
    def __init__(self, db: sa.Engine, *, flush_interval: float = 1.0):
        self.db = db
        self.flush_interval = flush_interval
        self._dirty: dict[str, _Progress] = {}
        self._flusher: asyncio.Task | None = None
        threads = 1 if db.dialect.name == "sqlite" else 8
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="genapp-db")

    # ----- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        self._flusher = asyncio.create_task(self._flush_loop(), name="genapp-progress-flush")

    async def stop(self) -> None:
        if self._flusher:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None
        await self.flush()

    def close(self) -> None:
        """Release the threads and the connections (after `stop`)."""
        self._threads.shutdown(wait=True)
        self.db.dispose()

    # ----- reads -----------------------------------------------------------------------

    async def get(self, job_id: str, *, owner: str | None = None) -> Job | None:
        """The job, or None when it does not exist or belongs to someone else."""
        return await self._call(self._get, job_id, owner)

    async def require(self, job_id: str, *, owner: str) -> Job:
        job = await self.get(job_id, owner=owner)
        if job is None:
            raise JobNotFound(f"No job {job_id!r} for this user.")
        return job

    async def list(
        self,
        *,
        owner: str,
        statuses: Iterable[str] | None = None,
        job_type: str | None = None,
        limit: int = 50,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        after: tuple[datetime, str] | None = None,
    ) -> list[Job]:
        """The owner's jobs, newest first; `after` (created_at, id) of the last row seen continues a page
        (a keyset: no row is skipped or repeated when jobs are added meanwhile)."""
        query = select(Job).where(col(Job.owner) == owner)
        if statuses is not None:
            query = query.where(col(Job.status).in_(list(statuses)))
        if job_type is not None:
            query = query.where(col(Job.type) == job_type)
        if created_after is not None:
            query = query.where(col(Job.created_at) >= created_after)
        if created_before is not None:
            query = query.where(col(Job.created_at) < created_before)
        if after is not None:
            at, job_id = after
            query = query.where(sa.or_(col(Job.created_at) < at, sa.and_(col(Job.created_at) == at, col(Job.id) < job_id)))
        query = query.order_by(col(Job.created_at).desc(), col(Job.id).desc()).limit(limit)
        return await self._call(self._all, query)

    async def active(self, *, owner: str | None = None) -> list[Job]:
        """Pending and running jobs (of one owner, or everyone's), oldest first."""
        query = select(Job).where(col(Job.status).in_(_ACTIVE))
        if owner is not None:
            query = query.where(col(Job.owner) == owner)
        return await self._call(self._all, query.order_by(col(Job.created_at), col(Job.id)))

    async def counts(self, *, owner: str) -> dict[str, int]:
        query = select(Job.status, func.count()).where(col(Job.owner) == owner).group_by(Job.status)
        return dict(await self._call(self._all, query))

    async def admission(self, *, owner: str, since: datetime) -> Admission:
        """What the fair-use limits look at before a submission, in one trip to the database."""

        def read(session: Session) -> Admission:
            active = session.exec(select(func.count()).where(col(Job.owner) == owner, col(Job.status).in_(_ACTIVE))).one()
            recent, oldest = session.exec(
                select(func.count(), func.min(Job.created_at)).where(col(Job.owner) == owner, col(Job.created_at) >= since)
            ).one()
            pending = session.exec(select(func.count()).where(col(Job.status) == JobStatus.PENDING.value)).one()
            return Admission(user_active=active, user_recent=recent, user_oldest_recent=oldest, pending_total=pending)

        return await self._call(read)

    async def query_ids(self, statement, **params) -> list[str]:
        """The first column of a raw query (the sweeper's joins with the dispatcher's own tables)."""
        return await self._core(lambda connection: [row[0] for row in connection.execute(statement, params)])

    async def cancel_requested(self, job_id: str) -> bool:
        job = await self.get(job_id)
        return job is None or job.cancel_requested

    # ----- bookkeeping for the service -------------------------------------------------

    async def create(self, job: Job) -> Job:
        def add(session: Session) -> Job:
            session.add(job)
            session.commit()
            return job

        return await self._call(add)

    async def requeue(self, job_id: str, *, owner: str, stage: str) -> Job:
        """Make a failed or cancelled job pending again: the next attempt, the last one kept in its history."""

        def requeue(session: Session) -> Job:
            job = self._get(session, job_id, owner)
            if job is None:
                raise JobNotFound(f"No job {job_id!r} for this user.")
            if JobStatus(job.status) not in RETRYABLE:
                raise JobStateError(f"Only a failed or cancelled job can be retried; this one is {job.status}.")
            job.attempts = [*job.attempts, _attempt_record(job)]
            job.attempt += 1
            job.status, job.stage, job.error, job.progress, job.eta_seconds = JobStatus.PENDING.value, stage, None, 0.0, None
            job.started_at = job.finished_at = job.run_token = job.dispatch_ref = None
            job.cancel_requested = False
            session.add(job)
            session.commit()
            return job

        return await self._call(requeue)

    async def request_cancel(self, job_id: str) -> Job | None:
        """Flag an active job as cancelled by its user; a pending one is cancelled at once.

        Returns the row after the change, or None when the job is no longer active.
        """

        def cancel(session: Session) -> Job | None:
            flagged = session.execute(
                sa.update(Job).where(col(Job.id) == job_id, col(Job.status).in_(_ACTIVE)).values(cancel_requested=True)
            ).rowcount
            session.execute(
                sa.update(Job)
                .where(col(Job.id) == job_id, col(Job.status) == JobStatus.PENDING.value)
                .values(status=JobStatus.CANCELLED.value, stage="Cancelled before it started", eta_seconds=None, finished_at=utcnow())
            )
            session.commit()
            return session.get(Job, job_id) if flagged else None

        return await self._call(cancel)

    async def set_dispatch_ref(self, job_id: str, ref: str) -> None:
        await self._call(self._update, sa.update(Job).where(col(Job.id) == job_id).values(dispatch_ref=ref))

    async def delete(self, job_id: str) -> None:
        self._dirty.pop(job_id, None)
        await self._call(self._update, sa.delete(Job).where(col(Job.id) == job_id))

    async def transfer(self, from_owner: str, to_owner: str) -> tuple[int, list[Job]]:
        """Give every job of one owner to another in one transaction: (how many, the active ones after)."""

        def work(session: Session) -> tuple[int, list[Job]]:
            active = list(session.exec(select(Job).where(col(Job.owner) == from_owner, col(Job.status).in_(_ACTIVE))))
            moved = session.execute(sa.update(Job).where(col(Job.owner) == from_owner).values(owner=to_owner)).rowcount
            session.commit()
            for job in active:
                job.owner = to_owner
            return moved, active

        return await self._call(work)

    async def requeue_interrupted(self, *, stage: str) -> list[Job]:
        """After a crash of the one process that runs jobs: running rows go back to pending. All active rows, oldest first."""
        await self._call(
            self._update,
            sa.update(Job).where(col(Job.status).in_(_RUNNING)).values(status=JobStatus.PENDING.value, stage=stage, eta_seconds=None),
        )
        return await self.active()

    # ----- writes by the runner (conditional on its claim) -----------------------------

    async def claim(self, job_id: str) -> Job | None:
        """Take the job for one run: a fresh token on an active, not cancelled row. None: nothing to run."""
        statement = (
            sa.update(Job)
            .where(col(Job.id) == job_id, col(Job.status).in_(_ACTIVE), col(Job.cancel_requested).is_(False))
            .values(run_token=secrets.token_hex(16))
            .returning(*Job.__table__.columns)
        )

        def claim(connection: sa.Connection) -> Job | None:
            row = connection.execute(statement).mappings().first()
            return None if row is None else Job.model_validate(dict(row))

        return await self._core(claim)

    async def cancel_abandoned(self, job_id: str) -> Job | None:
        """An active row whose user asked to cancel, but whose run was lost before it could: CANCELLED now."""
        statement = (
            sa.update(Job)
            .where(col(Job.id) == job_id, col(Job.status).in_(_ACTIVE), col(Job.cancel_requested).is_(True))
            .values(status=JobStatus.CANCELLED.value, stage="Cancelled", eta_seconds=None, finished_at=utcnow())
            .returning(*Job.__table__.columns)
        )

        def cancel(connection: sa.Connection) -> Job | None:
            row = connection.execute(statement).mappings().first()
            return None if row is None else Job.model_validate(dict(row))

        return await self._core(cancel)

    async def write(self, job_id: str, token: str, **fields: Any) -> bool:
        """Update the claimed, still active row; False when the claim was lost."""
        self._dirty.pop(job_id, None)  # this write carries the newest progress
        statement = sa.update(Job).where(col(Job.id) == job_id, col(Job.run_token) == token, col(Job.status).in_(_ACTIVE)).values(**fields)
        return await self._core(lambda connection: connection.execute(statement).rowcount) == 1

    def note_progress(self, job_id: str, token: str, progress: float, stage: str, eta: float | None) -> None:
        """Remember the newest progress; it is written within `flush_interval`."""
        self._dirty[job_id] = _Progress(token, progress, stage, eta)

    async def flush(self, job_ids: Iterable[str] | None = None) -> None:
        """Write noted progress (of these jobs, or all) in one transaction."""
        ids = list(self._dirty) if job_ids is None else [i for i in job_ids if i in self._dirty]
        rows = [(i, self._dirty.pop(i)) for i in ids]
        if not rows:
            return
        table = Job.__table__
        statement = (
            sa.update(table)
            # equalities, not IN: an expanding parameter cannot be used with executemany
            .where(table.c.id == sa.bindparam("p_id"), table.c.run_token == sa.bindparam("p_token"), sa.or_(*(table.c.status == s for s in _ACTIVE)))
            .values(progress=sa.bindparam("p_progress"), stage=sa.bindparam("p_stage"), eta_seconds=sa.bindparam("p_eta"))
        )
        params = [{"p_id": i, "p_token": p.token, "p_progress": p.progress, "p_stage": p.stage, "p_eta": p.eta} for i, p in rows]
        await self._core(lambda connection: connection.execute(statement, params))

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                await self.flush()
            except Exception:
                log.exception("Progress flush failed; retrying next interval")

    # ----- plumbing --------------------------------------------------------------------

    async def _call(self, work: Callable[..., T], *args: Any) -> T:
        def in_thread() -> T:
            # Rows outlive their session (handed to pages and runners), so commits must not expire them.
            with Session(self.db, expire_on_commit=False) as session:
                return work(session, *args)

        return await asyncio.get_running_loop().run_in_executor(self._threads, in_thread)

    async def _core(self, work: Callable[[sa.Connection], T]) -> T:
        """One transaction on a plain connection: the hot writes skip the ORM session."""

        def in_thread() -> T:
            with self.db.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._threads, in_thread)

    @staticmethod
    def _get(session: Session, job_id: str, owner: str | None) -> Job | None:
        job = session.get(Job, job_id)
        return None if job is None or (owner is not None and job.owner != owner) else job

    @staticmethod
    def _all(session: Session, query) -> list:
        return list(session.exec(query))

    @staticmethod
    def _update(session: Session, statement) -> int:
        count = session.execute(statement).rowcount
        session.commit()
        return count


def _attempt_record(job: Job) -> dict[str, Any]:
    return {
        "attempt": job.attempt,
        "status": job.status,
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "progress": job.progress,
    }
