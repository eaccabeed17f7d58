"""Optional progress trace for the latency benchmark: one line per published progress change.

Enabled only when GENAPP_PROGRESS_TRACE names a file; costs nothing otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

from genapp.jobs.runtime import get_service


def trace_lifespan(path: str):
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
