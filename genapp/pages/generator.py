"""`/dashboard/<type>`: the form, the live job, and the latest result or error of one content type.

What the original's `useGeneration` hook gave each page: the current job (from the shared store),
the latest result and latest error (reloaded whenever a job of the user finishes), start, retry,
and on-complete / on-error behaviour (a toast, and the result panel refreshing in place).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from genapp.components.draft import job_draft
from genapp.components.watch import on_change
from genapp.components.form_fields import field_error, form_field
from genapp.components.job_row import job_row
from genapp.components.layout import page_header
from genapp.components.result_card import result_card
from genapp.config import settings
from genapp.generators import ContentType, Generator
from genapp.jobs.batches import MAX_VARIATIONS, parse_variations, seed_given, variations, variations_label
from genapp.jobs.requests import JobRequestError, build_request
from genapp.jobs.errors import LimitReached
from genapp.jobs.runtime import get_providers, get_service
from genapp.jobs.status import ACTIVE_VALUES
from genapp.models import Job
from genapp.providers import providers_from_settings
from genapp.state.results import ResultView, download_name, export_json, markdown_of, result_view
from genapp.state.session import JobActions, UserSession, last_path_segment, refused
from genapp.state.user_jobs import UserJobs

TYPE_BLURBS = {
    "character": "A player character or rival adventurer with stats, gear and a past.",
    "npc": "A memorable non-player character: role, wants, secrets and a voice.",
    "item": "Loot with history: weapons, armour, trinkets and cursed things.",
    "quest": "A hook, objectives, complications, rewards and the people involved.",
    "encounter": "A balanced fight or set piece for your party's level and size.",
    "world": "A region with geography, cultures, factions, history and rumours.",
    "campaign": "A whole campaign: premise and acts built from a world, NPCs, quests and encounters.",
}


# What this process can use, read once: the forms offer these sources.
_CONFIGURED = providers_from_settings(settings)
TEXT_CHOICES = {"procedural": "Procedural (built in)"} | ({"llm": f"LLM: {_CONFIGURED.text.label}"} if _CONFIGURED.text else {})
IMAGE_CHOICES = {"procedural": "Procedural SVG"} | ({"api": f"{_CONFIGURED.image.label}"} if _CONFIGURED.image else {})
DEFAULT_TEXT = "llm" if "llm" in TEXT_CHOICES and settings.default_text_source != "procedural" else "procedural"
DEFAULT_IMAGE = "api" if "api" in IMAGE_CHOICES and settings.default_image_source != "procedural" else "procedural"


def _is_checked(value: Any) -> bool:
    return value in (True, "on", "true", "True", "1", 1)


class GeneratorState(rx.State):
    errors: dict[str, str] = {}
    latest: ResultView = ResultView()
    latest_error: ResultView = ResultView()

    async def _owner(self) -> str:
        return await (await self.get_state(UserSession))._owner()

    _job_type: str = ""  # this page's type, from its load (see JobDetailState on why not from each event)
    _seen_revision: int = -1

    @rx.event
    async def reload(self):
        """On load: the newest result and, if newer, the newest failure of the type the route names."""
        job_type = last_path_segment(self)
        if job_type in {t.value for t in ContentType}:
            await self._show(job_type)

    @rx.event
    async def refresh(self):
        """A job of the user changed: the newest result of this page's type again."""
        if self._job_type and (await self.get_state(UserJobs)).revision != self._seen_revision:
            await self._show(self._job_type)

    async def _show(self, job_type: str) -> None:
        self._job_type = job_type
        self._seen_revision = (await self.get_state(UserJobs)).revision
        owner = await self._owner()
        service = get_service()
        done = await service.list(owner=owner, statuses=["complete"], job_type=job_type, limit=1)
        last = await service.list(owner=owner, job_type=job_type, limit=5)
        self.latest = result_view(done[0]) if done else ResultView()
        failed = next((j for j in last if j.status not in ACTIVE_VALUES), None)
        self.latest_error = result_view(failed) if failed is not None and failed.status == "error" else ResultView()

    @rx.event
    async def generate(self, form_data: dict[str, Any]):
        data = dict(form_data)
        prompt = data.pop("prompt", "")
        skip_image = _is_checked(data.pop("skip_image", False))
        seed = data.pop("seed", None)
        text_source, image_source = data.pop("text_source", "procedural"), data.pop("image_source", "procedural")
        errors: dict[str, str] = {}
        count = 1
        try:
            count = parse_variations(data.pop("variations", "1"))
        except JobRequestError as exc:
            errors.update(exc.errors)
        providers = get_providers()
        try:
            request = build_request(
                job_type=last_path_segment(self),
                prompt=prompt,
                form=data,
                skip_image=skip_image,
                seed=seed,
                max_prompt_chars=settings.max_prompt_chars,
                text_source=text_source,
                image_source=image_source,
                llm_configured=providers.text is not None,
                image_api_configured=providers.image is not None,
            )
        except JobRequestError as exc:
            errors.update(exc.errors)
        self.errors = errors
        if errors:
            return
        try:
            if count == 1:
                await get_service().submit(owner=await self._owner(), request=request)
            else:  # one batch: the same inputs, N seeds (base + i when the user fixed one)
                await get_service().submit_batch(
                    owner=await self._owner(), requests=variations(request, count, seed_fixed=seed_given(seed)),
                    label=variations_label(request, count),
                )
        except LimitReached as exc:
            return refused(exc)

    async def _latest_job(self) -> Job | None:
        if not self.latest.id:
            return None
        return await get_service().get(owner=await self._owner(), job_id=self.latest.id)

    @rx.event
    async def download_markdown(self):
        if job := await self._latest_job():
            return rx.download(data=markdown_of(job), filename=download_name(job, "md"))

    @rx.event
    async def download_json(self):
        if job := await self._latest_job():
            return rx.download(data=export_json(job), filename=download_name(job, "json"))


def _current_jobs(job_type: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(UserJobs.active, lambda job: rx.cond(job.type == job_type, rx.fragment(job_row(job), job_draft(job.id), key=job.id))),
        width="100%",
        spacing="2",
        custom_attrs={"data-testid": "current-jobs"},
    )


def _form(generator: Generator) -> rx.Component:
    fields = [form_field(name, info, GeneratorState.errors) for name, info in generator.form_model.model_fields.items()]
    return rx.form(
        rx.vstack(
            rx.text("Describe what you want", size="2", weight="medium"),
            rx.text_area(
                name="prompt",
                placeholder=f"e.g. {EXAMPLES[generator.type.value]}",
                rows="3",
                width="100%",
                custom_attrs={"data-testid": "prompt-input"},
            ),
            field_error(GeneratorState.errors, "prompt"),
            rx.flex(*fields, gap="12px", wrap="wrap", width="100%"),
            _sources(),
            rx.hstack(
                rx.vstack(
                    rx.text("Seed", size="2", weight="medium"),
                    rx.input(name="seed", type="number", placeholder="random", width="140px", custom_attrs={"data-testid": "field-seed"}),
                    field_error(GeneratorState.errors, "seed"),
                    spacing="1",
                ),
                rx.spacer(),
                rx.text(
                    rx.hstack(
                        rx.checkbox(name="skip_image", custom_attrs={"data-testid": "skip-image"}),
                        rx.text("Skip illustration", size="2"),
                        spacing="2",
                        align="center",
                    ),
                    as_="label",
                ),
                rx.vstack(
                    rx.text("Variations", size="2", weight="medium"),
                    rx.input(
                        name="variations", type="number", default_value="1", min="1", max=str(MAX_VARIATIONS), width="90px",
                        custom_attrs={"data-testid": "field-variations", "title": f"1 to {MAX_VARIATIONS}: more than one makes a batch, each with its own seed"},
                    ),
                    field_error(GeneratorState.errors, "variations"),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("sparkles", size=16),
                    f"Generate {generator.noun}",
                    type="submit",
                    size="3",
                    custom_attrs={"data-testid": "generate-button"},
                ),
                align="end",
                width="100%",
                spacing="4",
                wrap="wrap",  # beside the tile rail the column can be narrow: the button drops a line, never clipped
            ),
            rx.cond(GeneratorState.errors.contains("type"), field_error(GeneratorState.errors, "type")),
            spacing="3",
            width="100%",
        ),
        on_submit=GeneratorState.generate,
        reset_on_submit=False,
        no_validate=True,
        width="100%",
    )


def _source_select(name: str, label: str, choices: dict[str, str], default: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(min_width="220px", custom_attrs={"data-testid": f"field-{name}"}),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in choices.items()]),
            name=name,
            default_value=default,
        ),
        field_error(GeneratorState.errors, name),
        spacing="1",
    )


def _sources() -> rx.Component:
    """Where the text and the picture come from; a link to Settings while only procedural is available."""
    hint = rx.fragment()
    if len(TEXT_CHOICES) == 1 or len(IMAGE_CHOICES) == 1:
        hint = rx.link("Connect an LLM or image service in Settings", href="/dashboard/settings", size="1", align_self="end", padding_bottom="8px")
    return rx.flex(
        _source_select("text_source", "Text from", TEXT_CHOICES, DEFAULT_TEXT),
        _source_select("image_source", "Illustration from", IMAGE_CHOICES, DEFAULT_IMAGE),
        hint,
        gap="12px",
        wrap="wrap",
        width="100%",
        custom_attrs={"data-testid": "source-choice"},
    )


EXAMPLES = {
    "character": "a grumpy dwarven blacksmith who became a cleric",
    "npc": "a nervous elven innkeeper hiding a smuggler's secret",
    "item": "a cursed flaming sword from a drowned kingdom",
    "quest": "rescue a kidnapped heir from a haunted abbey",
    "encounter": "a haunted swamp ambush at dusk",
    "world": "a frozen archipelago ruled by rival witch-queens",
    "campaign": "a war between sky cities over a dying star",
}


def _result_panel() -> rx.Component:
    return rx.cond(
        GeneratorState.latest.id != "",
        rx.box(
            rx.hstack(
                rx.heading("Latest result", size="4"),
                rx.spacer(),
                rx.text(GeneratorState.latest.finished, size="1", color_scheme="gray"),
                align="center",
                margin_bottom="8px",
            ),
            result_card(
                GeneratorState.latest,
                rx.button(rx.icon("file-text", size=14), "Markdown", variant="soft", on_click=GeneratorState.download_markdown, custom_attrs={"data-testid": "download-markdown"}),
                rx.button(rx.icon("braces", size=14), "JSON", variant="soft", on_click=GeneratorState.download_json, custom_attrs={"data-testid": "download-json"}),
                rx.link(rx.button(rx.icon("external-link", size=14), "Open job", variant="ghost"), href=f"/dashboard/jobs/{GeneratorState.latest.id}"),
            ),
            width="100%",
            custom_attrs={"data-testid": "result-panel", "data-job-id": GeneratorState.latest.id},
        ),
        rx.callout("No result yet: fill in the form and press Generate.", icon="info", color_scheme="gray", width="100%"),
    )


def _error_panel() -> rx.Component:
    return rx.cond(
        GeneratorState.latest_error.id != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(
                rx.text("The last generation failed: ", rx.text.strong(GeneratorState.latest_error.error)),
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Retry with the same settings",
                    size="1",
                    on_click=JobActions.retry(GeneratorState.latest_error.id),
                    custom_attrs={"data-testid": "error-retry"},
                ),
                spacing="2",
            ),
            color_scheme="red",
            width="100%",
            custom_attrs={"data-testid": "error-panel", "data-job-id": GeneratorState.latest_error.id},
        ),
    )


def generator_page(generator: Generator) -> rx.Component:
    job_type = generator.type.value
    return rx.vstack(
        # Remounted on every finished job of the user: reloads the latest result and error in place.
        on_change(UserJobs.revision, GeneratorState.refresh),
        page_header(f"{generator.label} generator", TYPE_BLURBS[job_type]),
        rx.card(_form(generator), width="100%", size="3"),
        _current_jobs(job_type),
        _error_panel(),
        _result_panel(),
        spacing="4",
        width="100%",
    )
