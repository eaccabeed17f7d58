"""Scaled mode against embedded, side by side in one run.

Run: .venv/bin/python bench/bench_scaled.py [jobs=500] [streams=200]

1. worker publish -> DOM (ms), 20 active QA jobs on 2 workers, one user's two tabs whose sockets are on
   two different backends (two backends behind the balancer, as `make run-scaled`, production UI,
   Chromium): the workers log each publish (GENAPP_PROGRESS_TRACE), a MutationObserver in each tab
   each row change; one wall clock. Target p95 <= 150 ms.
2. `streams` character jobs streaming from the fake OpenAI server (its own process) at 50 tokens/s,
   submitted at once to 2 workers (streams / 2 slots each): submit() -> COMPLETE as the backend sees it
   over Redis, against the same number of plain httpx streams of the identical request at once
   (checked: same body hash and SSE event count for every stream). Overhead = job time - raw p50.
3. procedural jobs/s: embedded (SQLite, concurrency 4) / scaled with 1 `genapp worker` / with 2 (ratio
   printed); first submit -> last row complete in the database.
4. the backend's event-loop lag (p50/p99/max) with 100 active QA jobs over 50 users, both modes, while
   something reads list/counts/active for those users as pages do: a callback every 10 ms, how late it fires.
Needs Postgres (127.0.0.1:5432, user postgres), Redis (127.0.0.1:6379), Chromium, bun (make setup).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, col, func, select  # noqa: E402

from bench.bench_push import OBSERVER  # noqa: E402  (each change of a row's data-progress, page clock)
from bench.bench_providers import MODEL, ServerProcess, bench_request, genapp_payload, run_raw  # noqa: E402
from genapp.db import make_engine, migrate  # noqa: E402
from genapp.jobs.events import EventKind  # noqa: E402
from genapp.jobs.status import JobStatus  # noqa: E402
from genapp.jobs.embedded import embedded_service  # noqa: E402
from genapp.jobs.requests import build_request  # noqa: E402
from genapp.jobs.status import ACTIVE_VALUES  # noqa: E402
from genapp.models import Job  # noqa: E402
from tests.contract.conftest import ScaledJobs  # noqa: E402
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.scaled_harness import Tab, running_scaled  # noqa: E402

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def count(db, statuses) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(Job).where(col(Job.status).in_(list(statuses)))).one()


async def wait_for(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("bench: condition not met in time")
        await asyncio.sleep(0.05)


class PgDatabase:
    def __enter__(self):
        self.name = f"genapp_bench_{secrets.token_hex(4)}"
        self.admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with self.admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"
        migrate(url)
        self.db = make_engine(url)
        return self.db

    def __exit__(self, *exc):
        self.db.dispose()
        with self.admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


async def scaled_system(db, tmp: Path, workers: int, concurrency: int) -> ScaledJobs:
    system = ScaledJobs(db, concurrency, tmp)
    await system.service.start()
    for _ in range(workers):
        system.start_worker(concurrency=concurrency)
    return system


async def throughput_embedded(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(url)
        service = embedded_service(make_engine(url), concurrency=4)
        await service.start()
        started = time.perf_counter()
        for i in range(n):
            await service.submit(owner=f"b{i % 10}", request=build_request(job_type="item", skip_image=True))
        await service.dispatcher.wait_idle()
        rate = n / (time.perf_counter() - started)
        await service.stop()
        service.store.close()
        return rate


async def throughput_scaled(n: int, workers: int) -> float:
    with PgDatabase() as db, tempfile.TemporaryDirectory() as tmp:
        system = await scaled_system(db, Path(tmp), workers, 8)
        try:
            # warm: the workers are up once one job has run
            await system.service.submit(owner="warm", request=build_request(job_type="item", skip_image=True))
            await wait_for(lambda: count(db, ["complete"]) == 1, 60)
            started = time.perf_counter()
            for i in range(n):
                await system.service.submit(owner=f"b{i % 10}", request=build_request(job_type="item", skip_image=True))
            await wait_for(lambda: count(db, ["complete"]) == n + 1, 600)
            return n / (time.perf_counter() - started)
        finally:
            await system.close()


async def loop_lag(service, owners: list[str], seconds: float = 10.0) -> list[float]:
    lags: list[float] = []
    loop = asyncio.get_running_loop()

    async def sample():
        while True:
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            lags.append(max(0.0, loop.time() - due) * 1000)

    async def pages():
        i = 0
        while True:
            owner = owners[i % len(owners)]
            await service.list(owner=owner, limit=20)
            await service.counts(owner=owner)
            service.active(owner)
            i += 1
            await asyncio.sleep(0.02)

    tasks = [asyncio.create_task(sample()), asyncio.create_task(pages())]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    return lags


async def submit_active(service, owners: list[str]) -> None:
    for i in range(100):
        await service.submit(owner=owners[i % len(owners)], request=build_request(job_type="character", simulate_seconds=60))


async def lag_embedded() -> list[float]:
    owners = [f"user{i}" for i in range(50)]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/lag.db"
        migrate(url)
        service = embedded_service(make_engine(url), concurrency=100)
        await service.start()
        await submit_active(service, owners)
        await wait_for(lambda: len(sum((service.active(o) for o in owners), [])) == 100, 30)
        lags = await loop_lag(service, owners)
        await service.stop()
        service.store.close()
        return lags


async def lag_scaled() -> list[float]:
    owners = [f"user{i}" for i in range(50)]
    with PgDatabase() as db, tempfile.TemporaryDirectory() as tmp:
        system = await scaled_system(db, Path(tmp), 2, 50)
        try:
            await submit_active(system.service, owners)
            await wait_for(lambda: count(db, ACTIVE_VALUES - {"pending"}) == 100, 90)
            return await loop_lag(system.service, owners)
        finally:
            await system.close()


async def streaming_scaled(server: ServerProcess, n: int, workers: int) -> tuple[list[float], list[dict], float]:
    """n LLM jobs submitted at once to `workers` workers (n / workers slots each): per job, submit() ->
    the COMPLETE event as this backend sees it over Redis; the server's record of each stream; wall time."""
    with PgDatabase() as db, tempfile.TemporaryDirectory() as tmp:
        system = ScaledJobs(db, -(-n // workers), Path(tmp))
        await system.service.start()
        llm = {"GENAPP_LLM_BASE_URL": server.url + "/v1", "GENAPP_LLM_MODEL": MODEL, "GENAPP_PROVIDER_MAX_ATTEMPTS": "1"}
        for _ in range(workers):
            system.start_worker(**llm)
        completed: dict[str, float] = {}
        failed: list[str] = []
        subscribed = asyncio.Event()

        async def watch() -> None:
            async for event in system.service.watch():
                if event.kind == EventKind.RESYNC:
                    subscribed.set()
                elif event.kind == EventKind.STATUS and event.status == JobStatus.COMPLETE.value:
                    completed.setdefault(event.job_id, time.monotonic())
                elif event.kind == EventKind.STATUS and event.status in (JobStatus.ERROR.value, JobStatus.CANCELLED.value):
                    failed.append(event.job_id)

        watcher = asyncio.create_task(watch())
        try:
            await subscribed.wait()
            # warm: every worker has run one unpaced job (imports, connections, validators)
            server.rate(0)
            for _ in range(2 * workers):
                await system.service.submit(owner="warm", request=bench_request())
            await wait_for(lambda: len(completed) + len(failed) == 2 * workers, 120)
            if failed:
                raise RuntimeError(f"warm-up jobs failed: see the worker logs in {tmp}")
            completed.clear()
            server.rate(RATE)
            server.stats()
            submitted: dict[str, float] = {}
            for i in range(n):
                t0 = time.monotonic()
                submitted[await system.service.submit(owner=f"s{i % 50}", request=bench_request())] = t0
            await wait_for(lambda: len(completed) + len(failed) >= n, 600)
            wall = max(completed.values(), default=0) - min(submitted.values())
            if failed or set(completed) != set(submitted):
                raise RuntimeError(f"{len(failed)} of {n} streaming jobs did not complete")
            return [completed[j] - t for j, t in submitted.items()], server.stats(), wall
        finally:
            watcher.cancel()
            await system.close()


async def raw_streams(server: ServerProcess, n: int) -> tuple[list[float], list[dict], float]:
    """n plain httpx streams of the same request at once (the body read, not parsed)."""
    server.stats()
    started = time.monotonic()
    phase = await run_raw(server.url, genapp_payload(server.url), n)
    return phase.seconds, server.stats(), time.monotonic() - started


def same_streams(*rounds: list[dict]) -> tuple[str, int]:
    """Every stream of both phases: the same request body, the same SSE events, completed without a fault."""
    keys = {(s["body"], s["events"]) for streams in rounds for s in streams}
    if len(keys) != 1 or any(s["seconds"] is None or s["fault"] for streams in rounds for s in streams):
        raise RuntimeError(f"raw and genapp streams differ (body hash, SSE events): {sorted(keys)}")
    return keys.pop()


RATE = 50.0  # tokens per second per stream

DOM_JOBS = 20


def dom_latency() -> dict[str, list[float]]:
    """Worker publish -> DOM (ms) for each progress change of DOM_JOBS QA jobs, in two tabs of one user whose
    sockets are on different backends (two backends behind the balancer, two workers, as `make run-scaled`).
    The workers log each publish (GENAPP_PROGRESS_TRACE); a MutationObserver in each tab logs each change."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.log"
        env = {"GENAPP_PROGRESS_TRACE": str(trace), "GENAPP_WORKER_CONCURRENCY": str(DOM_JOBS // 2)}
        with running_scaled(Path(tmp), workers=2, worker_env=env) as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Two windows (contexts), one user: the second gets the first's session cookie. Both are in front.
            first = browser.new_context(base_url=app.url, viewport={"width": 1280, "height": 2400})
            tab1 = Tab(first.new_page(), "tab 1")
            tab1.page.goto("/dashboard/test-generation")
            tab1.page.get_by_test_id("session-linked").wait_for(state="attached")
            second = browser.new_context(base_url=app.url, viewport={"width": 1280, "height": 2400})
            second.add_cookies([c for c in first.cookies() if c["name"] == "genapp_session"])  # the same browser
            tab2 = Tab(second.new_page(), "tab 2")
            tab2.page.goto("/dashboard")
            tab2.page.get_by_test_id("active-generations").wait_for()
            for _ in range(6):  # round robin: a reload moves the socket to the other backend
                if tab2.backend(app) != tab1.backend(app):
                    break
                tab2.page.reload()
                tab2.page.get_by_test_id("active-generations").wait_for()
            if tab2.backend(app) == tab1.backend(app):
                raise RuntimeError("could not get the two tabs' sockets onto different backends")
            for tab in (tab1, tab2):
                tab.page.evaluate(OBSERVER)
            page = tab1.page
            page.get_by_test_id("qa-type").select_option("character")
            page.get_by_test_id("qa-duration").fill("8")
            page.get_by_test_id("qa-fail-at").fill("")
            page.get_by_test_id("qa-count").fill(str(DOM_JOBS))
            page.get_by_test_id("qa-start").click()
            count = "() => Number(document.querySelector('[data-testid=active-count]').textContent)"
            for tab in (tab1, tab2):
                tab.page.wait_for_function(f"({count})() >= {DOM_JOBS}", timeout=60_000)
            for tab in (tab1, tab2):
                tab.page.wait_for_function(f"({count})() === 0", timeout=120_000)
            changes = {tab.name: tab.page.evaluate("() => window.__changes") for tab in (tab1, tab2)}
            browser.close()
        published: dict[tuple[str, int], float] = {}
        for line in trace.read_text().splitlines():
            t, job_id, progress = line.split()
            published.setdefault((job_id, int(progress)), float(t))
    out: dict[str, list[float]] = {}
    for name, seen in changes.items():
        out[name] = [(t - published[(job_id, int(p))]) * 1000 for t, job_id, p in seen if 0 < p < 100 and (job_id, int(p)) in published]
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(n: int, streams: int, dom: dict[str, list[float]]) -> None:
    server = ServerProcess(RATE)
    try:
        server.rate(RATE)
        raw_s, raw_server, raw_wall = await raw_streams(server, streams)
        job_s, job_server, job_wall = await streaming_scaled(server, streams, 2)
        body, events = same_streams(raw_server, job_server)
        if len(raw_server) != streams or len(job_server) != streams:
            raise RuntimeError(f"the server saw {len(raw_server)} raw and {len(job_server)} genapp streams, expected {streams} each")
    finally:
        server.close()
    embedded = await throughput_embedded(n)
    one = await throughput_scaled(n, 1)
    two = await throughput_scaled(n, 2)
    lag_e = await lag_embedded()
    lag_s = await lag_scaled()
    print(f"\n{'figure':<58}{'embedded':>12}{'scaled':>26}")
    print(f"{'procedural item jobs/s (' + str(n) + ' jobs)':<58}{embedded:>12.0f}{f'1 worker {one:.0f} / 2: {two:.0f}':>26}")
    print(f"{'  2 workers / 1 worker':<58}{'':>12}{two / one:>26.2f}")
    for label, q in (("p50", 0.5), ("p99", 0.99)):
        print(f"{'loop lag ' + label + ', 100 active jobs, 50 users (ms)':<58}{pct(lag_e, q):>12.1f}{pct(lag_s, q):>26.1f}")
    print(f"{'loop lag max (ms)':<58}{max(lag_e):>12.1f}{max(lag_s):>26.1f}")
    print(f"{'  target: p99 <= 20 ms':<58}{'PASS' if pct(lag_e, 0.99) <= 20 else 'FAIL':>12}{'PASS' if pct(lag_s, 0.99) <= 20 else 'FAIL':>26}")
    baseline = statistics.median(raw_s)
    overhead = [(t - baseline) * 1000 for t in job_s]
    send = statistics.median(s["seconds"] for s in raw_server)
    print(f"\n{streams} character streams at once, {RATE:g} tokens/s each, {events} SSE events, one request body (sha256 {body}):")
    print(f"{'  raw httpx streams: p50 / p95 (s)':<58}{baseline:>12.2f}{pct(raw_s, 0.95):>26.2f}   (server send p50 {send:.2f} s)")
    print(f"{'  genapp, 2 workers: submit -> COMPLETE seen p50 / p95 (s)':<58}{statistics.median(job_s):>12.2f}{pct(job_s, 0.95):>26.2f}")
    print(f"{'  overhead per job vs the raw p50: mean / p50 / p95 (ms)':<58}{statistics.mean(overhead):>12.0f}"
          f"{f'{statistics.median(overhead):.0f} / {pct(overhead, 0.95):.0f}':>26}   ({statistics.mean(overhead) / 10 / baseline:.1f}% of a stream)")
    print(f"{'  wall time, first submit / start -> last done (s)':<58}{f'raw {raw_wall:.2f}':>12}{f'genapp {job_wall:.2f}':>26}   all {streams} complete")
    both = dom["tab 1"] + dom["tab 2"]
    print(f"\nworker publish -> DOM, {DOM_JOBS} active QA jobs, 2 workers, one user's two tabs on two backends (ms):")
    for name, values in dom.items():
        print(f"{'  ' + name + f' ({len(values)} changes): p50 / p95':<58}{statistics.median(values):>12.1f}{pct(values, 0.95):>26.1f}")
    print(f"{'  both tabs: p95, target <= 150 ms':<58}{pct(both, 0.95):>12.1f}{'PASS' if pct(both, 0.95) <= 150 else 'FAIL':>26}")


if __name__ == "__main__":
    dom = dom_latency()  # first: Playwright's sync API runs outside an event loop
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, int(sys.argv[2]) if len(sys.argv) > 2 else 200, dom))
