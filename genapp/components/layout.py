"""The shell around every page: navigation, the content column, the Active Generations tile, job notices.

Three columns side by side: sidebar | content | tile rail. Each takes its own room, so nothing
floats over the page (the tile becomes a drawer on narrow windows, see components/tile.py).
"""

from __future__ import annotations

import reflex as rx

from genapp.config import settings

from genapp.components.watch import on_change
from genapp.components.tile import active_generations_tile, tile_backdrop, tile_indicator
from genapp.generators import GENERATORS
from genapp.state.notify import Notifications
from genapp.state.session import UserSession
from genapp.state.user_jobs import UserJobs

NAV_ICONS = {
    "character": "user-round",
    "npc": "drama",
    "item": "gem",
    "quest": "scroll-text",
    "encounter": "swords",
    "world": "globe",
    "campaign": "book-open",
}


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.url.path == href
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), spacing="2", align="center"),
        href=href,
        underline="none",
        padding="6px 10px",
        border_radius="6px",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("accent", 2)},
    )


def _account_link() -> rx.Component:
    return rx.cond(
        UserSession.signed_in,
        rx.link(
            rx.hstack(rx.icon("circle-user-round", size=16), rx.text(UserSession.email, size="2", trim="both", truncate=True), spacing="2", align="center"),
            href="/account",
            underline="none",
            padding="6px 10px",
            width="100%",
            custom_attrs={"data-testid": "nav-account"},
        ),
        rx.hstack(
            rx.link("Sign in", href="/signin", size="2", custom_attrs={"data-testid": "nav-signin"}),
            rx.text("·", color_scheme="gray"),
            rx.link("Sign up", href="/signup", size="2", custom_attrs={"data-testid": "nav-signup"}),
            padding="6px 10px",
            spacing="2",
        ),
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("dices", size=22, color=rx.color("accent", 10)),
            rx.heading("genapp", size="5"),
            align="center",
            spacing="2",
            padding_bottom="12px",
        ),
        rx.box(tile_indicator(), width="100%", padding_bottom="8px"),
        _nav_link("Dashboard", "/dashboard", "layout-dashboard"),
        _nav_link("Library", "/dashboard/library", "library"),
        _nav_link("Batches", "/dashboard/batches", "layers"),
        rx.text("Generators", size="1", color_scheme="gray", weight="medium", padding="10px 10px 2px"),
        *[_nav_link(g.label, f"/dashboard/{t.value}", NAV_ICONS[t.value]) for t, g in GENERATORS.items()],
        rx.text("Tools", size="1", color_scheme="gray", weight="medium", padding="10px 10px 2px"),
        _nav_link("Test generation", "/dashboard/test-generation", "flask-conical") if settings.qa_enabled() else rx.fragment(),
        _nav_link("Settings", "/dashboard/settings", "settings"),
        rx.spacer(),
        _account_link(),
        rx.hstack(rx.color_mode.button(size="2", variant="ghost"), rx.text("Theme", size="1", color_scheme="gray"), align="center"),
        width="220px",
        min_width="220px",
        height="100vh",
        position="sticky",
        top="0",
        padding="18px 12px",
        spacing="1",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )


def page_title(name: str) -> rx.Var:
    """"Library · genapp", and while jobs wait or run "(3) Library · genapp": the count shows on the tab."""
    count = UserJobs.active.length()
    return rx.cond(count > 0, f"({count}) {name} · genapp", f"{name} · genapp")


def _notice_watcher() -> rx.Component:
    # Remounted whenever the shared notice changes, so every tab of the user toasts it once.
    return on_change(UserJobs.notice_id, Notifications.show_notice)


def _content_column(content: rx.Component) -> rx.Component:
    # Takes the room between sidebar and rail; the page itself stays readable (max 1100px), centred.
    return rx.el.main(
        rx.box(content, padding="28px 32px 48px", max_width="1100px", margin="0 auto"),
        flex="1",
        min_width="0",
        custom_attrs={"data-testid": "page-content"},
    )


def shell(content: rx.Component) -> rx.Component:
    return rx.hstack(
        sidebar(),
        _content_column(content),
        active_generations_tile(),
        tile_backdrop(),
        _notice_watcher(),
        rx.box(on_mount=Notifications.read_permission, display="none"),
        rx.cond(UserSession.linked, rx.el.span(custom_attrs={"data-testid": "session-linked"}, hidden=True)),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
    )


def page_header(title: str, subtitle: str = "") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="7"),
        rx.cond(subtitle != "", rx.text(subtitle, color_scheme="gray", size="3")) if subtitle else rx.fragment(),
        spacing="1",
        margin_bottom="20px",
    )
