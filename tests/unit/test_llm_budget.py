"""How many tokens genapp asks an LLM server for, and what it does when a server refuses a request.

The real llama.cpp server (tests/llm) shows the main path; the fake server here plays the refusals
a real one on this machine cannot: older llama.cpp builds that count max_tokens against the
context, OpenAI's and vLLM's wording, and 400s about other things.
"""

from __future__ import annotations

import pytest

from genapp.generators import get_generator
from genapp.generators.bounds import max_json_chars
from genapp.providers import Endpoint, OpenAITextProvider, ProviderError, RetryPolicy, TextOptions
from genapp.providers import context as ctx
from genapp.providers.draft import readable_draft
from tests.fakes.provider_server import FakeProviderServer, Fault

FAST_RETRY = RetryPolicy(max_attempts=2, backoff=0.01, backoff_cap=0.02, max_retry_after=1)


class Quiet:
    def report(self, progress: float, stage: str, detail: str = "") -> None:
        pass


def provider(server: FakeProviderServer, **options) -> OpenAITextProvider:
    return OpenAITextProvider(Endpoint(base_url=server.url + "/v1", retry=FAST_RETRY), TextOptions(model="fake-model", **options))


async def make(llm: OpenAITextProvider, job_type="character", prompt="a grumpy dwarven blacksmith", form=None, on_draft=None):
    gen = get_generator(job_type)
    try:
        return await llm.generate(gen, prompt, gen.make_form(form or {}), 7, Quiet(), on_draft=on_draft)
    finally:
        await llm.aclose()


def chats(server: FakeProviderServer) -> list[dict]:
    return [r.json for r in server.requests if r.path == "/v1/chat/completions"]


def need(job_type: str) -> int:
    return ctx.answer_tokens(max_json_chars(get_generator(job_type).content_model))


# ----- sizing max_tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("job_type", ["character", "npc", "item", "quest", "encounter", "world"])
async def test_max_tokens_is_what_the_content_needs_not_a_fixed_number(job_type):
    with FakeProviderServer() as server:  # says nothing of its context
        await make(provider(server), job_type, prompt="")
        [sent] = chats(server)
    assert sent["max_tokens"] == need(job_type) < 6000, "bounded schemas give every type a known, finite need"


async def test_max_tokens_fits_the_context_the_server_reports():
    with FakeProviderServer(n_ctx=1800) as server:
        content = await make(provider(server))
        [sent] = chats(server)
    # Like llama.cpp it answers /props, but it counts no tokens: genapp asked once, then estimated.
    assert [r.path for r in server.requests] == ["/props", "/apply-template", "/v1/chat/completions"]
    prompt_tokens = sum(len(m["content"]) for m in sent["messages"]) // 4
    assert sent["max_tokens"] + prompt_tokens <= 1800 and sent["max_tokens"] < need("character")
    assert content.to_markdown()


async def test_max_tokens_fits_the_context_ollama_reports():
    with FakeProviderServer(ollama_num_ctx=2048) as server:
        await make(provider(server))
        assert [r.path for r in server.requests] == ["/props", "/api/show", "/v1/chat/completions"]
        assert server.requests[1].json == {"model": "fake-model"}
        [sent] = chats(server)
    prompt_tokens = sum(len(m["content"]) for m in sent["messages"]) // 4
    assert sent["max_tokens"] + prompt_tokens <= 2048


async def test_the_context_is_asked_once_per_server():
    with FakeProviderServer(n_ctx=4096) as server:
        llm = provider(server)
        await make(llm)
        await make(llm, "item", prompt="")
    assert [r.path for r in server.requests].count("/props") == 1


async def test_a_number_in_the_setting_caps_max_tokens():
    with FakeProviderServer() as server:
        await make(provider(server, max_tokens=600), "item")
        assert chats(server)[0]["max_tokens"] == 600


async def test_unset_sends_no_max_tokens():
    with FakeProviderServer(n_ctx=4096) as server:
        await make(provider(server, max_tokens="unset"))
        assert "max_tokens" not in chats(server)[0]


async def test_an_answer_cut_at_the_cap_says_which_setting_to_change():
    with FakeProviderServer() as server:
        with pytest.raises(ProviderError, match="GENAPP_LLM_MAX_TOKENS"):
            await make(provider(server, max_tokens=64))


async def test_a_long_campaign_asks_for_its_lists_in_parts_that_fit_the_context():
    with FakeProviderServer(n_ctx=2600) as server:
        content = await make(provider(server), "campaign", prompt="a war between sky cities", form={"acts": 5, "party_level": 3})
        bodies = chats(server)
    names = [body["response_format"]["json_schema"]["name"] for body in bodies]
    assert names[0] == "genapp_worldcontent" and names[-1] == "genapp_campaignoutline"
    assert names.count("genapp_campaigncast") >= 2, "six NPCs' largest answer (~3,500 tokens) does not fit one call"
    assert names.count("genapp_campaignquests") >= 2 and names.count("genapp_campaignencounters") >= 2
    for body in bodies:
        prompt_tokens = sum(len(m["content"]) for m in body["messages"]) // 4 + 1
        assert body["max_tokens"] + prompt_tokens <= 2600
    assert (len(content.npcs), len(content.quests), len(content.encounters), len(content.acts)) == (6, 5, 5, 5)
    later = [body for body in bodies if body["response_format"]["json_schema"]["name"] == "genapp_campaigncast"][1]
    assert "Already created" in later["messages"][-1]["content"] and content.npcs[0].name in later["messages"][-1]["content"]


# ----- context refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["openai", "llama-old"])
async def test_a_context_refusal_is_retried_once_with_a_budget_that_fits(style):
    # The server keeps its size to itself (no /props): the refusal's numbers are all genapp learns.
    with FakeProviderServer(n_ctx=1800, context_style=style + "-noprops" if style == "llama-old" else style) as server:
        llm = provider(server)
        content = await make(llm)
        first, second = chats(server)
        assert first["max_tokens"] == need("character")
        prompt_tokens = sum(len(m["content"]) for m in second["messages"]) // 4 + 1
        assert second["max_tokens"] + prompt_tokens <= 1800
        assert content.to_markdown()
        # learned: the next job asks for what fits at once
        await make(llm, prompt="a shy gnome wizard")
        assert len(chats(server)) == 3 and chats(server)[2]["max_tokens"] < need("character")


@pytest.mark.parametrize("style", ["openai", "llama-old"])
async def test_a_context_too_small_for_the_prompt_fails_with_what_to_change(style):
    with FakeProviderServer(n_ctx=200, context_style=style) as server:
        with pytest.raises(ProviderError) as failure:
            await make(provider(server))
        assert len(chats(server)) <= 1
    message = str(failure.value)
    assert "200-token context" in message and "--ctx-size" in message and "GENAPP_LLM_MAX_TOKENS" in message


async def test_a_refusal_after_the_fitted_retry_fails_instead_of_looping():
    with FakeProviderServer(context_style="openai") as server:
        refusal = "This model's maximum context length is 1800 tokens. However, you requested 9999 tokens (100 in the messages, 9899 in the completion)."
        server.script(Fault.status(400, message=refusal), Fault.status(400, message=refusal))
        with pytest.raises(ProviderError, match="no room for this request"):
            await make(provider(server))
        assert len(chats(server)) == 2


# ----- json_schema is given up only for a request the server refuses because of it ------------------


async def test_an_unrelated_400_keeps_json_schema_for_later_jobs():
    with FakeProviderServer() as server:
        server.script(Fault.status(400, message="'temperature' must be at most 2"))
        llm = provider(server)
        with pytest.raises(ProviderError, match="HTTP 400"):
            await make(llm)
        await make(llm)
        assert [("response_format" in body) for body in chats(server)] == [True, True]


async def test_a_context_refusal_does_not_switch_off_json_schema():
    with FakeProviderServer(n_ctx=1800, context_style="openai") as server:
        await make(provider(server))
        assert all(body["response_format"]["type"] == "json_schema" for body in chats(server))


async def test_a_response_format_refusal_sends_the_schema_in_the_prompt_for_that_request_only():
    with FakeProviderServer(reject_response_format=True) as server:
        llm = provider(server)
        await make(llm)
        await make(llm)
        bodies = chats(server)
    assert [("response_format" in body) for body in bodies] == [True, False, True, False]
    assert "```json-schema" in bodies[1]["messages"][-1]["content"]
    # the schema in the prompt makes the prompt longer: its budget is sized again, not reused
    assert bodies[1]["max_tokens"] == need("character")


# ----- reading the server's numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fields", "sent", "expected"),
    [
        ("request (4231 tokens) exceeds the available context size (4096 tokens), try increasing it",
         {"n_prompt_tokens": 4231, "n_ctx": 4096}, 500, (4096, 4231)),
        ("request (4759 tokens) exceeds the available context size (4096 tokens), try increasing it", {}, 4096, (4096, 663)),
        ("This model's maximum context length is 4096 tokens. However, you requested 4759 tokens "
         "(663 in the messages, 4096 in the completion). Please reduce the length of the messages or completion.", {}, 4096, (4096, 663)),
        ("'max_tokens' or 'max_completion_tokens' is too large: 4096. This model's maximum context length is 4,096 tokens "
         "and your request has 663 input tokens (4096 > 4096 - 663).", {}, 4096, (4096, 663)),
        ("Trying to keep the first 5000 tokens when context the overflows. However, the model is loaded with context length of "
         "only 4096 tokens, which is not enough. Try to load the model with a larger context length", {}, 4096, (4096, None)),
    ],
    ids=["llama.cpp", "llama.cpp-older", "openai", "vllm", "lm-studio"],
)
def test_context_refusals_are_read_from_each_servers_wording(message, fields, sent, expected):
    assert ctx.is_context_refusal(message) and not ctx.is_response_format_refusal(message)
    refusal = ctx.parse_context_refusal(message, fields, sent)
    assert (refusal.context, refusal.prompt_tokens) == expected


@pytest.mark.parametrize(
    ("message", "about_format"),
    [
        ("response_format is not supported by this server", True),
        ("Unable to generate parser for this template. Automatic parser generation failed: JSON schema error at #/properties/a", True),
        ("Invalid grammar", True),
        ("'temperature' must be at most 2", False),
        ("model 'x' not found, try pulling it first", False),
        ("request (4231 tokens) exceeds the available context size (4096 tokens)", False),
    ],
)
def test_only_an_answer_about_response_format_counts_as_refusing_it(message, about_format):
    assert ctx.is_response_format_refusal(message) is about_format


def test_context_sizes_from_llamacpp_props_and_ollama_show():
    assert ctx.context_from_llamacpp_props({"default_generation_settings": {"n_ctx": 4096}, "total_slots": 1}) == 4096
    assert ctx.context_from_llamacpp_props({"n_ctx": 8192}) == 8192
    assert ctx.context_from_llamacpp_props({"detail": "Not Found"}) is None
    assert ctx.context_from_ollama_show({"parameters": "stop <|eot|>\nnum_ctx                        8192", "model_info": {}}) == 8192
    assert ctx.context_from_ollama_show({"model_info": {"llama.context_length": 131072}}) == ctx.OLLAMA_DEFAULT_CONTEXT
    assert ctx.context_from_ollama_show({"model_info": {"gemma.context_length": 2048}}) == 2048
    assert ctx.context_from_ollama_show({"error": "model not found"}) is None


# ----- the draft a user watches ---------------------------------------------------------------------


async def test_the_draft_grows_readably_while_the_answer_streams():
    drafts: list[str] = []
    with FakeProviderServer(tokens_per_second=400) as server:
        content = await make(provider(server), on_draft=drafts.append)
    assert len(drafts) >= 3, "a draft every ~0.3 s while it streams"
    assert [len(d) for d in drafts[:-1]] == sorted(len(d) for d in drafts[:-1])
    assert drafts[-1].startswith("Name: ") and content.name in drafts[-1]
    assert '"name"' not in drafts[-1] and "Level: " in drafts[-1]


def test_a_partial_answer_reads_as_labelled_lines():
    raw = '{"name": "Brenna \\"Ash\\" Vell", "level": 5, "mannerisms": ["hums", "taps the ta'
    assert readable_draft(raw) == 'Name: Brenna "Ash" Vell\nLevel: 5\nMannerisms:\n  - hums\n  - taps the ta'
    nested = '{"world": {"name": "Ys", "factions": [{"name": "Tide", "goal": "rule'
    assert readable_draft(nested) == "World:\n  Name: Ys\n  Factions:\n    -\n      Name: Tide\n      Goal: rule"


def test_the_draft_keeps_hostile_text_as_it_is_and_shows_only_the_tail():
    raw = '{"name": "<img src=x onerror=alert(1)>", "backstory": "' + "x" * 5000
    text = readable_draft(raw)
    assert "<img src=x onerror=alert(1)>" not in text  # cut: only the growing tail is shown
    assert len(text) <= 1500 and text.endswith("x" * 100)
    assert readable_draft('{"name": "<script>alert(1)</script>"}') == "Name: <script>alert(1)</script>"
