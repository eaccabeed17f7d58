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
from genapp.models import EVERYONE, Job

log = logging.getLogger(__name__)

TASK = "genapp.run_job"
QUEUE = "genapp"
HELD = "genapp-held"  # runs of paused queues wait here: no worker listens on it


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

    A user's own order (`reordered`) and a resumed queue (`_RELEASE`) reuse the same rule: a user's k-th
    waiting run ranks k - 1 turns after their first.
    """
    if own_last is not None:
        return own_last - 1
    return 0 if head is None else head


def reordered(top: int, count: int) -> list[int]:
    """The priorities of a user's `count` waiting runs in the user's new order: their first keeps the best
    turn they had (`top`), each next one turn later, as `fair_priority` would have ranked them."""
    return [top - k for k in range(count)]


def procrastinate_app(db_url: str) -> App:
    """A Procrastinate app on the job database (a SQLAlchemy URL such as postgresql+psycopg://...)."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"The scaled mode needs PostgreSQL (GENAPP_DB_URL is {url.get_backend_name()}).")
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return App(connector=PsycopgConnector(conninfo=conninfo, min_size=1, max_size=8))


class ProcrastinateDispatcher:
    def __init__(self, *, app: App, store: JobStore, worker_concurrency: int = 4, stalled_seconds: float = 30.0):
        self.app, self.store = app, store
        self.worker_concurrency, self.stalled_seconds = worker_concurrency, stalled_seconds  # for `slots`

    async def start(self) -> None:
        await self.app.open_async()

    async def stop(self) -> None:
        await self.app.close_async()

    async def dispatch(self, job_id: str, owner: str, order: float | None = None) -> None:
        """Queue a run of the row at its owner's next turn (a retry too: it is a new request of theirs).
        A paused queue's run waits aside (HELD) until its resume ranks it."""
        if await self.store.holds_of(owner):
            await self._defer(job_id, 0, queue=HELD)
            return
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
            row = await self.app.connector.execute_query_one_async(_POSITION, job_id=job_id, queue=QUEUE)
        except NoResult:
            return None
        return row["position"]

    # ----- queue control (see genapp/jobs/service.py: pause, resume, move) ----------------

    async def hold(self, owner: str) -> None:
        """Set the owner's (EVERYONE: everyone's) waiting runs aside, where no worker takes them. A run a
        worker took a moment ago still starts; its claim sees the hold and leaves the row waiting."""
        await self.app.connector.execute_query_async(_HOLD, owner=None if owner == EVERYONE else owner, queue=QUEUE, held=HELD, task=TASK)

    async def release(self, owner: str, pending: list[Job]) -> None:
        """Bring the owner's (EVERYONE: everyone not paused on their own) runs back, each user's k-th k - 1
        turns after the turn being served; then queue a run for any pending row left without one (a run
        that found its queue paused, or a job parked at its checkpoint), ahead, as it already had its turn."""
        everyone = owner == EVERYONE
        await self.app.connector.execute_query_async(
            _RELEASE, owner=None if everyone else owner, everyone=everyone, queue=QUEUE, held=HELD, task=TASK, hold_everyone=EVERYONE
        )
        live = set(await self.store.query_ids(_LIVE_RUNS, ids=[job.id for job in pending])) if pending else set()
        for job in pending:
            if job.id not in live and not (everyone and await self.store.holds_of(job.owner)):
                await self._defer(job.id, await self.front_priority())

    async def reorder(self, owner: str, job_ids: list[str]) -> None:
        """The owner's waiting runs take their turns in this order (the best turn they had first)."""
        rows = await self.app.connector.execute_query_all_async(_MINE, owner=owner, task=TASK)
        by_job = {row["job_id"]: row for row in rows}
        ordered = [by_job[j] for j in job_ids if j in by_job] + [row for row in rows if row["job_id"] not in set(job_ids)]
        if not ordered:
            return
        for row, priority in zip(ordered, reordered(max(row["priority"] for row in rows), len(ordered))):
            if row["priority"] != priority:
                await self.app.connector.execute_query_async(_SET_PRIORITY, id=row["id"], priority=priority)

    async def slots(self) -> int:
        """The live workers (by their heartbeats) times the jobs each runs at once (GENAPP_WORKER_CONCURRENCY)."""
        row = await self.app.connector.execute_query_one_async(_LIVE_WORKERS, seconds=self.stalled_seconds)
        return max(1, int(row["workers"])) * self.worker_concurrency

    async def waiting(self) -> list[str]:
        """Every waiting run that would start, in Procrastinate's order (a paused queue's are aside)."""
        rows = await self.app.connector.execute_query_all_async(_WAITING, queue=QUEUE, task=TASK)
        return [row["job_id"] for row in rows]

    async def _line(self, owner: str | None) -> tuple[int | None, int | None]:
        row = await self.app.connector.execute_query_one_async(_LINE, owner=owner, queue=QUEUE, task=TASK)
        return row["head"], row["own_last"]

    async def dispatch_at(self, job_id: str, owner: str, due: datetime) -> None:
        """Queue a run of the row for `due` (an automatic retry): any worker takes it then. It had its
        turn already, so it rejoins the turn being served rather than its owner's last."""
        if await self.store.holds_of(owner):  # its queue is paused: it waits aside, its time kept, until the resume
            await self._defer(job_id, 0, queue=HELD, schedule_at=due)
            return
        await self._defer(job_id, await self.front_priority(), schedule_at=due)

    async def _defer(self, job_id: str, priority: int, *, queue: str = QUEUE, schedule_at: datetime | None = None) -> None:
        deferrer = self.app.configure_task(TASK, queue=queue, queueing_lock=job_id, priority=priority, schedule_at=schedule_at)
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
    WHERE j.id = %(job_id)s AND j.status = 'pending' AND me.status = 'todo' AND me.queue_name = %(queue)s
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
      AND NOT (j.status = 'pending' AND EXISTS (SELECT 1 FROM queue_hold h WHERE h.owner IN (j.owner, '*')))  -- paused: the resume queues it
    ORDER BY j.created_at
    """
).bindparams(sa.bindparam("active", expanding=True))

# A paused queue's waiting runs (one owner's, or everyone's with owner NULL) move aside.
_HOLD = """
    UPDATE procrastinate_jobs p SET queue_name = %(held)s
    FROM job j
    WHERE j.id = p.args->>'job_id' AND p.status = 'todo' AND p.queue_name = %(queue)s AND p.task_name = %(task)s
      AND (%(owner)s::text IS NULL OR j.owner = %(owner)s::text)
"""

# A resumed queue's runs come back: each user's k-th (in their order) k - 1 turns after the turn being
# served. Resuming the service brings back only the runs of users not paused on their own.
_RELEASE = """
    WITH head AS (
        SELECT coalesce(max(priority), 0) AS h FROM procrastinate_jobs
        WHERE status = 'todo' AND queue_name = %(queue)s AND task_name = %(task)s
    ), back AS (
        SELECT p.id, row_number() OVER (PARTITION BY j.owner ORDER BY p.priority DESC, p.id) AS k
        FROM procrastinate_jobs p JOIN job j ON j.id = p.args->>'job_id'
        WHERE p.status = 'todo' AND p.queue_name = %(held)s AND p.task_name = %(task)s
          AND (%(owner)s::text IS NULL OR j.owner = %(owner)s::text)
          AND NOT EXISTS (SELECT 1 FROM queue_hold h WHERE h.owner = j.owner OR (NOT %(everyone)s AND h.owner = %(hold_everyone)s))
    )
    UPDATE procrastinate_jobs p SET queue_name = %(queue)s, priority = head.h - (back.k - 1)
    FROM back, head WHERE p.id = back.id
"""

# The jobs among :ids that have a run waiting or running.
_LIVE_RUNS = sa.text(
    """
    SELECT p.args->>'job_id' FROM procrastinate_jobs p
    WHERE p.status IN ('todo', 'doing') AND p.args->>'job_id' IN :ids
    """
).bindparams(sa.bindparam("ids", expanding=True))

# One owner's waiting runs (either queue), in Procrastinate's order.
_MINE = """
    SELECT p.id, p.priority, j.id AS job_id FROM procrastinate_jobs p JOIN job j ON j.id = p.args->>'job_id'
    WHERE p.status = 'todo' AND p.task_name = %(task)s AND j.owner = %(owner)s
    ORDER BY p.priority DESC, p.id
"""

_SET_PRIORITY = "UPDATE procrastinate_jobs SET priority = %(priority)s WHERE id = %(id)s AND status = 'todo'"

# Every waiting run in the order Procrastinate starts them (bounded by the global pending limit).
_WAITING = """
    SELECT p.args->>'job_id' AS job_id FROM procrastinate_jobs p
    WHERE p.status = 'todo' AND p.queue_name = %(queue)s AND p.task_name = %(task)s
    ORDER BY p.priority DESC, p.id
"""

# Workers whose heartbeat is recent (Procrastinate 3 keeps one row per running worker).
_LIVE_WORKERS = """
    SELECT count(*) AS workers FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => %(seconds)s)
"""
