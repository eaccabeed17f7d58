"""The library with a big history, embedded and scaled side by side in one run.

Run: .venv/bin/python bench/bench_library.py [jobs=10000]

One user gets `jobs` finished jobs of all seven types, made through the job service (procedural, no
illustration; the scaled mode's through real `genapp worker` processes), then in each mode:
1. a text search through the service: p50/p95 of 50 searches of varied words (target p95 <= 200 ms);
2. an HTTP API page of 50 (`GET /api/jobs?limit=50`, the ASGI app in this process, token auth
   included): p50/p95 of 50 pages walked by cursor (target p95 <= 50 ms);
3. export of 1,000 items (target <= 10 s) and import of that archive by another user (<= 20 s).
Then the library's first render in Chromium for that user, five times: from the click on Library to 24
cards and the total shown (target <= 1 s), on what `make run` serves over the embedded data and on what
`make run-scaled` serves (two backends, a worker, Redis) over the scaled data.
Needs Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) for the scaled half, Chromium, bun.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

import genapp.auth.runtime as auth_runtime  # noqa: E402
import genapp.jobs.runtime as jobs_runtime  # noqa: E402
from bench.bench_scaled import PgDatabase, count, scaled_system, wait_for  # noqa: E402
from genapp.api import api as backend_routes  # noqa: E402
from genapp.auth.service import AuthService  # noqa: E402
from genapp.auth.store import AuthStore  # noqa: E402
from genapp.db import make_engine, migrate  # noqa: E402
from genapp.generators import ContentType  # noqa: E402
from genapp.jobs.embedded import embedded_service  # noqa: E402
from genapp.jobs.library import LibraryQuery  # noqa: E402
from genapp.jobs.limits import Limits  # noqa: E402
from genapp.jobs.requests import build_request  # noqa: E402

WORDS = ["dwarf", "harbour", "sword", "curse", "dragon", "temple", "storm", "wolf", "queen", "ruin"]
PASSWORD = "bench password 123"
MANY = Limits(user_active=10**6, user_per_minute=10**6, pending_total=10**6)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def fill(service, owner: str, n: int, done) -> float:
    started = time.perf_counter()
    types = list(ContentType)
    for i in range(n):
        await service.submit(owner=owner, request=build_request(job_type=types[i % len(types)].value, prompt=f"{WORDS[i % 10]} {i}", skip_image=True))
    await done(n)
    return time.perf_counter() - started


async def measure(service, db, owner: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    searches = []
    for i in range(50):
        started = time.perf_counter()
        await service.library(owner=owner, query=LibraryQuery(text=f"{WORDS[i % 10]} {WORDS[(i * 3) % 10][:3]}", limit=24))
        searches.append((time.perf_counter() - started) * 1000)
    figures["search p50 ms"], figures["search p95 ms"] = statistics.median(searches), pct(searches, 95)

    auth = AuthService(AuthStore(db))
    jobs_runtime._service, auth_runtime._service = service, auth
    guest = await auth.start_guest()
    signed = await auth.sign_up(guest.identity, f"bench-{owner}@example.com", PASSWORD, PASSWORD)
    await service.transfer(owner, signed.identity.user_id)  # the bench user's jobs, now an account's
    token, _ = await auth.create_token(signed.identity, "bench")
    pages, cursor = [], None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=backend_routes), base_url="http://bench/api",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(50):
            started = time.perf_counter()
            answer = (await client.get("/jobs", params={"limit": 50} | ({"cursor": cursor} if cursor else {}))).json()
            pages.append((time.perf_counter() - started) * 1000)
            cursor = answer["next_cursor"]
    figures["API page p50 ms"], figures["API page p95 ms"] = statistics.median(pages), pct(pages, 95)

    user = signed.identity.user_id
    ids = [j.id for j in (await service.library(owner=user, query=LibraryQuery(limit=100))).items]
    cursor_query = LibraryQuery(limit=100)
    while len(ids) < 1000:
        page = await service.library(owner=user, query=cursor_query)
        cursor_query = LibraryQuery(limit=100, cursor=page.next_cursor)
        ids += [j.id for j in page.items if j.id not in ids]
    started = time.perf_counter()
    archive = await service.export(owner=user, job_ids=ids[:1000])
    figures["export 1,000 s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = await service.import_archive(owner="importer", data=archive)
    figures["import 1,000 s"] = time.perf_counter() - started
    assert report.created == 1000, report
    figures["archive MB"] = len(archive) / 1e6
    return figures


async def embedded(n: int, tmp: Path) -> tuple[dict[str, float], str]:
    url = f"sqlite:///{tmp}/library.db"
    migrate(url)
    db = make_engine(url)
    service = embedded_service(db, concurrency=4, media=tmp / "media", limits=MANY)
    await service.start()
    try:
        figures = {"fill s": await fill(service, "bench", n, lambda k: service.dispatcher.wait_idle())}
        figures |= await measure(service, db, "bench")
    finally:
        await service.stop()
    return figures, url


async def scaled(n: int, tmp: Path, db) -> dict[str, float]:
    system = await scaled_system(db, tmp, workers=2, concurrency=8)
    system.service.limits = MANY
    try:
        figures = {"fill s": await fill(system.service, "bench", n, lambda k: wait_for(lambda: count(db, ["complete"]) >= k, 1800))}
        figures |= await measure(system.service, db, "bench")
    finally:
        await system.close()
    return figures


def render_times(url: str, runs: int = 5) -> list[float]:
    """Open the library as the bench's account in Chromium: navigation -> 24 cards and the total shown."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 720}).new_page()
        page.set_default_timeout(30_000)
        page.goto("/signin")
        page.get_by_test_id("session-linked").wait_for(state="attached")  # a new browser first gets its session
        page.get_by_test_id("signin-email").fill("bench-bench@example.com")
        page.get_by_test_id("signin-password").fill(PASSWORD)
        page.get_by_test_id("signin-submit").click()
        page.get_by_test_id("nav-account").wait_for()
        for _ in range(runs):
            page.goto("/dashboard")
            page.get_by_test_id("session-linked").wait_for(state="attached")
            started = time.perf_counter()
            page.get_by_role("link", name="Library").click()
            page.wait_for_function("() => document.querySelectorAll('[data-testid=library-card]').length >= 24", timeout=30_000)
            page.get_by_test_id("library-total").filter(has_text="results").wait_for()
            times.append(time.perf_counter() - started)
        browser.close()
    return times


def first_render_embedded(db_url: str, tmp: Path) -> list[float]:
    """On what `make run` serves, over the embedded run's SQLite file."""
    from tests.e2e.harness import RunningApp

    (tmp / "app").mkdir(exist_ok=True)
    app = RunningApp(tmp / "app", extra_env={"GENAPP_DB_URL": db_url, "REFLEX_WEB_WORKDIR": str(tmp / "web")})
    app.start_served()
    try:
        return render_times(app.url)
    finally:
        app.stop()


def first_render_scaled(database: str, tmp: Path) -> list[float]:
    """On what `make run-scaled` serves (two backends behind the balancer, a worker, Redis), over the scaled
    run's Postgres database."""
    from tests.e2e.scaled_harness import ScaledApp

    (tmp / "scaled-app").mkdir(exist_ok=True)
    app = ScaledApp(tmp / "scaled-app", database, redis_db=random.randint(1, 15))
    try:
        app.start()
        return render_times(app.url)
    finally:
        app.stop()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "e").mkdir()
        (tmp / "s").mkdir()
        emb, url = asyncio.run(embedded(n, tmp / "e"))
        database = PgDatabase()
        with database as engine:
            sca = asyncio.run(scaled(n, tmp / "s", engine))
            render_scaled = first_render_scaled(database.name, tmp)
        render = first_render_embedded(url, tmp)
    print(f"\nlibrary with {n:,} finished jobs of one user          embedded    scaled    target")
    for key, target in (("fill s", ""), ("search p50 ms", ""), ("search p95 ms", "<= 200"), ("API page p50 ms", ""),
                        ("API page p95 ms", "<= 50"), ("export 1,000 s", "<= 10"), ("import 1,000 s", "<= 20"), ("archive MB", "")):
        print(f"  {key:<45} {emb[key]:>9.2f} {sca[key]:>9.2f}    {target}")
    for key, times in (("first render p50 s", [statistics.median(render), statistics.median(render_scaled)]),
                       ("first render max s", [max(render), max(render_scaled)])):
        print(f"  {'library ' + key + ' (Chromium, 5 runs)':<45} {times[0]:>9.2f} {times[1]:>9.2f}    {'<= 1' if 'max' in key else ''}")


if __name__ == "__main__":
    main()
