"""Turning a finished job row into what a page shows: readable Markdown, an image URL, timings."""

from __future__ import annotations

import base64
import json
from typing import Any

from pydantic import BaseModel

import reflex as rx

from genapp.exports import download_name, export_json, markdown_of  # noqa: F401  (pages import them from here)
from genapp.jobs.requests import sources_of
from genapp.media import REF_PREFIX, URL_PATH, is_media_ref
from genapp.models import Job


class ResultView(BaseModel):
    id: str = ""
    type: str = ""
    title: str = ""
    status: str = ""
    markdown: str = ""
    image_url: str = ""
    prompt: str = ""
    error: str = ""
    created: str = ""
    started: str = ""
    finished: str = ""
    duration: str = ""
    attempt: int = 1
    attempts: list[dict[str, Any]] = []
    seed: int = 0
    form_json: str = ""
    sources: str = ""


def image_url(image: str | None) -> str:
    if not image:
        return ""
    if is_media_ref(image):  # a file from an image provider, served by the backend
        return f"{rx.config.get_config().api_url.rstrip('/')}{URL_PATH}/{image.removeprefix(REF_PREFIX)}"
    if image.lstrip().startswith("<"):
        return "data:image/svg+xml;base64," + base64.b64encode(image.encode()).decode()
    return image  # already a URL


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def result_view(job: Job) -> ResultView:
    duration = ""
    if job.started_at and job.finished_at:
        duration = f"{(job.finished_at - job.started_at).total_seconds():.1f}s"
    return ResultView(
        id=job.id,
        type=job.type,
        title=job.title,
        status=job.status,
        markdown=markdown_of(job),
        image_url=image_url(job.image),
        prompt=job.prompt,
        error=job.error or "",
        created=_when(job.created_at),
        started=_when(job.started_at),
        finished=_when(job.finished_at),
        duration=duration,
        attempt=job.attempt,
        attempts=[{k: ("" if v is None else str(v)) for k, v in a.items()} for a in job.attempts],
        seed=job.seed,
        form_json=json.dumps(job.form_data.get("form", {}), indent=2),
        sources=describe_sources(job),
    )


def describe_sources(job: Job) -> str:
    sources = sources_of(job.form_data)
    text = "LLM" if sources.text == "llm" else "procedural"
    picture = "none" if job.skip_image else ("image service" if sources.image == "api" else "procedural SVG")
    return f"Text: {text} · Illustration: {picture}"
