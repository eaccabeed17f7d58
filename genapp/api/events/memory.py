"""The embedded mode's event log: this one process numbers its recent job events (ids `<log>-<n>`).

Only the process that gave an id can resume it; after a restart, or after more than it keeps, a
client gets a resync. The embedded mode has one process, so that is enough there.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from genapp.api.events.frames import Frame, payload, resync
from genapp.jobs.events import JobEvent

KEEP = 10_000  # events this process remembers for resumes (all users together)
_ID = re.compile(r"([0-9a-f]{8})-([0-9]{1,20})", re.ASCII)


@dataclass(frozen=True, slots=True)
class _Entry:
    n: int
    owner: str  # "" for an event every caller must hear (a resync)
    name: str
    data: str


class EventLog:
    def __init__(self, keep: int = KEEP):
        self.id = secrets.token_hex(4)
        self._entries: deque[_Entry] = deque(maxlen=keep)
        self._n = 0
        self._changed = asyncio.Condition()

    async def take(self, event: JobEvent) -> None:
        if (sent := payload(event)) is None:
            return
        self._n += 1
        self._entries.append(_Entry(self._n, event.owner, *sent))
        async with self._changed:
            self._changed.notify_all()

    def after(self, owner: str, n: int) -> list[_Entry]:
        return [e for e in self._entries if e.n > n and e.owner in ("", owner)]

    def resumable(self, last_event_id: str | None) -> int | None:
        """The number to continue after, or None when the client must resync (another log, too old, from the future, garbage)."""
        match = _ID.fullmatch(last_event_id or "")
        if match is None or match[1] != self.id:
            return None
        n = int(match[2])
        oldest = self._entries[0].n if self._entries else self._n + 1
        return n if oldest - 1 <= n <= self._n else None

    async def wait(self, n: int, timeout: float) -> None:
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._n > n), timeout)

    @property
    def last(self) -> int:
        return self._n

    async def follow(self, owner: str, last_event_id: str | None, heartbeat: float) -> AsyncIterator[Frame | None]:
        """The caller's frames after `last_event_id` (or a resync), then live ones; None after `heartbeat` quiet seconds."""
        seen = self.resumable(last_event_id)
        if seen is None:
            seen = self._n
            yield resync(f"{self.id}-{seen}")
        while True:
            for entry in self.after(owner, seen):
                yield Frame(f"{self.id}-{entry.n}", entry.name, entry.data)
            seen = max(seen, self._n)
            await self.wait(seen, heartbeat)
            if self._n == seen:
                yield None

    async def aclose(self) -> None:
        pass
