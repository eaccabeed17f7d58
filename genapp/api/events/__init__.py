"""`GET /api/events`: a caller's job changes as Server-Sent Events, resumable with `Last-Event-ID`.

The frames are the same in both modes (`frames.py`); where a resume comes from is not:
- embedded (one process): `memory.EventLog`, this process's numbered recent events, fed by the job
  service's watch as the pusher is;
- scaled (several backends): `journal.JournalLog`, the caller's Redis stream, which every publisher
  appends to, so a client resumes on whichever backend the balancer gives it.
The lifespan picks one. A first connection, or one that cannot be resumed, starts with `resync`: list
your jobs again, then follow. A comment line every `HEARTBEAT_SECONDS` keeps proxies from closing a quiet stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol

from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from genapp.api.events.frames import Frame
from genapp.api.events.memory import EventLog
from genapp.api.problems import declared
from genapp.api.security import caller
from genapp.jobs.events import JobEvent
from genapp.jobs.runtime import get_service

HEARTBEAT_SECONDS = 15.0
_MAX_ID_CHARS = 100  # a longer Last-Event-ID is no id of ours: resync

router = APIRouter(tags=["events"], responses=declared())


class Log(Protocol):
    async def take(self, event: JobEvent) -> None: ...

    def follow(self, owner: str, last_event_id: str | None, heartbeat: float) -> AsyncIterator[Frame | None]: ...

    async def aclose(self) -> None: ...


_log: Log | None = None


def event_log() -> Log:
    if _log is None:
        raise RuntimeError("The API's event log is not running (it starts with the backend).")
    return _log


def _log_for(service) -> Log:
    journal = getattr(service.channel, "journal", None)  # the Redis channel's: the scaled mode
    if journal is None:
        return EventLog()
    from genapp.api.events.journal import JournalLog  # Redis is needed only here

    return JournalLog(journal())


@contextlib.asynccontextmanager
async def event_log_lifespan() -> AsyncIterator[None]:
    global _log
    service = get_service()
    log = _log = _log_for(service)

    async def follow() -> None:
        async for event in service.watch():
            await log.take(event)

    task = asyncio.create_task(follow(), name="genapp-api-events")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        _log = None
        await log.aclose()


async def _stream(log: Log, owner: str, last_event_id: str | None) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    async for frame in log.follow(owner, last_event_id, HEARTBEAT_SECONDS):
        yield ": keep-alive\n\n" if frame is None else frame.sse()


@router.get(
    "/events",
    summary="Your job changes as Server-Sent Events",
    description="Events `status`, `progress`, `removed` carry `{job_id, job}`; `resync` means: list your jobs again. "
    "Reconnect with `Last-Event-ID` to get what you missed (from any backend). A comment every 15 s keeps the stream open.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(owner: str = Depends(caller), last_event_id: str | None = Header(None)) -> StreamingResponse:
    if last_event_id is not None and len(last_event_id) > _MAX_ID_CHARS:
        last_event_id = None  # hostile or foreign: a resync, not a 422
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(_stream(event_log(), owner, last_event_id), media_type="text/event-stream", headers=headers)
