"""What the HTTP API answers with: a job as a program sees it, a page of jobs, a created job."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from genapp.models import Job

PREFIX = "/api"


class JobLinks(BaseModel):
    self: str
    page: str  # the job's page in the app (relative to the UI's origin)
    result_markdown: str
    result_json: str
    image: str


class JobOut(BaseModel):
    id: str
    type: str
    title: str
    status: str
    progress: int
    stage: str
    eta_seconds: float | None
    attempt: int
    error: str | None
    prompt: str
    seed: int
    skip_image: bool
    form: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    retry_at: datetime | None = None  # a pending job waiting for its automatic retry runs at or after this
    links: JobLinks

    @classmethod
    def of(cls, job: Job) -> JobOut:
        base = f"{PREFIX}/jobs/{job.id}"
        return cls(
            id=job.id, type=job.type, title=job.title, status=job.status, progress=int(job.progress), stage=job.stage,
            eta_seconds=job.eta_seconds, attempt=job.attempt, error=job.error, prompt=job.prompt, seed=job.seed,
            skip_image=job.skip_image, form=job.form_data.get("form", {}), created_at=_utc(job.created_at),
            started_at=_utc(job.started_at), finished_at=_utc(job.finished_at), retry_at=_utc(job.retry_at),
            links=JobLinks(self=base, page=f"/dashboard/jobs/{job.id}", result_markdown=f"{base}/result.md", result_json=f"{base}/result.json", image=f"{base}/image"),
        )


class JobDetail(JobOut):
    content: dict[str, Any] | None
    attempts: list[dict[str, Any]]

    @classmethod
    def of(cls, job: Job) -> JobDetail:
        return cls(**JobOut.of(job).model_dump(), content=job.content, attempts=job.attempts)


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None  # pass as `cursor` for the next page; null on the last
    total: int  # every job matching the filters, all pages together


class Created(BaseModel):
    job: JobOut
    url: str  # where to follow it: GET it, or watch /api/events


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment
