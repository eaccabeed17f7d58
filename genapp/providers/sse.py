"""Reading an OpenAI-style server-sent-events stream of chat completion chunks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from genapp.providers.errors import ProviderError


@dataclass(frozen=True, slots=True)
class Delta:
    text: str
    finish_reason: str | None = None


async def chat_deltas(response: httpx.Response, *, what: str, max_bytes: int) -> AsyncIterator[Delta]:
    """Yield each chunk's text as it arrives; raise a retryable ProviderError on a malformed or short stream.

    A stream is complete only with `data: [DONE]` or a finish_reason: ending without either means the
    connection was cut.
    """
    size = 0
    buffer = b""
    data_lines: list[str] = []
    finished = False
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ProviderError(f"{what} sent more than {max_bytes:,} bytes (GENAPP_PROVIDER_MAX_RESPONSE_BYTES)", retryable=True)
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line:
                if line.startswith("data:"):
                    data_lines.append(line[5:].removeprefix(" "))
                elif not line.startswith((":", "event:", "id:", "retry:")):
                    raise ProviderError(f"{what} sent a malformed event stream", retryable=True)
                continue
            if not data_lines:
                continue  # a blank line with no event before it
            data, data_lines = "\n".join(data_lines), []
            if data.strip() == "[DONE]":
                return
            delta = _parse_chunk(data, what)
            if delta.finish_reason:
                finished = True
            if delta.text or delta.finish_reason:
                yield delta
    if not finished:
        raise ProviderError(f"{what} ended the stream before the answer was complete", retryable=True)


def _parse_chunk(data: str, what: str) -> Delta:
    try:
        event = json.loads(data)
    except ValueError:
        raise ProviderError(f"{what} sent malformed JSON in its event stream", retryable=True) from None
    if not isinstance(event, dict):
        raise ProviderError(f"{what} sent an unexpected event in its stream", retryable=True)
    if "error" in event:  # vLLM, Ollama and others report failures mid-stream this way
        error = event["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise ProviderError(f"{what} reported an error mid-stream: {str(message)[:300]}", retryable=True)
    choices = event.get("choices") or []
    if not choices:
        return Delta("")  # e.g. a final usage-only chunk
    choice = choices[0] if isinstance(choices[0], dict) else {}
    delta = choice.get("delta") or {}
    text = delta.get("content") if isinstance(delta, dict) else None
    return Delta(text if isinstance(text, str) else "", choice.get("finish_reason"))
