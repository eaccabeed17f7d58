"""The embedded dispatcher: jobs run in this process, at most `concurrency` at once, users in turn
(each user's jobs in submission order; see fair.py).

On start it resumes what a previous process left unfinished (this is the only process that runs
jobs on its database, which the embedded mode's lock guarantees). A job waiting for an automatic
retry waits on a timer, outside the fair queue, until its `retry_at` (kept on the row, so a restart
arms the timer again).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from genapp.jobs.dispatch.fair import FairQueue
from genapp.jobs.retries import aware, due_at
from genapp.jobs.runner import DATABASE_DOWN, JobRunner
from genapp.jobs.store import JobStore
from genapp.models import EVERYONE, Job

log = logging.getLogger(__name__)


def _line_order(job: Job) -> tuple:
    return (job.queue_order is not None, job.queue_order or 0.0, job.created_at)

RETRY_AFTER_DB_ERROR = 2.0  # seconds before a run the database failed is tried again


class LocalDispatcher:
    def __init__(self, *, runner: JobRunner, store: JobStore, concurrency: int = 4):
        self.runner, self.store, self.concurrency = runner, store, concurrency
        self._queue = FairQueue()
        self._running: dict[str, asyncio.Task] = {}
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._workers: list[asyncio.Task] = []
        self._delayed: dict[str, asyncio.TimerHandle] = {}  # job id -> the timer of its automatic retry
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        holds = await self.store.holds()
        self._queue.held, self._queue.all_held = {o for o in holds if o != EVERYONE}, EVERYONE in holds
        unfinished = await self.store.requeue_interrupted(stage="Resuming after restart")
        for job in sorted(unfinished, key=_line_order):
            if job.retry_at is not None:  # it was waiting for its retry: it still waits, until its time
                self._arm(job.id, job.owner, aware(job.retry_at))
            else:
                self._enqueue(job.id, job.owner, job.queue_order)
        if unfinished:
            log.info("Resuming %d unfinished job(s)", len(unfinished))
        self._workers = [asyncio.create_task(self._worker(), name=f"genapp-worker-{i}") for i in range(self.concurrency)]

    async def stop(self) -> None:
        """Stop running jobs without finishing them: their rows stay active and resume next start."""
        self._stopping = True
        self._disarm_all()
        tasks = [*self._workers, *self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._workers = []
        self._running.clear()
        self._queue.clear()
        self._idle.set()

    async def dispatch(self, job_id: str, owner: str, order: float | None = None) -> None:
        self._enqueue(job_id, owner, order)

    async def cancel(self, job_id: str) -> None:
        if self._queue.remove(job_id) or self._disarm(job_id):
            self._settle()
        if task := self._running.get(job_id):
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def queue_position(self, job_id: str) -> int | None:
        return self._queue.position(job_id)

    # ----- queue control (see genapp/jobs/service.py: pause, resume, move) ----------------

    async def hold(self, owner: str) -> None:
        """Start none of the owner's (EVERYONE: anyone's) waiting jobs until `release`."""
        if owner == EVERYONE:
            self._queue.all_held = True
        else:
            self._queue.held.add(owner)
        self._settle()

    async def release(self, owner: str, pending: list[Job]) -> None:
        """Start the owner's (EVERYONE: everyone's) waiting jobs again; `pending` are their pending rows in
        order, some maybe dropped from the line meanwhile (a run that found the queue paused)."""
        if owner == EVERYONE:
            self._queue.all_held = False
        else:
            self._queue.held.discard(owner)
        for job in pending:
            self._enqueue(job.id, job.owner, job.queue_order)
        if self._queue.runnable():
            self._idle.clear()
            self._wakeup.set()

    async def reorder(self, owner: str, job_ids: list[str]) -> None:
        self._queue.reorder(owner, job_ids)

    async def slots(self) -> int:
        return self.concurrency

    async def waiting(self) -> list[str]:
        """Every waiting job that would start, in the order it would (a paused queue's are left out)."""
        return self._queue.order()

    async def wait_idle(self) -> None:
        """Until no job is running, waiting to start or waiting for its retry (for tests and benchmarks)."""
        while self._queue.runnable() or self._running or self._delayed:
            self._idle.clear()
            await self._idle.wait()

    def _enqueue(self, job_id: str, owner: str, order: float | None = None) -> None:
        self._queue.push(job_id, owner, order)
        if self._queue.runnable():
            self._idle.clear()
            self._wakeup.set()

    def _settle(self) -> None:
        if not self._queue.runnable() and not self._running and not self._delayed:
            self._idle.set()

    # ----- delayed runs: automatic retries --------------------------------------------

    async def dispatch_at(self, job_id: str, owner: str, due: datetime) -> None:
        """Have the job run at or after `due`; then it joins the fair queue first in its owner's line (it had
        its turn), and waits like the rest while its queue is paused."""
        self._arm(job_id, owner, due)

    def _arm(self, job_id: str, owner: str, due: datetime) -> None:
        self._disarm(job_id)
        delay = max(0.0, (due - due_at(0)).total_seconds())
        self._delayed[job_id] = asyncio.get_running_loop().call_later(delay, self._fire, job_id, owner)
        self._idle.clear()

    def _fire(self, job_id: str, owner: str) -> None:
        self._delayed.pop(job_id, None)
        if not self._stopping:
            self._enqueue(job_id, owner)

    def _disarm(self, job_id: str) -> bool:
        timer = self._delayed.pop(job_id, None)
        if timer is not None:
            timer.cancel()
        return timer is not None

    def _disarm_all(self) -> None:
        for timer in self._delayed.values():
            timer.cancel()
        self._delayed.clear()

    async def _worker(self) -> None:
        while True:
            while not self._queue.runnable():
                self._wakeup.clear()
                await self._wakeup.wait()
            job_id, owner = self._queue.pop()
            task = self._running[job_id] = asyncio.create_task(self.runner.run(job_id), name=f"genapp-job-{job_id}")
            try:
                if (due := await task) is not None:  # a transient fault: it runs again later
                    self._arm(job_id, owner, due)
            except asyncio.CancelledError:
                if self._stopping:
                    raise
            except DATABASE_DOWN:  # the row is still active: try again shortly
                asyncio.get_running_loop().call_later(RETRY_AFTER_DB_ERROR, self._enqueue, job_id, owner)
            except Exception:  # the runner records its own failures; this is a last resort
                log.exception("Job %s crashed the runner", job_id)
            finally:
                self._running.pop(job_id, None)
                self._settle()
