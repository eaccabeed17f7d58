"""Batches: jobs submitted together and followed as one (N variations of one form, or a preset's mix).

Pure helpers, no database: how many variations and with which seeds, what a preset expands to, the
label of a batch, and how a user's job summaries group into batches for the tile. The job service
stores and runs them (`JobService.submit_batch` and friends).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from genapp.generators import ContentType, get_generator
from genapp.jobs.errors import JobNotFound
from genapp.jobs.requests import JobRequest, JobRequestError, build_request
from genapp.jobs.status import ACTIVE_VALUES, FINISHED_VALUES
from genapp.models import Batch, Job, JobSummary

MAX_VARIATIONS = 10  # on a generator page
MAX_BATCH_JOBS = 50  # in one batch, however made (the QA page's most, and under the per-minute limit)
MAX_LEVEL = 20
SEED_LIMIT = 2**53  # the forms' own bound on a seed

# The field that holds the party's level on each form that has one (item and world have none).
LEVEL_FIELDS = {
    ContentType.CHARACTER.value: "level",
    ContentType.NPC.value: "level",
    ContentType.QUEST.value: "party_level",
    ContentType.ENCOUNTER.value: "party_level",
    ContentType.CAMPAIGN.value: "party_level",
}


class BatchNotFound(JobNotFound):
    """No batch with that id belongs to that user (whether it exists for another user is not said)."""


# ----- variations ---------------------------------------------------------------------------


def parse_variations(raw: Any) -> int:
    """The number of variations a form asked for (empty: 1); JobRequestError naming the field otherwise."""
    text = str(raw if raw is not None else "").strip()
    if text == "":
        return 1
    message = f"Variations must be a whole number from 1 to {MAX_VARIATIONS}."
    try:
        value = float(text)
    except ValueError:
        raise JobRequestError({"variations": message}) from None
    if not 1 <= value <= MAX_VARIATIONS or value != int(value):  # the range first: NaN fails it
        raise JobRequestError({"variations": message})
    return int(value)


def seed_given(raw: Any) -> bool:
    return raw is not None and str(raw).strip() != ""


def variation_seeds(base: int, count: int, *, fixed: bool) -> list[int]:
    """`count` seeds: base, base + 1, ... when the user fixed the seed (so the batch can be made again),
    else random ones, all different."""
    if fixed:
        return [(base + i) % SEED_LIMIT for i in range(count)]
    seeds: list[int] = [base]
    while len(seeds) < count:
        if (seed := secrets.randbelow(2**31)) not in seeds:
            seeds.append(seed)
    return seeds


def variations(request: JobRequest, count: int, *, seed_fixed: bool) -> list[JobRequest]:
    """The same inputs `count` times, each with its own seed."""
    return [dataclasses.replace(request, seed=seed) for seed in variation_seeds(request.seed, count, fixed=seed_fixed)]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def variations_label(request: JobRequest, count: int) -> str:
    """E.g. "5 × Character: a grumpy dwarven blacksmith"."""
    label = get_generator(request.type).label
    return f"{count} × {label}: {_short(request.prompt)}" if request.prompt else f"{count} × {label}"


# ----- presets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PresetPart:
    type: str
    forms: tuple[dict[str, Any], ...]  # one job per entry: its own form fields (beside the level)


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str
    parts: tuple[PresetPart, ...]

    @property
    def size(self) -> int:
        return sum(len(p.forms) for p in self.parts)

    def summary(self) -> str:
        """E.g. "6 NPCs, 2 quests, 1 encounter"."""
        words = []
        for part in self.parts:
            noun, n = get_generator(part.type).noun, len(part.forms)
            words.append(f"{n} {noun}{'s' if n != 1 else ''}")
        return ", ".join(words)


def _times(n: int, form: dict[str, Any] | None = None) -> tuple[dict[str, Any], ...]:
    return tuple(dict(form or {}) for _ in range(n))


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "party", "A party", "Four adventurers at one level: a fighter, a cleric, a rogue and a wizard.",
            (PresetPart("character", tuple({"char_class": c} for c in ("fighter", "cleric", "rogue", "wizard"))),),
        ),
        Preset(
            "village", "A village", "Six villagers, two quests to find there and an encounter nearby, at one level.",
            (
                PresetPart("npc", tuple({"role": r} for r in ("innkeeper", "merchant", "guard", "priest", "farmer", "blacksmith"))),
                PresetPart("quest", _times(2)),
                PresetPart("encounter", ({"environment": "grassland"},)),
            ),
        ),
        Preset(
            "dungeon", "A dungeon", "A quest to go in, three fights in the dark, two treasures and who guards them.",
            (
                PresetPart("quest", ({"theme": "exploration"} ,)),
                PresetPart("encounter", ({"environment": "dungeon", "difficulty": "easy"}, {"environment": "dungeon", "difficulty": "medium"},
                                         {"environment": "dungeon", "difficulty": "hard"})),
                PresetPart("item", _times(2)),
                PresetPart("npc", ({"role": "cultist", "disposition": "hostile"},)),
            ),
        ),
    )
}


def parse_level(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    message = f"Level must be a whole number from 1 to {MAX_LEVEL}."
    try:
        value = float(text or "1")
    except ValueError:
        raise JobRequestError({"level": message}) from None
    if not 1 <= value <= MAX_LEVEL or value != int(value):
        raise JobRequestError({"level": message})
    return int(value)


def expand_preset(key: str, *, level: Any = 1, prompt: str = "", seed: Any = None, **request_options: Any) -> tuple[str, list[JobRequest]]:
    """A preset's label and its requests, every one at `level` (on forms that have one) with the prompt as
    its theme; `request_options` go to build_request (sources, skip_image, limits). JobRequestError per field."""
    preset = PRESETS.get(str(key))
    if preset is None:
        raise JobRequestError({"preset": f"Unknown preset {key!r}; choose one of {', '.join(PRESETS)}."})
    errors: dict[str, str] = {}
    try:
        level_value = parse_level(level)
    except JobRequestError as exc:
        errors.update(exc.errors)
        level_value = 1
    fixed = seed_given(seed)
    requests: list[JobRequest] = []
    for part in preset.parts:
        for form in part.forms:
            fields = dict(form)
            if part.type in LEVEL_FIELDS:
                fields[LEVEL_FIELDS[part.type]] = level_value
            try:
                requests.append(build_request(job_type=part.type, prompt=prompt, form=fields, seed=seed, **request_options))
            except JobRequestError as exc:
                errors.update(exc.errors)
    if errors:
        raise JobRequestError(errors)
    if fixed:  # one seed for the batch: each job its own, base + i, so the whole batch can be made again
        requests = [dataclasses.replace(r, seed=(r.seed + i) % SEED_LIMIT) for i, r in enumerate(requests)]
    title = f"{preset.label} (level {level_value})"
    return (f"{title}: {_short(prompt)}" if prompt.strip() else title), requests


# ----- what the service answers --------------------------------------------------------------


def batch_progress(jobs: Iterable[Job | JobSummary]) -> float:
    """Mean progress of the jobs, a finished one (whatever its outcome) counting as 100."""
    values = [100.0 if j.status in FINISHED_VALUES else float(j.progress) for j in jobs]
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class BatchView:
    batch: Batch
    jobs: list[Job]  # oldest first

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self.jobs:
            counts[job.status] = counts.get(job.status, 0) + 1
        return counts

    @property
    def total(self) -> int:
        return len(self.jobs)

    @property
    def done(self) -> int:
        return sum(1 for j in self.jobs if j.status in FINISHED_VALUES)

    @property
    def active(self) -> int:
        return sum(1 for j in self.jobs if j.status in ACTIVE_VALUES)

    @property
    def progress(self) -> float:
        return batch_progress(self.jobs)


@dataclass(frozen=True)
class BatchListing:
    """A batch in a list of them: no jobs, their counts."""

    id: str
    label: str
    kind: str
    created_at: datetime
    total: int
    done: int


# ----- the tile's groups --------------------------------------------------------------------


class BatchGroup(BaseModel):
    """One batch as the tile shows it, from the summaries it already holds (no query)."""

    id: str
    label: str
    total: int  # the batch's size
    active: int  # pending or running now
    running: int
    done: int  # total - active: finished (or removed)
    failed: int  # error or cancelled, among the finished ones the tile still lists
    progress: int  # mean over the batch, a finished job counting as 100
    active_ids: list[str] = []


def group_batches(active: list[JobSummary], recent: list[JobSummary]) -> dict[str, BatchGroup]:
    """The batches the user's active and recent jobs belong to, by id: batches with active jobs first
    (oldest first, as `active` is), then finished ones (newest first, as `recent` is)."""
    members: dict[str, list[JobSummary]] = {}
    for job in [*active, *recent]:
        if job.batch_id:
            members.setdefault(job.batch_id, []).append(job)
    groups: dict[str, BatchGroup] = {}
    for batch_id, jobs in members.items():
        live = [j for j in jobs if j.status in ACTIVE_VALUES]
        total = max(jobs[0].batch_size, len(jobs))
        done = total - len(live)
        groups[batch_id] = BatchGroup(
            id=batch_id,
            label=jobs[0].batch_label or "Batch",
            total=total,
            active=len(live),
            running=sum(1 for j in live if j.status != "pending"),
            done=done,
            failed=sum(1 for j in jobs if j.status in ("error", "cancelled")),
            progress=int((sum(j.progress for j in live) + 100 * done) / total) if total else 0,
            active_ids=[j.id for j in live],
        )
    return groups
