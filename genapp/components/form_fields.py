"""Form inputs built from a generator's pydantic form model, each with its error beneath it."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import reflex as rx
from pydantic.fields import FieldInfo


def _base_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def field_label(name: str, info: FieldInfo) -> str:
    return info.title or name.replace("_", " ").capitalize()


def field_error(errors: rx.Var[dict[str, str]], name: str) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color_scheme="red", size="1", custom_attrs={"data-testid": f"field-error-{name}"}),
    )


def form_field(name: str, info: FieldInfo, errors: rx.Var[dict[str, str]]) -> rx.Component:
    annotation = _base_type(info.annotation)
    default = "" if info.default is None or info.default is ... else info.default
    if typing.get_origin(annotation) is Literal:
        choices = [str(c) for c in typing.get_args(annotation)]
        control = rx.select(
            choices,
            name=name,
            default_value=str(default) if str(default) in choices else choices[0],
            custom_attrs={"data-testid": f"field-{name}"},
        )
    elif annotation in (int, float):
        control = rx.input(
            name=name,
            type="number",
            default_value=str(default),
            placeholder="random" if default == "" else "",
            custom_attrs={"data-testid": f"field-{name}"},
        )
    elif annotation is bool:
        control = rx.checkbox(name=name, default_checked=bool(default), custom_attrs={"data-testid": f"field-{name}"})
    else:
        control = rx.input(name=name, default_value=str(default), custom_attrs={"data-testid": f"field-{name}"})
    return rx.vstack(
        rx.text(field_label(name, info), size="2", weight="medium"),
        control,
        field_error(errors, name),
        spacing="1",
        min_width="150px",
        flex="1",
    )
