"""Notifications in real Chromium at 1280×720: the title's active count, a browser notification for a job and
for a whole batch that finish while the tab is hidden, the user's switch in the tile, and the permission
asked only from a click.

Headless Chromium reports every page as visible (bringing another tab to the front or minimising the
window changes nothing there), so the test makes the tab hidden itself: `document.visibilityState` is
overridden by an init script. The Notification constructor is Chromium's own, wrapped to record what it
was given; the permission is granted by the test.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import ROW, open_page, qa_start, row

GROUP = '[data-testid="active-generations"] [data-testid="batch-group"]'

RECORD = """(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', {configurable: true, get() { return hidden ? 'hidden' : 'visible'; }});
  Object.defineProperty(Document.prototype, 'hidden', {configurable: true, get() { return hidden; }});
  window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.__notes = [];
  window.__asked = 0;
  const Real = window.Notification;
  if (!Real) return;
  function Recording(title, options) {
    window.__notes.push({title, body: options && options.body, tag: options && options.tag});
    return new Real(title, options);
  }
  Object.defineProperty(Recording, 'permission', {get: () => Real.permission});
  Recording.requestPermission = (...args) => { window.__asked += 1; return Real.requestPermission(...args); };
  window.Notification = Recording;
})()"""


@pytest.fixture
def notified(browser: Browser, app: RunningApp) -> Page:
    """A new user whose browser already allows notifications for the app (as after saying yes once)."""
    context = browser.new_context(base_url=app.url, viewport=VIEWPORT, permissions=["notifications"])
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD)
    yield context.new_page()
    context.close()


def notes(page: Page) -> list[dict]:
    return page.evaluate("() => window.__notes")


def wait_notes(page: Page, count: int, timeout: float = 30_000) -> list[dict]:
    page.wait_for_function("n => window.__notes.length >= n", arg=count, timeout=timeout)
    return notes(page)


def switch(page: Page):
    return page.get_by_test_id("notify-switch")


def test_a_hidden_tab_is_notified_of_a_job_and_of_a_batch_and_the_title_counts(notified: Page):
    page = notified
    open_page(page, "/dashboard/test-generation")
    expect(page).to_have_title("Test generation · genapp")
    expect(switch(page)).to_have_attribute("data-permission", "granted")
    expect(switch(page)).to_have_attribute("data-notify", "on")
    assert page.evaluate("() => window.__asked") == 0, "nothing asked on page load"

    # The title counts the active jobs; the tab hidden, a finished job raises one notification.
    [job_id] = qa_start(page, duration="4")
    expect(page).to_have_title(re.compile(r"^\(1\) Test generation · genapp$"))
    page.evaluate("() => window.__setHidden(true)")
    [note] = wait_notes(page, 1)
    assert note["title"] == "genapp: done" and note["body"].startswith("Character ready: ") and note["tag"].startswith("genapp-")
    expect(row(page, job_id)).to_have_attribute("data-status", "complete")
    expect(page).to_have_title("Test generation · genapp")

    # A batch of two: one notification when both are done, none per job.
    page.evaluate("() => window.__setHidden(false)")
    page.get_by_test_id("qa-type").select_option("item")
    page.get_by_test_id("qa-duration").fill("3")
    page.get_by_test_id("qa-count").fill("2")
    page.get_by_test_id("qa-as-batch").click()
    page.get_by_test_id("qa-start").click()
    expect(page.locator(GROUP)).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^\(2\) Test generation · genapp$"))
    page.evaluate("() => window.__setHidden(true)")
    expect(page.locator(GROUP).first).to_have_attribute("data-active", "0", timeout=30_000)
    batch_notes = wait_notes(page, 2)[1:]
    assert [n["body"] for n in batch_notes] == ["Batch finished: QA: 2 × item"]
    expect(page).to_have_title("Test generation · genapp")
    assert len(notes(page)) == 2, "the batch's jobs were not told one by one"
    page.evaluate("() => window.__setHidden(false)")
    screenshot(page, "notifications-on", full_page=False)


def test_turned_off_a_hidden_tab_gets_only_the_toast_and_turning_on_asks_from_the_click(notified: Page):
    page = notified
    open_page(page, "/dashboard/test-generation")
    expect(switch(page)).to_have_attribute("data-permission", "granted")
    page.get_by_test_id("notify-toggle").click()
    expect(switch(page)).to_have_attribute("data-notify", "off")
    # The setting is the user's: a reload (a new page state) still has it off.
    page.reload()
    open_page(page, "/dashboard/test-generation")
    expect(switch(page)).to_have_attribute("data-notify", "off")

    [job_id] = qa_start(page, duration="2")
    page.evaluate("() => window.__setHidden(true)")
    expect(row(page, job_id)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.locator("[data-sonner-toast]").filter(has_text="Character ready")).to_have_count(1)
    assert notes(page) == [], "off: no browser notification"

    page.evaluate("() => window.__setHidden(false)")
    page.get_by_test_id("notify-toggle").click()
    expect(switch(page)).to_have_attribute("data-notify", "on")
    page.wait_for_function("() => window.__asked === 1")  # the browser was asked, from the click
    expect(page.locator(ROW)).to_have_count(1)
