"""A readable preview of a JSON answer while it is still streaming.

A user watching a slow local model should see words arrive, not braces: the unfinished JSON is
read tolerantly and shown as "Label: value" lines, lists as "- item", nested objects indented.
The preview is plain text; pages show it as text, never as HTML or Markdown.
"""

from __future__ import annotations

import json

PREVIEW_CHARS = 1500  # the tail shown: the part that is growing
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "", "f": "", "n": "\n", "r": "", "t": " "}


def _label(key: str) -> str:
    return key.replace("_", " ").strip().capitalize() or key


def _read_string(text: str, i: int) -> tuple[str, int, bool]:
    """The string starting after the quote at i-1: (value, index after it, closed?)."""
    out: list[str] = []
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1, True
        if ch == "\\":
            if i + 1 >= n:
                break
            code = text[i + 1]
            if code == "u":
                digits = text[i + 2 : i + 6]
                if len(digits) < 4:
                    break
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    pass
                i += 6
                continue
            out.append(_ESCAPES.get(code, code))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out), n, False


def readable_draft(raw: str, *, limit: int = PREVIEW_CHARS) -> str:
    """The streamed JSON so far as text lines; anything before the first brace is shown as it is."""
    start = raw.find("{")
    if start < 0:
        return raw.strip()[-limit:]
    lines: list[str] = []
    stack: list[str] = []  # "{" or "["
    key: str | None = None  # the key whose value comes next, inside an object
    i, n = start, len(raw)

    def indent() -> str:
        return "  " * max(0, len(stack) - 1)

    def emit(value: str) -> None:
        nonlocal key
        if stack and stack[-1] == "[":
            lines.append(f"{indent()}- {value}")
        else:
            lines.append(f"{indent()}{_label(key or '')}: {value}")
            key = None

    while i < n:
        ch = raw[i]
        if ch == '"':
            value, i, closed = _read_string(raw, i + 1)
            if stack and stack[-1] == "{" and key is None:
                # a key, unless the text stops inside it
                if closed:
                    key = value
                continue
            emit(value)
            continue
        if ch in "{[":
            if stack and (key is not None or stack[-1] == "["):
                if stack[-1] == "[":
                    lines.append(f"{indent()}-")
                else:
                    lines.append(f"{indent()}{_label(key or '')}:")
                key = None
            stack.append(ch)
        elif ch in "}]":
            if stack:
                stack.pop()
            key = None
        elif ch in "-0123456789tfn":
            j = i
            while j < n and raw[j] not in ",}] \n\r\t":
                j += 1
            token = raw[i:j]
            try:
                emit(str(json.loads(token)) if token not in ("true", "false", "null") else {"true": "yes", "false": "no", "null": "-"}[token])
            except (ValueError, KeyError):
                pass  # a number or word still arriving
            i = j
            continue
        i += 1
    text = "\n".join(lines)
    return text if len(text) <= limit else "..." + text[-(limit - 3) :]
