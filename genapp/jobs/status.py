"""Job statuses and the sets of them the rest of the code reasons about."""

from enum import Enum


class JobStatus(str, Enum):
    PENDING = "pending"
    GENERATING = "generating"
    CONTENT_COMPLETE = "content-complete"
    IMAGE_GENERATING = "image-generating"
    COMPLETE = "complete"
    ERROR = "error"
    CANCELLED = "cancelled"


RUNNING = frozenset({JobStatus.GENERATING, JobStatus.CONTENT_COMPLETE, JobStatus.IMAGE_GENERATING})
ACTIVE = RUNNING | {JobStatus.PENDING}
FINISHED = frozenset({JobStatus.COMPLETE, JobStatus.ERROR, JobStatus.CANCELLED})
RETRYABLE = frozenset({JobStatus.ERROR, JobStatus.CANCELLED})

ACTIVE_VALUES = frozenset(s.value for s in ACTIVE)
FINISHED_VALUES = frozenset(s.value for s in FINISHED)
