"""One job in a list: type, title, status, live progress, and its actions."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

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


def row_action(icon: str, testid: str, label: str, handler) -> rx.Component:
    return rx.el.button(
        rx.icon(icon, size=14),
        type="button",
        class_name="genapp-row-action",
        on_click=handler,
        aria_label=label,
        custom_attrs={"data-testid": testid, "title": label},
    )


def _row_actions(job: rx.Var[JobSummary]) -> rx.Component:
    return rx.el.span(
        rx.cond(is_active(job.status), row_action("circle-stop", "job-cancel", "Cancel", JobActions.cancel(job.id))),
        rx.cond(
            (job.status == "error") | (job.status == "cancelled"),
            row_action("rotate-ccw", "job-retry", "Retry with the same settings", JobActions.retry(job.id)),
        ),
        row_action("trash-2", "job-remove", "Remove", JobActions.remove(job.id)),
        class_name="genapp-row-actions",
    )


class _Row(rx.el.Div):
    """A row that a waiting job can be dragged by (HTML drag and drop: no library needed)."""

    on_drag_start: rx.EventHandler[rx.event.no_args_event_spec]
    on_drag_over: rx.EventHandler[rx.event.no_args_event_spec]
    on_drop: rx.EventHandler[rx.event.no_args_event_spec]


# Dropping is allowed where dragover's default is prevented; done in the browser, as it fires many times a second.
_ALLOW_DROP = rx.vars.FunctionStringVar.create("((event) => event.preventDefault())")


def _move_actions(job: rx.Var[JobSummary]) -> rx.Component:
    return rx.el.span(
        row_action("chevrons-up", "job-front", "Move to the front of your line", JobActions.move(job.id, "front")),
        row_action("chevron-up", "job-up", "Move up", JobActions.move(job.id, "up")),
        row_action("chevron-down", "job-down", "Move down", JobActions.move(job.id, "down")),
        class_name="genapp-row-actions",
    )


def job_row(job: rx.Var[JobSummary]) -> rx.Component:
    """Plain elements styled by assets/genapp.css: every row re-renders on every progress push (10/s),
    and Radix Themes components cost the browser ~20 prop passes per row each time (measured:
    9-19 s of long tasks per 10 s with 20 rows, against 2-5 s with plain elements)."""
    waiting = job.status == "pending"
    return _Row.create(
        rx.el.div(
            rx.el.span(job.type, class_name="genapp-chip"),
            ReactRouterLink.create(job.title, to=f"/dashboard/jobs/{job.id}", class_name="genapp-row-title", custom_attrs={"data-testid": "job-link"}),
            rx.el.span(job.status, class_name="genapp-status"),
            class_name="genapp-row-head",
        ),
        rx.cond(
            is_active(job.status),
            rx.fragment(
                rx.el.div(rx.el.div(class_name="genapp-bar-fill", style={"width": f"{job.progress}%"}), class_name="genapp-bar"),
                rx.cond(
                    job.status == "pending",
                    rx.el.div(
                        rx.el.span(job.line, class_name="genapp-row-stage", custom_attrs={"data-testid": "job-line"}),
                        _move_actions(job),
                        _row_actions(job),
                        class_name="genapp-row-foot",
                    ),
                    rx.el.div(
                        rx.el.span(job.stage, class_name="genapp-row-stage"),
                        rx.el.span(f"{job.progress}%", class_name="genapp-row-percent"),
                        rx.cond(job.eta >= 0, rx.el.span(f"~{job.eta}s left", class_name="genapp-row-eta")),
                        _row_actions(job),
                        class_name="genapp-row-foot",
                    ),
                ),
            ),
            rx.el.div(
                rx.el.span(job.error, class_name="genapp-row-error"),
                _row_actions(job),
                class_name="genapp-row-foot",
            ),
        ),
        class_name="genapp-row",
        key=job.id,  # keyed by id, not index, so a row keeps its DOM as the list shifts
        draggable=waiting,
        on_drag_start=JobActions.drag(job.id),
        on_drag_over=_ALLOW_DROP,
        on_drop=JobActions.drop_before(job.id),
        custom_attrs={
            "data-testid": "job-row",
            "data-job-id": job.id,
            "data-job-type": job.type,
            "data-status": job.status,
            "data-progress": job.progress,
        },
    )
