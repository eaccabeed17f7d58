"""Free tags on a job: short, lower-case words a user files results under."""

from __future__ import annotations

from collections.abc import Iterable

MAX_TAG_CHARS = 32
MAX_TAGS = 20


class TagError(ValueError):
    """Tags that cannot be kept; the message says why, for the user."""


def normalise_tags(raw: Iterable[str]) -> list[str]:
    """Trimmed, inner spaces collapsed, lower-cased, empties and repeats dropped (first order kept).

    Too long a tag or too many are refused, not cut: a silently shortened tag would not be the one typed.
    """
    tags: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise TagError("A tag is text.")
        tag = " ".join(item.split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise TagError(f"A tag has at most {MAX_TAG_CHARS} characters: {tag[:MAX_TAG_CHARS]}...")
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise TagError(f"A job has at most {MAX_TAGS} tags.")
    return tags


def parse_tags(text: str) -> list[str]:
    """Tags typed in one box, separated by commas."""
    return normalise_tags(text.split(","))
