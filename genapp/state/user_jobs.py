"""The per-user job store, shared live by every tab of one user."""

from __future__ import annotations

import time

import reflex as rx
from sqlmodel import Session

from genapp.config import settings
from genapp.jobs import repository as repo
from genapp.jobs.runtime import get_engine
from genapp.jobs.status import FINISHED_VALUES
from genapp.models import Job, JobSummary


def shared_token(uid: str) -> str:
    """The token every tab of one user links to (Reflex forbids '_' in it)."""
    return f"user{uid}"


def finished_summary(job: Job) -> JobSummary:
    return JobSummary(
        id=job.id,
        type=job.type,
        title=job.title,
        status=job.status,
        progress=int(job.progress),
        stage=job.stage,
        eta=-1,
        attempt=job.attempt,
        error=(job.error or "")[:300],
    )


class UserJobs(rx.SharedState):
    """Small on purpose: every change is pushed to every tab, so big data stays in the database.

    `active` changes on every progress tick; the rest only when a job changes status.
    """

    active: list[JobSummary] = []
    drafts: dict[str, str] = {}  # job id -> readable text an LLM is streaming (running LLM jobs only)
    recent: list[JobSummary] = []
    counts: dict[str, int] = {}
    revision: int = 0  # bumps whenever a job finishes or goes away: pages reload their results
    notice_id: int = 0
    notice_at: float = 0.0
    notice_kind: str = ""
    notice_text: str = ""
    notice_job: str = ""

    def refresh_active(self, owner: str) -> None:
        self.active = get_engine().active_summaries(owner)

    def refresh_drafts(self, owner: str) -> None:
        drafts = get_engine().drafts(owner)
        if drafts != self.drafts:  # an assignment is pushed even when equal: the dict can be KBs
            self.drafts = drafts

    def refresh_all(self, owner: str) -> None:
        engine = get_engine()
        self.refresh_active(owner)
        with Session(engine.db) as session:
            finished = repo.list_jobs(session, owner=owner, statuses=FINISHED_VALUES, limit=settings.recent_jobs_shown)
            self.recent = [finished_summary(job) for job in finished]
            self.counts = repo.count_by_status(session, owner=owner)

    def announce(self, kind: str, text: str, job_id: str) -> None:
        self.notice_id += 1
        self.notice_at, self.notice_kind, self.notice_text, self.notice_job = time.time(), kind, text, job_id
