"""The Active Generations tile never hides the page (issue 7): at 1280x720 with many jobs running,
every control of every page is reachable with real clicks, and on a narrow window the tile is a drawer.

Every wait is a condition with a deadline (Playwright's expect / wait_for_function), never a sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import ROW, cancel_all, open_page, qa_start, row, row_ids

GENERATOR_TYPES = ("character", "npc", "item", "quest", "encounter", "world", "campaign")
LONG_JOBS = 8
# Also checked, beyond the 1280x720 users have: a large screen, and a small laptop above the drawer's width.
MORE_VIEWPORTS = ({"width": 1920, "height": 1080}, {"width": 1024, "height": 768})
NARROW_VIEWPORT = {"width": 800, "height": 900}
TILE = '[data-testid="active-generations"]'
LONG_PROMPT = "a {} with a very long and winding description that will never fit on one line of the tile"

# For each control a user can use inside `root`: scroll it into view, then ask the browser what is
# at its centre. Anything but the control itself (or a child of it) covers it; toasts are transient
# and allowed. Also reports rows of `root` wider than themselves (a title pushing actions out).
COVERED_CONTROLS = """
(root) => {
  const controls = 'input, textarea, select, button, a[href], [role="button"], [role="combobox"], '
    + '[role="checkbox"], [role="switch"], [tabindex]:not([tabindex="-1"])';
  const tile = document.querySelector('[data-testid="active-generations"]');
  const describe = (el) => {
    if (!el) return 'nothing (outside the window)';
    const id = el.closest('[data-testid]')?.dataset.testid || '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()} in [${id}] "${text}"`;
  };
  const usable = (el) => {
    if (el.closest('[aria-hidden="true"]') || el.matches('input[type="hidden"]')) return false;  // Radix's form mirrors
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.pointerEvents === 'none' || Number(style.opacity) === 0) return false;
    const box = el.getBoundingClientRect();
    return box.width >= 2 && box.height >= 2;
  };
  const covered = [];
  let checked = 0;
  for (const el of document.querySelector(root).querySelectorAll(controls)) {
    if (!usable(el)) continue;
    el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    checked += 1;
    if (hit && (hit === el || el.contains(hit))) continue;
    if (hit && hit.closest('[data-sonner-toaster]')) continue;
    covered.push({control: describe(el), by: describe(hit), by_tile: !!(hit && tile && tile.contains(hit))});
  }
  const overflowing = [...document.querySelector(root).querySelectorAll('[data-testid="job-row"]')]
    .filter((r) => r.scrollWidth > r.clientWidth + 1).map((r) => r.dataset.jobId);
  const page_scrolls_sideways = document.documentElement.scrollWidth > window.innerWidth;
  window.scrollTo(0, 0);
  return {checked, covered, overflowing, page_scrolls_sideways};
}
"""


def assert_nothing_covered(page: Page, where: str, roots=("main", TILE)) -> None:
    for root in roots:
        report = page.evaluate(COVERED_CONTROLS, root)
        assert report["checked"] > 0, f"{where}: no controls found in {root}"
        assert report["covered"] == [], f"{where}: controls covered in {root}: {report['covered']}"
        assert report["overflowing"] == [], f"{where}: rows wider than the tile in {root}: {report['overflowing']}"
        assert not report["page_scrolls_sideways"], f"{where}: the page scrolls sideways"


def generate(page: Page, job_type: str) -> str:
    """Fill the prompt, press Generate with a real click, and return the id of the tile row that appears."""
    of_type = f'{ROW}[data-job-type="{job_type}"]'
    before = set(row_ids(page, of_type))  # rows are in the DOM even while a drawer hides them
    page.get_by_test_id("prompt-input").fill(LONG_PROMPT.format(job_type))
    page.get_by_test_id("generate-button").click()  # fails if anything covers the button
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[of_type, len(before)])
    [new] = [i for i in row_ids(page, of_type) if i not in before]
    return new


@pytest.fixture(scope="module")
def busy_page(browser: Browser, app: RunningApp) -> Page:
    """One user with 8 long jobs (4 running, 4 queued behind them), at the e2e viewport.

    Module-wide to start them once; cancelled at the end so they do not hold the engine's workers.
    """
    context = browser.new_context(base_url=app.url, viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    page = context.new_page()
    qa_start(page, duration="120", count=str(LONG_JOBS))
    try:
        yield page
    finally:
        page.set_viewport_size(VIEWPORT)
        open_page(page, "/dashboard")
        cancel_all(page)
        context.close()


def test_the_rail_collapses_and_gives_the_content_its_room(page: Page):
    open_page(page, "/dashboard/quest")
    content = page.get_by_test_id("page-content")
    tile = page.get_by_test_id("active-generations")
    docked = content.bounding_box()
    rail = tile.bounding_box()
    assert rail["x"] >= docked["x"] + docked["width"] - 1, "the rail overlaps the content"
    page.get_by_test_id("tile-toggle").click()
    expect(tile).to_be_hidden()
    page.wait_for_function(
        "(w) => document.querySelector('[data-testid=page-content]').getBoundingClientRect().width > w",
        arg=docked["width"] + rail["width"] - 2,
    )
    page.get_by_test_id("tile-toggle").click()
    expect(tile).to_be_visible()
    page.get_by_test_id("tile-close").click()
    expect(tile).to_be_hidden()
    page.reload()  # the choice is the tab's: it survives a reload
    expect(page.get_by_test_id("generate-button")).to_be_visible()
    expect(tile).to_be_hidden()
    page.get_by_test_id("tile-toggle").click()
    expect(tile).to_be_visible()


def test_on_a_narrow_window_the_tile_is_a_drawer(page: Page):
    [job_id] = qa_start(page, duration="120", count="1")
    try:
        page.set_viewport_size(NARROW_VIEWPORT)
        page.goto("/dashboard/npc")
        tile = page.get_by_test_id("active-generations")
        toggle = page.get_by_test_id("tile-toggle")
        expect(toggle).to_be_visible()
        expect(toggle.get_by_test_id("active-count")).to_have_text("1")
        expect(tile).to_be_hidden()  # closed by default: it covers nothing

        npc_id = generate(page, "npc")
        screenshot(page, "layout-narrow-closed", full_page=False)

        toggle.click()
        expect(tile).to_be_visible()
        expect(row(page, job_id).get_by_test_id("job-cancel")).to_be_visible()
        expect(row(page, npc_id)).to_be_visible()
        screenshot(page, "layout-narrow-open", full_page=False)

        page.get_by_test_id("tile-close").click()
        expect(tile).to_be_hidden()
        generate(page, "npc")

        toggle.click()  # opened again, then closed by a click beside it
        expect(tile).to_be_visible()
        page.get_by_test_id("tile-backdrop").click(position={"x": 20, "y": 400})
        expect(tile).to_be_hidden()
        assert_nothing_covered(page, "800x900, drawer closed", roots=("main",))
    finally:
        page.set_viewport_size(VIEWPORT)
        open_page(page, "/dashboard")
        cancel_all(page)


# The tests with many long jobs come last: their jobs hold the engine's workers until the module ends.


def test_every_generator_submits_with_real_clicks_while_many_jobs_run(busy_page: Page):
    page = busy_page
    for job_type in GENERATOR_TYPES:
        open_page(page, f"/dashboard/{job_type}")
        expect(row(page, generate(page, job_type))).to_be_visible()  # in the rail, beside the form


def test_no_control_is_covered_on_any_page_and_screenshots(busy_page: Page):
    page = busy_page
    open_page(page, "/dashboard")
    expect(page.locator(ROW).nth(LONG_JOBS - 1)).to_be_visible()
    job_id = row_ids(page)[0]
    pages = {
        "dashboard": "/dashboard",
        **{job_type: f"/dashboard/{job_type}" for job_type in GENERATOR_TYPES},
        "job": f"/dashboard/jobs/{job_id}",
        "test-generation": "/dashboard/test-generation",
        "settings": "/dashboard/settings",
    }
    for name, path in pages.items():
        page.set_viewport_size(VIEWPORT)
        open_page(page, path)
        if name == "job":
            expect(page.get_by_test_id("page-content").get_by_test_id("job-row")).to_be_visible()
        screenshot(page, f"layout-{name}")
        screenshot(page, f"layout-{name}-viewport", full_page=False)
        assert_nothing_covered(page, f"{name} at 1280x720")
        for viewport in MORE_VIEWPORTS:
            page.set_viewport_size(viewport)
            assert_nothing_covered(page, f"{name} at {viewport['width']}x{viewport['height']}")
    page.set_viewport_size(VIEWPORT)
    open_page(page, "/dashboard")
    page.locator(ROW).last.scroll_into_view_if_needed()  # the rail's own scroll, down to the long titles
    screenshot(page, "layout-rail-scrolled", full_page=False)


def test_with_fifty_jobs_the_form_is_still_reachable(busy_page: Page):
    """The rail scrolls its own rows: 50 of them change nothing for the page beside it."""
    page = busy_page
    have = len(row_ids(page))
    if have < 50:
        qa_start(page, duration="120", count=str(50 - have))
    open_page(page, "/dashboard/npc")
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[ROW, 50])
    assert_nothing_covered(page, "npc with 50 jobs at 1280x720")
    expect(row(page, generate(page, "npc"))).to_be_attached()
    screenshot(page, "layout-fifty-jobs", full_page=False)

