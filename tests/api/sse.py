"""Helpers for the SSE tests: reading a stream frame by frame, matching frames, serving in this loop, a cuttable TCP proxy."""

from __future__ import annotations

import asyncio
import contextlib
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
    """Reads an SSE stream frame by frame (id, event, data, comment); `retry` lines are noted, not returned."""

    def __init__(self, response: httpx.Response):
        self.lines = response.aiter_lines()
        self.retry: str | None = None

    async def next(self, timeout: float = 20.0) -> dict:
        async def read() -> dict:
            frame: dict = {}
            async for line in self.lines:
                if not line:
                    if set(frame) == {"retry"}:
                        self.retry, frame = frame["retry"], {}
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

    async def events(self, count: int, timeout: float = 20.0) -> list[dict]:
        """The next `count` frames that are events (heartbeats skipped)."""
        frames = []
        while len(frames) < count:
            frame = await self.until(lambda f: "event" in f, timeout)
            frames.append(frame)
        return frames


def about(job_id: str, status: str | None = None):
    def match(frame: dict) -> bool:
        if frame.get("event") not in ("status", "progress"):
            return False
        data = json.loads(frame["data"])
        return data["job_id"] == job_id and (status is None or data["job"]["status"] == status)

    return match


def described(frame: dict) -> tuple[str, str, str | None]:
    """(event, job id, status) of an event frame, to compare sequences."""
    data = json.loads(frame["data"])
    return frame["event"], data.get("job_id", ""), (data.get("job") or {}).get("status")


async def serve() -> tuple[uvicorn.Server, asyncio.Task, int]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(backend_routes, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, serving, port


class Proxy:
    """A TCP proxy to a server (here Redis) that a test can cut, as an outage would, and restore."""

    def __init__(self, port: int):
        self.target_port, self.port = port, free_port()
        self.up = True
        self._pipes: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._pipes |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._pipes -= {writer, up_writer}

    def cut(self) -> None:
        self.up = False
        for writer in list(self._pipes):
            writer.transport.abort()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
