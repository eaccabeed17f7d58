"""`GET /api/events` in the scaled mode: two real backends (subprocesses, each with its job service on
one Postgres database and Redis, as `make run-scaled` runs them behind the balancer). A client that
read from backend A and comes back to backend B with its last id gets exactly what it missed; ids
the streams cannot resume, and a Redis outage, give `resync`. Job changes here need no worker: a
submission (pending), a cancel of a waiting job and a delete are announced by the backend itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from genapp.auth.service import AuthService
from genapp.auth.store import AuthStore
from genapp.jobs.events import EventKind, JobEvent
from genapp.jobs.redis_channel import RedisChannel
from tests.api.sse import Proxy, Stream, described, free_port
from tests.conftest import eventually

REPO = Path(__file__).resolve().parents[2]
REDIS_PORT = 6379
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PASSWORD = "a long table of dice"


class Backend:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}/api"


class Scaled:
    """Backends sharing one database and one channel (their Redis URLs may differ: a proxy's)."""

    def __init__(self, db, tmp: Path):
        self.db, self.tmp = db, tmp
        self.channel = f"genapp:test:{secrets.token_hex(4)}"
        self.backends: list[Backend] = []
        self.auth_store = AuthStore(db)
        self.auth = AuthService(self.auth_store)
        self.redis = redis.Redis.from_url(REDIS_URL)

    def start(self, redis_url: str = REDIS_URL) -> Backend:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GENAPP_", "REFLEX_"))}
        env |= {
            "GENAPP_MODE": "scaled",
            "GENAPP_DB_URL": self.db.url.render_as_string(hide_password=False),
            "GENAPP_REDIS_URL": redis_url,
            "GENAPP_REDIS_CHANNEL": self.channel,
            "GENAPP_MEDIA_DIR": str(self.tmp / "media"),
            "GENAPP_DB_FLUSH_SECONDS": "0.1",
        }
        log = self.tmp / f"backend-{len(self.backends)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "tests.api.scaled_backend", str(port)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        backend = Backend(process, port, log)
        self.backends.append(backend)
        return backend

    async def ready(self, *backends: Backend) -> None:
        async def answering(backend: Backend) -> bool:
            assert backend.process.poll() is None, f"backend died:\n{backend.log.read_text()[-3000:]}"
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{backend.url}/openapi.json")).status_code == 200
            except httpx.TransportError:
                return False

        for backend in backends:
            await eventually(lambda: answering(backend), timeout=90, interval=0.1, what=f"backend on {backend.port} answering")

    async def account(self, email: str) -> tuple[str, str]:
        """(user id, personal API token) of a new account."""
        guest = await self.auth.start_guest()
        signed = await self.auth.sign_up(guest.identity, email, PASSWORD, PASSWORD)
        token, _ = await self.auth.create_token(signed.identity, "tests")
        return signed.identity.user_id, token

    def stream_key(self, user_id: str) -> str:
        return RedisChannel(REDIS_URL, channel=self.channel).stream_key(user_id)

    async def close(self) -> None:
        for backend in self.backends:
            if backend.process.poll() is None:
                backend.process.terminate()
        for backend in self.backends:
            try:
                backend.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                backend.process.kill()
        keys = [key async for key in self.redis.scan_iter(match=f"{self.channel}:*")]
        if keys:
            await self.redis.delete(*keys)
        await self.redis.aclose()
        self.auth_store.close()


@pytest.fixture
async def scaled(pg_db, tmp_path):
    system = Scaled(pg_db, tmp_path)
    try:
        yield system
    finally:
        await system.close()


def client(backend: Backend, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=backend.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def submit(http: httpx.AsyncClient) -> str:
    answer = await http.post("/item-generator", json={"skip_image": True})
    assert answer.status_code in (200, 201, 202), answer.text
    return answer.json()["job"]["id"]


async def cancel(http: httpx.AsyncClient, job_id: str) -> None:
    answer = await http.post(f"/jobs/{job_id}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled", answer.text


async def remove(http: httpx.AsyncClient, job_id: str) -> None:
    assert (await http.delete(f"/jobs/{job_id}")).status_code == 204


@contextlib.asynccontextmanager
async def events(http: httpx.AsyncClient, last_event_id: str | None = None):
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    async with http.stream("GET", "/events", headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


async def test_a_client_resumes_on_another_backend_with_exactly_what_it_missed(scaled):
    a, b = scaled.start(), scaled.start()
    await scaled.ready(a, b)
    _, token = await scaled.account("gm@example.com")
    _, other = await scaled.account("other@example.com")
    async with client(a, token) as on_a, client(b, token) as on_b, client(b, other) as stranger:
        async with events(on_a) as stream:
            first = await stream.next()
            assert first["event"] == "resync" and stream.retry == "2000", first
            one = await submit(on_a)
            await cancel(on_b, one)  # a change made on the other backend reaches this stream too
            seen = await stream.events(2)
            assert [described(f) for f in seen] == [("status", one, "pending"), ("status", one, "cancelled")]
            last_id = seen[-1]["id"]
        # Dropped. Meanwhile: changes on both backends, and another user's job, which this caller must not hear.
        two = await submit(on_b)
        await cancel(on_a, two)
        foreign = await submit(stranger)
        await remove(on_a, one)
        async with events(on_b, last_id) as stream:
            missed = await stream.events(3)
            assert [described(f) for f in missed] == [("status", two, "pending"), ("status", two, "cancelled"), ("removed", one, None)]
            # Nothing doubled, nothing else: the next event is a new change, live.
            three = await submit(on_a)
            live = await stream.until(lambda f: "event" in f)
            assert described(live) == ("status", three, "pending")
        ids = [f["id"] for f in [*seen, *missed, live]]
        assert len(set(ids)) == len(ids) and foreign not in str(missed)
        # Back on A from the same id: the same events, same ids (they are the stream's, not a process's).
        async with events(on_a, last_id) as stream:
            again = await stream.events(4)
            assert [f["id"] for f in again] == ids[2:] and [described(f) for f in again] == [*map(described, missed), described(live)]


async def test_ids_the_stream_cannot_resume_give_resync(scaled):
    backend = scaled.start()
    await scaled.ready(backend)
    user, token = await scaled.account("gm@example.com")
    async with client(backend, token) as http:
        async with events(http) as stream:
            assert (await stream.next())["event"] == "resync"
            jobs = [await submit(http) for _ in range(3)]
            frames = await stream.events(3)
            assert [described(f)[1] for f in frames] == jobs
        hostile = [
            "garbage", "1-2-3", "-1-0", "0x10-0", "１２-0", "²-0", "99999999999999999999999-0", "18446744073709551616-0",
            "18446744073709551615-0",  # well formed, but from the future
            "0-0",  # before this stream began
            "a" * 5000, "1-1\r\nevent: status", "'; DROP TABLE job; --", "%00", "$(reboot)",
        ]
        for bad in hostile:
            headers = {"Last-Event-ID": bad.encode()}  # as bytes: non-ASCII goes as is (the server reads latin-1)
            try:
                async with http.stream("GET", "/events", headers=headers) as response:
                    assert response.status_code == 200, (bad, response.status_code)
                    frame = await Stream(response).next()
                    assert frame["event"] == "resync", (bad, frame)
            except httpx.LocalProtocolError:
                pass  # httpx refuses to send it (a newline in a header): no server to test
        # Trimmed past the client's id: what it missed is gone from the stream.
        await scaled.redis.xtrim(scaled.stream_key(user), maxlen=1, approximate=False)
        async with events(http, frames[0]["id"]) as stream:
            assert (await stream.next())["event"] == "resync"
        async with events(http, frames[-1]["id"]) as stream:  # the one entry kept: nothing missed
            fresh = await submit(http)
            frame = await stream.next()
            assert described(frame) == ("status", fresh, "pending"), frame
        # Expired, then written again: an id from before is not resumed into the new stream.
        await scaled.redis.delete(scaled.stream_key(user))
        newer = await submit(http)
        await eventually(lambda: scaled.redis.exists(scaled.stream_key(user)), what="the stream written again")
        async with events(http, frame["id"]) as stream:
            assert (await stream.next())["event"] == "resync"
            assert newer  # its row is what the resync lists


async def test_a_redis_outage_mid_stream_gives_resync_once_it_returns(scaled):
    proxy = Proxy(REDIS_PORT)
    await proxy.start()
    try:
        backend = scaled.start(f"redis://127.0.0.1:{proxy.port}/0")
        await scaled.ready(backend)
        _, token = await scaled.account("gm@example.com")
        async with client(backend, token) as http, events(http) as stream:
            assert (await stream.next())["event"] == "resync"
            before = await submit(http)
            assert described((await stream.events(1))[0]) == ("status", before, "pending")
            proxy.cut()
            during = await submit(http)  # its event is dropped: Redis is unreachable from the backend
            proxy.restore()
            frame = await stream.until(lambda f: f.get("event") == "resync", timeout=30)
            assert frame["id"]
            after = await submit(http)
            assert described(await stream.until(lambda f: f.get("event") in ("status", "progress"))) in {
                ("status", after, "pending"), ("status", during, "pending")
            }
    finally:
        await proxy.close()


async def test_the_publisher_journals_api_events_trims_expires_and_owes_a_resync_after_dropping(scaled):
    owner = f"user-{secrets.token_hex(4)}"
    proxy = Proxy(REDIS_PORT)
    await proxy.start()
    channel = RedisChannel(f"redis://127.0.0.1:{proxy.port}/0", channel=scaled.channel, stream_keep=10, stream_ttl_seconds=60)
    key = channel.stream_key(owner)
    try:
        for i in range(300):
            channel.publish(JobEvent(EventKind.PROGRESS, owner, f"j{i}"))
        channel.publish(JobEvent(EventKind.DRAFT, owner, "j", draft="streamed text"))  # not for the API: not journaled
        await eventually(lambda: channel.published == 301, what="all published")
        length = await scaled.redis.xlen(key)
        assert 10 <= length < 300, length  # trimmed, approximately
        assert 0 < await scaled.redis.ttl(key) <= 60
        info = await scaled.redis.xinfo_stream(key)
        assert JobEvent.from_json(info["last-entry"][1][b"e"]).job_id == "j299"
        proxy.cut()
        channel.publish(JobEvent(EventKind.STATUS, owner, "lost"))
        await eventually(lambda: channel.dropped == 1, what="the event dropped")
        proxy.restore()
        channel.publish(JobEvent(EventKind.STATUS, owner, "later"))
        await eventually(lambda: channel.published == 302, what="published again")
        kinds = [(e.kind, e.job_id) for e in (JobEvent.from_json(f[b"e"]) for _, f in (await scaled.redis.xrange(key))[-2:])]
        assert kinds == [(EventKind.RESYNC, ""), (EventKind.STATUS, "later")]
    finally:
        await channel.aclose()
        await proxy.close()


async def test_the_channels_resync_reaches_a_reader_blocked_on_its_stream(scaled):
    from genapp.api.events.journal import JournalLog
    from genapp.jobs.events import RESYNC

    channel = RedisChannel(REDIS_URL, channel=scaled.channel)
    log = JournalLog(channel.journal())
    owner = f"user-{secrets.token_hex(4)}"
    frames = log.follow(owner, None, heartbeat=30)
    try:
        start = await anext(frames)
        assert start.name == "resync"
        reading = asyncio.ensure_future(anext(frames))  # blocked in XREAD for up to 30 s
        await log.take(RESYNC)
        frame = await asyncio.wait_for(reading, 5)  # well before the heartbeat: the read was interrupted
        assert (frame.name, frame.id) == ("resync", start.id)  # the position stays: nothing was missed
        channel.publish(JobEvent(EventKind.REMOVED, owner, "j1"))
        frame = await asyncio.wait_for(anext(frames), 10)
        assert frame.name == "removed" and '"job_id":"j1"' in frame.data
        quiet = log.follow(owner, frame.id, heartbeat=0.2)  # resumed, nothing new: heartbeats
        assert await asyncio.wait_for(anext(quiet), 5) is None
        await quiet.aclose()
    finally:
        await frames.aclose()
        await log.aclose()
        await channel.aclose()
