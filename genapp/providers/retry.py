"""Bounded retries with exponential backoff and jitter, honouring a server's Retry-After."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from genapp.providers.errors import ProviderError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    backoff: float = 1.0  # first delay; doubles each attempt
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0  # a server asking for a longer wait fails the job instead

    def delay(self, failed_attempts: int, error: ProviderError, rng: random.Random) -> float:
        """Seconds to wait before the next try: the server's Retry-After, else capped backoff with equal jitter."""
        if error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.backoff_cap, self.backoff * 2 ** (failed_attempts - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


# Called before each wait: (attempt that failed, attempts allowed, the error, seconds to wait).
OnRetry = Callable[[int, int, ProviderError, float], None]


async def with_retries(attempt: Callable[[int], Awaitable[T]], policy: RetryPolicy, *, on_retry: OnRetry | None = None) -> T:
    """Run `attempt(n)` until it succeeds, a fault is not retryable, or the attempts run out.

    Cancellation passes straight through, including during a backoff wait.
    """
    rng = random.Random()
    for n in range(1, policy.max_attempts + 1):
        try:
            return await attempt(n)
        except ProviderError as error:
            if not error.retryable:
                raise
            if n == policy.max_attempts == 1:
                raise  # no tries of its own to give up on; still transient for the job
            if n == policy.max_attempts:
                # still transient: the job as a whole may be tried again later (genapp/jobs/retries.py)
                raise ProviderError(f"{error.message} (gave up after {n} attempts)", transient=True, status=error.status) from error
            if error.retry_after is not None and error.retry_after > policy.max_retry_after:
                raise ProviderError(
                    f"{error.message}; the server asked to wait {error.retry_after:.0f}s, longer than the "
                    f"{policy.max_retry_after:.0f}s allowed (GENAPP_PROVIDER_MAX_RETRY_AFTER_SECONDS)",
                    transient=True,
                    retry_after=error.retry_after,
                    status=error.status,
                ) from error
            wait = policy.delay(n, error, rng)
            log.warning("Provider attempt %d/%d failed (%s); retrying in %.2fs", n, policy.max_attempts, error.message, wait)
            if on_retry is not None:
                on_retry(n, policy.max_attempts, error, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises
