"""Fair use: how many jobs one user may have waiting or running, how fast they may start them, and how
long the whole queue may grow. Checked by the job service before a job is queued (a submit or a retry);
the refusal says which limit and when to try again. Together with the dispatchers' fair order (the
embedded one takes users in turn), one user cannot fill the service for everyone else.

The check reads the database and then inserts: two submissions of the same user racing each other
from two tabs can overshoot a limit by one each; the limits are a fairness bound, not an account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from genapp.jobs.errors import LimitReached
from genapp.jobs.store import Admission

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    user_active: int = 50  # pending + running jobs of one user
    user_per_minute: int = 60  # jobs one user may submit in any minute
    pending_total: int = 1000  # jobs waiting, all users together

    @classmethod
    def from_settings(cls, config) -> Limits:
        return cls(user_active=config.user_max_active_jobs, user_per_minute=config.user_max_jobs_per_minute, pending_total=config.max_pending_jobs)

    def check(self, seen: Admission, now: datetime, *, new_job: bool) -> None:
        """Raise LimitReached if one more job may not be queued. A retry (`new_job=False`) re-queues an
        existing job: it counts against the waiting limits, not against the submission rate."""
        if seen.user_active >= self.user_active:
            raise LimitReached(
                f"You have {seen.user_active} generations queued or running, the most one user may have. "
                "Start more when some have finished, or cancel some.",
            )
        if new_job and seen.user_recent >= self.user_per_minute:
            wait = WINDOW - (now - seen.user_oldest_recent) if seen.user_oldest_recent else WINDOW
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise LimitReached(
                f"You started {seen.user_recent} generations in the last minute, the most allowed. Try again in {seconds} s.",
                retry_after=seconds,
            )
        if seen.pending_total >= self.pending_total:
            raise LimitReached(
                f"genapp is busy: {seen.pending_total} generations are waiting. Try again in a minute.", retry_after=60
            )
