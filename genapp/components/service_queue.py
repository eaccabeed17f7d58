"""The admin's control of the whole service's queue (on the settings page; shown to admins only)."""

from __future__ import annotations

import reflex as rx

from genapp.state.session import JobActions, UserSession
from genapp.state.user_jobs import UserJobs


def service_queue_card() -> rx.Component:
    running = UserJobs.paused != "service"
    return rx.cond(
        UserSession.admin,
        rx.card(
            rx.vstack(
                rx.heading("Service queue (administrator)", size="4"),
                rx.text(
                    rx.cond(running, "Every user's waiting jobs start as slots free up.", "Paused for everyone: waiting jobs start when you resume."),
                    size="2",
                    custom_attrs={"data-testid": "service-queue-state"},
                ),
                rx.cond(
                    running,
                    rx.hstack(
                        rx.button(rx.icon("pause", size=14), "Pause for everyone", on_click=JobActions.pause_service(False), variant="soft",
                                  custom_attrs={"data-testid": "service-pause"}),
                        rx.button(rx.icon("octagon-pause", size=14), "Pause now (running jobs stop after their step)", on_click=JobActions.pause_service(True),
                                  variant="soft", color_scheme="orange", custom_attrs={"data-testid": "service-pause-now"}),
                        spacing="3",
                        wrap="wrap",
                    ),
                    rx.button(rx.icon("play", size=14), "Resume for everyone", on_click=JobActions.resume_service, custom_attrs={"data-testid": "service-resume"}),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "service-queue"},
        ),
    )
