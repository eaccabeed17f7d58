"""Batches in real Chromium at 1280×720: variations on a generator page, a mixed preset, the batch page
(live progress, cancel all, retry failed, export all) and the tile's one group per batch.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.helpers import ROW, open_page

GROUP = '[data-testid="active-generations"] [data-testid="batch-group"]'


def shot(page: Page, name: str) -> None:
    # Each finished job toasts for a few seconds (top centre): the picture is of the page, once they are gone.
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=30_000)
    screenshot(page, name, full_page=False)  # the viewport, 1280×720: what the user sees


def groups(page: Page):
    return page.locator(GROUP)


def qa_batch(page: Page, *, job_type="item", duration="60", fail_at="", count="4") -> str:
    """Start `count` paced jobs as one batch from the QA page; the new group's batch id."""
    open_page(page, "/dashboard/test-generation")
    before = groups(page).count()
    page.get_by_test_id("qa-type").select_option(job_type)
    page.get_by_test_id("qa-duration").fill(duration)
    page.get_by_test_id("qa-fail-at").fill(fail_at)
    page.get_by_test_id("qa-count").fill(count)
    page.get_by_test_id("qa-as-batch").click()
    expect(page.get_by_test_id("qa-as-batch")).to_have_attribute("data-state", "checked")
    page.get_by_test_id("qa-start").click()
    expect(groups(page)).to_have_count(before + 1)
    return groups(page).first.get_attribute("data-batch-id")


def open_batch(page: Page, batch_id: str) -> None:
    page.locator(f'{GROUP}[data-batch-id="{batch_id}"] [data-testid="batch-link"]').click()
    expect(page).to_have_url(re.compile(rf"/dashboard/batches/{batch_id}$"))
    expect(page.get_by_test_id("batch-page")).to_have_attribute("data-batch-id", batch_id)


def assert_nothing_covered(page: Page) -> None:
    """The batch page's controls are inside the viewport's content column and not under the tile."""
    content = page.get_by_test_id("page-content").bounding_box()
    tile = page.get_by_test_id("active-generations").bounding_box()
    for testid in ("batch-page-label", "batch-page-cancel", "batch-page-retry", "batch-page-export", "batch-page-progress"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box is not None, testid
        assert box["x"] >= content["x"] and box["x"] + box["width"] <= content["x"] + content["width"] + 0.5, testid
        if tile is not None:  # a collapsed rail has no box
            assert box["x"] + box["width"] <= tile["x"] + 0.5, f"{testid} runs under the tile"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_variations_are_one_group_and_the_batch_page_reaches_done(page: Page):
    open_page(page, "/dashboard/npc")
    page.get_by_test_id("prompt-input").fill("a harbour master who sells secrets")
    page.get_by_test_id("field-variations").fill("3")
    page.get_by_test_id("generate-button").click()
    expect(groups(page)).to_have_count(1)
    group = groups(page).first
    expect(group).to_have_attribute("data-total", "3")
    expect(group.get_by_test_id("batch-link")).to_have_text("3 × NPC: a harbour master who sells secrets")
    expect(page.locator(ROW)).to_have_count(0)  # one group, not three rows
    shot(page, "batch-generator-variations")
    batch_id = group.get_attribute("data-batch-id")
    open_batch(page, batch_id)
    expect(page.get_by_test_id("batch-page-done")).to_have_text("3 of 3 done", timeout=60_000)
    expect(page.get_by_test_id("batch-page-percent")).to_have_text("100%")
    rows = page.get_by_test_id("batch-jobs").get_by_test_id("job-row")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_have_attribute("data-status", "complete")
    expect(page.get_by_test_id("batch-count-complete")).to_have_text("3")
    expect(group).to_have_attribute("data-done", "3")
    with page.expect_download() as download:
        page.get_by_test_id("batch-page-export").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    items = json.loads(archive.read("manifest.json"))["items"]
    assert len(items) == 3 and {i["type"] for i in items} == {"npc"}
    rows.first.get_by_test_id("job-link").click()
    expect(page).to_have_url(re.compile(r"/dashboard/jobs/"))
    expect(page.get_by_test_id("result-panel")).to_be_visible()


def test_bad_variations_get_a_message_and_queue_nothing(page: Page):
    open_page(page, "/dashboard/character")
    for value in ("11", "0", "2.5"):
        page.get_by_test_id("field-variations").fill(value)
        page.get_by_test_id("generate-button").click()
        expect(page.get_by_test_id("field-error-variations")).to_have_text("Variations must be a whole number from 1 to 10.")
    expect(groups(page)).to_have_count(0)
    expect(page.locator(ROW)).to_have_count(0)


def test_a_mixed_preset_creates_its_jobs(page: Page):
    open_page(page, "/dashboard/batches")
    page.get_by_text("A village", exact=True).click()
    expect(page.get_by_test_id("preset-village")).to_be_checked()
    page.get_by_test_id("preset-level").fill("3")
    page.get_by_test_id("preset-prompt").fill("a fishing village that fears the tide")
    page.get_by_test_id("preset-submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard/batches/[A-Za-z0-9_-]+$"))
    expect(page.get_by_test_id("batch-page-label")).to_have_text("A village (level 3): a fishing village that fears the tide")
    expect(groups(page)).to_have_count(1)
    expect(groups(page).first).to_have_attribute("data-total", "9")
    expect(page.get_by_test_id("batch-page-done")).to_have_text("9 of 9 done", timeout=90_000)
    rows = page.get_by_test_id("batch-jobs").get_by_test_id("job-row")
    expect(rows).to_have_count(9)
    types = rows.evaluate_all("rows => rows.map(r => r.dataset.jobType).sort()")
    assert types == sorted(["npc"] * 6 + ["quest"] * 2 + ["encounter"])
    open_page(page, "/dashboard/batches")
    expect(page.get_by_test_id("batches-item")).to_have_count(1)
    expect(page.get_by_test_id("batches-item")).to_contain_text("9 of 9 done")
    shot(page, "batch-index")
    page.get_by_test_id("preset-level").fill("25")
    page.get_by_test_id("preset-submit").click()
    expect(page.get_by_test_id("field-error-level")).to_contain_text("1 to 20")
    expect(page.get_by_test_id("batches-item")).to_have_count(1)


def test_cancel_all_on_a_batch_of_slow_jobs(page: Page):
    batch_id = qa_batch(page, duration="60", count="4")
    group = page.locator(f'{GROUP}[data-batch-id="{batch_id}"]')
    expect(group).to_have_attribute("data-active", "4")
    open_batch(page, batch_id)
    # Live while running: the overall bar moves without a reload.
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=batch-page-progress]')?.dataset.progress) > 0", timeout=30_000
    )
    shot(page, "batch-page-running")
    page.get_by_test_id("tile-close").click()
    expect(page.get_by_test_id("active-generations")).to_have_attribute("data-rail", "collapsed")
    assert_nothing_covered(page)
    page.get_by_test_id("tile-toggle").click()
    expect(page.get_by_test_id("active-generations")).to_have_attribute("data-rail", "shown")
    assert_nothing_covered(page)
    tile_box = page.get_by_test_id("active-generations").bounding_box()
    group_box = group.bounding_box()
    assert group_box["x"] >= tile_box["x"] and group_box["x"] + group_box["width"] <= tile_box["x"] + tile_box["width"] + 0.5
    page.get_by_test_id("active-generations").screenshot(path=str(SCREENSHOTS / "batch-tile-with-group.png"))
    page.get_by_test_id("batch-page-cancel").click()
    expect(page.get_by_test_id("batch-count-cancelled")).to_have_text("4")
    expect(group).to_have_attribute("data-active", "0")
    expect(page.get_by_test_id("batch-page-done")).to_have_text("4 of 4 done")
    expect(page.get_by_test_id("batch-page-cancel")).to_be_disabled()
    shot(page, "batch-page-cancelled")


def test_retry_failed_reruns_the_failed_ones(page: Page):
    batch_id = qa_batch(page, job_type="quest", duration="1", fail_at="50", count="3")
    open_batch(page, batch_id)
    expect(page.get_by_test_id("batch-count-error")).to_have_text("3", timeout=30_000)
    group = page.locator(f'{GROUP}[data-batch-id="{batch_id}"]')
    expect(group).to_contain_text("3 failed or cancelled")
    shot(page, "batch-page-failed")
    page.get_by_test_id("batch-page-retry").click()
    expect(page.get_by_test_id("batch-count-complete")).to_have_text("3", timeout=30_000)
    expect(page.get_by_test_id("batch-count-error")).to_have_text("0")
    rows = page.get_by_test_id("batch-jobs").get_by_test_id("job-row")
    expect(rows).to_have_count(3)
    assert_nothing_covered(page)
    shot(page, "batch-page-done")


def test_an_unknown_or_foreign_batch_is_not_found(page: Page, browser, app):
    batch_id = qa_batch(page, duration="2", count="2")
    stranger = browser.new_context(base_url=app.url, viewport={"width": 1280, "height": 720})
    try:
        other = stranger.new_page()
        open_page(other, f"/dashboard/batches/{batch_id}")
        expect(other.get_by_test_id("batch-not-found")).to_be_visible()
        open_page(other, "/dashboard/batches/no-such-batch")
        expect(other.get_by_test_id("batch-not-found")).to_be_visible()
        expect(other.locator(GROUP)).to_have_count(0)
    finally:
        stranger.close()
