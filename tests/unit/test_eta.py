"""ETA estimates (genapp/jobs/eta.py): averages and their fallbacks, the running blend, the queue forecast."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest

from genapp.jobs.eta import NO_IMAGE, Key, Rates, blend, forecast
from genapp.jobs.events import EventKind, JobEvent
from genapp.models import Job, JobSummary

LLM_NPC = Key("npc", "llm", "api", True)
LLM_ITEM = Key("item", "llm", "api", True)
PROC_NPC = Key("npc", "procedural", "procedural", True)


def test_key_of_a_row_reads_its_sources_and_ignores_the_image_source_when_none_is_made():
    assert Key.of("npc", {"form": {}}, False) == PROC_NPC
    assert Key.of("npc", {"sources": {"text": "llm", "image": "api"}}, False) == LLM_NPC
    assert Key.of("npc", {"sources": {"text": "llm", "image": "api"}}, True) == Key("npc", "llm", NO_IMAGE, False)
    assert Key.of("npc", {"sources": {"text": "llm", "image": "procedural"}}, True) == Key("npc", "llm", NO_IMAGE, False)


def test_expected_is_the_mean_of_the_last_window_durations():
    rates = Rates(window=3, average="mean")
    assert rates.expected(LLM_NPC) is None
    for seconds in (100, 1, 2, 3):
        rates.observe(LLM_NPC, seconds)
    assert rates.expected(LLM_NPC) == pytest.approx(2.0)  # the 100 fell out of the window
    assert rates.count(LLM_NPC) == 3


def test_median_and_ewma_averages():
    median, ewma = Rates(window=5, average="median"), Rates(window=5, average="ewma")
    for seconds in (1, 2, 30, 4):
        median.observe(LLM_NPC, seconds)
        ewma.observe(LLM_NPC, seconds)
    assert median.expected(LLM_NPC) == pytest.approx(3.0)
    # alpha = 2 / (4 + 1) = 0.4: 1 -> 1.4 -> 12.84 -> 9.304
    assert ewma.expected(LLM_NPC) == pytest.approx(9.304)
    with pytest.raises(ValueError):
        Rates(average="mode")


def test_the_default_average_is_an_ewma_of_the_last_20():
    rates = Rates()
    for seconds in [1000.0] + [10.0] * 20:
        rates.observe(LLM_NPC, seconds)
    assert rates.expected(LLM_NPC) == pytest.approx(10.0)  # the 1000 is out of the window
    rates.observe(LLM_NPC, 31.0)
    assert rates.expected(LLM_NPC) == pytest.approx(12.0)  # alpha 2 / 21: the newest weighs 2/21 of the jump


def test_fallbacks_go_from_the_exact_group_to_all_jobs():
    rates = Rates(average="mean")
    rates.observe(LLM_NPC, 10.0)
    rates.observe(PROC_NPC, 0.1)
    assert rates.level(LLM_NPC) == "exact"
    no_picture = Key("npc", "llm", NO_IMAGE, False)
    assert (rates.expected(no_picture), rates.level(no_picture)) == (10.0, "type+text")
    # another type with the same (slow) sources is nearer than the same type with procedural text
    assert (rates.expected(LLM_ITEM), rates.level(LLM_ITEM)) == (10.0, "any type, same sources")
    assert rates.level(Key("item", "llm", "procedural", True)) == "any type, same text source"
    assert rates.expected(Key("item", "procedural", NO_IMAGE, False)) == pytest.approx(0.1)
    # only the type known (a job announced by another process): the type's jobs, any sources
    assert rates.expected(Key.unknown("npc")) == pytest.approx(5.05)
    assert rates.level(Key.unknown("npc")) == "type"
    assert (rates.expected(Key.unknown("quest")), rates.level(Key.unknown("quest"))) == (pytest.approx(5.05), "all jobs")


def test_observations_that_cannot_be_durations_are_ignored():
    rates = Rates()
    rates.observe(LLM_NPC, -1.0)
    rates.observe(LLM_NPC, float("nan"))
    rates.observe(Key.unknown("npc"), 5.0)  # no sources: it would muddle every group
    assert rates.expected(LLM_NPC) is None


def _row(type_, seconds, *, status="complete", sources=None, skip=False, started=True) -> Job:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return Job(id=f"{type_}{seconds}", owner="u", type=type_, status=status, skip_image=skip,
               form_data={"form": {}, **({"sources": sources} if sources else {})},
               started_at=start if started else None, finished_at=start + timedelta(seconds=seconds))  # fmt: skip


def test_seeding_from_rows_keeps_the_newest_and_skips_what_did_not_complete():
    llm = {"text": "llm", "image": "api"}
    rows = [  # newest first, as the store returns them
        _row("npc", 4, sources=llm),
        _row("npc", 6, sources=llm),
        _row("npc", 500, sources=llm),  # oldest: out of a window of 2
        _row("npc", 99, status="error", sources=llm),
        _row("npc", 98, status="cancelled", sources=llm),
        _row("npc", 97, sources=llm, started=False),
        _row("item", 1),
    ]
    rates = Rates.from_jobs(rows, window=2, average="mean")
    assert rates.expected(LLM_NPC) == pytest.approx(5.0)
    assert rates.expected(Key("item")) == pytest.approx(1.0)
    assert Rates.from_durations([(LLM_NPC, 1.0), (LLM_NPC, 3.0)], window=1).expected(LLM_NPC) == 1.0
    # EWMA (the default) weighs the newest most: 6 then 4 with alpha 2/3
    assert Rates.from_jobs(rows, window=2).expected(LLM_NPC) == pytest.approx(6 + 2 / 3 * (4 - 6))


def test_blend_trusts_the_average_early_and_the_pace_late():
    # the kind takes 100 s on average; this run goes twice as fast (its pace says 50 s in all)
    assert blend(100, 0, 0) == 100
    assert blend(100, 5, 10, power=1) == pytest.approx(0.1 * 50 + 0.9 * 100 - 5)  # 90: mostly the average
    assert blend(100, 45, 90, power=1) == pytest.approx(0.9 * 50 + 0.1 * 100 - 45)  # 10: mostly its pace (naive: 5)
    # the default weighs the pace (progress / 100) ** 4: 0.0625 at half way, 0.6561 at 90 %
    assert blend(100, 25, 50) == pytest.approx(0.0625 * 50 + 0.9375 * 100 - 25)
    assert blend(100, 45, 90) == pytest.approx(0.6561 * 50 + 0.3439 * 100 - 45)
    assert blend(100, 50, 100) == 0
    # no average yet: the run's pace alone (the naive estimate); nothing at all: None
    assert blend(None, 10, 25) == pytest.approx(30)
    assert blend(None, 10, 0) is None
    # no progress yet, past the average: a tenth of a run, never 0 or negative
    assert blend(100, 150, 0) == pytest.approx(10)


@pytest.mark.parametrize("expected", [None, 0.0, 1.0, 30.0, 1000.0])
def test_blend_is_never_negative_and_never_above_the_larger_estimate(expected):
    for elapsed in (0.0, 0.5, 3.0, 60.0, 5000.0):
        for progress in (0.0, 0.4, 1.0, 10.0, 50.0, 99.0, 100.0, 130.0, -5.0):
            left = blend(expected, elapsed, progress)
            if left is None:
                assert expected is None
                continue
            assert left >= 0
            naive = elapsed * (100 - progress) / progress if 0.5 < progress < 100 and elapsed > 0 else 0.0
            assert left <= max(naive, expected or 0.0) + 1e-9


def test_an_overdue_run_that_still_moves_never_shows_zero():
    # six times its kind's average, half done: its pace says 60 s more; at least the pace's share of that
    assert blend(10, 60, 50, power=1) == pytest.approx(0.5 * 60)
    assert blend(10, 60, 50) == pytest.approx(0.0625 * 60)


def _rates(**durations: float) -> Rates:
    rates = Rates()
    for job_type, seconds in durations.items():
        rates.observe(Key(job_type), seconds)
    return rates


def test_forecast_with_one_slot_queues_jobs_one_after_another():
    rates = _rates(npc=10.0, item=4.0)
    # running npc: 2 s in at 0 % -> 8 s left (the average, no pace yet)
    plan = forecast([("r", Key("npc"), 2.0, 0.0)], [("a", Key("item")), ("b", Key("npc")), ("c", Key("item"))], 1, rates)
    assert plan == {"r": (0.0, 8.0), "a": (8.0, 12.0), "b": (12.0, 22.0), "c": (22.0, 26.0)}


def test_forecast_with_n_slots_takes_the_first_free_slot():
    rates = _rates(npc=10.0, item=4.0, quest=6.0)
    running = [("r1", Key("npc"), 7.0, 0.0), ("r2", Key("item"), 3.0, 0.0)]  # 3 s and 1 s left
    waiting = [("a", Key("quest")), ("b", Key("item")), ("c", Key("npc")), ("d", Key("item")), ("e", Key("item"))]
    plan = forecast(running, waiting, 3, rates)
    # slots free at 0 (idle), 1 (r2), 3 (r1)
    assert plan["a"] == (0.0, 6.0)  # idle slot
    assert plan["b"] == (1.0, 5.0)  # after r2
    assert plan["c"] == (3.0, 13.0)  # after r1
    assert plan["d"] == (5.0, 9.0)  # after b
    assert plan["e"] == (6.0, 10.0)  # after a
    assert plan["r1"] == (0.0, 3.0) and plan["r2"] == (0.0, 1.0)


def test_forecast_with_more_running_than_slots_waits_for_enough_of_them_to_end():
    rates = _rates(item=4.0)
    running = [(f"r{i}", Key("item"), float(i), 0.0) for i in range(4)]  # 4, 3, 2, 1 s left
    plan = forecast(running, [("a", Key("item")), ("b", Key("item"))], 2, rates)
    assert plan["a"] == (3.0, 7.0)  # two must end first: at 1 and 2 s the count is still 2... at 3 s one slot frees
    assert plan["b"] == (4.0, 8.0)


def test_forecast_stops_where_nothing_is_known():
    assert forecast([], [("a", Key("npc"))], 2, Rates()) == {}
    assert forecast([("r", Key("npc"), 1.0, 0.0)], [], 2, Rates()) == {}
    assert forecast([("r", Key("npc"), 10.0, 50.0)], [], 2, Rates()) == {"r": (0.0, 10.0)}  # its own pace


def test_forecast_of_ten_thousand_waiting_jobs_is_fast():
    rates = Rates()
    types = ["character", "npc", "item", "quest", "encounter", "world", "campaign"]
    for i, job_type in enumerate(types):
        for text in ("llm", "procedural"):
            rates.observe(Key(job_type, text, "api", True), 5.0 + i)
    waiting = [(f"w{i}", Key(types[i % 7], ("llm", "procedural")[i % 2], "api", True)) for i in range(10_000)]
    running = [(f"r{i}", Key(types[i % 7], "llm", "api", True), 2.0, 30.0) for i in range(4)]
    forecast(running, waiting, 4, rates)  # warm
    best = min(_timed(lambda: forecast(running, waiting, 4, rates)) for _ in range(5))
    assert best < 0.010, f"{best * 1000:.1f} ms"
    plan = forecast(running, waiting, 4, rates)
    assert len(plan) == 10_004 and plan["w9999"][0] > plan["w0"][0]


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# ----- the service's wiring (no dispatcher run: events are fed to its tracking directly) -----


class _Store:
    def __init__(self, rows=()):
        self.rows = list(rows)

    async def recent_durations(self, limit=500):
        return self.rows[:limit]


def _service(rows=()):
    from genapp.jobs.service import JobService

    service = JobService.__new__(JobService)  # only the ETA parts: no store threads, no dispatcher
    service.store = _Store(rows)
    from genapp.jobs.active import ActiveJobs

    service._active = ActiveJobs()
    service._init_eta()
    service._init_queue()
    return service


def _event(job_id, status, progress=0, job_type="npc", owner="u"):
    summary = JobSummary(id=job_id, type=job_type, title="t", status=status, progress=progress, stage="", eta=-1)
    return JobEvent(EventKind.STATUS, owner, job_id, summary)


def _feed(service, event):
    service._active.apply(event)
    service._track(event)


def test_service_seeds_rates_from_the_store_and_learns_from_completions(monkeypatch):
    service = _service([("npc", {"text": "llm", "image": "api"}, False, 12.0)])
    asyncio.run(service._seed_rates())
    assert service.rates.expected(LLM_NPC) == 12.0

    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    service._keys["j"] = LLM_NPC
    _feed(service, _event("j", "pending"))
    clock[0] = 1005.0
    _feed(service, _event("j", "generating"))
    clock[0] = 1008.0
    running = service.active("u")[0]
    assert running.eta == 9  # 3 s into a 12 s kind, no progress yet
    clock[0] = 1013.0
    _feed(service, _event("j", "complete", 100))
    assert service.rates.count(LLM_NPC) == 2 and service.rates.expected(LLM_NPC) == pytest.approx(12 + 2 / 3 * (8 - 12))  # 12 s, then 8
    assert "j" not in service._keys and "j" not in service._began


def test_forecast_for_gives_the_owners_waiting_jobs_in_the_global_order(monkeypatch):
    clock = [50.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    service = _service()
    service.rates.observe(LLM_NPC, 10.0)
    service.rates.observe(PROC_NPC, 2.0)
    for job_id, owner, key in [("r", "bob", LLM_NPC), ("a", "bob", PROC_NPC), ("b", "u", LLM_NPC), ("c", "u", PROC_NPC)]:
        service._keys[job_id] = key
        _feed(service, _event(job_id, "pending", owner=owner))
    _feed(service, _event("r", "generating", owner="bob"))
    clock[0] = 54.0  # r: 4 s into 10 -> 6 s left
    plan = service.forecast_for("u", ["a", "b", "c"], 1)
    assert plan == {"b": (8.0, 18.0), "c": (18.0, 20.0)}  # a (bob's) runs 6 -> 8 first; r is bob's: not shown
    # two slots: b takes the idle one (0 -> 10), a takes r's (6 -> 8), c takes a's (8 -> 10)
    assert service.forecast_for("u", ["b", "a", "c"], 2) == {"b": (0.0, 10.0), "c": (8.0, 10.0)}
