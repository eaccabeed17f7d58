"""How many tokens an LLM server can give: learning its context size and sizing `max_tokens`.

A server refuses (or silently truncates) a request whose prompt plus `max_tokens` exceeds its
context, and small local servers (llama.cpp, Ollama, LM Studio) default to a few thousand tokens.
So genapp asks for what the content needs, never more than the server has room for; the size is
learned where the server tells it (llama.cpp `/props`, Ollama `/api/show`) or from the numbers in
a context-size refusal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# Characters of compact JSON per token the model spends writing it. English prose runs 3-4, but under
# json_schema a model also writes the indentation llama.cpp's grammar allows, and a small model's
# made-up words split finely: SmolLM2 measured 1.16 (character) to 3.1 (item). Asking for too many
# costs nothing (the grammar ends the answer when the JSON is complete); too few cuts it off.
OUTPUT_CHARS_PER_TOKEN = 1.15
PROMPT_CHARS_PER_TOKEN = 3.0  # prompts hold a JSON schema in some modes: denser than prose
PER_MESSAGE_TOKENS = 8  # the chat template's role markers
MARGIN_TOKENS = 32  # what the estimates may be off by
MIN_ANSWER_TOKENS = 128  # below this no content type fits: asking is pointless
OLLAMA_DEFAULT_CONTEXT = 4096  # what Ollama serves unless a model sets num_ctx

_CONTEXT_WORDS = re.compile(r"context (size|length|window)|n_ctx|maximum context|exceed_context_size|too many tokens", re.I)
_FORMAT_WORDS = re.compile(r"response_format|json_schema|json schema|schema|grammar|structured output|guided", re.I)
_NUMBER = r"(\d[\d,]*)"


def _int(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text else None


@dataclass(frozen=True)
class ContextRefusal:
    """What a context-size refusal told: the context, and how much of it the prompt took (when said)."""

    context: int | None
    prompt_tokens: int | None


def is_context_refusal(message: str) -> bool:
    return bool(_CONTEXT_WORDS.search(message))


def is_response_format_refusal(message: str) -> bool:
    """A 400/422 about the structured-output request itself, not about anything else in it."""
    return bool(_FORMAT_WORDS.search(message)) and not is_context_refusal(message)


def parse_context_refusal(message: str, fields: dict[str, Any], sent_max_tokens: int | None) -> ContextRefusal:
    """Numbers from the servers' own words (and llama.cpp's JSON fields, when present).

    llama.cpp (new): "request (4231 tokens) exceeds the available context size (4096 tokens)" with
    n_prompt_tokens / n_ctx fields; the number is the prompt. llama.cpp (older builds) says the same
    without the fields, counting the prompt plus the `max_tokens` asked for. OpenAI and vLLM: "This
    model's maximum context length is 4096 tokens. However, you requested 4759 tokens (663 in the
    messages, 4096 in the completion)" or "... your request has 663 input tokens".
    """
    context = fields.get("n_ctx") if isinstance(fields.get("n_ctx"), int) else None
    prompt = fields.get("n_prompt_tokens") if isinstance(fields.get("n_prompt_tokens"), int) else None
    if context is None:
        found = re.search(rf"context (?:size|length|window)(?: is| of)?(?: only)? \(?{_NUMBER}", message, re.I)
        context = _int(found.group(1)) if found else None
    if prompt is None:
        found = re.search(rf"{_NUMBER} in the messages|has {_NUMBER} input tokens|prompt \(?{_NUMBER} tokens", message, re.I)
        if found:
            prompt = _int(next(g for g in found.groups() if g))
        elif found := re.search(rf"request \({_NUMBER} tokens\)", message, re.I):
            # Older llama.cpp counts the max_tokens asked for in the request; newer ones send n_prompt_tokens.
            requested = _int(found.group(1))
            prompt = requested - sent_max_tokens if sent_max_tokens and requested > sent_max_tokens else requested
    return ContextRefusal(context=context, prompt_tokens=prompt)


def estimate_prompt_tokens(messages: list[dict[str, str]]) -> int:
    return sum(math.ceil(len(m.get("content", "")) / PROMPT_CHARS_PER_TOKEN) + PER_MESSAGE_TOKENS for m in messages)


def answer_tokens(max_chars: int) -> int:
    """Tokens to ask for an answer of at most `max_chars` characters of JSON."""
    return math.ceil(max_chars / OUTPUT_CHARS_PER_TOKEN) + MARGIN_TOKENS


def room_for_answer(context: int | None, prompt_tokens: int) -> int | None:
    """Tokens left for the answer in a context of that size, or None when the size is unknown."""
    if context is None:
        return None
    return context - prompt_tokens - MARGIN_TOKENS


def context_from_llamacpp_props(data: Any) -> int | None:
    """llama.cpp's GET /props: the context one request slot has."""
    if not isinstance(data, dict):
        return None
    for holder in (data.get("default_generation_settings"), data):
        if isinstance(holder, dict) and isinstance(holder.get("n_ctx"), int) and holder["n_ctx"] > 0:
            return holder["n_ctx"]
    return None


def context_from_ollama_show(data: Any) -> int | None:
    """Ollama's POST /api/show: num_ctx when the model sets it, else Ollama's default, capped by the model."""
    if not isinstance(data, dict):
        return None
    params = data.get("parameters")
    if isinstance(params, str) and (found := re.search(r"^\s*num_ctx\s+(\d+)", params, re.M)):
        return int(found.group(1))
    trained = [v for k, v in (data.get("model_info") or {}).items() if k.endswith(".context_length") and isinstance(v, int)]
    if not trained and "model_info" not in data:
        return None
    return min([OLLAMA_DEFAULT_CONTEXT, *trained])
