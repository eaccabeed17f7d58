"""A finished result as a readable card: illustration beside the Markdown write-up."""

from __future__ import annotations

import reflex as rx

from genapp.state.results import ResultView


def result_card(view: rx.Var[ResultView], *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.cond(
                view.image_url != "",
                rx.image(
                    src=view.image_url,
                    width="220px",
                    height="220px",
                    border_radius="12px",
                    alt=view.title,
                    flex_shrink="0",
                    custom_attrs={"data-testid": "result-image"},
                ),
            ),
            rx.box(
                rx.markdown(view.markdown, use_raw=False),  # model-written text: HTML in it shows as text
                flex="1",
                min_width="0",
                class_name="genapp-result",
            ),
            gap="24px",
            direction=rx.breakpoints(initial="column", md="row"),
            align="start",
        ),
        rx.cond(len(actions) > 0, rx.hstack(*actions, spacing="2", margin_top="12px", wrap="wrap")) if actions else rx.fragment(),
        width="100%",
        size="3",
    )
