"""The library page's small shapes: a card per job, and the search as a URL query (bookmarkable).

No Reflex state here: pure functions the page's state uses, tested without a browser.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from collections.abc import Mapping
from urllib.parse import urlencode

from pydantic import BaseModel

from genapp.generators import ContentType
from genapp.jobs.library import LibraryQuery, LibrarySort
from genapp.jobs.status import FINISHED_VALUES
from genapp.models import Job
from genapp.state.results import image_url

PAGE_SIZE = 24
SORTS = [s.value for s in LibrarySort]
TYPES = [t.value for t in ContentType]
STATUSES = sorted(FINISHED_VALUES)


class LibraryCard(BaseModel):
    """What a card shows that does not change: the marks (star, tags) are separate vars, so toggling
    one pushes a few bytes, not every card's thumbnail again."""

    id: str
    title: str
    type: str
    status: str
    created: str
    thumb: str  # the illustration's URL (a data: URL for procedural SVG), "" without one


def card_of(job: Job) -> LibraryCard:
    return LibraryCard(
        id=job.id,
        title=job.title or f"Untitled {job.type}",
        type=job.type,
        status=job.status,
        created=job.created_at.strftime("%Y-%m-%d %H:%M") if job.created_at else "",
        thumb=image_url(job.image),
    )


class Search(BaseModel):
    """The library's search as the page holds it: strings, "" meaning "any"."""

    q: str = ""
    type: str = ""
    status: str = ""
    fav: bool = False
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive (the whole day)
    sort: str = LibrarySort.NEWEST.value

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Search:
        """From a URL's query; anything not understood is dropped (a bookmark never breaks the page)."""
        return cls(
            q=params.get("q", "")[:200],
            type=params.get("type", "") if params.get("type") in TYPES else "",
            status=params.get("status", "") if params.get("status") in STATUSES else "",
            fav=params.get("fav") == "1",
            date_from=params.get("from", "") if _day(params.get("from", "")) else "",
            date_to=params.get("to", "") if _day(params.get("to", "")) else "",
            sort=params.get("sort", "") if params.get("sort") in SORTS else LibrarySort.NEWEST.value,
        )

    def to_params(self) -> str:
        """The URL query ("" when nothing is set), keys in a fixed order."""
        pairs = [("q", self.q.strip()), ("type", self.type), ("status", self.status), ("fav", "1" if self.fav else ""),
                 ("from", self.date_from), ("to", self.date_to), ("sort", "" if self.sort == LibrarySort.NEWEST.value else self.sort)]
        return urlencode([(k, v) for k, v in pairs if v])

    def query(self, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> LibraryQuery:
        start, end = _day(self.date_from), _day(self.date_to)
        return LibraryQuery(
            text=self.q.strip(),
            types=[self.type] if self.type else [],
            statuses=[self.status] if self.status else [],  # empty: every finished status
            favourites_only=self.fav,
            created_from=datetime.combine(start, time(), timezone.utc) if start else None,
            created_to=datetime.combine(end + timedelta(days=1), time(), timezone.utc) if end else None,
            sort=self.sort,
            cursor=cursor,
            limit=limit,
        )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def is_day(text: str) -> bool:
    return _day(text) is not None
