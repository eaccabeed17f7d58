"""QA pacing: stretch a phase over real time and inject a failure at a chosen point."""

from __future__ import annotations

import asyncio

from genapp.generators import Reporter

TICK_SECONDS = 0.1


class InjectedFailure(RuntimeError):
    """A failure asked for on the QA page."""


async def simulate(
    seconds: float, reporter: Reporter, *, stage: str, fail_at: float | None = None, failure: str = "Injected failure"
) -> None:
    """Advance the phase's progress from 0 to 100 over `seconds`, raising once it reaches `fail_at`."""
    steps = max(1, round(seconds / TICK_SECONDS))
    loop = asyncio.get_running_loop()
    start = loop.time()
    for step in range(1, steps + 1):
        # Sleep to the step's deadline rather than a fixed tick, so the total does not drift.
        await asyncio.sleep(max(0.0, start + seconds * step / steps - loop.time()))
        progress = 100.0 * step / steps
        if fail_at is not None and progress >= fail_at:
            reporter.report(fail_at, stage)
            raise InjectedFailure(failure)
        reporter.report(progress, stage)
