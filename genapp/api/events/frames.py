"""What `/api/events` sends, the same in both modes: one frame per job change, named and shaped here."""

from __future__ import annotations

import json
from dataclasses import dataclass

from genapp.jobs.events import EventKind, JobEvent

_SENT = {EventKind.STATUS: "status", EventKind.PROGRESS: "progress", EventKind.REMOVED: "removed", EventKind.MOVED: "status"}


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    name: str
    data: str

    def sse(self) -> str:
        return f"id: {self.id}\nevent: {self.name}\ndata: {self.data}\n\n"


def resync(at: str) -> Frame:
    """List your jobs again, then follow from `at`."""
    return Frame(at, "resync", "{}")


def payload(event: JobEvent) -> tuple[str, str] | None:
    """(event name, data) for the API, or None for what it does not send (drafts: it gives results, not streamed text)."""
    if event.kind == EventKind.RESYNC:
        return "resync", "{}"
    name = _SENT.get(event.kind)
    if name is None:
        return None
    summary = event.summary.model_dump() if event.summary else None
    return name, json.dumps({"job_id": event.job_id, "job": summary}, separators=(",", ":"))
