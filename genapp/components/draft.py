"""The text an LLM is streaming for a running job, shown while it arrives (as text, never HTML)."""

from __future__ import annotations

import reflex as rx

from genapp.state.user_jobs import UserJobs


def job_draft(job_id: rx.Var[str]) -> rx.Component:
    return rx.cond(
        UserJobs.drafts.contains(job_id),
        rx.box(
            rx.hstack(
                rx.icon("pen-line", size=14),
                rx.text("Draft, as the model writes it", size="1", weight="medium"),
                spacing="1",
                align="center",
                color=rx.color("gray", 11),
            ),
            rx.text(
                UserJobs.drafts[job_id],
                size="2",
                style={"whiteSpace": "pre-wrap", "overflowWrap": "anywhere"},
                custom_attrs={"data-testid": "job-draft-text"},
            ),
            padding="8px 12px",
            border_radius="8px",
            border=f"1px dashed {rx.color('gray', 6)}",
            background=rx.color("gray", 1),
            width="100%",
            max_height="320px",
            overflow_y="auto",
            custom_attrs={"data-testid": "job-draft", "data-job-id": job_id},
        ),
    )
