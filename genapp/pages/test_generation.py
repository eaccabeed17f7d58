"""`/dashboard/test-generation`: the QA page. Start many paced jobs, inject failures, watch raw state."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import reflex as rx

from genapp.components.form_fields import field_error
from genapp.components.layout import page_header
from genapp.config import settings
from genapp.generators import ContentType
from genapp.jobs.batches import variations
from genapp.jobs.requests import JobRequestError, build_request
from genapp.jobs.errors import LimitReached
from genapp.jobs.runtime import get_service
from genapp.state.session import UserSession, refused
from genapp.state.user_jobs import UserJobs

MAX_BATCH = 50


class QAState(rx.State):
    errors: dict[str, str] = {}
    started: int = 0

    @rx.event
    async def start(self, form_data: dict[str, Any]):
        if not settings.qa_enabled():  # the handler exists whether or not the page is served
            return rx.toast.error("The QA page is off on this server.")
        errors: dict[str, str] = {}
        raw_count = str(form_data.get("count", "1")).strip() or "1"
        count = int(raw_count) if raw_count.isdigit() else 0
        if not 1 <= count <= MAX_BATCH:
            errors["count"] = f"Count must be a whole number from 1 to {MAX_BATCH}."
        try:
            request = build_request(
                job_type=str(form_data.get("type", "")),
                prompt=f"QA run: {form_data.get('type', '')}",
                simulate_seconds=form_data.get("duration", ""),
                fail_at=form_data.get("fail_at", ""),
                skip_image=form_data.get("skip_image") in ("on", True),
                max_simulated_seconds=settings.max_simulated_seconds,
            )
        except JobRequestError as exc:
            errors.update(exc.errors)
        self.errors = errors
        if errors:
            return
        owner = await (await self.get_state(UserSession))._owner()
        service = get_service()
        if form_data.get("as_batch") in ("on", True):  # one batch of `count` paced jobs (batch pages under load)
            try:
                await service.submit_batch(
                    owner=owner, requests=variations(request, count, seed_fixed=False), label=f"QA: {count} × {request.type.value}", kind="qa",
                )
            except LimitReached as exc:
                return refused(exc, "Started none. ")
            self.started += count
            return
        started = 0
        try:
            for _ in range(count):
                # A fresh seed each, so a batch is varied content and not one result repeated.
                await service.submit(owner=owner, request=dataclasses.replace(request, seed=secrets.randbelow(2**31)))
                started += 1
        except LimitReached as exc:
            return refused(exc, f"Started {started} of {count}. ")
        finally:
            self.started += started


def _labelled(label: str, control: rx.Component, name: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(QAState.errors, name),
        spacing="1",
        min_width="160px",
    )


NATIVE_INPUT_STYLE = {
    "padding": "6px 8px",
    "borderRadius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "height": "32px",
}


def _qa_form() -> rx.Component:
    return rx.form(
        rx.flex(
            _labelled(
                "Type",
                rx.el.select(
                    *[rx.el.option(t.value, value=t.value) for t in ContentType],
                    name="type",
                    style=NATIVE_INPUT_STYLE,
                    custom_attrs={"data-testid": "qa-type"},
                ),
                "type",
            ),
            _labelled(
                "Duration (s)",
                rx.el.input(name="duration", type="number", default_value="10", style=NATIVE_INPUT_STYLE, custom_attrs={"data-testid": "qa-duration"}),
                "duration",
                f"simulated, up to {settings.max_simulated_seconds:g} s",
            ),
            _labelled(
                "Fail at (%)",
                rx.el.input(name="fail_at", type="number", placeholder="none", style=NATIVE_INPUT_STYLE, custom_attrs={"data-testid": "qa-fail-at"}),
                "fail_at",
                "first attempt only, so retry recovers",
            ),
            _labelled(
                "Count",
                rx.el.input(name="count", type="number", default_value="3", style=NATIVE_INPUT_STYLE, custom_attrs={"data-testid": "qa-count"}),
                "count",
                f"1 to {MAX_BATCH}",
            ),
            rx.vstack(
                rx.text(" ", size="2"),
                rx.text(rx.hstack(rx.checkbox(name="skip_image"), rx.text("Skip illustration", size="2"), spacing="2", align="center"), as_="label"),
                spacing="1",
            ),
            rx.vstack(
                rx.text(" ", size="2"),
                rx.text(rx.hstack(rx.checkbox(name="as_batch", custom_attrs={"data-testid": "qa-as-batch"}), rx.text("As one batch", size="2"),
                                  spacing="2", align="center"), as_="label"),
                spacing="1",
            ),
            rx.vstack(
                rx.text(" ", size="2"),
                rx.button(rx.icon("play", size=14), "Start jobs", type="submit", custom_attrs={"data-testid": "qa-start"}),
                spacing="1",
            ),
            gap="16px",
            wrap="wrap",
            align="start",
        ),
        on_submit=QAState.start,
        reset_on_submit=False,
        no_validate=True,
    )


def test_generation_page() -> rx.Component:
    return rx.vstack(
        page_header("Test generation", "QA: start many paced jobs, inject failures, and watch the global job store live."),
        rx.card(_qa_form(), width="100%", size="3"),
        rx.text("Jobs started from this tab: ", rx.text.strong(QAState.started, custom_attrs={"data-testid": "qa-started"}), size="2", color_scheme="gray"),
        rx.heading("Global job store (raw, live)", size="4"),
        rx.grid(
            rx.card(rx.text("active", weight="bold", size="2"), rx.el.pre(UserJobs.active.to_string(), custom_attrs={"data-testid": "qa-raw-active"}, style={"fontSize": "11px", "whiteSpace": "pre-wrap", "maxHeight": "420px", "overflow": "auto"})),
            rx.card(rx.text("counts / recent", weight="bold", size="2"), rx.el.pre(UserJobs.counts.to_string(), custom_attrs={"data-testid": "qa-raw-counts"}, style={"fontSize": "11px"}), rx.el.pre(UserJobs.recent.to_string(), style={"fontSize": "11px", "whiteSpace": "pre-wrap", "maxHeight": "360px", "overflow": "auto"})),
            columns="2",
            spacing="3",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
