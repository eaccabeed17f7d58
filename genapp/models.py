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
    """One generation. The row is the truth; the engine's memory only caches it."""

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


class JobSummary(BaseModel):
    """What a list row needs to show a job: small, so pushing it is cheap."""

    id: str
    type: str
    title: str
    status: str
    progress: int
    stage: str
    eta: int  # seconds left, -1 when unknown
    attempt: int = 1
    error: str = ""
