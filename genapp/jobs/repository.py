"""Reads and writes of Job rows: keyword-only functions that take a session and commit nothing.

The caller owns the transaction, so several changes can share one commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from genapp.jobs.status import ACTIVE_VALUES
from genapp.models import Job


def add_job(session: Session, *, job: Job) -> Job:
    session.add(job)
    return job


def get_job(session: Session, *, job_id: str, owner: str | None = None) -> Job | None:
    """The job, or None when it does not exist or belongs to someone else."""
    job = session.get(Job, job_id)
    if job is None or (owner is not None and job.owner != owner):
        return None
    return job


def update_job(session: Session, *, job_id: str, **fields: Any) -> None:
    session.execute(sa.update(Job).where(col(Job.id) == job_id).values(**fields))


def update_jobs(session: Session, *, rows: Iterable[dict[str, Any]]) -> None:
    """Update many jobs in one statement run per row (executemany); every dict has an `id` and the same fields."""
    params = [{f"p_{k}": v for k, v in row.items()} for row in rows]  # bind names must differ from column names
    if not params:
        return
    table = Job.__table__
    fields = [k.removeprefix("p_") for k in params[0] if k != "p_id"]
    statement = sa.update(table).where(table.c.id == sa.bindparam("p_id")).values({k: sa.bindparam(f"p_{k}") for k in fields})
    session.connection().execute(statement, params)


def delete_job(session: Session, *, job_id: str) -> None:
    session.execute(sa.delete(Job).where(col(Job.id) == job_id))


def list_jobs(
    session: Session,
    *,
    owner: str,
    statuses: Iterable[str] | None = None,
    job_type: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Job]:
    """The owner's jobs, newest first."""
    query = select(Job).where(col(Job.owner) == owner)
    if statuses is not None:
        query = query.where(col(Job.status).in_(list(statuses)))
    if job_type is not None:
        query = query.where(col(Job.type) == job_type)
    query = query.order_by(col(Job.created_at).desc(), col(Job.id)).offset(offset).limit(limit)
    return list(session.exec(query))


def list_unfinished(session: Session) -> list[Job]:
    """Every job a process left pending or running, oldest first: the resume queue."""
    query = select(Job).where(col(Job.status).in_(ACTIVE_VALUES)).order_by(col(Job.created_at), col(Job.id))
    return list(session.exec(query))


def count_by_status(session: Session, *, owner: str) -> dict[str, int]:
    query = select(Job.status, func.count()).where(col(Job.owner) == owner).group_by(Job.status)
    return {status: count for status, count in session.exec(query)}
