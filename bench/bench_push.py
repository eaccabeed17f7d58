"""Live-push figures, measured on the real app in Chromium.

1. Websocket bytes per progress push with 1,000 finished jobs in the user's history, divided by the
   same with none (target <= 1.2); and bytes per push with 10 active jobs (target <= 2 KB).
2. Latency from the engine publishing a progress change to the DOM showing it, 20 active jobs
   (target p95 <= 100 ms). The backend logs each publish (GENAPP_PROGRESS_TRACE); a MutationObserver
   in the page logs each change of a row's data-progress; both clocks are this machine's wall clock.

Run: .venv/bin/python bench/bench_push.py [--dev | --single-port]
Starts its own app on free ports. By default what `make run` serves (scripts/serve.py: the production
build on two ports, built first since the ports differ from the last build's); --dev: the hot-reload
dev server; --single-port: the production build mounted in the backend (`reflex run --env prod
--single-port`).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlmodel import Session  # noqa: E402

from genapp.db import make_engine  # noqa: E402
from genapp.models import Job, utcnow  # noqa: E402
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, RunningApp  # noqa: E402

ROW = '[data-testid="active-generations"] [data-testid="job-row"]'

OBSERVER = """
() => {
  window.__changes = [];
  const seen = new Map();
  const record = () => {
    const t = performance.timeOrigin + performance.now();
    for (const r of document.querySelectorAll('%s')) {
      const key = r.dataset.jobId, p = r.dataset.progress;
      if (seen.get(key) !== p) { seen.set(key, p); window.__changes.push([t / 1000, key, Number(p)]); }
    }
  };
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress']});
}
""" % ROW


def start_jobs(page, count: int, duration: str) -> None:
    page.get_by_test_id("qa-type").select_option("character")
    page.get_by_test_id("qa-duration").fill(duration)
    page.get_by_test_id("qa-fail-at").fill("")
    page.get_by_test_id("qa-count").fill(str(count))
    page.get_by_test_id("qa-start").click()


def wait_all_done(page, timeout_s: float = 120) -> None:
    """Until the tile's active count has risen above zero and fallen back to zero."""
    count = "() => Number(document.querySelector('[data-testid=active-count]').textContent)"
    page.wait_for_function(f"({count})() > 0", timeout=timeout_s * 1000)
    page.wait_for_function(f"({count})() === 0", timeout=timeout_s * 1000)


def push_frames(browser, app, *, history: int, active: int, duration: str = "6") -> list[int]:
    """Sizes of the websocket frames that carried progress pushes while `active` jobs ran."""
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 950})
    page = context.new_page()
    frames: list[str] = []
    recording = False
    cdp = context.new_cdp_session(page)  # before the page opens its websocket, or its frames go unseen
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived", lambda e: recording and frames.append(e["response"]["payloadData"]))
    page.goto("/dashboard/test-generation")
    page.get_by_test_id("session-linked").wait_for(state="attached")
    uid = page.request.get(f"{app.backend_url}/auth/me").json()["user"]
    if history:
        db = make_engine(app.env["GENAPP_DB_URL"])
        with Session(db) as session:
            for i in range(history):
                # Made days ago: jobs created in the last minute count against the per-minute fair-use limit.
                made = utcnow() - timedelta(days=2, seconds=i)
                session.add(Job(id=f"hist{uid[:8]}{i:05d}", owner=uid, type="item", title=f"Old item {i}", status="complete",
                                progress=100, content={"name": f"Old item {i}"}, created_at=made, finished_at=made))
            session.commit()
        db.dispose()
        page.reload()
        page.get_by_test_id("active-generations").wait_for()
        page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 20", arg=ROW)
    recording = True
    start_jobs(page, active, duration)
    wait_all_done(page)
    context.close()
    # Progress pushes: deltas of the shared job store that carry only the `active` list.
    ticks = [f for f in frames if '"active' in f and '"recent' not in f]
    return [len(f.encode()) for f in ticks]


def latency(browser, app, trace: Path, *, active: int = 20, duration: str = "8") -> list[float]:
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    page.goto("/dashboard/test-generation")
    page.get_by_test_id("session-linked").wait_for(state="attached")
    page.evaluate(OBSERVER)
    start_jobs(page, active, duration)
    wait_all_done(page)
    changes = page.evaluate("() => window.__changes")
    context.close()
    published: dict[tuple[str, int], float] = {}
    for line in trace.read_text().splitlines():
        t, job_id, progress = line.split()
        published.setdefault((job_id, int(progress)), float(t))
    out = []
    for t_dom, job_id, progress in changes:
        t_pub = published.get((job_id, int(progress)))
        if t_pub is not None and 0 < progress < 100:
            out.append((t_dom - t_pub) * 1000)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.log"
        app = RunningApp(Path(tmp), extra_env={"GENAPP_PROGRESS_TRACE": str(trace), "GENAPP_MAX_CONCURRENT_JOBS": "20"})
        if "--dev" in sys.argv:
            app.start()
            print("frontend: dev server (make dev)")
        elif "--single-port" in sys.argv:
            app.start_prod()
            print("frontend: production build on the backend's port (reflex run --env prod --single-port)")
        else:
            started = time.monotonic()
            app.start_served()
            print(f"frontend: production build on two ports, as make run serves it (up in {time.monotonic() - started:.0f} s)")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                empty = push_frames(browser, app, history=0, active=1)
                full = push_frames(browser, app, history=1000, active=1)
                ten = push_frames(browser, app, history=0, active=10)
                lat = latency(browser, app, trace)
                browser.close()
        finally:
            app.stop()
    ratio = statistics.mean(full) / statistics.mean(empty)
    p95 = statistics.quantiles(lat, n=20)[18]
    results = {
        "bytes_per_tick_no_history": round(statistics.mean(empty)),
        "bytes_per_tick_1000_history": round(statistics.mean(full)),
        "history_ratio": round(ratio, 3),
        "bytes_per_tick_10_active": round(statistics.mean(ten)),
        "ticks_measured": [len(empty), len(full), len(ten)],
        "latency_ms_p50_20_active": round(statistics.median(lat), 1),
        "latency_ms_p95_20_active": round(p95, 1),
        "latency_samples": len(lat),
    }
    print(json.dumps(results, indent=2))
    print(f"history ratio {ratio:.3f} (target <= 1.2): {'PASS' if ratio <= 1.2 else 'FAIL'}")
    print(f"bytes per tick, 10 active: {statistics.mean(ten):.0f} (target <= 2048): {'PASS' if statistics.mean(ten) <= 2048 else 'FAIL'}")
    print(f"publish-to-DOM p95, 20 active: {p95:.1f} ms (target <= 100): {'PASS' if p95 <= 100 else 'FAIL'}")


if __name__ == "__main__":
    main()
