"""Queue control from the tile, with real clicks at 1280x720 (issue 11): pause and resume, moving
waiting jobs with the buttons and by dragging, their places in line, and an admin's pause of the
whole service; screenshots of the controls, a paused queue and the admin's card.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, VIEWPORT, screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import ROW, cancel_all, open_page, qa_start, row
from tests.e2e.test_accounts import sign_up
from tests.e2e.test_layout import TILE, assert_nothing_covered

WAITING = f'{ROW}[data-status="pending"]'


def waiting_ids(page: Page) -> list[str]:
    return page.locator(WAITING).evaluate_all("rows => rows.map(r => r.dataset.jobId)")


def expect_waiting(page: Page, ids: list[str]) -> None:
    page.wait_for_function(
        "([sel, ids]) => JSON.stringify([...document.querySelectorAll(sel)].map(r => r.dataset.jobId)) === JSON.stringify(ids)",
        arg=[WAITING, ids],
    )


def test_pause_move_drag_and_resume_from_the_tile(page: Page):
    open_page(page, "/dashboard")
    page.get_by_test_id("tile-pause").click()
    expect(page.get_by_test_id("queue-paused")).to_have_attribute("data-paused", "queue")
    expect(page.get_by_test_id("queue-paused")).to_contain_text("Your queue is paused")
    jobs = qa_start(page, duration="30", count="4")
    expect_waiting(page, jobs)  # nothing starts while paused, in the order submitted
    for job_id in jobs:
        expect(row(page, job_id).get_by_test_id("job-line")).to_have_text("Paused")
    assert_nothing_covered(page, "a paused queue of four", roots=(TILE,))
    screenshot(page, "queue-paused", full_page=False)

    a, b, c, d = jobs
    row(page, d).get_by_test_id("job-front").click()
    expect_waiting(page, [d, a, b, c])
    row(page, d).get_by_test_id("job-down").click()
    expect_waiting(page, [a, d, b, c])
    row(page, b).get_by_test_id("job-up").click()
    expect_waiting(page, [a, b, d, c])
    row(page, c).drag_to(row(page, a))  # dropped on a row: just ahead of it
    expect_waiting(page, [c, a, b, d])
    screenshot(page, "queue-moved", full_page=False)

    page.get_by_test_id("tile-resume").click()
    expect(page.get_by_test_id("queue-paused")).to_have_count(0)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length < 4", arg=WAITING)  # they start
    cancel_all(page)


def test_waiting_jobs_show_their_place_in_line(page: Page):
    jobs = qa_start(page, duration="60", count="7")  # 4 slots: at least 3 wait
    lines = page.locator(f'{WAITING} [data-testid="job-line"]')
    expect(lines.first).to_contain_text("in line")
    texts = lines.all_inner_texts()
    assert any("in line" in t for t in texts) and all(t != "Paused" for t in texts), texts
    screenshot(page, "queue-places", full_page=False)
    assert len(jobs) == 7
    cancel_all(page)


def test_pause_now_parks_a_running_job_after_its_text(page: Page):
    [job] = qa_start(page, duration="8", count="1")
    page.wait_for_function("(sel) => document.querySelector(sel)?.dataset.status === 'generating'", arg=f'{ROW}[data-job-id="{job}"]')
    page.get_by_test_id("tile-pause-now").click()
    expect(page.get_by_test_id("queue-paused")).to_have_attribute("data-paused", "checkpoint")
    expect(row(page, job)).to_have_attribute("data-status", "pending", timeout=30_000)  # its text done, it waits
    expect(row(page, job).get_by_test_id("job-line")).to_have_text("Paused")
    page.get_by_test_id("tile-resume").click()
    expect(row(page, job)).to_have_attribute("data-status", "image-generating", timeout=30_000)  # only its picture is left
    cancel_all(page)


def test_an_admin_pauses_and_resumes_the_whole_service(browser: Browser, app: RunningApp, page: Page):
    admin = browser.new_context(base_url=app.url, viewport=VIEWPORT)
    try:
        admin_page = admin.new_page()
        sign_up(admin_page, ADMIN_EMAIL)
        open_page(admin_page, "/dashboard/settings")
        admin_page.get_by_test_id("service-pause").click()
        expect(admin_page.get_by_test_id("service-queue-state")).to_contain_text("Paused for everyone")

        open_page(page, "/dashboard")  # another user, not an admin: no such card, and their jobs wait
        expect(page.get_by_test_id("queue-paused")).to_have_attribute("data-paused", "service")
        expect(page.get_by_test_id("queue-paused")).to_contain_text("paused by an administrator")
        [job] = qa_start(page, duration="1", count="1")
        expect(row(page, job).get_by_test_id("job-line")).to_have_text("Paused")
        open_page(page, "/dashboard/settings")
        expect(page.get_by_test_id("service-queue")).to_have_count(0)

        screenshot(admin_page, "service-paused-admin", full_page=False)
        admin_page.get_by_test_id("service-resume").click()
        expect(page.get_by_test_id("queue-paused")).to_have_count(0)
        expect(page.locator(f'[data-testid="job-row"][data-job-id="{job}"]')).to_have_attribute("data-status", "complete", timeout=30_000)
    finally:
        admin.close()
