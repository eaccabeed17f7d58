"""The Active Generations tile, on every route, in three forms that never hide the page.

- a rail docked at the right of the layout (its own column, sticky, its own scroll), which the
  user can collapse to give the content its room back;
- a compact indicator in the sidebar (spinner + active count) that shows or hides the rail;
- under `NARROW_MAX` pixels, a drawer opened from that indicator, hidden while closed.

Which form shows is decided by CSS (assets/genapp.css, `.genapp-tile`), so the first paint has
the right form for the width; the state below only says what the user chose in this tab (after a
reload, a rail the user collapsed shows until that state arrives).
"""

from __future__ import annotations

import reflex as rx

from genapp.components.batch_group import active_batch_groups, finished_batch_groups, ungrouped
from genapp.components.job_row import job_row
from genapp.state.notify import Notifications, ask_and_turn_on
from genapp.state.session import JobActions
from genapp.state.user_jobs import UserJobs

NARROW_MAX = 900  # px; below it the rail is a drawer. Keep in step with the @media query in genapp.css.

# Sent with a toggle, because the same click means "collapse the rail" or "open the drawer".
VIEWPORT_WIDTH = rx.Var("window.innerWidth").to(int)


class TileState(rx.State):
    """Per tab: whether the rail is collapsed (wide windows) and whether the drawer is open (narrow)."""

    rail_collapsed: bool = False
    drawer_open: bool = False

    @rx.event
    def toggle(self, viewport_width: int):
        if _is_narrow(viewport_width):
            self.drawer_open = not self.drawer_open
        else:
            self.rail_collapsed = not self.rail_collapsed

    @rx.event
    def hide(self, viewport_width: int):
        if _is_narrow(viewport_width):
            self.drawer_open = False
        else:
            self.rail_collapsed = True

    @rx.event
    def close_drawer(self):
        # On every page mount: a drawer left open would otherwise cover the page just navigated to.
        if self.drawer_open:
            self.drawer_open = False


def _is_narrow(viewport_width) -> bool:
    try:
        return int(viewport_width) < NARROW_MAX
    except (TypeError, ValueError):  # the width comes from the browser: never trust its shape
        return False


def _activity_icon(count: rx.Var[int]) -> rx.Component:
    return rx.cond(count > 0, rx.spinner(size="2"), rx.icon("sparkles", size=16))


def tile_indicator() -> rx.Component:
    """The compact form, in the sidebar: what is running at a glance, and the rail/drawer switch."""
    count = UserJobs.active.length()
    return rx.button(
        _activity_icon(count),
        rx.text("Generations", as_="span", size="2", weight="medium", flex="1", text_align="left"),
        rx.badge(
            count,
            color_scheme=rx.cond(count > 0, "violet", "gray"),
            variant="solid",
            radius="full",
            custom_attrs={"data-testid": "active-count"},
        ),
        rx.icon("panel-right", size=16),
        variant="soft",
        color_scheme="gray",
        width="100%",
        justify_content="flex-start",
        on_click=TileState.toggle(VIEWPORT_WIDTH),
        aria_label="Show or hide active generations",
        custom_attrs={"data-testid": "tile-toggle", "title": "Show or hide active generations"},
    )


def _header_button(icon: str, testid: str, label: str, handler) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=16),
        size="1",
        variant="ghost",
        color_scheme="gray",
        on_click=handler,
        aria_label=label,
        custom_attrs={"data-testid": testid, "title": label},
    )


def _queue_controls() -> rx.Component:
    """Pause (waiting jobs wait, running ones finish), pause now (running ones stop after their phase), resume."""
    return rx.cond(
        (UserJobs.paused == "queue") | (UserJobs.paused == "checkpoint"),
        _header_button("play", "tile-resume", "Resume your queue", JobActions.resume),
        rx.fragment(
            _header_button("pause", "tile-pause", "Pause your queue: waiting jobs wait, running ones finish", JobActions.pause(False)),
            _header_button("octagon-pause", "tile-pause-now", "Pause now: running jobs also stop after their current step", JobActions.pause(True)),
        ),
    )


def _notify_switch() -> rx.Component:
    """The user's browser notifications (a job or batch done while the tab is hidden): on, off, or on but
    not yet allowed by this browser; a click asks the browser's permission, never a page load."""
    allowed = Notifications.permission == "granted"
    blocked = (Notifications.permission == "denied") | (Notifications.permission == "unsupported")
    return rx.el.span(
        rx.cond(
            UserJobs.notify & allowed,
            _header_button("bell", "notify-toggle", "Notifications on: you are told when a job or batch finishes while this tab is hidden. "
                           "Click to turn them off.", Notifications.turn_off),
            rx.cond(
                UserJobs.notify & blocked,
                _header_button("bell-off", "notify-toggle", "Notifications are blocked by this browser (its site settings): "
                               "finished jobs show as toasts only. Click to turn them off.", Notifications.turn_off),
                _header_button("bell-off", "notify-toggle", "Notify me when a job or batch finishes while this tab is hidden", ask_and_turn_on()),
            ),
        ),
        custom_attrs={
            "data-testid": "notify-switch",
            "data-notify": rx.cond(UserJobs.notify, "on", "off"),
            "data-permission": Notifications.permission,
        },
        display="contents",
    )


def _paused_banner() -> rx.Component:
    words = rx.match(
        UserJobs.paused,
        ("queue", "Your queue is paused: waiting jobs wait; running ones finish."),
        ("checkpoint", "Your queue is paused: running jobs stop after their current step and wait with the rest."),
        ("service", "genapp is paused by an administrator: waiting jobs start when it resumes."),
        "",
    )
    return rx.cond(
        UserJobs.paused != "",
        rx.el.div(rx.icon("circle-pause", size=14), rx.el.span(words), class_name="genapp-paused", custom_attrs={"data-testid": "queue-paused", "data-paused": UserJobs.paused}),
    )


def _header() -> rx.Component:
    count = UserJobs.active.length()
    return rx.hstack(
        _activity_icon(count),
        rx.text("Active generations", weight="bold", size="2"),
        rx.badge(count, color_scheme=rx.cond(count > 0, "violet", "gray"), variant="soft", radius="full"),
        rx.spacer(),
        _notify_switch(),
        _queue_controls(),
        rx.icon_button(
            rx.icon("panel-right-close", size=16),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=TileState.hide(VIEWPORT_WIDTH),
            aria_label="Hide active generations",
            custom_attrs={"data-testid": "tile-close", "title": "Hide active generations"},
        ),
        align="center",
        spacing="2",
        width="100%",
        padding="14px 14px 10px",
        flex_shrink="0",
    )


def _rows() -> rx.Component:
    # A plain scrolling box: its scrollbar takes room from the rows instead of covering their right edge.
    return rx.box(
        rx.vstack(
            active_batch_groups(),  # a batch is one group, not a row per job
            rx.foreach(UserJobs.active, ungrouped(job_row)),
            rx.cond(
                UserJobs.recent.length() > 0,
                rx.hstack(
                    rx.text("Recent", size="1", color_scheme="gray", weight="medium"),
                    rx.spacer(),
                    rx.button(
                        "Clear finished", size="1", variant="ghost", color_scheme="gray", on_click=JobActions.clear_finished,
                        custom_attrs={"data-testid": "tile-clear-finished", "title": "Remove every finished job but the starred ones"},
                    ),
                    width="100%",
                    align="center",
                    margin_top="4px",
                ),
            ),
            finished_batch_groups(),
            rx.foreach(UserJobs.recent, ungrouped(job_row)),
            rx.cond(
                (UserJobs.active.length() == 0) & (UserJobs.recent.length() == 0),
                rx.text("No generations yet. Start one from any generator.", size="1", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        class_name="genapp-tile-rows",
    )


def _view_attrs(testid: str) -> dict:
    # The CSS reads these to pick the form; tests may read them too.
    return {
        "data-testid": testid,
        "data-rail": rx.cond(TileState.rail_collapsed, "collapsed", "shown"),
        "data-drawer": rx.cond(TileState.drawer_open, "open", "closed"),
    }


def active_generations_tile() -> rx.Component:
    """The rail (wide windows) or the drawer (narrow ones): the container of the job rows."""
    return rx.el.aside(
        _header(),
        _paused_banner(),
        _rows(),
        class_name="genapp-tile",
        on_mount=TileState.close_drawer,
        custom_attrs=_view_attrs("active-generations") | {"aria-label": "Active generations"},
    )


def tile_backdrop() -> rx.Component:
    """Behind the open drawer: a click outside it closes it. Never shown on wide windows."""
    return rx.box(
        class_name="genapp-tile-backdrop",
        on_click=TileState.hide(VIEWPORT_WIDTH),
        custom_attrs=_view_attrs("tile-backdrop"),
    )
