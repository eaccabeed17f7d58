"""A real local HTTP/1.1 server that stands in for an LLM / image provider, with scriptable faults.

It speaks enough of the OpenAI-compatible API (``/v1/models``, ``/v1/chat/completions`` with and
without SSE streaming, ``/v1/images/generations``) and of the AUTOMATIC1111 API
(``/sdapi/v1/sd-models``, ``/sdapi/v1/txt2img``) for the app's provider clients to run against it
unchanged. It is written on raw ``asyncio`` streams (stdlib only), in its own event loop on a daemon
thread, so it can misbehave on purpose: hang, close mid-body, stall, send broken bytes.

Usage::

    from tests.fakes.provider_server import FakeProviderServer, Fault

    with FakeProviderServer(tokens_per_second=200, api_key="sk-test") as server:
        server.script(Fault.status(429, retry_after="1"), Fault.cut_after(3))
        ...  # point the client at server.url (e.g. base_url=f"{server.url}/v1")
        server.wait_for(lambda s: s.streams and s.streams[-1].client_closed)
        assert server.requests[-1].json["model"] == "fake-model"

Chat answers are JSON generated from the JSON schema the client asks for: ``response_format`` of type
``json_schema``, else a fenced ```` ```json-schema ```` block in a system (then user) message. The
answer is deterministic for the same last user message and schema name.

Faults (``server.script(...)``) are consumed one per request to the chat, images and txt2img
endpoints, in order; with an empty queue the server behaves well. Requests the server refuses by
configuration (bad API key, unsupported ``response_format``, malformed body, unknown path) do not
consume a fault. The models endpoints never do.

Streams: the SSE events of a chat stream are, in order, a role event, one content event per
``chars_per_token`` characters, a finish event (plus a usage event when
``stream_options.include_usage`` is set) and ``data: [DONE]``; each is its own HTTP chunk.
``cut_after(n)`` / ``stall_after(n)`` count these events, so ``n`` includes the role event.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import hashlib
import itertools
import json
import math
import random
import re
import struct
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

__all__ = [
    "FakeProviderServer",
    "Fault",
    "RecordedRequest",
    "StreamRecord",
    "generate_from_schema",
    "make_png",
]

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_IMAGE_SIDE = 2048
DEFAULT_IMAGE_SIDE = 64


# --------------------------------------------------------------------------------------------
# Faults and records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour, taken by the next chat / images / txt2img request."""

    kind: str
    code: int = 0
    retry_after: str | None = None
    message: str = ""
    n: int = 0
    chars: int = 0
    tokens_per_second: float = 0.0

    @classmethod
    def status(cls, code: int, retry_after: str | None = None, message: str = "Simulated upstream error") -> Fault:
        """Answer ``code`` with an OpenAI-style error body (and ``Retry-After`` if given)."""
        return cls("status", code=code, retry_after=retry_after, message=message)

    @classmethod
    def hang(cls) -> Fault:
        """Read the request, then send nothing until the client goes away."""
        return cls("hang")

    @classmethod
    def close(cls) -> Fault:
        """Read the request, then close the socket without any response."""
        return cls("close")

    @classmethod
    def cut_after(cls, n: int) -> Fault:
        """Stream ``n`` SSE events, then close without the final zero-length chunk.

        Non-streamed: send a Content-Length larger than the body actually sent, then close.
        """
        return cls("cut_after", n=n)

    @classmethod
    def stall_after(cls, n: int) -> Fault:
        """Stream ``n`` SSE events, then send nothing more until the client goes away.

        Non-streamed: headers and part of the body, then silence.
        """
        return cls("stall_after", n=n)

    @classmethod
    def bad_sse(cls) -> Fault:
        """SSE data lines that are not JSON, then ``[DONE]`` (non-streamed: a body that is not JSON)."""
        return cls("bad_sse")

    @classmethod
    def invalid_content(cls) -> Fault:
        """A well-formed response whose content is JSON that does not satisfy the schema."""
        return cls("invalid_content")

    @classmethod
    def prose(cls) -> Fault:
        """A well-formed response whose content is prose with no JSON object in it."""
        return cls("prose")

    @classmethod
    def huge(cls, chars: int) -> Fault:
        """A well-formed stream/response whose content is exactly ``chars`` characters long."""
        return cls("huge", chars=chars)

    @classmethod
    def echo_auth(cls, code: int = 401) -> Fault:
        """An error whose message echoes the request's Authorization header verbatim."""
        return cls("echo_auth", code=code)

    @classmethod
    def hostile(cls, *payloads: str) -> Fault:
        """A schema-valid answer whose free-text strings are these payloads (markup a model could be talked
        into writing), each where it fits the field's maxLength."""
        return cls("hostile", message="\x00".join(payloads))

    @classmethod
    def slow(cls, tokens_per_second: float) -> Fault:
        """A good answer, paced at this rate (overrides the server's rate for one request)."""
        return cls("slow", tokens_per_second=tokens_per_second)


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    headers: dict[str, str]  # lower-case keys
    json: Any  # parsed body, or None when absent / not JSON
    started: float  # time.monotonic() when the request had been read
    body: bytes = b""
    query: str = ""
    conn_id: int = 0  # same value = same TCP connection (keep-alive)


@dataclass
class StreamRecord:
    """One streamed chat response, updated live by the server thread."""

    started: float
    finished: float | None = None  # set only when the stream completed normally (terminator sent)
    chunks_sent: int = 0  # SSE events written, role event and [DONE] included
    client_closed: bool = False  # the client went away before the stream finished
    closed_at: float | None = None  # when the server noticed that
    fault: str | None = None  # kind of the Fault applied, if any
    request: RecordedRequest | None = None


class _BadRequest(Exception):
    pass


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn

    def parsed_json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


# --------------------------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------------------------


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def make_png(width: int, height: int, rgb: tuple[int, int, int], *, padding: int = 0) -> bytes:
    """A valid 8-bit RGB PNG of one colour; ``padding`` adds a tEXt chunk of that many bytes."""
    row = b"\x00" + bytes(rgb) * width  # filter type 0 per scanline
    chunks = [
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        _png_chunk(b"IDAT", zlib.compress(row * height, 6)),
    ]
    if padding > 0:
        chunks.append(_png_chunk(b"tEXt", b"Comment\x00" + b"x" * padding))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + _png_chunk(b"IEND", b"")


def _colour_for(text: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(text.encode()).digest()
    return digest[0], digest[1], digest[2]


# --------------------------------------------------------------------------------------------
# Schema-driven content
# --------------------------------------------------------------------------------------------

WORDS = (
    "amber", "ancient", "ash", "barrow", "blade", "bramble", "cinder", "crimson", "crown", "dagger",
    "dusk", "ember", "fen", "frost", "gilded", "glimmer", "grim", "hollow", "iron", "ivy", "jade",
    "keep", "lantern", "moon", "moss", "mire", "oath", "obsidian", "raven", "rune", "sable",
    "shadow", "silver", "spire", "storm", "thorn", "tide", "vale", "veil", "whisper", "wild", "wyrm",
)  # fmt: skip

PROSE = (
    "Certainly! The old lighthouse keeper squints at the travellers and mutters about the storm. "
    "She keeps a lantern burning for ships that never come, and her stories wander like the tide. "
    "If the party is kind she may share what she saw on the rocks three winters ago."
)

FILLER = "lorem ipsum dolor sit amet "  # JSON-string safe: no quotes, backslashes or control chars
_MAX_DEPTH = 8
_FENCED_SCHEMA = re.compile(r"```json-schema[ \t]*\r?\n(.*?)```", re.DOTALL)


def _message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def find_schema(body: dict) -> tuple[dict | None, str]:
    """(schema, name) the chat request asks for, or (None, "")."""
    rf = body.get("response_format")
    if isinstance(rf, dict) and rf.get("type") == "json_schema":
        spec = rf.get("json_schema") or {}
        if isinstance(spec.get("schema"), dict):
            return spec["schema"], str(spec.get("name", ""))
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    for role in ("system", "developer", "user"):
        for message in messages:
            if message.get("role") != role:
                continue
            for block in _FENCED_SCHEMA.findall(_message_text(message)):
                try:
                    schema = json.loads(block)
                except ValueError:
                    continue
                if isinstance(schema, dict):
                    return schema, str(schema.get("title", ""))
    return None, ""


def _last_user_text(body: dict) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _message_text(message)
    return ""


def _seed_for(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(parts).encode()).digest()[:8], "big")


class _SchemaWalker:
    """Resolves $ref / allOf against the root schema (pydantic v2 puts models in ``$defs``)."""

    def __init__(self, root: dict):
        self.root = root

    def resolve(self, node: Any) -> dict:
        for _ in range(32):  # chains of $ref, but never loop forever
            if not isinstance(node, dict):
                return {}
            if "$ref" in node:
                target = self._pointer(node["$ref"])
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
                continue
            if "allOf" in node:
                merged: dict = {k: v for k, v in node.items() if k != "allOf"}
                for part in node["allOf"]:
                    part = self.resolve(part)
                    merged.setdefault("properties", {}).update(part.get("properties", {}))
                    merged["required"] = [*merged.get("required", []), *part.get("required", [])]
                    for k, v in part.items():
                        merged.setdefault(k, v)
                if not merged.get("properties"):
                    merged.pop("properties", None)
                node = merged
                continue
            return node
        return {}

    def _pointer(self, ref: str) -> dict:
        if not ref.startswith("#"):
            return {}  # remote refs are out of scope for a fake
        node: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    @staticmethod
    def is_null(node: dict) -> bool:
        return node.get("type") == "null" or node.get("const", 0) is None

    def non_null_branch(self, node: dict) -> tuple[dict | None, bool]:
        """First non-null branch of anyOf/oneOf, and whether a null branch exists."""
        branches = [self.resolve(b) for b in node.get("anyOf") or node.get("oneOf") or []]
        has_null = any(self.is_null(b) for b in branches)
        return next((b for b in branches if not self.is_null(b)), None), has_null

    @staticmethod
    def type_of(node: dict) -> str | None:
        t = node.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), "null")
        if t is None:
            if "properties" in node or "additionalProperties" in node:
                return "object"
            if "items" in node or "prefixItems" in node:
                return "array"
        return t


class _Generator(_SchemaWalker):
    def __init__(self, root: dict, rng: random.Random):
        super().__init__(root)
        self.rng = rng

    def value(self, node: Any, key: str = "", depth: int = 0) -> Any:
        node = self.resolve(node)
        if "const" in node:
            return node["const"]
        if node.get("enum"):
            return self.rng.choice(node["enum"])
        if "anyOf" in node or "oneOf" in node:
            branch, has_null = self.non_null_branch(node)
            if branch is None or (has_null and depth >= _MAX_DEPTH):
                return None  # deep in a recursive model, optional branches end the recursion
            return self.value(branch, key, depth)
        kind = self.type_of(node)
        if depth > _MAX_DEPTH + 4:
            return {} if kind == "object" else None
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return self._array(node, key, depth)
        if kind == "integer":
            return self._integer(node)
        if kind == "number":
            return self._number(node)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self._string(node, key)  # "string", or no type at all (Any)

    def _object(self, node: dict, depth: int) -> dict:
        props: dict = node.get("properties") or {}
        required = set(node.get("required") or [])
        if depth >= _MAX_DEPTH:  # fill only what must be there, so recursive schemas terminate
            props = {k: v for k, v in props.items() if k in required}
        out = {k: self.value(v, k, depth + 1) for k, v in props.items()}
        extra = node.get("additionalProperties")
        if not props and isinstance(extra, dict) and extra:  # dict[str, X]
            for _ in range(2):
                out[self.rng.choice(WORDS)] = self.value(extra, "", depth + 1)
        return out

    def _array(self, node: dict, key: str, depth: int) -> list:
        lo = int(node.get("minItems", 0))
        hi = node.get("maxItems")
        count = lo if depth >= _MAX_DEPTH else max(lo, self.rng.randint(2, 3))
        if hi is not None:
            count = min(count, int(hi))
        prefix = node.get("prefixItems") or []
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        out = [self.value(p, key, depth + 1) for p in prefix[:count]] if prefix else []
        if prefix and "items" not in node:
            return out  # a tuple: exactly its prefix
        unique = bool(node.get("uniqueItems"))
        attempts = 0
        while len(out) < count and attempts < count * 20:
            attempts += 1
            item = self.value(items, key, depth + 1)
            if unique and item in out:
                continue
            out.append(item)
        return out

    @staticmethod
    def _bounds(node: dict) -> tuple[float | None, bool, float | None, bool]:
        lo, hi = node.get("minimum"), node.get("maximum")
        lo_excl = hi_excl = False
        emin, emax = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        if isinstance(emin, bool):  # draft-04 style flag
            lo_excl = emin
        elif emin is not None and (lo is None or emin >= lo):
            lo, lo_excl = emin, True
        if isinstance(emax, bool):
            hi_excl = emax
        elif emax is not None and (hi is None or emax <= hi):
            hi, hi_excl = emax, True
        return lo, lo_excl, hi, hi_excl

    def _integer(self, node: dict) -> int:
        lo, lo_excl, hi, hi_excl = self._bounds(node)
        ilo = None if lo is None else (math.floor(lo) + 1 if lo_excl else math.ceil(lo))
        ihi = None if hi is None else (math.ceil(hi) - 1 if hi_excl else math.floor(hi))
        if ilo is None and ihi is None:
            ilo, ihi = 1, 100
        elif ilo is None:
            ilo = min(1, ihi) if ihi >= 1 else ihi - 99
        elif ihi is None:
            ihi = max(ilo, 1) + 99
        ihi = max(ihi, ilo)
        step = node.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first, last = math.ceil(ilo / step), math.floor(ihi / step)
            if first <= last:
                return self.rng.randint(first, last) * step
        return self.rng.randint(ilo, ihi)

    def _number(self, node: dict) -> float:
        lo, lo_excl, hi, hi_excl = self._bounds(node)
        lo = 0.0 if lo is None else float(lo)
        hi = lo + 100.0 if hi is None else float(hi)
        if lo > hi:
            lo = hi - 100.0

        def ok(v: float) -> bool:
            return (v > lo if lo_excl else v >= lo) and (v < hi if hi_excl else v <= hi)

        value = round(self.rng.uniform(lo, hi), 2)
        return value if ok(value) else (lo + hi) / 2

    def _string(self, node: dict, key: str) -> str:
        fmt = node.get("format")
        r = self.rng
        if fmt == "date-time":
            return f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z"
        if fmt == "date":
            return f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        if fmt == "time":
            return f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00"
        if fmt == "email":
            return f"{r.choice(WORDS)}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{r.choice(WORDS)}"
        if fmt == "uuid":
            return str(uuid.UUID(int=r.getrandbits(128), version=4))
        lowered = key.lower()
        if "name" in lowered or "title" in lowered:
            text = " ".join(w.capitalize() for w in r.sample(WORDS, r.randint(1, 3)))
        else:
            text = " ".join(r.choice(WORDS) for _ in range(r.randint(2, 6)))
            text = text[0].upper() + text[1:]
        min_len, max_len = int(node.get("minLength", 0)), node.get("maxLength")
        while len(text) < min_len:
            text += " " + r.choice(WORDS)
        if max_len is not None and len(text) > max_len:
            text = text[: int(max_len)]
            if len(text.rstrip()) >= min_len:
                text = text.rstrip()
        return text


def generate_from_schema(schema: dict, seed: int | random.Random = 0) -> Any:
    """A value satisfying ``schema`` (the subset pydantic v2 emits), deterministic for ``seed``."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return _Generator(schema, rng).value(schema)


def _with_payloads(schema: dict, instance: Any, payloads: list[str]) -> Any:
    """`instance` with every free-text string (no enum, pattern or format) replaced by all the payloads
    where they fit its maxLength together, else by the next one that fits: still valid against the schema."""
    walker, turn, joined = _SchemaWalker(schema), [0], " ".join(payloads)

    def walk(node: Any, value: Any) -> Any:
        node = walker.resolve(node)
        branch, _ = walker.non_null_branch(node) if ("anyOf" in node or "oneOf" in node) else (node, False)
        node = branch or node
        if isinstance(value, dict):
            props = node.get("properties") or {}
            return {k: walk(props.get(k, {}), v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(node.get("items", {}), v) for v in value]
        if isinstance(value, str) and not ({"enum", "const", "pattern", "format"} & node.keys()):
            limit = node.get("maxLength", 10_000)
            if limit >= len(joined):
                return joined
            fitting = [p for p in payloads if node.get("minLength", 0) <= len(p) <= limit]
            if fitting:
                turn[0] += 1
                return fitting[turn[0] % len(fitting)]
        return value

    return walk(schema, instance)


def _invalid_instance(schema: dict | None) -> dict:
    """JSON that cannot satisfy ``schema``: first required field missing, every other one mistyped."""
    if schema is None:
        return {"name": 12345}
    walker = _SchemaWalker(schema)
    node = walker.resolve(schema)
    props = node.get("properties") or {}
    if not props:
        return {"name": 12345}

    def wrong(sub: Any) -> Any:
        sub = walker.resolve(sub)
        if "anyOf" in sub or "oneOf" in sub:
            sub = walker.non_null_branch(sub)[0] or {}
        if "enum" in sub or "const" in sub:
            return {"not": "a valid choice"}
        kind = walker.type_of(sub)
        return {"string": 12345, "integer": "not a number", "number": "not a number", "boolean": "perhaps",
                "array": 12345, "object": "oops", "null": "something"}.get(kind, {"unexpected": ["shape"]})  # fmt: skip

    out = {k: wrong(v) for k, v in props.items()}
    required = node.get("required") or list(props)
    out.pop(required[0], None)
    return out or {"name": 12345}


def _huge_text(chars: int) -> str:
    """Exactly ``chars`` characters that start like a JSON object (not necessarily valid JSON)."""
    prefix = '{\n  "description": "'
    if chars <= len(prefix):
        return prefix[:chars]
    body_len = chars - len(prefix)
    return prefix + (FILLER * (body_len // len(FILLER) + 1))[:body_len]


# --------------------------------------------------------------------------------------------
# Connection plumbing
# --------------------------------------------------------------------------------------------


class _Connection:
    """One client connection. A pump task reads all incoming bytes into a buffer, so the server
    notices EOF (the client going away) at once, even while it is busy streaming or hanging."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn_id: int):
        self.reader, self.writer, self.id = reader, writer, conn_id
        self._buf = bytearray()
        self._data = asyncio.Event()
        self.gone = asyncio.Event()
        self.gone_at: float | None = None
        self._pump_task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            while data := await self.reader.read(65536):
                self._buf += data
                self._data.set()
        except (ConnectionError, OSError):
            pass
        finally:
            if self.gone_at is None:
                self.gone_at = time.monotonic()
            self.gone.set()
            self._data.set()

    async def read_until(self, sep: bytes, limit: int) -> bytes | None:
        """Bytes up to and including ``sep``; None if the client went away first."""
        while True:
            i = self._buf.find(sep)
            if i >= 0:
                out = bytes(self._buf[: i + len(sep)])
                del self._buf[: i + len(sep)]
                return out
            if len(self._buf) > limit:
                raise _BadRequest("request head too large")
            if self.gone.is_set():
                return None
            self._data.clear()
            await self._data.wait()

    async def read_exact(self, n: int) -> bytes | None:
        while len(self._buf) < n:
            if self.gone.is_set():
                return None
            self._data.clear()
            await self._data.wait()
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    async def send(self, data: bytes) -> None:
        if self.gone.is_set():
            raise ConnectionResetError("client went away")
        self.writer.write(data)
        await self.writer.drain()

    async def pause(self, delay: float) -> bool:
        """Wait ``delay`` seconds; True (early) if the client goes away meanwhile."""
        if delay <= 0:
            return self.gone.is_set()
        try:
            await asyncio.wait_for(self.gone.wait(), delay)
            return True
        except asyncio.TimeoutError:
            return False

    async def close(self) -> None:
        # Start closing before any await: stop() may cancel us mid-close, and the socket must not leak.
        self._pump_task.cancel()
        self.writer.close()
        try:  # a client that stopped reading can keep the flush pending forever: then reset
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)
        except asyncio.TimeoutError:
            self.writer.transport.abort()
        except (ConnectionError, OSError):
            pass
        finally:
            await asyncio.gather(self._pump_task, return_exceptions=True)


async def _read_request(conn: _Connection) -> _Request | None:
    head = await conn.read_until(b"\r\n\r\n", MAX_HEAD_BYTES)
    if head is None:
        return None
    lines = head.decode("latin-1").lstrip("\r\n").split("\r\n")
    try:
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise _BadRequest(f"malformed request line {lines[0][:80]!r}") from None
    if not version.startswith("HTTP/1."):
        raise _BadRequest(f"unsupported protocol {version[:20]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise _BadRequest(f"malformed header line {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    if headers.get("expect", "").lower() == "100-continue":
        await conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size_line = await conn.read_until(b"\r\n", 1024)
            if size_line is None:
                return None
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequest("malformed chunk size") from None
            if size == 0:
                while await conn.read_until(b"\r\n", MAX_HEAD_BYTES) not in (None, b"\r\n"):
                    pass  # skip trailers
                break
            chunk = await conn.read_exact(size + 2)
            if chunk is None:
                return None
            parts.append(chunk[:-2])
        body = b"".join(parts)
    elif "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError:
            raise _BadRequest("malformed Content-Length") from None
        if not 0 <= length <= MAX_BODY_BYTES:
            raise _BadRequest("bad Content-Length")
        data = await conn.read_exact(length)
        if data is None:
            return None
        body = data
    return _Request(method, target, version, headers, body)


def _head(status: int, headers: dict[str, str]) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {status} {phrase}", f"Date: {email.utils.formatdate(usegmt=True)}", "Server: fake-provider"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _http_chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _sse(payload: Any) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return f"data: {data}\n\n".encode()


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeProviderServer:
    def __init__(
        self,
        tokens_per_second: float = 0.0,
        chars_per_token: int = 4,
        api_key: str | None = None,
        models: tuple[str, ...] = ("fake-model",),
        reject_response_format: bool = False,
        n_ctx: int | None = None,
        context_style: str = "llama-old",
        ollama_num_ctx: int | None = None,
    ):
        self.tokens_per_second = tokens_per_second
        self.chars_per_token = max(1, int(chars_per_token))
        self.api_key = api_key
        self.models = tuple(models)
        self.reject_response_format = reject_response_format
        # A context window (tokens = characters / 4): a prompt plus max_tokens over it is refused the way
        # older llama.cpp builds ("llama-old": max_tokens counted in "request (N tokens)", /props served)
        # or OpenAI and vLLM ("openai") refuse it; the real llama.cpp in tests/llm counts the prompt only.
        self.n_ctx = n_ctx
        self.context_style = context_style
        self.ollama_num_ctx = ollama_num_ctx  # answers Ollama's POST /api/show with this num_ctx
        self.requests: list[RecordedRequest] = []
        self.streams: list[StreamRecord] = []
        self.port = 0
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._conn_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._startup_error: BaseException | None = None

    # ---- lifecycle (called from the test thread) ----

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeProviderServer:
        if self._thread is not None:
            raise RuntimeError("FakeProviderServer already started")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="FakeProviderServer", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeProviderServer did not start listening within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("FakeProviderServer failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- scripting and inspection (thread-safe) ----

    def script(self, *faults: Fault) -> None:
        """Queue faults; each chat / images / txt2img request takes the next one."""
        with self._lock:
            self._faults.extend(faults)

    @property
    def faults_pending(self) -> int:
        with self._lock:
            return len(self._faults)

    def wait_for(self, predicate: Callable[[FakeProviderServer], Any], timeout: float = 5.0) -> Any:
        """Poll until ``predicate(self)`` is truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"FakeProviderServer.wait_for timed out after {timeout}s")
            time.sleep(0.005)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    # ---- event loop thread ----

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._on_connection, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # report to start() rather than dying silently
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        # Let connections accepted just now start their handlers, so they are cancelled (and closed) too.
        for _ in range(3):
            await asyncio.sleep(0)
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)
        if self._server is not None:
            await self._server.wait_closed()

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        conn = _Connection(reader, writer, next(self._conn_ids))
        try:
            while not conn.gone.is_set():
                try:
                    request = await _read_request(conn)
                except _BadRequest as exc:
                    await self._send_json(conn, 400, {"error": {"message": str(exc), "type": "invalid_request_error"}}, False)
                    break
                if request is None:
                    break
                try:
                    keep = await self._handle(conn, request)
                except (ConnectionError, OSError):
                    break
                except Exception as exc:  # a bug in the fake: say so instead of a bare disconnect
                    with contextlib.suppress(Exception):
                        await self._send_json(conn, 500, {"error": {"message": f"fake server bug: {exc!r}"}}, False)
                    raise
                if not keep:
                    break
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # stop(); ending "cancelled" would make 3.11's start_server log a spurious error
        finally:
            with contextlib.suppress(asyncio.CancelledError):  # stop() may land while we already close
                await conn.close()
            self._tasks.discard(task)

    # ---- responses ----

    async def _send(self, conn: _Connection, status: int, body: bytes, content_type: str, keep: bool,
                    extra: dict[str, str] | None = None) -> bool:  # fmt: skip
        headers = {"Content-Type": content_type, "Content-Length": str(len(body)),
                   "Connection": "keep-alive" if keep else "close", **(extra or {})}  # fmt: skip
        await conn.send(_head(status, headers) + body)
        return keep

    async def _send_json(self, conn: _Connection, status: int, payload: Any, keep: bool,
                         extra: dict[str, str] | None = None) -> bool:  # fmt: skip
        return await self._send(conn, status, json.dumps(payload).encode(), "application/json", keep, extra)

    async def _send_error(self, conn: _Connection, status: int, message: str, keep: bool, type_: str = "invalid_request_error",
                          extra: dict[str, str] | None = None) -> bool:  # fmt: skip
        return await self._send_json(conn, status, {"error": {"message": message, "type": type_, "code": None}}, keep, extra)

    async def _send_body(self, conn: _Connection, fault: Fault | None, payload: Any, keep: bool, delay: float = 0.0) -> bool:
        """A 200 JSON answer, bent by the fault kinds that apply to any non-streamed body."""
        if delay and await conn.pause(delay):
            return False
        body = json.dumps(payload).encode()
        kind = fault.kind if fault else None
        if kind == "bad_sse":
            body = body[: max(1, len(body) // 3)] + b"\x00<<garbage>>"  # truncated JSON plus junk
        if kind in ("cut_after", "stall_after"):
            # Promise the whole body, deliver part of it.
            head = _head(200, {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "keep-alive"})
            await conn.send(head + body[: len(body) // 2])
            if kind == "stall_after":
                await conn.gone.wait()
            return False
        return await self._send(conn, 200, body, "application/json", keep)

    async def _generic_fault(self, conn: _Connection, request: _Request, fault: Fault | None, keep: bool) -> bool | None:
        """Faults that look the same on every endpoint; None when ``fault`` is not one of them."""
        if fault is None:
            return None
        if fault.kind == "status":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
            type_ = "server_error" if fault.code >= 500 else "rate_limit_error" if fault.code == 429 else "invalid_request_error"
            return await self._send_error(conn, fault.code, fault.message, keep, type_, extra)
        if fault.kind == "echo_auth":
            auth = request.headers.get("authorization", "")
            return await self._send_error(conn, fault.code, f"Incorrect API key provided: {auth}", keep, "invalid_request_error")
        if fault.kind == "hang":
            await conn.gone.wait()
            return False
        if fault.kind == "close":
            return False
        return None

    # ---- routing ----

    async def _handle(self, conn: _Connection, request: _Request) -> bool:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            json=request.parsed_json(),
            started=time.monotonic(),
            body=request.body,
            query=request.query,
            conn_id=conn.id,
        )
        with self._lock:
            self.requests.append(record)
        keep = request.keep_alive
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return await self._send_error(conn, 401, "Invalid API key", keep, "invalid_request_error")

        routes = {
            ("GET", "/v1/models"): self._models,
            ("GET", "/props"): self._props,
            ("POST", "/api/show"): self._ollama_show,
            ("GET", "/sdapi/v1/sd-models"): self._sd_models,
            ("POST", "/v1/chat/completions"): self._chat,
            ("POST", "/v1/images/generations"): self._images,
            ("POST", "/sdapi/v1/txt2img"): self._txt2img,
        }
        handler = routes.get((request.method, request.path))
        if handler is None:
            return await self._send_error(conn, 404, f"No route for {request.method} {request.path}", keep, "not_found_error")
        if request.method == "POST" and not isinstance(record.json, dict):
            return await self._send_error(conn, 400, "Request body must be a JSON object", keep)
        return await handler(conn, request, record, keep)

    async def _models(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models]
        return await self._send_json(conn, 200, {"object": "list", "data": data}, keep)

    async def _props(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        if self.n_ctx is None or self.context_style != "llama-old":
            return await self._send_error(conn, 404, "File Not Found", keep, "not_found_error")
        return await self._send_json(conn, 200, {"default_generation_settings": {"n_ctx": self.n_ctx}, "total_slots": 1}, keep)

    async def _ollama_show(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        if self.ollama_num_ctx is None:
            return await self._send_error(conn, 404, "404 page not found", keep, "not_found_error")
        parameters = f'stop                           "<|eot_id|>"\nnum_ctx                        {self.ollama_num_ctx}'
        return await self._send_json(conn, 200, {"parameters": parameters, "model_info": {"llama.context_length": 131072}}, keep)

    async def _context_refusal(self, conn: _Connection, prompt_tokens: int, asked: int, keep: bool) -> bool:
        if self.context_style == "openai":
            message = (f"This model's maximum context length is {self.n_ctx} tokens. However, you requested "
                       f"{prompt_tokens + asked} tokens ({prompt_tokens} in the messages, {asked} in the completion). "
                       "Please reduce the length of the messages or completion.")  # fmt: skip
        else:
            message = f"request ({prompt_tokens + asked} tokens) exceeds the available context size ({self.n_ctx} tokens), try increasing it"
        return await self._send_error(conn, 400, message, keep, "exceed_context_size_error")

    async def _sd_models(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        return await self._send_json(conn, 200, [{"title": "fake-sd.safetensors", "model_name": "fake-sd"}], keep)

    # ---- chat ----

    async def _chat(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        body: dict = record.json
        if self.reject_response_format and body.get("response_format") is not None:
            return await self._send_error(conn, 400, "response_format is not supported by this server", keep)
        prompt_chars = sum(len(_message_text(m)) for m in body.get("messages") or [] if isinstance(m, dict))
        asked = body.get("max_tokens") if isinstance(body.get("max_tokens"), int) else 0
        if self.n_ctx is not None and prompt_chars // 4 + 1 + asked > self.n_ctx:
            return await self._context_refusal(conn, prompt_chars // 4 + 1, asked, keep)
        fault = self._next_fault()
        handled = await self._generic_fault(conn, request, fault, keep)
        if handled is not None:
            return handled

        schema, name = find_schema(body)
        kind = fault.kind if fault else None
        if kind == "invalid_content":
            content = json.dumps(_invalid_instance(schema), indent=2)
        elif kind == "prose":
            content = PROSE
        elif kind == "huge":
            content = _huge_text(fault.chars)
        elif kind == "hostile" and schema is not None:
            valid = generate_from_schema(schema, _seed_for(_last_user_text(body), name))
            content = json.dumps(_with_payloads(schema, valid, fault.message.split("\x00")), indent=2)
        elif schema is None:
            content = json.dumps({"note": "no schema"}, indent=2)
        else:
            content = json.dumps(generate_from_schema(schema, _seed_for(_last_user_text(body), name)), indent=2)

        # Huge answers go out in bigger pieces (at most ~1000 events) so tests of size caps stay fast.
        size = max(self.chars_per_token, math.ceil(len(content) / 1000)) if kind == "huge" else self.chars_per_token
        pieces = [content[i : i + size] for i in range(0, len(content), size)]
        finish = "stop"
        if asked and len(pieces) > asked:  # one piece is one token: stop where a real server would
            pieces, finish = pieces[:asked], "length"
            content = "".join(pieces)
        rate = fault.tokens_per_second if kind == "slow" else self.tokens_per_second
        meta = {
            "id": "chatcmpl-" + hashlib.sha256(f"{conn.id}:{record.started}".encode()).hexdigest()[:24],
            "created": int(time.time()),
            "model": str(body.get("model") or self.models[0]),
        }
        usage = {"prompt_tokens": prompt_chars // 4 + 1, "completion_tokens": len(pieces),
                 "total_tokens": prompt_chars // 4 + 1 + len(pieces)}  # fmt: skip

        if body.get("stream"):
            return await self._stream_chat(conn, record, fault, meta, pieces, rate, usage, keep, finish)
        payload = {
            **meta,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": usage,
        }
        # A non-streamed answer takes as long as its stream would have.
        delay = len(pieces) / rate if rate > 0 else 0.0
        return await self._send_body(conn, fault, payload, keep, delay)

    async def _stream_chat(self, conn: _Connection, record: RecordedRequest, fault: Fault | None, meta: dict,
                           pieces: list[str], rate: float, usage: dict, keep: bool, finish: str = "stop") -> bool:  # fmt: skip
        kind = fault.kind if fault else None

        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {**meta, "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip

        # (event bytes, paced?) in order; pacing applies to content events only.
        events: list[tuple[bytes, bool]] = [(_sse(chunk({"role": "assistant", "content": ""})), False)]
        if kind == "bad_sse":
            events += [(b'data: {"choices": [{"delta": {"content": "oops"\n\n', False),
                       (b"data: <<this is not json>> \xef\xbf\xbd}{\n\n", False)]  # fmt: skip
        else:
            events += [(_sse(chunk({"content": p})), True) for p in pieces]
            events.append((_sse(chunk({}, finish)), False))
            if (record.json.get("stream_options") or {}).get("include_usage"):
                events.append((_sse({**meta, "object": "chat.completion.chunk", "choices": [], "usage": usage}), False))
        events.append((b"data: [DONE]\n\n", False))
        limit = fault.n if kind in ("cut_after", "stall_after") else len(events)

        stream = StreamRecord(started=time.monotonic(), fault=kind, request=record)
        with self._lock:
            self.streams.append(stream)
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                   "Transfer-Encoding": "chunked", "Connection": "keep-alive" if keep else "close"}  # fmt: skip
        interval = 1.0 / rate if rate > 0 else 0.0
        try:
            await conn.send(_head(200, headers))
            paced = 0
            for data, is_paced in events[:limit]:
                if is_paced and interval:
                    paced += 1
                    if await conn.pause(stream.started + paced * interval - time.monotonic()):
                        raise ConnectionResetError("client went away")
                await conn.send(_http_chunk(data))
                stream.chunks_sent += 1
            if kind == "cut_after":
                return False  # close with no terminating chunk: an incomplete chunked body
            if kind == "stall_after":
                await conn.gone.wait()
                raise ConnectionResetError("client went away")
            await conn.send(b"0\r\n\r\n")
            stream.finished = time.monotonic()
            return keep
        except (ConnectionError, OSError):
            stream.client_closed = True
            stream.closed_at = conn.gone_at or time.monotonic()
            return False

    # ---- images ----

    async def _images(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        body: dict = record.json
        if body.get("response_format") == "url":
            return await self._send_error(conn, 400, "only b64_json is supported by this fake", keep)
        fault = self._next_fault()
        handled = await self._generic_fault(conn, request, fault, keep)
        if handled is not None:
            return handled
        width, height = _parse_size(body.get("size"))
        prompt = str(body.get("prompt", ""))
        count = _clamp(body.get("n"), 1, 4, 1)
        images = [self._image_b64(fault, prompt if i == 0 else f"{prompt}#{i}", width, height) for i in range(count)]
        if fault and fault.kind == "prose":
            return await self._send(conn, 200, PROSE.encode(), "text/plain; charset=utf-8", keep)
        payload = {"created": int(time.time()), "data": [{"b64_json": b, "revised_prompt": prompt} for b in images]}
        return await self._send_body(conn, fault, payload, keep, self._image_delay(fault, 20))

    async def _txt2img(self, conn: _Connection, request: _Request, record: RecordedRequest, keep: bool) -> bool:
        body: dict = record.json
        fault = self._next_fault()
        handled = await self._generic_fault(conn, request, fault, keep)
        if handled is not None:
            return handled
        width = _clamp(body.get("width"), 1, MAX_IMAGE_SIDE, DEFAULT_IMAGE_SIDE)
        height = _clamp(body.get("height"), 1, MAX_IMAGE_SIDE, DEFAULT_IMAGE_SIDE)
        prompt = str(body.get("prompt", ""))
        count = min(4, _clamp(body.get("batch_size"), 1, 4, 1) * _clamp(body.get("n_iter"), 1, 4, 1))
        images = [self._image_b64(fault, prompt if i == 0 else f"{prompt}#{i}", width, height) for i in range(count)]
        if fault and fault.kind == "prose":
            return await self._send(conn, 200, PROSE.encode(), "text/plain; charset=utf-8", keep)
        seed = body.get("seed", -1)
        info = {"prompt": prompt, "negative_prompt": body.get("negative_prompt", ""), "seed": seed,
                "width": width, "height": height}  # fmt: skip
        payload = {"images": images, "parameters": body, "info": json.dumps(info)}
        steps = _clamp(body.get("steps"), 1, 500, 20)
        return await self._send_body(conn, fault, payload, keep, self._image_delay(fault, steps))

    @staticmethod
    def _image_b64(fault: Fault | None, prompt: str, width: int, height: int) -> str:
        kind = fault.kind if fault else None
        if kind == "invalid_content":
            return base64.b64encode(b"this is not a png").decode()
        png = make_png(width, height, _colour_for(prompt))
        if kind == "huge":  # pad with a tEXt chunk so the base64 is about fault.chars long
            png = make_png(width, height, _colour_for(prompt), padding=max(0, fault.chars * 3 // 4 - len(png) - 12))
        return base64.b64encode(png).decode()

    @staticmethod
    def _image_delay(fault: Fault | None, steps: int) -> float:
        """Images are only slow when scripted: ``steps`` "tokens" at the fault's rate."""
        if fault and fault.kind == "slow" and fault.tokens_per_second > 0:
            return steps / fault.tokens_per_second
        return 0.0


def _clamp(value: Any, lo: int, hi: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(hi, max(lo, number))


def _parse_size(size: Any) -> tuple[int, int]:
    """"WxH" from the OpenAI images API; 64x64 when absent or unreadable."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(size or ""))
    if not match:
        return DEFAULT_IMAGE_SIDE, DEFAULT_IMAGE_SIDE
    return (_clamp(match.group(1), 1, MAX_IMAGE_SIDE, DEFAULT_IMAGE_SIDE),
            _clamp(match.group(2), 1, MAX_IMAGE_SIDE, DEFAULT_IMAGE_SIDE))  # fmt: skip
