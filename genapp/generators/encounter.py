"""Combat encounters balanced with a 5e-style XP budget."""

from __future__ import annotations

import re
from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import BaseModel, Field

from . import names as N
from ._text import construct, FormBase, Matcher, a, cap, pick, sample, titlecase
from .base import Content, bounded_str

Environment = Literal["any", "forest", "swamp", "mountain", "desert", "arctic", "coast", "underdark", "dungeon",
                      "urban", "grassland", "ruins"]
Difficulty = Literal["any", "easy", "medium", "hard", "deadly"]
ENVIRONMENTS: tuple[str, ...] = ("forest", "swamp", "mountain", "desert", "arctic", "coast", "underdark", "dungeon",
                                 "urban", "grassland", "ruins")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard", "deadly")


class EncounterForm(FormBase):
    party_level: int = Field(1, ge=1, le=20, title="Party level", description="Average character level, 1 to 20.")
    party_size: int = Field(4, ge=1, le=8, title="Party size", description="Number of player characters, 1 to 8.")
    difficulty: Difficulty = Field("any", title="Difficulty", description="Target difficulty (XP budget), or any.")
    environment: Environment = Field("any", title="Environment", description="Where the fight happens, or any.")


EnvironmentName = Literal["forest", "swamp", "mountain", "desert", "arctic", "coast", "underdark", "dungeon", "urban",
                          "grassland", "ruins"]
DifficultyName = Literal["easy", "medium", "hard", "deadly"]
SetupName = Literal["ambush", "patrol", "lair", "ritual", "camp", "guardians", "hunt", "siege"]
ChallengeRating = Literal["0", "1/8", "1/4", "1/2", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
                          "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24"]


class Creature(BaseModel):
    name: str = Field(min_length=1, max_length=32)
    count: int = Field(ge=1, le=12)
    challenge: ChallengeRating
    xp: int = Field(ge=0, le=62_000, description="XP of one such creature.")
    notes: str = Field(min_length=1, max_length=64)


class EncounterContent(Content):
    name: str = Field(min_length=1, max_length=64)
    environment: EnvironmentName
    difficulty: DifficultyName
    party_level: int = Field(ge=1, le=20)
    party_size: int = Field(ge=1, le=8)
    setup: SetupName
    read_aloud: str = Field(min_length=1, max_length=160, description="What the players see and hear, one or two sentences.")
    creatures: list[Creature] = Field(min_length=1, max_length=3)
    xp_budget: int = Field(ge=0, le=200_000)
    adjusted_xp: int = Field(ge=0, le=999_999)
    tactics: str = Field(min_length=1, max_length=360, description="How the creatures fight, in a short paragraph.")
    terrain: list[bounded_str(72)] = Field(min_length=1, max_length=3)
    treasure: list[bounded_str(72)] = Field(min_length=1, max_length=3)


    def to_markdown(self) -> str:
        rows = [f"| {c.name} | {c.count} | {c.challenge} | {c.xp * c.count:,} | {c.notes} |" for c in self.creatures]
        return "\n".join([
            f"# {self.name}",
            "",
            f"*{self.difficulty.capitalize()} {self.setup} encounter · {self.environment} · "
            f"{self.party_size} characters of level {self.party_level}*",
            "",
            f"> {self.read_aloud}",
            "",
            "## Creatures",
            "",
            "| Creature | Count | CR | XP | Notes |",
            "|---|:---:|:---:|---:|---|",
            *rows,
            "",
            f"**XP budget** {self.xp_budget:,} · **Adjusted XP** {self.adjusted_xp:,}",
            "",
            "## Tactics",
            "",
            self.tactics,
            "",
            "## Terrain",
            "",
            *[f"- {t}" for t in self.terrain],
            "",
            "## Treasure",
            "",
            *[f"- {t}" for t in self.treasure],
            "",
        ])


CR_XP = {"0": 10, "1/8": 25, "1/4": 50, "1/2": 100, "1": 200, "2": 450, "3": 700, "4": 1100, "5": 1800, "6": 2300,
         "7": 2900, "8": 3900, "9": 5000, "10": 5900, "11": 7200, "12": 8400, "13": 10000, "14": 11500, "15": 13000,
         "16": 15000, "17": 18000, "18": 20000, "19": 22000, "20": 25000, "21": 33000, "22": 41000, "23": 50000,
         "24": 62000}
# per character level: easy, medium, hard, deadly
THRESHOLDS = (
    (25, 50, 75, 100), (50, 100, 150, 200), (75, 150, 225, 400), (125, 250, 375, 500), (250, 500, 750, 1100),
    (300, 600, 900, 1400), (350, 750, 1100, 1700), (450, 900, 1400, 2100), (550, 1100, 1600, 2400),
    (600, 1200, 1900, 2800), (800, 1600, 2400, 3600), (1000, 2000, 3000, 4500), (1100, 2200, 3400, 5100),
    (1250, 2500, 3800, 5700), (1400, 2800, 4300, 6400), (1600, 3200, 4800, 7200), (2000, 3900, 5900, 8800),
    (2100, 4200, 6300, 9500), (2400, 4900, 7300, 10900), (2800, 5700, 8500, 12700),
)
MULTIPLIERS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)


def _mult_index(n: int) -> int:
    return 1 if n <= 1 else 2 if n == 2 else 3 if n <= 6 else 4 if n <= 10 else 5 if n <= 14 else 6


def multiplier(n_monsters: int, party_size: int) -> float:
    i = _mult_index(n_monsters)
    if party_size < 3:
        i += 1
    elif party_size >= 6:
        i -= 1
    return MULTIPLIERS[max(0, min(i, len(MULTIPLIERS) - 1))]


class Monster:
    __slots__ = ("name", "cr", "xp", "envs", "tags", "plural")

    def __init__(self, name: str, cr: str, envs: str, tags: str, plural: str | None = None):
        self.name, self.cr, self.xp = name, cr, CR_XP[cr]
        self.envs = tuple(envs.split())
        self.tags = tuple(tags.split())
        self.plural = plural or _plural(name)


def _plural(name: str) -> str:
    if name.startswith("Swarm of"):
        return "Swarms" + name[5:]
    head, _, last = name.rpartition(" ")
    low = last.lower()
    if low.endswith(("folk", "kin", "spawn", "drow", "sahuagin", "duergar")) or low in ("drow", "sahuagin"):
        p = last
    elif low.endswith("wolf"):
        p = last[:-1] + "ves"
    elif low.endswith("man"):
        p = last[:-2] + "en"
    elif low.endswith("y") and low[-2:-1] not in "aeiou":
        p = last[:-1] + "ies"
    elif low.endswith(("s", "x", "ch", "sh")):
        p = last + "es"
    else:
        p = last + "s"
    return f"{head} {p}" if head else p


_M = Monster
MONSTERS: tuple[Monster, ...] = (
    _M("Giant Rat", "1/8", "dungeon urban underdark", "beast"),
    _M("Kobold", "1/8", "mountain dungeon underdark", "humanoid"),
    _M("Bandit", "1/8", "urban grassland forest coast desert", "humanoid bandit"),
    _M("Cultist", "1/8", "urban dungeon ruins", "humanoid cult"),
    _M("Stirge", "1/8", "swamp forest dungeon underdark", "beast"),
    _M("Merfolk Raider", "1/8", "coast", "humanoid"),
    _M("Twig Blight", "1/8", "forest swamp", "plant"),
    _M("Giant Crab", "1/8", "coast", "beast"),
    _M("Guard", "1/8", "urban", "humanoid"),
    _M("Blood Hawk", "1/8", "mountain grassland coast", "beast"),
    _M("Goblin", "1/4", "forest mountain dungeon grassland underdark", "humanoid goblinoid"),
    _M("Skeleton", "1/4", "dungeon ruins swamp desert", "undead"),
    _M("Zombie", "1/4", "swamp dungeon ruins urban", "undead"),
    _M("Wolf", "1/4", "forest grassland arctic mountain", "beast"),
    _M("Swarm of Bats", "1/4", "underdark dungeon ruins", "beast"),
    _M("Drow Scout", "1/4", "underdark", "humanoid elf"),
    _M("Giant Lizard", "1/4", "desert swamp underdark", "beast"),
    _M("Axe Beak", "1/4", "grassland desert", "beast"),
    _M("Swarm of Rats", "1/4", "urban dungeon", "beast"),
    _M("Pteranodon", "1/4", "coast mountain", "beast"),
    _M("Mud Mephit", "1/4", "swamp", "elemental"),
    _M("Hobgoblin", "1/2", "forest grassland mountain dungeon", "humanoid goblinoid"),
    _M("Orc", "1/2", "forest mountain grassland arctic dungeon", "humanoid orc"),
    _M("Scout", "1/2", "forest grassland mountain", "humanoid bandit"),
    _M("Gnoll", "1/2", "grassland desert forest", "humanoid"),
    _M("Lizardfolk", "1/2", "swamp coast", "humanoid"),
    _M("Sahuagin", "1/2", "coast", "humanoid"),
    _M("Shadow", "1/2", "ruins dungeon urban underdark", "undead"),
    _M("Thug", "1/2", "urban", "humanoid bandit"),
    _M("Crocodile", "1/2", "swamp", "beast"),
    _M("Worg", "1/2", "forest grassland arctic", "monstrosity"),
    _M("Satyr", "1/2", "forest", "fey"),
    _M("Gray Ooze", "1/2", "dungeon underdark", "ooze"),
    _M("Ice Mephit", "1/2", "arctic", "elemental"),
    _M("Dust Mephit", "1/2", "desert", "elemental"),
    _M("Black Bear", "1/2", "forest mountain", "beast"),
    _M("Bugbear", "1", "forest dungeon mountain", "humanoid goblinoid"),
    _M("Ghoul", "1", "ruins dungeon swamp urban", "undead"),
    _M("Dire Wolf", "1", "forest arctic mountain grassland", "beast"),
    _M("Giant Spider", "1", "forest underdark dungeon", "beast"),
    _M("Harpy", "1", "coast mountain", "monstrosity"),
    _M("Brown Bear", "1", "forest arctic mountain", "beast"),
    _M("Specter", "1", "ruins dungeon", "undead"),
    _M("Dryad", "1", "forest", "fey"),
    _M("Duergar", "1", "underdark", "humanoid"),
    _M("Animated Armour", "1", "dungeon ruins", "construct"),
    _M("Giant Hyena", "1", "grassland desert", "beast"),
    _M("Death Dog", "1", "desert", "monstrosity"),
    _M("Giant Eagle", "1", "mountain", "beast"),
    _M("Spy", "1", "urban", "humanoid"),
    _M("Giant Octopus", "1", "coast", "beast"),
    _M("Giant Vulture", "1", "desert grassland", "beast"),
    _M("Ogre", "2", "forest grassland mountain swamp arctic", "giant"),
    _M("Gargoyle", "2", "ruins urban mountain", "elemental"),
    _M("Ghast", "2", "swamp dungeon ruins", "undead"),
    _M("Gibbering Mouther", "2", "underdark dungeon", "aberration"),
    _M("Will-o'-Wisp", "2", "swamp ruins forest", "undead"),
    _M("Ankheg", "2", "grassland forest", "monstrosity"),
    _M("Bandit Captain", "2", "urban coast forest grassland", "humanoid bandit"),
    _M("Cult Fanatic", "2", "urban dungeon ruins", "humanoid cult"),
    _M("Griffon", "2", "mountain grassland", "monstrosity"),
    _M("Gnoll Pack Lord", "2", "grassland desert", "humanoid"),
    _M("Mimic", "2", "dungeon urban ruins", "monstrosity"),
    _M("Polar Bear", "2", "arctic", "beast"),
    _M("Saber-Toothed Tiger", "2", "arctic mountain", "beast"),
    _M("Sea Hag", "2", "coast swamp", "fey hag"),
    _M("Merrow", "2", "coast", "monstrosity"),
    _M("Ochre Jelly", "2", "underdark dungeon", "ooze"),
    _M("Centaur", "2", "grassland forest", "monstrosity"),
    _M("Wererat", "2", "urban dungeon", "humanoid lycanthrope"),
    _M("Nothic", "2", "underdark dungeon ruins", "aberration"),
    _M("Intellect Devourer", "2", "underdark", "aberration"),
    _M("Owlbear", "3", "forest mountain", "monstrosity"),
    _M("Wight", "3", "ruins dungeon swamp arctic", "undead"),
    _M("Hell Hound", "3", "ruins mountain underdark", "fiend"),
    _M("Green Hag", "3", "forest swamp", "fey hag"),
    _M("Werewolf", "3", "forest grassland urban", "humanoid lycanthrope"),
    _M("Minotaur", "3", "dungeon underdark ruins", "monstrosity"),
    _M("Basilisk", "3", "mountain desert underdark", "monstrosity"),
    _M("Knight", "3", "urban grassland", "humanoid"),
    _M("Veteran", "3", "urban grassland coast", "humanoid bandit"),
    _M("Manticore", "3", "mountain grassland desert coast", "monstrosity"),
    _M("Hook Horror", "3", "underdark", "monstrosity"),
    _M("Yeti", "3", "arctic mountain", "monstrosity"),
    _M("Mummy", "3", "desert ruins dungeon", "undead"),
    _M("Displacer Beast", "3", "forest", "monstrosity"),
    _M("Phase Spider", "3", "forest underdark", "monstrosity"),
    _M("Winter Wolf", "3", "arctic", "monstrosity"),
    _M("Giant Scorpion", "3", "desert", "beast"),
    _M("Doppelganger", "3", "urban", "monstrosity"),
    _M("Ghost", "4", "ruins urban dungeon", "undead"),
    _M("Banshee", "4", "forest ruins swamp", "undead"),
    _M("Flameskull", "4", "dungeon ruins", "undead"),
    _M("Black Pudding", "4", "underdark dungeon", "ooze"),
    _M("Ettin", "4", "mountain underdark grassland", "giant"),
    _M("Lamia", "4", "desert ruins", "monstrosity"),
    _M("Chuul", "4", "swamp coast underdark", "aberration"),
    _M("Succubus", "4", "urban ruins", "fiend"),
    _M("Troll", "5", "forest swamp mountain arctic underdark", "giant"),
    _M("Bulette", "5", "grassland mountain desert", "monstrosity"),
    _M("Hill Giant", "5", "grassland forest mountain", "giant"),
    _M("Wraith", "5", "ruins dungeon swamp underdark", "undead"),
    _M("Shambling Mound", "5", "swamp forest", "plant"),
    _M("Earth Elemental", "5", "underdark mountain", "elemental"),
    _M("Fire Elemental", "5", "desert mountain", "elemental"),
    _M("Water Elemental", "5", "coast swamp", "elemental"),
    _M("Air Elemental", "5", "mountain desert coast", "elemental"),
    _M("Salamander", "5", "desert underdark", "elemental"),
    _M("Vampire Spawn", "5", "urban ruins dungeon", "undead"),
    _M("Gladiator", "5", "urban", "humanoid"),
    _M("Otyugh", "5", "urban dungeon swamp", "aberration"),
    _M("Umber Hulk", "5", "underdark", "monstrosity"),
    _M("Flesh Golem", "5", "dungeon ruins", "construct"),
    _M("Giant Shark", "5", "coast", "beast"),
    _M("Young Remorhaz", "5", "arctic", "monstrosity"),
    _M("Young White Dragon", "6", "arctic", "dragon"),
    _M("Wyvern", "6", "mountain grassland forest coast", "dragon"),
    _M("Medusa", "6", "ruins desert dungeon", "monstrosity"),
    _M("Chimera", "6", "mountain grassland desert", "monstrosity"),
    _M("Mage", "6", "urban dungeon ruins", "humanoid cult"),
    _M("Cyclops", "6", "coast mountain", "giant", "Cyclopes"),
    _M("Drider", "6", "underdark", "monstrosity"),
    _M("Vrock", "6", "ruins dungeon", "fiend"),
    _M("Stone Giant", "7", "mountain underdark", "giant"),
    _M("Young Black Dragon", "7", "swamp", "dragon"),
    _M("Oni", "7", "urban forest", "giant"),
    _M("Young Copper Dragon", "7", "mountain desert", "dragon"),
    _M("Giant Ape", "7", "forest", "beast"),
    _M("Frost Giant", "8", "arctic mountain", "giant"),
    _M("Young Green Dragon", "8", "forest", "dragon"),
    _M("Hydra", "8", "swamp coast", "monstrosity"),
    _M("Spirit Naga", "8", "ruins underdark dungeon", "monstrosity"),
    _M("Assassin", "8", "urban", "humanoid bandit"),
    _M("Cloaker", "8", "underdark", "aberration"),
    _M("Fire Giant", "9", "mountain underdark", "giant"),
    _M("Young Blue Dragon", "9", "desert coast", "dragon"),
    _M("Bone Devil", "9", "dungeon ruins", "fiend"),
    _M("Treant", "9", "forest", "plant"),
    _M("Clay Golem", "9", "dungeon ruins", "construct"),
    _M("Cloud Giant", "9", "mountain", "giant"),
    _M("Young Red Dragon", "10", "mountain", "dragon"),
    _M("Stone Golem", "10", "dungeon ruins", "construct"),
    _M("Aboleth", "10", "underdark coast", "aberration"),
    _M("Behir", "11", "underdark mountain", "monstrosity"),
    _M("Remorhaz", "11", "arctic", "monstrosity", "Remorhazes"),
    _M("Djinni", "11", "desert", "elemental", "Djinn"),
    _M("Efreeti", "11", "desert", "elemental", "Efreet"),
    _M("Horned Devil", "11", "ruins dungeon", "fiend"),
    _M("Archmage", "12", "urban ruins dungeon", "humanoid cult"),
    _M("Adult White Dragon", "13", "arctic", "dragon"),
    _M("Vampire", "13", "urban ruins dungeon", "undead"),
    _M("Storm Giant", "13", "coast mountain", "giant"),
    _M("Rakshasa", "13", "urban", "fiend"),
    _M("Adult Black Dragon", "14", "swamp", "dragon"),
    _M("Ice Devil", "14", "arctic", "fiend"),
    _M("Adult Green Dragon", "15", "forest", "dragon"),
    _M("Purple Worm", "15", "underdark desert", "monstrosity"),
    _M("Mummy Lord", "15", "desert ruins", "undead"),
    _M("Adult Blue Dragon", "16", "desert coast", "dragon"),
    _M("Iron Golem", "16", "dungeon", "construct"),
    _M("Adult Red Dragon", "17", "mountain", "dragon"),
    _M("Dragon Turtle", "17", "coast", "dragon"),
    _M("Death Knight", "17", "ruins dungeon", "undead"),
    _M("Demilich", "18", "dungeon", "undead"),
    _M("Balor", "19", "ruins underdark", "fiend"),
    _M("Pit Fiend", "20", "ruins dungeon", "fiend"),
    _M("Ancient White Dragon", "20", "arctic", "dragon"),
    _M("Lich", "21", "dungeon ruins", "undead"),
    _M("Ancient Black Dragon", "21", "swamp", "dragon"),
    _M("Ancient Green Dragon", "22", "forest", "dragon"),
    _M("Ancient Blue Dragon", "23", "desert coast", "dragon"),
    _M("Kraken", "23", "coast", "monstrosity"),
    _M("Ancient Red Dragon", "24", "mountain", "dragon"),
)
BY_ENV: dict[str, tuple[Monster, ...]] = {e: tuple(m for m in MONSTERS if e in m.envs) for e in ENVIRONMENTS}

TAG_KEYWORDS = {
    "undead": ("undead", "haunt*", "ghost*", "zombie*", "skelet*", "spirit*", "spectr*", "wraith*", "lich*", "vampir*",
               "necro*", "ghoul*", "mumm*", "dead", "bone*", "wight*", "cursed"),
    "beast": ("beast*", "animal*", "wolves", "wolf", "bear", "bears", "spider*", "wild", "predator*", "rats", "bats", "shark*"),
    "bandit": ("bandit*", "raider*", "brigand*", "highway*", "thug*", "pirate*", "outlaw*", "mercenar*", "assassin*"),
    "cult": ("cult", "cults", "cultist*", "cultic", "ritual*", "fanatic*", "zealot*", "mage*", "wizard*", "sorcer*"),
    "goblinoid": ("goblin*", "hobgoblin*", "bugbear*"),
    "orc": ("orc", "orcs", "orcish"),
    "fiend": ("demon*", "devil*", "fiend*", "infernal", "hell", "hells", "hellish", "hellfire", "hellhound*", "abyss*"),
    "dragon": ("dragon", "dragons", "dragon's", "wyrm*", "drake*", "wyvern*"),
    "giant": ("giant*", "ogre*", "troll*", "ettin*", "cyclop*"),
    "aberration": ("aberration*", "tentacle*", "eldritch", "mind flayer*", "beholder*", "alien"),
    "fey": ("fey", "fairy", "faerie*", "hag", "hags", "dryad*", "satyr*"),
    "monstrosity": ("monster*", "owlbear*", "manticore*", "chimera*", "basilisk*", "minotaur*", "medusa*", "hydra*"),
    "construct": ("construct*", "golem*", "animated", "clockwork", "automat*"),
    "elemental": ("elemental*", "mephit*", "gargoyle*", "djinn*", "efreet*"),
    "ooze": ("ooze*", "slime*", "jelly", "jellies", "pudding*"),
    "plant": ("plant*", "blight*", "treant*", "vine", "vines", "fung*", "shambling"),
    "lycanthrope": ("werewol*", "wererat*", "wereboar*", "werebear*", "weretiger*", "lycanthrop*"),
}
TAG_MATCHER = Matcher(TAG_KEYWORDS)
ENV_KEYWORDS = {
    "forest": ("forest*", "wood", "woods", "woodland*", "grove*", "jungle*", "thicket*", "glade*", "weald", "rainforest*",
               "copse*", "undergrowth"),
    "swamp": ("swamp*", "marsh*", "bog", "bogs", "boggy", "fen", "fens", "fenland*", "mire*", "bayou*", "wetland*",
              "quagmire*", "morass*", "slough*", "mangrove*"),
    "mountain": ("mountain*", "peak*", "cliff*", "pass", "hill", "hills", "crag*", "alpine", "highland*", "summit*",
                 "ridge*", "foothill*", "gorge*", "canyon*"),
    "desert": ("desert*", "dune*", "sand*", "wasteland*", "oasis", "oases", "badlands", "arid", "salt flat*", "mesa*"),
    "arctic": ("arctic", "frozen", "snow*", "ice", "icy", "glacier*", "glacial", "tundra*", "frost*", "winter*", "polar",
               "blizzard*", "ice floe*", "fjord*"),
    "coast": ("coast*", "beach*", "shore*", "sea", "seas", "seaside", "ocean*", "harbor*", "harbour*", "island*", "ship*",
              "cove", "coves", "reef*", "pirate*", "port", "ports", "seaport*", "dock", "docks", "dockside", "wharf*",
              "wharves", "pier", "piers", "quay*", "lighthouse*", "shipwreck*", "isle", "isles"),
    "underdark": ("underdark", "cave*", "cavern*", "underground", "tunnel*", "deep roads", "grotto*", "mine", "mines",
                  "mineshaft*", "chasm*"),
    "dungeon": ("dungeon*", "crypt", "crypts", "tomb*", "vault*", "catacomb*", "labyrinth*", "prison*", "sewer*"),
    "urban": ("city", "cities", "town*", "street*", "alley*", "tavern*", "market*", "village*", "slum*",
              "rooftop*", "warehouse*", "plaza*", "square", "inn", "bazaar*", "backstreet*", "gutter*"),
    "grassland": ("grassland*", "plain", "plains", "field*", "meadow*", "steppe*", "prairie*", "farm*", "road*",
                  "savanna*", "moor", "moors", "moorland*", "heath*", "downs"),
    "ruins": ("ruin*", "temple*", "tower*", "abandoned", "castle*", "monaster*", "shrine*", "citadel*", "graveyard*",
              "cemeter*", "necropolis", "mausoleum*", "abbey*", "chapel*"),
}
ENV_MATCHER = Matcher(ENV_KEYWORDS)


def _monster_words() -> dict[str, tuple[str, ...]]:
    """Words that name monsters -> the monsters they name ("red dragon" -> every red dragon; "giant" -> every giant)."""
    generic = {"lord", "captain", "fanatic", "scout", "beast", "raider", "mound", "mouth", "horror", "dog", "devourer",
               "hulk", "armour", "spawn", "blight", "turtle", "worm", "remorhaz", "of", "swarm", "fiend"}
    common = {"shadow", "shadows", "scout", "scouts"}  # everyday words first: "in the shadows", "orc scouts"
    words: dict[str, list[str]] = {}
    for m in MONSTERS:
        parts = m.name.lower().replace("swarm of ", "").split()
        plural = m.plural.lower().replace("swarms of ", "").split()
        for i in range(len(parts)):
            tail, tail_pl = " ".join(parts[i:]), " ".join(plural[i:])
            if i and len(parts) - i == 1 and tail in generic:
                continue
            if i and tail in ("pack lord", "mummy"):  # "gnoll pack lord" is not any pack lord
                continue
            for w in sorted({tail, tail_pl} - common):
                words.setdefault(w, [])
                if m.name not in words[w]:
                    words[w].append(m.name)
    return {w: tuple(ms) for w, ms in words.items()}


MONSTER_BY_NAME: dict[str, Monster] = {m.name: m for m in MONSTERS}
_MONSTER_WORDS = _monster_words()
# value: monster names joined by "|" (one value per distinct set of monsters)
_GROUPS: dict[str, list[str]] = {}
for _w, _ms in _MONSTER_WORDS.items():
    _GROUPS.setdefault("|".join(_ms), []).append(_w)
MONSTER_MATCHER = Matcher(_GROUPS)
_SINGULAR = {" ".join(m.name.lower().replace("swarm of ", "").split()[i:]) for m in MONSTERS
             for i in range(len(m.name.split()))}


@lru_cache(maxsize=2048)
def named_monsters(prompt: str) -> tuple[Monster, ...]:
    """The monsters a prompt names ("goblins led by a bugbear" -> goblins and bugbears), in order, without repeats."""
    out: list[Monster] = []
    for group in MONSTER_MATCHER.all(prompt):
        for name in group.split("|"):
            m = MONSTER_BY_NAME[name]
            if m not in out:
                out.append(m)
    return tuple(out)


def soften(prompt: str, max_xp: float) -> str:
    """The prompt with monsters stronger than `max_xp` replaced by their kind ("lich" -> "undead").

    Campaigns stage an early fight from the same prompt as the finale: a lich named for the end
    should set the tone (undead) of the first act, not fight a level 1 party.
    """
    def swap(m: re.Match) -> str:
        monsters = named_monsters(m.group(0))
        if not monsters or any(x.xp <= max_xp for x in monsters):
            return m.group(0)
        words = m.group(0).split()
        for i in range(1, len(words)):  # "ancient red dragon" -> "red dragon", if a young one will do
            tail = " ".join(words[i:])
            if any(x.xp <= max_xp for x in named_monsters(tail)) and len(named_monsters(tail)) < len(MONSTERS) // 8:
                return tail
        return next((_KIND_WORD[t] for t in monsters[0].tags if t in _KIND_WORD), "")
    return MONSTER_MATCHER.sub(swap, prompt) if prompt else prompt


# a word for each creature kind that the kind's keywords match and that names no single monster
_KIND_WORD = {"undead": "undead", "beast": "beasts", "bandit": "raiders", "cult": "cult", "goblinoid": "goblinoids",
              "orc": "orcish", "fiend": "fiends", "dragon": "wyrm", "giant": "giantkin", "aberration": "aberrations",
              "fey": "fey", "monstrosity": "monsters", "construct": "constructs", "elemental": "elementalkind",
              "ooze": "slimes", "plant": "plants", "lycanthrope": "lycanthropes"}


_ONE = re.compile(r"\b(?:a|an|one|the|single|lone|solitary)\s+(?:[\w'-]+\s+){0,2}$", re.IGNORECASE)


@lru_cache(maxsize=2048)
def only_one(prompt: str) -> bool:
    """Whether every monster the prompt names is named as one ("a vampire", "the owlbear"), not many ("goblins")."""
    found = False
    for m in MONSTER_MATCHER.finditer(prompt):
        word = m.group(0).lower()
        if word not in _SINGULAR or not _ONE.search(prompt[: m.start()][-40:]):
            return False
        found = True
    return found


SETUP_KEYWORDS = {
    "ambush": ("ambush*", "trap", "surprise*", "waylaid", "lying in wait"),
    "patrol": ("patrol*", "scouts", "sentries"),
    "lair": ("lair*", "den", "nest*", "hive*"),
    "ritual": ("ritual*", "summon*", "sacrifice*", "ceremon*"),
    "camp": ("camp", "camps", "camped", "camping", "encampment*", "bivouac*", "outpost*"),
    "guardians": ("guard*", "protect*", "vault", "gate*", "bridge*"),
    "hunt": ("hunt*", "stalk*", "prey", "chase*", "pursu*"),
    "siege": ("siege*", "assault*", "raid*", "attack on", "defend*", "defence", "defense"),
}
SETUP_MATCHER = Matcher(SETUP_KEYWORDS)
DIFF_MATCHER = Matcher({
    "deadly": ("deadly", "lethal", "brutal", "impossible", "boss", "tpk", "nightmare"),
    "hard": ("hard", "tough", "difficult", "challenging", "dangerous"),
    "easy": ("easy", "simple", "minor", "warm up", "trivial", "skirmish"),
    "medium": ("medium", "moderate", "average", "fair"),
})
SETUPS: tuple[str, ...] = tuple(SETUP_KEYWORDS)
# a word that asks for each set-up and names no monster ("guard" would bring the Guard)
SETUP_LEAD = {k: next(w.rstrip("*") for w in kws if not named_monsters(w.rstrip("*"))) for k, kws in SETUP_KEYWORDS.items()}

# environment -> (terrain features, hiding spots, read-aloud openers)
ENV_DATA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "forest": (("Dense undergrowth (difficult terrain)", "A fallen oak providing half cover", "A shallow, fast stream",
                "Low branches that can be climbed (DC 12 Athletics)", "Thick fog pooling between the trunks",
                "A ring of pale mushrooms", "A steep, leaf-slick bank", "A hunter's abandoned tree stand 15 feet up"),
               ("in the canopy", "behind a wall of bramble", "among the roots of a giant oak", "in a hollow beneath the ferns"),
               ("The birdsong stops all at once.", "Shafts of green light fall through the canopy, and something moves between them.",
                "The path narrows between ancient trunks scarred with claw marks.")),
    "swamp": (("Knee-deep black water (difficult terrain)", "Sucking mud (DC 12 Strength save or restrained)",
               "Twisted mangrove roots granting half cover", "A rotting boardwalk that may collapse",
               "Clouds of biting insects (disadvantage on Perception)", "A half-sunken shrine to a forgotten god",
               "Patches of lightly obscuring marsh gas", "A hummock of dry ground barely large enough for three"),
              ("beneath the still water", "among the reeds", "in the fog", "under a drowned willow"),
              ("Bubbles rise from the dark water, and the frogs fall silent.", "Pale lights drift over the mire, always just out of reach.",
               "The boardwalk groans underfoot; ahead, the fog thickens into a wall.")),
    "mountain": (("A narrow ledge above a 100-foot drop", "Loose scree (DC 13 Acrobatics or fall prone)", "Howling wind (ranged attacks at disadvantage beyond 30 feet)",
                  "A rope bridge over a gorge", "Boulders that can be rolled downhill (3d6 bludgeoning)", "A shallow cave mouth",
                  "Thin air (Constitution saves after a long climb)", "A frozen waterfall"),
                 ("on the ridge above", "behind fallen boulders", "in a cleft in the rock", "among the crags"),
                 ("Pebbles skitter down the slope from somewhere above.", "An eagle screams, and its shadow is far too large.",
                  "The pass narrows to a single-file ledge where the wind tugs at every cloak.")),
    "desert": (("Soft sand (difficult terrain)", "A wind-carved rock arch granting half cover", "Blinding glare at noon (disadvantage on Perception)",
                "A half-buried statue of a forgotten pharaoh", "A sandstorm on the horizon, arriving in 1d4 rounds",
                "A dry well 40 feet deep", "Sun-scorched stone (exhaustion risk without water)", "A fragile salt crust over a sinkhole"),
               ("beneath the sand", "behind a dune crest", "in the shadow of the ruins", "inside the dry well"),
               ("Heat shimmers over the dunes, and the mirage of an oasis wavers ahead.", "The sand hisses and shifts as though something beneath it breathes.",
                "Bleached bones mark the trail, arranged a little too neatly.")),
    "arctic": (("Thin ice over black water (DC 12 Dexterity or fall through)", "Deep snow (difficult terrain)", "A whiteout that heavily obscures beyond 30 feet",
                "Jagged ice ridges granting half cover", "A crevasse hidden under a snow bridge", "A frozen corpse still clutching a spear",
                "Bitter cold (Constitution save each hour)", "An ice cave glittering with blue light"),
               ("beneath the snow", "behind an ice ridge", "in the whiteout", "inside a hollowed glacier"),
               ("The wind drops to nothing, and the silence is worse.", "Tracks in the snow, huge and fresh, circle the camp.",
                "The ice groans and cracks somewhere close, like a giant stirring in its sleep.")),
    "coast": (("Slippery rocks (DC 10 Acrobatics when dashing)", "A rising tide that floods the area in 1d4+2 rounds",
               "A wrecked ship's hull granting full cover", "Crashing waves that can knock creatures prone",
               "A sea cave connected to the open water", "Nets and crab pots strewn across the sand", "A crumbling lighthouse stair", "Kelp-choked shallows"),
              ("in the surf", "behind the wreck", "in the sea cave", "beneath the pier"),
              ("Gulls scatter shrieking from the rocks as the tide turns.", "A ship's bell tolls from beneath the waves.",
               "Something has dragged a long, wet trail from the surf up into the dunes.")),
    "underdark": (("Total darkness", "Glowing fungus that sheds dim light in 10 feet", "A chasm spanned by a stone bridge",
                   "Stalagmites granting half cover", "An underground river (strong current)", "Spore clouds (DC 12 Constitution or poisoned)",
                   "A low crawlspace (squeezing)", "Webs thick as sailcloth (difficult terrain)"),
                  ("on the cavern ceiling", "among the stalagmites", "in a side tunnel", "behind a curtain of fungus"),
                  ("Water drips in the dark, and somewhere far below, something answers.", "Your light falls on carvings no human hand made.",
                   "The tunnel opens into a cavern so large the light cannot find the far wall.")),
    "dungeon": (("A pressure plate trap (DC 14 to spot)", "A portcullis that can be dropped from a lever", "Pillars granting half cover",
                 "A pit covered by a rotten trapdoor", "Braziers that can be kicked over (fire)", "An altar stained dark",
                 "Narrow corridors (single file)", "Arrow slits in the far wall"),
                ("behind the pillars", "in a concealed alcove", "above the doorway", "inside the sarcophagi"),
                ("The torches here are freshly lit. Someone expects visitors.", "Old bones crunch underfoot, and the air smells of copper.",
                 "A door ahead stands ajar, and light flickers beyond it.")),
    "urban": (("Market stalls granting half cover", "Rooftops connected by washing lines", "A crowd of panicked bystanders",
               "A narrow alley (single file)", "Barrels of lamp oil", "Sewer grates leading below", "A canal with moored barges", "A collapsing scaffold"),
              ("on the rooftops", "in the crowd", "in a side alley", "behind the shuttered windows"),
              ("The street empties too quickly, shutters slamming one after another.", "A bell rings out the curfew, and the lamplighters hurry away.",
               "Somewhere behind you, a whistle sounds, and another answers it.")),
    "grassland": (("Tall grass (lightly obscured)", "A lone tree on a barrow mound", "A sunken road between earth banks",
                   "A burned-out farmstead", "An ancient standing stone", "A shallow ford", "A hedgerow granting half cover", "A windmill with a broken sail"),
                  ("in the tall grass", "behind the hedgerow", "in the sunken road", "on the far side of the barrow"),
                  ("The wind ripples across the grass, and not all the ripples follow it.", "Crows circle over the road ahead.",
                   "Smoke rises from beyond the next hill, black and greasy.")),
    "ruins": (("Collapsed walls granting half cover", "A crumbling staircase to a broken upper floor", "Rubble (difficult terrain)",
               "A shattered statue of a forgotten king", "A well shaft into the vaults", "Overgrown courtyard choked with ivy",
               "A bell tower that could collapse", "Faded murals that seem to move in torchlight"),
              ("among the fallen columns", "in the bell tower", "in the vaults below", "behind the ivy curtain"),
              ("Broken columns stand like teeth against the sky.", "A chill wind moans through the empty windows of the hall.",
               "Fresh footprints cross the dust of a floor nobody has walked in centuries.")),
}
# setup -> (text for a group, text for a lone creature)
SETUP_TEXT = {
    "ambush": ("The {main} lie hidden {hide}, waiting until the party is strung out before they strike.",
               "The {main} lies hidden {hide}, waiting until the party is strung out before it strikes."),
    "patrol": ("A patrol of {main} sweeps the area on a regular route; clever characters can time their approach or set their own trap.",
               "The {main} prowls the area on a regular circuit; clever characters can time their approach or set a trap."),
    "lair": ("This is the lair of the {main}, and they know every inch of it; they fight hardest near their young or their hoard.",
             "This is the lair of the {main}, and it knows every inch of it; it fights hardest near its hoard."),
    "ritual": ("The {main} are in the middle of a ritual; every round the party delays brings it closer to completion.",
               "The {main} is in the middle of a ritual; every round the party delays brings it closer to completion."),
    "camp": ("The {main} have made camp here; some sleep, some eat, and a lone sentry watches {hide}.",
             "The {main} has made its den here, resting {hide} with one eye open."),
    "guardians": ("The {main} guard this place on someone else's orders, and will not leave their post to pursue.",
                  "The {main} guards this place on someone else's orders, and will not leave its post to pursue."),
    "hunt": ("The {main} are hunting, and the party has just become the prey; they circle {hide} before closing in.",
             "The {main} is hunting, and the party has just become its prey; it circles {hide} before closing in."),
    "siege": ("The {main} are assaulting a defended position, and the defenders are running out of time.",
              "The {main} is battering at a defended position, and the defenders are running out of time."),
}
TAG_TACTICS = {
    "undead": "The undead feel no fear and fight until destroyed; radiant damage and holy water send them reeling.",
    "beast": "The beasts flee once reduced below half their hit points, unless cornered or protecting young.",
    "bandit": "The bandits want loot, not a fair fight: they surrender or scatter once their leader falls.",
    "cult": "The cultists shield their leader with their bodies and scream prayers as they fight.",
    "goblinoid": "The goblinoids use hit-and-run tactics, falling back to lure foes into traps.",
    "orc": "The orcs charge headlong, roaring war cries, and focus on whoever looks strongest.",
    "fiend": "The fiend savours fear, taunting its victims and offering bargains mid-fight.",
    "dragon": "The dragon opens with its breath weapon from the air, then picks off the weakest.",
    "giant": "The giants hurl boulders from range before wading in with crushing blows.",
    "aberration": "The aberration targets minds first, trying to turn the party against itself.",
    "fey": "The fey cheat, charm and vanish, preferring humiliation to slaughter.",
    "monstrosity": "The monster is territorial: it fights to drive intruders off, not to the death.",
    "construct": "The constructs follow their orders to the letter, and no further.",
    "elemental": "The elementals use the terrain itself as a weapon.",
    "ooze": "The ooze waits motionless, indistinguishable from the floor, until prey is in reach.",
    "plant": "The plants strike from the undergrowth and try to drag victims into cover.",
    "humanoid": "They fight in pairs, calling out targets and covering each other's retreat.",
    "lycanthrope": "The lycanthropes fight in beast form and flee at the first sight of silver.",
    "hag": "The hag hides behind illusions and bargains, fleeing through her secret ways if the fight turns.",
}
TREASURE_ART = ("a silver chalice engraved with ravens", "a jade figurine of a coiled dragon", "a gold locket holding a lock of hair",
                "an ivory comb inlaid with pearls", "a tapestry depicting a forgotten battle", "a bag of uncut garnets",
                "a noble's signet ring", "an obsidian mirror in a silver frame", "a bronze astrolabe", "a crown of beaten copper")
TREASURE_MISC = ("a map marking a hidden cache", "a coded letter sealed with black wax", "a key of unusual design",
                 "a journal describing the creatures' lair", "a bounty notice bearing a familiar face", "a crate of fine wine",
                 "a potion of healing", "two potions of healing", "a spell scroll", "a set of masterwork thieves' tools")
TITLE_TEMPLATES = {
    "ambush": ("Ambush at {site}", "Knives in {site}", "Trap at {site}", "Death Waits at {site}"),
    "patrol": ("The {main_sg} Patrol of {site}", "Watchers of {site}", "The Long Watch at {site}"),
    "lair": ("The Lair of the {main}", "Into the {main_sg} Den at {site}", "What Nests in {site}"),
    "ritual": ("The Rite at {site}", "Blood Moon over {site}", "The Summoning at {site}"),
    "camp": ("The Camp at {site}", "Fires in {site}", "Smoke over {site}"),
    "guardians": ("The Guardians of {site}", "Warden of {site}", "Sentinels of {site}"),
    "hunt": ("The Hunt in {site}", "Prey of {site}", "Hunted through {site}"),
    "siege": ("The Siege of {site}", "The Fall of {site}", "Last Stand at {site}"),
}
NOTES_LEADER = ("Leader; fights to the last.", "Leader; flees at half hit points to fight another day.",
                "Leader; gives orders and stays behind the line.", "Leader; seeks out the strongest foe.")
NOTES_MINION = ("Fights in pairs.", "Keeps to cover.", "Tries to surround isolated targets.", "Hangs back until the leader engages.",
                "Attacks the nearest creature.", "Flees if the leader falls.")
NOTES_SOLO = ("Fights alone and uses every trick it has.", "Retreats to its lair if badly hurt.", "Toys with its prey before striking.")


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    """(environment, creature tags, set-up, difficulty, named monsters, whether it names just one) the prompt names."""
    return (ENV_MATCHER.first(prompt), TAG_MATCHER.all(prompt), SETUP_MATCHER.first(prompt), DIFF_MATCHER.first(prompt),
            named_monsters(prompt), only_one(prompt))


def _choose(rng: Random, pool: tuple[Monster, ...], lo: float, hi: float) -> Monster:
    """A random monster with XP in [lo, hi], else the strongest below hi, else the weakest."""
    fit = [m for m in pool if lo <= m.xp <= hi]
    if fit:
        return pick(rng, fit)
    below = [m for m in pool if m.xp <= hi]
    if below:
        best = max(m.xp for m in below)
        return pick(rng, [m for m in below if m.xp == best])
    least = min(m.xp for m in pool)
    return pick(rng, [m for m in pool if m.xp == least])


def _adjusted(groups: list[tuple[Monster, int]], party_size: int) -> int:
    n = sum(c for _, c in groups)
    return int(sum(m.xp * c for m, c in groups) * multiplier(n, party_size))


def _fill(groups: list[tuple[Monster, int]], m: Monster, hi: int, party_size: int, max_n: int = 12) -> int:
    """Largest count of m (at least 1) that keeps the adjusted XP of the encounter within hi."""
    base_xp = sum(g.xp * c for g, c in groups)
    base_n = sum(c for _, c in groups)
    xp = m.xp
    n = 1
    while n < max_n and int((base_xp + xp * (n + 1)) * multiplier(base_n + n + 1, party_size)) <= hi:
        n += 1
    return n


@lru_cache(maxsize=1024)
def _pool(env: str, tags: tuple[str, ...], named: tuple[Monster, ...]) -> tuple[Monster, ...]:
    """The monsters an encounter draws from: those the prompt names (here if any live here), else of the kinds it names."""
    if named:
        return tuple(m for m in named if env in m.envs) or named
    pool = BY_ENV[env]
    if tags:
        tagged = tuple(m for m in pool if any(t in m.tags for t in tags))
        if not tagged:
            tagged = tuple(m for m in MONSTERS if any(t in m.tags for t in tags))
        if tagged:
            pool = tagged
    return pool


def budget(level: int, size: int, difficulty: str) -> tuple[int, int]:
    t = THRESHOLDS[level - 1]
    i = DIFFICULTIES.index(difficulty)
    lo = t[i] * size
    hi = (t[i + 1] * size - 1) if i < 3 else int(t[3] * size * 1.5)
    return lo, hi


def build(prompt: str, form: EncounterForm, seed: int) -> EncounterContent:
    return build_with(Random(seed), prompt, form)


def build_with(rng: Random, prompt: str, form: EncounterForm) -> EncounterContent:
    """build() drawing on a given random stream (a campaign shares its own with its parts)."""
    r = rng.random
    p_env, p_tags, p_setup, p_diff, p_named, p_one = parse_prompt(prompt or "")
    env = form.environment if form.environment != "any" else (p_env or pick(rng, ENVIRONMENTS))
    difficulty = form.difficulty if form.difficulty != "any" else (
        p_diff or pick(rng, ("easy", "medium", "medium", "hard", "hard", "deadly")))
    level, size = form.party_level, form.party_size
    setup = p_setup or pick(rng, SETUPS)
    lo, hi = budget(level, size, difficulty)

    pool = _pool(env, p_tags, p_named)  # creatures the prompt names win, then the kinds it names
    target = lo + (hi - lo) * 0.5
    roll = r()
    groups: list[tuple[Monster, int]] = []
    if p_one:  # "a vampire": one of it, whatever the budget
        m1 = multiplier(1, size)
        groups.append((_choose(rng, pool, lo * 0.9 / m1, hi / m1), 1))
    elif not (p_named and len({m.xp for m in pool}) >= 2) and (roll < 0.25 or setup == "lair" and roll < 0.5):  # solo
        m1 = multiplier(1, size)
        m = _choose(rng, pool, lo * 0.9 / m1, hi / m1)
        groups.append((m, _fill([], m, hi, size)))
    elif roll < 0.65 or len({m.xp for m in pool}) >= 2 and p_named:  # leader and minions ("goblins led by a bugbear")
        if p_named:  # the strongest named creature the party can face leads the others
            leader = max((m for m in pool if m.xp <= hi * 1.5), key=lambda m: m.xp, default=min(pool, key=lambda m: m.xp))
        else:
            leader = _choose(rng, pool, target * 0.2, target * 0.45)
        minion_pool = tuple(m for m in pool if m.xp < leader.xp) or pool
        minion = _choose(rng, minion_pool, target / 40, target / 8)
        groups.append((leader, 1))
        if minion is not leader:
            groups.append((minion, _fill(groups, minion, hi, size)))
        else:
            groups[0] = (leader, _fill([], leader, hi, size))
    else:  # a pack of one kind
        m = _choose(rng, pool, target / 12, target / 3)
        groups.append((m, _fill([], m, hi, size)))
    adjusted = _adjusted(groups, size)

    main = groups[-1][0] if len(groups) > 1 else groups[0][0]
    main_name = main.plural if groups[-1][1] > 1 else main.name
    site = N.site_name(rng, env)
    terrain_pool, hides, openers = ENV_DATA[env]
    hide = pick(rng, hides)
    creatures = []
    for i, (m, c) in enumerate(groups):
        if len(groups) > 1 and i == 0:
            note = pick(rng, NOTES_LEADER)
        elif c == 1:
            note = pick(rng, NOTES_SOLO)
        else:
            note = pick(rng, NOTES_MINION)
        creatures.append(construct(Creature, name=m.name, count=c, challenge=m.cr, xp=m.xp, notes=note))
    tags = [t for m, _ in groups for t in m.tags]
    tactic_tag = next((t for t in tags if t in TAG_TACTICS and t != "humanoid"), tags[0] if tags else "humanoid")
    plural = groups[-1][1] > 1
    fallback = pick(rng, hides)
    if r() < 0.5:
        closer = (f"If the fight goes badly, they scatter, vanishing {fallback}." if plural else
                  f"If the fight goes badly, it withdraws, vanishing {fallback}.")
    else:
        closer = "They have a signal for reinforcements; a second wave arrives in 1d4 rounds if it is given." if plural \
            else "Its roars draw reinforcements: a second wave arrives in 1d4 rounds unless it is silenced quickly."
    tactics = " ".join((
        SETUP_TEXT[setup][0 if plural else 1].format(main=main_name.lower(), hide=hide),
        TAG_TACTICS.get(tactic_tag, TAG_TACTICS["humanoid"]),
        closer,
    ))
    terrain = sample(rng, terrain_pool, 3)
    gold = max(5, int(sum(m.xp * c for m, c in groups) * (0.05 + r() * 0.15)))
    treasure = [f"{gold:,} gp in mixed coin"]
    if r() < 0.6:
        treasure.append(f"{cap(pick(rng, TREASURE_ART))} ({pick(rng, (25, 50, 75, 250, 750)) * (1 + level // 5)} gp)")
    treasure.append(cap(pick(rng, TREASURE_MISC)))
    title = pick(rng, TITLE_TEMPLATES[setup]).format(site=titlecase(site),
                                                    main=main_name, main_sg=main.name)
    read_aloud = f"{pick(rng, openers)} {cap(a(pick(rng, ('shape', 'shadow', 'figure', 'silhouette', 'movement'))))} " \
                 f"stirs {hide}."
    return construct(EncounterContent,
        name=titlecase(title), environment=env, difficulty=difficulty, party_level=level, party_size=size,
        setup=setup, read_aloud=read_aloud, creatures=creatures, xp_budget=lo, adjusted_xp=adjusted,
        tactics=tactics, terrain=terrain, treasure=treasure,
    )


assert set(EnvironmentName.__args__) == set(ENVIRONMENTS) == set(ENV_DATA) == set(ENV_KEYWORDS)
assert set(DifficultyName.__args__) == set(DIFFICULTIES) and set(SetupName.__args__) == set(SETUPS)
assert set(ChallengeRating.__args__) == set(CR_XP)
assert set(_KIND_WORD) == set(TAG_KEYWORDS)
assert all(TAG_MATCHER.first(w) == t and not named_monsters(w) for t, w in _KIND_WORD.items())
