"""Carries job events to the browsers: coalesced per user, pushed through the shared job state.

Progress ticks arrive at full rate; each user gets at most one push per interval, holding
only the small `active` list unless a status changed. Each backend pushes only to the tabs
whose sockets it holds, from its own subscription (through the job service) to the channel;
after a (re)subscription it refreshes every user it serves, since events may have been lost.

Scaled mode (several backends, Reflex's state in Redis): a user's shared `UserJobs` is one Redis
state that every backend serving one of the user's tabs updates from its own subscription, and
its linked-tab list names tabs on every backend. Each backend sends its delta to the tabs whose
sockets it holds and to no other: Reflex would relay the rest to their backend through its
private "lost and found" channel, which another backend's own push already covers (and which
the issue this mode came from saw drop pushes after a Redis outage). Because two backends may
write the same value to the shared state, "unchanged" means unchanged since this backend last
pushed, not since the state last changed. Users with no tab here are skipped. A Redis restarted
empty loses the shared states and their links: the tabs last seen linked still get the refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex_base.event import Event

from genapp.auth.cookie import session_token_in_header
from genapp.auth.runtime import get_auth
from genapp.config import settings
from genapp.generators import get_generator
from genapp.jobs.batches import group_batches
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.runtime import get_service
from genapp.jobs.status import FINISHED_VALUES, JobStatus
from genapp.state.user_jobs import UserJobs, _owners_here, owners_here, shared_token

log = logging.getLogger(__name__)
_RELOAD_AGAIN_SECONDS = 10.0


@dataclass
class _Pending:
    full: bool = False  # a status changed: reload lists and counts too
    progress: bool = False  # an active job moved
    drafts: bool = False  # a streamed draft grew
    queue: bool = False  # places in line moved, or the queue was paused or resumed
    finished: bool = False
    notices: list[tuple[str, str, str]] = field(default_factory=list)


def _notice(event: JobEvent) -> tuple[str, str, str] | None:
    if event.kind != EventKind.STATUS:
        return None
    if event.status == JobStatus.COMPLETE.value:
        return ("success", "A generation is complete.", event.job_id)
    if event.status == JobStatus.ERROR.value:
        return ("error", "A generation failed.", event.job_id)
    return None


class Pusher:
    def __init__(self, app: rx.App, interval: float, *, scaled: bool = False):
        self.app, self.interval, self.scaled = app, interval, scaled
        self.pending: dict[str, _Pending] = {}
        self._wake = asyncio.Event()
        self._drafts_sent: dict[str, dict[str, str]] = {}  # scaled mode: per user, the drafts this backend last pushed
        self._tab_owner: dict[str, str] = {}  # scaled mode: tab with its socket here -> the user it was last seen linked to
        self._prune_at = 1000
        self._reloaded: dict[str, float] = {}  # scaled mode: tab -> when it was told to reload

    async def collect(self) -> None:
        async for event in get_service().watch():
            if event.kind == EventKind.RESYNC:
                for owner in owners_here():
                    self.pending.setdefault(owner, _Pending()).full = True
                self._wake.set()
                continue
            if event.kind == EventKind.QUEUE:
                for owner in owners_here() if not event.owner else [event.owner]:  # "": the whole service's queue
                    self.pending.setdefault(owner, _Pending()).queue = True
                self._wake.set()
                continue
            pending = self.pending.setdefault(event.owner, _Pending())
            if event.kind == EventKind.MOVED:
                self.pending.setdefault(event.previous_owner, _Pending()).full = True
            if event.kind == EventKind.PROGRESS:
                pending.progress = True
            elif event.kind == EventKind.DRAFT:
                pending.drafts = True
            else:
                pending.full = True
            if event.kind == EventKind.REMOVED or event.status in FINISHED_VALUES:
                pending.finished = True
            if notice := _notice(event):
                pending.notices.append(notice)
            self._wake.set()

    async def flush_forever(self) -> None:
        """Push at most once per interval, measured start to start, so a tick waits at most one interval."""
        loop = asyncio.get_running_loop()
        next_push = 0.0
        while True:
            await self._wake.wait()
            if (delay := next_push - loop.time()) > 0:
                await asyncio.sleep(delay)  # coalesce: ticks arriving meanwhile ride along
            self._wake.clear()
            next_push = loop.time() + self.interval
            batch, self.pending = self.pending, {}
            for owner, pending in batch.items():
                if self.scaled and owner not in _owners_here:
                    continue  # none of this user's tabs is on this backend: the ones that hold them push
                try:
                    await self.push(owner, pending)
                except Exception:
                    log.exception("Pushing job state to user %s failed", owner[:6])

    async def push(self, owner: str, pending: _Pending) -> None:
        token = BaseStateToken(ident=shared_token(owner), cls=UserJobs)
        with self.app.set_contexts():
            # previous_dirty_vars={} turns Reflex's own fan-out off: it would resend each tab's router
            # data (~2 KB, measured) with every tick. The delta is sent to the linked tabs below instead.
            async with self.app.state_manager.modify_state_with_links(token, previous_dirty_vars={}) as root:
                jobs = await root.get_state(UserJobs)
                if pending.full:
                    await jobs._refresh_all(owner)
                elif pending.queue:
                    jobs._refresh_queue(owner)
                elif pending.progress:
                    jobs._refresh_active(owner)
                if pending.full or pending.drafts:
                    jobs._refresh_drafts(owner)
                    if self.scaled:
                        self._drafts_news(owner, jobs)
                if pending.finished:
                    jobs.revision += 1
                for kind, text, job_id in pending.notices[-1:]:
                    if (notice := _notice_for(jobs, kind, text, job_id)) is not None:
                        jobs._announce(*notice)
                delta = await root._get_resolved_delta()
                root._clean()
                tabs = set(jobs._linked_from)
            events: list[Event] = []
            if self.scaled and not tabs:
                tabs = self._remembered(owner)
                # These tabs lost their link with the shared state (Redis restarted empty).
                events = self._reload(tabs)
            elif self.scaled:
                self._remember(owner, tabs)
            if delta or events:
                await self._send(StateUpdate(delta=delta, events=events), tabs, owner)

    def _remember(self, owner: str, linked: set[str]) -> None:
        """Scaled mode: note which user each tab with its socket here was last seen linked to. Reflex
        keeps the states in Redis: a Redis restarted empty forgets every link, while the tabs still hold
        their sockets here and the channel's RESYNC has this backend refresh them."""
        namespace = self.app.event_namespace
        if namespace is None:
            return
        for tab in local_tabs(namespace, linked):
            self._tab_owner[tab] = owner
        if len(self._tab_owner) > self._prune_at:
            here = set(local_tabs(namespace, self._tab_owner))
            self._tab_owner = {tab: o for tab, o in self._tab_owner.items() if tab in here}
            self._prune_at = max(1000, 2 * len(self._tab_owner))

    def _remembered(self, owner: str) -> set[str]:
        """The tabs of this backend last seen linked to the user (measured: without them, the tiles froze
        after a Redis restart until each tab was reloaded, and their next events showed an empty store)."""
        namespace = self.app.event_namespace
        if namespace is None:
            return set()
        return set(local_tabs(namespace, [tab for tab, o in self._tab_owner.items() if o == owner]))

    def _reload(self, tabs: set[str]) -> list[Event]:
        """Have tabs whose state Redis lost reload themselves, once: measured, a tab left as it was showed
        an empty tile and never linked again (its `connect`, sent to it, linked nothing), whereas a
        reload hydrates it from its cookie and links it on load. Its tab-only inputs were lost with Redis."""
        now = time.monotonic()
        fresh = {tab for tab in tabs if now - self._reloaded.get(tab, -1e9) > _RELOAD_AGAIN_SECONDS}
        for tab in fresh:
            self._reloaded[tab] = now
        if len(self._reloaded) > self._prune_at:
            self._reloaded = {tab: t for tab, t in self._reloaded.items() if now - t <= _RELOAD_AGAIN_SECONDS}
        return Event.from_event_type(rx.call_script("window.location.reload()")) if fresh else []

    def _drafts_news(self, owner: str, jobs: UserJobs) -> None:
        """Send the drafts when they differ from what this backend's tabs last got, even when another
        backend already wrote the same value to the shared state (an equal value is no change there)."""
        drafts = jobs.drafts
        if drafts != self._drafts_sent.get(owner, {}):
            jobs.drafts = dict(drafts)  # an assignment marks the var dirty even when equal
        if drafts:
            self._drafts_sent[owner] = dict(drafts)
        else:
            self._drafts_sent.pop(owner, None)

    async def _send(self, update: StateUpdate, tabs: set[str], owner: str) -> None:
        """The same small update to every tab linked to the user whose socket this process holds, if that
        socket's session is still the user's: a tab signed out elsewhere, or a closed tab's token taken
        over by another browser, is told to reload instead (measured: without this, another user replaying
        a closed tab's token got its owner's progress pushes)."""
        namespace = self.app.event_namespace
        if namespace is None:
            return
        stale: set[str] = set()
        for tab in local_tabs(namespace, tabs):
            if await _socket_user(namespace, tab) != owner:
                stale.add(tab)
                continue
            await namespace.emit_update(update=update, token=tab)
        if stale and (events := self._reload(stale)):
            for tab in stale:
                await namespace.emit_update(update=StateUpdate(events=events), token=tab)


def local_tabs(namespace, tabs) -> list[str]:
    """The tabs whose socket is connected to this backend process.

    Reflex's token manager maps each tab token to a socket record naming the process (instance)
    that holds the socket. With Redis it also caches records of sockets on other backends, and
    `is_token_connected` is true for those: `emit_update` would then relay the delta through Redis.
    A record of this instance is this process's own connected socket (dropped on disconnect).
    """
    manager = namespace._token_manager
    mine = manager.instance_id
    return [tab for tab in tabs if (record := manager.token_to_socket.get(tab)) is not None and record.instance_id == mine]


async def _socket_user(namespace, tab: str) -> str:
    """The user the session cookie of the tab's websocket stands for now ('' if none)."""
    record = namespace._token_manager.token_to_socket.get(tab)
    connection = namespace._static_router_data.get(record.sid) if record is not None else None
    cookie = connection["headers"].get("cookie", "") if connection else ""
    identity = await get_auth().resolve(session_token_in_header(cookie))
    return identity.user_id if identity else ""


def _notice_for(jobs: UserJobs, kind: str, text: str, job_id: str) -> tuple[str, str, str] | None:
    """(kind, words, link) of the notice to give for a job that finished, or None. A job of a batch is
    told with its batch, once the batch has no job left waiting or running (one notice, not one per job)."""
    job = next((j for j in jobs.recent if j.id == job_id), None)
    if job is None:
        return kind, text, f"/dashboard/jobs/{job_id}"
    if job.batch_id:
        group = group_batches(jobs.active, jobs.recent).get(job.batch_id)
        if group is None or group.active > 0:
            return None
        failed = f" ({group.failed} of {group.total} failed or cancelled)" if group.failed else ""
        return ("error" if group.failed == group.total else "success"), f"Batch finished: {group.label}{failed}", f"/dashboard/batches/{group.id}"
    label = get_generator(job.type).label
    words = f"{label} ready: {job.title}" if kind == "success" else f"{label} failed: {job.error}"
    return kind, words, f"/dashboard/jobs/{job.id}"


def pusher_lifespan(app: rx.App):
    @contextlib.asynccontextmanager
    async def run() -> AsyncIterator[None]:
        pusher = Pusher(app, settings.push_interval_seconds, scaled=settings.mode == "scaled")
        tasks = [asyncio.create_task(pusher.collect()), asyncio.create_task(pusher.flush_forever())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    run.__name__ = "genapp_pusher"
    return run
