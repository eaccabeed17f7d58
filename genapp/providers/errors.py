"""What can go wrong talking to a provider, phrased for the user, with secrets removed."""

from __future__ import annotations

import json
import re

import httpx


class ProviderError(Exception):
    """A provider request failed. `message` is safe to show: it never holds an API key.

    `retryable` faults (timeouts, cut streams, 429, 5xx...) are tried again with backoff within the
    request; the rest (a refused key, a bad model name) fail the attempt at once.
    `transient` says whether the whole job may succeed if run again later (genapp/jobs/retries.py):
    it defaults to `retryable`, and stays true once a transient fault has used up the request's own
    tries ("gave up after 4 attempts": the server may be back in a minute). Permanent faults (HTTP
    400/401/403/404/422, an answer that stays invalid after its repair, no provider configured) are
    never retried by the job either.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        fields: dict[str, int] | None = None,
        transient: bool | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.transient = retryable if transient is None else transient
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the server answered with one
        self.fields = fields or {}  # numbers the server's error object carried (llama.cpp: n_ctx, n_prompt_tokens)

    def redacted(self, redact: Redactor) -> ProviderError:
        clean = redact(self.message)
        if clean != self.message:
            self.message = clean
            self.args = (clean,)
        return self


class Redactor:
    """Removes API keys (and anything shaped like a bearer token) from text before it is shown or logged."""

    _BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',}]+")

    def __init__(self, *secrets: str):
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return self._BEARER.sub(r"\1[redacted]", text)


def server_message(body: bytes, redact: Redactor, limit: int = 300) -> str:
    """The human part of an error body: OpenAI's error.message, A1111's detail, or the start of the text."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            text = str(error["message"])
        elif isinstance(error, str):
            text = error
        elif data.get("detail"):
            text = str(data["detail"])
        elif data.get("message"):
            text = str(data["message"])
    text = " ".join(redact(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_numbers(body: bytes) -> dict[str, int]:
    """The integer fields of an OpenAI-style error object ({"error": {...}}), e.g. llama.cpp's n_ctx."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(error, dict):
        return {}
    return {k: v for k, v in error.items() if isinstance(v, int) and not isinstance(v, bool)}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    from datetime import datetime, timezone

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def status_error(response: httpx.Response, body: bytes, what: str, redact: Redactor) -> ProviderError:
    """A non-2xx answer as a ProviderError: 429 and 5xx are retryable, other 4xx are not."""
    code = response.status_code
    detail = server_message(body, redact)
    said = f": {detail}" if detail else ""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if code == 429:
        return ProviderError(f"{what} is rate limited (HTTP 429){said}", retryable=True, retry_after=retry_after, status=code)
    if code >= 500:
        return ProviderError(f"{what} had a server error (HTTP {code}){said}", retryable=True, retry_after=retry_after, status=code)
    if code in (401, 403):
        return ProviderError(f"{what} refused the API key (HTTP {code}){said}", status=code)
    if code == 404:
        return ProviderError(f"{what} answered 404 Not Found: check the base URL and model name{said}", status=code)
    return ProviderError(f"{what} rejected the request (HTTP {code}){said}", status=code, fields=error_numbers(body))


def transport_error(exc: httpx.HTTPError, what: str, redact: Redactor) -> ProviderError:
    """A network-level failure as a retryable ProviderError with a plain-words message."""
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"{what} did not accept a connection in time"
    elif isinstance(exc, httpx.ConnectError):
        message = f"Could not connect to {what} (connection refused or host unreachable)"
    elif isinstance(exc, httpx.ReadTimeout):
        message = f"{what} went silent (read timeout)"
    elif isinstance(exc, httpx.PoolTimeout):
        message = f"No free connection to {what} in time"
    elif isinstance(exc, httpx.TimeoutException):
        message = f"{what} timed out"
    elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        message = f"{what} closed the connection mid-response"
    else:
        message = f"{what} request failed: {redact(type(exc).__name__)}"
    return ProviderError(message, retryable=True)
