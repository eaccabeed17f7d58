"""The scaled mode's event log: each user's Redis stream, which every publisher appends to (see
`genapp.jobs.redis_channel`), so an id from any backend resumes on any other.

Ids are the stream's. A client gets `resync` when its id is garbage, from another or an expired
stream, older than what the stream still holds, when Redis was unreachable (publishers dropped
events meanwhile), when a publisher appended a RESYNC after its own outage, and when this
backend's subscription restarted (the channel's RESYNC, for every reader).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.exceptions import RedisError

from genapp.api.events.frames import Frame, payload, resync
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.redis_channel import Journal

log = logging.getLogger(__name__)

_COUNT = 100  # entries per read


class JournalLog:
    def __init__(self, journal: Journal, *, retry_seconds: float = 0.5):
        self.journal, self.retry_seconds = journal, retry_seconds
        self._resyncs = 0  # the channel's RESYNCs so far: a reader that saw fewer owes its client one
        self._resynced = asyncio.Event()  # set (then replaced) at each, to wake blocked readers

    async def take(self, event: JobEvent) -> None:
        # Job events come through the streams; only the channel's RESYNC (owner "") is this log's to pass on.
        if event.kind == EventKind.RESYNC:
            self._resyncs += 1
            self._resynced.set()
            self._resynced = asyncio.Event()

    async def follow(self, owner: str, last_event_id: str | None, heartbeat: float) -> AsyncIterator[Frame | None]:
        """The caller's frames after `last_event_id` (or a resync), then live ones; None after `heartbeat` quiet seconds."""
        loop = asyncio.get_running_loop()
        at = await self._quietly(self.journal.resumable(owner, last_event_id))
        told = self._resyncs
        while True:
            if at is None:  # (re)start at the end of the stream: the client lists its jobs again
                quiet_since = loop.time()
                while (at := await self._quietly(self.journal.tail(owner))) is None:
                    await asyncio.sleep(self.retry_seconds)  # a back-off while Redis is down
                    if loop.time() - quiet_since >= heartbeat:
                        quiet_since = loop.time()
                        yield None  # keeps the connection open meanwhile
                told = self._resyncs
                yield resync(at)
            if told != self._resyncs:  # the channel's RESYNC: the position stays good
                told = self._resyncs
                yield resync(at)
                continue
            try:
                entries = await _unless(self.journal.read(owner, at, heartbeat, _COUNT), self._resynced)
            except (RedisError, OSError) as exc:
                log.warning("Reading a user's job events from Redis failed (%s); the stream resyncs once it answers", exc)
                at = None
                continue
            # Trims keep at least `keep` entries: a reader overtaken by one gets a full batch. Only then look.
            if entries and len(entries) >= min(_COUNT, self.journal.keep) and await self._quietly(self.journal.trimmed_after(owner, at)) is not False:
                at = None
                continue
            for entry_id, event in entries or ():
                at = entry_id
                if event is not None and (sent := payload(event)) is not None:
                    yield Frame(entry_id, *sent)
            if entries == [] and told == self._resyncs:
                yield None

    @staticmethod
    async def _quietly(call):
        """`call`'s answer, or None when Redis is unreachable."""
        try:
            return await call
        except (RedisError, OSError):
            return None

    async def aclose(self) -> None:
        await self.journal.aclose()


async def _unless(read, event: asyncio.Event):
    """`read`'s answer, or None if `event` is set first (the read is then cancelled; Redis drops that connection)."""
    reading = asyncio.ensure_future(read)
    waiting = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({reading, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if reading.done():
            return reading.result()
        return None
    finally:
        for task in (reading, waiting):
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(reading, waiting, return_exceptions=True)
