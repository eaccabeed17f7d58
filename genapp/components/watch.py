"""Run an event handler in the browser whenever a state var changes."""

from __future__ import annotations

import reflex as rx


def on_change(value: rx.Var, handler) -> rx.Component:
    """Fires `handler` on mount and on every change of `value`.

    The outer element is keyed by the value, so a change remounts its child, whose mount
    effect runs the handler. (A key on the element that carries `on_mount` would not do: Reflex
    puts the effect in a memo wrapper above the keyed element, which never remounts.)
    """
    return rx.box(rx.box(on_mount=handler), key=value.to_string(), display="none")
