"""Generating through the local OpenAI-compatible and AUTOMATIC1111 servers, in real Chromium."""

from __future__ import annotations

import re

import httpx

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PROVIDER_KEY, screenshot
from tests.e2e.helpers import ROW, open_page, row
from tests.fakes.provider_server import FakeProviderServer, Fault

# Records every (status, progress, stage) a tile row shows, as the browser renders it.
WATCH_ROWS = """
(selector) => {
  window.__seen = [];
  const record = () => document.querySelectorAll(selector).forEach(r =>
    window.__seen.push([r.dataset.jobId, r.dataset.status, Number(r.dataset.progress), r.innerText]));
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}
"""


def choose(page: Page, field: str, option_text: str) -> None:
    page.get_by_test_id(f"field-{field}").click()
    page.get_by_role("option", name=option_text).click()
    expect(page.get_by_test_id(f"field-{field}")).to_contain_text(option_text)


def test_a_character_from_the_llm_streams_progress_into_the_tile(page: Page, provider_server: FakeProviderServer):
    provider_server.script(Fault.slow(25))  # ~30 s of stream: time to watch the bar, the draft and the job page
    job_page = page.context.new_page()  # the job's own page, opened once first so its route is ready
    job_page.goto("/dashboard/jobs/not-yet")
    expect(job_page.get_by_test_id("job-not-found")).to_be_visible()
    open_page(page, "/dashboard/character")
    choose(page, "text_source", "LLM: fake-model")
    choose(page, "image_source", "AUTOMATIC1111")
    page.evaluate(WATCH_ROWS, ROW)
    page.get_by_test_id("prompt-input").fill("a halfling bard who owes money to a dragon")
    page.get_by_test_id("generate-button").click()

    first = page.locator(ROW).first
    expect(first).to_have_attribute("data-status", "generating")
    job_id = first.get_attribute("data-job-id")
    expect(row(page, job_id)).to_contain_text("Drafting")
    # The words arrive on the page as the model writes them, as readable text, growing.
    draft = page.locator(f'[data-testid="job-draft"][data-job-id="{job_id}"] [data-testid="job-draft-text"]')
    expect(draft).to_contain_text("Name: ")
    first_draft = draft.inner_text()
    page.wait_for_function("([el, n]) => el.innerText.length > n", arg=[draft.element_handle(), len(first_draft)])
    assert '"name":' not in draft.inner_text()  # labelled lines, not raw JSON
    job_page.goto(f"/dashboard/jobs/{job_id}")  # shows the same draft while the job runs
    expect(job_page.locator('[data-testid="job-draft"]')).to_contain_text("Name: ")
    assert row(page, job_id).get_attribute("data-status") == "generating", "the stream ended before the job page was checked"
    job_page.close()
    screenshot(page, "provider-streaming")
    expect(page.get_by_test_id("result-panel")).to_have_attribute("data-job-id", job_id, timeout=90_000)

    seen = page.evaluate("() => window.__seen")
    drafting = sorted({p for (jid, status, p, text) in seen if jid == job_id and status == "generating" and "Drafting" in text})
    between = [p for p in drafting if 0 < p < 80]  # the content phase owns 0-80% when an image follows
    assert len(between) >= 5, f"streamed progress not shown in the tile: {drafting}"

    chat = [r for r in provider_server.requests if r.path == "/v1/chat/completions"][-1]
    assert chat.json["stream"] is True and "owes money to a dragon" in chat.json["messages"][-1]["content"]
    assert any(r.path == "/sdapi/v1/txt2img" for r in provider_server.requests)

    panel = page.get_by_test_id("result-panel")
    image = panel.locator("img").first
    expect(image).to_have_attribute("src", re.compile(rf"/media/{re.escape(job_id)}\.png$"))
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    screenshot(page, "provider-result")
    assert PROVIDER_KEY not in page.content()

    # The file goes only to its owner (the browser's cookie), as an image the browser cannot take for a page.
    src = image.get_attribute("src")
    owner = page.request.get(src)
    assert owner.status == 200 and owner.headers["content-type"] == "image/png"
    assert owner.headers["x-content-type-options"] == "nosniff" and "sandbox" in owner.headers["content-security-policy"]
    assert httpx.get(src).status_code == 404, "served without the owner's cookie"
    assert httpx.get(src, cookies={"genapp_session": "A" * 43}).status_code == 404, "served to another session"


def test_a_provider_failure_shows_a_clear_error_and_retry_works(page: Page, provider_server: FakeProviderServer):
    provider_server.script(*[Fault.echo_auth(503)] * 4)
    open_page(page, "/dashboard/npc")
    choose(page, "text_source", "LLM: fake-model")
    page.get_by_test_id("generate-button").click()
    error = page.get_by_test_id("error-panel")
    expect(error).to_contain_text("HTTP 503", timeout=60_000)
    expect(error).to_contain_text("gave up after 4 attempts")
    assert PROVIDER_KEY not in page.content()
    job_id = error.get_attribute("data-job-id")
    page.get_by_test_id("error-retry").click()
    expect(page.get_by_test_id("result-panel")).to_have_attribute("data-job-id", job_id, timeout=60_000)


def test_settings_show_the_providers_and_test_the_connection(page: Page):
    open_page(page, "/dashboard/settings")
    text = page.get_by_test_id("text-provider")
    expect(text).to_contain_text("fake-model")
    expect(text).to_contain_text("set (hidden)")
    page.get_by_test_id("text-provider-test").click()
    result = page.get_by_test_id("text-check-result")
    expect(result).to_contain_text("'fake-model' is available")
    expect(result).to_have_attribute("data-ok", "true")
    page.get_by_test_id("image-provider-test").click()
    expect(page.get_by_test_id("image-check-result")).to_contain_text("1 checkpoint")
    screenshot(page, "settings")
    assert PROVIDER_KEY not in page.content()
