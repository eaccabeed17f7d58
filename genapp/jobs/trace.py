"""Optional progress trace for the latency benchmarks: one line per published progress change.

Enabled only when GENAPP_PROGRESS_TRACE names a file; costs nothing otherwise. The embedded mode
logs what the backend's service publishes (`trace_lifespan`); a scaled-mode worker logs what it
hands to Redis (`TracingChannel`), so a bench can time worker publish -> DOM across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

from genapp.jobs.channel import Channel
from genapp.jobs.events import JobEvent


class TracingChannel:
    """A channel that logs each job's first publish of every progress value, then passes the event on."""

    def __init__(self, inner: Channel, path: str):
        self._inner = inner
        self._out = Path(path).open("a", buffering=1)
        self._last: dict[str, int] = {}

    def publish(self, event: JobEvent) -> None:
        if event.summary is not None and self._last.get(event.job_id) != event.progress:
            self._last[event.job_id] = event.progress
            self._out.write(f"{time.time():.6f} {event.job_id} {event.progress}\n")
        self._inner.publish(event)

    def subscribe(self) -> AsyncIterator[JobEvent]:
        return self._inner.subscribe()

    async def aclose(self) -> None:
        self._out.close()
        await self._inner.aclose()


def trace_lifespan(path: str):
    from genapp.jobs.runtime import get_service  # the app's service: the trace is wired in genapp.py

    @contextlib.asynccontextmanager
    async def run() -> AsyncIterator[None]:
        async def record() -> None:
            last: dict[str, int] = {}
            with Path(path).open("a", buffering=1) as out:
                async for event in get_service().watch():
                    if event.summary is None:
                        continue
                    shown = event.progress
                    if last.get(event.job_id) != shown:  # the first publish of each value the UI can show
                        last[event.job_id] = shown
                        out.write(f"{time.time():.6f} {event.job_id} {shown}\n")

        task = asyncio.create_task(record())
        try:
            yield
        finally:
            task.cancel()

    run.__name__ = "genapp_progress_trace"
    return run
