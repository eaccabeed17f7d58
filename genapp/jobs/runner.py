"""The runner: one job's run, phase by phase, the same code in a backend (embedded) and in a worker (scaled).

A run claims the job's row, writes each status before publishing it, notes progress at full
rate (the store writes it about once a second), and ends with one conditional active -> finished
update. A job whose content is already stored resumes at its illustration: a finished phase is
never redone. A run that finds its claim lost (the job was cancelled, removed or taken over
after a crash) stops without writing anything.

A run that fails with a transient fault while its job has runs left (genapp/jobs/retries.py) leaves
the row pending with `retry_at` set and returns that time: its dispatcher runs it again then. A run
that starts before its job's `retry_at` (a restart, a swept orphan) returns it without running.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genapp.generators import Content, Generator, get_generator, render_illustration
from genapp.jobs.channel import Channel
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.requests import ILLUSTRATION_ONLY, Sources, simulation_of, sources_of
from genapp.jobs.retries import Failure, JobRetryPolicy, auto_attempt, aware, classify, due_at, previous_wait, retry_stage
from genapp.jobs.simulation import InjectedFailure, simulate
from genapp.jobs.status import FINISHED, JobStatus
from genapp.jobs.store import JobStore
from genapp.media import MediaStore
from genapp.models import Job, JobSummary, utcnow
from genapp.providers import ProviderError, Providers, image_prompt

log = logging.getLogger(__name__)

STAGE_CHARS = 200
CONTENT_SHARE = 80.0  # % of a job's progress bar given to the content phase when an image follows


DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError)
EARLY = timedelta(milliseconds=50)  # a timer firing this much before a retry's due time counts as on time


class LostClaim(Exception):
    """The row is no longer this run's to write: cancelled, removed, or claimed by a newer run."""


@dataclass
class Run:
    """One run of one job, as the runner sees it; the row is updated from it."""

    id: str
    owner: str
    type: str
    title: str
    status: JobStatus
    token: str
    progress: float = 0.0
    stage: str = ""
    eta: float | None = None
    attempt: int = 1
    started: float = 0.0
    progress_at_start: float = 0.0
    content_end: float | None = None  # set once the content is stored (this run or an earlier one)

    @classmethod
    def of(cls, job: Job) -> Run:
        assert job.run_token
        return cls(job.id, job.owner, job.type, job.title, JobStatus(job.status), job.run_token, job.progress, job.stage, attempt=job.attempt)

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

    def __init__(self, runner: JobRunner, run: Run, start: float, end: float):
        self._runner, self._run, self._start, self._end = runner, run, start, end

    def report(self, progress: float, stage: str, detail: str = "") -> None:
        clamped = min(100.0, max(0.0, progress))
        overall = self._start + (self._end - self._start) * clamped / 100.0
        text = f"{stage}: {detail}" if detail else stage
        # the column holds 200 characters (Postgres enforces it); a provider's retry note can be longer
        self._runner._progress(self._run, overall, text if len(text) <= STAGE_CHARS else text[: STAGE_CHARS - 3] + "...")


class JobRunner:
    def __init__(
        self, *, store: JobStore, channel: Channel, providers: Providers, media: MediaStore,
        retry_default: JobRetryPolicy | None = None, rng: random.Random | None = None,
    ):
        self.store, self.channel, self.providers, self.media = store, channel, providers, media
        self.retry_default = retry_default  # for rows submitted before retries existed (None: the settings')
        self.rng = rng or random.Random()

    async def run(self, job_id: str) -> datetime | None:
        """Run the job to a finished row, or leave it active when the process is stopping (it resumes).
        Returns when the job should run again (an automatic retry is due), else None."""
        job = await self.store.claim(job_id)
        if job is None:  # finished, cancelled or removed meanwhile: nothing to run
            if abandoned := await self.store.cancel_abandoned(job_id):  # its user cancelled it while no run held it
                self.channel.publish(JobEvent(EventKind.STATUS, abandoned.owner, abandoned.id, JobSummary.of(abandoned)))
            return None
        if (due := aware(job.retry_at)) is not None and due > due_at(0) + EARLY:
            return due  # here before its time (a restart, a swept orphan): it waits for it
        run = Run.of(job)
        try:
            await self._phases(run, job)
        except asyncio.CancelledError:
            if await self.store.cancel_requested(run.id):
                await self._finish_quietly(run, JobStatus.CANCELLED, "Cancelled")
                return
            await self.store.flush([run.id])  # stopping: keep the row active so it resumes
            raise
        except LostClaim:
            log.info("Job %s: claim lost (cancelled, removed or re-run elsewhere); this run stops", run.id)
        except DATABASE_DOWN:
            # Not the job's fault: leave the row active; its dispatcher runs it again once the database is back.
            log.warning("Job %s: the database went away mid-run; it will run again", run.id)
            raise
        except Exception as exc:  # one job's failure must never touch another
            failure = classify(exc)
            if isinstance(exc, ProviderError):  # an expected fault, already in plain words and free of secrets
                log.warning("Job %s failed (%s): %s", run.id, "transient" if failure.transient else "permanent", failure.message)
            elif not isinstance(exc, InjectedFailure):
                log.exception("Job %s failed", run.id)
            if failure.transient:
                retrying, due = await self._retry_later(run, job, failure)
                if retrying:
                    return due
            await self._finish_quietly(run, JobStatus.ERROR, "Failed", error=failure.message)
        return None

    async def _retry_later(self, run: Run, job: Job, failure: Failure) -> tuple[bool, datetime | None]:
        """(handled, due): the row made pending until its retry is due, or (False, None) when the job has no
        runs left. A run whose job was cancelled meanwhile ends cancelled; one whose claim was lost, nothing."""
        policy = JobRetryPolicy.of(job.form_data, self.retry_default)
        series = auto_attempt(job.attempts)  # this run's place among the runs its policy allows
        if series >= policy.attempts:
            return False, None
        wait = policy.delay(previous_wait(job.attempts), self.rng, retry_after=failure.retry_after)
        due = due_at(wait)
        progress = run.content_end or 0.0  # a stored content is kept: the bar stays at its share
        retried = await self.store.schedule_retry(
            run.id, run.token, error=failure.message, stage=retry_stage(wait, series + 1, policy.attempts, failure.message),
            retry_at=due, wait=wait, progress=progress,
        )
        if retried is None:
            if await self.store.cancel_requested(run.id):
                await self._finish_quietly(run, JobStatus.CANCELLED, "Cancelled")
            return True, None
        log.info("Job %s: run %d of %d failed; retrying in %.2f s", run.id, series, policy.attempts, wait)
        self.channel.publish(JobEvent(EventKind.STATUS, retried.owner, retried.id, JobSummary.of(retried)))
        return True, due

    async def _phases(self, run: Run, job: Job) -> None:
        generator = get_generator(job.type)
        form = generator.form_model.model_validate(job.form_data.get("form", {}))
        simulation = simulation_of(job.form_data)
        sources = sources_of(job.form_data)
        fail_at = simulation.fail_at if simulation and run.attempt == 1 else None
        failure = f"Injected failure at {fail_at:g}% (QA; first attempt only)" if fail_at is not None else ""
        content_end = 100.0 if job.skip_image else 0.0 if job.form_data.get(ILLUSTRATION_ONLY) else CONTENT_SHARE
        run.started, run.progress_at_start = time.monotonic(), 0.0
        started_at = job.started_at or utcnow()  # this attempt's start (a retry's row has none)

        if job.content is None:
            await self._set_status(run, JobStatus.GENERATING, "Starting", started_at=started_at, retry_at=None)
            reporter = _PhaseReporter(self, run, 0.0, content_end)
            if simulation and simulation.seconds:
                share = simulation.seconds * (content_end / 100.0)
                await simulate(share, reporter, stage="Generating", fail_at=_scaled(fail_at, 0.0, content_end), failure=failure)
            content = await self._content(run, generator, job, form, sources, reporter)
            if fail_at is not None and fail_at <= content_end:
                raise InjectedFailure(failure)
            run.title = content.title()[:200]
            self._publish(run, EventKind.DRAFT)  # an empty draft: the content itself shows from here on
            await self._set_status(
                run, JobStatus.CONTENT_COMPLETE, "Content ready", progress=content_end, content=content.model_dump(mode="json"), title=run.title
            )
            if not job.skip_image and await self._parked(run):
                return
        else:
            content = generator.load(job.content)  # stored by an earlier run (maybe before the bounds): taken as saved
            run.progress_at_start = content_end
        run.content_end = content_end

        if job.skip_image:
            await self._finish(run, JobStatus.COMPLETE, "Done", retry_at=None)
            return
        await self._set_status(run, JobStatus.IMAGE_GENERATING, "Painting illustration", progress=content_end, started_at=started_at, retry_at=None)
        reporter = _PhaseReporter(self, run, content_end, 100.0)
        if simulation and simulation.seconds:
            remaining = simulation.seconds * (100.0 - content_end) / 100.0
            await simulate(remaining, reporter, stage="Painting illustration", fail_at=_scaled(fail_at, content_end, 100.0), failure=failure)
        image = await self._image(generator, job, content, sources, reporter)
        if fail_at is not None:
            raise InjectedFailure(failure)
        await self._finish(run, JobStatus.COMPLETE, "Done", image=image)

    async def _parked(self, run: Run) -> bool:
        """At the checkpoint between the phases: when the owner's (or the service's) queue was paused with
        "stop running jobs", the job goes back to waiting with its content kept; the resume paints its picture."""
        if not any(hold.mode == "checkpoint" for hold in await self.store.holds_of(run.owner)):
            return False
        run.eta = None
        stage = "Paused after its text; the picture follows on resume"
        if not await self.store.write(run.id, run.token, status=JobStatus.PENDING.value, stage=stage, eta_seconds=None):
            raise LostClaim(run.id)
        run.status, run.stage = JobStatus.PENDING, stage
        self._publish(run, EventKind.STATUS)
        log.info("Job %s paused at its checkpoint (its queue was paused)", run.id)
        return True

    async def _content(self, run: Run, generator: Generator, job: Job, form: Any, sources: Sources, reporter: _PhaseReporter) -> Content:
        if sources.text == "llm":
            if self.providers.text is None:
                raise ProviderError("This job asks for the LLM, but none is configured now (GENAPP_LLM_BASE_URL); retry after setting it.")
            return await self.providers.text.generate(
                generator, job.prompt, form, job.seed, reporter, on_draft=lambda text: self._publish(run, EventKind.DRAFT, text)
            )
        return await generator.generate(job.prompt, form, job.seed, reporter)

    async def _image(self, generator: Generator, job: Job, content: Content, sources: Sources, reporter: _PhaseReporter) -> str:
        """The job's picture: a file from the image provider (its reference is stored), or inline SVG."""
        if sources.image == "api":
            if self.providers.image is None:
                raise ProviderError("This job asks for the image service, but none is configured now (GENAPP_IMAGE_PROVIDER); retry after setting it.")
            picture = await self.providers.image.paint(image_prompt(content, generator.label), job.seed, reporter)
            return await asyncio.to_thread(self.media.save, job.id, picture.data, picture.extension)
        await asyncio.sleep(0)  # a cancellation point between phases
        return render_illustration(content, job.seed)

    # ----- what the run reports ----------------------------------------------------------

    def _progress(self, run: Run, progress: float, stage: str) -> None:
        run.progress = max(run.progress, progress)
        run.stage = stage
        run.eta = _eta(run)
        self.store.note_progress(run.id, run.token, run.progress, run.stage, run.eta)
        self._publish(run, EventKind.PROGRESS)

    async def _set_status(self, run: Run, status: JobStatus, stage: str, *, progress: float | None = None, **fields: Any) -> None:
        """Written to the database before anyone hears of it; LostClaim when the row is no longer ours."""
        run.status, run.stage = status, stage
        if progress is not None:
            run.progress = progress
        run.eta = None if status in FINISHED else _eta(run)
        if not await self.store.write(run.id, run.token, status=status.value, stage=stage, progress=run.progress, eta_seconds=run.eta, **fields):
            raise LostClaim(run.id)
        self._publish(run, EventKind.STATUS)

    async def _finish(self, run: Run, status: JobStatus, stage: str, **fields: Any) -> None:
        progress = 100.0 if status == JobStatus.COMPLETE else run.progress
        await self._set_status(run, status, stage, progress=progress, finished_at=utcnow(), **fields)

    async def _finish_quietly(self, run: Run, status: JobStatus, stage: str, **fields: Any) -> None:
        try:
            await self._finish(run, status, stage, **fields)
        except LostClaim:
            log.info("Job %s ended %s after its claim was lost; nothing written", run.id, status.value)

    def _publish(self, run: Run, kind: EventKind, draft: str = "") -> None:
        summary = None if kind == EventKind.DRAFT else run.summary()
        self.channel.publish(JobEvent(kind, run.owner, run.id, summary, draft))


def _scaled(fail_at: float | None, start: float, end: float) -> float | None:
    """A job-level failure point as a % of one phase, or None when it falls outside that phase."""
    if fail_at is None or not start <= fail_at <= end or end <= start:
        return None
    return (fail_at - start) * 100.0 / (end - start)


def _eta(run: Run) -> float | None:
    """Seconds left, from the rate observed since this run started (the naive estimate: a worker has no
    history of durations; the service shows running jobs the blend of genapp/jobs/eta.py instead)."""
    done = run.progress - run.progress_at_start
    elapsed = time.monotonic() - run.started if run.started else 0.0
    if done <= 0.5 or elapsed <= 0:
        return None
    return max(0.0, elapsed * (100.0 - run.progress) / done)
