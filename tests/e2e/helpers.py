"""What the browser tests share: finding the tile's rows, opening a page, starting QA jobs.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect

ROW = '[data-testid="active-generations"] [data-testid="job-row"]'


def row(page: Page, job_id: str):
    return page.locator(f'{ROW}[data-job-id="{job_id}"]')


def row_ids(page: Page, selector: str = ROW) -> list[str]:
    return page.locator(selector).evaluate_all("rows => rows.map(r => r.dataset.jobId)")


def open_page(page: Page, path: str) -> Response | None:
    """Open `path` and wait until the tile shows the user's jobs; returns the page's HTTP response."""
    response = page.goto(path)
    # Linked to the user's job store (a new browser first gets its session from the backend and comes
    # back). The dev server builds a route on its first visit, which on a busy machine takes more than 5 s.
    expect(page.get_by_test_id("session-linked")).to_be_attached(timeout=30_000)
    expect(page.get_by_test_id("active-generations")).to_be_visible(timeout=30_000)
    return response


def read(page: Page, function: str, arg=None, *, timeout: float = 15_000):
    """What `function(arg)` returns in the page, with a deadline. Playwright's own page.evaluate has none, and
    one called while the page reloads itself can wait forever: a CI run lost its whole 90 minutes in
    test_scaled that way (the tab reloads when Redis comes back empty). wait_for_function is bounded and
    survives a navigation (it runs again in the new document)."""
    handle = page.wait_for_function(f"(arg) => [({function})(arg)]", arg=arg, timeout=timeout, polling=50)
    return handle.json_value()[0]


def user_id(page: Page, backend_url: str) -> str:
    """The user this browser's session cookie (HttpOnly: not visible to the page) stands for."""
    return page.request.get(f"{backend_url}/auth/me").json()["user"]


def qa_start(page: Page, *, job_type="character", duration="6", fail_at="", count="1") -> list[str]:
    """Start jobs from the QA page and return the ids of the rows that appeared."""
    open_page(page, "/dashboard/test-generation")
    before = set(row_ids(page))
    page.get_by_test_id("qa-type").select_option(job_type)
    page.get_by_test_id("qa-duration").fill(duration)
    page.get_by_test_id("qa-fail-at").fill(fail_at)
    page.get_by_test_id("qa-count").fill(count)
    page.get_by_test_id("qa-start").click()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n",
        arg=[ROW, len(before) + int(count)],
    )
    return [i for i in row_ids(page) if i not in before]


def cancel_all(page: Page) -> None:
    """Cancel every active job of this user from the tile, so long jobs do not hold the engine's workers."""
    cancels = page.locator(f'{ROW} [data-testid="job-cancel"]')
    while (left := cancels.count()) > 0:
        cancels.last.click()  # queued ones first (active rows run first in the list), so none starts meanwhile
        # At least one fewer: a cancelled job may free a worker for a quick queued job that finishes at once.
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length < n",
            arg=[f'{ROW} [data-testid="job-cancel"]', left],
        )


def progress_of(page: Page, job_id: str) -> int:
    return int(row(page, job_id).get_attribute("data-progress"))


def wait_progress_above(page: Page, job_id: str, value: int, timeout: float = 20_000) -> None:
    page.wait_for_function(
        "([sel, v]) => { const r = document.querySelector(sel); return r && Number(r.dataset.progress) > v; }",
        arg=[f'{ROW}[data-job-id="{job_id}"]', value],
        timeout=timeout,
    )
