"""Text generation through any OpenAI-compatible Chat Completions server, streamed.

It returns the same typed content models as the procedural generators, so pages and
downloads do not change. Progress comes from the streamed characters against the size the
procedural generator gives the same request; a campaign is built in stages, one call each.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError, create_model

from genapp.generators import Content, ContentType, Generator, Reporter
from genapp.generators import campaign as campaign_gen
from genapp.generators import encounter as encounter_gen
from genapp.generators import npc as npc_gen
from genapp.generators import quest as quest_gen
from genapp.generators import world as world_gen
from genapp.providers import prompts
from genapp.providers.errors import ProviderError
from genapp.providers.http import CheckResult, Endpoint, HttpProvider
from genapp.providers.retry import with_retries
from genapp.providers.sse import read_chat_stream

log = logging.getLogger(__name__)

CHECK_SHARE = 0.9  # of a call's progress window: drafting fills this, then checking, then any repair


@dataclass(frozen=True)
class TextOptions:
    model: str
    structured_output: str = "auto"  # auto | json_schema | json_object | prompt
    temperature: float = 0.9
    max_tokens: int = 4096


class InvalidAnswer(ValueError):
    """The model answered, but not with usable content; the message says why (and goes back to the model)."""


@dataclass
class _Window:
    """Maps one call's own progress (0-1) onto a slice of the job's content bar."""

    reporter: Reporter
    low: float
    high: float
    stage: str
    detail: str = ""
    _last: int = -1

    def at(self, fraction: float, stage: str | None = None, detail: str | None = None) -> None:
        value = self.low + (self.high - self.low) * min(1.0, max(0.0, fraction))
        if int(value) != self._last or stage is not None:  # one report per whole percent: cheap at 50 tok/s
            self._last = int(value)
            self.reporter.report(value, stage or self.stage, self.detail if detail is None else detail)


class OpenAITextProvider(HttpProvider):
    what = "The LLM server"

    def __init__(self, endpoint: Endpoint, options: TextOptions):
        super().__init__(endpoint)
        self.options = options
        self._mode = "json_schema" if options.structured_output == "auto" else options.structured_output

    @property
    def label(self) -> str:
        return f"{self.options.model} at {self.endpoint.host}"

    # ----- public ----------------------------------------------------------------------------

    async def generate(self, generator: Generator, prompt: str, form: BaseModel, seed: int, reporter: Reporter) -> Content:
        if generator.type == ContentType.CAMPAIGN:
            return await self._campaign(generator, prompt, form, seed, reporter)
        expected = _size(generator.build(prompt, form, seed))
        messages = prompts.content_messages(label=generator.label.lower(), prompt=prompt, form=form, seed=seed)
        content = await self._structured(generator.content_model, messages, expected, _Window(reporter, 0, 99, "Drafting", self.options.model))
        reporter.report(100, "Content ready")
        return honour_form(content, form)

    async def check(self) -> CheckResult:
        model = self.options.model

        def describe(data: dict[str, Any]):
            ids = [str(m["id"]) for m in data["data"]]
            listed = model in ids
            summary = f"{len(ids)} model(s)" + (f"; {model!r} is available" if listed else f"; {model!r} is NOT among them")
            return listed or not ids, summary, tuple(ids[:20])

        return await self.check_get("models", describe)

    # ----- one structured answer, with one repair ---------------------------------------------

    async def _structured(self, model: type[BaseModel], messages: list[dict[str, str]], expected: int, window: _Window) -> Any:
        schema = _schema(model)
        name = "genapp_" + model.__name__.lower()
        draft_end = window.low + (window.high - window.low) * CHECK_SHARE
        drafting = _Window(window.reporter, window.low, draft_end, window.stage, window.detail)
        answer, finish = await self._chat(messages, name, schema, expected, drafting)
        window.reporter.report(draft_end, "Checking", window.stage.lower())
        try:
            return _validate(model, answer, finish)
        except InvalidAnswer as problem:
            log.info("Invalid %s answer (%s); asking for one repair", model.__name__, problem)
            repairing = _Window(window.reporter, draft_end, window.high, "Repairing", str(problem)[:80])
            answer, finish = await self._chat(prompts.repair_messages(messages, answer, str(problem)), name, schema, expected, repairing)
        try:
            return _validate(model, answer, finish)
        except InvalidAnswer as problem:
            raise ProviderError(f"The model's answer was not a valid {_label(model)} after one repair attempt: {problem}") from None

    async def _chat(self, messages: list[dict[str, str]], name: str, schema: dict[str, Any], expected: int, window: _Window) -> tuple[str, str | None]:
        """One streamed chat completion (retried on transient faults): the text and its finish reason."""

        def on_retry(attempt: int, allowed: int, error: ProviderError, wait: float) -> None:
            window.at(0, stage="Retrying", detail=f"{error.message}; attempt {attempt + 1} of {allowed} in {wait:.1f}s")

        async def attempt(_: int) -> tuple[str, str | None]:
            try:
                return await self._stream_once(messages, name, schema, expected, window)
            except ProviderError as error:
                raise error.redacted(self.redact)

        return await with_retries(attempt, self.endpoint.retry, on_retry=on_retry)

    async def _stream_once(self, messages, name, schema, expected: int, window: _Window) -> tuple[str, str | None]:
        while True:
            mode = self._mode
            try:
                async with asyncio.timeout(self.endpoint.request_timeout):
                    return await self._read_stream(self._payload(messages, name, schema, mode), expected, window)
            except TimeoutError:
                raise self.timed_out() from None
            except ProviderError as error:
                # auto mode: a server that refuses json_schema gets the schema in the prompt instead, from now on
                if self.options.structured_output == "auto" and mode == "json_schema" and error.status in (400, 422):
                    log.warning("%s refused response_format json_schema (%s); using instructions instead", self.name, error.message)
                    self._mode = "prompt"
                    continue
                raise

    async def _read_stream(self, payload: dict[str, Any], expected: int, window: _Window) -> tuple[str, str | None]:
        parts: list[str] = []
        received = 0

        def on_text(text: str) -> None:
            nonlocal received
            parts.append(text)
            received += len(text)
            window.at(received / expected)

        window.at(0)
        async with self.stream("POST", "chat/completions", body=payload) as response:
            finish = await read_chat_stream(response, what=self.name, max_bytes=self.endpoint.max_response_bytes, on_text=on_text)
        return "".join(parts), finish

    def _payload(self, messages: list[dict[str, str]], name: str, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.options.model,
            "messages": messages,
            "stream": True,
            "temperature": self.options.temperature,
            "max_tokens": self.options.max_tokens,
        }
        if mode == "json_schema":
            payload["response_format"] = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}
        else:
            payload["messages"] = [*messages[:-1], {**messages[-1], "content": messages[-1]["content"] + "\n\n" + prompts.schema_block(schema)}]
            if mode == "json_object":
                payload["response_format"] = {"type": "json_object"}
        return payload

    # ----- a campaign: world, cast, quests, encounters, then the acts that tie them ----------------

    async def _campaign(self, generator: Generator, prompt: str, form: BaseModel, seed: int, reporter: Reporter) -> Content:
        sample = generator.build(prompt, form, seed)  # sizes each stage's expected answer
        acts, cast = form.acts, form.acts + 1
        base = prompts.content_messages
        theme = form.theme if form.theme != "any" else "your choice"
        brief = f"This is part of a {theme} campaign for a party starting at level {form.party_level}, in {acts} act(s)."
        stages = [
            ("Building world", _size(sample.world)),
            ("Casting NPCs", _size(sample.npcs)),
            ("Writing quests", _size(sample.quests)),
            ("Staging encounters", _size(sample.encounters)),
            ("Weaving acts", _size(sample.acts) + len(sample.premise) + 80),
        ]
        total = sum(size for _, size in stages)
        windows, start = [], 0.0
        for stage, size in stages:
            end = start + 99 * size / total
            windows.append(_Window(reporter, start, end, stage, self.options.model))
            start = end

        world = await self._structured(world_gen.WorldContent, base(label="campaign world", prompt=prompt, form=None, seed=seed, extra=brief), stages[0][1], windows[0])
        setting = f"{brief}\nThe world: {world.name} (capital {world.capital}). {world.summary}"

        cast_model = _list_of("CampaignCast", "npcs", npc_gen.NpcContent, cast)
        extra = f"{setting}\nCreate {cast} NPCs: the first is the villain, the second the patron who hires the party, the rest allies, rivals or wildcards."
        npcs = (await self._structured(cast_model, base(label="campaign cast", prompt=prompt, form=None, seed=seed, extra=extra), stages[1][1], windows[1])).npcs
        people = "; ".join(f"{n.name} ({n.occupation})" for n in npcs)

        quest_model = _list_of("CampaignQuests", "quests", quest_gen.QuestContent, acts)
        extra = f"{setting}\nThe cast: {people}. The villain is {npcs[0].name}.\nCreate {acts} quests, one per act, in order, rising in stakes and level."
        quests = (await self._structured(quest_model, base(label="set of campaign quests", prompt=prompt, form=None, seed=seed, extra=extra), stages[2][1], windows[2])).quests

        encounter_model = _list_of("CampaignEncounters", "encounters", encounter_gen.EncounterContent, acts)
        plot = "; ".join(f"Act {i + 1}: {q.name} at {q.location}" for i, q in enumerate(quests))
        extra = f"{setting}\nThe quests: {plot}.\nCreate {acts} encounters, one per act, for a party of 4; the last is the deadly finale against {npcs[0].name}."
        encounters = (await self._structured(encounter_model, base(label="set of campaign encounters", prompt=prompt, form=None, seed=seed, extra=extra), stages[3][1], windows[3])).encounters

        outline_model = create_model(
            "CampaignOutline",
            name=(str, ...),
            theme=(str, ...),
            premise=(str, ...),
            acts=(list[campaign_gen.Act], Field(min_length=acts, max_length=acts)),
        )
        fights = "; ".join(f"Act {i + 1}: {e.name}" for i, e in enumerate(encounters))
        extra = (
            f"{setting}\nThe cast: {people}. Villain: {npcs[0].name}.\nQuests: {plot}.\nEncounters: {fights}.\n"
            f"Name the campaign, state its theme in one word, write its premise, and write {acts} acts that weave these together "
            "(each act lists the titles of its quests and encounters)."
        )
        outline = await self._structured(outline_model, base(label="campaign outline", prompt=prompt, form=None, seed=seed, extra=extra), stages[4][1], windows[4])
        content = generator.content_model(
            name=outline.name,
            theme=outline.theme if form.theme == "any" else form.theme,
            party_level=form.party_level,
            premise=outline.premise,
            villain=npcs[0].name,
            world=world,
            npcs=npcs,
            quests=quests,
            encounters=encounters,
            acts=outline.acts,
        )
        try:
            _render(content)
        except InvalidAnswer as problem:
            raise ProviderError(f"The campaign's parts could not be put together: {problem}") from None
        reporter.report(100, "Content ready")
        return content


# ----- helpers -----------------------------------------------------------------------------------


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema, built once (about a millisecond each time otherwise)."""
    return model.model_json_schema()


def _size(value: Any) -> int:
    """Characters a model would likely stream for this value (compact JSON plus some whitespace)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return max(200, int(len(json.dumps(value, separators=(",", ":"))) * 1.1))


def honour_form(content: Content, form: BaseModel) -> Content:
    """What the game master set explicitly on the form wins over what the model wrote (level 5 stays 5)."""
    fields = type(content).model_fields
    chosen = {name: value for name, value in form.model_dump().items() if name in fields and value not in ("any", None, "")}
    return content.model_copy(update=chosen) if chosen else content


def _list_of(name: str, field: str, item: type[BaseModel], count: int) -> type[BaseModel]:
    return create_model(name, **{field: (list[item], Field(min_length=count, max_length=count))})


def _label(model: type[BaseModel]) -> str:
    return model.__name__.removesuffix("Content").lower()


def extract_json(text: str) -> Any:
    """The JSON object in a model's answer: bare, fenced in ```json, or wrapped in a sentence."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise InvalidAnswer("it contains no JSON object")
    try:
        return json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"it is not valid JSON ({exc.msg} at character {exc.pos})") from None


def _validate(model: type[BaseModel], answer: str, finish: str | None) -> Any:
    try:
        data = extract_json(answer)
        try:
            value = model.model_validate(data)
        except ValidationError as exc:
            problems = [f"{'.'.join(str(p) for p in e['loc']) or 'the object'}: {e['msg']}" for e in exc.errors()[:5]]
            more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
            raise InvalidAnswer("; ".join(problems) + more) from None
        if isinstance(value, Content):
            _render(value)
        return value
    except InvalidAnswer as problem:
        if finish == "length":
            raise InvalidAnswer(f"{problem}; the answer was cut off at the token limit (GENAPP_LLM_MAX_TOKENS)") from None
        raise


def _render(content: Content) -> None:
    """Content is usable only if it renders: pages and downloads show its Markdown."""
    try:
        content.to_markdown()
    except Exception as exc:  # noqa: BLE001 - any failure here means the answer's shape is unusable
        raise InvalidAnswer(f"it does not fit the {_label(type(content))} layout ({type(exc).__name__}: {exc})") from None
