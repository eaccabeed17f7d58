"""Time estimates from what jobs of the same kind took: a running job's time left, a waiting job's start.

Pure: no Reflex, no database session, no clock (callers pass elapsed seconds and get seconds back).

- `Rates` keeps the recent run durations of finished jobs per `Key` (type, text source, image
  source, whether an image is made) and answers the expected duration of a key, falling back to
  coarser groups when a key has none yet (`FALLBACKS`).
- `Rates.remaining` blends that expected duration with the run's own pace (see `blend`).
- `forecast` plays the waiting line forward on `concurrency` slots: when each waiting job starts
  and finishes, if things go as the averages say.

The average (an EWMA over the last 20 per group) and the blend were chosen by `bench/bench_eta.py`,
which prints the alternatives side by side on the same recorded runs.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

# The run's own pace weighs (progress / 100) ** PACE_POWER (see blend). bench_eta (two runs): 4 gave 0.90 / 0.83 s
# of mean error, 2 gave 0.93 / 0.86, 1 gave 1.09 / 1.05, the average alone 0.94 / 0.87 and the pace alone
# 4.07 / 4.02: progress is not linear in time (an
# LLM reads the prompt before its first token, an image API reports nothing until its picture), so the
# pace is trusted only near the end, where it still catches a run far slower than its kind.
PACE_POWER = 4.0
WINDOW = 20  # durations remembered per group: recent enough to follow a slower server, enough to smooth noise
NO_IMAGE = "-"  # the image source of a job that makes none: where it would have come from does not matter
UNKNOWN = "?"  # the sources of a job whose row this process has not read (Key.unknown)


class Key(NamedTuple):
    """What a job's duration depends on, as far as we know before it runs (a tuple: hashed and compared in C,
    which the forecast's 10,000 lookups need)."""

    type: str
    text: str = "procedural"  # procedural | llm
    image: str = "procedural"  # procedural | api | NO_IMAGE
    makes_image: bool = True

    @classmethod
    def of(cls, job_type: str, form_data: Mapping[str, Any] | None, skip_image: bool) -> Key:
        """The key of a job from its row's fields (sources are absent from form_data when both are procedural)."""
        sources = (form_data or {}).get("sources") or {}
        text = str(sources.get("text") or "procedural")
        image = NO_IMAGE if skip_image else str(sources.get("image") or "procedural")
        return cls(job_type, text, image, not skip_image)

    @classmethod
    def unknown(cls, job_type: str) -> Key:
        """A job of which only the type is known (announced by another process, its row not read yet)."""
        return cls(job_type, UNKNOWN, UNKNOWN, True)

    @classmethod
    def of_job(cls, job: Any) -> Key:
        """The key of a Job row (anything with type, form_data and skip_image)."""
        return cls.of(job.type, job.form_data, bool(job.skip_image))


# From the exact group to all jobs. Another type with the same sources comes before the same type with
# other sources: an LLM job of another type is nearer in time than a procedural one of the same type
# (seconds against milliseconds). The type alone serves jobs whose sources are unknown.
def _groups(key: Key) -> tuple[tuple, ...]:
    if key.text == UNKNOWN:
        return ((key.type,), ("*",))
    return (
        (key.type, key.text, key.image, key.makes_image),
        (key.type, key.text, key.makes_image),
        (key.type, key.text),
        ("*", key.text, key.image, key.makes_image),
        ("*", key.text),
        (key.type,),
        ("*",),
    )


FALLBACKS = ("exact", "type+text+image made", "type+text", "any type, same sources", "any type, same text source", "type", "all jobs")


class Rates:
    """Recent observed durations per group of jobs; `expected` is their EWMA (or mean / median).

    EWMA over the last `window` (alpha 2 / (n + 1) for n remembered). In bench_eta the averages tie:
    EWMA, mean and median of 20, means of 5 and 50 are within 0.03 s of each other in two runs (EWMA
    ahead in one, the mean in the other; 100 jobs give each exact group only 3-4 runs, so the window
    never fills). EWMA is kept for what the bench does not test: it follows a server that slows down
    sooner than a plain mean."""

    def __init__(self, window: int = WINDOW, average: str = "ewma"):
        if average not in ("mean", "median", "ewma"):
            raise ValueError(f"unknown average {average!r}")
        self.window, self.average = max(1, int(window)), average
        self._seen: dict[tuple, deque[float]] = {}
        self._cache: dict[tuple, float] = {}

    # ----- feeding ---------------------------------------------------------------------

    def observe(self, key: Key, seconds: float) -> None:
        """One finished (complete) run of `key` took `seconds`."""
        if not seconds >= 0 or key.text == UNKNOWN:  # negative or NaN: a clock went backwards, or a bad row
            return
        for group in _groups(key):
            line = self._seen.get(group)
            if line is None:
                line = self._seen[group] = deque(maxlen=self.window)
            line.append(float(seconds))
            self._cache.pop(group, None)

    @classmethod
    def from_durations(cls, rows: Iterable[tuple[Key, float]], **options: Any) -> Rates:
        """Rates from (key, seconds) pairs, NEWEST FIRST (as the store returns them)."""
        rates = cls(**options)
        for key, seconds in reversed(list(rows)):  # oldest first, so the newest are the ones the window keeps
            rates.observe(key, seconds)
        return rates

    @classmethod
    def from_jobs(cls, jobs: Iterable[Any], **options: Any) -> Rates:
        """Rates from finished Job rows, newest first; only complete runs with both timestamps count."""
        rows = []
        for job in jobs:
            if job.status != "complete" or job.started_at is None or job.finished_at is None:
                continue
            rows.append((Key.of_job(job), _seconds(job.started_at, job.finished_at)))
        return cls.from_durations(rows, **options)

    # ----- asking ----------------------------------------------------------------------

    def expected(self, key: Key) -> float | None:
        """Expected run duration of a job of `key`, from the nearest group that has observations; None: no job finished yet."""
        for group in _groups(key):
            if (value := self._value(group)) is not None:
                return value
        return None

    def level(self, key: Key) -> str | None:
        """Which group `expected` answers from (FALLBACKS names), for display and tests."""
        groups = _groups(key)
        names = FALLBACKS[-2:] if len(groups) == 2 else FALLBACKS
        for name, group in zip(names, groups):
            if self._seen.get(group):
                return name
        return None

    def remaining(self, key: Key, elapsed: float, progress: float) -> float | None:
        """Seconds left of a running job of `key`, `elapsed` seconds into its run at `progress` %."""
        return blend(self.expected(key), elapsed, progress)

    def count(self, key: Key) -> int:
        """Observations in the exact group (at most the window)."""
        return len(self._seen.get(_groups(key)[0], ()))

    def _value(self, group: tuple) -> float | None:
        cached = self._cache.get(group)
        if cached is not None:
            return cached
        line = self._seen.get(group)
        if not line:
            return None
        value = _average(line, self.average)
        self._cache[group] = value
        return value


def _average(values: deque[float], how: str) -> float:
    if how == "median":
        ordered = sorted(values)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    if how == "ewma":  # newest weighs most; alpha as for an N-sample window
        alpha = 2.0 / (len(values) + 1)
        value = values[0]
        for v in list(values)[1:]:
            value += alpha * (v - value)
        return value
    return sum(values) / len(values)


def _seconds(started: Any, finished: Any) -> float:
    return (finished - started).total_seconds()


# ----- a running job ---------------------------------------------------------------------


def blend(expected: float | None, elapsed: float, progress: float, power: float = PACE_POWER) -> float | None:
    """Seconds left, never negative: the group's expected duration early in a run, the run's own pace late.

    Both are estimates of the whole run's length: `expected` (the group's average) and
    elapsed x 100 / progress (this run's pace so far). The pace weighs w = (progress / 100) ** 4:
    6 % at half way, 66 % at 90 %, all at the end. The time left is that length minus the time spent, but at least the time left at the
    run's own pace scaled down by the average's weight, so an overdue job never shows 0 s while its
    progress still moves. Before any progress, the average minus the time spent (at least a tenth
    of the average). None only when there is neither an average nor any progress yet.
    """
    elapsed = max(0.0, float(elapsed))
    p = min(100.0, max(0.0, float(progress)))
    if p >= 100.0:
        return 0.0
    own = elapsed * 100.0 / p if p > 0.5 and elapsed > 0 else None  # the run's pace, once it has one
    if expected is None:
        return None if own is None else max(0.0, own - elapsed)
    if own is None:
        # late and no pace to go by (the LLM is still reading the prompt): it may end any moment, say a tenth of a run
        return max(expected - elapsed, 0.1 * expected)
    w = (p / 100.0) ** power
    total = w * own + (1.0 - w) * expected
    left = total - elapsed
    return max(left, w * (own - elapsed), 0.0)


_MISSING = object()


# ----- the waiting line --------------------------------------------------------------------


def forecast(
    running: Iterable[tuple[str, Key, float, float]],
    waiting: Iterable[tuple[str, Key]],
    concurrency: int,
    rates: Rates,
) -> dict[str, tuple[float, float]]:
    """When each job starts and finishes, in seconds from now, if every job takes its expected time.

    `running`: (job id, key, elapsed seconds, progress %) of every running job (all users);
    `waiting`: (job id, key) of every waiting job, in the order the dispatcher will start them.
    `concurrency` slots run at once: a min-heap holds the times they free up, seeded with the
    running jobs' time left; each waiting job takes the first free slot. Running jobs get
    (0, time left). A job whose duration cannot be estimated (no job has finished yet) stops the
    forecast: it and every job after it are left out.
    """
    slots = max(1, int(concurrency))
    out: dict[str, tuple[float, float]] = {}
    ends: list[float] = []
    for job_id, key, elapsed, progress in running:
        left = rates.remaining(key, elapsed, progress)
        if left is None:
            return out
        out[job_id] = (0.0, left)
        ends.append(left)
    # More running than slots (the limit was lowered): a waiting job starts only once enough of them end,
    # which is when the earliest of the `slots` latest ends comes.
    ends.sort()
    heap = ends[-slots:] if len(ends) >= slots else [0.0] * (slots - len(ends)) + ends
    heapq.heapify(heap)
    durations: dict[Key, float | None] = {}  # one fallback walk per key, not per job
    replace, expected = heapq.heapreplace, rates.expected  # 10,000 waiting jobs in a few ms: no attribute lookups in the loop
    for job_id, key in waiting:
        length = durations.get(key, _MISSING)
        if length is _MISSING:
            length = durations[key] = expected(key)
        if length is None:
            return out
        start = heap[0]
        replace(heap, start + length)
        out[job_id] = (start, start + length)
    return out
