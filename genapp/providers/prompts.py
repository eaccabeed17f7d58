"""What genapp asks an LLM: the messages for one piece of content, and a repair request."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

SYSTEM = (
    "You are a creative assistant for tabletop role-playing game masters. You write vivid, specific, "
    "playable content in English. You answer with exactly one JSON object that matches the JSON schema "
    "you are given: every field filled with real content, no placeholders, no prose before or after it, "
    "no Markdown fences."
)


def schema_block(schema: dict[str, Any]) -> str:
    """The schema inside a fenced block, for servers that cannot enforce it (and for the model to read)."""
    return "Answer with JSON matching this schema:\n```json-schema\n" + json.dumps(schema, separators=(",", ":")) + "\n```"


def describe_form(form: BaseModel) -> str:
    """The form's settings in words; "any" means the model chooses."""
    lines = []
    for name, info in type(form).model_fields.items():
        value = getattr(form, name)
        label = info.title or name.replace("_", " ").capitalize()
        lines.append(f"- {label}: {'your choice' if value in ('any', None, '') else value}")
    return "\n".join(lines)


def content_messages(*, label: str, prompt: str, form: BaseModel | None, seed: int, extra: str = "") -> list[dict[str, str]]:
    """System and user messages asking for one piece of content of type `label`."""
    parts = [f"Create one {label}."]
    parts.append(f"The game master asks for: {prompt}" if prompt else "The game master leaves the idea to you: surprise them.")
    if form is not None and type(form).model_fields:
        parts.append("Settings:\n" + describe_form(form))
    if extra:
        parts.append(extra)
    parts.append(f"(Variation {seed}.)")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def repair_messages(messages: list[dict[str, str]], answer: str, problem: str) -> list[dict[str, str]]:
    """The conversation so far plus the invalid answer and what is wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": answer[:20_000]},
        {
            "role": "user",
            "content": f"That answer cannot be used: {problem}. Reply with the corrected JSON object only, "
            "matching the schema exactly.",
        },
    ]
