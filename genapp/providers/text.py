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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from genapp.generators import Content, ContentType, Generator, Reporter
from genapp.generators import campaign as campaign_gen
from genapp.generators import encounter as encounter_gen
from genapp.generators import npc as npc_gen
from genapp.generators import quest as quest_gen
from genapp.generators import world as world_gen
from genapp.generators.bounds import max_json_chars
from genapp.providers import context as ctx
from genapp.providers import prompts
from genapp.providers.draft import readable_draft
from genapp.providers.errors import ProviderError
from genapp.providers.http import CheckResult, Endpoint, HttpProvider
from genapp.providers.retry import with_retries
from genapp.providers.sse import read_chat_stream

log = logging.getLogger(__name__)

CHECK_SHARE = 0.9  # of a call's progress window: drafting fills this, then checking, then any repair
DRAFT_INTERVAL = 0.3  # seconds between draft previews handed to the job: words, not a per-token flood
PROBE_TIMEOUT = 5.0  # seconds for one context-size question to the server

OnDraft = Callable[[str], None]  # the readable text of the answer so far


@dataclass(frozen=True)
class TextOptions:
    model: str
    structured_output: str = "auto"  # auto | json_schema | json_object | prompt
    temperature: float = 0.9
    max_tokens: int | Literal["auto", "unset"] = "auto"  # a number caps the sized budget; unset sends none


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
    on_draft: OnDraft | None = None
    _last: int = -1

    def part(self, index: int, parts: int) -> _Window:
        """The index-th of `parts` equal slices of this window."""
        width = (self.high - self.low) / parts
        return _Window(self.reporter, self.low + width * index, self.low + width * (index + 1), self.stage, self.detail, self.on_draft)

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
        self._context: int | None = None  # tokens per request the server has room for, once learned
        self._context_probed = False
        self._counts_tokens = False  # a llama.cpp server: it counts prompt tokens itself (see _prompt_tokens)
        self._probe_lock = asyncio.Lock()

    @property
    def label(self) -> str:
        return f"{self.options.model} at {self.endpoint.host}"

    # ----- public ----------------------------------------------------------------------------

    async def generate(
        self, generator: Generator, prompt: str, form: BaseModel, seed: int, reporter: Reporter, on_draft: OnDraft | None = None
    ) -> Content:
        if generator.type == ContentType.CAMPAIGN:
            return await self._campaign(generator, prompt, form, seed, reporter, on_draft)
        expected = _size(generator.build(prompt, form, seed))
        messages = prompts.content_messages(label=generator.label.lower(), prompt=prompt, form=form, seed=seed)
        window = _Window(reporter, 0, 99, "Drafting", self.options.model, on_draft=on_draft)
        content = await self._structured(generator.content_model, messages, expected, window)
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
        drafting = _Window(window.reporter, window.low, draft_end, window.stage, window.detail, window.on_draft)
        need = ctx.answer_tokens(max_json_chars(model))
        answer, finish = await self._chat(messages, name, schema, expected, need, drafting)
        window.reporter.report(draft_end, "Checking", window.stage.lower())
        try:
            return _validate(model, answer, finish)
        except InvalidAnswer as problem:
            log.info("Invalid %s answer (%s); asking for one repair", model.__name__, problem)
            repairing = _Window(window.reporter, draft_end, window.high, "Repairing", str(problem)[:80], window.on_draft)
            answer, finish = await self._chat(prompts.repair_messages(messages, answer, str(problem)), name, schema, expected, need, repairing)
        try:
            return _validate(model, answer, finish)
        except InvalidAnswer as problem:
            raise ProviderError(f"The model's answer was not a valid {_label(model)} after one repair attempt: {problem}") from None

    async def _chat(
        self, messages: list[dict[str, str]], name: str, schema: dict[str, Any], expected: int, need: int, window: _Window
    ) -> tuple[str, str | None]:
        """One streamed chat completion (retried on transient faults): the text and its finish reason."""

        def on_retry(attempt: int, allowed: int, error: ProviderError, wait: float) -> None:
            window.at(0, stage="Retrying", detail=f"{error.message}; attempt {attempt + 1} of {allowed} in {wait:.1f}s")

        async def attempt(_: int) -> tuple[str, str | None]:
            try:
                return await self._stream_once(messages, name, schema, expected, need, window)
            except ProviderError as error:
                raise error.redacted(self.redact)

        return await with_retries(attempt, self.endpoint.retry, on_retry=on_retry)

    async def _stream_once(self, messages, name, schema, expected: int, need: int, window: _Window) -> tuple[str, str | None]:
        """One request, adapted at most once to each refusal a server can explain.

        A refusal of json_schema (in auto mode) resends this request with the schema in the prompt;
        a context-size refusal resends it with a max_tokens that fits. Both are decided per request:
        one server answer never changes how later jobs ask.
        """
        mode = "json_schema" if self.options.structured_output == "auto" else self.options.structured_output
        fitted: int | None = None  # max_tokens after a context refusal
        while True:
            payload = self._payload(messages, name, schema, mode)
            sent = fitted if fitted is not None else await self._max_tokens(payload["messages"], need)
            if sent is not None:
                payload["max_tokens"] = sent
            try:
                async with asyncio.timeout(self.endpoint.request_timeout):
                    return await self._read_stream(payload, expected, window)
            except TimeoutError:
                raise self.timed_out() from None
            except ProviderError as error:
                if error.status not in (400, 413, 422):
                    raise
                if ctx.is_context_refusal(error.message):
                    if fitted is not None:
                        raise self._does_not_fit(error, payload["messages"], need) from None
                    fitted = self._fit_after_refusal(error, payload["messages"], need, sent)
                    if fitted is None:
                        raise self._does_not_fit(error, payload["messages"], need) from None
                    log.info("%s: context refusal; retrying with max_tokens=%d", self.name, fitted)
                    continue
                if self.options.structured_output == "auto" and mode == "json_schema" and ctx.is_response_format_refusal(error.message):
                    log.warning("%s refused response_format json_schema (%s); this request sends the schema in the prompt", self.name, error.message)
                    mode, fitted = "prompt", None  # a longer prompt: its budget is sized again
                    continue
                raise

    # ----- how many tokens to ask for ------------------------------------------------------------

    def _capped(self, tokens: int) -> int:
        """`tokens`, at most GENAPP_LLM_MAX_TOKENS when that is a number."""
        return min(tokens, self.options.max_tokens) if isinstance(self.options.max_tokens, int) else tokens

    async def _max_tokens(self, messages: list[dict[str, str]], need: int) -> int | None:
        """What the content needs, capped by the setting and by the room the server's context leaves."""
        if self.options.max_tokens == "unset":
            return None
        budget = self._capped(need)
        room = ctx.room_for_answer(await self._context_size(), await self._prompt_tokens(messages))
        if room is not None:
            budget = min(budget, max(room, ctx.MIN_ANSWER_TOKENS))  # too little room: the server will say so
        return budget

    def _fit_after_refusal(self, error: ProviderError, messages: list[dict[str, str]], need: int, sent: int | None) -> int | None:
        """Learn the context from the refusal; the max_tokens that fits it, or None when nothing useful does."""
        refusal = ctx.parse_context_refusal(error.message, error.fields, sent)
        if refusal.context:
            self._context, self._context_probed = refusal.context, True
        prompt_tokens = refusal.prompt_tokens or ctx.estimate_prompt_tokens(messages)
        room = ctx.room_for_answer(self._context, prompt_tokens)
        if room is None or room < ctx.MIN_ANSWER_TOKENS:
            return None
        return min(self._capped(need), room)

    def _does_not_fit(self, error: ProviderError, messages: list[dict[str, str]], need: int) -> ProviderError:
        refusal = ctx.parse_context_refusal(error.message, error.fields, None)
        size = f"{self._context:,}-token context" if self._context else "context"
        prompt_tokens = refusal.prompt_tokens or ctx.estimate_prompt_tokens(messages)
        return ProviderError(
            f"{self.name} has no room for this request in its {size}: the prompt takes about {prompt_tokens:,} tokens and the "
            f"answer needs up to {need:,} more. Raise the server's context size to at least {prompt_tokens + need + ctx.MARGIN_TOKENS:,} "
            "(llama.cpp --ctx-size, Ollama num_ctx, LM Studio's context length), shorten the prompt, or cap answers with "
            f"GENAPP_LLM_MAX_TOKENS (a cap below what the answer needs can cut it off). The server said: {error.message}",
            status=error.status,
        )

    async def _context_size(self) -> int | None:
        """The server's context per request: asked once (llama.cpp /props, Ollama /api/show), else learned from a refusal."""
        if self._context_probed:
            return self._context
        async with self._probe_lock:
            if not self._context_probed:
                self._context = await self._probe_context()
                self._context_probed = True
                if self._context:
                    log.info("%s serves a %d-token context", self.name, self._context)
        return self._context

    def _root(self) -> str:
        return self.endpoint.base_url.rstrip("/").removesuffix("/v1") + "/"

    async def _probe_context(self) -> int | None:
        root = self._root()
        probes = (("GET", root + "props", None, ctx.context_from_llamacpp_props), ("POST", root + "api/show", {"model": self.options.model}, ctx.context_from_ollama_show))
        for method, url, body, read in probes:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    data = await self.request_json(method, url, body=body)
            except (ProviderError, TimeoutError):
                continue  # not that kind of server
            if size := read(data):
                self._counts_tokens = read is ctx.context_from_llamacpp_props
                return size
        return None

    async def _prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """The prompt's size in tokens: counted by a llama.cpp server itself (its chat template, then its
        tokenizer: two quick local calls), else estimated from its characters. Measured: the estimate put
        a campaign's last stage, whose prompt carries what a small model wrote before, under the real
        count, and the server refused it."""
        if self._counts_tokens:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    text = (await self.request_json("POST", self._root() + "apply-template", body={"messages": messages}))["prompt"]
                    tokens = (await self.request_json("POST", self._root() + "tokenize", body={"content": text}))["tokens"]
                return len(tokens) + ctx.PER_MESSAGE_TOKENS
            except (ProviderError, TimeoutError, KeyError, TypeError):
                log.info("%s does not count tokens for us; estimating prompt sizes", self.name)
                self._counts_tokens = False
        return ctx.estimate_prompt_tokens(messages)

    async def _read_stream(self, payload: dict[str, Any], expected: int, window: _Window) -> tuple[str, str | None]:
        parts: list[str] = []
        received = 0
        draft_due = 0.0

        def on_text(text: str) -> None:
            nonlocal received, draft_due
            parts.append(text)
            received += len(text)
            window.at(received / expected)
            if window.on_draft is not None and (now := time.monotonic()) >= draft_due:
                draft_due = now + DRAFT_INTERVAL
                window.on_draft(readable_draft("".join(parts)))

        window.at(0)
        async with self.stream("POST", "chat/completions", body=payload) as response:
            finish = await read_chat_stream(response, what=self.name, max_bytes=self.endpoint.max_response_bytes, on_text=on_text)
        if window.on_draft is not None:
            window.on_draft(readable_draft("".join(parts)))
        return "".join(parts), finish

    def _payload(self, messages: list[dict[str, str]], name: str, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.options.model,
            "messages": messages,
            "stream": True,
            "temperature": self.options.temperature,
        }
        if mode == "json_schema":
            payload["response_format"] = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}
        else:
            payload["messages"] = [*messages[:-1], {**messages[-1], "content": messages[-1]["content"] + "\n\n" + prompts.schema_block(schema)}]
            if mode == "json_object":
                payload["response_format"] = {"type": "json_object"}
        return payload

    # ----- a campaign: world, cast, quests, encounters, then the acts that tie them ----------------

    async def _campaign(
        self, generator: Generator, prompt: str, form: BaseModel, seed: int, reporter: Reporter, on_draft: OnDraft | None
    ) -> Content:
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
            windows.append(_Window(reporter, start, end, stage, self.options.model, on_draft=on_draft))
            start = end

        world = await self._structured(world_gen.WorldContent, base(label="campaign world", prompt=prompt, form=None, seed=seed, extra=brief), stages[0][1], windows[0])
        setting = f"{brief}\nThe world: {world.name} (capital {world.capital}). {world.summary}"

        def cast_ask(first: int, n: int) -> str:
            if first == 0:
                return f"{setting}\nCreate {n} NPCs: the first is the villain, the second the patron who hires the party, the rest allies, rivals or wildcards."
            return f"{setting}\nCreate {n} more NPCs for the cast: allies, rivals or wildcards."

        npcs = await self._list_in_parts("CampaignCast", "npcs", npc_gen.NpcContent, cast, "campaign cast", cast_ask, prompt, seed, stages[1][1], windows[1])
        people = "; ".join(f"{n.name} ({n.occupation})" for n in npcs)

        def quest_ask(first: int, n: int) -> str:
            return (
                f"{setting}\nThe cast: {people}. The villain is {npcs[0].name}.\n"
                f"Create {n} quest(s) for act(s) {_span(first, n)} of {acts}, one per act, in order, rising in stakes and level."
            )

        quests = await self._list_in_parts("CampaignQuests", "quests", quest_gen.QuestContent, acts, "set of campaign quests", quest_ask, prompt, seed, stages[2][1], windows[2])
        plot = "; ".join(f"Act {i + 1}: {q.name} at {q.location}" for i, q in enumerate(quests))

        def encounter_ask(first: int, n: int) -> str:
            finale = f"; the one for act {acts} is the deadly finale against {npcs[0].name}" if first + n == acts else ""
            return f"{setting}\nThe quests: {plot}.\nCreate {n} encounter(s) for act(s) {_span(first, n)}, one per act, for a party of 4{finale}."

        encounters = await self._list_in_parts(
            "CampaignEncounters", "encounters", encounter_gen.EncounterContent, acts, "set of campaign encounters", encounter_ask, prompt, seed, stages[3][1], windows[3]
        )

        outline_model = create_model(
            "CampaignOutline",
            **_fields_of(generator.content_model, "name", "theme", "premise"),  # the campaign's own bounds
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


    async def _list_in_parts(
        self,
        title: str,
        field: str,
        item: type[BaseModel],
        count: int,
        label: str,
        ask: Callable[[int, int], str],
        prompt: str,
        seed: int,
        expected: int,
        window: _Window,
    ) -> list[Any]:
        """`count` items in as few calls as the server's context allows: each call's largest answer must fit.

        ask(first, n) words the request for items first+1 .. first+n; later calls are told what exists.
        """
        per_call = await self._items_per_call(title, field, item, count, prompts.content_messages(label=label, prompt=prompt, form=None, seed=seed, extra=ask(0, count)))
        parts = -(-count // per_call)
        items: list[Any] = []
        for index in range(parts):
            n = min(per_call, count - len(items))
            extra = ask(len(items), n)
            if items:
                extra += "\nAlready created (do not repeat them): " + "; ".join(str(getattr(i, "name", "")) for i in items) + "."
            messages = prompts.content_messages(label=label, prompt=prompt, form=None, seed=seed, extra=extra)
            answer = await self._structured(_list_of(title, field, item, n), messages, max(200, expected * n // count), window.part(index, parts))
            items.extend(getattr(answer, field))
        return items

    async def _items_per_call(self, title: str, field: str, item: type[BaseModel], count: int, messages: list[dict[str, str]]) -> int:
        """The most items whose largest answer fits the room the server's context leaves (all, when its size is unknown)."""
        room = ctx.room_for_answer(await self._context_size(), await self._prompt_tokens(messages))
        if room is None or self.options.max_tokens == "unset":
            return count
        room = self._capped(room)
        fits = [n for n in range(1, count + 1) if ctx.answer_tokens(max_json_chars(_list_of(title, field, item, n))) <= room]
        return max(fits, default=1)


# ----- helpers -----------------------------------------------------------------------------------


def _span(first: int, n: int) -> str:
    """Acts first+1 .. first+n in words: "2", "1 to 3"."""
    return str(first + 1) if n == 1 else f"{first + 1} to {first + n}"


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


def _fields_of(model: type[BaseModel], *names: str) -> dict[str, Any]:
    """Fields of `model` (type and constraints) to build a partial model from."""
    return {name: (model.model_fields[name].annotation, model.model_fields[name]) for name in names}


@functools.cache  # one class per shape: schemas and bounds are cached per class
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
