"""A finished job as files a person keeps: Markdown to read, JSON to reuse, and a file name for them.

No Reflex here: the pages' downloads and the HTTP API use the same functions.
"""

from __future__ import annotations

import json
import re

from genapp.generators import get_generator
from genapp.models import Job


def markdown_of(job: Job) -> str:
    if not job.content:
        return ""
    return get_generator(job.type).load(job.content).to_markdown()


def export_json(job: Job) -> str:
    return json.dumps(
        {"id": job.id, "type": job.type, "prompt": job.prompt, "seed": job.seed, "form": job.form_data.get("form", {}), "content": job.content},
        indent=2,
    )


def download_name(job: Job, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (job.title or job.type).lower()).strip("-")[:60] or job.type
    return f"{slug}.{extension}"
