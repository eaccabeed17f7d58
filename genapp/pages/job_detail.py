"""`/dashboard/jobs/[job_id]`: one job in full: content, image, timings, attempts, errors."""

from __future__ import annotations

import reflex as rx

from genapp.components.draft import job_draft
from genapp.components.watch import on_change
from genapp.components.job_row import is_active, job_actions, job_row, status_badge
from genapp.components.layout import page_header
from genapp.components.result_card import result_card
from genapp.jobs.runtime import get_service
from genapp.state.results import ResultView, download_name, export_json, markdown_of, result_view
from genapp.state.session import UserSession, last_path_segment
from genapp.state.user_jobs import UserJobs


class JobDetailState(rx.State):
    """Loaded on the page's load, whose route is the page's own; then again whenever a job of the user
    finishes or goes away (measured: a load fired by a watcher's mount on a link's navigation could carry
    the route of the page before, and said "Job not found" 4 times in 5 on the production build)."""

    job: ResultView = ResultView()
    not_found: bool = False
    _job_id: str = ""
    _seen_revision: int = -1

    async def _load(self, job_id: str | None = None):
        owner = await (await self.get_state(UserSession))._owner()
        return await get_service().get(owner=owner, job_id=job_id or self._job_id)

    async def _show(self, job_id: str) -> None:
        self._job_id = job_id
        self._seen_revision = (await self.get_state(UserJobs)).revision
        job = await self._load()
        self.not_found = job is None
        self.job = result_view(job) if job else ResultView()

    @rx.event
    async def reload(self):
        """On load: the job the route names."""
        await self._show(last_path_segment(self))

    @rx.event
    async def refresh(self):
        """A job of the user changed: show this page's job as it is now."""
        if self._job_id and (await self.get_state(UserJobs)).revision != self._seen_revision:
            await self._show(self._job_id)

    @rx.event
    async def download_markdown(self):
        if job := await self._load():
            return rx.download(data=markdown_of(job), filename=download_name(job, "md"))

    @rx.event
    async def download_json(self):
        if job := await self._load():
            return rx.download(data=export_json(job), filename=download_name(job, "json"))


def _fact(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _attempt_row(attempt: rx.Var[dict]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(attempt["attempt"]),
        rx.table.cell(attempt["status"]),
        rx.table.cell(attempt["error"]),
        rx.table.cell(attempt["finished_at"]),
        # the history's values arrive as text (state/results.py); an automatic retry records its wait
        rx.table.cell(rx.cond(attempt["automatic"] == "True", "Retried automatically after " + attempt["wait_seconds"].to(str) + " s", "Retried by hand")),
    )


def _live_row() -> rx.Component:
    return rx.fragment(
        rx.foreach(UserJobs.active, lambda job: rx.cond(job.id == JobDetailState.job.id, job_row(job))),
        job_draft(JobDetailState.job.id),
    )


def _finished_actions() -> rx.Component:
    # While the job runs, its live row (with actions) shows instead.
    job = JobDetailState.job
    return rx.cond(is_active(job.status), rx.fragment(), job_actions(job.id, job.status))


def job_detail_page() -> rx.Component:
    job = JobDetailState.job
    return rx.vstack(
        on_change(UserJobs.revision, JobDetailState.refresh),
        rx.cond(
            JobDetailState.not_found,
            rx.vstack(
                page_header("Job not found"),
                rx.callout("This job does not exist, was removed, or belongs to someone else.", icon="circle-alert", color_scheme="red"),
                rx.link("Back to the dashboard", href="/dashboard"),
                custom_attrs={"data-testid": "job-not-found"},
            ),
            rx.vstack(
                rx.hstack(
                    rx.heading(rx.cond(job.title != "", job.title, "Loading..."), size="7"),
                    status_badge(job.status),
                    rx.spacer(),
                    _finished_actions(),
                    align="center",
                    width="100%",
                    spacing="3",
                ),
                _live_row(),
                rx.cond(
                    job.error != "",
                    rx.callout(job.error, icon="triangle-alert", color_scheme="red", width="100%", custom_attrs={"data-testid": "error-panel"}),
                ),
                rx.cond(
                    job.markdown != "",
                    rx.box(
                        result_card(
                            job,
                            rx.button(rx.icon("file-text", size=14), "Markdown", variant="soft", on_click=JobDetailState.download_markdown),
                            rx.button(rx.icon("braces", size=14), "JSON", variant="soft", on_click=JobDetailState.download_json),
                        ),
                        width="100%",
                        custom_attrs={"data-testid": "result-panel"},
                    ),
                ),
                rx.card(
                    rx.data_list.root(
                        _fact("Type", job.type),
                        _fact("Prompt", rx.cond(job.prompt != "", job.prompt, "(none)")),
                        _fact("Seed", job.seed),
                        _fact("Sources", job.sources),
                        _fact("Created", job.created),
                        _fact("Started", job.started),
                        _fact("Finished", job.finished),
                        _fact("Duration", job.duration),
                        _fact("Attempt", job.attempt),
                        _fact("Form", rx.code_block(job.form_json, language="json", font_size="12px")),
                        size="2",
                    ),
                    width="100%",
                ),
                rx.cond(
                    job.attempts.length() > 0,
                    rx.vstack(
                        rx.heading("Earlier attempts", size="4"),
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Attempt"),
                                    rx.table.column_header_cell("Outcome"),
                                    rx.table.column_header_cell("Error"),
                                    rx.table.column_header_cell("Finished"),
                                    rx.table.column_header_cell("Then"),
                                )
                            ),
                            rx.table.body(rx.foreach(job.attempts, _attempt_row)),
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        width="100%",
    )
