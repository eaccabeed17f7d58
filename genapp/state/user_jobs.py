"""The per-user job store, shared live by every tab of one user."""

from __future__ import annotations

import time
from collections import OrderedDict

import reflex as rx

from genapp.config import settings
from genapp.jobs.batches import BatchGroup, group_batches
from genapp.jobs.runtime import get_service
from genapp.jobs.status import FINISHED_VALUES
from genapp.models import EVERYONE, JobSummary

_KNOWN_OWNERS = 10_000
_owners_here: OrderedDict[str, None] = OrderedDict()  # users with tabs on this backend, newest last


def shared_token(uid: str) -> str:
    """The token every tab of one user links to (Reflex forbids '_' in it)."""
    return f"user{uid}"


def remember_owner(owner: str) -> None:
    """Note a user whose tabs this backend serves: after a lost subscription, they are refreshed."""
    _owners_here[owner] = None
    _owners_here.move_to_end(owner)
    while len(_owners_here) > _KNOWN_OWNERS:
        _owners_here.popitem(last=False)


def owners_here() -> list[str]:
    return list(_owners_here)


class UserJobs(rx.SharedState):
    """Small on purpose: every change is pushed to every tab, so big data stays in the database.

    `active` changes on every progress tick; the rest only when a job changes status.
    Its methods start with `_`: they are not events, so no client can call them.
    """

    active: list[JobSummary] = []
    drafts: dict[str, str] = {}  # job id -> readable text an LLM is streaming (running LLM jobs only)
    recent: list[JobSummary] = []
    counts: dict[str, int] = {}
    revision: int = 0  # bumps whenever a job finishes or goes away: pages reload their results
    paused: str = ""  # "": the queue runs; "queue" / "checkpoint": the user paused it (that way); "service": an admin did
    notice_id: int = 0
    notice_at: float = 0.0
    notice_kind: str = ""
    notice_text: str = ""
    notice_link: str = ""  # the page of what the notice is about: a job's, or a batch's
    notify: bool = True  # the user's setting: browser notifications for hidden tabs (genapp/state/notify.py)

    @rx.var
    def batch_groups(self) -> dict[str, BatchGroup]:
        """The batches of the jobs above, by id, for the tile's groups and the batch page (no query)."""
        return group_batches(self.active, self.recent)

    def _refresh_active(self, owner: str) -> None:
        self.active = get_service().active(owner)

    def _refresh_queue(self, owner: str) -> None:
        """Places in line, and whether (and by whom) the user's queue is paused."""
        self._refresh_active(owner)
        hold = get_service().hold_of(owner)
        paused = "" if hold is None else "service" if hold.owner == EVERYONE else hold.mode
        if paused != self.paused:
            self.paused = paused

    def _refresh_drafts(self, owner: str) -> None:
        drafts = get_service().drafts(owner)
        if drafts != self.drafts:  # an assignment is pushed even when equal: the dict can be KBs
            self.drafts = drafts

    async def _refresh_all(self, owner: str) -> None:
        service = get_service()
        self._refresh_queue(owner)
        finished = await service.list(owner=owner, statuses=FINISHED_VALUES, limit=settings.recent_jobs_shown)
        self.recent = [JobSummary.of(job) for job in finished]
        self.counts = await service.counts(owner=owner)

    def _announce(self, kind: str, text: str, link: str) -> None:
        self.notice_id += 1
        self.notice_at, self.notice_kind, self.notice_text, self.notice_link = time.time(), kind, text, link
