"""Real generation providers over HTTP: OpenAI-compatible text, OpenAI images, AUTOMATIC1111.

Pure of Reflex and the database, like the generators: the engine hands them a generator, a
prompt, a form, a seed and a reporter, and gets typed content or image bytes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from genapp.providers.errors import ProviderError
from genapp.providers.http import CheckResult, Endpoint
from genapp.providers.images import A1111ImageProvider, ImageOptions, ImageProvider, OpenAIImageProvider, Picture, image_prompt
from genapp.providers.retry import RetryPolicy
from genapp.providers.text import OpenAITextProvider, TextOptions

if TYPE_CHECKING:
    from genapp.config import Settings

# Where a job's text and picture come from, as chosen on the form.
TEXT_SOURCES = ("procedural", "llm")
IMAGE_SOURCES = ("procedural", "api")


@dataclass
class Providers:
    """The configured providers of this process; None where nothing is configured."""

    text: OpenAITextProvider | None = None
    image: ImageProvider | None = None

    async def aclose(self) -> None:
        for provider in (self.text, self.image):
            if provider is not None:
                await provider.aclose()


def providers_from_settings(settings: Settings) -> Providers:
    retry = RetryPolicy(
        max_attempts=settings.provider_max_attempts,
        backoff=settings.provider_backoff_seconds,
        backoff_cap=settings.provider_backoff_cap_seconds,
        max_retry_after=settings.provider_max_retry_after_seconds,
    )

    def endpoint(base_url: str, key, *, read: float, request: float, max_bytes: int) -> Endpoint:
        return Endpoint(
            base_url=base_url,
            api_key=key.get_secret_value(),
            connect_timeout=settings.llm_connect_timeout_seconds,
            read_timeout=read,
            request_timeout=request,
            max_response_bytes=max_bytes,
            retry=retry,
        )

    providers = Providers()
    if settings.llm_base_url:
        providers.text = OpenAITextProvider(
            endpoint(
                settings.llm_base_url,
                settings.llm_api_key,
                read=settings.llm_read_timeout_seconds,
                request=settings.llm_request_timeout_seconds,
                max_bytes=settings.provider_max_response_bytes,
            ),
            TextOptions(
                model=settings.llm_model or "default",
                structured_output=settings.llm_structured_output,
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
            ),
        )
    if settings.image_provider != "none" and settings.image_base_url:
        kind = OpenAIImageProvider if settings.image_provider == "openai" else A1111ImageProvider
        providers.image = kind(
            endpoint(
                settings.image_base_url,
                settings.image_api_key,
                read=settings.image_timeout_seconds,
                request=settings.image_timeout_seconds,
                max_bytes=settings.image_max_response_bytes,
            ),
            ImageOptions(model=settings.image_model, size=settings.image_size, steps=settings.image_steps),
        )
    return providers

__all__ = [
    "IMAGE_SOURCES",
    "TEXT_SOURCES",
    "A1111ImageProvider",
    "CheckResult",
    "Endpoint",
    "ImageOptions",
    "ImageProvider",
    "OpenAIImageProvider",
    "OpenAITextProvider",
    "Picture",
    "ProviderError",
    "Providers",
    "RetryPolicy",
    "TextOptions",
    "image_prompt",
    "providers_from_settings",
]
