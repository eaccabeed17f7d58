"""What a library read asks for and what it gets back: the same shapes for pages and the HTTP API.

No SQL here (that is genapp/jobs/store.py): the query's validation, the search terms, and the
opaque cursor. A cursor is the position after a page's last item (keyset paging: no duplicates or
gaps while jobs come and go) for the newest/oldest/title sorts, and an offset for relevance (its
order moves whenever the index changes anyway). It carries the sort it was made for; another
query's cursor is refused as InvalidCursor.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from genapp.jobs.status import FINISHED_VALUES, JobStatus
from genapp.models import Job

MAX_PAGE_SIZE = 100
MAX_TERMS = 12  # words of a search that count; the rest are ignored
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both modes' tokenizers call a word


class LibrarySort(str, Enum):
    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"
    RELEVANCE = "relevance"  # best match first; only with a text search (else: newest)


class InvalidCursor(ValueError):
    """A cursor this query did not make (edited, or from another sort)."""


class LibraryQuery(BaseModel):
    """Filters, sort and paging of one read of a user's jobs. Every field is optional.

    `statuses` empty means every finished status (the library's default); naming active ones is
    allowed, for a general job list. Dates bound `created_at`: from inclusive, to exclusive.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(default="", max_length=500)
    types: list[str] = Field(default_factory=list, max_length=20)
    statuses: list[JobStatus] = Field(default_factory=list)
    created_from: datetime | None = None
    created_to: datetime | None = None
    favourites_only: bool = False
    tag: str | None = Field(default=None, max_length=32)
    sort: LibrarySort = LibrarySort.NEWEST
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=24, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        value = " ".join(value.split()).lower() if value else ""
        return value or None

    def terms(self) -> list[str]:
        """The search's words, lower-cased; each matches as a word prefix, all must match."""
        return [w.lower() for w in _WORD.findall(self.text)][:MAX_TERMS]

    def status_values(self) -> list[str]:
        return sorted({s.value for s in self.statuses}) if self.statuses else sorted(FINISHED_VALUES)

    def effective_sort(self) -> LibrarySort:
        if self.sort == LibrarySort.RELEVANCE and not self.terms():
            return LibrarySort.NEWEST
        return self.sort


class LibraryPage(BaseModel):
    """One page of jobs in the query's order; `next_cursor` None: this was the last page."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    items: list[Job]
    next_cursor: str | None = None
    total: int = 0  # every job matching the filters, all pages together


def encode_cursor(sort: LibrarySort, position: dict[str, Any]) -> str:
    raw = json.dumps({"s": sort.value, **position}, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: LibrarySort) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.pop("s") != sort.value:
            raise ValueError
        return data
    except Exception:
        raise InvalidCursor("This cursor does not belong to this query: start again from the first page.") from None
