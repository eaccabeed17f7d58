"""The scaled dispatcher: each run of a job is a Procrastinate job, run by `genapp worker` processes.

Our row stays the truth and the result; the Procrastinate job only says "run job X once".
A backend defers and aborts; a worker runs the same JobRunner as the embedded mode. The sweeper
(run by workers) heals what no process is left to do: a job whose worker died (stalled, by its
heartbeat) is re-queued, and an active row with no live Procrastinate job (its worker shut down
mid-run, or its backend died before deferring) is dispatched again. Claims on the row make any
duplicate run harmless.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from genapp.jobs.status import ACTIVE_VALUES
from genapp.jobs.store import JobStore

log = logging.getLogger(__name__)

TASK = "genapp.run_job"
QUEUE = "genapp"


def procrastinate_app(db_url: str) -> App:
    """A Procrastinate app on the job database (a SQLAlchemy URL such as postgresql+psycopg://...)."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"The scaled mode needs PostgreSQL (GENAPP_DB_URL is {url.get_backend_name()}).")
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return App(connector=PsycopgConnector(conninfo=conninfo, min_size=1, max_size=8))


class ProcrastinateDispatcher:
    def __init__(self, *, app: App, store: JobStore):
        self.app, self.store = app, store

    async def start(self) -> None:
        await self.app.open_async()

    async def stop(self) -> None:
        await self.app.close_async()

    async def dispatch(self, job_id: str, owner: str = "") -> None:
        """Queue a Procrastinate job for the row. First come, first served across users for now: fair
        turns between users are the embedded dispatcher's only (Procrastinate takes the highest priority,
        then the oldest; a priority per user's backlog would reorder a user's own jobs)."""
        try:
            ref = await self.app.configure_task(TASK, queue=QUEUE, queueing_lock=job_id).defer_async(job_id=job_id)
        except AlreadyEnqueued:
            return  # a run of it is already waiting
        await self.store.set_dispatch_ref(job_id, str(ref))

    async def cancel(self, job_id: str) -> None:
        job = await self.store.get(job_id)
        if job is not None and job.dispatch_ref:
            # abort=True reaches a running task as CancelledError (NOTIFY, within milliseconds);
            # its runner then sees the row's cancel request and ends it CANCELLED.
            await self.app.job_manager.cancel_job_by_id_async(int(job.dispatch_ref), abort=True)

    async def queue_position(self, job_id: str) -> int | None:
        return await self.store.pending_ahead(job_id)


class Sweeper:
    """Re-queues the runs that died with their worker, and dispatches active rows that lost theirs."""

    def __init__(self, *, app: App, store: JobStore, dispatcher: ProcrastinateDispatcher, stalled_seconds: float, grace_seconds: float = 5.0):
        self.app, self.store, self.dispatcher = app, store, dispatcher
        self.stalled_seconds, self.grace_seconds = stalled_seconds, grace_seconds

    async def sweep(self) -> tuple[int, int]:
        """One pass; returns (stalled runs re-queued, rows dispatched again)."""
        requeued = 0
        for stalled in await self.app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=self.stalled_seconds):
            try:
                await self.app.job_manager.retry_job(stalled)
                requeued += 1
                log.warning("Job %s: its worker stopped beating; re-queued", stalled.task_kwargs.get("job_id"))
            except Exception as exc:  # another sweeper got there first
                log.info("Stalled run %s not re-queued: %s", stalled.id, exc)
        orphans = await self.store.query_ids(_ORPHANS, active=list(ACTIVE_VALUES), grace=self.grace_seconds)
        for job_id in orphans:
            log.warning("Job %s: active with no live run; dispatched again", job_id)
            await self.dispatcher.dispatch(job_id)
        return requeued, len(orphans)


# Active rows whose Procrastinate job ended (its worker shut down mid-run), vanished, or was never
# made (its backend died before deferring: given a grace period for the defer to land). A second
# defer of a job already waiting is refused by its queueing lock; a second run loses the claim.
_ORPHANS = sa.text(
    """
    SELECT j.id FROM job j
    LEFT JOIN procrastinate_jobs p ON p.id = CAST(j.dispatch_ref AS BIGINT)
    WHERE j.status IN :active
      AND (p.status NOT IN ('todo', 'doing') OR (p.id IS NULL AND j.created_at < now() - make_interval(secs => :grace)))
    ORDER BY j.created_at
    """
).bindparams(sa.bindparam("active", expanding=True))
