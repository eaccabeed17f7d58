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
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from genapp.jobs import search_schema
from genapp.jobs.errors import JobNotFound, JobStateError
from genapp.jobs.library import LibraryQuery, LibrarySort
from genapp.jobs.status import ACTIVE_VALUES, FINISHED_VALUES, RETRYABLE, RUNNING, JobStatus
from genapp.models import EVERYONE, Batch, Job, QueueHold, utcnow

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

    async def list(self, *, owner: str, statuses: Iterable[str] | None = None, job_type: str | None = None, limit: int = 50) -> list[Job]:
        """The owner's jobs, newest first."""
        query = select(Job).where(col(Job.owner) == owner)
        if statuses is not None:
            query = query.where(col(Job.status).in_(list(statuses)))
        if job_type is not None:
            query = query.where(col(Job.type) == job_type)
        query = query.order_by(col(Job.created_at).desc(), col(Job.id)).limit(limit)
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

    async def library(self, *, owner: str, query: LibraryQuery, after: dict[str, Any] | None) -> tuple[list[tuple[Job, Any]], int]:
        """One page of the owner's jobs matching `query`, after the keyset position `after` (or from its
        offset); each job with its sort key. Also how many match in all. One read transaction."""

        def read(session: Session) -> tuple[list[tuple[Job, Any]], int]:
            return _library_page(session, self.db.dialect.name, owner, query, after)

        return await self._call(read)

    async def owned(self, *, owner: str, job_ids: Iterable[str]) -> list[Job]:
        """The jobs among `job_ids` that are the owner's (the others are silently left out)."""
        ids = list(dict.fromkeys(job_ids))
        if not ids:
            return []
        return await self._call(self._all, select(Job).where(col(Job.id).in_(ids), col(Job.owner) == owner))

    async def mark(self, job_id: str, *, owner: str, **fields: Any) -> Job:
        """Set the user's own marks (favourite, tags) on their job; JobNotFound when it is not theirs."""

        def mark(session: Session) -> Job:
            job = self._get(session, job_id, owner)
            if job is None:
                raise JobNotFound(f"No job {job_id!r} for this user.")
            for name, value in fields.items():
                setattr(job, name, value)
            session.add(job)
            session.commit()
            return job

        return await self._call(mark)

    async def prunable(self, *, owner: str | None = None, finished_before: datetime | None = None, keep_newest: int | None = None,
                       limit: int = 500) -> list[tuple[str, str]]:
        """(id, owner) of finished, unstarred jobs that retention removes: of one owner, or of everyone;
        finished before the cutoff, or beyond each owner's newest `keep_newest` of such jobs; with neither,
        all of them (clear finished). Starred jobs are never among them, nor counted in the newest."""
        finished = [col(Job.status).in_(list(FINISHED_VALUES)), col(Job.favourite).is_(False)]
        if owner is not None:
            finished.append(col(Job.owner) == owner)
        rank = sa.func.row_number().over(partition_by=Job.owner, order_by=(col(Job.created_at).desc(), col(Job.id).desc())).label("rank")
        ranked = select(Job.id, Job.owner, Job.finished_at, rank).where(*finished).subquery()
        reasons = []
        if finished_before is not None:
            reasons.append(ranked.c.finished_at < finished_before)
        if keep_newest is not None:
            reasons.append(ranked.c.rank > keep_newest)
        query = select(ranked.c.id, ranked.c.owner)
        if reasons:
            query = query.where(sa.or_(*reasons))
        return [(row[0], row[1]) for row in await self._call(self._all, query.limit(limit))]

    async def finished(self, *, owner: str, job_ids: Iterable[str] | None = None, limit: int = 20_000) -> list[Job]:
        """The owner's finished jobs (or those among `job_ids`), oldest first."""
        query = select(Job).where(col(Job.owner) == owner, col(Job.status).in_(list(FINISHED_VALUES)))
        if job_ids is not None:
            query = query.where(col(Job.id).in_(list(job_ids)))
        return await self._call(self._all, query.order_by(col(Job.created_at), col(Job.id)).limit(limit))

    async def recent_durations(self, limit: int = 500) -> list[tuple[str, dict[str, Any], bool, float]]:
        """(type, sources {text, image}, skip_image, seconds run) of the newest complete runs, newest first:
        what the ETA's averages are seeded with at start (genapp/jobs/eta.py)."""
        query = (
            select(Job.type, Job.form_data, Job.skip_image, Job.started_at, Job.finished_at)
            .where(
                col(Job.status) == JobStatus.COMPLETE.value,
                col(Job.started_at).is_not(None),
                col(Job.finished_at).is_not(None),
                col(Job.stage) != "Imported",  # an imported job never ran here: its timestamps are its archive's
            )
            .order_by(col(Job.finished_at).desc())
            .limit(limit)
        )
        rows = await self._call(self._all, query)
        return [
            (type_, dict((form_data or {}).get("sources") or {}), bool(skip), (finished - started).total_seconds())
            for type_, form_data, skip, started, finished in rows
        ]

    async def insert_new(self, jobs: list[Job]) -> list[Job]:
        """Insert the jobs whose ids are not taken yet (an import done twice adds nothing); the inserted ones."""

        def work(session: Session) -> list[Job]:
            taken = set(session.exec(select(Job.id).where(col(Job.id).in_([j.id for j in jobs])))) if jobs else set()
            fresh = [job for job in jobs if job.id not in taken]
            session.add_all(fresh)
            session.commit()
            return fresh

        return await self._call(work)

    async def set_image(self, job_id: str, image: str) -> None:
        await self._call(self._update, sa.update(Job).where(col(Job.id) == job_id).values(image=image))

    async def delete_many(self, job_ids: Iterable[str], *, owner: str) -> int:
        ids = list(job_ids)
        for job_id in ids:
            self._dirty.pop(job_id, None)
        if not ids:
            return 0
        return await self._call(self._update, sa.delete(Job).where(col(Job.id).in_(ids), col(Job.owner) == owner))

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
            job.started_at = job.finished_at = job.run_token = job.dispatch_ref = job.retry_at = None
            job.cancel_requested = False
            job.queue_order = time.time()  # a retry is a new request: the back of its owner's line
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
                .values(status=JobStatus.CANCELLED.value, stage="Cancelled before it started", eta_seconds=None, finished_at=utcnow(), retry_at=None)
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

    # ----- batches ---------------------------------------------------------------------

    async def create_batch(self, batch: Batch, jobs: list[Job]) -> list[Job]:
        """The batch and all its jobs in one transaction: a batch is stored whole or not at all."""

        def add(session: Session) -> list[Job]:
            session.add(batch)
            session.flush()
            session.add_all(jobs)
            session.commit()
            return jobs

        return await self._call(add)

    async def batch(self, batch_id: str, *, owner: str) -> tuple[Batch, list[Job]] | None:
        """The owner's batch and its jobs (oldest first); None when missing or someone else's."""

        def read(session: Session) -> tuple[Batch, list[Job]] | None:
            batch = session.get(Batch, batch_id)
            if batch is None or batch.owner != owner:
                return None
            jobs = session.exec(
                select(Job).where(col(Job.batch_id) == batch_id, col(Job.owner) == owner).order_by(col(Job.created_at), col(Job.id))
            )
            return batch, list(jobs)

        return await self._call(read)

    async def batches(self, *, owner: str, limit: int = 20) -> list[tuple[Batch, int, int]]:
        """The owner's newest batches, each with (its jobs, its finished jobs)."""
        finished = sa.func.sum(sa.case((col(Job.status).in_(list(FINISHED_VALUES)), 1), else_=0))
        counts = (
            select(col(Job.batch_id), func.count().label("total"), finished.label("done"))
            .where(col(Job.owner) == owner, col(Job.batch_id).is_not(None))
            .group_by(col(Job.batch_id))
            .subquery()
        )
        query = (
            select(Batch, func.coalesce(counts.c.total, 0), func.coalesce(counts.c.done, 0))
            .outerjoin(counts, counts.c.batch_id == Batch.id)
            .where(col(Batch.owner) == owner)
            .order_by(col(Batch.created_at).desc(), col(Batch.id))
            .limit(limit)
        )
        return [(b, int(t), int(d)) for b, t, d in await self._call(self._all, query)]

    async def transfer_batches(self, from_owner: str, to_owner: str) -> int:
        """Batches follow their jobs to a new owner (a guest who signs in)."""
        return await self._call(self._update, sa.update(Batch).where(col(Batch.owner) == from_owner).values(owner=to_owner))

    # ----- writes by the runner (conditional on its claim) -----------------------------

    async def claim(self, job_id: str) -> Job | None:
        """Take the job for one run: a fresh token on an active, not cancelled row. None: nothing to run.
        A pending job whose queue is paused (its owner's, or everyone's) is not taken: it waits for the resume."""
        held = sa.exists().where(col(QueueHold.owner).in_([Job.owner, EVERYONE]))
        statement = (
            sa.update(Job)
            .where(col(Job.id) == job_id, col(Job.status).in_(_ACTIVE), col(Job.cancel_requested).is_(False))
            .where(sa.or_(col(Job.status) != JobStatus.PENDING.value, ~held))
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

    async def schedule_retry(
        self, job_id: str, token: str, *, error: str, stage: str, retry_at: datetime, wait: float, progress: float
    ) -> Job | None:
        """The claimed run failed with a transient fault and the job has runs left: record the attempt (as
        a manual retry would, marked automatic), make the row pending again until `retry_at`. Its content,
        if stored, is kept (the next run resumes at the illustration). None when the claim was lost."""
        self._dirty.pop(job_id, None)

        def schedule(session: Session) -> Job | None:
            job = session.get(Job, job_id, with_for_update=True)
            if job is None or job.run_token != token or job.status not in _ACTIVE or job.cancel_requested:
                return None  # a user's cancel wins: the runner ends the run cancelled instead
            record = {**_attempt_record(job), "status": JobStatus.ERROR.value, "error": error, "finished_at": utcnow().isoformat()}
            job.attempts = [*job.attempts, {**record, "automatic": True, "retry_at": retry_at.isoformat(), "wait_seconds": round(wait, 3)}]
            job.attempt += 1
            job.status, job.stage, job.error, job.progress, job.eta_seconds = JobStatus.PENDING.value, stage[:200], None, progress, None
            job.started_at = job.run_token = None
            job.retry_at = retry_at
            session.add(job)
            session.commit()
            return job

        return await self._call(schedule)

    async def waiting_retries(self) -> list[Job]:
        """Pending rows that wait for an automatic retry (a restart re-arms their timers)."""
        query = select(Job).where(col(Job.status) == JobStatus.PENDING.value, col(Job.retry_at).is_not(None))
        return await self._call(self._all, query.order_by(col(Job.retry_at)))

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

    # ----- queue control ---------------------------------------------------------------

    async def holds(self) -> dict[str, QueueHold]:
        """Every paused queue, by owner (EVERYONE: the whole service)."""
        return {hold.owner: hold for hold in await self._call(self._all, select(QueueHold))}

    async def holds_of(self, owner: str) -> list[QueueHold]:
        """The holds that stop the owner's jobs: their own and the service's."""
        return await self._call(self._all, select(QueueHold).where(col(QueueHold.owner).in_([owner, EVERYONE])))

    async def hold(self, owner: str, *, mode: str, by: str) -> QueueHold:
        """Pause a queue (again: the newer mode wins)."""

        def hold(session: Session) -> QueueHold:
            row = session.get(QueueHold, owner) or QueueHold(owner=owner)
            row.mode, row.held_by, row.held_at = mode, by, utcnow()
            session.add(row)
            session.commit()
            return row

        return await self._call(hold)

    async def release(self, owner: str) -> bool:
        """Resume a queue; False when it was not paused."""
        return bool(await self._call(self._update, sa.delete(QueueHold).where(col(QueueHold.owner) == owner)))

    async def pending(self, *, owner: str | None = None) -> list[Job]:
        """Pending jobs (of one owner, or everyone's) in their owners' own order."""
        query = select(Job).where(col(Job.status) == JobStatus.PENDING.value)
        if owner is not None:
            query = query.where(col(Job.owner) == owner)
        return await self._call(self._all, query.order_by(col(Job.queue_order).nulls_first(), col(Job.created_at), col(Job.id)))

    async def set_queue_order(self, owner: str, job_ids: list[str]) -> None:
        """The owner's pending jobs take this order (their first is 0): new submissions still come after."""

        def reorder(session: Session) -> None:
            for rank, job_id in enumerate(job_ids):
                session.execute(
                    sa.update(Job)
                    .where(col(Job.id) == job_id, col(Job.owner) == owner, col(Job.status) == JobStatus.PENDING.value)
                    .values(queue_order=float(rank))
                )
            session.commit()

        await self._call(reorder)

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


# ----- the library's query -----------------------------------------------------------------
# Text search uses the index the migration made (genapp/jobs/search_schema.py), never LIKE:
# SQLite joins the FTS5 table on rowid (EXPLAIN QUERY PLAN: "SCAN job_fts VIRTUAL TABLE INDEX 0:M..."),
# Postgres matches the GIN-indexed tsvector ("Bitmap Index Scan on ix_job_search").
# tests/unit/test_library_index.py checks both plans.

_FTS = sa.table(search_schema.FTS_TABLE, sa.column("rowid"))
_BM25_WEIGHTS = (10.0, 4.0, 1.0, 8.0)  # title, prompt, content, tags (the FTS table's column order)


def _text_match(dialect: str, terms: list[str]) -> tuple[Any, Any]:
    """(the WHERE clause, a rank to order by, best first when ascending) for every term as a word prefix."""
    if dialect == "sqlite":
        match = " ".join(f'"{t}"*' for t in terms)  # terms are letters and digits only: no FTS5 syntax
        where = sa.text(f"{search_schema.FTS_TABLE} MATCH :fts_match").bindparams(fts_match=match)
        return where, sa.func.bm25(sa.literal_column(search_schema.FTS_TABLE), *_BM25_WEIGHTS)
    tsquery = sa.func.to_tsquery(sa.literal("simple", sa.Text).cast(sa.dialects.postgresql.REGCONFIG), " & ".join(f"{t}:*" for t in terms))
    vector = sa.literal_column(f"job.{search_schema.PG_COLUMN}")
    return vector.op("@@")(tsquery), -sa.func.ts_rank(vector, tsquery)


def _has_tag(dialect: str, tag: str):
    if dialect == "sqlite":
        return sa.text("EXISTS (SELECT 1 FROM json_each(job.tags) WHERE json_each.value = :tag)").bindparams(tag=tag)
    return sa.text("CAST(job.tags AS jsonb) @> jsonb_build_array(CAST(:tag AS text))").bindparams(tag=tag)


def _library_page(session: Session, dialect: str, owner: str, query: LibraryQuery, after: dict[str, Any] | None):
    sort, terms = query.effective_sort(), query.terms()
    where: list[Any] = [col(Job.owner) == owner, col(Job.status).in_(query.status_values())]
    if query.types:
        where.append(col(Job.type).in_(query.types))
    if query.created_from is not None:
        where.append(col(Job.created_at) >= query.created_from)
    if query.created_to is not None:
        where.append(col(Job.created_at) < query.created_to)
    if query.favourites_only:
        where.append(col(Job.favourite).is_(True))
    if query.tag:
        where.append(_has_tag(dialect, query.tag))
    rank = match = None
    if terms:
        match, rank = _text_match(dialect, terms)
        if dialect != "sqlite":
            where.append(match)

    def base(*columns, ranked: bool = False):
        """SQLite: the index's matches as a set the query filters by, found once; joined to the rows only
        when its bm25 orders them. (Joined for the count too, SQLite's planner walked the user's rows and
        asked the index once per row: 4.6 s per search at 10,000 jobs, measured by bench/bench_library.py.)"""
        statement = select(*columns).select_from(Job)
        if match is not None and dialect == "sqlite":
            if ranked:
                statement = statement.join(_FTS, _FTS.c.rowid == sa.literal_column("job.rowid")).where(match)
            else:
                statement = statement.where(sa.literal_column("job.rowid").in_(select(_FTS.c.rowid).where(match)))
        return statement.where(*where)

    total = session.exec(base(func.count())).one()

    key = {
        LibrarySort.NEWEST: col(Job.created_at),
        LibrarySort.OLDEST: col(Job.created_at),
        LibrarySort.TITLE: func.lower(col(Job.title)),
        LibrarySort.RELEVANCE: rank,
    }[sort]
    statement = base(Job, key.label("sort_key"), ranked=sort == LibrarySort.RELEVANCE)
    descending = sort == LibrarySort.NEWEST
    if sort == LibrarySort.RELEVANCE:
        statement = statement.order_by(key, col(Job.id)).offset(int((after or {}).get("offset", 0)))
    else:
        if after is not None:
            value = after["key"]
            if sort != LibrarySort.TITLE:
                value = datetime.fromisoformat(value)
            beyond = (key < value) if descending else (key > value)
            same = sa.and_(key == value, (col(Job.id) < after["id"]) if descending else (col(Job.id) > after["id"]))
            statement = statement.where(sa.or_(beyond, same))
        order = (key.desc(), col(Job.id).desc()) if descending else (key, col(Job.id))
        statement = statement.order_by(*order)
    rows = [(job, value) for job, value in session.exec(statement.limit(query.limit + 1))]
    return rows, total
