"""`GET /api/events` over a real HTTP server (uvicorn, in this test's loop): live job changes, a resume
with Last-Event-ID after a dropped connection, a resync when the id is unknown."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.api.sse import Stream, about, serve


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


async def test_ids_the_log_cannot_resume_give_resync(api):
    token = await api.account("gm@example.com")
    server, serving, port = await serve()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api", headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            async with client.stream("GET", "/events") as response:
                stream = Stream(response)
                log_id = (await stream.next())["id"].partition("-")[0]
                job = (await client.post("/item-generator", json={"skip_image": True})).json()["job"]["id"]
                await stream.until(about(job, "complete"))
            for bad in [f"{log_id}-999999999", f"{log_id}-²", f"{log_id}-１", f"{log_id}--1", f"{log_id}-", "x" * 5000, "é-1", "-"]:
                async with client.stream("GET", "/events", headers={"Last-Event-ID": bad.encode()}) as response:
                    assert response.status_code == 200, (bad, response.status_code)
                    assert (await Stream(response).next())["event"] == "resync", bad
    finally:
        server.should_exit = True
        await serving
