"""What one process knows of active jobs: their summaries and streamed drafts, fed by the channel.

Built from events alone (each carries its summary), and rebuilt from the database whenever the
subscription (re)starts, so it is never more than one lost-and-refound subscription from the truth.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.status import ACTIVE_VALUES
from genapp.models import Job, JobSummary

_TOMBSTONES = 10_000  # finished or removed job ids remembered, so a late event cannot revive one
_REMOVED = 1 << 30  # the attempt a removed job "finished": nothing later can revive it


class ActiveJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, dict[str, JobSummary]] = {}  # owner -> job id -> summary, oldest first
        self._drafts: dict[str, dict[str, str]] = {}
        self._gone: OrderedDict[str, int] = OrderedDict()  # job id -> the attempt that finished
        # job id -> its owner since it moved: a runner that started before the move still names the old one
        self._moved: OrderedDict[str, str] = OrderedDict()

    def summaries(self, owner: str) -> list[JobSummary]:
        return list(self._jobs.get(owner, {}).values())

    def drafts(self, owner: str) -> dict[str, str]:
        return dict(self._drafts.get(owner, {}))

    def owners_of(self, job_ids: set[str]) -> set[str]:
        """The owners of those of these jobs that are active."""
        return {owner for owner, jobs in self._jobs.items() if not job_ids.isdisjoint(jobs)}

    def owners(self) -> set[str]:
        return set(self._jobs) | set(self._drafts)

    def reload(self, jobs: list[Job]) -> None:
        """Start over from the database's active rows (oldest first). Drafts are not stored: they restart empty."""
        self._jobs, self._drafts = {}, {}
        for job in jobs:
            self._jobs.setdefault(job.owner, {})[job.id] = JobSummary.of(job)

    def apply(self, event: JobEvent) -> JobEvent:
        """Take the event in; returns it as it should be heard (with the job's owner since a move)."""
        if event.kind == EventKind.MOVED:
            self._move(event)
            return event
        if (owner := self._moved.get(event.job_id)) is not None and owner != event.owner:
            event = replace(event, owner=owner)
        self._take(event)
        return event

    def _move(self, event: JobEvent) -> None:
        self._moved[event.job_id] = event.owner
        self._moved.move_to_end(event.job_id)
        while len(self._moved) > _TOMBSTONES:
            self._moved.popitem(last=False)
        draft = self._drafts.get(event.previous_owner, {}).get(event.job_id)
        self._drop(self._jobs, event.previous_owner, event.job_id)
        self._drop(self._drafts, event.previous_owner, event.job_id)
        if event.summary is not None and event.summary.status in ACTIVE_VALUES and event.job_id not in self._gone:
            self._jobs.setdefault(event.owner, {})[event.job_id] = event.summary
            if draft:
                self._drafts.setdefault(event.owner, {})[event.job_id] = draft

    def _take(self, event: JobEvent) -> None:
        owner, job_id = event.owner, event.job_id
        if event.kind == EventKind.DRAFT:
            if job_id in self._gone:
                return  # a late draft of a finished job
            if event.draft:
                self._drafts.setdefault(owner, {})[job_id] = event.draft
            else:
                self._drop(self._drafts, owner, job_id)
            return
        summary = event.summary
        if event.kind == EventKind.REMOVED:
            self._forget(owner, job_id, _REMOVED)
        elif summary is None:
            return
        elif summary.status not in ACTIVE_VALUES:
            self._forget(owner, job_id, summary.attempt)
        elif summary.attempt > self._gone.get(job_id, 0):  # events from different processes may cross: only a retry revives
            self._gone.pop(job_id, None)
            jobs = self._jobs.setdefault(owner, {})
            jobs[job_id] = _keep_batch(summary, jobs.get(job_id))

    def _forget(self, owner: str, job_id: str, attempt: int) -> None:
        self._drop(self._jobs, owner, job_id)
        self._drop(self._drafts, owner, job_id)
        self._gone[job_id] = max(attempt, self._gone.get(job_id, 0))
        while len(self._gone) > _TOMBSTONES:
            self._gone.popitem(last=False)

    @staticmethod
    def _drop(table: dict[str, dict], owner: str, job_id: str) -> None:
        jobs = table.get(owner)
        if jobs is not None:
            jobs.pop(job_id, None)
            if not jobs:
                del table[owner]


def _keep_batch(summary: JobSummary, previous: JobSummary | None) -> JobSummary:
    """A runner's progress summary does not name the job's batch; the summary from its row did (a job never
    changes batch), so the tile keeps grouping it."""
    if previous is None or not previous.batch_id or summary.batch_id:
        return summary
    return summary.model_copy(update={"batch_id": previous.batch_id, "batch_label": previous.batch_label, "batch_size": previous.batch_size})
