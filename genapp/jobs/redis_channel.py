"""The scaled mode's progress channel: Redis pub/sub between worker processes and backends, and
each user's journal of job events (a Redis stream) that the HTTP API resumes from on any backend.

Publishing hands the event to a sender task and returns at once; if Redis is down the event
is dropped (logged once per outage), never the job. Each event the API streams (not drafts) is
also appended to its owner's stream, in the same round trip as the PUBLISH; when events of an
owner were dropped, the sender's next success appends a RESYNC to that owner's stream, so a
reader that saw no outage itself still learns that it missed something.
A subscriber reconnects by itself and starts every (re)subscription with RESYNC, so whoever
listens reloads from the database what the outage may have hidden.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator

import redis.asyncio as redis
from redis.exceptions import RedisError, ResponseError

from genapp.jobs.events import RESYNC, EventKind, JobEvent

log = logging.getLogger(__name__)

CHANNEL = "genapp:jobs"
_BACKLOG = 10_000  # events waiting for the sender; beyond it the oldest go (a RESYNC heals that)
_BATCH = 100  # events sent in one round trip when they pile up
STREAM_KEEP = 1_000  # entries kept per user's stream (approximately: Redis trims whole nodes)
STREAM_TTL_SECONDS = 3_600  # a user's stream vanishes after an hour without events
_JOURNALED = {EventKind.STATUS, EventKind.PROGRESS, EventKind.REMOVED, EventKind.MOVED}  # drafts are for the pages only
_MAX_LOST_OWNERS = 10_000  # owners remembered for a RESYNC after an outage (beyond: logged, not told)
_FIELD = "e"


class RedisChannel:
    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        reconnect_seconds: float = 0.5,
        stream_keep: int = STREAM_KEEP,
        stream_ttl_seconds: int = STREAM_TTL_SECONDS,
    ):
        self.url, self.channel, self.reconnect_seconds = url, channel, reconnect_seconds
        self.stream_keep, self.stream_ttl_seconds = stream_keep, stream_ttl_seconds
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=2)
        self._outbox: asyncio.Queue[tuple[str, str]] | None = None  # (owner to journal for, or "", message)
        self._sender: asyncio.Task | None = None
        self._lost: set[str] = set()  # owners whose journaled events were dropped: owed a RESYNC entry
        self._lost_overflow = False
        self.published = 0
        self.dropped = 0

    def stream_key(self, owner: str) -> str:
        return f"{self.channel}:log:{owner}"

    def journal(self, max_block_seconds: float = 60.0) -> Journal:
        """A reader of the users' streams (its own connections: its reads block)."""
        return Journal(self, max_block_seconds)

    # ----- publishing --------------------------------------------------------------------

    def publish(self, event: JobEvent) -> None:
        if self._outbox is None:
            self._outbox = asyncio.Queue(maxsize=_BACKLOG)
            self._sender = asyncio.get_running_loop().create_task(self._send_forever(), name="genapp-redis-publish")
        if self._outbox.full():
            self._lose([self._outbox.get_nowait()])
        journaled = event.owner if event.owner and event.kind in _JOURNALED else ""
        self._outbox.put_nowait((journaled, event.to_json()))

    def _lose(self, batch: list[tuple[str, str]]) -> None:
        self.dropped += len(batch)
        for owner, _ in batch:
            if not owner or owner in self._lost:
                continue
            if len(self._lost) < _MAX_LOST_OWNERS:
                self._lost.add(owner)
            elif not self._lost_overflow:
                self._lost_overflow = True
                log.warning("Too many users lost job events to tell each of them; some API streams will not resync")

    async def _send_forever(self) -> None:
        assert self._outbox is not None
        down = False
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < _BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            owed = sorted(self._lost)
            pipe = self._client.pipeline(transaction=False)  # one round trip for the whole batch
            for owner in owed:
                self._append(pipe, owner, RESYNC.to_json())
            for owner, message in batch:
                if owner:
                    self._append(pipe, owner, message)  # before the PUBLISH: a resumed reader must find it
                pipe.publish(self.channel, message)
            try:
                await pipe.execute()
                self.published += len(batch)
                self._lost.difference_update(owed)
                self._lost_overflow = False
                if down:
                    log.info("Publishing job events to Redis again")
                    down = False
            except (RedisError, OSError) as exc:
                self._lose(batch)
                if not down:
                    log.warning("Redis is unreachable (%s): job events are dropped until it returns; jobs go on", exc)
                    down = True

    def _append(self, pipe, owner: str, message: str) -> None:
        key = self.stream_key(owner)
        pipe.xadd(key, {_FIELD: message}, maxlen=self.stream_keep, approximate=True)
        pipe.expire(key, self.stream_ttl_seconds)

    # ----- subscribing -------------------------------------------------------------------

    async def subscribe(self) -> AsyncIterator[JobEvent]:
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                yield RESYNC  # subscribed: what happened before (or during an outage) is in the database
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        try:
                            yield JobEvent.from_json(message["data"])
                        except (ValueError, KeyError, TypeError):
                            log.warning("Ignored a malformed job event on %s", self.channel)
            except (RedisError, OSError) as exc:
                log.warning("Lost the Redis subscription (%s); subscribing again", exc)
                await asyncio.sleep(self.reconnect_seconds)
            finally:
                try:
                    await pubsub.aclose()
                except (RedisError, OSError):
                    pass

    async def aclose(self) -> None:
        if self._sender is not None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 1.0
            while self._outbox and not self._outbox.empty() and loop.time() < deadline:  # let the last events out
                await asyncio.sleep(0.01)
            self._sender.cancel()
            # Bounded: twice (the library bench's scaled half: 10,000 and 1,100 jobs) the cancelled sender never woke from its
            # outbox.get() and this waited for good; the cause is not found yet.
            await asyncio.wait({self._sender}, timeout=2.0)
        await self._client.aclose()


# ----- reading the users' streams ------------------------------------------------------------

_ID = re.compile(r"(\d{1,20})-(\d{1,20})", re.ASCII)
_LIMIT = 2**64


def parse_id(text: str | bytes | None) -> tuple[int, int] | None:
    """A stream id as (ms, seq), or None for anything else (ids come from clients: hostile)."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    match = _ID.fullmatch(text or "")
    if match is None:
        return None
    ms, seq = int(match[1]), int(match[2])
    return (ms, seq) if ms < _LIMIT and seq < _LIMIT else None


def format_id(at: tuple[int, int]) -> str:
    return f"{at[0]}-{at[1]}"


class Journal:
    """Reads one user's stream: where it ends, whether a client's id can be resumed, what came after it.

    Redis errors (RedisError, OSError) reach the caller: only it knows what an outage means to its client.
    """

    def __init__(self, channel: RedisChannel, max_block_seconds: float):
        self._channel, self.max_block_seconds = channel, max_block_seconds
        # No 5 s socket timeout here: a read blocks up to max_block_seconds; past that Redis is deemed gone.
        self._client = redis.Redis.from_url(channel.url, socket_connect_timeout=2, socket_timeout=max_block_seconds + 5, health_check_interval=2)

    async def _info(self, owner: str) -> dict | None:
        try:
            return await self._client.xinfo_stream(self._channel.stream_key(owner))
        except ResponseError as exc:
            if "no such key" in str(exc).lower():
                return None
            raise

    async def tail(self, owner: str) -> str:
        """The id of the stream's last entry ever written (deleted ones too): reading after it gives what comes next."""
        info = await self._info(owner)
        return format_id(parse_id(info["last-generated-id"]) or (0, 0)) if info else "0-0"

    async def resumable(self, owner: str, last_event_id: str | None) -> str | None:
        """The position to read after, or None when the client may have missed entries the stream no longer holds.

        The stream is trimmed from its head only, so nothing after an id at or past its first entry is gone. Before
        it, entries were trimmed (Redis 7.0 leaves `max-deleted-entry-id` at 0-0 for trims: only XDEL sets it), or
        the stream expired and was written again. Either way: resync (also, needlessly, for the one id just trimmed).
        """
        at = parse_id(last_event_id)
        if at is None:
            return None
        info = await self._info(owner)
        if info is None or at > (parse_id(info["last-generated-id"]) or (0, 0)):
            return None  # expired (or never written), or an id from the future: not this stream's
        return None if self._before_first(info, at) else format_id(at)

    async def trimmed_after(self, owner: str, after: str) -> bool:
        """Whether entries after `after` may have been trimmed away (a reader fell further behind than the stream keeps)."""
        info = await self._info(owner)
        return info is None or self._before_first(info, parse_id(after) or (0, 0))

    @property
    def keep(self) -> int:
        return self._channel.stream_keep

    @staticmethod
    def _before_first(info: dict, at: tuple[int, int]) -> bool:
        first = info.get("first-entry")
        return not first or at < (parse_id(first[0]) or (0, 0))

    async def read(self, owner: str, after: str, block_seconds: float, count: int = _BATCH) -> list[tuple[str, JobEvent | None]]:
        """Entries after `after`, waiting up to `block_seconds` for one; a malformed entry comes as (id, None)."""
        block = max(1, int(min(block_seconds, self.max_block_seconds) * 1000))
        answer = await self._client.xread({self._channel.stream_key(owner): after}, count=count, block=block)
        entries = []
        for _, items in answer or []:
            for entry_id, fields in items:
                try:
                    event = JobEvent.from_json(fields[_FIELD.encode()])
                except (ValueError, KeyError, TypeError):
                    event = None
                entries.append((entry_id.decode(), event))
        return entries

    async def aclose(self) -> None:
        await self._client.aclose()
