"""Tests of the procedural content generators (genapp.generators)."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from genapp.generators import (  # noqa: E402
    GENERATORS,
    Content,
    ContentType,
    Generator,
    get_generator,
    render_illustration,
)
from genapp.generators import encounter as E  # noqa: E402
from genapp.generators import item as I  # noqa: E402
from genapp.generators.illustrate import RARITY_HEX, SCENES  # noqa: E402

ALL_TYPES = list(ContentType)
SAMPLE_PROMPTS = ("", "a grumpy dwarven blacksmith", "haunted swamp ambush", "cursed flaming sword", "frozen empire war")


def build(content_type: ContentType | str, prompt: str = "", seed: int = 1, **form) -> Content:
    gen = get_generator(content_type)
    return gen.build(prompt, gen.make_form(form), seed)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[float, str, str]] = []

    def report(self, progress: float, stage: str, detail: str = "") -> None:
        self.events.append((progress, stage, detail))


# ---------------------------------------------------------------- registry
def test_registry_covers_every_type():
    assert set(GENERATORS) == set(ContentType)
    for t, gen in GENERATORS.items():
        assert isinstance(gen, Generator)
        assert gen.type is t
        assert gen.label
        assert issubclass(gen.form_model, BaseModel)
        assert issubclass(gen.content_model, Content)
        assert gen.stages


def test_get_generator_accepts_enum_and_string():
    assert get_generator(ContentType.NPC) is GENERATORS[ContentType.NPC]
    assert get_generator("npc") is GENERATORS[ContentType.NPC]
    assert get_generator(" Campaign ") is GENERATORS[ContentType.CAMPAIGN]


def test_get_generator_unknown_type_raises_value_error():
    with pytest.raises(ValueError, match="bogus"):
        get_generator("bogus")
    with pytest.raises(ValueError, match="expected one of"):
        get_generator("")


def test_forms_have_defaults_titles_and_descriptions():
    for gen in GENERATORS.values():
        form = gen.form_model()  # every field optional
        assert form.model_dump()
        for name, field in gen.form_model.model_fields.items():
            assert field.description, f"{gen.type.value}.{name} lacks a description"
            assert field.title, f"{gen.type.value}.{name} lacks a title"


# ---------------------------------------------------------------- determinism and schema
@pytest.mark.parametrize("kind", ALL_TYPES)
def test_same_inputs_give_identical_output(kind):
    for prompt in SAMPLE_PROMPTS:
        for seed in (0, 7, 123456789, 2**62):
            a = build(kind, prompt, seed)
            b = build(kind, prompt, seed)
            assert a.model_dump() == b.model_dump()


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_different_seeds_differ(kind):
    dumps = [build(kind, "", seed).model_dump() for seed in range(10)]
    assert all(dumps[0] != d for d in dumps[1:])
    assert len({build(kind, "", s).title() for s in range(10)}) >= 8


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_schema_round_trip_and_markdown(kind):
    gen = get_generator(kind)
    for seed in range(15):
        content = build(kind, SAMPLE_PROMPTS[seed % len(SAMPLE_PROMPTS)], seed)
        assert isinstance(content, gen.content_model)
        dump = content.model_dump()
        again = gen.content_model.model_validate(dump)
        assert again.model_dump() == dump
        assert gen.content_model.model_validate_json(content.model_dump_json()).model_dump() == dump
        title = content.title()
        assert isinstance(title, str) and title.strip()
        md = content.to_markdown()
        assert md.startswith(f"# {title}\n")
        assert "\n## " in md
        assert "{" not in md.replace("{{", ""), "unfilled template placeholder"


def test_output_identical_across_processes_with_different_hash_seeds():
    code = (
        "import sys, json, hashlib; sys.path.insert(0, sys.argv[1]);"
        "from genapp.generators import GENERATORS, render_illustration;"
        "h = hashlib.sha256();"
        "[h.update((json.dumps(g.build('haunted swamp ambush', g.make_form(), s).model_dump(), sort_keys=True)"
        " + render_illustration(g.build('', g.make_form(), s), s)).encode()) for g in GENERATORS.values() for s in range(5)];"
        "print(h.hexdigest())"
    )
    outs = set()
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"}
        res = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env, check=True)
        outs.add(res.stdout.strip())
    assert len(outs) == 1


# ---------------------------------------------------------------- variety
def test_character_names_vary_widely():
    seeds = random.Random(2024).sample(range(10**9), 1000)
    gen = get_generator("character")
    form = gen.make_form()
    names = {gen.build("", form, s).name for s in seeds}
    assert len(names) >= 950, len(names)


@pytest.mark.parametrize("kind", [t for t in ALL_TYPES if t is not ContentType.CHARACTER])
def test_titles_vary_widely(kind):
    n = 400 if kind is ContentType.CAMPAIGN else 1000
    seeds = random.Random(99).sample(range(10**9), n)
    gen = get_generator(kind)
    form = gen.make_form()
    titles = {gen.build("", form, s).title() for s in seeds}
    assert len(titles) >= 0.9 * n, (kind, len(titles))


def test_character_content_varies_beyond_names():
    chars = [build("character", "", s) for s in range(300)]
    assert len({c.ancestry for c in chars}) == 8
    assert len({c.char_class for c in chars}) == 12
    assert len({c.background for c in chars}) >= 12
    assert len({c.backstory for c in chars}) == 300
    assert len({c.appearance for c in chars}) >= 290


def test_encounter_and_item_variety():
    encs = [build("encounter", "", s) for s in range(300)]
    assert len({e.environment for e in encs}) == len(E.ENVIRONMENTS)
    assert len({c.name for e in encs for c in e.creatures}) >= 60
    items = [build("item", "", s) for s in range(300)]
    assert {i.kind for i in items} == set(I.KINDS)
    assert {i.rarity for i in items} == set(I.RARITIES)


# ---------------------------------------------------------------- prompt keywords
def test_prompt_shapes_character():
    for seed in range(20):
        c = build("character", "a grumpy dwarven blacksmith", seed)
        assert c.ancestry == "dwarf"
        assert c.occupation == "blacksmith"
        assert c.background == "Guild Artisan"
        assert c.mood == "grumpy"
        assert "blacksmith" in c.backstory or "blacksmith" in c.to_markdown()
    c = build("character", "A Cunning ELF Rogue", 3)
    assert (c.ancestry, c.char_class, c.mood) == ("elf", "rogue", "cunning")
    c = build("character", "whimsical halfling bard who plays the lute", 4)
    assert (c.ancestry, c.char_class, c.tone) == ("halfling", "bard", "whimsical")


def test_form_overrides_prompt_and_silent_prompt_stays_random():
    c = build("character", "a grumpy dwarven blacksmith", 5, ancestry="elf", char_class="wizard", level=7)
    assert (c.ancestry, c.char_class, c.level) == ("elf", "wizard", 7)
    assert c.mood == "grumpy"
    moods = {build("character", "", s).mood for s in range(60)}
    assert len(moods) >= 8


def test_prompt_shapes_item():
    for seed in range(20):
        it = build("item", "cursed flaming sword", seed)
        assert it.kind == "weapon" and it.shape == "sword"
        assert it.element == "fire"
        assert it.curse
        assert any("fire" in p for p in it.properties)
        assert it.attunement
    assert build("item", "a legendary frost shield", 2).rarity == "legendary"
    assert build("item", "a legendary frost shield", 2).base == "shield"
    assert build("item", "potion", 3).kind == "potion"
    assert build("item", "cursed flaming sword", 1, cursed="no").curse is None


def test_prompt_shapes_encounter():
    for seed in range(20):
        e = build("encounter", "haunted swamp ambush", seed)
        assert e.environment == "swamp"
        assert e.setup == "ambush"
        monsters = {m.name: m for m in E.MONSTERS}
        assert all("undead" in monsters[c.name].tags for c in e.creatures)
    assert build("encounter", "goblin camp in the forest", 1).environment == "forest"
    assert build("encounter", "a deadly dragon lair", 1, party_level=15).difficulty == "deadly"


def test_prompt_shapes_npc_quest_world_campaign():
    n = build("npc", "a sinister tiefling innkeeper", 1)
    assert (n.ancestry, n.role, n.disposition) == ("tiefling", "innkeeper", "hostile")
    q = build("quest", "rescue the kidnapped heir from the swamp", 1)
    assert (q.theme, q.environment) == ("rescue", "swamp")
    w = build("world", "a frozen high magic empire", 1)
    assert (w.climate, w.magic_level, w.size) == ("arctic", "high", "medium")
    w = build("world", "a vast desert plagued by plague", 1, size="any")
    assert (w.climate, w.size) == ("arid", "large")
    assert any("plague" in e.event.lower() for e in w.timeline)
    c = build("campaign", "a gothic horror campaign in the swamp", 1)
    assert c.theme == "horror"
    assert all(e.environment == "swamp" for e in c.encounters)


def test_keywords_do_not_match_inside_unrelated_words():
    # "campaign" must not mean a camp, "wandering" is not a wand, "gravel" is not a grave
    assert E.parse_prompt("a campaign on the gravel road")[2] is None
    assert E.parse_prompt("a camp on the road")[2] == "camp"
    assert I.parse_prompt("a wandering minstrel's trinket")[0] is None
    assert I.parse_prompt("gravel")[3] is None
    assert I.parse_prompt("a grave")[3] == "necrotic"
    assert E.parse_prompt("they were hungry")[1] == ()


# ---------------------------------------------------------------- forms
@pytest.mark.parametrize("kind,field", [
    ("character", "level"), ("npc", "level"), ("quest", "party_level"), ("encounter", "party_level"),
    ("encounter", "party_size"), ("campaign", "party_level"), ("campaign", "acts"),
])
def test_numeric_form_fields_are_constrained(kind, field):
    model = get_generator(kind).form_model
    for bad in (0, 999, -1, "abc", 2.5, [3]):
        with pytest.raises(ValidationError) as err:
            model(**{field: bad})
        assert field in str(err.value)
    assert getattr(model(**{field: 1}), field) == 1
    assert getattr(model(**{field: "2"}), field) == 2  # form strings are numbers too


def test_choice_fields_reject_unknown_values_with_clear_message():
    cases = {"character": ("ancestry", "char_class", "tone"), "npc": ("role", "disposition"),
             "item": ("kind", "rarity", "cursed"), "quest": ("length", "theme"),
             "encounter": ("difficulty", "environment"), "world": ("climate", "size", "magic_level"),
             "campaign": ("theme",)}
    for kind, fields in cases.items():
        model = get_generator(kind).form_model
        for field in fields:
            with pytest.raises(ValidationError) as err:
                model(**{field: "nonsense"})
            assert "Input should be" in str(err.value) and field in str(err.value)


def test_forms_normalise_case_blanks_and_none():
    gen = get_generator("character")
    form = gen.make_form({"ancestry": "Half-Orc", "char_class": " WIZARD ", "level": "", "tone": None})
    assert (form.ancestry, form.char_class, form.level, form.tone) == ("half-orc", "wizard", 1, "any")
    assert get_generator("item").make_form({"rarity": "Very_Rare"}).rarity == "very rare"
    assert gen.make_form(None) == gen.form_model()
    assert gen.make_form(form) is form


def test_encounter_respects_party_and_budget():
    for level in (1, 5, 11, 20):
        for size in (1, 4, 8):
            for diff in E.DIFFICULTIES:
                e = build("encounter", "", level * 100 + size, party_level=level, party_size=size, difficulty=diff)
                lo, hi = E.budget(level, size, diff)
                assert e.xp_budget == lo
                assert e.adjusted_xp <= hi or sum(c.count for c in e.creatures) == 1
                assert all(1 <= c.count <= 12 for c in e.creatures)
    # bigger parties face more (or tougher) foes
    small = sum(build("encounter", "", s, party_size=2, difficulty="hard").adjusted_xp for s in range(30))
    big = sum(build("encounter", "", s, party_size=8, difficulty="hard").adjusted_xp for s in range(30))
    assert big > small * 2


def test_character_numbers_are_sensible():
    for seed in range(200):
        c = build("character", "", seed, level=1 + seed % 20)
        assert set(c.ability_scores) == {"str", "dex", "con", "int", "wis", "cha"}
        assert all(3 <= v <= 20 for v in c.ability_scores.values())
        assert c.hit_points >= c.level
        assert 9 <= c.armor_class <= 24
        assert len(c.personality.traits) >= 2 and c.equipment
    # class weighting: wizards are smart, barbarians strong
    wiz = [build("character", "", s, char_class="wizard").ability_scores for s in range(50)]
    assert sum(s["int"] >= s["str"] for s in wiz) >= 45
    barb = [build("character", "", s, char_class="barbarian").ability_scores for s in range(50)]
    assert sum(s["str"] >= s["int"] for s in barb) >= 45


def test_item_value_scales_with_rarity():
    for kind in ("weapon", "ring"):
        values = [build("item", "", 4, kind=kind, rarity=r).value for r in I.RARITIES]
        assert values == sorted(values) and values[0] < values[-1] / 100


# ---------------------------------------------------------------- staged generation
def test_campaign_is_composed_of_real_parts():
    c = build("campaign", "", 11, acts=4, party_level=3)
    assert len(c.acts) == 4 and len(c.quests) == 4 and len(c.encounters) == 4 and len(c.npcs) == 5
    assert c.world.name in c.to_markdown()
    for act, q, e in zip(c.acts, c.quests, c.encounters):
        assert act.quest_titles == [q.name] and act.encounter_titles == [e.name]
    levels = [a.level for a in c.acts]
    assert levels == sorted(levels) and levels[0] == 3
    assert c.encounters[-1].difficulty == "deadly"
    assert c.villain == c.npcs[0].name and c.npcs[0].disposition == "hostile"


def test_campaign_generate_reports_monotonic_progress_and_matches_build():
    gen = get_generator("campaign")
    form = gen.make_form({"acts": 3})
    rec = Recorder()
    content = asyncio.run(gen.generate("war in the desert", form, 42, rec))
    progress = [p for p, _, _ in rec.events]
    assert progress == sorted(progress)
    assert progress[0] == 0 and progress[-1] == 100
    stages = [s for _, s, _ in rec.events]
    for expected in ("Building world", "Casting NPCs 1/4", "Casting NPCs 4/4", "Writing quests 3/3",
                     "Staging encounters 3/3", "Weaving acts"):
        assert expected in stages
    assert len(set(stages)) >= 10
    assert content.model_dump() == gen.build("war in the desert", form, 42).model_dump()


@pytest.mark.parametrize("kind", [t for t in ALL_TYPES if t is not ContentType.CAMPAIGN])
def test_simple_generate_reports_stages(kind):
    gen = get_generator(kind)
    rec = Recorder()
    content = asyncio.run(gen.generate("", gen.make_form(), 3, rec))
    assert content.model_dump() == gen.build("", gen.make_form(), 3).model_dump()
    progress = [p for p, _, _ in rec.events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert len({s for _, s, _ in rec.events}) == len(gen.stages) + 1


def test_campaign_generate_can_be_cancelled_midway():
    gen = get_generator("campaign")
    rec = Recorder()

    async def scenario():
        task = asyncio.create_task(gen.generate("", gen.make_form({"acts": 5}), 1, rec))
        while len(rec.events) < 3:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task

    task = asyncio.run(scenario())
    assert task.cancelled()
    assert 3 <= len(rec.events) < 10
    assert all(p < 100 for p, _, _ in rec.events)


# ---------------------------------------------------------------- illustrations
@pytest.mark.parametrize("kind", ALL_TYPES)
def test_illustration_is_valid_deterministic_svg(kind):
    for seed in range(12):
        content = build(kind, SAMPLE_PROMPTS[seed % len(SAMPLE_PROMPTS)], seed)
        svg = render_illustration(content, seed)
        assert svg == render_illustration(content, seed)
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("viewBox") == "0 0 256 256"
        assert "href" not in svg and "url(http" not in svg
        assert 800 < len(svg.encode()) < 6000
    assert render_illustration(content, 1) != render_illustration(content, 2)


def test_illustration_follows_content():
    elf = build("character", "", 1, ancestry="elf", char_class="wizard")
    dwarf = build("character", "", 1, ancestry="dwarf", char_class="fighter")
    assert render_illustration(elf, 5) != render_illustration(dwarf, 5)
    sword = build("item", "", 1, kind="weapon", rarity="legendary")
    potion = build("item", "", 1, kind="potion", rarity="common")
    assert RARITY_HEX["legendary"] in render_illustration(sword, 1)
    assert RARITY_HEX["common"] in render_illustration(potion, 1)
    swamp = build("encounter", "", 1, environment="swamp")
    assert SCENES["swamp"][0] in render_illustration(swamp, 1)


def test_every_item_shape_renders():
    for base, (kind, _shape, _kw) in I.BASES.items():
        it = build("item", base, 3, kind=kind)
        assert it.base == base
        ET.fromstring(render_illustration(it, 3))


def test_illustration_rejects_foreign_content():
    class Other(Content):
        def title(self) -> str:
            return "x"

    with pytest.raises(ValueError):
        render_illustration(Other(), 1)


# ---------------------------------------------------------------- purity
def test_generators_do_not_touch_global_random_state():
    random.seed(1234)
    before = random.getstate()
    for kind in ALL_TYPES:
        c = build(kind, "", 5)
        render_illustration(c, 5)
    assert random.getstate() == before


def test_generators_package_imports_no_framework_code():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import genapp.generators;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('reflex', 'sqlmodel', 'sqlalchemy')"
        " or (m.startswith('genapp.') and not m.startswith('genapp.generators'))];"
        "print(','.join(bad))"
    )
    res = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""


# ---------------------------------------------------------------- bounds (the models are the LLM's JSON schemas)
from genapp.generators import campaign as C  # noqa: E402
from genapp.generators import npc as P  # noqa: E402
from genapp.generators import quest as Q  # noqa: E402
from genapp.generators import world as W  # noqa: E402
from genapp.generators.bounds import max_json_chars, unbounded  # noqa: E402

BOUND_PROMPTS = ("", "a nervous harbour smuggler", "rescue the mayor from cultists in the marsh",
                 "a cursed flaming mithral longsword", "a gothic horror campaign against a lich in the frozen north",
                 "save my grandmother's youngest apprentice from the ancient black dragon",
                 "escort the exiled princess and her seven loyal bodyguards across the endless desert",
                 "war: defend the great bridge of Ambersward against the hobgoblin warband",
                 "boots of speed", "a scroll of fireball", "a dwarven wand of magic missile",
                 "a legendary amulet of protection against fire", "the burgomaster of a marsh village")
CHARS_PER_TOKEN = 3  # a conservative estimate for compact JSON


def random_form(gen: Generator, rng: random.Random) -> BaseModel:
    """A form with about half its fields set to random allowed values (the rest left to the prompt)."""
    data = {}
    for name, field in gen.form_model.model_fields.items():
        if rng.random() < 0.5:
            continue
        choices = getattr(field.annotation, "__args__", None)
        if choices and all(isinstance(c, str) for c in choices):
            data[name] = rng.choice(choices)
        elif field.annotation is int:
            lo = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
            hi = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
            data[name] = rng.randint(lo, hi)
    return gen.make_form(data)


def samples(kind: ContentType, n: int, seed: int = 0):
    gen = get_generator(kind)
    rng = random.Random(seed)
    for _ in range(n):
        yield gen.build(rng.choice(BOUND_PROMPTS), random_form(gen, rng), rng.getrandbits(63))


def compact_len(content: BaseModel) -> int:
    import json

    return len(json.dumps(content.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False))


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_procedural_content_is_within_the_model_bounds(kind):
    # build() skips validation (construct), so validate what it made against the bounded model
    gen = get_generator(kind)
    for content in samples(kind, 300):
        gen.content_model.model_validate(content.model_dump())


def _schema_problems(schema: dict) -> list[str]:
    """Independent of bounds.unbounded: every string, array, integer and object in the schema, bounded or not."""
    defs = schema.get("$defs", {})
    problems: list[str] = []

    def walk(node: dict, path: str) -> None:
        if "$ref" in node:
            walk(defs[node["$ref"].split("/")[-1]], path)
            return
        if "enum" in node or "const" in node:
            return
        for branch in node.get("anyOf", []):
            walk(branch, path)
        kind = node.get("type")
        if kind == "string" and "maxLength" not in node:
            problems.append(f"{path}: string without maxLength")
        if kind == "integer" and not ("minimum" in node and "maximum" in node):
            problems.append(f"{path}: integer without minimum and maximum")
        if kind == "number":
            problems.append(f"{path}: a float (use a bounded integer)")
        if kind == "array":
            if "maxItems" not in node:
                problems.append(f"{path}: array without maxItems")
            walk(node["items"], path + "[]")
        if kind == "object":
            if node.get("additionalProperties") not in (None, False) or not node.get("properties"):
                problems.append(f"{path}: object open to extra keys")
            for key, sub in node.get("properties", {}).items():
                walk(sub, f"{path}.{key}")
        if kind is None and "anyOf" not in node:
            problems.append(f"{path}: no type")

    walk(schema, "$")
    return problems


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_every_field_of_every_content_model_is_bounded(kind):
    schema = get_generator(kind).content_model.model_json_schema()
    assert _schema_problems(schema) == []
    assert unbounded(schema) == []


def test_the_bounds_walk_catches_an_unbounded_field():
    class Loose(Content):
        name: str
        notes: list[str]
        count: int

    assert len(_schema_problems(Loose.model_json_schema())) == 4  # name, notes, notes[], count
    assert len(unbounded(Loose.model_json_schema())) == 4
    with pytest.raises(ValueError, match="unbounded"):
        max_json_chars(Loose)


def test_max_json_chars_is_exact_for_a_small_model():
    import json
    from typing import Literal

    from pydantic import Field

    class Tag(BaseModel):
        label: str = Field(max_length=5)
        on: bool

    class Small(Content):
        name: str = Field(max_length=7)
        level: int = Field(ge=-3, le=20)
        kind: Literal["a", "bcd"]
        tags: list[Tag] = Field(max_length=2)
        note: str | None = Field(None, max_length=4)

    worst = Small(name="x" * 7, level=-3, kind="bcd", tags=[Tag(label="y" * 5, on=False)] * 2, note="z" * 4)
    assert max_json_chars(Small) == len(json.dumps(worst.model_dump(), separators=(",", ":")))


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_max_json_chars_covers_procedural_content(kind):
    bound = max_json_chars(get_generator(kind).content_model)
    longest = max(compact_len(c) for c in samples(kind, 200, seed=1))
    assert longest <= bound, (kind, longest, bound)


@pytest.mark.parametrize("kind", [t for t in ALL_TYPES if t is not ContentType.CAMPAIGN])
def test_each_type_fits_a_small_context(kind):
    # the answer plus the prompt must fit a 4,096-token context
    assert max_json_chars(get_generator(kind).content_model) / CHARS_PER_TOKEN < 3000


def campaign_parts(acts: int) -> dict[str, type[BaseModel]]:
    """The models of the five calls an LLM campaign is made of (as genapp.providers.text asks for them)."""
    from pydantic import Field, create_model

    def list_of(field: str, item: type[BaseModel], n: int) -> type[BaseModel]:
        return create_model(f"Part_{field}", **{field: (list[item], Field(min_length=n, max_length=n))})

    own = {k: (C.CampaignContent.model_fields[k].annotation, C.CampaignContent.model_fields[k]) for k in ("name", "theme", "premise")}
    return {
        "world": W.WorldContent,
        "cast": list_of("npcs", P.NpcContent, acts + 1),
        "quests": list_of("quests", Q.QuestContent, acts),
        "encounters": list_of("encounters", E.EncounterContent, acts),
        "outline": create_model("Outline", **own, acts=(list[C.Act], Field(min_length=acts, max_length=acts))),
    }


@pytest.mark.parametrize("acts", [1, 3, 5])
def test_each_campaign_part_fits_a_small_context(acts):
    for part, model in campaign_parts(acts).items():
        assert max_json_chars(model) / CHARS_PER_TOKEN < 3000, (acts, part, max_json_chars(model))


def test_campaign_parts_cover_procedural_campaigns():
    parts = campaign_parts(5)
    for content in samples(ContentType.CAMPAIGN, 40, seed=2):
        n = len(content.acts)
        assert compact_len(content.world) <= max_json_chars(parts["world"])
        assert sum(compact_len(x) for x in content.npcs) + n + 10 <= max_json_chars(campaign_parts(n)["cast"])
        assert sum(compact_len(x) for x in content.quests) + n + 12 <= max_json_chars(campaign_parts(n)["quests"])
        assert sum(compact_len(x) for x in content.encounters) + n + 15 <= max_json_chars(campaign_parts(n)["encounters"])


def test_stored_content_from_before_the_bounds_still_loads():
    gen = get_generator("campaign")
    data = gen.build("", gen.make_form({"acts": 2}), 5).model_dump(mode="json")
    assert gen.load(data).model_dump(mode="json") == data  # valid content: validated
    old = data["quests"][0]
    old["objectives"] += ["A fifth objective, as long quests had before the bounds."] * 2
    old["people_involved"].append({"name": "Old Extra", "role": "informant", "note": "An informant. " * 12})
    loaded = gen.load(data)  # too many objectives and people for today's model: taken as saved
    assert len(loaded.quests[0].objectives) == len(old["objectives"])
    assert loaded.quests[0].people_involved[-1].name == "Old Extra"
    assert "Old Extra" in loaded.to_markdown()
