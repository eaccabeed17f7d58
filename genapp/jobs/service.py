"""The job service: the one door to jobs for Reflex states and (later) the HTTP API.

The service does the bookkeeping that does not depend on where jobs run: the row, ownership,
the attempt history, removal of the row and its media, and a view of active jobs fed by the
progress channel. Where and how a job runs is its dispatcher's business: local (an asyncio
queue in this process) or Procrastinate (worker processes); the dispatcher only starts,
cancels and tells a queued job's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from dataclasses import dataclass
from typing import Protocol

from genapp.jobs.active import ActiveJobs
from genapp.jobs.archive import build_archive, read_archive
from genapp.jobs.batches import MAX_BATCH_JOBS, BatchListing, BatchNotFound, BatchView
from genapp.jobs.channel import Channel, LocalChannel
from genapp.jobs.errors import JobNotFound, JobStateError, LimitReached
from genapp.jobs.eta import Key, Rates, forecast
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.library import LibraryPage, LibraryQuery, LibrarySort, decode_cursor, encode_cursor
from genapp.jobs.limits import WINDOW, Limits
from genapp.jobs.retention import Retention
from genapp.jobs.retries import FORM_KEY as RETRY_KEY, JobRetryPolicy
from genapp.jobs.requests import JobRequest
from genapp.jobs.status import ACTIVE, ACTIVE_VALUES, RETRYABLE, RUNNING, JobStatus
from genapp.jobs.store import JobStore
from genapp.jobs.tags import normalise_tags
from genapp.media import MediaStore
from genapp.models import EVERYONE, Batch, Job, JobSummary, QueueHold, utcnow

log = logging.getLogger(__name__)
MAX_BULK = 500  # jobs one bulk action may name
MAX_EXPORT = 20_000  # jobs one archive may hold


class Dispatcher(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def dispatch(self, job_id: str, owner: str) -> None:
        """Have the (pending, stored) job of this owner run once a slot is free."""

    async def cancel(self, job_id: str) -> None:
        """Stop the job wherever it is queued or running (its row is already flagged)."""

    async def queue_position(self, job_id: str) -> int | None:
        """1 for the next job to start; None when the job is not waiting."""

    async def hold(self, owner: str) -> None:
        """Start none of the owner's (EVERYONE: anyone's) waiting jobs until released."""

    async def release(self, owner: str, pending: list[Job]) -> None:
        """Start them again; `pending` holds the owner's (or everyone's) pending rows in their order."""

    async def reorder(self, owner: str, job_ids: list[str]) -> None:
        """The owner's waiting jobs start in this order."""

    async def waiting(self) -> list[str]:
        """Every waiting job that would start, in the order it would."""

    async def slots(self) -> int:
        """How many jobs run at once, in all (for the expected start of waiting jobs)."""

    async def dispatch_at(self, job_id: str, owner: str, due: datetime) -> None:
        """Have the job run at or after `due`: an automatic retry (its runner asked for it, see retries.py)."""


class JobService:
    def __init__(
        self, *, store: JobStore, dispatcher: Dispatcher, channel: Channel, media: MediaStore, limits: Limits | None = None,
        retry_policy: JobRetryPolicy | None = None,
    ):
        self.store, self.dispatcher, self.channel, self.media = store, dispatcher, channel, media
        self.limits = limits or Limits()
        # copied into each new job (its form_data), which keeps it for life; None: the settings' at submit
        self.retry_policy = retry_policy
        self._active = ActiveJobs()
        self._watchers = LocalChannel()  # this process's listeners (the pusher), told after the view is updated
        self._follower: asyncio.Task | None = None
        self._following = asyncio.Event()
        self._init_queue()
        self._init_eta()

    # ----- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self.store.start()
        await self._seed_rates()
        self._follower = asyncio.create_task(self._follow(), name="genapp-follow-jobs")
        await self._following.wait()  # the view is loaded before the first page asks
        await self.dispatcher.start()
        self._placer = asyncio.create_task(self._place_forever(), name="genapp-queue-places")

    async def stop(self) -> None:
        await self.dispatcher.stop()
        for task in (self._follower, self._placer):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.store.stop()

    # ----- actions ---------------------------------------------------------------------

    async def submit(self, *, owner: str, request: JobRequest) -> str:
        """Queue a new job; LimitReached (with the reason) when a fair-use limit refuses it."""
        await self._admit(owner, new_job=True)
        job = await self.store.create(
            Job(
                id=secrets.token_urlsafe(16),
                owner=owner,
                type=request.type.value,
                prompt=request.prompt,
                form_data={**request.form_data, RETRY_KEY: self._retry_policy().to_form()},
                seed=request.seed,
                skip_image=request.skip_image,
                status=JobStatus.PENDING.value,
                stage="Queued",
                title=request.title or _prompt_title(request.prompt, request.type.value),
                content=request.content,
                queue_order=time.time(),
            )
        )
        self._keys[job.id] = Key.of_job(job)
        self._announce(job)
        await self.dispatcher.dispatch(job.id, job.owner, job.queue_order)
        return job.id

    def _retry_policy(self) -> JobRetryPolicy:
        if self.retry_policy is not None:
            return self.retry_policy
        from genapp.config import settings

        return JobRetryPolicy.from_settings(settings)

    async def _admit(self, owner: str, *, new_job: bool) -> None:
        if not owner:  # a tab whose session ended (signed out elsewhere, expired) is no one
            raise LimitReached("Your session has ended: reload the page to go on.")
        now = utcnow()
        self.limits.check(await self.store.admission(owner=owner, since=now - WINDOW), now, new_job=new_job)

    async def cancel(self, *, owner: str, job_id: str) -> None:
        job = await self.store.require(job_id, owner=owner)
        if JobStatus(job.status) not in ACTIVE:
            raise JobStateError("Only a pending or running job can be cancelled.")
        await self._stop(job_id)

    async def retry(self, *, owner: str, job_id: str) -> None:
        """Run a failed or cancelled job again in place: same inputs, the next attempt."""
        if JobStatus((await self.store.require(job_id, owner=owner)).status) in RETRYABLE:  # else requeue says why not
            await self._admit(owner, new_job=False)
        job = await self.store.requeue(job_id, owner=owner, stage="Queued for retry")
        self._keys[job.id] = Key.of_job(job)
        self._announce(job)
        await self.dispatcher.dispatch(job.id, job.owner, job.queue_order)

    async def remove(self, *, owner: str, job_id: str) -> None:
        """Delete a job and its media; an active one is stopped first."""
        job = await self.store.require(job_id, owner=owner)
        if JobStatus(job.status) in ACTIVE:
            await self._stop(job_id)
        await self.store.delete(job_id)
        await asyncio.to_thread(self.media.delete, job_id)
        self.channel.publish(JobEvent(EventKind.REMOVED, owner, job_id))

    async def remove_many(self, *, owner: str, job_ids: Iterable[str]) -> int:
        """Delete the owner's jobs among `job_ids` (others' and unknown ids are ignored); how many went."""
        ids = list(dict.fromkeys(job_ids))
        if len(ids) > MAX_BULK:
            raise JobStateError(f"At most {MAX_BULK} jobs at once.")
        jobs = await self.store.owned(owner=owner, job_ids=ids)
        for job in jobs:
            if JobStatus(job.status) in ACTIVE:
                await self._stop(job.id)
        removed = await self.store.delete_many([job.id for job in jobs], owner=owner)
        for job in jobs:
            await asyncio.to_thread(self.media.delete, job.id)
            self.channel.publish(JobEvent(EventKind.REMOVED, owner, job.id))
        return removed

    async def export(self, *, owner: str, job_ids: Iterable[str] | None = None) -> bytes:
        """The owner's finished jobs (all, or those among `job_ids`) as a library archive (zip)."""
        jobs = await self.store.finished(owner=owner, job_ids=None if job_ids is None else list(job_ids)[:MAX_EXPORT])

        def image_bytes(job: Job):
            path = self.media.path(job.image or "")
            return (path.read_bytes(), path.suffix.lstrip(".")) if path is not None else None

        return await asyncio.to_thread(build_archive, jobs, image_bytes)

    async def import_archive(self, *, owner: str, data: bytes) -> ImportReport:
        """A library archive's items as the owner's finished jobs; items already imported are skipped.
        ArchiveError (nothing imported) for a damaged, hostile, newer or oversized file."""
        items = await asyncio.to_thread(read_archive, data)
        now = utcnow()
        jobs = [
            Job(
                id=item.job_id(owner), owner=owner, type=item.type, prompt=item.prompt, seed=item.seed, form_data={"form": item.form},
                status=JobStatus.COMPLETE.value, progress=100.0, stage="Imported", title=item.title or f"Imported {item.type}",
                content=item.content, image=item.svg, tags=normalise_tags(item.tags), favourite=item.favourite,
                created_at=item.created_at or now, started_at=item.created_at or now, finished_at=item.finished_at or now,
            )
            for item in items
        ]
        created = await self.store.insert_new(jobs)
        pictures = {item.job_id(owner): item.image for item in items if item.image is not None}
        for job in created:
            if (picture := pictures.get(job.id)) is not None:
                job.image = await asyncio.to_thread(self.media.save, job.id, *picture)
                await self.store.set_image(job.id, job.image)
            self._announce(job)
        return ImportReport(created=len(created), skipped=len(jobs) - len(created))

    async def clear_finished(self, *, owner: str) -> int:
        """Remove the owner's finished jobs but the starred ones; how many went."""
        removed = 0
        while batch := await self.store.prunable(owner=owner):
            removed += await self._forget(batch)
        return removed

    async def prune(self, policy: Retention, *, now: datetime | None = None) -> int:
        """Retention over every user: finished, unstarred jobs older than the policy's days or beyond each
        user's newest N; how many went (logged)."""
        if not policy.active:
            return 0
        cutoff = (now or utcnow()) - timedelta(days=policy.days) if policy.days else None
        removed = 0
        while batch := await self.store.prunable(finished_before=cutoff, keep_newest=policy.keep_newest or None):
            removed += await self._forget(batch)
        if removed:
            log.info("Retention removed %d finished jobs (%s)", removed, policy.describe())
        return removed

    async def _forget(self, jobs: list[tuple[str, str]]) -> int:
        """Delete finished rows and their media, and say so (batches come from `prunable`)."""
        removed = 0
        for owner in {o for _, o in jobs}:
            ids = [i for i, o in jobs if o == owner]
            removed += await self.store.delete_many(ids, owner=owner)
            for job_id in ids:
                await asyncio.to_thread(self.media.delete, job_id)
                self.channel.publish(JobEvent(EventKind.REMOVED, owner, job_id))
        return removed

    async def set_favourite(self, *, owner: str, job_id: str, favourite: bool) -> Job:
        return await self.store.mark(job_id, owner=owner, favourite=bool(favourite))

    async def set_tags(self, *, owner: str, job_id: str, tags: Iterable[str]) -> Job:
        """Replace the job's tags (normalised; TagError says what is wrong with them)."""
        return await self.store.mark(job_id, owner=owner, tags=normalise_tags(tags))

    async def transfer(self, from_owner: str, to_owner: str) -> int:
        """Every job of one user becomes another's (a guest who signs in keeps their jobs); returns how many."""
        moved, active = await self.store.transfer(from_owner, to_owner)
        await self.store.transfer_batches(from_owner, to_owner)
        for job in active:
            self.channel.publish(JobEvent(EventKind.MOVED, to_owner, job.id, JobSummary.of(job), previous_owner=from_owner))
        return moved

    # ----- queue control ----------------------------------------------------------------

    async def pause(self, *, owner: str, stop_running: bool = False, by: str = "") -> None:
        """Pause a queue: the owner's, or with EVERYONE the whole service's (an admin's call: the caller
        checks). Waiting jobs wait; running ones finish, or with `stop_running` go back to waiting after
        their current phase (a finished phase is never redone)."""
        await self.store.hold(owner, mode="checkpoint" if stop_running else "queue", by=by or owner)
        await self.dispatcher.hold(owner)
        self._queue_changed(owner)

    async def resume(self, *, owner: str) -> bool:
        """Resume a paused queue (the owner's, or EVERYONE's); False when it was not paused."""
        if not await self.store.release(owner):
            return False
        await self.dispatcher.release(owner, await self.store.pending(owner=None if owner == EVERYONE else owner))
        self._queue_changed(owner)
        return True

    def hold_of(self, owner: str) -> QueueHold | None:
        """What pauses the owner's queue now: the service's hold first, else their own; None when it runs."""
        return self._holds.get(EVERYONE) or self._holds.get(owner)

    def paused_by_self(self, owner: str) -> QueueHold | None:
        return self._holds.get(owner)

    async def move(self, *, owner: str, job_id: str, to: str, before: str | None = None) -> None:
        """Move one of the owner's waiting jobs in their own line: to the "front", "up", "down", the "back",
        or (to="before") just ahead of their job `before`. Users still take turns: this orders their own."""
        line = [job.id for job in await self.store.pending(owner=owner)]
        if job_id not in line:
            await self.store.require(job_id, owner=owner)  # JobNotFound when not theirs
            raise JobStateError("Only a waiting job can be moved.")
        at = line.index(job_id)
        line.remove(job_id)
        if to == "front":
            at = 0
        elif to == "up":
            at = max(0, at - 1)
        elif to == "down":
            at = min(len(line), at + 1)
        elif to == "back":
            at = len(line)
        elif to == "before" and before in line:
            at = line.index(before)
        else:
            raise JobStateError("Move a job to the front, up, down, the back, or before another waiting job of yours.")
        line.insert(at, job_id)
        await self.store.set_queue_order(owner, line)
        await self.dispatcher.reorder(owner, line)
        self._queue_changed(owner)

    def _init_queue(self) -> None:
        self._holds: dict[str, QueueHold] = {}  # paused queues, as this process last read them
        self._places: dict[str, int] = {}  # waiting job id -> its place in the line (1: starts next)
        self._lines: dict[str, dict[str, int]] = {}  # owner -> their waiting jobs -> rank in their own line
        self._places_stale = asyncio.Event()
        self._placer: asyncio.Task | None = None
        self._forecast: dict[str, tuple[float, float]] = {}  # waiting job id -> expected (start, finish) at the last look

    def _queue_changed(self, owner: str) -> None:
        self.channel.publish(JobEvent(EventKind.QUEUE, "" if owner == EVERYONE else owner))

    async def _place_forever(self) -> None:
        """Keep every waiting job's place and expected start current: after events that can move the line
        (at most twice a second), and every few seconds while jobs wait (the countdown), one look at the
        dispatcher's order; users whose places or forecasts changed hear a QUEUE event."""
        while True:
            if self._places:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._places_stale.wait(), FORECAST_REFRESH_SECONDS)
            else:
                await self._places_stale.wait()
            self._places_stale.clear()
            try:
                order = await self.dispatcher.waiting()
                slots = await self.dispatcher.slots()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Reading the queue's order failed; trying again")
                await asyncio.sleep(1.0)
                self._places_stale.set()
                continue
            places = {job_id: i for i, job_id in enumerate(order, start=1)}
            forecast = {job_id: times for job_id, times in self._forecast_every(order, slots).items() if job_id in places}
            changed = {job_id for job_id in places.keys() | self._places.keys() if places.get(job_id) != self._places.get(job_id)}
            changed |= {job_id for job_id in forecast.keys() | self._forecast.keys() if _moved(forecast.get(job_id), self._forecast.get(job_id))}
            self._places, self._forecast = places, forecast
            for owner in self._active.owners_of(changed):
                self._watchers.publish(JobEvent(EventKind.QUEUE, owner))
            await asyncio.sleep(0.5)

    # ----- batches ---------------------------------------------------------------------

    async def submit_batch(self, *, owner: str, requests: list[JobRequest], label: str, kind: str = "variations") -> str:
        """Queue jobs as one batch; its id. All or nothing: LimitReached (nothing created) when the fair-use
        limits do not leave room for every one of them."""
        if not 1 <= len(requests) <= MAX_BATCH_JOBS:
            raise JobStateError(f"A batch holds 1 to {MAX_BATCH_JOBS} generations; this one has {len(requests)}.")
        if not owner:
            raise LimitReached("Your session has ended: reload the page to go on.")
        now = utcnow()
        self.limits.check_batch(await self.store.admission(owner=owner, since=now - WINDOW), now, len(requests))
        label = " ".join(label.split())[:200] or f"{len(requests)} generations"
        batch = Batch(id=secrets.token_urlsafe(16), owner=owner, label=label, kind=kind[:20], created_at=now)
        size, policy, start = len(requests), self._retry_policy().to_form(), time.time()
        jobs = [
            Job(
                id=secrets.token_urlsafe(16),
                owner=owner,
                type=request.type.value,
                prompt=request.prompt,
                form_data={**request.form_data, "batch": {"label": label, "size": size}, RETRY_KEY: policy},
                seed=request.seed,
                skip_image=request.skip_image,
                status=JobStatus.PENDING.value,
                stage="Queued",
                title=_prompt_title(request.prompt, request.type.value),
                batch_id=batch.id,
                created_at=now + timedelta(microseconds=i),  # the batch's order, oldest first
                queue_order=start + i * 1e-6,
            )
            for i, request in enumerate(requests)
        ]
        await self.store.create_batch(batch, jobs)
        for job in jobs:
            self._keys[job.id] = Key.of_job(job)
            self._announce(job)
        for job in jobs:
            await self.dispatcher.dispatch(job.id, job.owner, job.queue_order)
        return batch.id

    async def batch(self, *, owner: str, batch_id: str) -> BatchView | None:
        """The owner's batch with its jobs; None when it does not exist or is not the owner's."""
        found = await self.store.batch(batch_id, owner=owner)
        return None if found is None else BatchView(batch=found[0], jobs=found[1])

    async def batches(self, *, owner: str, limit: int = 20) -> list[BatchListing]:
        """The owner's newest batches, with how many jobs each has and how many finished."""
        return [
            BatchListing(id=b.id, label=b.label, kind=b.kind, created_at=b.created_at, total=total, done=done)
            for b, total, done in await self.store.batches(owner=owner, limit=limit)
        ]

    async def _require_batch(self, owner: str, batch_id: str) -> BatchView:
        view = await self.batch(owner=owner, batch_id=batch_id)
        if view is None:
            raise BatchNotFound(f"No batch {batch_id!r} for this user.")
        return view

    async def cancel_batch(self, *, owner: str, batch_id: str) -> int:
        """Cancel the batch's pending and running jobs; how many were asked to stop."""
        view = await self._require_batch(owner, batch_id)
        active = [job for job in view.jobs if JobStatus(job.status) in ACTIVE]
        for job in active:
            await self._stop(job.id)
        return len(active)

    async def retry_failed(self, *, owner: str, batch_id: str) -> int:
        """Run the batch's failed and cancelled jobs again in place; how many. All or nothing against the
        waiting limits, as a submission is."""
        view = await self._require_batch(owner, batch_id)
        failed = [job for job in view.jobs if JobStatus(job.status) in RETRYABLE]
        if not failed:
            return 0
        now = utcnow()
        self.limits.check_batch(await self.store.admission(owner=owner, since=now - WINDOW), now, len(failed), new_jobs=False)
        retried = 0
        for job in failed:
            try:
                job = await self.store.requeue(job.id, owner=owner, stage="Queued for retry")
            except (JobStateError, JobNotFound):  # retried or removed meanwhile (another tab)
                continue
            self._keys[job.id] = Key.of_job(job)
            self._announce(job)
            await self.dispatcher.dispatch(job.id, job.owner, job.queue_order)
            retried += 1
        return retried

    async def export_batch(self, *, owner: str, batch_id: str) -> bytes:
        """The batch's finished jobs as a library archive (zip)."""
        view = await self._require_batch(owner, batch_id)
        return await self.export(owner=owner, job_ids=[job.id for job in view.jobs])

    # ----- views -----------------------------------------------------------------------

    async def get(self, *, owner: str, job_id: str) -> Job | None:
        """The job, or None when it does not exist or is not the owner's."""
        return await self.store.get(job_id, owner=owner)

    async def list(self, *, owner: str, statuses: Iterable[str] | None = None, job_type: str | None = None, limit: int = 50) -> list[Job]:
        """The owner's jobs, newest first."""
        return await self.store.list(owner=owner, statuses=statuses, job_type=job_type, limit=limit)

    async def library(self, *, owner: str, query: LibraryQuery = LibraryQuery()) -> LibraryPage:
        """A page of the owner's jobs (finished ones unless `query.statuses` says otherwise), filtered,
        searched and sorted; `next_cursor` asks for the next page. InvalidCursor for a foreign cursor."""
        sort = query.effective_sort()
        after = decode_cursor(query.cursor, sort) if query.cursor else None
        rows, total = await self.store.library(owner=owner, query=query, after=after)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_cursor = None
        if more and rows:
            last, key = rows[-1]
            if sort == LibrarySort.RELEVANCE:
                position = {"offset": int((after or {}).get("offset", 0)) + len(rows)}
            else:
                position = {"key": key.isoformat() if hasattr(key, "isoformat") else key, "id": last.id}
            next_cursor = encode_cursor(sort, position)
        return LibraryPage(items=[job for job, _ in rows], next_cursor=next_cursor, total=total)

    async def counts(self, *, owner: str) -> dict[str, int]:
        return await self.store.counts(owner=owner)

    def active(self, owner: str) -> list[JobSummary]:
        """The owner's pending and running jobs, as the channel last told them: running ones first (their
        ETA the blend of their kind's observed durations and their own pace: estimate_running), then the
        waiting ones in line order with their places (0: their queue is paused) and expected start."""
        jobs = [self._with_eta(summary) for summary in self._active.summaries(owner)]
        running = [job for job in jobs if job.status != JobStatus.PENDING.value]
        paused = self.hold_of(owner) is not None
        waiting = []
        for job in jobs:
            if job.status == JobStatus.PENDING.value:
                place = 0 if paused else self._places.get(job.id, 0)
                start, finish = (-1, -1) if paused or job.id not in self._forecast else (round(t) for t in self._forecast[job.id])
                line = line_note(place, start, paused=paused)
                waiting.append(job.model_copy(update={"place": place, "starts_in": start, "finishes_in": finish, "line": line}))
        line = self._lines.get(owner, {})
        # by place; while paused (no places), in the user's own order: jobs they never moved after the moved ones
        waiting.sort(key=lambda job: (job.place == 0, job.place, line.get(job.id, len(line))))
        return running + waiting

    def drafts(self, owner: str) -> dict[str, str]:
        """The owner's running LLM jobs' streamed text, by job id (never stored)."""
        return self._active.drafts(owner)

    async def queue_position(self, job_id: str) -> int | None:
        return await self.dispatcher.queue_position(job_id)

    async def watch(self) -> AsyncIterator[JobEvent]:
        """Every job event, after this service's view of active jobs took it in; RESYNC: reload everything."""
        async for event in self._watchers.subscribe():
            yield event

    # ----- internals -------------------------------------------------------------------

    async def _stop(self, job_id: str) -> None:
        job = await self.store.request_cancel(job_id)
        if job is not None and job.status == JobStatus.CANCELLED.value:  # it was still waiting
            self._announce(job)
        await self.dispatcher.cancel(job_id)

    def _announce(self, job: Job) -> None:
        self.channel.publish(JobEvent(EventKind.STATUS, job.owner, job.id, JobSummary.of(job)))

    async def _follow(self) -> None:
        """Keep the active view current from the channel; reload it from the database on every (re)subscribe."""
        while True:
            try:
                async for event in self.channel.subscribe():
                    if event.kind == EventKind.RESYNC:
                        rows = await self.store.active()
                        self._active.reload(rows)
                        self._track_rows(rows)
                        self._holds = await self.store.holds()
                        self._lines = {}
                        for job in await self.store.pending():
                            self._lines.setdefault(job.owner, {})[job.id] = len(self._lines.get(job.owner, {}))
                        self._following.set()
                    elif event.kind == EventKind.QUEUE:
                        self._holds = await self.store.holds()
                        if event.owner:
                            self._lines[event.owner] = {job.id: i for i, job in enumerate(await self.store.pending(owner=event.owner))}
                    else:
                        event = self._active.apply(event)
                        self._track(event)
                    if event.kind != EventKind.PROGRESS and event.kind != EventKind.DRAFT:
                        self._places_stale.set()  # a job came, started, went, or the line moved
                    self._watchers.publish(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Following job events failed; subscribing again")
                await asyncio.sleep(1.0)


    # ----- ETA (genapp/jobs/eta.py): observed durations, running estimates, the waiting line's forecast -----
    # Every process keeps its own Rates, fed by the same job events, so all backends agree closely.

    def _init_eta(self) -> None:
        self.rates = Rates()
        self._keys: dict[str, Key] = {}  # active job id -> what its duration depends on
        self._began: dict[str, float] = {}  # running job id -> time.monotonic() its run began (as seen here)
        self._reading: set[str] = set()  # job ids whose row is being read to learn their key

    async def _seed_rates(self) -> None:
        try:
            rows = await self.store.recent_durations(limit=500)
        except Exception:  # estimates are a nicety: never a reason not to start
            log.exception("Could not read past durations; ETAs start from nothing")
            return
        self.rates = Rates.from_durations((Key.of(t, {"sources": src}, skip), seconds) for t, src, skip, seconds in rows)

    def estimate_running(self, summary: JobSummary) -> int:
        """Seconds left of a running job (-1: unknown), blending its kind's average with its own pace."""
        began = self._began.get(summary.id)
        if began is None:
            return summary.eta
        key = self._keys.get(summary.id) or Key.unknown(summary.type)
        left = self.rates.remaining(key, time.monotonic() - began, summary.progress)
        return summary.eta if left is None else int(round(left))

    def forecast_for(self, owner: str, waiting_order: Iterable[str], concurrency: int) -> dict[str, tuple[float, float]]:
        """Expected (starts in, finishes in) seconds from now for the owner's active jobs: {job id: (start, finish)}.

        `waiting_order`: the ids of every user's waiting jobs, in the order the dispatcher will start
        them (the next one first); `concurrency`: how many jobs run at once in all (the embedded
        dispatcher's slots; in the scaled mode, every worker's). Running jobs come from this
        process's view (every user's); a running job's start is 0. Jobs with no estimate yet (no job
        has finished since the database began) are absent, and so are the waiting jobs after one.
        Ids in `waiting_order` this process does not know are estimated from all jobs.
        """
        mine = {summary.id for summary in self._active.summaries(owner)}
        return {job_id: times for job_id, times in self._forecast_every(waiting_order, concurrency).items() if job_id in mine}

    def _forecast_every(self, waiting_order: Iterable[str], concurrency: int) -> dict[str, tuple[float, float]]:
        """forecast_for, for every user's jobs at once (the queue view's)."""
        running = []
        for other in self._active.owners():
            for summary in self._active.summaries(other):
                if summary.status != JobStatus.PENDING.value and (began := self._began.get(summary.id)) is not None:
                    key = self._keys.get(summary.id) or Key.unknown(summary.type)
                    running.append((summary.id, key, time.monotonic() - began, float(summary.progress)))
        waiting = [(job_id, self._keys.get(job_id) or Key.unknown("")) for job_id in waiting_order]
        return forecast(running, waiting, concurrency, self.rates)

    def _with_eta(self, summary: JobSummary) -> JobSummary:
        if summary.status == JobStatus.PENDING.value or summary.id not in self._began:
            return summary
        eta = self.estimate_running(summary)
        return summary if eta == summary.eta else summary.model_copy(update={"eta": eta})

    def _track(self, event: JobEvent) -> None:
        """Note when runs begin and, when one completes, how long it took."""
        summary, job_id = event.summary, event.job_id
        if event.kind == EventKind.REMOVED or (summary is not None and summary.status not in ACTIVE_VALUES):
            began = self._began.pop(job_id, None)
            key = self._keys.pop(job_id, None)
            if summary is not None and summary.status == JobStatus.COMPLETE.value and began is not None and key is not None:
                self.rates.observe(key, time.monotonic() - began)
            return
        if summary is None:
            return
        if summary.status == JobStatus.PENDING.value:
            self._began.pop(job_id, None)  # a retry, or a run resumed after a restart: it begins again
        elif job_id not in self._began:
            self._began[job_id] = time.monotonic()
        if job_id not in self._keys and job_id not in self._reading:  # announced by another process
            self._reading.add(job_id)
            asyncio.get_running_loop().create_task(self._learn_key(job_id))

    async def _learn_key(self, job_id: str) -> None:
        try:
            job = await self.store.get(job_id)
            if job is not None and job.status in ACTIVE_VALUES:
                self._keys[job_id] = Key.of_job(job)
        except Exception:  # the type-only estimate serves meanwhile
            log.debug("Could not read job %s for its ETA key", job_id, exc_info=True)
        finally:
            self._reading.discard(job_id)

    def _track_rows(self, rows: list[Job]) -> None:
        """After a reload: the active rows' keys, and when the running ones began (from started_at if not seen here)."""
        now_wall, now = utcnow(), time.monotonic()
        self._keys = {job.id: Key.of_job(job) for job in rows}
        began = {}
        for job in rows:
            if JobStatus(job.status) in RUNNING:
                if job.id in self._began:
                    began[job.id] = self._began[job.id]
                elif job.started_at is not None:
                    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=now_wall.tzinfo)
                    began[job.id] = now - max(0.0, (now_wall - started).total_seconds())
        self._began = began


@dataclass(frozen=True)
class ImportReport:
    created: int
    skipped: int  # already in the library (imported before)


FORECAST_REFRESH_SECONDS = 5.0  # while jobs wait, their "starts in ~N s" is worked out again this often


def _moved(new: tuple[float, float] | None, old: tuple[float, float] | None) -> bool:
    """A forecast worth pushing: new, gone, or its start moved by 2 s or more."""
    if new is None or old is None:
        return (new is None) != (old is None)
    return abs(new[0] - old[0]) >= 2.0


def line_note(place: int, starts_in: int = -1, *, paused: bool = False) -> str:
    """A waiting job's place in words: "next in line", "3rd in line · starts in ~40 s", or "Paused"."""
    if paused:
        return "Paused"
    if place <= 0:
        return "Queued"  # not in the line yet (just submitted), or waiting out a retry's delay
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    where = "next in line" if place == 1 else f"{place}{suffix} in line"
    return where if starts_in < 0 else f"{where} · starts in ~{_duration(starts_in)}"


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 90 else f"{round(seconds / 60)} min"


def _prompt_title(prompt: str, job_type: str) -> str:
    text = " ".join(prompt.split())
    if not text:
        return f"New {job_type}"
    return text if len(text) <= 60 else text[:57].rstrip() + "..."
