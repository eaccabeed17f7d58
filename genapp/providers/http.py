"""The HTTP plumbing every provider shares: one pooled client, size limits, errors without secrets."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from genapp.providers.errors import ProviderError, Redactor, status_error, transport_error
from genapp.providers.retry import RetryPolicy


@dataclass(frozen=True)
class Endpoint:
    """Where a provider lives and how patient to be with it."""

    base_url: str
    api_key: str = field(default="", repr=False)
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    request_timeout: float = 900.0  # one whole request, streaming included
    max_response_bytes: int = 2_000_000
    retry: RetryPolicy = RetryPolicy()

    @property
    def host(self) -> str:
        """host:port only: never the path's query or any credentials in the URL."""
        parts = urlsplit(self.base_url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "the provider"


@dataclass(frozen=True)
class CheckResult:
    """What "test connection" found: shown to the user as is."""

    ok: bool
    summary: str
    details: tuple[str, ...] = ()


class HttpProvider:
    """Base of the providers: a lazily created pooled httpx client and JSON calls with limits."""

    what = "The provider"  # how messages name it, e.g. "The LLM server at localhost:11434"

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.redact = Redactor(endpoint.api_key, *_url_secrets(endpoint.base_url))
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    @property
    def name(self) -> str:
        return f"{self.what} at {self.endpoint.host}"

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            headers = {"Authorization": f"Bearer {self.endpoint.api_key}"} if self.endpoint.api_key else {}
            self._client = httpx.AsyncClient(
                base_url=self.endpoint.base_url.rstrip("/") + "/",
                headers=headers,
                timeout=httpx.Timeout(self.endpoint.read_timeout, connect=self.endpoint.connect_timeout),
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=32),
                follow_redirects=False,
            )
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and not self._client.is_closed:
            await self._client.aclose()
        self._client = None

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, body: Any = None) -> AsyncIterator[httpx.Response]:
        """An open response with a 2xx status; every failure becomes a ProviderError.

        Leaving the block (cancellation included) closes the response and so its connection.
        """
        try:
            async with self.client().stream(method, path.lstrip("/"), json=body) as response:
                if response.status_code >= 300:
                    raise status_error(response, await self._read_capped(response, 64_000), self.name, self.redact)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.endpoint.max_response_bytes:
                    raise self.too_big()
                yield response
        except httpx.HTTPError as exc:
            raise transport_error(exc, self.name, self.redact) from None

    async def request_json(self, method: str, path: str, *, body: Any = None) -> Any:
        """One JSON call, bounded by the request timeout and the response size limit."""
        try:
            async with asyncio.timeout(self.endpoint.request_timeout):
                async with self.stream(method, path, body=body) as response:
                    raw = await self._read_capped(response, self.endpoint.max_response_bytes, fail=True)
        except TimeoutError:
            raise self.timed_out() from None
        try:
            return json.loads(raw)
        except ValueError:
            raise ProviderError(f"{self.name} answered with malformed JSON", retryable=True) from None

    async def _read_capped(self, response: httpx.Response, limit: int, *, fail: bool = False) -> bytes:
        chunks, size = [], 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    if fail:
                        raise self.too_big()
                    break
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            if fail:
                raise transport_error(exc, self.name, self.redact) from None
        return b"".join(chunks)

    def too_big(self) -> ProviderError:
        return ProviderError(
            f"{self.name} sent more than {self.endpoint.max_response_bytes:,} bytes (GENAPP_PROVIDER_MAX_RESPONSE_BYTES)", retryable=True
        )

    def timed_out(self) -> ProviderError:
        return ProviderError(f"{self.name} took longer than {self.endpoint.request_timeout:g}s for one request", retryable=True)

    async def check_get(self, path: str, describe) -> CheckResult:
        """GET `path` once (no retries) and describe the JSON answer: what "test connection" does."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(min(self.endpoint.request_timeout, 30)):
                data = await self.request_json("GET", path)
        except (ProviderError, TimeoutError) as exc:
            return CheckResult(False, self.redact(getattr(exc, "message", "") or f"{self.name} did not answer in time"))
        elapsed = (time.perf_counter() - started) * 1000
        try:
            ok, summary, details = describe(data)
        except (TypeError, KeyError, AttributeError, ValueError):
            return CheckResult(False, f"{self.name} answered {path} in {elapsed:.0f} ms, but not in the expected shape")
        return CheckResult(ok, self.redact(f"{self.name} answered in {elapsed:.0f} ms: {summary}"), tuple(self.redact(d) for d in details))


def _url_secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    return [s for s in (parts.password, parts.username) if s]
