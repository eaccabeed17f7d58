"""The scaled mode in Chromium: one user's two tabs on two backends, and one backend killed.

What runs (as `make run-scaled` runs it, from scripts/scaled.py's commands): a fresh Postgres
database, Redis (a channel and a database number of its own), two `reflex run --env prod
--backend-only` backends with one server worker each, the round-robin balancer in front of them
(the bundle's one backend URL), one `genapp worker`, and the production UI.

Which backend holds a tab is read from the balancer's log: it names the backend each websocket
went to, with a hash of the tab's token (the token is in the websocket URL Playwright reports).
Every wait is a condition with a deadline, never a sleep.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.helpers import ROW, open_page, read, row, user_id
from tests.e2e.scaled_harness import ScaledApp, ServicesMissing, Tab, figure, running_scaled

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> Iterator[ScaledApp]:
    try:
        with running_scaled(tmp_path_factory.mktemp("scaled")) as app:
            yield app
    except ServicesMissing as exc:
        pytest.fail(str(exc))


# Records every change of every tile row (status, progress) with the page's clock, so a test can ask
# what a tab showed and when, after the fact. Installed after the page loaded; rows already there count.
RECORDER = """() => {
  if (window.__rows) return;
  window.__rows = [];
  const last = {};
  const scan = () => {
    for (const r of document.querySelectorAll('%s')) {
      const v = r.dataset.status + ' ' + r.dataset.progress;
      if (last[r.dataset.jobId] !== v) {
        last[r.dataset.jobId] = v;
        window.__rows.push({id: r.dataset.jobId, status: r.dataset.status, progress: Number(r.dataset.progress), t: Date.now()});
      }
    }
  };
  scan();
  new MutationObserver(scan).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                      attributeFilter: ['data-status', 'data-progress']});
}""" % ROW


def seen(page: Page, job_id: str) -> list[dict]:
    return read(page, "id => (window.__rows || []).filter(r => r.id === id)", job_id)


def submit_qa_job(page: Page, duration: str) -> tuple[str, float]:
    """Fill the QA form on the page already open and click Start, as a person does: the new row's id, and
    when the click happened (Date.now(): one clock for every tab on this machine)."""
    page.bring_to_front()  # a person clicks in the tab they look at (a background tab's clicks wait on throttled frames)
    before = set(page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.jobId)"))
    page.get_by_test_id("qa-type").select_option("character")
    page.get_by_test_id("qa-duration").fill(duration)
    page.get_by_test_id("qa-fail-at").fill("")
    page.get_by_test_id("qa-count").fill("1")
    start = page.get_by_test_id("qa-start")
    start.wait_for()
    clicked = now_ms(page)
    start.click()
    page.wait_for_function(
        "([sel, known]) => [...document.querySelectorAll(sel)].some(r => !known.includes(r.dataset.jobId))", arg=[ROW, sorted(before)]
    )
    [job_id] = [i for i in page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.jobId)") if i not in before]
    return job_id, clicked


def now_ms(page: Page) -> float:
    return read(page, "() => Date.now()")


REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no",
               "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=10).stdout.strip() == "PONG"


def until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)  # polling Redis / the database with a deadline


def test_redis_restarted_empty_the_tab_equals_the_database_within_5_s(scaled: ScaledApp, browser: Browser):
    """Redis goes away mid-jobs (Reflex's tab states, the shared job states and the progress channel with it)
    and comes back empty: the open tab shows what the database holds within 5 s, and pushes resume."""
    import sqlalchemy as sa

    db = sa.create_engine(scaled.env["GENAPP_DB_URL"])

    def statuses(ids: list[str]) -> dict[str, str]:
        with db.connect() as conn:
            return dict(conn.execute(sa.text("SELECT id, status FROM job WHERE id = ANY(:ids)"), {"ids": ids}).all())

    context = browser.new_context(base_url=scaled.url, viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        open_page(page, "/dashboard/test-generation")
        read(page, RECORDER)
        short, _ = submit_qa_job(page, duration="4")
        long, _ = submit_qa_job(page, duration="25")
        for job_id in (short, long):
            expect(row(page, job_id)).to_have_attribute("data-status", "generating")
        try:
            subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=10)
            until(lambda: not redis_up(), 10, "Redis down")
            down = now_ms(page)
            until(lambda: statuses([short])[short] == "complete", 30, "the short job finishing while Redis is down")
        finally:
            if not redis_up():
                subprocess.run(REDIS_START, capture_output=True, timeout=30)
        until(redis_up, 10, "Redis back")
        back = now_ms(page)

        shown: dict[str, str] = {}

        def dom_equals_database() -> bool:
            nonlocal shown
            truth = statuses([short, long])
            try:
                shown = read(
                    page,
                    "([sel, ids]) => Object.fromEntries([...document.querySelectorAll(sel)].filter(r => ids.includes(r.dataset.jobId))"
                    ".map(r => [r.dataset.jobId, r.dataset.status]))",
                    [ROW, [short, long]],
                    timeout=1000,
                )
            except PlaywrightError:  # the page is reloading
                return False
            return shown == truth

        page.wait_for_function("() => true")
        deadline = time.monotonic() + 5
        while not dom_equals_database():
            assert time.monotonic() < deadline, f"the tab shows {shown}, the database {statuses([short, long])}"
            page.wait_for_timeout(50)  # lets Playwright deliver the page's events while polling the database
        equal_after = now_ms(page) - back
        reloaded = read(page, "() => window.__rows === undefined")  # a reload takes the recorder with it
        read(page, RECORDER)
        # pushes resume: the long job moves on in the tab after Redis is back, and finishes
        page.wait_for_function("([id, t]) => (window.__rows || []).some(r => r.id === id && r.t > t && r.status === 'generating')",
                               arg=[long, back + equal_after])
        first_push = min(r["t"] for r in seen(page, long) if r["t"] > back) - back
        expect(row(page, long)).to_have_attribute("data-status", "complete", timeout=60_000)
        figure(f"Redis down {back - down:.0f} ms (restarted empty) mid-jobs: the tab equals the database {equal_after:.0f} ms after Redis was back, "
               f"{'after reloading itself (told by its backend: its state was lost), ' if reloaded else ''}"
               f"its first push about the running job after {first_push:.0f} ms, the job then completed in the tab")
        screenshot(page, "scaled-after-redis-restart", full_page=False)
    finally:
        context.close()
        db.dispose()
        if not redis_up():
            subprocess.run(REDIS_START, capture_output=True, timeout=30)


def test_one_user_on_two_backends_live_through_a_backend_crash(scaled: ScaledApp, browser: Browser):
    context = browser.new_context(base_url=scaled.url, viewport=VIEWPORT)  # one context: one session cookie, one user
    context.set_default_timeout(30_000)
    try:
        tab1, tab2 = Tab(context.new_page(), "tab 1"), Tab(context.new_page(), "tab 2")
        open_page(tab1.page, "/dashboard/test-generation")
        open_page(tab2.page, "/dashboard")
        # Round robin gives the second tab's socket the other backend; a reload moves it on if something came between.
        for _ in range(4):
            if tab2.backend(scaled) != tab1.backend(scaled):
                break
            tab2.page.reload()
            open_page(tab2.page, "/dashboard")
        a, b = tab1.backend(scaled), tab2.backend(scaled)
        assert a != b and {a, b} == set(scaled.backend_ports)
        figure(f"tab 1's websocket on backend :{a}, tab 2's on backend :{b} (balancer :{scaled.public_port})")
        uid1 = user_id(tab1.page, f"http://localhost:{scaled.public_port}")
        assert uid1, "the session's user"

        # 1. A job submitted in tab 1 (backend A) shows live in tab 2 (backend B), from its start to complete.
        read(tab2.page, RECORDER)
        read(tab1.page, RECORDER)
        frames_before = len(tab2.frames)
        job1, clicked = submit_qa_job(tab1.page, duration="6")
        expect(row(tab2.page, job1)).to_be_visible()
        expect(row(tab2.page, job1)).to_have_attribute("data-status", "complete", timeout=60_000)
        shown = seen(tab2.page, job1)
        statuses = [s["status"] for s in shown]
        progresses = sorted({s["progress"] for s in shown if s["status"] not in ("complete",)})
        assert statuses[0] in ("pending", "generating"), f"tab 2 first showed the job as {statuses[0]}"
        assert statuses[-1] == "complete"
        assert len(progresses) >= 5, f"tab 2 saw only {progresses} on the way"
        own = seen(tab1.page, job1)[0]["t"] - clicked
        figure(f"job 1 (tab 1, backend :{a}) in tab 2 (backend :{b}): row {shown[0]['t'] - clicked:.0f} ms after the click "
               f"(in tab 1 itself: {own:.0f} ms), first status "
               f"{statuses[0]}, {len(shown)} row changes, {len(progresses)} distinct progress values before complete ({progresses[0]}..{progresses[-1]}%)")
        # Only backend B pushes to tab 2: were backend A's pushes relayed to it too (Reflex's lost-and-found), each change would come about twice.
        pushes = tab2.pushes_about(job1, frames_before)
        figure(f"tab 2 got {len(pushes)} state updates about job 1 for {len(shown)} row changes ({len(pushes) / len(shown):.2f} per change)")
        assert len(pushes) <= 1.4 * len(shown), f"tab 2 got {len(pushes)} updates for {len(shown)} changes: another backend's pushes reach it"
        screenshot(tab2.page, "scaled-tab2-job1-complete", full_page=False)

        # 2. Backend A dies (kill -9) mid-job: tab 2 keeps getting pushes; the job finishes.
        job2, clicked2 = submit_qa_job(tab1.page, duration="12")
        tab2.page.wait_for_function(
            "([sel]) => { const r = document.querySelector(sel); return r && r.dataset.status === 'generating' && Number(r.dataset.progress) >= 10; }",
            arg=[f'{ROW}[data-job-id="{job2}"]'],
        )
        killed = now_ms(tab2.page)
        scaled.kill_backend(a)
        tab2.page.wait_for_function(
            "([id, t]) => (window.__rows || []).some(r => r.id === id && r.t > t)", arg=[job2, killed], timeout=30_000
        )
        first_after = min(s["t"] for s in seen(tab2.page, job2) if s["t"] > killed)
        expect(row(tab2.page, job2)).to_have_attribute("data-status", "complete", timeout=60_000)
        after_kill = [s for s in seen(tab2.page, job2) if s["t"] > killed]
        figure(f"job 2 (tab 1, backend :{a}): row {seen(tab1.page, job2)[0]['t'] - clicked2:.0f} ms after the click in tab 1, "
               f"{seen(tab2.page, job2)[0]['t'] - clicked2:.0f} ms in tab 2")
        figure(f"backend :{a} killed at job 2's {[s for s in seen(tab2.page, job2) if s['t'] <= killed][-1]['progress']}%: "
               f"tab 2's next push after {first_after - killed:.0f} ms, {len(after_kill)} row changes after the kill, complete")
        screenshot(tab2.page, "scaled-tab2-after-kill", full_page=False)
        # Tab 1 lost its socket with its backend; its socket.io client reconnects on its own, through the balancer to B.
        expect(row(tab1.page, job2)).to_have_attribute("data-status", "complete")
        done1, done2 = (next(s["t"] for s in seen(tab.page, job2) if s["status"] == "complete") for tab in (tab1, tab2))
        assert tab1.backend(scaled) == b, "tab 1 reconnected to the surviving backend"
        figure(f"tab 1, its backend killed: reconnected by itself to :{b} (its websocket #{len(tab1.tokens)}); "
               f"showed job 2 complete {done1 - done2:+.0f} ms from tab 2")

        # 3. A new job, started in tab 2 after the kill (client-side navigation keeps its socket), runs live there.
        tab2.page.get_by_role("link", name="Test generation").click()
        expect(tab2.page.get_by_test_id("qa-start")).to_be_visible()
        read(tab2.page, RECORDER)
        job3, clicked3 = submit_qa_job(tab2.page, duration="5")
        expect(row(tab2.page, job3)).to_have_attribute("data-status", "complete", timeout=60_000)
        row3 = seen(tab2.page, job3)[0]["t"] - clicked3
        progresses3 = sorted({s["progress"] for s in seen(tab2.page, job3) if s["status"] != "complete"})
        assert len(progresses3) >= 4, f"tab 2 saw only {progresses3} of job 3"
        assert tab2.backend(scaled) == b, "tab 2 kept its socket on the surviving backend"
        figure(f"job 3 (started in tab 2 after the kill): row {row3:.0f} ms after the click, {len(progresses3)} distinct progress values before complete")

        # 4. Tab 1 (its backend gone) reloads: through the balancer to the surviving backend, everything is there.
        reloaded = time.monotonic()
        tab1.page.reload()
        expect(tab1.page.get_by_test_id("active-generations")).to_be_visible()
        for job_id in (job1, job2, job3):
            expect(row(tab1.page, job_id)).to_have_attribute("data-status", "complete")
        figure(f"tab 1 reloaded after its backend died: all 3 jobs complete in its tile after {time.monotonic() - reloaded:.2f} s")
        assert tab1.backend(scaled) == b, "tab 1's new websocket went to the surviving backend"
        expect(tab1.page.get_by_test_id("qa-raw-counts")).to_contain_text('"complete":3')
        assert user_id(tab1.page, f"http://localhost:{scaled.public_port}") == uid1, "still the same user"
        screenshot(tab1.page, "scaled-tab1-reloaded", full_page=False)
    finally:
        context.close()
