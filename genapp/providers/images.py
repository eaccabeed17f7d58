"""Illustrations from an image service: the OpenAI images API or an AUTOMATIC1111 server.

Both return image bytes (PNG, JPEG or WebP, checked); the engine stores them as a file.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from dataclasses import dataclass
from typing import Any

from genapp.generators import Content, Reporter
from genapp.providers.errors import ProviderError
from genapp.providers.http import CheckResult, Endpoint, HttpProvider
from genapp.providers.retry import with_retries

# Fields that describe how a thing looks or feels, in the order they make the best picture prompt.
_DESCRIPTIVE_FIELDS = ("appearance", "read_aloud", "summary", "premise", "hook", "shape", "setup", "history", "location")
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}


@dataclass(frozen=True)
class ImageOptions:
    model: str = "dall-e-3"
    size: str = "1024x1024"
    steps: int = 25


@dataclass(frozen=True)
class Picture:
    data: bytes
    extension: str  # png, jpg or webp


def image_prompt(content: Content, label: str) -> str:
    """A picture prompt built from the generated content itself."""
    described = [str(getattr(content, f)) for f in _DESCRIPTIVE_FIELDS if isinstance(getattr(content, f, None), str)][:2]
    text = f"{label} illustration for a fantasy tabletop role-playing game: {content.title()}. " + " ".join(described)
    text = " ".join(text.split())
    return (text[:900] + ". Painterly, detailed, dramatic light, no text or lettering.").replace("..", ".")


def decode_picture(b64: Any, what: str) -> Picture:
    if not isinstance(b64, str) or not b64:
        raise ProviderError(f"{what} answered without image data", retryable=True)
    try:
        data = base64.b64decode(b64.split(",", 1)[-1], validate=True)  # A1111 may send a data: URL prefix
    except (binascii.Error, ValueError):
        raise ProviderError(f"{what} sent image data that is not valid base64", retryable=True) from None
    for signature, extension in _SIGNATURES.items():
        if data.startswith(signature):
            return Picture(data, extension)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Picture(data, "webp")
    raise ProviderError(f"{what} sent data that is not a PNG, JPEG or WebP image", retryable=True)


class ImageProvider(HttpProvider):
    what = "The image server"
    kind_label = ""  # e.g. "AUTOMATIC1111"

    def __init__(self, endpoint: Endpoint, options: ImageOptions):
        super().__init__(endpoint)
        self.options = options

    @property
    def label(self) -> str:
        return f"{self.kind_label} at {self.endpoint.host}"

    async def paint(self, prompt: str, seed: int, reporter: Reporter) -> Picture:
        """One picture for `prompt`, retried on transient faults; progress 0-100 on `reporter`."""

        def on_retry(attempt: int, allowed: int, error: ProviderError, wait: float) -> None:
            reporter.report(0, "Retrying", f"{error.message}; attempt {attempt + 1} of {allowed} in {wait:.1f}s")

        async def attempt(_: int) -> Picture:
            reporter.report(0, "Painting", self.label)
            try:
                return await self._paint_once(prompt, seed, reporter)
            except ProviderError as error:
                raise error.redacted(self.redact)

        picture = await with_retries(attempt, self.endpoint.retry, on_retry=on_retry)
        reporter.report(100, "Image ready")
        return picture

    async def _paint_once(self, prompt: str, seed: int, reporter: Reporter) -> Picture:
        raise NotImplementedError


class OpenAIImageProvider(ImageProvider):
    kind_label = "OpenAI images API"

    async def _paint_once(self, prompt: str, seed: int, reporter: Reporter) -> Picture:
        body: dict[str, Any] = {"model": self.options.model, "prompt": prompt, "n": 1, "size": self.options.size}
        if not self.options.model.startswith("gpt-image"):  # gpt-image models always answer b64 and refuse the field
            body["response_format"] = "b64_json"
        data = await self.request_json("POST", "images/generations", body=body)
        try:
            item = data["data"][0]
        except (KeyError, IndexError, TypeError):
            raise ProviderError(f"{self.name} answered without an image", retryable=True) from None
        return decode_picture(item.get("b64_json") if isinstance(item, dict) else None, self.name)

    async def check(self) -> CheckResult:
        def describe(data: dict[str, Any]):
            ids = [str(m["id"]) for m in data["data"]]
            listed = self.options.model in ids
            note = f"; {self.options.model!r} is available" if listed else f"; {self.options.model!r} is NOT among them"
            return listed or not ids, f"{len(ids)} model(s){note}", tuple(ids[:20])

        return await self.check_get("models", describe)


class A1111ImageProvider(ImageProvider):
    kind_label = "AUTOMATIC1111"

    async def _paint_once(self, prompt: str, seed: int, reporter: Reporter) -> Picture:
        width, height = (int(v) for v in self.options.size.split("x"))
        body = {
            "prompt": prompt,
            "negative_prompt": "text, letters, watermark, signature, blurry, deformed",
            "steps": self.options.steps,
            "width": width,
            "height": height,
            "seed": seed % 2**32,
        }
        poller = asyncio.create_task(self._poll_progress(reporter))
        try:
            data = await self.request_json("POST", "sdapi/v1/txt2img", body=body)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        images = data.get("images") if isinstance(data, dict) else None
        return decode_picture(images[0] if images else None, self.name)

    async def _poll_progress(self, reporter: Reporter) -> None:
        """A1111 reports its own progress: show it while the picture is painted (best effort)."""
        while True:
            await asyncio.sleep(1.0)
            try:
                state = await self.request_json("GET", "sdapi/v1/progress?skip_current_image=true")
                fraction = float(state.get("progress") or 0)
            except (ProviderError, TypeError, ValueError, AttributeError):
                continue
            if 0 < fraction < 1:
                reporter.report(fraction * 99, "Painting", self.label)

    async def check(self) -> CheckResult:
        def describe(data: list[dict[str, Any]]):
            names = [str(m.get("model_name") or m.get("title")) for m in data]
            return bool(names), f"{len(names)} checkpoint(s)", tuple(names[:20])

        return await self.check_get("sdapi/v1/sd-models", describe)
