"""`/dashboard/batches`: make a mixed batch from a preset, and the user's batches.
`/dashboard/batches/[batch_id]`: one batch: overall progress (live), counts, its jobs, and cancel all,
retry failed, export all.

Live without a query per tick: the tile's shared state already groups the user's active jobs by batch
(`UserJobs.batch_groups`); what is stored (finished jobs, their counts) is reloaded whenever a job of
the user finishes (`UserJobs.revision`) and after this page's own actions.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import BaseModel

from genapp.components.form_fields import field_error
from genapp.components.job_row import job_row
from genapp.components.layout import page_header
from genapp.components.watch import on_change
from genapp.config import settings
from genapp.jobs.batches import PRESETS, BatchGroup, expand_preset
from genapp.jobs.errors import JobStateError, LimitReached
from genapp.jobs.requests import JobRequestError
from genapp.jobs.runtime import get_providers, get_service
from genapp.models import JobSummary
from genapp.pages.generator import DEFAULT_IMAGE, DEFAULT_TEXT
from genapp.state.batches import BatchActions
from genapp.state.session import UserSession, last_path_segment, refused
from genapp.state.user_jobs import UserJobs


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


class BatchItem(BaseModel):
    id: str
    label: str
    created: str
    total: int
    done: int


class BatchesState(rx.State):
    """The batches index: the preset form and the user's newest batches."""

    errors: dict[str, str] = {}
    items: list[BatchItem] = []
    _seen_revision: int = -1

    async def _owner(self) -> str:
        return await (await self.get_state(UserSession))._owner()

    @rx.event
    async def load(self):
        self._seen_revision = (await self.get_state(UserJobs)).revision
        listed = await get_service().batches(owner=await self._owner(), limit=20)
        self.items = [BatchItem(id=b.id, label=b.label, created=_when(b.created_at), total=b.total, done=b.done) for b in listed]

    @rx.event
    async def refresh(self):
        if (await self.get_state(UserJobs)).revision != self._seen_revision:
            await self.load()

    @rx.event
    async def create(self, form_data: dict[str, Any]):
        providers = get_providers()
        try:
            label, requests = expand_preset(
                str(form_data.get("preset", "")),
                level=form_data.get("level", ""),
                prompt=str(form_data.get("prompt", "")),
                seed=form_data.get("seed"),
                skip_image=form_data.get("skip_image") in ("on", True),
                max_prompt_chars=settings.max_prompt_chars,
                text_source=DEFAULT_TEXT,
                image_source=DEFAULT_IMAGE,
                llm_configured=providers.text is not None,
                image_api_configured=providers.image is not None,
            )
        except JobRequestError as exc:
            self.errors = exc.errors
            return
        self.errors = {}
        try:
            batch_id = await get_service().submit_batch(owner=await self._owner(), requests=requests, label=label, kind="preset")
        except LimitReached as exc:
            return refused(exc)
        except JobStateError as exc:
            return rx.toast.warning(str(exc))
        return rx.redirect(f"/dashboard/batches/{batch_id}")


class BatchState(rx.State):
    """One batch, as stored; the live part comes from `UserJobs.batch_groups`."""

    batch_id: str = ""
    not_found: bool = False
    label: str = ""
    kind: str = ""
    created: str = ""
    total: int = 0
    done: int = 0
    progress: int = 0
    counts: dict[str, int] = {}
    jobs: list[JobSummary] = []
    _seen_revision: int = -1

    async def _show(self, batch_id: str) -> None:
        self.batch_id = batch_id
        self._seen_revision = (await self.get_state(UserJobs)).revision
        owner = await (await self.get_state(UserSession))._owner()
        view = await get_service().batch(owner=owner, batch_id=batch_id)
        self.not_found = view is None
        if view is None:
            self.label, self.kind, self.created, self.total, self.done, self.progress, self.counts, self.jobs = "", "", "", 0, 0, 0, {}, []
            return
        self.label, self.kind, self.created = view.batch.label, view.batch.kind, _when(view.batch.created_at)
        self.total, self.done, self.progress, self.counts = view.total, view.done, int(view.progress), view.counts
        self.jobs = [JobSummary.of(job) for job in view.jobs]

    @rx.event
    async def load(self):
        """On load: the batch the route names."""
        await self._show(last_path_segment(self))

    @rx.event
    async def refresh(self):
        """A job of the user finished or went away: this batch as stored now."""
        if self.batch_id and (await self.get_state(UserJobs)).revision != self._seen_revision:
            await self._show(self.batch_id)

    @rx.event
    async def reload_now(self):
        """After this page's own action: what it changed."""
        if self.batch_id:
            await self._show(self.batch_id)


# ----- the batches index -------------------------------------------------------------------

NATIVE_INPUT_STYLE = {
    "padding": "6px 8px",
    "borderRadius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "height": "32px",
}


def _preset_choice(key: str, first: bool) -> rx.Component:
    preset = PRESETS[key]
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="radio", name="preset", value=key, default_checked=first, custom_attrs={"data-testid": f"preset-{key}"}),
            rx.vstack(
                rx.text(preset.label, weight="bold", size="2"),
                rx.text(f"{preset.summary()}. {preset.description}", size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        style={"flex": "1 1 220px", "padding": "10px 12px", "border": f"1px solid {rx.color('gray', 6)}", "borderRadius": "8px", "cursor": "pointer"},
    )


def _labelled(label: str, control: rx.Component, name: str) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, field_error(BatchesState.errors, name), spacing="1")


def _preset_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Pick a preset", size="2", weight="medium"),
            rx.flex(*[_preset_choice(key, i == 0) for i, key in enumerate(PRESETS)], gap="10px", wrap="wrap", width="100%"),
            field_error(BatchesState.errors, "preset"),
            rx.flex(
                _labelled("Level", rx.el.input(name="level", type="number", default_value="1", style=NATIVE_INPUT_STYLE | {"width": "90px"},
                                               custom_attrs={"data-testid": "preset-level"}), "level"),
                rx.box(
                    _labelled("Theme (optional)", rx.input(name="prompt", placeholder="e.g. a fishing village that fears the tide", width="100%",
                                                           custom_attrs={"data-testid": "preset-prompt"}), "prompt"),
                    flex="1 1 260px",
                ),
                _labelled("Seed", rx.el.input(name="seed", type="number", placeholder="random", style=NATIVE_INPUT_STYLE | {"width": "120px"},
                                              custom_attrs={"data-testid": "preset-seed"}), "seed"),
                gap="12px",
                wrap="wrap",
                width="100%",
                align="start",
            ),
            rx.hstack(
                rx.text(rx.hstack(rx.checkbox(name="skip_image"), rx.text("Skip illustrations", size="2"), spacing="2", align="center"), as_="label"),
                rx.spacer(),
                rx.button(rx.icon("layers", size=16), "Create batch", type="submit", size="3", custom_attrs={"data-testid": "preset-submit"}),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=BatchesState.create,
        reset_on_submit=False,
        no_validate=True,
        width="100%",
    )


def _batch_item(item: rx.Var[BatchItem]) -> rx.Component:
    return rx.hstack(
        rx.link(item.label, href=f"/dashboard/batches/{item.id}", weight="medium", truncate=True, flex="1", min_width="0",
                custom_attrs={"data-testid": "batches-item-link"}),
        rx.text(f"{item.done} of {item.total} done", size="1", color_scheme="gray", flex_shrink="0"),
        rx.text(item.created, size="1", color_scheme="gray", flex_shrink="0"),
        width="100%",
        align="center",
        spacing="3",
        padding="6px 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        key=item.id,
        custom_attrs={"data-testid": "batches-item"},
    )


def batches_page() -> rx.Component:
    return rx.vstack(
        on_change(UserJobs.revision, BatchesState.refresh),
        page_header("Batches", "Several generations at once, followed as one: a party, a village, a dungeon. "
                    "For N variations of one form, set Variations on any generator page."),
        rx.card(_preset_form(), width="100%", size="3"),
        rx.heading("Your batches", size="4"),
        rx.cond(
            BatchesState.items.length() > 0,
            rx.vstack(rx.foreach(BatchesState.items, _batch_item), width="100%", spacing="0"),
            rx.text("No batches yet.", size="2", color_scheme="gray"),
        ),
        spacing="4",
        width="100%",
    )


# ----- one batch ---------------------------------------------------------------------------

_GROUPS = UserJobs.batch_groups
_LIVE: rx.Var[BatchGroup] = _GROUPS[BatchState.batch_id].to(BatchGroup)
_HAS_GROUP = _GROUPS.contains(BatchState.batch_id)
_RUNNING_NOW = _HAS_GROUP & (_LIVE.active > 0)  # `&` is JS `&&`: the group is read only when it is there


def _live_or(live: rx.Var, stored: rx.Var) -> rx.Var:
    return rx.cond(_RUNNING_NOW, live, stored)


def _count_badge(label: str, value: rx.Var, color: str, testid: str) -> rx.Component:
    return rx.badge(label, ": ", rx.el.span(value, custom_attrs={"data-testid": testid}), color_scheme=color, variant="soft", size="2")


def _overview() -> rx.Component:
    progress = _live_or(_LIVE.progress, BatchState.progress)
    done = _live_or(_LIVE.done, BatchState.done)
    waiting = _live_or(_LIVE.active - _LIVE.running, BatchState.counts.get("pending", 0))
    running = _live_or(_LIVE.running, BatchState.total - BatchState.done - BatchState.counts.get("pending", 0))
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(done, " of ", BatchState.total, " done", weight="bold", size="3", custom_attrs={"data-testid": "batch-page-done"}),
                rx.spacer(),
                rx.text(progress, "%", weight="medium", size="3", custom_attrs={"data-testid": "batch-page-percent"}),
                width="100%",
                align="center",
            ),
            rx.progress(value=progress, max=100, width="100%", custom_attrs={"data-testid": "batch-page-progress", "data-progress": progress}),
            rx.flex(
                _count_badge("Waiting", waiting, "amber", "batch-count-pending"),
                _count_badge("Running", running, "violet", "batch-count-running"),
                _count_badge("Complete", BatchState.counts.get("complete", 0), "green", "batch-count-complete"),
                _count_badge("Failed", BatchState.counts.get("error", 0), "red", "batch-count-error"),
                _count_badge("Cancelled", BatchState.counts.get("cancelled", 0), "gray", "batch-count-cancelled"),
                gap="8px",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    failed = BatchState.counts.get("error", 0) + BatchState.counts.get("cancelled", 0)
    return rx.flex(
        rx.button(
            rx.icon("circle-stop", size=14), "Cancel all", color_scheme="orange", variant="soft",
            disabled=~_RUNNING_NOW, on_click=[BatchActions.cancel(BatchState.batch_id), BatchState.reload_now],
            custom_attrs={"data-testid": "batch-page-cancel", "title": "Cancel every waiting and running job of the batch"},
        ),
        rx.button(
            rx.icon("rotate-ccw", size=14), "Retry failed", variant="soft",
            disabled=failed == 0, on_click=[BatchActions.retry_failed(BatchState.batch_id), BatchState.reload_now],
            custom_attrs={"data-testid": "batch-page-retry", "title": "Run the failed and cancelled jobs again, with the same settings"},
        ),
        rx.button(
            rx.icon("download", size=14), "Export all", variant="soft",
            disabled=BatchState.counts.get("complete", 0) == 0, on_click=BatchActions.export(BatchState.batch_id),
            custom_attrs={"data-testid": "batch-page-export", "title": "Download the batch's finished jobs as a zip"},
        ),
        gap="8px",
        wrap="wrap",
    )


def _job_rows() -> rx.Component:
    return rx.vstack(
        # Running and waiting ones live from the shared state; the others as stored (reloaded as jobs finish).
        rx.foreach(UserJobs.active, lambda job: rx.cond(job.batch_id == BatchState.batch_id, job_row(job))),
        rx.foreach(BatchState.jobs, lambda job: rx.cond(_HAS_GROUP & _LIVE.active_ids.contains(job.id), rx.fragment(), job_row(job))),
        width="100%",
        spacing="2",
        custom_attrs={"data-testid": "batch-jobs"},
    )


def batch_page() -> rx.Component:
    return rx.vstack(
        on_change(UserJobs.revision, BatchState.refresh),
        rx.cond(
            BatchState.not_found,
            rx.vstack(
                page_header("Batch not found"),
                rx.callout("This batch does not exist or belongs to someone else.", icon="circle-alert", color_scheme="red"),
                rx.link("Back to your batches", href="/dashboard/batches"),
                custom_attrs={"data-testid": "batch-not-found"},
            ),
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.heading(rx.cond(BatchState.label != "", BatchState.label, "Loading..."), size="6",
                                   custom_attrs={"data-testid": "batch-page-label"}, style={"overflowWrap": "anywhere"}),
                        rx.text(BatchState.total, " generations · ", BatchState.kind, " · created ", BatchState.created, size="2", color_scheme="gray"),
                        spacing="1",
                        min_width="0",
                        flex="1",
                    ),
                    align="start",
                    width="100%",
                ),
                _actions(),
                _overview(),
                rx.heading("Jobs", size="4"),
                _job_rows(),
                spacing="4",
                width="100%",
                custom_attrs={"data-testid": "batch-page", "data-batch-id": BatchState.batch_id},
            ),
        ),
        width="100%",
    )
