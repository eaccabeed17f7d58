"""Automatic retries of a whole job: which failures are worth another run, and when it happens.

A provider's own retries (providers/retry.py) cover a blip within one request; these cover what
outlasts them: the LLM server restarting, a rate limit that will not lift in seconds, a worker lost
mid-run. A job fails with a *transient* fault and has runs left: its row goes back to pending with
`retry_at` set and the attempt recorded; its dispatcher runs it again at or after that time (a timer
in the embedded mode, Procrastinate's `schedule_at` in the scaled one). A *permanent* fault (a
refused key, a bad request, an answer that stays invalid, a bug) ends the job `error` at once.

The policy is copied into the job's form_data at submit, so a job keeps the policy it was made with.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from genapp.jobs.simulation import InjectedFailure
from genapp.providers.errors import ProviderError

FORM_KEY = "retry"


@dataclass(frozen=True)
class JobRetryPolicy:
    attempts: int = 3  # runs in all, the first included: 1 turns automatic retries off
    base_seconds: float = 2.0  # the shortest wait; the first is up to three times it, each later one up to three times the last
    max_seconds: float = 60.0

    @classmethod
    def from_settings(cls, config: Any) -> JobRetryPolicy:
        return cls(attempts=config.retry_attempts, base_seconds=config.retry_base_seconds, max_seconds=config.retry_max_seconds)

    def to_form(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "base_seconds": self.base_seconds, "max_seconds": self.max_seconds}

    @classmethod
    def of(cls, form_data: dict[str, Any], default: JobRetryPolicy | None = None) -> JobRetryPolicy:
        """The policy a job was submitted with; `default` (or the settings') for rows made before retries existed."""
        raw = form_data.get(FORM_KEY) if isinstance(form_data, dict) else None
        if not isinstance(raw, dict):
            if default is not None:
                return default
            from genapp.config import settings

            return cls.from_settings(settings)
        try:
            return cls(
                attempts=max(1, int(raw.get("attempts", 1))),
                base_seconds=max(0.0, float(raw.get("base_seconds", 0.0))),
                max_seconds=max(0.0, float(raw.get("max_seconds", 0.0))),
            )
        except (TypeError, ValueError):  # a damaged policy retries nothing rather than guessing
            return cls(attempts=1)

    def delay(self, previous_wait: float | None, rng: random.Random, *, retry_after: float | None = None) -> float:
        """Seconds before the next run: decorrelated jitter (a random wait between the base and three times
        the previous wait, capped), so the waits grow about exponentially, never fall below the base, and
        jobs failed by one outage do not come back all at once. Never less than a server's Retry-After
        (itself capped). `previous_wait`: the wait before the run that just failed (None after the first)."""
        if self.max_seconds <= self.base_seconds:
            wait = self.max_seconds
        else:
            wait = min(self.max_seconds, rng.uniform(self.base_seconds, max(self.base_seconds, previous_wait or self.base_seconds) * 3))
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_seconds))
        return wait


@dataclass(frozen=True)
class Failure:
    transient: bool
    message: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure:
    """Is another run worth it? Decided by the error's type and attributes, never by its text."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, ProviderError):
        return Failure(exc.transient, exc.message or message, exc.retry_after)
    if isinstance(exc, InjectedFailure):  # the QA page's stand-in for a provider fault (it fails the first run only)
        return Failure(True, message)
    if isinstance(exc, (ConnectionError, TimeoutError)):  # a network fault outside the providers' wrapping
        return Failure(True, message)
    return Failure(False, message)  # a bug or bad data: running it again would fail the same way


def previous_wait(attempts: list[dict[str, Any]]) -> float | None:
    """The wait before the current run, when an automatic retry started it."""
    if attempts and attempts[-1].get("automatic"):
        wait = attempts[-1].get("wait_seconds")
        return float(wait) if isinstance(wait, (int, float)) else None
    return None


def auto_attempt(attempts: list[dict[str, Any]]) -> int:
    """Which run of the current series this is (1 = the first): the series starts at submit or at a
    user's manual retry, and counts the automatic retries recorded since."""
    run = 1
    for record in reversed(attempts):
        if not record.get("automatic"):
            break
        run += 1
    return run


def retry_stage(wait: float, next_run: int, of: int, error: str) -> str:
    """What the tile and the job page show while the job waits (cut to the stage column by the store)."""
    return f"Retrying in {max(1, math.ceil(wait))} s (attempt {next_run} of {of}): {error}"


def due_at(wait: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) + timedelta(seconds=wait)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were written as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
