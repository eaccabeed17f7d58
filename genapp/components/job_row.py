"""One job in a list: type, title, status, live progress, and its actions."""

from __future__ import annotations

import reflex as rx

from genapp.models import JobSummary
from genapp.state.session import JobActions

STATUS_COLORS = (
    ("complete", "green"),
    ("error", "red"),
    ("cancelled", "gray"),
    ("pending", "amber"),
)
ACTIVE_STATUSES = ["pending", "generating", "content-complete", "image-generating"]


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(status, color_scheme=rx.match(status, *STATUS_COLORS, "violet"), variant="soft", size="1")


def is_active(status: rx.Var[str]) -> rx.Var[bool]:
    return rx.Var.create(ACTIVE_STATUSES).contains(status)


def eta_text(job: rx.Var[JobSummary]) -> rx.Component:
    return rx.cond(job.eta >= 0, rx.text(f"~{job.eta}s left", size="1", color_scheme="gray", white_space="nowrap"), rx.fragment())


def _action(icon: str, testid: str, label: str, handler, color: str) -> rx.Component:
    # A native title, not a Radix tooltip: every row re-renders on every progress push, and with 50
    # jobs the tooltips' roots alone took the dev build from ~9 to ~1 frame/s on a busy 2-core machine.
    return rx.icon_button(
        rx.icon(icon, size=14),
        size="1",
        variant="ghost",
        color_scheme=color,
        on_click=handler,
        aria_label=label,
        custom_attrs={"data-testid": testid, "title": label},
    )


def job_actions(job_id: rx.Var[str], status: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.cond(is_active(status), _action("circle-stop", "job-cancel", "Cancel", JobActions.cancel(job_id), "orange")),
        rx.cond(
            (status == "error") | (status == "cancelled"),
            _action("rotate-ccw", "job-retry", "Retry with the same settings", JobActions.retry(job_id), "violet"),
        ),
        _action("trash-2", "job-remove", "Remove", JobActions.remove(job_id), "red"),
        spacing="3",
        align="center",
    )


def job_row(job: rx.Var[JobSummary]) -> rx.Component:
    # Two or three short lines, actions on the last one and never squeezed out: rows sit in a 340px rail.
    return rx.box(
        rx.hstack(
            rx.badge(job.type, variant="outline", size="1", flex_shrink="0"),
            rx.link(
                job.title,
                href=f"/dashboard/jobs/{job.id}",
                size="2",
                weight="medium",
                custom_attrs={"data-testid": "job-link"},
                style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap", "flex": "1", "minWidth": 0},
            ),
            rx.box(status_badge(job.status), flex_shrink="0"),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            is_active(job.status),
            rx.vstack(
                rx.progress(value=job.progress, max=100, size="1", width="100%"),
                rx.hstack(
                    rx.text(job.stage, size="1", color_scheme="gray", trim="both", style={"flex": "1", "minWidth": 0}),
                    rx.text(f"{job.progress}%", size="1", weight="medium", flex_shrink="0"),
                    eta_text(job),
                    rx.box(job_actions(job.id, job.status), flex_shrink="0", padding_left="4px"),
                    width="100%",
                    spacing="2",
                    align="center",
                ),
                spacing="1",
                width="100%",
                margin_top="6px",
            ),
            rx.hstack(
                rx.text(job.error, size="1", color_scheme="red", trim="both", style={"flex": "1", "minWidth": 0}),
                rx.box(job_actions(job.id, job.status), flex_shrink="0"),
                width="100%",
                spacing="2",
                align="center",
                margin_top="4px",
            ),
        ),
        padding="8px 10px",
        border_radius="8px",
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        key=job.id,  # keyed by id, not index, so a row keeps its DOM as the list shifts
        custom_attrs={
            "data-testid": "job-row",
            "data-job-id": job.id,
            "data-job-type": job.type,
            "data-status": job.status,
            "data-progress": job.progress,
        },
    )
