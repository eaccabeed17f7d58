"""One job in the library: thumbnail, title, type, date, star, tags (edited in place), select box.

Everything shown is text (titles and tags are model- or user-written): no HTML is rendered.
"""

from __future__ import annotations

import reflex as rx

from genapp.components.job_row import status_badge
from genapp.components.layout import NAV_ICONS
from genapp.state.library_view import LibraryCard


def _thumb(card: rx.Var[LibraryCard]) -> rx.Component:
    return rx.cond(
        card.thumb != "",
        rx.image(src=card.thumb, alt=card.title, width="72px", height="72px", border_radius="8px", flex_shrink="0", object_fit="cover",
                 loading="lazy", custom_attrs={"data-testid": "library-thumb"}),
        rx.center(
            rx.match(card.type, *[(t, rx.icon(icon, size=32)) for t, icon in NAV_ICONS.items()], rx.icon("file", size=32)),
            width="72px", height="72px", border_radius="8px", flex_shrink="0", background=rx.color("gray", 3), color=rx.color("gray", 9),
        ),
    )


def _tags_view(card: rx.Var[LibraryCard], tags: rx.Var[list[str]], state) -> rx.Component:
    return rx.hstack(
        rx.foreach(tags, lambda tag: rx.badge(tag, variant="surface", size="1", custom_attrs={"data-testid": "library-tag"})),
        rx.button(rx.icon("tag", size=12), rx.cond(tags.length() > 0, "Edit", "Add tags"), size="1", variant="ghost",
                  on_click=state.edit_tags(card.id), custom_attrs={"data-testid": "library-tags-edit"}),
        wrap="wrap",
        spacing="1",
        align="center",
    )


def _tags_editor(state) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(value=state.tag_draft, on_change=state.set_tag_draft, placeholder="villain, session 3", size="1", flex="1",
                     auto_focus=True, custom_attrs={"data-testid": "library-tags-input"}),
            rx.button("Save", type="submit", size="1", custom_attrs={"data-testid": "library-tags-save"}),
            rx.button("Cancel", type="button", size="1", variant="ghost", on_click=state.cancel_tags),
            width="100%",
            spacing="1",
        ),
        on_submit=state.save_tags,
        reset_on_submit=False,
        width="100%",
    )


def library_card(card: rx.Var[LibraryCard], *, starred, tags, selected, editing, state) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.checkbox(checked=selected, on_change=lambda _v: state.toggle_select(card.id), aria_label="Select",
                            custom_attrs={"data-testid": "library-select"}),
                _thumb(card),
                rx.vstack(
                    rx.link(rx.text(card.title, weight="bold", size="2"), href="/dashboard/jobs/" + card.id,
                            custom_attrs={"data-testid": "library-title"}),
                    rx.hstack(rx.badge(card.type, variant="outline", size="1"), status_badge(card.status), spacing="2", wrap="wrap"),
                    rx.text(card.created, size="1", color_scheme="gray"),
                    spacing="1",
                    flex="1",
                    min_width="0",
                ),
                rx.icon_button(
                    rx.icon("star", size=16, fill=rx.cond(starred, "currentColor", "none")),
                    size="1",
                    variant="ghost",
                    color_scheme=rx.cond(starred, "amber", "gray"),
                    on_click=state.toggle_star(card.id),
                    aria_label=rx.cond(starred, "Unstar", "Star"),
                    custom_attrs={"data-testid": "library-star", "data-starred": rx.cond(starred, "yes", "no")},
                ),
                width="100%",
                align="start",
                spacing="3",
            ),
            rx.cond(editing, _tags_editor(state), _tags_view(card, tags, state)),
            spacing="3",
            width="100%",
        ),
        key=card.id,
        custom_attrs={"data-testid": "library-card", "data-job-id": card.id},
    )
