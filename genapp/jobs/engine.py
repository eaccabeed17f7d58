"""The job engine: owns every job's life from submission to a finished row.

One engine per backend process. It queues jobs in submission order, runs at most
`concurrency` at once, reports progress to the event bus at full rate, writes it to
the database at a throttled rate (and at once on every status change), and on start
resumes what a previous process left unfinished.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from genapp.generators import Content, Generator, get_generator, render_illustration
from genapp.jobs import repository as repo
from genapp.jobs.bus import EventBus, EventKind, JobEvent
from genapp.jobs.requests import JobRequest, Sources, simulation_of, sources_of
from genapp.jobs.simulation import InjectedFailure, simulate
from genapp.jobs.status import ACTIVE, FINISHED, RETRYABLE, RUNNING, JobStatus
from genapp.media import MediaStore
from genapp.models import Job, JobSummary, utcnow
from genapp.providers import ProviderError, Providers, image_prompt

log = logging.getLogger(__name__)

STAGE_CHARS = 200
CONTENT_SHARE = 80.0  # % of a job's progress bar given to the content phase when an image follows


class JobNotFound(LookupError):
    """No job with that id belongs to that user (whether it exists for another user is not said)."""


class JobStateError(ValueError):
    """The action does not fit the job's status (retrying a running job, say)."""


@dataclass
class LiveJob:
    """The engine's in-memory view of an active job; the database row is updated from it."""

    id: str
    owner: str
    type: str
    title: str
    status: JobStatus
    progress: float = 0.0
    stage: str = ""
    eta: float | None = None
    attempt: int = 1
    run_started: float = 0.0
    progress_at_start: float = 0.0
    dirty: bool = False
    cancel_requested: bool = False
    draft: str = ""  # readable text of the answer an LLM is streaming; shown while the job runs, never stored
    task: asyncio.Task | None = field(default=None, repr=False)

    def summary(self) -> JobSummary:
        return JobSummary(
            id=self.id,
            type=self.type,
            title=self.title,
            status=self.status.value,
            progress=int(self.progress),
            stage=self.stage,
            eta=-1 if self.eta is None else int(round(self.eta)),
            attempt=self.attempt,
        )


class _PhaseReporter:
    """Maps a phase's own 0-100 progress onto its share of the job's bar."""

    def __init__(self, engine: JobEngine, live: LiveJob, start: float, end: float):
        self._engine, self._live, self._start, self._end = engine, live, start, end

    def report(self, progress: float, stage: str, detail: str = "") -> None:
        clamped = min(100.0, max(0.0, progress))
        overall = self._start + (self._end - self._start) * clamped / 100.0
        text = f"{stage}: {detail}" if detail else stage
        # the column holds 200 characters (Postgres enforces it); a provider's retry note can be longer
        self._engine._progress(self._live, overall, text if len(text) <= STAGE_CHARS else text[: STAGE_CHARS - 3] + "...")


class JobEngine:
    def __init__(
        self,
        *,
        db: sa.Engine,
        bus: EventBus | None = None,
        concurrency: int = 4,
        flush_interval: float = 1.0,
        providers: Providers | None = None,
        media: MediaStore | None = None,
    ):
        self.db = db
        self.bus = bus or EventBus()
        self.providers = providers or Providers()
        self.media = media or MediaStore("media")
        self.concurrency = concurrency
        self.flush_interval = flush_interval
        self._live: dict[str, LiveJob] = {}
        self._queue: deque[str] = deque()
        self._wakeup = asyncio.Event()
        self._workers: list[asyncio.Task] = []
        self._flusher: asyncio.Task | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False

    # ----- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        """Resume unfinished jobs from the database, then start the workers."""
        self._stopping = False
        with self._session() as session:
            unfinished = repo.list_unfinished(session)
            for job in unfinished:
                if JobStatus(job.status) in RUNNING:
                    repo.update_job(session, job_id=job.id, status=JobStatus.PENDING.value, stage="Resuming after restart", eta_seconds=None)
                job.status = JobStatus.PENDING.value
            session.commit()
        for job in unfinished:
            self._enqueue(self._live_from_row(job, stage="Resuming after restart"))
        if unfinished:
            log.info("Resuming %d unfinished job(s)", len(unfinished))
        self._workers = [asyncio.create_task(self._worker(), name=f"genapp-worker-{i}") for i in range(self.concurrency)]
        self._flusher = asyncio.create_task(self._flush_loop(), name="genapp-flusher")

    async def stop(self) -> None:
        """Stop running jobs without finishing them: their rows stay active and resume next start."""
        self._stopping = True
        running = [live.task for live in self._live.values() if live.task]
        tasks = [*self._workers, *running, *([self._flusher] if self._flusher else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._workers, self._flusher = [], None
        self._flush_dirty()
        self._live.clear()
        self._queue.clear()
        await self.providers.aclose()

    async def wait_idle(self) -> None:
        """Until no job is queued or running (for tests and benchmarks)."""
        while self._live:
            self._idle.clear()
            await self._idle.wait()

    # ----- user actions ----------------------------------------------------------------

    async def submit(self, *, owner: str, request: JobRequest) -> str:
        job = Job(
            id=secrets.token_urlsafe(16),
            owner=owner,
            type=request.type.value,
            prompt=request.prompt,
            form_data=request.form_data,
            seed=request.seed,
            skip_image=request.skip_image,
            status=JobStatus.PENDING.value,
            stage="Queued",
            title=_prompt_title(request.prompt, request.type.value),
        )
        with self._session() as session:
            repo.add_job(session, job=job)
            session.commit()
            live = self._live_from_row(job, stage="Queued")
        self._enqueue(live)
        self._publish(live, EventKind.STATUS)
        return job.id

    async def cancel(self, *, owner: str, job_id: str) -> None:
        live = self._live.get(job_id)
        if live is None or live.owner != owner:
            self._require_owned(owner, job_id)
            raise JobStateError("Only a pending or running job can be cancelled.")
        if live.task is None:  # still queued: it never starts
            self._finish(live, JobStatus.CANCELLED, stage="Cancelled before it started")
            return
        live.cancel_requested = True
        live.task.cancel()
        await asyncio.gather(live.task, return_exceptions=True)

    async def retry(self, *, owner: str, job_id: str) -> None:
        """Run an errored or cancelled job again in place: same inputs, the next attempt."""
        with self._session() as session:
            job = self._require_owned(owner, job_id, session)
            if JobStatus(job.status) not in RETRYABLE:
                raise JobStateError(f"Only a failed or cancelled job can be retried; this one is {job.status}.")
            history = [*job.attempts, _attempt_record(job)]
            repo.update_job(
                session,
                job_id=job.id,
                status=JobStatus.PENDING.value,
                attempt=job.attempt + 1,
                attempts=history,
                error=None,
                progress=0.0,
                stage="Queued for retry",
                eta_seconds=None,
                started_at=None,
                finished_at=None,
            )
            session.commit()
            session.refresh(job)
            live = self._live_from_row(job, stage="Queued for retry")
        self._enqueue(live)
        self._publish(live, EventKind.STATUS)

    async def remove(self, *, owner: str, job_id: str) -> None:
        """Delete a job; a running one is cancelled first."""
        self._require_owned(owner, job_id)
        if job_id in self._live:
            await self.cancel(owner=owner, job_id=job_id)
        with self._session() as session:
            repo.delete_job(session, job_id=job_id)
            session.commit()
        await asyncio.to_thread(self.media.delete, job_id)
        self.bus.publish(JobEvent(EventKind.REMOVED, owner, job_id, ""))

    # ----- views -----------------------------------------------------------------------

    def active_summaries(self, owner: str) -> list[JobSummary]:
        """The owner's queued and running jobs, oldest first, straight from memory."""
        return [live.summary() for live in self._live.values() if live.owner == owner]

    def drafts(self, owner: str) -> dict[str, str]:
        """The owner's running jobs' streamed drafts (LLM text only), by job id."""
        return {live.id: live.draft for live in self._live.values() if live.owner == owner and live.draft}

    def queue_position(self, job_id: str) -> int | None:
        try:
            return self._queue.index(job_id) + 1
        except ValueError:
            return None

    # ----- internals -------------------------------------------------------------------

    def _session(self) -> Session:
        # Rows outlive their session here (handed to the runner), so commits must not expire them.
        return Session(self.db, expire_on_commit=False)

    def _require_owned(self, owner: str, job_id: str, session: Session | None = None) -> Job:
        if session is None:
            with self._session() as own_session:
                return self._require_owned(owner, job_id, own_session)
        job = repo.get_job(session, job_id=job_id, owner=owner)
        if job is None:
            raise JobNotFound(f"No job {job_id!r} for this user.")
        return job

    def _live_from_row(self, job: Job, *, stage: str) -> LiveJob:
        return LiveJob(
            id=job.id,
            owner=job.owner,
            type=job.type,
            title=job.title,
            status=JobStatus(job.status),
            progress=job.progress,
            stage=stage,
            attempt=job.attempt,
        )

    def _enqueue(self, live: LiveJob) -> None:
        self._live[live.id] = live
        self._queue.append(live.id)
        self._idle.clear()
        self._wakeup.set()

    async def _worker(self) -> None:
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            job_id = self._queue.popleft()
            live = self._live.get(job_id)
            if live is None or live.status != JobStatus.PENDING or live.task is not None:
                continue  # cancelled or removed while it waited
            live.task = asyncio.create_task(self._run(live), name=f"genapp-job-{job_id}")
            try:
                await live.task
            except asyncio.CancelledError:
                if self._stopping:
                    raise
            except Exception:  # _run records its own failures; this is a last resort
                log.exception("Job %s crashed the runner", job_id)

    async def _run(self, live: LiveJob) -> None:
        try:
            with self._session() as session:
                job = session.get(Job, live.id)
                if job is None:
                    self._forget(live)
                    return
                session.expunge(job)
            generator = get_generator(job.type)
            form = generator.form_model.model_validate(job.form_data.get("form", {}))
            simulation = simulation_of(job.form_data)
            sources = sources_of(job.form_data)
            fail_at = simulation.fail_at if simulation and live.attempt == 1 else None
            failure = f"Injected failure at {fail_at:g}% (QA; first attempt only)" if fail_at is not None else ""
            content_end = 100.0 if job.skip_image else CONTENT_SHARE
            live.run_started, live.progress_at_start = time.monotonic(), 0.0

            if job.content is None:
                self._set_status(live, JobStatus.GENERATING, "Starting", started_at=job.started_at or utcnow())
                reporter = _PhaseReporter(self, live, 0.0, content_end)
                if simulation and simulation.seconds:
                    share = simulation.seconds * (content_end / 100.0)
                    await simulate(share, reporter, stage="Generating", fail_at=_scaled(fail_at, 0.0, content_end), failure=failure)
                content = await self._content(live, generator, job, form, sources, reporter)
                if fail_at is not None and fail_at <= content_end:
                    raise InjectedFailure(failure)
                live.title = content.title()[:200]
                live.draft = ""  # the content itself shows from here on
                self._set_status(
                    live,
                    JobStatus.CONTENT_COMPLETE,
                    "Content ready",
                    progress=content_end,
                    content=content.model_dump(mode="json"),
                    title=live.title,
                )
            else:
                content = generator.load(job.content)  # may predate the bounds: taken as saved
                live.progress_at_start = content_end

            if not job.skip_image:
                self._set_status(live, JobStatus.IMAGE_GENERATING, "Painting illustration", progress=content_end)
                reporter = _PhaseReporter(self, live, content_end, 100.0)
                if simulation and simulation.seconds:
                    remaining = simulation.seconds * (100.0 - content_end) / 100.0
                    await simulate(
                        remaining, reporter, stage="Painting illustration", fail_at=_scaled(fail_at, content_end, 100.0), failure=failure
                    )
                image = await self._image(generator, job, content, sources, reporter)
                if fail_at is not None:
                    raise InjectedFailure(failure)
                self._finish(live, JobStatus.COMPLETE, "Done", image=image)
            else:
                self._finish(live, JobStatus.COMPLETE, "Done")
        except asyncio.CancelledError:
            if live.cancel_requested:
                self._finish(live, JobStatus.CANCELLED, "Cancelled")
                return
            self._flush_one(live)  # shutting down: keep the row active so it resumes
            raise
        except Exception as exc:  # one job's failure must never touch another
            message = str(exc) or type(exc).__name__
            if isinstance(exc, ProviderError):  # an expected fault, already in plain words and free of secrets
                log.warning("Job %s failed: %s", live.id, message)
            elif not isinstance(exc, InjectedFailure):
                log.exception("Job %s failed", live.id)
            self._finish(live, JobStatus.ERROR, "Failed", error=message)

    async def _content(self, live: LiveJob, generator: Generator, job: Job, form: Any, sources: Sources, reporter: _PhaseReporter) -> Content:
        if sources.text == "llm":
            if self.providers.text is None:
                raise ProviderError("This job asks for the LLM, but none is configured now (GENAPP_LLM_BASE_URL); retry after setting it.")
            return await self.providers.text.generate(generator, job.prompt, form, job.seed, reporter, on_draft=lambda text: self._draft(live, text))
        return await generator.generate(job.prompt, form, job.seed, reporter)

    async def _image(self, generator: Generator, job: Job, content: Content, sources: Sources, reporter: _PhaseReporter) -> str:
        """The job's picture: a file from the image provider (its reference is stored), or inline SVG."""
        if sources.image == "api":
            if self.providers.image is None:
                raise ProviderError("This job asks for the image service, but none is configured now (GENAPP_IMAGE_PROVIDER); retry after setting it.")
            picture = await self.providers.image.paint(image_prompt(content, generator.label), job.seed, reporter)
            return await asyncio.to_thread(self.media.save, job.id, picture.data, picture.extension)
        return await _illustrate(content, job.seed)

    def _progress(self, live: LiveJob, progress: float, stage: str) -> None:
        live.progress = max(live.progress, progress)
        live.stage = stage
        live.eta = _eta(live)
        live.dirty = True
        self._publish(live, EventKind.PROGRESS)

    def _draft(self, live: LiveJob, text: str) -> None:
        live.draft = text
        self._publish(live, EventKind.DRAFT)

    def _set_status(self, live: LiveJob, status: JobStatus, stage: str, *, progress: float | None = None, **fields: Any) -> None:
        """Change status: written to the database before anyone hears of it."""
        live.status, live.stage = status, stage
        if progress is not None:
            live.progress = progress
        live.eta = _eta(live)
        with self._session() as session:
            repo.update_job(
                session,
                job_id=live.id,
                status=status.value,
                stage=stage,
                progress=live.progress,
                eta_seconds=live.eta,
                **fields,
            )
            session.commit()
        live.dirty = False
        self._publish(live, EventKind.STATUS)

    def _finish(self, live: LiveJob, status: JobStatus, stage: str, **fields: Any) -> None:
        assert status in FINISHED
        progress = 100.0 if status == JobStatus.COMPLETE else live.progress
        live.eta = None
        self._set_status(live, status, stage, progress=progress, finished_at=utcnow(), **fields)
        self._forget(live)

    def _forget(self, live: LiveJob) -> None:
        self._live.pop(live.id, None)
        if not self._live:
            self._idle.set()

    def _publish(self, live: LiveJob, kind: EventKind) -> None:
        self.bus.publish(JobEvent(kind, live.owner, live.id, live.status.value, int(live.progress)))

    def _flush_one(self, live: LiveJob) -> None:
        if live.dirty:
            with self._session() as session:
                repo.update_job(session, job_id=live.id, progress=live.progress, stage=live.stage, eta_seconds=live.eta)
                session.commit()
            live.dirty = False

    def _flush_dirty(self) -> None:
        """Write every active job's unsaved progress in one transaction."""
        dirty = [live for live in self._live.values() if live.dirty and live.status in ACTIVE]
        if not dirty:
            return
        with self._session() as session:
            repo.update_jobs(
                session,
                rows=({"id": l.id, "progress": l.progress, "stage": l.stage, "eta_seconds": l.eta} for l in dirty),
            )
            session.commit()
        for live in dirty:
            live.dirty = False

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                self._flush_dirty()
            except Exception:
                log.exception("Progress flush failed; retrying next interval")


async def _illustrate(content: Content, seed: int) -> str:
    await asyncio.sleep(0)  # a cancellation point between phases
    return render_illustration(content, seed)


def _scaled(fail_at: float | None, start: float, end: float) -> float | None:
    """A job-level failure point as a % of one phase, or None when it falls outside that phase."""
    if fail_at is None or not start <= fail_at <= end or end <= start:
        return None
    return (fail_at - start) * 100.0 / (end - start)


def _eta(live: LiveJob) -> float | None:
    """Seconds left, from the rate observed since this run started."""
    done = live.progress - live.progress_at_start
    elapsed = time.monotonic() - live.run_started if live.run_started else 0.0
    if done <= 0.5 or elapsed <= 0:
        return None
    return max(0.0, elapsed * (100.0 - live.progress) / done)


def _prompt_title(prompt: str, job_type: str) -> str:
    text = " ".join(prompt.split())
    if not text:
        return f"New {job_type}"
    return text if len(text) <= 60 else text[:57].rstrip() + "..."


def _attempt_record(job: Job) -> dict[str, Any]:
    return {
        "attempt": job.attempt,
        "status": job.status,
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "progress": job.progress,
    }
