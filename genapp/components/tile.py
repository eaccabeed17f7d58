"""The Active Generations tile, in the shared layout of every route."""

from __future__ import annotations

import reflex as rx

from genapp.components.job_row import job_row
from genapp.state.user_jobs import UserJobs


class TileState(rx.State):
    """Per tab: whether the tile is expanded."""

    expanded: bool = True

    @rx.event
    def toggle(self):
        self.expanded = not self.expanded


def _header() -> rx.Component:
    count = UserJobs.active.length()
    return rx.hstack(
        rx.cond(count > 0, rx.spinner(size="2"), rx.icon("sparkles", size=16)),
        rx.text("Active generations", weight="bold", size="2"),
        rx.badge(count, color_scheme=rx.cond(count > 0, "violet", "gray"), variant="solid", radius="full", custom_attrs={"data-testid": "active-count"}),
        rx.spacer(),
        rx.icon(rx.cond(TileState.expanded, "chevron-down", "chevron-up"), size=16),
        align="center",
        spacing="2",
        width="100%",
        cursor="pointer",
        on_click=TileState.toggle,
        custom_attrs={"data-testid": "tile-toggle"},
    )


def active_generations_tile() -> rx.Component:
    return rx.card(
        _header(),
        rx.cond(
            TileState.expanded,
            # A plain scrolling box: its scrollbar takes room from the rows instead of covering their right edge.
            rx.box(
                rx.vstack(
                    rx.foreach(UserJobs.active, job_row),
                    rx.cond(
                        UserJobs.recent.length() > 0,
                        rx.text("Recent", size="1", color_scheme="gray", weight="medium", margin_top="4px"),
                    ),
                    rx.foreach(UserJobs.recent, job_row),
                    rx.cond(
                        (UserJobs.active.length() == 0) & (UserJobs.recent.length() == 0),
                        rx.text("No generations yet. Start one from any generator.", size="1", color_scheme="gray"),
                    ),
                    spacing="2",
                    width="100%",
                    padding_right="4px",
                ),
                max_height="55vh",
                overflow_y="auto",
                margin_top="10px",
            ),
        ),
        position="fixed",
        bottom="16px",
        right="16px",
        width="380px",
        z_index="50",
        box_shadow="0 8px 30px rgba(0,0,0,0.18)",
        custom_attrs={"data-testid": "active-generations"},
    )
