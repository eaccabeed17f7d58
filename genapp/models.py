"""Database tables and the small public shapes derived from them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Job(SQLModel, table=True):
    """One generation. The row is the truth; what a process holds in memory only caches it."""

    __table_args__ = (sa.Index("ix_job_owner_created", "owner", "created_at"),)

    id: str = Field(primary_key=True, max_length=40)  # random, unguessable
    owner: str = Field(index=True, max_length=64)
    type: str = Field(max_length=20)
    prompt: str = Field(default="", sa_type=sa.Text)
    form_data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    seed: int = Field(default=0, sa_type=sa.BigInteger)
    skip_image: bool = False
    status: str = Field(default="pending", index=True, max_length=20)
    progress: float = 0.0
    stage: str = Field(default="", max_length=200)
    eta_seconds: float | None = None
    title: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    content: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    image: str | None = Field(default=None, sa_type=sa.Text)
    error: str | None = Field(default=None, sa_type=sa.Text)
    attempt: int = 1
    attempts: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    # Exactly-once running: a runner claims the row with a fresh token, and every write it makes is
    # conditional on that token (a runner that lost its claim, to a sweeper's retry say, writes nothing).
    run_token: str | None = Field(default=None, max_length=32)
    cancel_requested: bool = False  # a user asked to cancel: a runner that stops for any reason ends CANCELLED
    dispatch_ref: str | None = Field(default=None, max_length=40)  # the dispatcher's own id (a Procrastinate job id)
    # A pending job waiting for an automatic retry (genapp/jobs/retries.py) runs at or after this time (UTC).
    retry_at: datetime | None = None
    # The library: the user's own marks. Full-text search over title, prompt, content and tags lives beside
    # the table (SQLite: the job_fts FTS5 table; Postgres: a generated `search` tsvector column), made by
    # the alembic revision a1b2c3d4e5f6, not declared here.
    favourite: bool = False
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # normalised by genapp/jobs/tags.py
    # Where a pending job stands in its owner's own line (lowest first): the submission time, until the
    # user moves it (JobService.move). Users still take turns; this orders each user's own jobs.
    queue_order: float | None = None
    # A job belongs to at most one batch (genapp/jobs/batches.py). Its label and size are also kept in
    # form_data["batch"], so a summary drawn from the row alone (runner, events) can be grouped in the tile.
    batch_id: str | None = Field(default=None, index=True, max_length=40)


EVERYONE = "*"  # the owner of the hold that pauses the whole service (no user id is "*")


class QueueHold(SQLModel, table=True):
    """A paused queue: one user's (owner = their id) or the whole service's (owner = EVERYONE)."""

    __tablename__ = "queue_hold"

    owner: str = Field(primary_key=True, max_length=64)
    # "queue": waiting jobs wait, running ones finish; "checkpoint": running ones also stop after their phase
    mode: str = Field(default="queue", max_length=16)
    held_at: datetime = Field(default_factory=utcnow)
    held_by: str = Field(default="", max_length=64)


class Batch(SQLModel, table=True):
    """Jobs submitted together ("5 × Character", "A village"): one group in the tile and on a batch page."""

    __table_args__ = (sa.Index("ix_batch_owner_created", "owner", "created_at"),)

    id: str = Field(primary_key=True, max_length=40)  # random, unguessable
    owner: str = Field(max_length=64)
    label: str = Field(default="", max_length=200)
    kind: str = Field(default="variations", max_length=20)  # variations | preset | mixed
    created_at: datetime = Field(default_factory=utcnow)


class JobSummary(BaseModel):
    """What a list row needs to show a job: small, so pushing it (and publishing it) is cheap."""

    id: str
    type: str
    title: str
    status: str
    progress: int
    stage: str
    eta: int  # seconds left, -1 when unknown
    attempt: int = 1
    error: str = ""
    # Pending jobs, as the job service's queue view last saw them: 1 for the next to start (0: not in line,
    # its queue paused), and the expected seconds until it starts and finishes (-1: unknown)
    place: int = 0
    starts_in: int = -1
    finishes_in: int = -1
    line: str = ""  # the above in words, for the row: "3rd in line · starts in ~40 s", or "Paused"
    batch_id: str = ""  # "" when the job is not part of a batch
    batch_label: str = ""
    batch_size: int = 0

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        """A stored row's summary (the ETA as stored; the error cut to what a row can show)."""
        batch = (job.form_data or {}).get("batch") or {} if job.batch_id else {}
        return cls(
            id=job.id,
            type=job.type,
            title=job.title,
            status=job.status,
            progress=int(job.progress),
            stage=job.stage,
            eta=-1 if job.eta_seconds is None else int(round(job.eta_seconds)),
            attempt=job.attempt,
            error=(job.error or "")[:300],
            batch_id=job.batch_id or "",
            batch_label=str(batch.get("label", ""))[:200],
            batch_size=int(batch.get("size", 0) or 0),
        )
