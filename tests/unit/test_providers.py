"""Providers against real local HTTP servers speaking the OpenAI and AUTOMATIC1111 protocols.

Every fault the issue names is injected on a real socket; nothing here mocks the transport.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time

import pytest

from genapp.generators import GENERATORS, ContentType, get_generator
from genapp.providers import (
    A1111ImageProvider,
    Endpoint,
    ImageOptions,
    OpenAIImageProvider,
    OpenAITextProvider,
    ProviderError,
    RetryPolicy,
    TextOptions,
    image_prompt,
)
from genapp.providers.errors import Redactor, parse_retry_after
from genapp.providers.text import InvalidAnswer, extract_json
from tests.fakes.provider_server import FakeProviderServer, Fault

KEY = "sk-test-DO-NOT-LEAK-4f9a2c"
FAST_RETRY = RetryPolicy(max_attempts=3, backoff=0.01, backoff_cap=0.05, max_retry_after=5)


class Steps:
    """A reporter that remembers every report."""

    def __init__(self):
        self.seen: list[tuple[float, str, str]] = []

    def report(self, progress: float, stage: str, detail: str = "") -> None:
        self.seen.append((progress, stage, detail))

    def stages(self) -> list[str]:
        return [stage for _, stage, _ in self.seen]

    def progress_in(self, stage: str) -> list[float]:
        return [p for p, s, _ in self.seen if s == stage]


@pytest.fixture
def server():
    with FakeProviderServer(api_key=KEY, models=("fake-model", "other-model")) as running:
        yield running


def text_provider(url: str, *, key: str = KEY, retry: RetryPolicy = FAST_RETRY, model="fake-model", mode="auto", **endpoint) -> OpenAITextProvider:
    return OpenAITextProvider(Endpoint(base_url=url, api_key=key, retry=retry, **endpoint), TextOptions(model=model, structured_output=mode))


async def character(provider: OpenAITextProvider, steps: Steps | None = None, prompt="a grumpy dwarven blacksmith"):
    gen = get_generator("character")
    try:
        return await gen_content(provider, gen, prompt, steps or Steps())
    finally:
        await provider.aclose()


async def gen_content(provider, gen, prompt, steps):
    return await provider.generate(gen, prompt, gen.make_form({"level": 5}), 7, steps)


def chats(server: FakeProviderServer):
    """The chat requests a server saw (not the one-off context-size questions before them)."""
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket closes


# ----- the main path ------------------------------------------------------------------------------


async def test_character_streams_with_progress_and_returns_the_typed_model(server):
    steps = Steps()
    content = await character(text_provider(server.url + "/v1"), steps)
    assert type(content) is GENERATORS[ContentType.CHARACTER].content_model
    assert content.level == 5  # set on the form, so it holds whatever the model wrote
    assert content.to_markdown().startswith(f"# {content.name}")
    drafting = steps.progress_in("Drafting")
    assert len(set(int(p) for p in drafting)) >= 10, "progress must move with the stream, not jump"
    assert drafting == sorted(drafting)
    assert steps.seen[-1][:2] == (100, "Content ready")
    sent = server.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.json["stream"] is True and sent.json["model"] == "fake-model"
    assert sent.json["response_format"]["type"] == "json_schema"
    assert "a grumpy dwarven blacksmith" in sent.json["messages"][-1]["content"]
    assert sent.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("job_type", [t.value for t in ContentType if t != ContentType.CAMPAIGN])
async def test_every_type_comes_back_valid(server, job_type):
    gen = get_generator(job_type)
    provider = text_provider(server.url + "/v1")
    try:
        content = await provider.generate(gen, "", gen.make_form({}), 3, Steps())
    finally:
        await provider.aclose()
    assert isinstance(content, gen.content_model) and content.to_markdown()


async def test_campaign_runs_its_stages_as_separate_calls(server):
    gen = get_generator("campaign")
    steps = Steps()
    provider = text_provider(server.url + "/v1")
    try:
        content = await provider.generate(gen, "a war between sky cities", gen.make_form({"acts": 2, "party_level": 3}), 5, steps)
    finally:
        await provider.aclose()
    calls = chats(server)
    assert [c.json["response_format"]["json_schema"]["name"] for c in calls] == [
        "genapp_worldcontent", "genapp_campaigncast", "genapp_campaignquests", "genapp_campaignencounters", "genapp_campaignoutline",
    ]
    assert len(content.npcs) == 3 and len(content.quests) == 2 and len(content.encounters) == 2 and len(content.acts) == 2
    assert content.party_level == 3 and content.villain == content.npcs[0].name
    order = [s for s in dict.fromkeys(steps.stages()) if s not in ("Checking",)]
    assert order[:5] == ["Building world", "Casting NPCs", "Writing quests", "Staging encounters", "Weaving acts"]
    progress = [p for p, _, _ in steps.seen]
    assert progress == sorted(progress) and progress[-1] == 100
    # later stages see what earlier ones made
    assert content.world.name in calls[1].json["messages"][-1]["content"]
    assert content.npcs[0].name in calls[2].json["messages"][-1]["content"]


async def test_json_object_mode_sends_the_schema_in_the_prompt(server):
    await character(text_provider(server.url + "/v1", mode="json_object"))
    sent = server.requests[-1].json
    assert sent["response_format"] == {"type": "json_object"}
    assert "```json-schema" in sent["messages"][-1]["content"]


# ----- faults: retried with backoff, then a clear error --------------------------------------------


@pytest.mark.parametrize(
    ("fault", "stage_detail"),
    [
        (Fault.status(500), "HTTP 500"),
        (Fault.status(503, retry_after="0"), "HTTP 503"),
        (Fault.status(429, retry_after="0"), "rate limited"),
        (Fault.close(), "closed the connection"),
        (Fault.cut_after(5), "closed the connection"),
        (Fault.stall_after(3), "went silent"),
        (Fault.hang(), "went silent"),
        (Fault.bad_sse(), "malformed"),
    ],
    ids=["500", "503", "429", "closed", "cut-mid-stream", "stalled", "hang", "bad-sse"],
)
async def test_transient_faults_are_retried_then_succeed(server, fault, stage_detail):
    server.script(fault)
    steps = Steps()
    content = await character(text_provider(server.url + "/v1", read_timeout=0.3), steps)
    assert content.name
    assert len(chats(server)) == 2
    retries = [detail for _, stage, detail in steps.seen if stage == "Retrying"]
    assert len(retries) == 1 and stage_detail in retries[0] and "attempt 2 of 3" in retries[0]


async def test_attempts_are_bounded_and_the_error_is_clear(server):
    server.script(*[Fault.status(503, message="overloaded")] * 5)
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1"))
    assert len(chats(server)) == 3
    assert "HTTP 503" in failed.value.message and "overloaded" in failed.value.message and "after 3 attempts" in failed.value.message


async def test_retry_after_is_honoured(server):
    server.script(Fault.status(429, retry_after="0.4"))
    await character(text_provider(server.url + "/v1"))
    first, second = chats(server)[0].started, chats(server)[1].started
    assert second - first >= 0.4


async def test_a_retry_after_beyond_the_limit_fails_at_once(server):
    server.script(Fault.status(429, retry_after="600"))
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1"))
    assert len(chats(server)) == 1
    assert "wait 600s" in failed.value.message and "rate limited" in failed.value.message


def test_backoff_doubles_with_jitter_up_to_the_cap():
    policy = RetryPolicy(backoff=1.0, backoff_cap=8.0)
    rng = random.Random(1)
    error = ProviderError("x", retryable=True)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)):
        delays = [policy.delay(attempt, error, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, so retries of many jobs do not stampede together
    assert policy.delay(1, ProviderError("x", retryable=True, retry_after=3.5), rng) == 3.5


def test_retry_after_header_forms():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: at once
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_connection_refused_is_retried_then_reported():
    steps = Steps()
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(f"http://127.0.0.1:{closed_port()}/v1"), steps)
    assert "Could not connect" in failed.value.message and "after 3 attempts" in failed.value.message
    assert steps.stages().count("Retrying") == 2


async def test_connect_timeout_is_a_clear_error():
    # A listener whose backlog is full never completes a handshake: connecting hangs until the timeout.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        try:
            with pytest.raises(ProviderError) as failed:
                await character(text_provider(f"http://127.0.0.1:{port}/v1", connect_timeout=0.2, retry=RetryPolicy(max_attempts=2, backoff=0.01)))
        finally:
            for filler in fillers:
                filler.close()
    assert "did not accept a connection in time" in failed.value.message and "after 2 attempts" in failed.value.message


async def test_a_request_over_the_total_time_limit_fails(server):
    server.script(*[Fault.slow(20)] * 3)
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1", request_timeout=0.3))
    assert "took longer than 0.3s" in failed.value.message


async def test_an_oversized_answer_is_refused(server):
    server.script(*[Fault.huge(50_000)] * 3)
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1", max_response_bytes=20_000))
    assert "more than 20,000 bytes" in failed.value.message


async def test_a_refused_key_is_not_retried(server):
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1", key="sk-wrong-key"))
    assert len(chats(server)) == 1
    assert "refused the API key (HTTP 401)" in failed.value.message
    assert "sk-wrong-key" not in failed.value.message


async def test_the_api_key_never_reaches_errors_or_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.script(Fault.echo_auth(401))
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1"))
    assert "[redacted]" in failed.value.message
    server.script(Fault.echo_auth(500), Fault.echo_auth(500), Fault.echo_auth(500))
    with pytest.raises(ProviderError) as again:
        await character(text_provider(server.url + "/v1"))
    for text in (failed.value.message, again.value.message, str(failed.value), caplog.text):
        assert KEY not in text
    assert caplog.records, "logging was captured"


def test_redactor_hides_keys_and_bearer_tokens():
    redact = Redactor("sk-abc123")
    assert redact("key sk-abc123 and Authorization: Bearer xyz.987") == "key [redacted] and Authorization: Bearer [redacted]"


# ----- invalid answers: one repair, then a clear error ---------------------------------------------


async def test_an_invalid_answer_gets_one_repair(server):
    server.script(Fault.invalid_content())
    steps = Steps()
    content = await character(text_provider(server.url + "/v1"), steps)
    assert content.name
    assert len(chats(server)) == 2
    repair = chats(server)[1].json["messages"]
    assert repair[-2]["role"] == "assistant" and "cannot be used" in repair[-1]["content"]
    assert "Repairing" in steps.stages()


@pytest.mark.parametrize(("fault", "why"), [(Fault.invalid_content(), "Field required"), (Fault.prose(), "no JSON object")])
async def test_still_invalid_after_the_repair_fails_clearly(server, fault, why):
    server.script(fault, fault)
    with pytest.raises(ProviderError) as failed:
        await character(text_provider(server.url + "/v1"))
    assert len(chats(server)) == 2
    assert "not a valid character after one repair attempt" in failed.value.message and why in failed.value.message


def test_json_is_found_in_fences_and_sentences():
    assert extract_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert extract_json('Here it is: {"a": {"b": 2}} Enjoy!') == {"a": {"b": 2}}
    with pytest.raises(InvalidAnswer, match="not valid JSON"):
        extract_json('{"a": 1,,}')


# ----- cancellation and isolation -----------------------------------------------------------------


async def test_cancel_closes_the_stream_at_once():
    with FakeProviderServer(tokens_per_second=20) as server:
        provider = text_provider(server.url + "/v1", key="")
        task = asyncio.create_task(character(provider))
        await asyncio.to_thread(server.wait_for, lambda s: s.streams and s.streams[0].chunks_sent >= 3)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.to_thread(server.wait_for, lambda s: s.streams[0].client_closed)
        stream = server.streams[0]
        assert stream.finished is None or stream.client_closed
        assert stream.closed_at - cancelled_at < 0.5


async def test_one_jobs_fault_does_not_touch_another():
    with FakeProviderServer(tokens_per_second=200) as server:
        provider = text_provider(server.url + "/v1", key="")
        server.script(Fault.status(404, message="no such model for this one"))
        failing = asyncio.create_task(character(provider, prompt="first"))
        await asyncio.to_thread(server.wait_for, lambda s: len(s.requests) >= 1)
        healthy = asyncio.create_task(character(provider, prompt="second"))
        results = await asyncio.gather(failing, healthy, return_exceptions=True)
        assert isinstance(results[0], ProviderError) and "no such model for this one" in results[0].message
        assert results[1].name


# ----- images ---------------------------------------------------------------------------------


def image_provider(kind, url, *, key=KEY, **options):
    return kind(Endpoint(base_url=url, api_key=key, retry=FAST_RETRY), ImageOptions(**options))


async def test_openai_images_return_a_png_built_from_the_content(server):
    content = get_generator("npc").build("a nervous innkeeper", get_generator("npc").make_form({}), 1)
    prompt = image_prompt(content, "NPC")
    assert content.name in prompt and content.appearance[:40] in prompt
    provider = image_provider(OpenAIImageProvider, server.url + "/v1", model="dall-e-3", size="512x512")
    steps = Steps()
    picture = await provider.paint(prompt, 1, steps)
    await provider.aclose()
    assert picture.extension == "png" and picture.data.startswith(b"\x89PNG")
    sent = server.requests[-1]
    assert sent.path == "/v1/images/generations"
    assert sent.json["response_format"] == "b64_json" and sent.json["size"] == "512x512" and sent.json["prompt"] == prompt
    assert steps.seen[-1][:2] == (100, "Image ready")


async def test_a1111_txt2img_returns_a_png(server):
    provider = image_provider(A1111ImageProvider, server.url, size="512x768", steps=7)
    picture = await provider.paint("a castle", 42, Steps())
    await provider.aclose()
    assert picture.data.startswith(b"\x89PNG")
    sent = [r for r in server.requests if r.path == "/sdapi/v1/txt2img"][-1]
    assert (sent.json["width"], sent.json["height"], sent.json["steps"], sent.json["seed"]) == (512, 768, 7, 42)


@pytest.mark.parametrize("kind", [OpenAIImageProvider, A1111ImageProvider])
async def test_image_faults_are_retried(server, kind):
    server.script(Fault.status(502), Fault.close())
    provider = image_provider(kind, server.url + ("/v1" if kind is OpenAIImageProvider else ""))
    picture = await provider.paint("a castle", 1, Steps())
    await provider.aclose()
    assert picture.data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ([Fault.bad_sse()] * 3, "malformed JSON"),
        ([Fault.invalid_content()] * 3, "not a PNG, JPEG or WebP image"),
        ([Fault.huge(300_000)] * 3, "more than 100,000 bytes"),
        ([Fault.status(400, message="prompt rejected by safety system")], "prompt rejected by safety system"),
    ],
    ids=["malformed-json", "not-an-image", "oversized", "refused-prompt"],
)
async def test_image_faults_end_in_a_clear_error(server, faults, message):
    server.script(*faults)
    provider = OpenAIImageProvider(Endpoint(base_url=server.url + "/v1", api_key=KEY, retry=FAST_RETRY, max_response_bytes=100_000), ImageOptions())
    with pytest.raises(ProviderError) as failed:
        await provider.paint("a castle", 1, Steps())
    await provider.aclose()
    assert message in failed.value.message
    assert len(server.requests) == len(faults)


# ----- test connection ------------------------------------------------------------------------


async def test_check_reports_what_the_server_answered(server):
    good = await text_provider(server.url + "/v1").check()
    assert good.ok and "'fake-model' is available" in good.summary and "other-model" in good.details
    missing = await text_provider(server.url + "/v1", model="gpt-9").check()
    assert not missing.ok and "NOT among them" in missing.summary
    refused = await text_provider(server.url + "/v1", key="sk-nope").check()
    assert not refused.ok and "HTTP 401" in refused.summary and "sk-nope" not in refused.summary
    down = await text_provider(f"http://127.0.0.1:{closed_port()}/v1").check()
    assert not down.ok and "Could not connect" in down.summary
    sd = await image_provider(A1111ImageProvider, server.url).check()
    assert sd.ok and "1 checkpoint" in sd.summary
