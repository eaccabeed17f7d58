"""`/dashboard/settings`: which providers are configured, and a "test connection" for each.

Settings come from the environment (GENAPP_*, or a .env file) and are read at start; API keys
are only ever shown as "set" or "not set".
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import reflex as rx

from genapp.components.layout import page_header
from genapp.components.service_queue import service_queue_card
from genapp.config import settings
from genapp.jobs.runtime import get_providers
from genapp.providers import CheckResult


def _safe_url(url: str) -> str:
    """The URL without any user:password part."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _key(secret) -> str:
    return "set (hidden)" if secret.get_secret_value() else "not set"


def _max_tokens(value: int | str) -> str:
    if value == "auto":
        return "auto: what the content type needs, within the server's context"
    if value == "unset":
        return "unset: the server decides"
    return f"at most {value:,}, within the server's context"


TEXT_FACTS = (
    [
        ("Base URL", _safe_url(settings.llm_base_url)),
        ("Model", settings.llm_model or "(server default)"),
        ("API key", _key(settings.llm_api_key)),
        ("Structured output", settings.llm_structured_output),
        ("Temperature", f"{settings.llm_temperature:g}"),
        ("Max tokens per answer", _max_tokens(settings.llm_max_tokens)),
        ("Timeouts", f"connect {settings.llm_connect_timeout_seconds:g}s · silence {settings.llm_read_timeout_seconds:g}s · request {settings.llm_request_timeout_seconds:g}s"),
        ("Preselected on forms", settings.default_text_source),
    ]
    if settings.llm_base_url
    else []
)
IMAGE_FACTS = (
    [
        ("Kind", {"openai": "OpenAI images API", "a1111": "AUTOMATIC1111"}[settings.image_provider]),
        ("Base URL", _safe_url(settings.image_base_url)),
        ("API key", _key(settings.image_api_key)),
        ("Model", settings.image_model if settings.image_provider == "openai" else "(the server's loaded checkpoint)"),
        ("Size", settings.image_size + (f" · {settings.image_steps} steps" if settings.image_provider == "a1111" else "")),
        ("Timeout", f"{settings.image_timeout_seconds:g}s"),
        ("Preselected on forms", settings.default_image_source),
        ("Stored in", settings.media_dir),
    ]
    if settings.image_provider != "none" and settings.image_base_url
    else []
)
FAULT_FACTS = [
    ("Attempts per request", str(settings.provider_max_attempts)),
    ("Backoff", f"{settings.provider_backoff_seconds:g}s doubling to {settings.provider_backoff_cap_seconds:g}s, with jitter"),
    ("Longest Retry-After honoured", f"{settings.provider_max_retry_after_seconds:g}s"),
    ("Largest answer", f"text {settings.provider_max_response_bytes:,} B · image {settings.image_max_response_bytes:,} B"),
]


class SettingsState(rx.State):
    text_result: str = ""
    text_ok: bool = False
    text_details: list[str] = []
    text_testing: bool = False
    image_result: str = ""
    image_ok: bool = False
    image_details: list[str] = []
    image_testing: bool = False

    @rx.event
    async def test_text(self):
        self.text_testing, self.text_result = True, ""
        yield
        result = await _check(get_providers().text, "No LLM is configured.")
        self.text_ok, self.text_result, self.text_details, self.text_testing = result.ok, result.summary, list(result.details), False

    @rx.event
    async def test_image(self):
        self.image_testing, self.image_result = True, ""
        yield
        result = await _check(get_providers().image, "No image service is configured.")
        self.image_ok, self.image_result, self.image_details, self.image_testing = result.ok, result.summary, list(result.details), False


async def _check(provider, missing: str) -> CheckResult:
    return await provider.check() if provider is not None else CheckResult(False, missing)


def _facts(facts: list[tuple[str, str]]) -> rx.Component:
    return rx.data_list.root(*[rx.data_list.item(rx.data_list.label(k), rx.data_list.value(v)) for k, v in facts], size="2")


def _result(ok: rx.Var[bool], summary: rx.Var[str], details: rx.Var[list[str]], testid: str) -> rx.Component:
    return rx.cond(
        summary != "",
        rx.callout.root(
            rx.callout.icon(rx.cond(ok, rx.icon("circle-check"), rx.icon("triangle-alert"))),
            rx.vstack(
                rx.text(summary, size="2"),
                rx.cond(details.length() > 0, rx.text(details.join(", "), size="1", color_scheme="gray")),
                spacing="1",
            ),
            color_scheme=rx.cond(ok, "green", "red"),
            width="100%",
            custom_attrs={"data-testid": testid, "data-ok": ok.to_string()},
        ),
    )


def _provider_card(title: str, facts, empty: str, handler, testing, result: rx.Component, testid: str) -> rx.Component:
    body = (
        rx.vstack(
            _facts(facts),
            rx.button(
                rx.cond(testing, rx.spinner(size="1"), rx.icon("plug-zap", size=14)),
                "Test connection",
                on_click=handler,
                disabled=testing,
                variant="soft",
                custom_attrs={"data-testid": f"{testid}-test"},
            ),
            result,
            spacing="3",
            width="100%",
        )
        if facts
        else rx.text(empty, size="2", color_scheme="gray")
    )
    return rx.card(rx.vstack(rx.heading(title, size="4"), body, spacing="3", width="100%"), width="100%", custom_attrs={"data-testid": testid})


def settings_page() -> rx.Component:
    return rx.vstack(
        page_header("Settings", "Where generated text and pictures come from. Set these with GENAPP_* environment variables or a .env file, then restart."),
        _provider_card(
            "Text: LLM server (OpenAI-compatible)",
            TEXT_FACTS,
            "Not configured: every job uses the built-in procedural generator. Set GENAPP_LLM_BASE_URL and GENAPP_LLM_MODEL "
            "(and GENAPP_LLM_API_KEY if the server wants one) to use OpenAI, Ollama, vLLM, LM Studio or llama.cpp.",
            SettingsState.test_text,
            SettingsState.text_testing,
            _result(SettingsState.text_ok, SettingsState.text_result, SettingsState.text_details, "text-check-result"),
            "text-provider",
        ),
        _provider_card(
            "Illustrations: image service",
            IMAGE_FACTS,
            "Not configured: illustrations are procedural SVG. Set GENAPP_IMAGE_PROVIDER to openai or a1111 and GENAPP_IMAGE_BASE_URL.",
            SettingsState.test_image,
            SettingsState.image_testing,
            _result(SettingsState.image_ok, SettingsState.image_result, SettingsState.image_details, "image-check-result"),
            "image-provider",
        ),
        service_queue_card(),
        rx.card(rx.vstack(rx.heading("When a provider fails", size="4"), _facts(FAULT_FACTS), spacing="3"), width="100%"),
        rx.card(
            rx.vstack(
                rx.heading("Procedural generator", size="4"),
                rx.text("Always available, needs no network: seeded, varied content for every type, with SVG illustrations.", size="2"),
                spacing="2",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
