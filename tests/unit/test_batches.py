"""Batches without a database: variations and their seeds, presets, validation, limits, the tile's groups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genapp.jobs.batches import (
    LEVEL_FIELDS,
    MAX_VARIATIONS,
    PRESETS,
    expand_preset,
    group_batches,
    parse_variations,
    variation_seeds,
    variations,
    variations_label,
)
from genapp.jobs.errors import LimitReached
from genapp.jobs.limits import Limits
from genapp.jobs.requests import JobRequestError, build_request
from genapp.jobs.store import Admission
from genapp.models import Job, JobSummary, utcnow


@pytest.mark.parametrize("raw, expected", [("", 1), (None, 1), ("1", 1), ("3", 3), (" 10 ", 10), ("4.0", 4), (7, 7)])
def test_variations_accepts_whole_numbers_from_1_to_10(raw, expected):
    assert parse_variations(raw) == expected


@pytest.mark.parametrize("raw", ["0", "11", "-2", "2.5", "many", "1e9", "nan"])
def test_variations_out_of_range_or_not_whole_is_a_field_message(raw):
    with pytest.raises(JobRequestError) as caught:
        parse_variations(raw)
    assert caught.value.errors == {"variations": f"Variations must be a whole number from 1 to {MAX_VARIATIONS}."}


def test_a_fixed_seed_gives_base_plus_i():
    assert variation_seeds(41, 5, fixed=True) == [41, 42, 43, 44, 45]
    request = build_request(job_type="npc", prompt="a smuggler", seed=100, form={"level": 3})
    made = variations(request, 3, seed_fixed=True)
    assert [r.seed for r in made] == [100, 101, 102]
    assert all(r.prompt == "a smuggler" and r.form == request.form and r.type == request.type for r in made)


def test_random_seeds_are_all_different():
    seeds = variation_seeds(7, 10, fixed=False)
    assert len(seeds) == 10 and len(set(seeds)) == 10 and seeds[0] == 7


def test_variations_label_names_count_type_and_prompt():
    request = build_request(job_type="character", prompt="a grumpy   dwarven blacksmith")
    assert variations_label(request, 5) == "5 × Character: a grumpy dwarven blacksmith"
    assert variations_label(build_request(job_type="npc"), 2) == "2 × NPC"
    assert len(variations_label(build_request(job_type="item", prompt="x" * 500), 3)) < 80


def test_party_is_four_characters_at_one_level():
    label, requests = expand_preset("party", level="7", prompt="sky pirates")
    assert label == "A party (level 7): sky pirates"
    assert [r.type.value for r in requests] == ["character"] * 4
    assert {r.form["level"] for r in requests} == {7}
    assert sorted(r.form["char_class"] for r in requests) == ["cleric", "fighter", "rogue", "wizard"]
    assert all(r.prompt == "sky pirates" for r in requests)


def test_village_is_six_npcs_two_quests_and_an_encounter_at_one_level():
    label, requests = expand_preset("village", level=4)
    types = [r.type.value for r in requests]
    assert types == ["npc"] * 6 + ["quest"] * 2 + ["encounter"]
    for r in requests:
        assert r.form[LEVEL_FIELDS[r.type.value]] == 4
    assert label == "A village (level 4)"
    assert PRESETS["village"].summary() == "6 NPCs, 2 quests, 1 encounter"


def test_every_preset_expands_and_a_fixed_seed_differs_per_job():
    for key, preset in PRESETS.items():
        _, requests = expand_preset(key, level=2, seed=1000)
        assert len(requests) == preset.size
        assert [r.seed for r in requests] == list(range(1000, 1000 + preset.size))


@pytest.mark.parametrize("level", ["0", "21", "x", "2.5", "nan", "inf"])
def test_preset_level_out_of_range_is_a_field_message(level):
    with pytest.raises(JobRequestError) as caught:
        expand_preset("party", level=level)
    assert "level" in caught.value.errors and "1 to 20" in caught.value.errors["level"]


def test_unknown_preset_and_long_prompt_are_refused():
    with pytest.raises(JobRequestError) as caught:
        expand_preset("castle")
    assert "preset" in caught.value.errors
    with pytest.raises(JobRequestError) as caught:
        expand_preset("party", prompt="x" * 5000, max_prompt_chars=4000)
    assert "prompt" in caught.value.errors


def seen(active=0, recent=0, pending=0, oldest=None):
    return Admission(user_active=active, user_recent=recent, user_oldest_recent=oldest, pending_total=pending)


def test_a_batch_is_admitted_whole_or_refused_whole():
    limits, now = Limits(user_active=10, user_per_minute=12, pending_total=100), utcnow()
    limits.check_batch(seen(active=4), now, 6)  # exactly fills the room
    with pytest.raises(LimitReached, match="would queue 7 generations.*room for 6"):
        limits.check_batch(seen(active=4), now, 7)
    with pytest.raises(LimitReached, match="started 8 in the last minute") as caught:
        limits.check_batch(seen(recent=8, oldest=now - timedelta(seconds=50)), now, 5)
    assert caught.value.retry_after == 10  # one too many: when the oldest leaves the window
    with pytest.raises(LimitReached, match="busy"):
        limits.check_batch(seen(pending=98), now, 3)
    # A retry of a batch's failed jobs is not a submission: the per-minute limit does not apply.
    limits.check_batch(seen(recent=12), now, 5, new_jobs=False)


def summary(job_id, status, progress=0, batch="", size=0, label="B"):
    return JobSummary(id=job_id, type="npc", title=job_id, status=status, progress=progress, stage="", eta=-1,
                      batch_id=batch, batch_label=label if batch else "", batch_size=size)


def test_the_tile_groups_a_batch_from_the_summaries_it_holds():
    active = [summary("a1", "generating", 40, "b1", 4), summary("a2", "pending", 0, "b1", 4), summary("solo", "generating", 10)]
    recent = [summary("a3", "complete", 100, "b1", 4), summary("a4", "error", 30, "b1", 4), summary("c1", "complete", 100, "b2", 2, "Done one")]
    groups = group_batches(active, recent)
    assert list(groups) == ["b1", "b2"]
    b1 = groups["b1"]
    assert (b1.total, b1.active, b1.running, b1.done, b1.failed) == (4, 2, 1, 2, 1)
    assert b1.progress == int((40 + 0 + 100 + 100) / 4)
    assert b1.active_ids == ["a1", "a2"]
    b2 = groups["b2"]
    assert (b2.label, b2.total, b2.active, b2.done, b2.progress) == ("Done one", 2, 0, 2, 100)


def test_a_summary_carries_its_batch_from_the_row_alone():
    job = Job(id="j", owner="o", type="npc", batch_id="b", form_data={"form": {}, "batch": {"label": "3 × NPC", "size": 3}})
    s = JobSummary.of(job)
    assert (s.batch_id, s.batch_label, s.batch_size) == ("b", "3 × NPC", 3)
    plain = JobSummary.of(Job(id="k", owner="o", type="npc"))
    assert (plain.batch_id, plain.batch_label, plain.batch_size) == ("", "", 0)


def test_the_active_view_keeps_a_jobs_batch_through_runner_summaries():
    from genapp.jobs.active import ActiveJobs
    from genapp.jobs.events import EventKind, JobEvent

    view = ActiveJobs()
    view.apply(JobEvent(EventKind.STATUS, "o", "j", summary("j", "pending", 0, "b1", 3, "3 × NPC")))
    # what the runner publishes: its own summary, without the batch
    view.apply(JobEvent(EventKind.PROGRESS, "o", "j", summary("j", "generating", 40)))
    [kept] = view.summaries("o")
    assert (kept.progress, kept.batch_id, kept.batch_label, kept.batch_size) == (40, "b1", "3 × NPC", 3)
