"""A batch as one group in the tile: its label (a link to the batch page), "3 of 6 done", the overall
bar, and cancel all / retry failed. Plain elements styled by assets/genapp.css, as job rows are (every
group re-renders on every progress push)."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from genapp.components.job_row import row_action
from genapp.jobs.batches import BatchGroup
from genapp.state.batches import BatchActions
from genapp.state.user_jobs import UserJobs


def batch_group(group: rx.Var[BatchGroup]) -> rx.Component:
    live = group.active > 0
    return rx.el.div(
        rx.el.div(
            rx.el.span(rx.icon("layers", size=12), "batch", class_name="genapp-chip genapp-batch-chip"),
            ReactRouterLink.create(
                group.label, to=f"/dashboard/batches/{group.id}", class_name="genapp-row-title",
                custom_attrs={"data-testid": "batch-link", "title": group.label},
            ),
            rx.el.span(f"{group.done} of {group.total} done", class_name="genapp-status", custom_attrs={"data-testid": "batch-done"}),
            class_name="genapp-row-head",
        ),
        rx.el.div(rx.el.div(class_name="genapp-bar-fill", style={"width": f"{group.progress}%"}), class_name="genapp-bar"),
        rx.el.div(
            rx.el.span(
                rx.cond(live, f"{group.running} running, {group.active - group.running} waiting", "Finished"),
                rx.cond(group.failed > 0, f" · {group.failed} failed or cancelled", ""),
                class_name="genapp-row-stage",
            ),
            rx.el.span(f"{group.progress}%", class_name="genapp-row-percent"),
            rx.el.span(
                rx.cond(live, row_action("circle-stop", "batch-cancel", "Cancel the batch's running and waiting jobs", BatchActions.cancel(group.id))),
                rx.cond(group.failed > 0, row_action("rotate-ccw", "batch-retry", "Retry the failed and cancelled ones", BatchActions.retry_failed(group.id))),
                class_name="genapp-row-actions",
            ),
            class_name="genapp-row-foot",
        ),
        class_name="genapp-row genapp-batch",
        key=group.id,
        custom_attrs={
            "data-testid": "batch-group",
            "data-batch-id": group.id,
            "data-total": group.total,
            "data-done": group.done,
            "data-active": group.active,
            "data-progress": group.progress,
        },
    )


def active_batch_groups() -> rx.Component:
    """The groups of batches with jobs still pending or running (at the top of the active rows)."""
    return rx.foreach(UserJobs.batch_groups.values(), lambda g: rx.cond(g.active > 0, batch_group(g)))


def finished_batch_groups() -> rx.Component:
    """The groups of finished batches (at the top of the recent rows)."""
    return rx.foreach(UserJobs.batch_groups.values(), lambda g: rx.cond(g.active == 0, batch_group(g)))


def ungrouped(render):
    """A row renderer that leaves out jobs of a batch: their group stands for them."""
    return lambda job: rx.cond(job.batch_id == "", render(job))
