"""`GET /api/events`: a caller's job changes as Server-Sent Events, resumable with `Last-Event-ID`.

This process keeps its recent job events numbered (`EventLog`, fed by the job service's watch, as
the pusher is). An event id is `<log>-<n>`: a client that reconnects to the same process gets what it
missed after `n`; one that comes back to another process, after a restart, or after more than the log
keeps, gets a `resync` event: list its jobs again, then follow. A comment line every
`HEARTBEAT_SECONDS` keeps proxies from closing a quiet stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from genapp.api.problems import declared
from genapp.api.security import caller
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.runtime import get_service

HEARTBEAT_SECONDS = 15.0
KEEP = 10_000  # events this process remembers for resumes (all users together)
_SENT = {EventKind.STATUS: "status", EventKind.PROGRESS: "progress", EventKind.REMOVED: "removed", EventKind.MOVED: "status"}

router = APIRouter(tags=["events"], responses=declared())


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
        if event.kind == EventKind.RESYNC:
            entry = _Entry(self._n + 1, "", "resync", "{}")
        elif (name := _SENT.get(event.kind)) is not None:
            summary = event.summary.model_dump() if event.summary else None
            entry = _Entry(self._n + 1, event.owner, name, json.dumps({"job_id": event.job_id, "job": summary}, separators=(",", ":")))
        else:
            return  # drafts: the API gives results, not streamed text
        self._n = entry.n
        self._entries.append(entry)
        async with self._changed:
            self._changed.notify_all()

    def after(self, owner: str, n: int) -> list[_Entry]:
        return [e for e in self._entries if e.n > n and e.owner in ("", owner)]

    def resumable(self, last_event_id: str | None) -> int | None:
        """The number to continue after, or None when the client must resync (unknown log, or too old)."""
        log, _, n = (last_event_id or "").partition("-")
        if log != self.id or not n.isdigit():
            return None
        oldest = self._entries[0].n if self._entries else self._n + 1
        return int(n) if int(n) >= oldest - 1 else None

    async def wait(self, n: int, timeout: float) -> None:
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._n > n), timeout)

    @property
    def last(self) -> int:
        return self._n


_log: EventLog | None = None


def event_log() -> EventLog:
    if _log is None:
        raise RuntimeError("The API's event log is not running (it starts with the backend).")
    return _log


@contextlib.asynccontextmanager
async def event_log_lifespan() -> AsyncIterator[None]:
    global _log
    _log = EventLog()

    async def follow() -> None:
        async for event in get_service().watch():
            await _log.take(event)

    task = asyncio.create_task(follow(), name="genapp-api-events")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        _log = None


def _frame(log: EventLog, entry: _Entry) -> str:
    return f"id: {log.id}-{entry.n}\nevent: {entry.name}\ndata: {entry.data}\n\n"


async def _stream(owner: str, last_event_id: str | None) -> AsyncIterator[str]:
    log = event_log()
    seen = log.resumable(last_event_id)
    if seen is None:
        seen = log.last
        yield f"id: {log.id}-{seen}\nevent: resync\ndata: {{}}\n\n"  # first connection, or too much was missed
    yield "retry: 2000\n\n"
    while True:
        for entry in log.after(owner, seen):
            yield _frame(log, entry)
        seen = max(seen, log.last)
        before = seen
        await log.wait(seen, HEARTBEAT_SECONDS)
        if log.last == before:
            yield ": keep-alive\n\n"


@router.get(
    "/events",
    summary="Your job changes as Server-Sent Events",
    description="Events `status`, `progress`, `removed` carry `{job_id, job}`; `resync` means: list your jobs again. "
    "Reconnect with `Last-Event-ID` to get what you missed. A comment every 15 s keeps the stream open.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(owner: str = Depends(caller), last_event_id: str | None = Header(None, max_length=100)) -> StreamingResponse:
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(_stream(owner, last_event_id), media_type="text/event-stream", headers=headers)
