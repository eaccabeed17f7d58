"""The contract every content generator fulfils.

Generators are pure Python: no Reflex, database or engine imports, so the same
code runs in the web process or on a remote worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator as PyGenerator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Protocol, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError


def _loose(model: type[BaseModel], data: Any) -> Any:
    """``model`` built from ``data`` without validation, nested models included (see Generator.load)."""
    if not isinstance(data, Mapping):
        return data
    values = {name: _loose_value(field.annotation, data[name]) for name, field in model.model_fields.items() if name in data}
    return model.model_construct(**values)


def _loose_value(annotation: Any, value: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _loose(annotation, value)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is list and args and isinstance(value, list):
        return [_loose_value(args[0], v) for v in value]
    if len(args) == 1 and get_origin(annotation) is not list:  # X | None
        return _loose_value(args[0], value)
    return value


class ContentType(str, Enum):
    CHARACTER = "character"
    NPC = "npc"
    ITEM = "item"
    QUEST = "quest"
    ENCOUNTER = "encounter"
    WORLD = "world"
    CAMPAIGN = "campaign"


class Reporter(Protocol):
    """Where a generator reports progress (0-100) and its current stage."""

    def report(self, progress: float, stage: str, detail: str = "") -> None: ...


def bounded_str(max_length: int, min_length: int = 1) -> Any:
    """A str type with length bounds, for list items: ``list[bounded_str(80)]``."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length)]


class Content(BaseModel):
    """Base of every generated content model.

    Every concrete model has a ``name`` field; ``title()`` returns the display
    title and ``to_markdown()`` a complete Markdown document. Every field of a content
    model is bounded (string and list lengths, integer ranges, choices), so the model
    doubles as a JSON schema an LLM cannot overrun (see ``bounds.max_json_chars``).
    """

    # every kind of content is named; it is the title shown in lists (each model bounds its own)
    name: str = Field(min_length=1, max_length=80)

    def title(self) -> str:
        return self.name

    def to_markdown(self) -> str:
        raise NotImplementedError


# One step of a staged build: (progress 0-100, stage, detail).
Step = tuple[float, str, str]
# A staged builder is a generator function yielding Steps and *returning* the content.
StagedBuild = Callable[[str, BaseModel, int], PyGenerator[Step, None, Content]]


@dataclass(frozen=True)
class Generator:
    type: ContentType
    label: str  # human name of the type, e.g. "Character"
    form_model: type[BaseModel]  # optional, constrained fields a form may set
    content_model: type[Content]
    build: Callable[[str, BaseModel, int], Content]  # (prompt, form, seed) -> content; sync, pure
    stages: tuple[str, ...] = ("Drafting", "Detailing", "Polishing")
    # Optional: build truly stage by stage (used by generate() when set).
    staged: StagedBuild | None = None

    @property
    def noun(self) -> str:
        """The label inside a sentence: "character", but "NPC" stays as it is."""
        return self.label if self.label.isupper() else self.label.lower()

    def load(self, data: Mapping[str, Any]) -> Content:
        """Stored content as a model: validated, or, when it predates the models' bounds (an older
        quest with five objectives, an LLM answer saved before the limits), taken as it was saved."""
        try:
            return self.content_model.model_validate(data)
        except ValidationError:
            return _loose(self.content_model, data)

    def make_form(self, data: Mapping[str, Any] | BaseModel | None = None) -> BaseModel:
        """Validate form data (a dict, a form instance or None for all defaults)."""
        if isinstance(data, self.form_model):
            return data
        if isinstance(data, BaseModel):
            data = data.model_dump()
        return self.form_model.model_validate(dict(data or {}))

    async def generate(self, prompt: str, form: BaseModel, seed: int, reporter: Reporter) -> Content:
        """Build the content, reporting each stage and yielding so cancellation lands."""
        if self.staged is not None:
            steps = self.staged(prompt, form, seed)
            while True:
                try:
                    progress, stage, detail = next(steps)
                except StopIteration as done:
                    content = done.value
                    break
                reporter.report(progress, stage, detail)
                await asyncio.sleep(0)
            reporter.report(100, "Content ready")
            return content
        n = len(self.stages)
        for i, stage in enumerate(self.stages):
            reporter.report(100 * i / n, stage)
            await asyncio.sleep(0)
        content = self.build(prompt, form, seed)
        reporter.report(100, "Content ready")
        return content
