"""How far off the ETA is: the blended estimate (genapp/jobs/eta.py) against the naive one, on mixed jobs.

Runs warm-up + N (default 28 + 100) mixed jobs through the embedded job service (SQLite file migrated as in
production, 4 slots) with real providers (OpenAITextProvider, OpenAIImageProvider) pointed at the fake
provider server (tests/fakes/provider_server.py) in this process. All seven types; text from the LLM
(75 %) or procedural; the picture from the image API (45 %), procedural (25 %) or none (30 %). What makes
durations differ, as with a real server:
  - each type's answer has its own length (the fake answers from the type's JSON schema, a campaign
    asks several times), and varies with the prompt;
  - every LLM request first "reads the prompt" (0.3-0.9 s, no token yet), then streams at its own
    pace (150 tokens/s x a log-normal factor, sigma 0.3: a busy server);
  - every image request takes 1-3.5 s and reports nothing until the picture arrives.
Jobs arrive as a Poisson stream at about 1.15 x what 4 slots can serve (measured on the warm-up), so
a line forms and varies.

Every 0.25 s the bench reads the service's view of active jobs:
  running  ours = what the tile now shows (`service.active`: the blend of the kind's average with the
           run's own pace); naive = the runner's own "elapsed x remaining / done" (what it showed before;
           none until 0.5 % of progress).
  pending  ours = `service.forecast_for` on the dispatcher's start order (queue_position), 4 slots;
           naive = the same slot simulation with one average for all jobs and the runner's naive ETA
           for running jobs (the all-jobs average when it has none).
Truth: the bench's own record of each job's start and completion events. For each of the last N jobs
the running samples nearest to 10, 25, 50, 75 and 90 % of its run, and the pending samples at the
start, middle and end of its wait, are scored. Errors are absolute seconds; "% of true" is the mean
absolute error over the mean true time (left, or to start).

Then the same recorded samples are replayed offline through other averages and blends (the choice in
eta.py is the best of these), so the choice can be judged on one run.

Run: .venv/bin/python bench/bench_eta.py [--jobs 100] [--warmup 28] [--seed 11]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import logging
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genapp.db import make_engine, migrate  # noqa: E402
from genapp.generators import ContentType  # noqa: E402
from genapp.jobs.embedded import embedded_service  # noqa: E402
from genapp.jobs.eta import Key, Rates, blend  # noqa: E402
from genapp.jobs.events import EventKind  # noqa: E402
from genapp.jobs.requests import build_request  # noqa: E402
from genapp.jobs.status import RUNNING  # noqa: E402
from genapp.providers import Endpoint, ImageOptions, OpenAIImageProvider, OpenAITextProvider, Providers, RetryPolicy, TextOptions  # noqa: E402
from tests.fakes.provider_server import FakeProviderServer, Fault  # noqa: E402

CONCURRENCY = 4
TICK = 0.25
RUN_POINTS = (0.10, 0.25, 0.50, 0.75, 0.90)
WAIT_POINTS = (0.0, 0.5, 1.0)
RUNNING_VALUES = {s.value for s in RUNNING}
TYPES = [t.value for t in ContentType]


class BusyServer(FakeProviderServer):
    """The fake, with a prompt-reading delay and a pace of its own for every request (one scripted 'slow' fault each)."""

    def __init__(self, rng: random.Random, tps: float):
        super().__init__(tokens_per_second=tps)
        self.rng, self.tps = rng, tps

    async def _chat(self, conn, request, record, keep):
        pace = self.tps * math.exp(self.rng.gauss(0, 0.3))
        await asyncio.sleep(self.rng.uniform(0.3, 0.9))  # reading the prompt: no token yet
        self._faults.appendleft(Fault.slow(pace))  # taken by the call below before it first awaits
        return await super()._chat(conn, request, record, keep)

    async def _images(self, conn, request, record, keep):
        self._faults.appendleft(Fault.slow(20 / self.rng.uniform(1.0, 3.5)))  # 20 "steps": 1-3.5 s
        return await super()._images(conn, request, record, keep)


@dataclass
class Track:
    key: Key
    owner: str
    submitted: float
    started: float | None = None
    finished: float | None = None
    status: str = "pending"
    run: list[tuple[float, int, int, float, float]] = field(default_factory=list)  # (t, ours, naive, elapsed, progress)
    wait: list[tuple[float, float | None, float | None]] = field(default_factory=list)  # (t, ours start, naive start)


def mix(rng: random.Random, i: int) -> dict:
    text = "llm" if rng.random() < 0.75 else "procedural"
    r = rng.random()
    skip, image = (True, "procedural") if r < 0.30 else (False, "api" if r < 0.75 else "procedural")
    return dict(job_type=TYPES[i % len(TYPES)] if i < 2 * len(TYPES) else rng.choice(TYPES), text_source=text,
                image_source=image, skip_image=skip, prompt=f"bench {i} {rng.choice(['a storm', 'an heir', 'the old road', 'a debt'])}")  # fmt: skip


async def run(args) -> tuple[dict[str, Track], list[tuple[float, Key, float]]]:
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="bench-eta-")
    url = f"sqlite:///{Path(tmp) / 'bench.db'}"
    migrate(url)
    server = BusyServer(random.Random(args.seed + 1), args.tps).start()
    retry = RetryPolicy(max_attempts=1)
    providers = Providers(
        text=OpenAITextProvider(Endpoint(base_url=server.url + "/v1", retry=retry), TextOptions(model="fake-model")),
        image=OpenAIImageProvider(Endpoint(base_url=server.url + "/v1", retry=retry), ImageOptions(size="64x64")),
    )
    service = embedded_service(make_engine(url), concurrency=CONCURRENCY, providers=providers, media=Path(tmp) / "media")
    await service.start()
    tracks: dict[str, Track] = {}
    completions: list[tuple[float, Key, float]] = []  # (when, key, seconds run): what the rates learn, in order

    async def watch() -> None:
        async for event in service.watch():
            track = tracks.get(event.job_id)
            if track is None or event.summary is None or event.kind != EventKind.STATUS:
                continue
            now, status = time.monotonic(), event.summary.status
            track.status = status
            if status in RUNNING_VALUES and track.started is None:
                track.started = now
            elif status == "complete":
                track.finished = now
                completions.append((now, track.key, now - (track.started or now)))
            elif status in ("error", "cancelled"):
                track.finished = now

    async def submit(i: int, owner: str) -> None:
        spec = mix(rng, i)
        request = build_request(**spec, llm_configured=True, image_api_configured=True)
        key = Key.of(spec["job_type"], request.form_data, request.skip_image)
        job_id = await service.submit(owner=owner, request=request)
        tracks.setdefault(job_id, Track(key, owner, time.monotonic()))

    async def sample() -> None:
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            pending = []
            for owner in service._active.owners():  # the raw view: the runner's own ETA is the naive one
                for raw in service._active.summaries(owner):
                    track = tracks.get(raw.id)
                    if track is None:
                        continue
                    if raw.status in RUNNING_VALUES and raw.id in service._began:
                        elapsed = now - service._began[raw.id]
                        track.run.append((now, service.estimate_running(raw), raw.eta, elapsed, float(raw.progress)))
                    elif raw.status == "pending":
                        pending.append(raw.id)
            if not pending:
                continue
            places = {job_id: await service.queue_position(job_id) for job_id in pending}
            order = sorted((p, j) for j, p in places.items() if p is not None)
            ids = [j for _, j in order]
            ours: dict[str, tuple[float, float]] = {}
            for owner in {tracks[j].owner for j in ids}:
                ours.update(service.forecast_for(owner, ids, CONCURRENCY))
            naive = naive_starts(service, ids, completions, now)
            for job_id in ids:
                mine = ours.get(job_id)
                tracks[job_id].wait.append((now, mine[0] if mine else None, naive.get(job_id)))

    def naive_starts(service, ids, done, now) -> dict[str, float]:
        """The slot simulation with one average for every job and the runner's naive ETA for running ones."""
        if not done:
            return {}
        mean = statistics.fmean(s for _, _, s in done)
        ends = []
        for owner in service._active.owners():
            for raw in service._active.summaries(owner):
                if raw.status in RUNNING_VALUES and raw.id in service._began:
                    ends.append(raw.eta if raw.eta >= 0 else max(0.0, mean - (now - service._began[raw.id])))
        ends.sort()
        heap = ends[-CONCURRENCY:] if len(ends) >= CONCURRENCY else [0.0] * (CONCURRENCY - len(ends)) + ends
        heapq.heapify(heap)
        out = {}
        for job_id in ids:
            out[job_id] = heap[0]
            heapq.heapreplace(heap, heap[0] + mean)
        return out

    watcher = asyncio.create_task(watch())
    sampler = asyncio.create_task(sample())
    await asyncio.sleep(0)
    started = time.perf_counter()
    owners = [f"gm{i}" for i in range(8)]
    for i in range(args.warmup):  # history: all at once, the way a burst of submissions comes
        await submit(i, owners[i % len(owners)])
    await service.dispatcher.wait_idle()
    mean = statistics.fmean(s for _, _, s in completions)
    gap = mean / CONCURRENCY / 1.15  # arrivals a little faster than the slots serve: a line forms
    print(f"warm-up: {args.warmup} jobs in {time.perf_counter() - started:.1f} s, mean run {mean:.2f} s; arrivals every {gap:.2f} s on average")
    for i in range(args.warmup, args.warmup + args.jobs):
        await submit(i, rng.choice(owners))
        await asyncio.sleep(rng.expovariate(1 / gap))
    await service.dispatcher.wait_idle()
    await asyncio.sleep(2 * TICK)
    for task in (sampler, watcher):
        task.cancel()
    await asyncio.gather(sampler, watcher, return_exceptions=True)
    print(f"all {args.warmup + args.jobs} jobs in {time.perf_counter() - started:.1f} s")
    await service.stop()
    await providers.aclose()
    server.stop()
    return tracks, completions


# ----- scoring ---------------------------------------------------------------------------


def nearest(samples: list, times: list[float]) -> list:
    """The distinct samples nearest to each of `times` (samples are time-ordered tuples)."""
    chosen = {}
    for t in times:
        best = min(range(len(samples)), key=lambda i: abs(samples[i][0] - t))
        chosen[best] = samples[best]
    return list(chosen.values())


def scored(tracks: dict[str, Track], last: int):
    done = sorted((t for t in tracks.values() if t.status == "complete" and t.started and t.finished), key=lambda t: t.submitted)
    jobs = done[-last:]
    running, pending = [], []  # (track, sample)
    for track in jobs:
        length = track.finished - track.started
        if track.run:
            running += [(track, s) for s in nearest(track.run, [track.started + f * length for f in RUN_POINTS])]
        waited = track.started - track.submitted
        if track.wait:
            pending += [(track, s) for s in nearest(track.wait, [track.submitted + f * waited for f in WAIT_POINTS])]
    return jobs, running, pending


def mae(pairs: list[tuple[float, float]]) -> tuple[float, float, int]:
    """(mean absolute error s, as % of the mean true value, count) of (estimate, truth) pairs."""
    if not pairs:
        return math.nan, math.nan, 0
    err = statistics.fmean(abs(e - t) for e, t in pairs)
    truth = statistics.fmean(t for _, t in pairs)
    return err, 100 * err / truth if truth else math.nan, len(pairs)


def fmt(figure: tuple[float, float, int]) -> str:
    err, pct, n = figure
    return f"{err:6.2f} s {pct:5.1f} %  (n={n})" if n else "      -"


def replay(tracks, completions, running, rates_factory: Callable[[], Rates], estimate) -> list[tuple[float, float]]:
    """The running samples' estimates with another average or blend: rates rebuilt as of each sample's time."""
    rates = rates_factory()
    order = sorted(running, key=lambda ts: ts[1][0])
    done, out = 0, []
    for track, (t, _ours, _naive, elapsed, progress) in order:
        while done < len(completions) and completions[done][0] <= t:
            rates.observe(completions[done][1], completions[done][2])
            done += 1
        left = estimate(rates.expected(track.key), elapsed, progress)
        if left is not None:
            out.append((left, track.finished - t))
    return out


def naive(expected, elapsed, progress):
    return elapsed * (100 - progress) / progress if progress > 0.5 and elapsed > 0 else None


def average_only(expected, elapsed, progress):
    return None if expected is None else max(expected - elapsed, 0.1 * expected)


def time_weighted(expected, elapsed, progress):
    """Like the chosen blend, but the pace's weight grows with time spent / expected instead of progress."""
    if expected is None or progress <= 0.5 or elapsed <= 0:
        return blend(expected, elapsed, progress)
    own = elapsed * 100 / progress
    w = min(1.0, elapsed / expected) if expected > 0 else 1.0
    return max(w * own + (1 - w) * expected - elapsed, w * (own - elapsed), 0.0)


def remaining_blend(expected, elapsed, progress):
    """Blend the two time-left estimates (average's share of what is left vs the pace's), weighted by progress."""
    if expected is None or progress <= 0.5 or elapsed <= 0:
        return blend(expected, elapsed, progress)
    w = progress / 100
    return max(0.0, w * (elapsed * (100 - progress) / progress) + (1 - w) * expected * (100 - progress) / 100)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=28)
    parser.add_argument("--tps", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    tracks, completions = asyncio.run(run(args))
    jobs, running, pending = scored(tracks, args.jobs)

    by_type: dict[str, list[float]] = {}
    for t in jobs:
        by_type.setdefault(t.key.type, []).append(t.finished - t.started)
    print("run durations of the scored jobs: " + ", ".join(f"{k} {statistics.fmean(v):.1f} s (sd {statistics.pstdev(v):.1f}, n={len(v)})" for k, v in sorted(by_type.items())))
    waits = [t.started - t.submitted for t in jobs]
    print(f"waits: mean {statistics.fmean(waits):.1f} s, max {max(waits):.1f} s; {sum(w > TICK for w in waits)} of {len(jobs)} jobs waited")

    truth = lambda track, t: track.finished - t  # noqa: E731
    both = [(track, s) for track, s in running if s[1] >= 0 and s[2] >= 0]
    ours_all = mae([(s[1], truth(tr, s[0])) for tr, s in running if s[1] >= 0])
    ours_both = mae([(s[1], truth(tr, s[0])) for tr, s in both])
    naive_both = mae([(s[2], truth(tr, s[0])) for tr, s in both])
    no_naive = sum(s[2] < 0 for _, s in running)
    start_truth = lambda track, t: track.started - t  # noqa: E731
    p_both = [(tr, s) for tr, s in pending if s[1] is not None and s[2] is not None]
    ours_p = mae([(s[1], start_truth(tr, s[0])) for tr, s in p_both])
    naive_p = mae([(s[2], start_truth(tr, s[0])) for tr, s in p_both])

    print()
    print(f"ETA mean absolute error, last {len(jobs)} jobs ({CONCURRENCY} slots)      ours (blend p^4, EWMA of 20)    naive")
    print(f"  running: time left, samples both estimate         {fmt(ours_both):<32}{fmt(naive_both)}")
    print(f"  running: time left, every sample                  {fmt(ours_all):<32}naive has none for {no_naive} of {len(running)} samples (no progress yet)")
    print(f"  pending: time to start                            {fmt(ours_p):<32}{fmt(naive_p)}")

    print()
    print("the same running samples replayed (error on every sample the estimate covers):")
    factories = {
        "EWMA of 20 (eta.py)": lambda: Rates(window=20),
        "mean of last 20": lambda: Rates(window=20, average="mean"),
        "mean of last 5": lambda: Rates(window=5, average="mean"),
        "mean of last 50": lambda: Rates(window=50, average="mean"),
        "median of last 20": lambda: Rates(window=20, average="median"),
    }
    blends = {"blend p^4 (eta.py)": blend, "blend, w=p^2": lambda e, t, p: blend(e, t, p, 2.0), "blend, w=p^1": lambda e, t, p: blend(e, t, p, 1.0),
              "time-weighted blend": time_weighted, "blend of time left": remaining_blend, "average only": average_only,
              "naive (own pace)": naive}  # fmt: skip
    print(f"  {'':<20}" + "".join(f"{name:<24}" for name in blends))
    for label, factory in factories.items():
        cells = []
        for estimate in blends.values():
            err, pct, n = mae(replay(tracks, completions, running, factory, estimate))
            cells.append(f"{err:5.2f} s {pct:5.1f} % n={n:<4}")
        print(f"  {label:<20}" + "".join(f"{c:<24}" for c in cells))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
