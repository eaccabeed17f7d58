"""Turning raw user input into a valid job request, or a clear message per field."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from genapp.generators import ContentType, get_generator
from genapp.providers import IMAGE_SOURCES, TEXT_SOURCES


ILLUSTRATION_ONLY = "illustration_only"  # form_data flag: the content was given, the whole run is the picture


class JobRequestError(ValueError):
    """Input that cannot become a job; `errors` maps a field name to a message for the user."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Simulation:
    """QA pacing: stretch a job over `seconds` and fail at `fail_at` % on its first attempt."""

    seconds: float
    fail_at: float | None = None


@dataclass(frozen=True)
class Sources:
    """Where a job's text and picture come from: the procedural generators or the configured services."""

    text: str = "procedural"  # procedural | llm
    image: str = "procedural"  # procedural | api


@dataclass(frozen=True)
class JobRequest:
    type: ContentType
    prompt: str
    form: dict[str, Any]
    seed: int
    skip_image: bool = False
    simulation: Simulation | None = None
    sources: Sources = Sources()
    form_data: dict[str, Any] = field(default_factory=dict)
    content: dict[str, Any] | None = None  # given content: the job only paints its illustration
    title: str = ""  # the content's title, when content is given


def _message(error: dict[str, Any], label: str) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{label} must be a whole number."
    if kind in ("float_parsing", "float_type"):
        return f"{label} must be a number."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{label} {error['msg'].lower().replace('input should be', 'must be')}."
    if kind == "literal_error":
        return f"{label} must be one of {ctx.get('expected', '')}."
    return f"{label}: {error['msg']}."


def validate_form(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    """Validate form fields; empty strings mean "not set" so defaults apply."""
    cleaned = {k: v for k, v in raw.items() if not (isinstance(v, str) and v.strip() == "")}
    try:
        return model.model_validate(cleaned).model_dump(mode="json")
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            info = model.model_fields.get(name)
            label = (info.title if info and info.title else name.replace("_", " ").capitalize())
            errors.setdefault(name, _message(err, label))
        raise JobRequestError(errors) from None


def _number(raw: Any, name: str, label: str, errors: dict[str, str], *, low: float, high: float) -> float | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors[name] = f"{label} must be a number."
        return None
    if not low <= value <= high:
        errors[name] = f"{label} must be between {low:g} and {high:g}."
        return None
    return value


def build_request(
    *,
    job_type: str,
    prompt: str = "",
    form: dict[str, Any] | None = None,
    skip_image: bool = False,
    seed: Any = None,
    simulate_seconds: Any = None,
    fail_at: Any = None,
    max_prompt_chars: int = 4000,
    max_simulated_seconds: float = 120,
    text_source: str = "procedural",
    image_source: str = "procedural",
    llm_configured: bool = False,
    image_api_configured: bool = False,
) -> JobRequest:
    """Check every input and return a request, or raise JobRequestError naming each bad field."""
    errors: dict[str, str] = {}
    try:
        content_type = ContentType(job_type)
    except ValueError:
        raise JobRequestError({"type": f"Unknown content type {job_type!r}; choose one of {', '.join(t.value for t in ContentType)}."}) from None
    prompt = (prompt or "").strip()
    if len(prompt) > max_prompt_chars:
        errors["prompt"] = f"Prompt is {len(prompt):,} characters; the limit is {max_prompt_chars:,}."
    valid_form: dict[str, Any] = {}
    try:
        valid_form = validate_form(get_generator(content_type).form_model, dict(form or {}))
    except JobRequestError as exc:
        errors.update(exc.errors)
    seed_value = _number(seed, "seed", "Seed", errors, low=0, high=2**53)
    if seed_value is not None and seed_value != int(seed_value):
        errors["seed"] = "Seed must be a whole number."
    seconds = _number(simulate_seconds, "duration", "Duration", errors, low=0, high=max_simulated_seconds)
    fail = _number(fail_at, "fail_at", "Failure point", errors, low=0, high=100)
    sources = Sources(text=(text_source or "procedural").strip(), image=(image_source or "procedural").strip())
    if sources.text not in TEXT_SOURCES:
        errors["text_source"] = f"Unknown text source {sources.text!r}; choose {' or '.join(TEXT_SOURCES)}."
    elif sources.text == "llm" and not llm_configured:
        errors["text_source"] = "No LLM is configured: set GENAPP_LLM_BASE_URL (see Settings), or choose procedural."
    if sources.image not in IMAGE_SOURCES:
        errors["image_source"] = f"Unknown image source {sources.image!r}; choose {' or '.join(IMAGE_SOURCES)}."
    elif sources.image == "api" and not image_api_configured and not skip_image:
        errors["image_source"] = "No image service is configured: set GENAPP_IMAGE_PROVIDER (see Settings), or choose procedural."
    if errors:
        raise JobRequestError(errors)
    simulation = Simulation(seconds=seconds or 0.0, fail_at=fail) if (seconds or fail is not None) else None
    final_seed = int(seed_value) if seed_value is not None else secrets.randbelow(2**31)
    form_data: dict[str, Any] = {"form": valid_form}
    if simulation:
        form_data["simulation"] = {"seconds": simulation.seconds, "fail_at": simulation.fail_at}
    if sources != Sources():
        form_data["sources"] = {"text": sources.text, "image": sources.image}
    return JobRequest(
        type=content_type,
        prompt=prompt,
        form=valid_form,
        seed=final_seed,
        skip_image=bool(skip_image),
        simulation=simulation,
        sources=sources,
        form_data=form_data,
    )


def illustration_request(
    *,
    job_type: str,
    content: dict[str, Any],
    prompt: str = "",
    form: dict[str, Any] | None = None,
    seed: Any = None,
    image_source: str = "procedural",
    image_api_configured: bool = False,
    source_job: str | None = None,
) -> JobRequest:
    """A job that paints a new illustration for content that exists already (an earlier job's, or sent by a
    program): the content is checked against its type's bounds as an LLM's answer would be; no text is made."""
    errors: dict[str, str] = {}
    try:
        content_type = ContentType(job_type)
    except ValueError:
        raise JobRequestError({"type": f"Unknown content type {job_type!r}; choose one of {', '.join(t.value for t in ContentType)}."}) from None
    generator = get_generator(content_type)
    title, valid = "", dict(content)
    if source_job:  # a job's own stored content, maybe from before the bounds: taken as saved, as its page shows it
        title = generator.load(content).title()
    else:
        try:
            model = generator.content_model.model_validate(content)
            title, valid = model.title(), model.model_dump(mode="json")
        except ValidationError as exc:
            for err in exc.errors():
                name = "content." + ".".join(str(part) for part in err["loc"]) if err["loc"] else "content"
                errors.setdefault(name, str(err["msg"]))
    seed_value = _number(seed, "seed", "Seed", errors, low=0, high=2**53)
    if seed_value is not None and seed_value != int(seed_value):
        errors["seed"] = "Seed must be a whole number."
    image = (image_source or "procedural").strip()
    if image not in IMAGE_SOURCES:
        errors["image_source"] = f"Unknown image source {image!r}; choose {' or '.join(IMAGE_SOURCES)}."
    elif image == "api" and not image_api_configured:
        errors["image_source"] = "No image service is configured: set GENAPP_IMAGE_PROVIDER (see Settings), or choose procedural."
    if errors:
        raise JobRequestError(errors)
    sources = Sources(image=image)
    form_data: dict[str, Any] = {"form": dict(form or {}), ILLUSTRATION_ONLY: True}
    if sources != Sources():
        form_data["sources"] = {"text": sources.text, "image": sources.image}
    if source_job:
        form_data["illustrates"] = source_job  # the job whose content this one paints anew
    return JobRequest(
        type=content_type,
        prompt=(prompt or "").strip(),
        form=form_data["form"],
        seed=int(seed_value) if seed_value is not None else secrets.randbelow(2**31),
        sources=sources,
        form_data=form_data,
        content=valid,
        title=str(title)[:200],
    )


def simulation_of(form_data: dict[str, Any]) -> Simulation | None:
    raw = form_data.get("simulation")
    return Simulation(seconds=float(raw.get("seconds") or 0), fail_at=raw.get("fail_at")) if raw else None


def sources_of(form_data: dict[str, Any]) -> Sources:
    raw = form_data.get("sources") or {}
    return Sources(text=raw.get("text", "procedural"), image=raw.get("image", "procedural"))
