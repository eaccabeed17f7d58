"""Through the whole app to a real llama.cpp server (xllamacpp + SmolLM2), in Chromium at 1280x720.

The other browser tests use the fake provider server, which accepted what a real llama.cpp server
refuses. Here the session's backend is restarted pointing at the real one: a user picks the LLM on
the NPC form, watches the draft arrive as text, and reads a schema-valid result.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.harness import free_port
from tests.e2e.helpers import ROW, open_page
from tests.e2e.test_providers import choose
from tests.llm.llama_server import LlamaServer


@pytest.fixture
def real_llm_backend(app, tmp_path):
    """The app's backend, restarted against a real llama.cpp server; put back as it was afterwards."""
    llama = LlamaServer(free_port(), ctx=4096, log=tmp_path / "llama.log").start()
    saved = {k: app.env.get(k) for k in ("GENAPP_LLM_BASE_URL", "GENAPP_LLM_MODEL", "GENAPP_LLM_API_KEY")}
    try:
        app.stop_backend()
        app.env.update({"GENAPP_LLM_BASE_URL": llama.url, "GENAPP_LLM_MODEL": "smollm2", "GENAPP_LLM_API_KEY": ""})
        app.start_backend()
        yield llama
    finally:
        app.stop_backend()
        app.env.update({k: v for k, v in saved.items() if v is not None})
        app.start_backend()
        llama.stop()


def test_an_npc_from_a_real_llamacpp_server_through_the_ui(page: Page, real_llm_backend):
    open_page(page, "/dashboard/npc")
    # The form was compiled with the fake's label; the value it sends ("llm") is what the backend uses.
    choose(page, "text_source", "LLM: fake-model")
    page.get_by_test_id("skip-image").click()
    page.get_by_test_id("prompt-input").fill("a nervous harbour smuggler")
    page.get_by_test_id("generate-button").click()

    first = page.locator(ROW).first
    expect(first).to_have_attribute("data-job-type", "npc")
    job_id = first.get_attribute("data-job-id")
    draft = page.locator(f'[data-testid="job-draft"][data-job-id="{job_id}"]')
    expect(draft).to_contain_text("Name: ", timeout=60_000)  # the model's words, as they arrive
    screenshot(page, "real-llm-streaming", full_page=False)

    panel = page.get_by_test_id("result-panel")
    expect(panel).to_have_attribute("data-job-id", job_id, timeout=240_000)
    expect(page.locator(f'{ROW}[data-job-id="{job_id}"]')).to_have_attribute("data-status", "complete")
    expect(draft).to_have_count(0)  # the draft gives way to the result
    expect(panel).to_contain_text("Statistics")  # the NPC's Markdown write-up rendered from valid content
    screenshot(page, "real-llm-result", full_page=False)
