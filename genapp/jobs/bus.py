"""In-process publish/subscribe of job events, from the engine to whoever watches (the UI pusher).

Publishing never blocks and never fails the publisher: each subscriber has its own queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum


class EventKind(str, Enum):
    PROGRESS = "progress"  # progress, stage or ETA moved
    STATUS = "status"  # the status changed (always persisted before publishing)
    DRAFT = "draft"  # the streamed text of a running LLM job grew (never persisted)
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class JobEvent:
    kind: EventKind
    owner: str
    job_id: str
    status: str
    progress: int = 0


class EventBus:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[JobEvent]] = set()

    def publish(self, event: JobEvent) -> None:
        for queue in self._queues:
            queue.put_nowait(event)

    async def subscribe(self) -> AsyncIterator[JobEvent]:
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._queues)
