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

import hashlib
import importlib.util
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.harness import REPO, _stop, free_port, wait_http
from tests.e2e.helpers import ROW, open_page, row

pytestmark = pytest.mark.e2e

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_HOST = "redis://127.0.0.1:6379"


def _load_scaled():
    spec = importlib.util.spec_from_file_location("genapp_scaled_script", REPO / "scripts" / "scaled.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def figure(text: str) -> None:
    print(f"FIGURE: {text}", flush=True)


class ScaledApp:
    """Two backends behind the balancer, a worker, the UI; each process in its own group, its own log."""

    def __init__(self, workdir: Path, database: str, redis_db: int):
        self.scaled = _load_scaled()
        self.workdir = workdir
        self.ui_port, self.public_port = free_port(), free_port()
        self.backend_ports = [free_port(), free_port()]
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GENAPP_", "REFLEX_"))}
        self.env = self.scaled.scaled_environment(
            {
                **base,
                "PATH": f"{REPO / '.tools/node_modules/.bin'}:{REPO / '.venv/bin'}:{os.environ['PATH']}",
                "REFLEX_USE_SYSTEM_BUN": "1",
                "REFLEX_TELEMETRY_ENABLED": "false",
                "REFLEX_CHECK_LATEST_VERSION": "false",
                "PYTHONUNBUFFERED": "1",
                # A web dir of its own: the session's other app keeps REPO/.web, and a build into it would change its backend URL.
                "REFLEX_WEB_WORKDIR": str(workdir / "web"),
                "REFLEX_STATES_WORKDIR": str(workdir / "states"),
                "GENAPP_DB_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
                "GENAPP_REDIS_URL": f"{REDIS_HOST}/{redis_db}",  # Reflex's tab states go to a database of their own
                "GENAPP_REDIS_CHANNEL": f"genapp:e2e:{secrets.token_hex(4)}",
                "GENAPP_MEDIA_DIR": str(workdir / "media"),
                "GENAPP_FRONTEND_PORT": str(self.ui_port),
                "GENAPP_BACKEND_PORT": str(self.public_port),
                "GENAPP_DEFAULT_TEXT_SOURCE": "procedural",
                "GENAPP_DEFAULT_IMAGE_SOURCE": "procedural",
            }
        )
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            args, cwd=REPO, env=self.env, stdout=self.log(name).open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def start(self) -> None:
        started = time.monotonic()
        self.scaled.migrate(self.env)
        with self.log("build").open("ab") as log:
            subprocess.run([sys.executable, str(REPO / "scripts/serve.py"), "build"], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=True)
        figure(f"scaled setup: migrate + frontend build {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        for port in self.backend_ports:
            self.spawn(f"backend-{port}", self.scaled.backend_command(port))
        self.spawn("worker", self.scaled.worker_command())
        self.spawn("balancer", self.scaled.balancer_command(self.public_port, self.backend_ports))
        self.spawn("ui", self.scaled.ui_command("127.0.0.1", self.ui_port))
        for port in self.backend_ports:
            wait_http(f"http://localhost:{port}/ping", timeout=180, process=self.processes[f"backend-{port}"], log=self.log(f"backend-{port}"))
        wait_http(f"http://localhost:{self.public_port}/ping", timeout=30, process=self.processes["balancer"], log=self.log("balancer"))
        wait_http(self.url, timeout=60, process=self.processes["ui"], log=self.log("ui"))
        figure(f"scaled setup: two backends, worker, balancer and UI answering {time.monotonic() - started:.1f} s")

    def kill_backend(self, port: int) -> None:
        """kill -9 of the backend's whole process group (the `reflex run` process and its server worker)."""
        process = self.processes[f"backend-{port}"]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def backend_of(self, token: str, connections: int, timeout: float = 15.0) -> int:
        """The backend port the balancer gave the tab's latest websocket (its `connections`-th with this token)."""
        tag = hashlib.sha256(token.encode()).hexdigest()[:12]
        pattern = re.compile(rf"websocket \S+ token={tag} -> [\d.]+:(\d+)")
        deadline = time.monotonic() + timeout
        while True:
            ports = [int(m.group(1)) for m in pattern.finditer(self.log("balancer").read_text(errors="replace"))]
            if len(ports) >= connections:
                return ports[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"the balancer logged {len(ports)} of {connections} websocket(s) for token {tag}")
            time.sleep(0.05)  # polling a log file with a deadline

    def stop(self) -> None:
        for process in self.processes.values():
            _stop(process)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> ScaledApp:
    import redis
    import sqlalchemy as sa

    try:  # as make run-scaled does: started if down
        _load_scaled().ensure_services({"GENAPP_DB_URL": ADMIN_URL, "GENAPP_REDIS_URL": f"{REDIS_HOST}/0"})
    except (SystemExit, subprocess.CalledProcessError) as exc:
        pytest.fail(f"Postgres and Redis on this machine are needed for this test: {exc}")
    if not redis.Redis.from_url(f"{REDIS_HOST}/0", socket_connect_timeout=2).ping():
        pytest.fail("Redis at 127.0.0.1:6379 is needed for this test")
    database = f"genapp_e2e_{secrets.token_hex(4)}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"Postgres at 127.0.0.1:5432 is needed for this test: {exc}")
    app = None
    try:
        app = ScaledApp(tmp_path_factory.mktemp("scaled"), database, redis_db=random.randint(1, 15))
        app.start()
        yield app
    finally:
        if app is not None:
            app.stop()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


class Tab:
    """A page and the tokens of the websockets it opened (the balancer logs where each one went)."""

    def __init__(self, page: Page, name: str):
        self.page, self.name = page, name
        self.tokens: list[str] = []
        self.frames: list[str] = []  # socket.io messages received, in order
        page.on("websocket", self._opened)

    def _opened(self, ws) -> None:
        if match := re.search(r"[?&]token=([^&]+)", ws.url):
            self.tokens.append(match.group(1))
        ws.on("framereceived", lambda payload: self.frames.append(payload if isinstance(payload, str) else payload.decode(errors="replace")))

    def pushes_about(self, job_id: str, since: int = 0) -> list[str]:
        """The state updates ("event" messages) received since frame `since` that carry the job."""
        return [f for f in self.frames[since:] if f.startswith('42/_event,["event"') and job_id in f]

    def backend(self, app: ScaledApp) -> int:
        self.page.wait_for_function("() => true")  # let Playwright deliver pending websocket events
        assert self.tokens, f"{self.name} opened no websocket"
        token = self.tokens[-1]
        return app.backend_of(token, self.tokens.count(token))


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
    return page.evaluate("id => (window.__rows || []).filter(r => r.id === id)", job_id)


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
    return page.evaluate("() => Date.now()")


def test_one_user_on_two_backends_live_through_a_backend_crash(scaled: ScaledApp, browser: Browser):
    context = browser.new_context(base_url=scaled.url, viewport=VIEWPORT)  # one context: one genapp_uid cookie, one user
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
        uid1 = next(c["value"] for c in context.cookies() if c["name"] == "genapp_uid")
        assert uid1, "the user cookie"

        # 1. A job submitted in tab 1 (backend A) shows live in tab 2 (backend B), from its start to complete.
        tab2.page.evaluate(RECORDER)
        tab1.page.evaluate(RECORDER)
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
        tab2.page.evaluate(RECORDER)
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
        assert next(c["value"] for c in context.cookies() if c["name"] == "genapp_uid") == uid1, "still the same user"
        screenshot(tab1.page, "scaled-tab1-reloaded", full_page=False)
    finally:
        context.close()
