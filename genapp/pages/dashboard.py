"""`/dashboard`: counts by status, recent results, and quick starts."""

from __future__ import annotations

import reflex as rx

from genapp.components.job_row import status_badge
from genapp.components.layout import NAV_ICONS, page_header
from genapp.generators import GENERATORS, ContentType
from genapp.jobs.requests import build_request
from genapp.jobs.errors import LimitReached
from genapp.jobs.runtime import get_service
from genapp.models import JobSummary
from genapp.state.session import UserSession, refused
from genapp.state.user_jobs import UserJobs

COUNT_CARDS = (
    ("Running", ["generating", "content-complete", "image-generating"], "loader", "violet"),
    ("Queued", ["pending"], "clock", "amber"),
    ("Complete", ["complete"], "circle-check", "green"),
    ("Failed", ["error"], "circle-x", "red"),
    ("Cancelled", ["cancelled"], "circle-slash", "gray"),
)


class DashboardState(rx.State):
    @rx.event
    async def quick_start(self, job_type: str):
        """One click, defaults and a fresh seed: a surprise of that type."""
        owner = await (await self.get_state(UserSession))._owner()
        try:
            await get_service().submit(owner=owner, request=build_request(job_type=job_type))
        except LimitReached as exc:
            return refused(exc)
        return rx.toast.info(f"{ContentType(job_type).value.capitalize()} started: watch the tile.", duration=2500)


def _count(statuses: list[str]) -> rx.Var[int]:
    total = UserJobs.counts.get(statuses[0], 0)
    for status in statuses[1:]:
        total = total + UserJobs.counts.get(status, 0)
    return total


def _count_card(label: str, statuses: list[str], icon: str, color: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=22, color=rx.color(color, 10)),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.heading(_count(statuses), size="6", custom_attrs={"data-testid": f"count-{label.lower()}"}),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        flex="1",
        min_width="150px",
    )


def _recent_row(job: rx.Var[JobSummary]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(job.type, variant="outline")),
        rx.table.cell(rx.link(job.title, href=f"/dashboard/jobs/{job.id}")),
        rx.table.cell(status_badge(job.status)),
        key=job.id,
    )


def _quick_start(job_type: ContentType) -> rx.Component:
    generator = GENERATORS[job_type]
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(NAV_ICONS[job_type.value], size=18), rx.text(generator.label, weight="bold"), align="center", spacing="2"),
            rx.hstack(
                rx.button("Surprise me", size="1", on_click=DashboardState.quick_start(job_type.value), custom_attrs={"data-testid": f"quick-{job_type.value}"}),
                rx.link(rx.button("Open", size="1", variant="soft"), href=f"/dashboard/{job_type.value}"),
                spacing="2",
            ),
            spacing="2",
        ),
        min_width="170px",
        flex="1",
    )


def dashboard_page() -> rx.Component:
    return rx.vstack(
        page_header("Dashboard", "Everything you are generating, on every page and every tab."),
        rx.flex(*[_count_card(*c) for c in COUNT_CARDS], gap="12px", wrap="wrap", width="100%"),
        rx.heading("Quick start", size="4", margin_top="12px"),
        rx.flex(*[_quick_start(t) for t in ContentType], gap="12px", wrap="wrap", width="100%"),
        rx.heading("Recent results", size="4", margin_top="12px"),
        rx.cond(
            UserJobs.recent.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell("Type"), rx.table.column_header_cell("Title"), rx.table.column_header_cell("Status"))),
                rx.table.body(rx.foreach(UserJobs.recent, _recent_row)),
                width="100%",
                variant="surface",
            ),
            rx.text("Nothing yet. Try a quick start above.", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )
