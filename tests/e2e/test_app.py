"""The app as a game master uses it, in real Chromium against the running frontend and backend.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import ROW, open_page, progress_of, qa_start, row, wait_progress_above


def test_generate_on_a_page_and_read_the_result(page: Page):
    open_page(page, "/dashboard/character")
    page.get_by_test_id("prompt-input").fill("a grumpy dwarven blacksmith")
    page.get_by_test_id("generate-button").click()
    first = page.locator(ROW).first
    expect(first).to_have_attribute("data-job-type", "character")
    expect(first).to_have_attribute("data-status", "complete", timeout=20_000)
    job_id = first.get_attribute("data-job-id")
    panel = page.get_by_test_id("result-panel")
    expect(panel).to_have_attribute("data-job-id", job_id)
    expect(panel).to_contain_text("Dwarf", ignore_case=True)
    expect(panel.get_by_test_id("result-image")).to_be_visible()
    screenshot(page, "generator-character")


def test_start_go_elsewhere_and_come_back_to_the_result(page: Page):
    [job_id] = qa_start(page, job_type="item", duration="4")
    page.get_by_role("link", name="Dashboard").click()  # client-side navigation, mid-job
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    wait_progress_above(page, job_id, 10)
    screenshot(page, "dashboard-running")
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=30_000)
    page.get_by_role("link", name="Item").first.click()
    expect(page.get_by_test_id("result-panel")).to_have_attribute("data-job-id", job_id)
    row(page, job_id).get_by_test_id("job-link").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/jobs/{job_id}$"))
    expect(page.get_by_test_id("result-panel")).to_be_visible()
    screenshot(page, "job-detail")


def test_reload_mid_job_keeps_it_running(page: Page):
    [job_id] = qa_start(page, duration="6")
    wait_progress_above(page, job_id, 5)
    before = progress_of(page, job_id)
    page.reload()
    expect(row(page, job_id)).to_be_visible()
    assert progress_of(page, job_id) >= before
    wait_progress_above(page, job_id, before + 5)
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=30_000)


def test_second_tab_sees_the_same_jobs_live(page: Page, context):
    open_page(page, "/dashboard")
    other = context.new_page()
    open_page(other, "/dashboard/npc")
    [job_id] = qa_start(page, job_type="npc", duration="5")
    expect(row(other, job_id)).to_be_visible()
    wait_progress_above(other, job_id, 20)  # progress arrives in the other tab without a reload
    expect(row(other, job_id)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(other.get_by_test_id("result-panel")).to_have_attribute("data-job-id", job_id)


def test_cancel_and_retry_from_the_tile(page: Page):
    [job_id] = qa_start(page, duration="4")
    wait_progress_above(page, job_id, 5)
    row(page, job_id).get_by_test_id("job-cancel").click()
    expect(row(page, job_id)).to_have_attribute("data-status", "cancelled")
    row(page, job_id).get_by_test_id("job-retry").click()
    expect(row(page, job_id)).to_have_attribute("data-status", re.compile("pending|generating"))
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=30_000)
    row(page, job_id).get_by_test_id("job-remove").click()
    expect(row(page, job_id)).to_have_count(0)


def test_failure_shows_on_the_page_and_retry_recovers(page: Page):
    [job_id] = qa_start(page, job_type="quest", duration="1", fail_at="50")
    expect(row(page, job_id)).to_have_attribute("data-status", "error", timeout=20_000)
    open_page(page, "/dashboard/quest")
    error_panel = page.get_by_test_id("error-panel")
    expect(error_panel).to_contain_text("Injected failure at 50%")
    screenshot(page, "generator-error")
    page.get_by_test_id("error-retry").click()
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(page.get_by_test_id("result-panel")).to_have_attribute("data-job-id", job_id)
    expect(error_panel).to_have_count(0)


def test_another_user_sees_none_of_the_jobs(page: Page, browser, app):
    [job_id] = qa_start(page, duration="3")
    stranger = browser.new_context(base_url=app.url)
    try:
        other = stranger.new_page()
        open_page(other, "/dashboard")
        expect(other.get_by_test_id("active-generations")).to_contain_text("No generations yet")
        expect(other.locator(ROW)).to_have_count(0)
        other.goto(f"/dashboard/jobs/{job_id}")
        expect(other.get_by_test_id("job-not-found")).to_be_visible()
        expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=20_000)
        expect(other.locator(ROW)).to_have_count(0)
    finally:
        stranger.close()


def test_bad_input_gets_a_message_and_creates_no_job(page: Page):
    open_page(page, "/dashboard/character")
    count = page.locator(ROW).count()
    page.get_by_test_id("field-level").fill("0")
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("field-error-level")).to_contain_text("Level")
    page.get_by_test_id("field-level").fill("999")
    page.get_by_test_id("prompt-input").fill("x" * 4001)
    page.get_by_test_id("generate-button").click()
    expect(page.get_by_test_id("field-error-prompt")).to_contain_text("4,000")
    expect(page.get_by_test_id("field-error-level")).to_be_visible()
    screenshot(page, "generator-bad-input")
    open_page(page, "/dashboard/test-generation")
    page.get_by_test_id("qa-duration").fill("500")
    page.get_by_test_id("qa-start").click()
    expect(page.get_by_test_id("field-error-duration")).to_contain_text("120")
    assert page.locator(ROW).count() == count


def test_pages_render(page: Page):
    open_page(page, "/dashboard")
    screenshot(page, "dashboard")
    for job_type in ("npc", "item", "quest", "encounter", "world", "campaign"):
        open_page(page, f"/dashboard/{job_type}")
        expect(page.get_by_test_id("generate-button")).to_be_visible()
    open_page(page, "/dashboard/test-generation")
    screenshot(page, "test-generation")


def test_backend_restart_mid_job_still_completes(page: Page, app):
    [job_id] = qa_start(page, duration="8")
    wait_progress_above(page, job_id, 10)
    app.stop_backend()
    app.start_backend()
    # The page reconnects by itself; the resumed job finishes on the new backend.
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=60_000)
