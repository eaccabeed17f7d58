"""The scaled mode's progress channel: Redis pub/sub between worker processes and backends.

Publishing hands the event to a sender task and returns at once; if Redis is down the event
is dropped (logged once per outage), never the job. A subscriber reconnects by itself and
starts every (re)subscription with RESYNC, so whoever listens reloads from the database what
the outage may have hidden.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import redis.asyncio as redis
from redis.exceptions import RedisError

from genapp.jobs.events import RESYNC, JobEvent

log = logging.getLogger(__name__)

CHANNEL = "genapp:jobs"
_BACKLOG = 10_000  # events waiting for the sender; beyond it the oldest go (a RESYNC heals that)


class RedisChannel:
    def __init__(self, url: str, *, channel: str = CHANNEL, reconnect_seconds: float = 0.5):
        self.url, self.channel, self.reconnect_seconds = url, channel, reconnect_seconds
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=2)
        self._outbox: asyncio.Queue[str] | None = None
        self._sender: asyncio.Task | None = None
        self.published = 0
        self.dropped = 0

    # ----- publishing --------------------------------------------------------------------

    def publish(self, event: JobEvent) -> None:
        if self._outbox is None:
            self._outbox = asyncio.Queue(maxsize=_BACKLOG)
            self._sender = asyncio.get_running_loop().create_task(self._send_forever(), name="genapp-redis-publish")
        if self._outbox.full():
            self._outbox.get_nowait()
            self.dropped += 1
        self._outbox.put_nowait(event.to_json())

    async def _send_forever(self) -> None:
        assert self._outbox is not None
        down = False
        while True:
            message = await self._outbox.get()
            try:
                await self._client.publish(self.channel, message)
                self.published += 1
                if down:
                    log.info("Publishing job events to Redis again")
                    down = False
            except (RedisError, OSError) as exc:
                self.dropped += 1
                if not down:
                    log.warning("Redis is unreachable (%s): job events are dropped until it returns; jobs go on", exc)
                    down = True

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
            await asyncio.gather(self._sender, return_exceptions=True)
        await self._client.aclose()
