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

    def check_batch(self, seen: Admission, now: datetime, count: int, *, new_jobs: bool = True) -> None:
        """Raise LimitReached unless all `count` jobs of a batch may be queued: a batch is admitted whole
        or not at all. `new_jobs=False` (a batch's retry) counts against the waiting limits only."""
        if count <= 1:
            return self.check(seen, now, new_job=new_jobs)
        if seen.user_active + count > self.user_active:
            room = max(0, self.user_active - seen.user_active)
            raise LimitReached(
                f"This batch would queue {count} generations, but you have {seen.user_active} queued or running and one user "
                f"may have {self.user_active}: room for {room}. Nothing was started. Cancel some, or wait for some to finish.",
            )
        if new_jobs and count > self.user_per_minute:
            raise LimitReached(f"A batch may start at most {self.user_per_minute} generations (the per-minute limit); this one has {count}.")
        if new_jobs and seen.user_recent + count > self.user_per_minute:
            # One too many: the oldest leaving the window is enough. More: a whole window surely is (only the oldest is known).
            wait = WINDOW - (now - seen.user_oldest_recent) if seen.user_oldest_recent and seen.user_recent + count - self.user_per_minute == 1 else WINDOW
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise LimitReached(
                f"This batch would start {count} generations, but you started {seen.user_recent} in the last minute and "
                f"{self.user_per_minute} a minute is the most allowed. Nothing was started. Try again in {seconds} s.",
                retry_after=seconds,
            )
        if seen.pending_total + count > self.pending_total:
            raise LimitReached(
                f"genapp is busy: {seen.pending_total} generations are waiting, and this batch of {count} would pass the "
                f"{self.pending_total} allowed. Nothing was started. Try again in a minute.", retry_after=60,
            )
