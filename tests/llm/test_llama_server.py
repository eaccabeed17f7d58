"""genapp's text provider against a real llama.cpp server with a real (tiny) model.

SmolLM2-135M writes poor prose: these tests assert shape, protocol, streaming and progress, never
quality. What the server does here is llama.cpp's own behaviour: schema-constrained decoding from
`response_format: json_schema`, /props, and its context-size refusal.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from genapp.generators import ContentType, get_generator
from genapp.providers import Endpoint, OpenAITextProvider, ProviderError, RetryPolicy, TextOptions

pytestmark = pytest.mark.llm

CONTEXT = 4096
SINGLE_TYPES = [t.value for t in ContentType if t != ContentType.CAMPAIGN]


class Recorder:
    """Progress reports and drafts of one job."""

    def __init__(self):
        self.progress: list[float] = []
        self.stages: list[str] = []
        self.drafts: list[str] = []

    def report(self, progress: float, stage: str, detail: str = "") -> None:
        self.progress.append(progress)
        self.stages.append(stage)


def provider(llama, sent: list[dict]) -> OpenAITextProvider:
    """A provider as the app builds it (auto structured output, auto max_tokens), recording each chat request."""
    # A request queued behind the server's busy slots gets no byte until one frees: on this 2-core machine
    # under other load that took over 120 s (seen), so silence may last as long as a whole request here.
    llm = OpenAITextProvider(
        Endpoint(base_url=llama.url, retry=RetryPolicy(max_attempts=2, backoff=0.1), read_timeout=600, request_timeout=900),
        TextOptions(model="smollm2", temperature=0.7),
    )

    async def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            sent.append(json.loads(request.content))

    llm.client().event_hooks["request"].append(record)
    return llm


def prompt_tokens(llama, body: dict) -> int:
    """The prompt's size in the server's own tokens (its chat template applied, then tokenized)."""
    prompt = httpx.post(f"{llama.root}/apply-template", json={"messages": body["messages"]}, timeout=30).json()["prompt"]
    return len(httpx.post(f"{llama.root}/tokenize", json={"content": prompt}, timeout=30).json()["tokens"])


async def generate(llama, job_type: str, prompt: str, form: dict | None = None):
    gen = get_generator(job_type)
    sent: list[dict] = []
    steps = Recorder()
    llm = provider(llama, sent)
    try:
        content = await llm.generate(gen, prompt, gen.make_form(form or {}), 11, steps, on_draft=steps.drafts.append)
    finally:
        await llm.aclose()
    return content, sent, steps


@pytest.fixture(scope="module")
def every_type(llama):
    """One job of each type, all at once (the server decodes them in parallel slots): type -> result or error."""

    async def run_all():
        jobs = [generate(llama, job_type, f"a {job_type} for a swamp adventure") for job_type in SINGLE_TYPES]
        return dict(zip(SINGLE_TYPES, await asyncio.gather(*jobs, return_exceptions=True)))

    return asyncio.run(run_all())


@pytest.mark.parametrize("job_type", SINGLE_TYPES)
def test_every_type_comes_back_schema_valid_through_streamed_json_schema(llama, every_type, job_type):
    if isinstance(every_type[job_type], BaseException):
        raise every_type[job_type]
    content, sent, steps = every_type[job_type]
    model = get_generator(job_type).content_model
    assert model.model_validate(content.model_dump()) == content
    assert content.to_markdown().startswith("# ")
    for body in sent:
        assert body["stream"] is True and body["response_format"]["type"] == "json_schema"
        assert body["max_tokens"] + prompt_tokens(llama, body) <= CONTEXT
    assert steps.progress == sorted(steps.progress) and steps.progress[-1] == 100
    assert len({int(p) for p in steps.progress}) >= 5, "the bar moves with the stream"
    # The user sees the words arrive as labelled lines, not raw JSON (whose values may hold braces);
    # a long draft shows its growing tail only.
    assert any(d.startswith("Name: ") for d in steps.drafts)
    assert not any('"name":' in d for d in steps.drafts)


async def test_a_campaigns_staged_calls_fit_a_4096_token_context(llama):
    content, sent, steps = await generate(llama, "campaign", "a war between sky cities", {"acts": 2, "party_level": 3})
    assert len(sent) >= 5, "world, cast, quests, encounters, outline"
    names = [body["response_format"]["json_schema"]["name"] for body in sent]
    assert names[0] == "genapp_worldcontent" and names[-1] == "genapp_campaignoutline"
    for body in sent:
        assert body["max_tokens"] + prompt_tokens(llama, body) <= CONTEXT, body["response_format"]["json_schema"]["name"]
    assert len(content.acts) == 2 and len(content.quests) == 2 and content.villain == content.npcs[0].name
    assert get_generator("campaign").content_model.model_validate(content.model_dump()) == content
    order = list(dict.fromkeys(s for s in steps.stages if s not in ("Checking", "Repairing", "Retrying")))
    assert order[:5] == ["Building world", "Casting NPCs", "Writing quests", "Staging encounters", "Weaving acts"]


async def test_a_context_refusal_is_a_clear_error_and_json_schema_stays_on_for_the_next_job(llama):
    # A prompt of ~5,000 tokens: the real server refuses it (HTTP 400, its own words and numbers).
    with pytest.raises(ProviderError) as refused:
        await generate(llama, "item", "a sword " * 2500)
    message = str(refused.value)
    assert f"{CONTEXT:,}-token context" in message and "--ctx-size" in message and "GENAPP_LLM_MAX_TOKENS" in message
    assert "exceeds the available context size" in message  # what the server said, passed on
    # That 400 was about the context, not about json_schema: the next job still uses it, and works.
    content, sent, _ = await generate(llama, "item", "a cursed dagger")
    assert sent and all(body["response_format"]["type"] == "json_schema" for body in sent)
    assert get_generator("item").content_model.model_validate(content.model_dump()) == content
