"""`GET /api/events` over a real HTTP server (uvicorn, in this test's loop): live job changes, a resume
with Last-Event-ID after a dropped connection, a resync when the id is unknown."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import uvicorn

from genapp.api import api as backend_routes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stream:
    """Reads an SSE stream frame by frame (id, event, data)."""

    def __init__(self, response: httpx.Response):
        self.lines = response.aiter_lines()

    async def next(self, timeout: float = 20.0) -> dict:
        async def read() -> dict:
            frame: dict = {}
            async for line in self.lines:
                if not line:
                    if frame:
                        return frame
                    continue
                field, _, value = line.partition(":")
                frame[field or "comment"] = value.strip()
            raise EOFError

        return await asyncio.wait_for(read(), timeout)

    async def until(self, predicate, timeout: float = 20.0) -> dict:
        async def scan():
            while not predicate(frame := await self.next(timeout)):
                pass
            return frame

        return await asyncio.wait_for(scan(), timeout)


def about(job_id: str, status: str | None = None):
    def match(frame: dict) -> bool:
        if frame.get("event") not in ("status", "progress"):
            return False
        data = json.loads(frame["data"])
        return data["job_id"] == job_id and (status is None or data["job"]["status"] == status)

    return match


async def serve() -> tuple[uvicorn.Server, asyncio.Task, int]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(backend_routes, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, serving, port


async def test_a_quiet_stream_gets_heartbeats(api, monkeypatch):
    monkeypatch.setattr("genapp.api.events.HEARTBEAT_SECONDS", 0.2)
    token = await api.account("gm@example.com")
    server, serving, port = await serve()
    try:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
            async with client.stream("GET", f"http://127.0.0.1:{port}/api/events") as response:
                stream = Stream(response)
                assert (await stream.until(lambda f: "comment" in f, timeout=5))["comment"] == "keep-alive"
    finally:
        server.should_exit = True
        await serving


async def test_events_live_then_resumed_after_a_drop(api):
    token = await api.account("gm@example.com")
    other = await api.account("other@example.com")
    server, serving, port = await serve()
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}/api"
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            async with client.stream("GET", "/events") as response:
                assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
                stream = Stream(response)
                first = await stream.next()
                assert first["event"] == "resync", first  # a first connection lists, then follows
                job = (await client.post("/item-generator", json={"skip_image": True})).json()["job"]["id"]
                done = await stream.until(about(job, "complete"))
                last_id = done["id"]
            # Dropped. Meanwhile another job runs to the end; another user's job too, which this caller must not hear.
            missed = (await client.post("/quest-generator", json={"skip_image": True})).json()["job"]["id"]
            async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {other}"}) as stranger:
                foreign = (await stranger.post("/item-generator", json={"skip_image": True})).json()["job"]["id"]
            async def finished():
                rows = [await api.service.store.get(i) for i in (missed, foreign)]
                return all(r.status == "complete" for r in rows)
            while not await finished():
                await asyncio.sleep(0.02)
            async with client.stream("GET", "/events", headers={"Last-Event-ID": last_id}) as response:
                stream = Stream(response)
                frames = []
                while not frames or not about(missed, "complete")(frames[-1]):
                    frames.append(await stream.next())
                assert not [f for f in frames if f.get("event") == "resync"], "a resume within the log must not resync"
                assert [json.loads(f["data"])["job"]["status"] for f in frames if about(missed)(f) and f["event"] == "status"][0] == "pending"
                assert not [f for f in frames if "data" in f and foreign in f["data"]], "another user's job was heard"
            async with client.stream("GET", "/events", headers={"Last-Event-ID": "someone-else-12"}) as response:
                assert (await Stream(response).next())["event"] == "resync"
    finally:
        server.should_exit = True
        await serving
