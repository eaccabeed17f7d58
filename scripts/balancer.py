"""A small round-robin proxy for the scaled mode on one machine: one public backend port, N backends.

    python scripts/balancer.py --listen 8000 --backend 127.0.0.1:8001 --backend 127.0.0.1:8002

The frontend bundle knows one backend URL (rxconfig's api_url), so the browsers all come here.
Each new TCP connection goes to the next backend in turn, and stays there for its whole life.
That is safe for Reflex: its socket.io client uses the websocket transport only (rxconfig's
`transport`, "websocket" by default), so one tab's socket is one connection, and a tab may land on
any backend because its state lives in Redis. Plain HTTP requests (ping, /media files) are
stateless. Websocket upgrades and plain requests take turns separately, so image downloads do not
skew which backend the next tab lands on.

The proxy reads only the head of a connection's first request (to tell an upgrade and log which
backend took it), then copies bytes both ways. A backend that refuses the connection (down,
restarting) is skipped for the next one; when none answers the browser's connection is closed and
its socket.io client tries again. Each websocket is logged with a short hash of its tab token
(never the token itself), so a test can tell which backend holds which tab.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import logging
import signal
import urllib.parse

log = logging.getLogger("balancer")

HEAD_LIMIT = 64 * 1024
HEAD_TIMEOUT = 30.0
CONNECT_TIMEOUT = 2.0


def token_tag(token: str) -> str:
    """What the log shows of a tab token: enough to match it, not enough to use it."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]):
        if not backends:
            raise ValueError("at least one backend")
        self.backends = backends
        self._turns = {"websocket": itertools.cycle(range(len(backends))), "http": itertools.cycle(range(len(backends)))}
        self.connections = 0

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            try:
                head = await asyncio.wait_for(client_reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
            except asyncio.LimitOverrunError:
                head = await client_reader.read(HEAD_LIMIT)  # not HTTP as we know it: pass it on anyway
            except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError) as exc:
                partial = getattr(exc, "partial", b"")
                if not partial:
                    return
                head = partial
            kind, path, token = _describe(head)
            backend = await self._connect(kind)
            if backend is None:
                log.warning("no backend answers: closing a %s connection (%s)", kind, path[:60])
                return
            (host, port), backend_reader, backend_writer = backend
            if kind == "websocket":
                log.info("websocket %s token=%s -> %s:%d", path.split("?", 1)[0], token_tag(token) if token else "-", host, port)
            backend_writer.write(head)
            await backend_writer.drain()
            await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))
        except Exception:
            log.exception("connection failed")
        finally:
            client_writer.close()

    async def _connect(self, kind: str):
        """The next backend in turn that accepts a connection, trying each at most once."""
        start = next(self._turns[kind])
        for offset in range(len(self.backends)):
            host, port = self.backends[(start + offset) % len(self.backends)]
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)
            except (OSError, asyncio.TimeoutError) as exc:
                log.info("backend %s:%d refused a %s connection (%s); trying the next", host, port, kind, exc.__class__.__name__)
                continue
            return (host, port), reader, writer
        return None


def _describe(head: bytes) -> tuple[str, str, str]:
    """(websocket or http, the request path, the tab token of a Reflex socket or '')."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    path = parts[1].decode("latin-1") if len(parts) >= 2 else ""
    upgrade = any(line.lower().startswith(b"upgrade:") and b"websocket" in line.lower() for line in lines[1:])
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    token = (query.get("token") or [""])[0]
    return ("websocket" if upgrade else "http"), path, token


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        # The other side is done (or gone): pass that on, so the browser sees a backend die at once.
        try:
            writer.close()
        except Exception:
            pass


def parse_backend(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1"), int(port)


async def serve(listen_host: str, listen_port: int, backends: list[tuple[str, int]]) -> None:
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, listen_host, listen_port, limit=HEAD_LIMIT, reuse_address=True)
    log.info("balancing %s:%d over %s", listen_host, listen_port, ", ".join(f"{h}:{p}" for h, p in backends))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--listen", type=int, required=True, help="public port")
    parser.add_argument("--host", default="0.0.0.0", help="public address (default all)")
    parser.add_argument("--backend", action="append", required=True, type=parse_backend, help="host:port, once per backend")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s balancer: %(message)s")
    asyncio.run(serve(args.host, args.listen, args.backend))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
