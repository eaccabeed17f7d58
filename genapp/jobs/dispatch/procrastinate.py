"""The scaled dispatcher: each run of a job is a Procrastinate job, run by `genapp worker` processes.

Our row stays the truth and the result; the Procrastinate job only says "run job X once".
A backend defers and aborts; a worker runs the same JobRunner as the embedded mode. The sweeper
(run by workers) heals what no process is left to do: a job whose worker died (stalled, by its
heartbeat) is re-queued, and an active row with no live Procrastinate job (its worker shut down
mid-run, or its backend died before deferring) is dispatched again. Claims on the row make any
duplicate run harmless.

Users take turns through Procrastinate's own priority (see `fair_priority`): there is no other queue.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, NoResult
from sqlalchemy.engine import make_url

from genapp.jobs.status import ACTIVE_VALUES
from genapp.jobs.store import JobStore

log = logging.getLogger(__name__)

TASK = "genapp.run_job"
QUEUE = "genapp"


def fair_priority(*, head: int | None, own_last: int | None) -> int:
    """The Procrastinate priority of a run of one user's job: users take turns, each user's runs in order.

    Procrastinate starts the waiting job of highest priority, the oldest first among equals
    (`procrastinate_fetch_job_v2`: ORDER BY priority DESC, id ASC). Here a priority is a turn, counted
    down: `head` is the highest priority waiting (the turn being served; None when nothing waits),
    `own_last` the lowest of this user's waiting runs (None when they have none waiting).
    A user with nothing waiting joins the turn being served, behind the runs already in it; each further
    run of theirs goes one turn after their last. So each user's k-th waiting run ranks with every other
    user's k-th, and a newcomer behind another user's 50 waits for at most one of them. Runs starting
    or finishing change no one's turn, so nothing needs re-ranking then (a cancelled waiting run does:
    `_CLOSE_GAP`). A run that already had its turn and was lost is ranked with `own_last=None`.

    Issue 11 (user-chosen order) should change priorities here, and only here.
    """
    if own_last is not None:
        return own_last - 1
    return 0 if head is None else head


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

    async def dispatch(self, job_id: str, owner: str) -> None:
        """Queue a run of the row at its owner's next turn (a retry too: it is a new request of theirs)."""
        head, own_last = await self._line(owner)
        await self._defer(job_id, fair_priority(head=head, own_last=own_last))

    async def resume(self, job_id: str) -> None:
        """Queue again an active row whose run was lost (the sweeper). A row that was deferred had its
        turn (its run was taken, then its worker shut down): it rejoins the turn being served. One
        never deferred (its backend died first) waits for its owner's next turn, like a new one."""
        job = await self.store.get(job_id)
        if job is not None and job.dispatch_ref is None:
            await self.dispatch(job_id, job.owner)
        else:
            await self._defer(job_id, await self.front_priority())

    async def front_priority(self) -> int:
        """For a run that already had its turn: the turn being served, not behind everyone."""
        head, _ = await self._line(None)
        return fair_priority(head=head, own_last=None)

    async def cancel(self, job_id: str) -> None:
        job = await self.store.get(job_id)
        if job is not None and job.dispatch_ref:
            # abort=True reaches a running task as CancelledError (NOTIFY, within milliseconds);
            # its runner then sees the row's cancel request and ends it CANCELLED.
            if await self.app.job_manager.cancel_job_by_id_async(int(job.dispatch_ref), abort=True):
                await self.app.connector.execute_query_async(_CLOSE_GAP, ref=int(job.dispatch_ref), queue=QUEUE, task=TASK)

    async def queue_position(self, job_id: str) -> int | None:
        """1 + the waiting runs Procrastinate would start before this one, as things stand."""
        try:
            row = await self.app.connector.execute_query_one_async(_POSITION, job_id=job_id)
        except NoResult:
            return None
        return row["position"]

    async def _line(self, owner: str | None) -> tuple[int | None, int | None]:
        row = await self.app.connector.execute_query_one_async(_LINE, owner=owner, queue=QUEUE, task=TASK)
        return row["head"], row["own_last"]

    async def dispatch_at(self, job_id: str, owner: str, due: datetime) -> None:
        """Queue a run of the row for `due` (an automatic retry): any worker takes it then. It had its
        turn already, so it rejoins the turn being served rather than its owner's last."""
        await self._defer(job_id, await self.front_priority(), schedule_at=due)

    async def _defer(self, job_id: str, priority: int, *, schedule_at: datetime | None = None) -> None:
        deferrer = self.app.configure_task(TASK, queue=QUEUE, queueing_lock=job_id, priority=priority, schedule_at=schedule_at)
        try:
            ref = await deferrer.defer_async(job_id=job_id)
        except AlreadyEnqueued:
            return  # a run of it is already waiting
        await self.store.set_dispatch_ref(job_id, str(ref))


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
                # its turn came when it started: back into the turn being served, not behind everyone
                await self.app.job_manager.retry_job(stalled, priority=await self.dispatcher.front_priority())
                requeued += 1
                log.warning("Job %s: its worker stopped beating; re-queued", stalled.task_kwargs.get("job_id"))
            except Exception as exc:  # another sweeper got there first
                log.info("Stalled run %s not re-queued: %s", stalled.id, exc)
        orphans = await self.store.query_ids(_ORPHANS, active=list(ACTIVE_VALUES), grace=self.grace_seconds)
        for job_id in orphans:
            log.warning("Job %s: active with no live run; dispatched again", job_id)
            await self.dispatcher.resume(job_id)
        return requeued, len(orphans)


# Over our waiting runs (not the keepalive task's), each joined to the row it runs: the turn being
# served (head) and the owner's last turn (own_last). The global pending limit bounds the scan.
_LINE = """
    SELECT max(p.priority) AS head, min(p.priority) FILTER (WHERE j.owner = %(owner)s) AS own_last
    FROM procrastinate_jobs p LEFT JOIN job j ON j.id = p.args->>'job_id'
    WHERE p.status = 'todo' AND p.queue_name = %(queue)s AND p.task_name = %(task)s
"""

# A waiting run was cancelled ('todo' -> 'cancelled'; a running one stays 'doing' until it stops):
# the owner's later waiting runs move up one turn, so a cancel costs its owner no turn and keeps
# their order. The runs are locked in id order (two cancels at once wait, never deadlock);
# Procrastinate's fetch skips locked rows, so for those few milliseconds it may take the next one.
_CLOSE_GAP = """
    WITH gone AS (
        SELECT p.priority, j.owner FROM procrastinate_jobs p JOIN job j ON j.id = p.args->>'job_id'
        WHERE p.id = %(ref)s AND p.status = 'cancelled'
    ), later AS (
        SELECT p.id FROM procrastinate_jobs p JOIN job j ON j.id = p.args->>'job_id' JOIN gone ON j.owner = gone.owner
        WHERE p.status = 'todo' AND p.queue_name = %(queue)s AND p.task_name = %(task)s AND p.priority < gone.priority
        ORDER BY p.id FOR UPDATE OF p
    )
    UPDATE procrastinate_jobs SET priority = priority + 1 WHERE id IN (SELECT id FROM later) AND status = 'todo'
"""

# Procrastinate's own order (priority DESC, id ASC) among the waiting runs; none for a row that is
# not pending or whose run was already taken. Runs scheduled for later (automatic retries) are not in line.
_POSITION = """
    SELECT 1 + (
        SELECT count(*) FROM procrastinate_jobs o
        WHERE o.status = 'todo' AND o.queue_name = me.queue_name AND o.task_name = me.task_name
          AND (o.scheduled_at IS NULL OR o.scheduled_at <= now())
          AND (o.priority > me.priority OR (o.priority = me.priority AND o.id < me.id))
    ) AS position
    FROM job j JOIN procrastinate_jobs me ON me.id = CAST(j.dispatch_ref AS BIGINT)
    WHERE j.id = %(job_id)s AND j.status = 'pending' AND me.status = 'todo'
      AND (me.scheduled_at IS NULL OR me.scheduled_at <= now())
"""

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
