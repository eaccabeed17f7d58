"""Regions of a campaign world: geography, cultures, factions, history and rumours."""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import BaseModel, Field

from . import names as N
from ._text import construct, FormBase, Lazy, Matcher, a, cap, mid, pick, sample
from .base import Content, bounded_str

Climate = Literal["any", "temperate", "tropical", "arid", "arctic", "maritime", "volcanic"]
Size = Literal["any", "small", "medium", "large"]
MagicLevel = Literal["any", "low", "medium", "high"]
CLIMATES: tuple[str, ...] = ("temperate", "tropical", "arid", "arctic", "maritime", "volcanic")


class WorldForm(FormBase):
    climate: Climate = Field("any", title="Climate", description="Dominant climate, or any for random.")
    size: Size = Field("medium", title="Size", description="Size of the region: more features, cultures and factions.")
    magic_level: MagicLevel = Field("any", title="Magic level", description="How common magic is, or any.")


ClimateName = Literal["temperate", "tropical", "arid", "arctic", "maritime", "volcanic"]
SizeName = Literal["small", "medium", "large"]
MagicName = Literal["low", "medium", "high"]


class Faction(BaseModel):
    name: str = Field(min_length=1, max_length=48)
    goal: str = Field(min_length=1, max_length=80)
    leader: str = Field(min_length=1, max_length=48)


class HistoryEvent(BaseModel):
    year: int = Field(ge=-9999, le=9999)
    event: str = Field(min_length=1, max_length=120)


class WorldContent(Content):
    name: str = Field(min_length=1, max_length=48)
    climate: ClimateName
    size: SizeName
    magic_level: MagicName
    summary: str = Field(min_length=1, max_length=320, description="The region in two or three sentences.")
    capital: str = Field(min_length=1, max_length=40)
    geography: list[bounded_str(180)] = Field(min_length=1, max_length=7)
    cultures: list[bounded_str(160)] = Field(min_length=1, max_length=4)
    factions: list[Faction] = Field(min_length=1, max_length=4)
    timeline: list[HistoryEvent] = Field(min_length=1, max_length=10)
    rumours: list[bounded_str(130)] = Field(min_length=1, max_length=7)


    def to_markdown(self) -> str:
        return "\n".join([
            f"# {self.name}",
            "",
            f"*A {self.size} {self.climate} region · {self.magic_level} magic · capital: {self.capital}*",
            "",
            self.summary,
            "",
            "## Geography",
            "",
            *[f"- {g}" for g in self.geography],
            "",
            "## Cultures",
            "",
            *[f"- {c}" for c in self.cultures],
            "",
            "## Factions",
            "",
            "| Faction | Goal | Leader |",
            "|---|---|---|",
            *[f"| {f.name} | {f.goal} | {f.leader} |" for f in self.factions],
            "",
            "## Timeline",
            "",
            "| Year | Event |",
            "|---:|---|",
            *[f"| {e.year} | {e.event} |" for e in self.timeline],
            "",
            "## Rumours",
            "",
            *[f"- {r}" for r in self.rumours],
            "",
        ])


CLIMATE_MATCHER = Matcher({
    "arctic": ("arctic", "frozen", "ice", "icy", "snow*", "glacier*", "tundra*", "frost*", "winter*", "polar", "boreal"),
    "arid": ("desert*", "dune*", "sand*", "arid", "wasteland*", "dry", "badlands", "steppe*"),
    "tropical": ("tropic*", "jungle*", "rainforest*", "humid", "monsoon*", "savanna*"),
    "maritime": ("island*", "archipelago*", "sea", "seas", "ocean*", "coast*", "pirate*", "naval", "maritime", "isles"),
    "volcanic": ("volcan*", "lava", "magma", "ash", "ashen", "fire*", "molten", "smoke*"),
    "temperate": ("temperate", "forest*", "meadow*", "green", "pastoral", "river*", "farmland*", "mild", "swamp*", "marsh*",
                  "bog", "bogs", "fen", "fens", "fenland*", "moor", "moors", "woodland*", "lake*", "loch*", "rolling hills"),
})
# landscape features a prompt can name: kind (of FEATURES) -> keywords
FEATURE_MATCHER = Matcher({
    "mountains": ("mountain*", "peak", "peaks", "highland*", "alps", "alpine", "crag*", "cliff*"),
    "river": ("river*", "stream*", "delta*", "waterway*"),
    "forest": ("forest*", "wood", "woods", "woodland*", "grove*", "weald"),
    "desert": ("desert*", "dune", "dunes", "sand", "sands", "wasteland*", "salt flat*"),
    "lake": ("lake*", "loch*", "lochs", "mere", "meres", "inland sea*"),
    "marsh": ("swamp*", "marsh*", "bog", "bogs", "boggy", "fen", "fens", "fenland*", "mire*", "wetland*", "bayou*",
              "mangrove*"),
    "coast": ("coast*", "island*", "isle", "isles", "archipelago*", "sea", "seas", "shore*", "ocean*",
              "harbour*", "harbor*", "port", "ports", "bay", "bays"),
    "plains": ("plain", "plains", "steppe*", "grassland*", "prairie*", "savanna*", "downs", "farmland*", "moor", "moors"),
    "volcano": ("volcan*", "lava", "magma", "caldera*", "ash wastes", "smoking mountain*"),
    "ice": ("ice", "icy", "glacier*", "tundra*", "frozen", "snowfield*", "ice sheet*", "permafrost"),
    "jungle": ("jungle*", "rainforest*", "rain forest*", "tropical forest*"),
    "canyon": ("canyon*", "gorge*", "badlands", "mesa*", "ravine*"),
})
SIZE_MATCHER = Matcher({
    "large": ("continent*", "vast", "huge", "large", "sprawling", "empire*", "realms"),
    "small": ("small", "tiny", "valley", "village*", "island", "barony", "county", "shire"),
})
MAGIC_MATCHER = Matcher({
    "low": ("low magic", "no magic", "gritty", "mundane", "rare magic", "magic is rare", "realistic", "grim*"),
    "high": ("high magic", "magical", "arcane", "wizard*", "sorcer*", "floating", "enchanted", "spell*", "mage*"),
})
THEME_MATCHER = Matcher({
    "war": ("war", "wars", "warring", "civil war*", "battle*", "conquest", "invasion*", "army", "armies", "siege*", "conflict*"),
    "plague": ("plague*", "disease*", "pestilence", "sickness", "blight*", "epidemic*", "pandemic*", "famine*"),
    "dragons": ("dragon", "dragons", "dragon's", "wyrm*", "drake*", "dragonlord*"),
    "undead": ("undead", "necro*", "lich*", "vampir*", "ghost*", "haunted", "zombie*", "skeleton*", "ghoul*", "the dead"),
    "empire": ("empire*", "imperial", "emperor*", "empress*", "tyrant*", "tyranny"),
    "pirates": ("pirate*", "corsair*", "smuggl*", "buccaneer*", "privateer*"),
    "gods": ("god", "gods", "divine", "religio*", "faith*", "temple*", "church*", "deity", "deities", "pantheon*", "theocra*"),
    "fey": ("fey", "fairy", "faerie*", "feywild", "elf*", "elves", "pixie*", "seelie", "unseelie"),
    "demons": ("demon*", "devil*", "fiend*", "infernal", "hell", "hells", "hellish", "abyss*"),
    "giants": ("giant", "giants", "titan*", "ogre*", "troll*"),
    "cults": ("cult", "cults", "cultist*", "doomsday*", "dark god*", "elder god*", "eldritch"),
    "orcs": ("orc", "orcs", "orcish", "horde*", "goblin*", "hobgoblin*", "warband*"),
})

# feature kind -> (name templates, descriptions); climate -> weighted kinds
FEATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mountains": (("the {syl} Mountains", "the {adj} Spine", "the {adj} Teeth", "the {syl} Peaks"),
                  ("a jagged range where the passes close for half the year", "peaks riddled with abandoned dwarven mines",
                   "mountains whose summits are crowned with ancient watchtowers", "a wall of stone that divides two hostile peoples")),
    "river": (("the River {syl}", "the {adj} Water", "the {syl} Run"),
              ("a slow, wide river crowded with barges and toll-forts", "a swift river said to carry away lies spoken on its banks",
               "a river that runs red every spring for reasons no one agrees on", "the lifeblood of the region, lined with mills and ferries")),
    "forest": (("the {adj}wood", "the {syl} Forest", "the {adj} Weald"),
               ("an old forest where the trees remember the first kings", "woods so dense that noon looks like dusk",
                "a forest claimed by the fey, where roads move in the night", "a royal hunting forest closed to commoners on pain of death")),
    "desert": (("the {adj} Waste", "the Sea of {noun}", "the {syl} Sands"),
               ("a sea of red dunes hiding the bones of an older empire", "salt flats that blind travellers by day and freeze them by night",
                "a desert crossed only by the caravan clans and their secret wells", "a glass-strewn waste where a war of wizards was fought")),
    "lake": (("Lake {syl}", "the {adj} Mere", "the {syl} Lochs"),
             ("a deep, cold lake with a drowned city at its bottom", "a chain of lakes joined by canals and floating markets",
              "a mirror-still lake where the reflections do not always match")),
    "marsh": (("the {syl} Fens", "the {adj} Mire", "the {syl} Marshes"),
              ("fog-bound marshes where the dead do not stay buried", "a maze of reeds and channels ruled by lizardfolk tribes",
               "wetlands full of rare herbs and rarer dangers")),
    "coast": (("the {adj} Coast", "the {syl} Isles", "the {adj} Shoals"),
              ("a coast of white cliffs and smugglers' coves", "a scatter of islands ruled by pirate captains",
               "treacherous shoals littered with the wrecks of treasure ships", "a storm-lashed shore of lighthouses and wreckers")),
    "plains": (("the {syl} Plains", "the {adj} Downs", "the {syl} Steppe"),
               ("rolling grassland where horse-lords follow the herds", "farmland dotted with barrows older than any kingdom",
                "a windswept plain where great battles are fought every generation")),
    "volcano": (("Mount {syl}", "the Burning {noun}", "the {adj} Caldera"),
                ("a smoking volcano worshipped as a sleeping god", "black lava fields where fire elementals roam",
                 "a caldera lake that boils on the longest day of the year")),
    "ice": (("the {adj} Ice", "the {syl} Glacier", "the {adj} Tundra"),
            ("an endless glacier with something vast frozen inside", "a tundra crossed by mammoth herds and the tribes that follow them",
             "ice fields split by crevasses that sing in the wind")),
    "jungle": (("the {syl} Jungle", "the {adj} Canopy", "the {syl} Deeps"),
               ("a steaming jungle hiding step-pyramids of a vanished people", "a canopy so high that whole villages live in the branches",
                "a jungle where the rivers are full of teeth")),
    "canyon": (("the {adj} Gorge", "the {syl} Canyons", "the {adj} Scar"),
               ("a canyon maze where outlaws vanish without a trace", "a gorge spanned by a single giant-built bridge")),
}
# the climate a named landscape suggests when the prompt names no climate
FEATURE_CLIMATE = {"desert": "arid", "ice": "arctic", "jungle": "tropical", "volcano": "volcanic", "coast": "maritime",
                   "canyon": "arid", "marsh": "temperate", "forest": "temperate", "river": "temperate", "lake": "temperate",
                   "plains": "temperate"}
CLIMATE_FEATURES = {
    "temperate": ("forest", "river", "plains", "mountains", "lake", "marsh", "coast", "canyon"),
    "tropical": ("jungle", "river", "coast", "marsh", "volcano", "lake", "mountains"),
    "arid": ("desert", "canyon", "mountains", "river", "plains", "lake"),
    "arctic": ("ice", "mountains", "coast", "forest", "lake", "plains"),
    "maritime": ("coast", "coast", "river", "forest", "mountains", "marsh", "lake"),
    "volcanic": ("volcano", "mountains", "canyon", "coast", "jungle", "desert"),
}
ADJ = ("Grey", "Black", "Silver", "Sundered", "Whispering", "Broken", "Crimson", "Howling", "Amber", "Shrouded", "Iron",
       "Gloaming", "Bright", "Sorrow", "Thorn", "Dragon's", "Elder", "Drowned", "Golden", "Pale")
NOUNS = ("Glass", "Ash", "Sorrows", "Bones", "Salt", "Whispers", "Teeth", "Embers", "Stars", "Kings")
MAGIC_EXTRA = {
    "high": (" Floating stones drift above it.", " Wild magic crackles along it during storms.", " Mage-towers watch over it.",
             " Ley lines cross here, humming audibly at night."),
    "medium": ("", "", " Old enchantments still linger there.", " Hedge witches sell charms to travellers there."),
    "low": ("", "", " Folk there distrust anything that smells of sorcery.", " Magic there is a rumour, and a dangerous one."),
}
PEOPLE_SUFFIX = ("i", "ans", "ari", "ese", "ites", "folk", "en", "ar")
LIFESTYLES = {
    "temperate": ("farming villages", "walled city-states", "river traders", "forest clans", "a feudal kingdom", "a merchant republic"),
    "tropical": ("canopy villages", "river-boat clans", "temple cities", "pearl-diving islanders", "a priest-kingdom"),
    "arid": ("caravan clans", "oasis city-states", "desert nomads", "salt miners", "a sun-worshipping theocracy"),
    "arctic": ("reindeer herders", "longhouse clans", "ice fishers", "mountain holds", "a warrior jarldom"),
    "maritime": ("island thalassocracies", "fisherfolk", "pirate confederacies", "harbour guilds", "sea-nomads"),
    "volcanic": ("forge-clans", "obsidian traders", "fire cultists", "terrace farmers", "a smith-king's domain"),
}
CUSTOMS = ("who bury their dead in the sky", "who settle debts with song duels", "who tattoo their family history on their skin",
           "who revere the moon as a sleeping goddess", "who forbid iron within their walls", "who never speak their true names to outsiders",
           "who choose their rulers by lottery", "who keep ancestor-skulls in the hearth", "who treat guests as sacred for three days",
           "who fear the colour green", "who brew a hundred kinds of ale and trust none of them", "who read the future in bird flight",
           "who trade in secrets rather than coin", "who crown a fool king every midwinter", "who ride giant lizards to war",
           "who hold that writing steals the soul")
ANCESTRY_PLURAL = {"human": "humans", "elf": "elves", "dwarf": "dwarves", "halfling": "halflings", "gnome": "gnomes",
                   "half-orc": "half-orcs", "tiefling": "tieflings", "dragonborn": "dragonborn"}
FACTION_ADJ = ("Crimson", "Silver", "Hidden", "Iron", "Golden", "Ashen", "Veiled", "Emerald", "Black", "Sunlit", "Broken", "Twelfth",
               "Last", "Azure", "Thorned", "Howling")
FACTION_NOUN = ("Order", "Hand", "Circle", "Company", "Covenant", "League", "Brotherhood", "Court", "Syndicate", "Lanterns",
                "Council", "Wardens", "Chain", "Crown", "Compact", "Sisterhood")
FACTION_GOALS = ("Restore the old monarchy by any means", "Control every river toll in the region", "Purge all arcane magic",
                 "Free the bound spirits of the land", "Open a gate that should stay shut", "Corner the market on dragonbone",
                 "Protect the common folk from their lords", "Find the lost heir before their rivals do", "Overthrow the ruling council",
                 "Recover the relics of a dead god", "Keep the old forests out of human hands", "Bring the region under imperial law",
                 "Hoard forbidden knowledge", "Unite the feuding clans under one banner", "Profit from the coming war")
LEADER_TITLES = ("Grandmaster", "Lady", "Lord", "Captain", "High Priestess", "the Archmage", "Warden", "Chancellor", "Queen",
                 "Guildmaster", "Elder", "Mother Superior", "the Masked", "Commander", "Prince")
EVENTS = ("The first settlers arrive at {feature}, led by {person}.", "{person} founds {capital} on the ruins of an older city.",
          "A comet falls near {feature}, and strange beasts appear in its wake.", "The {faction} is founded in secret.",
          "War breaks out between {culture} and their neighbours; it lasts {n} years.", "The Red Plague halves the population of {capital}.",
          "{person} is crowned in {capital}.", "A great flood reshapes {feature}.", "The last dragon of {feature} is slain by {person}.",
          "A peace treaty is signed at {feature}, and broken within a generation.", "{culture} rise in rebellion and win their freedom.",
          "The Silver Road is opened, bringing trade and trouble.", "An earthquake opens a chasm beneath {feature}.",
          "The {faction} seizes control of {capital} for a single bloody summer.", "{person} vanishes into {feature} and is never seen again.")
MAGIC_EVENTS = {
    "high": ("The mage-kings raise their floating citadel above {capital}.", "A spell of binding goes wrong and {feature} is sealed in crystal."),
    "medium": ("The Academy of {capital} opens its doors to commoners.", "A wizard's duel levels half of {feature}."),
    "low": ("The Sundering: magic fails across the land for a generation.", "The last court wizard of {capital} is burned as a witch."),
}
THEME_BITS = {
    "war": ("The border war with a neighbouring kingdom enters its {nth} year.", "the Iron Company",
            "Recruiters are pressing farmboys into the army at spear-point in {capital}."),
    "plague": ("A wasting plague spreads from {feature}; the healers are helpless.", "the Plague Doctors",
               "The plague did not start by accident, and someone in {capital} knows it."),
    "dragons": ("A great wyrm wakes beneath {feature} and demands tribute.", "the Dragon Cult",
                "Dragon eggs have been sold in the night market of {capital}."),
    "undead": ("The dead rise from the barrows around {feature}.", "the Pale Court",
               "Graves around {capital} are being emptied from below."),
    "empire": ("The Empire annexes the region, installing a governor in {capital}.", "the Imperial Inquisition",
               "The Emperor is dead, and the court is hiding it."),
    "pirates": ("The pirate fleets unite under a single admiral.", "the Brethren of the Coast",
                "A pirate captain has been buying maps of {feature}."),
    "gods": ("A god speaks aloud in the temple of {capital} for the first time in a thousand years.", "the Church of the Dawn",
             "The high priest of {capital} has lost his faith, and his miracles still work."),
    "fey": ("The fey courts reclaim {feature}, and the roads there now loop back on themselves.", "the Court of Thorns",
            "Children from {capital} keep wandering toward {feature} in their sleep."),
    "demons": ("A rift to the Hells tears open beneath {feature}.", "the Infernal Compact",
               "Someone in {capital} is trading in souls, and business is good."),
    "giants": ("The giants come down from {feature} for the first time in an age.", "the Stone Thanes",
               "A giant's footprint, half a mile long, was found near {feature}."),
    "cults": ("A cult of the Drowned God spreads through the villages near {feature}.", "the Cult of the Drowned God",
              "The cult in {capital} has friends inside the palace."),
    "orcs": ("An orc horde gathers beyond {feature}, larger than any in living memory.", "the Red Horde",
             "The warchief of the Red Horde has sent an envoy to {capital}, and no one knows why."),
}
RUMOURS = ("They say {feature} hides the tomb of a forgotten king, and the door has started to open.",
           "An agent of the {faction} was seen in {capital}, buying up old maps and silence.",
           "The ruler of {capital} has not been seen in public for forty days.",
           "Wolves as big as horses have been spotted near {feature}.",
           "A merchant from {culture} lands pays triple for anything made of starmetal.",
           "Someone is poisoning the wells between {capital} and {feature}.",
           "The lights seen over {feature} at night are not stars.",
           "An heir to the old throne lives in {capital} under a false name.",
           "The {faction} and the {faction2} are secretly working together.",
           "A ship with no crew drifted into harbour last week, its hold full of gold.",
           "The bells of {capital} rang thirteen times at midnight.",
           "Anyone who sleeps at {feature} wakes up speaking a dead language.")
SUMMARY = ("{name} is {a_size_adj} {climate} land of {f1} and {f2}, ruled from {capital}. {magic_line}",
           "From {capital}, the rulers of {name_mid} claim {f1} and {f2}, though few out there obey them. {magic_line}",
           "{name} stretches from {f1} to {f2}; its heart is {capital}, a city of {city_trait}. {magic_line}")
CITY_TRAITS = ("bells and gossip", "towers and debts", "canals and smugglers", "temples and beggars", "walls and old grudges",
               "markets and spies", "bridges and ghosts")
MAGIC_LINES = {"low": ("Magic here is rare, feared and usually fatal.", "Few have seen a true spell cast, and fewer trust those who can."),
               "medium": ("Magic is known and respected, if not trusted.", "Hedge mages and temple priests work small wonders for a price."),
               "high": ("Magic is everywhere: lamps burn without oil and towers float above the rooftops.",
                        "Wizards sit on the ruling council and spells are traded like grain.")}
SIZE_ADJ = {"small": "small", "medium": "proud", "large": "vast"}
SIZE_COUNTS = {"small": (3, 2, 2, 4, 3), "medium": (5, 3, 3, 5, 4), "large": (7, 4, 4, 7, 5)}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    """(climate, size, magic level, themes, landscape features) the prompt names."""
    return (CLIMATE_MATCHER.first(prompt), SIZE_MATCHER.first(prompt), MAGIC_MATCHER.first(prompt),
            THEME_MATCHER.all(prompt), FEATURE_MATCHER.all(prompt))


def build(prompt: str, form: WorldForm, seed: int) -> WorldContent:
    return build_with(Random(seed), prompt, form)


def build_with(rng: Random, prompt: str, form: WorldForm) -> WorldContent:
    """build() drawing on a given random stream (a campaign shares its own with its parts)."""
    r = rng.random
    p_climate, p_size, p_magic, p_themes, p_features = parse_prompt(prompt or "")
    if form.climate != "any":
        climate = form.climate
    else:
        climate = p_climate or next((FEATURE_CLIMATE[f] for f in p_features if f in FEATURE_CLIMATE), None) \
            or pick(rng, CLIMATES)
    size = form.size if form.size != "any" else (p_size or pick(rng, ("small", "medium", "large")))
    magic = form.magic_level if form.magic_level != "any" else (p_magic or pick(rng, ("low", "medium", "medium", "high")))
    n_feat, n_cult, n_fac, n_events, n_rum = SIZE_COUNTS[size]

    name = N.region_name(rng)
    capital = N.settlement_name(rng) if r() < 0.6 else N.syllabic_name(rng)
    kinds = CLIMATE_FEATURES[climate]
    geography: list[str] = []
    feature_names: list[str] = []
    used: list[str] = []
    for i in range(n_feat):
        # the landscapes the prompt names come first, then the climate's own
        kind = p_features[i] if i < len(p_features) else kinds[i] if i < 2 else pick(rng, kinds)
        templates, descs = FEATURES[kind]
        fname = pick(rng, templates).format(syl=N.syllabic_name(rng), adj=pick(rng, ADJ), noun=pick(rng, NOUNS))
        if fname in feature_names:
            fname = f"{fname} of {N.syllabic_name(rng)}"
        feature_names.append(fname)
        desc = pick(rng, descs)
        if desc in used:
            desc = descs[(descs.index(desc) + 1) % len(descs)]
        used.append(desc)
        extra = pick(rng, MAGIC_EXTRA[magic]) if r() < 0.4 else ""
        if extra in used:
            extra = ""
        used.append(extra)
        geography.append(f"**{cap(fname)}**: {desc}.{extra}")

    lifestyles = LIFESTYLES[climate]
    cultures: list[str] = []
    culture_names: list[str] = []
    for _ in range(n_cult):
        stem = N.syllabic_name(rng)
        suffix = pick(rng, PEOPLE_SUFFIX)
        people = f"{stem} {suffix.capitalize()}" if suffix == "folk" else stem.rstrip("aeiouy") + suffix
        culture_names.append(f"the {people}")
        anc = ANCESTRY_PLURAL[pick(rng, N.ANCESTRIES)]
        cultures.append(f"**The {people}**: {pick(rng, lifestyles)} of {anc} and others, {pick(rng, CUSTOMS)}.")

    factions: list[Faction] = []
    for _ in range(n_fac):
        fname = f"The {pick(rng, FACTION_ADJ)} {pick(rng, FACTION_NOUN)}"
        if any(f.name == fname for f in factions):
            fname = f"{fname} of {capital}"
        leader = f"{pick(rng, LEADER_TITLES)} {N.person_name(rng, pick(rng, N.ANCESTRIES))}"
        factions.append(construct(Faction, name=fname, goal=pick(rng, FACTION_GOALS), leader=leader))
    for i, t in enumerate(p_themes[:2]):
        event, fac_name, _ = THEME_BITS[t]
        factions[i] = construct(Faction,
            name=f"The {fac_name.split(' ', 1)[1]}" if fac_name.startswith("the ") else fac_name,
            goal=pick(rng, FACTION_GOALS), leader=f"{pick(rng, LEADER_TITLES)} {N.person_name(rng, pick(rng, N.ANCESTRIES))}")

    ctx = Lazy({
        "feature": lambda: pick(rng, feature_names), "culture": lambda: pick(rng, culture_names),
        "culture_bare": lambda: pick(rng, culture_names)[4:],
        "person": lambda: N.person_name(rng, pick(rng, N.ANCESTRIES)), "n": lambda: 3 + int(r() * 60), "nth": lambda: _ordinal(4 + int(r() * 40)),
        "faction": lambda: factions[0].name.replace("The ", "", 1),
        "faction2": lambda: factions[-1].name.replace("The ", "", 1),
    }, capital=capital)

    def fill(template: str) -> str:
        text = template.format_map(ctx)
        for k in ("feature", "culture", "culture_bare", "person"):  # fresh picks for the next template
            ctx.pop(k, None)
        return text

    year = -int(r() * 1500) - 300
    present = 900 + int(r() * 700)
    step = (present - year) // (n_events + 1)
    timeline: list[HistoryEvent] = []
    event_pool = sample(rng, EVENTS, n_events)
    if r() < 0.7:
        event_pool[int(r() * (n_events - 1)) + 1] = pick(rng, MAGIC_EVENTS[magic])
    for ev in event_pool:
        year += step // 2 + int(r() * step)
        timeline.append(construct(HistoryEvent, year=year, event=cap(fill(ev))))
    for t in p_themes[:2]:
        year += 1 + int(r() * 20)
        timeline.append(construct(HistoryEvent, year=year, event=fill(THEME_BITS[t][0])))
    timeline.append(construct(HistoryEvent, year=max(present, year + 1), event=pick(rng, (
        "Today: an uneasy peace holds, but everyone is sharpening their knives.",
        "Today: the harvest has failed, and the people are hungry and angry.",
        "Today: strangers arrive every week, each claiming to be the rightful heir.",
        "Today: the old prophecies are coming true, one by one.",
        f"Today: all eyes are on {factions[0].name[0].lower()}{factions[0].name[1:]}."))))

    rumours = [fill(ru.replace("{culture} lands", "{culture_bare} lands")) for ru in sample(rng, RUMOURS, n_rum)]
    for t in p_themes[:2]:
        rumours.insert(0, fill(THEME_BITS[t][2]))

    summary = pick(rng, SUMMARY).format(
        name=name, name_mid=mid(name), a_size_adj=a(SIZE_ADJ[size]), climate=climate, f1=feature_names[0], f2=feature_names[1],
        capital=capital, city_trait=pick(rng, CITY_TRAITS), magic_line=pick(rng, MAGIC_LINES[magic]))
    return construct(WorldContent,
        name=name, climate=climate, size=size, magic_level=magic, summary=cap(summary), capital=capital,
        geography=geography, cultures=cultures, factions=factions, timeline=timeline, rumours=rumours,
    )


assert set(ClimateName.__args__) == set(CLIMATES) == set(CLIMATE_FEATURES) == set(LIFESTYLES)
assert set(THEME_BITS) == set(THEME_MATCHER._values)
