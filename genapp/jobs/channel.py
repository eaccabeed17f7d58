"""The progress channel: runners publish job events, every backend subscribes.

Two implementations share this shape: `LocalChannel` (in-process, the embedded mode) and
`RedisChannel` (pub/sub between processes, the scaled mode, in `redis_channel.py`).
Publishing never blocks and never raises: a lost event costs a refresh, never a job.
Every subscription starts with a RESYNC event (and a Redis one sends another after each
reconnect), telling the subscriber to reload from the database, which stays the truth.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from genapp.jobs.events import RESYNC, JobEvent


class Channel(Protocol):
    def publish(self, event: JobEvent) -> None: ...

    def subscribe(self) -> AsyncIterator[JobEvent]: ...

    async def aclose(self) -> None: ...


class LocalChannel:
    """Fan-out inside one process: each subscriber has its own queue."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[JobEvent]] = set()

    def publish(self, event: JobEvent) -> None:
        for queue in self._queues:
            queue.put_nowait(event)

    async def subscribe(self) -> AsyncIterator[JobEvent]:
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield RESYNC
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def aclose(self) -> None:
        pass

    @property
    def subscriber_count(self) -> int:
        return len(self._queues)
