"""What a job's life announces: one small event per change, carrying the summary it announces.

Events travel over a channel (in-process or Redis), so they carry everything a list row needs:
whoever draws the row never reaches into the memory of the process that runs the job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from genapp.models import JobSummary


class EventKind(str, Enum):
    PROGRESS = "progress"  # progress, stage or ETA moved (persisted about once a second)
    STATUS = "status"  # the status changed (always persisted before it is announced)
    DRAFT = "draft"  # the streamed text of a running LLM job grew (never persisted)
    REMOVED = "removed"
    RESYNC = "resync"  # the subscription (re)started: what was announced meanwhile may be lost, reload
    MOVED = "moved"  # the job now belongs to `owner` (a guest signed in): `previous_owner` had it
    QUEUE = "queue"  # `owner`'s queue (everyone's when "") was paused, resumed or reordered, or places moved


@dataclass(frozen=True, slots=True)
class JobEvent:
    kind: EventKind
    owner: str = ""
    job_id: str = ""
    summary: JobSummary | None = None
    draft: str = ""
    previous_owner: str = ""

    @property
    def status(self) -> str:
        return self.summary.status if self.summary else ""

    @property
    def progress(self) -> int:
        return self.summary.progress if self.summary else 0

    def to_json(self) -> str:
        return json.dumps(
            {"k": self.kind.value, "o": self.owner, "j": self.job_id, "s": self.summary.model_dump() if self.summary else None, "d": self.draft, "p": self.previous_owner},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> JobEvent:
        data = json.loads(text)
        summary = JobSummary.model_validate(data["s"]) if data.get("s") else None
        return cls(EventKind(data["k"]), data.get("o", ""), data.get("j", ""), summary, data.get("d", ""), data.get("p", ""))


RESYNC = JobEvent(EventKind.RESYNC)
