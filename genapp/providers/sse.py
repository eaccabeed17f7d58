"""Reading an OpenAI-style server-sent-events stream of chat completion chunks.

Called once per streamed token, so it works on bytes and hands each piece of text to a plain
callback rather than yielding it: the per-event cost is what the provider path adds to a stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from genapp.providers.errors import ProviderError

_FIELD_PREFIXES = (b":", b"event:", b"id:", b"retry:")


async def read_chat_stream(response: httpx.Response, *, what: str, max_bytes: int, on_text: Callable[[str], None]) -> str:
    """Pass each chunk's text to `on_text` as it arrives; return the finish reason.

    Raises a retryable ProviderError on a malformed or short stream: a stream is complete only with
    `data: [DONE]` or a finish_reason, and ending without either means the connection was cut.
    """
    size = 0
    pending = b""  # an incomplete line carried over to the next network chunk
    data: list[bytes] = []  # the data lines of the event being read
    finish = ""
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ProviderError(f"{what} sent more than {max_bytes:,} bytes (GENAPP_PROVIDER_MAX_RESPONSE_BYTES)", retryable=True)
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if line:
                if line.startswith(b"data:"):
                    data.append(line[6:] if line[5:6] == b" " else line[5:])
                elif not line.startswith(_FIELD_PREFIXES):
                    raise ProviderError(f"{what} sent a malformed event stream", retryable=True)
                continue
            if not data:
                continue  # a blank line with no event before it
            payload = data[0] if len(data) == 1 else b"\n".join(data)
            data = []
            if payload.strip() == b"[DONE]":
                return finish or "stop"
            text, reason = _parse_event(payload, what)
            if text:
                on_text(text)
            if reason:
                finish = reason
    if not finish:
        raise ProviderError(f"{what} ended the stream before the answer was complete", retryable=True)
    return finish


def _parse_event(payload: bytes, what: str) -> tuple[str, str | None]:
    """(text, finish_reason) of one chunk event."""
    try:
        event = json.loads(payload)
    except ValueError:
        raise ProviderError(f"{what} sent malformed JSON in its event stream", retryable=True) from None
    try:
        choice = event["choices"][0]
        text = choice["delta"].get("content") or ""
        return (text if isinstance(text, str) else ""), choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    if not isinstance(event, dict):
        raise ProviderError(f"{what} sent an unexpected event in its stream", retryable=True)
    if "error" in event:  # vLLM, Ollama and others report failures mid-stream this way
        error = event["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise ProviderError(f"{what} reported an error mid-stream: {str(message)[:300]}", retryable=True)
    return "", None  # e.g. a final usage-only chunk with no choices
