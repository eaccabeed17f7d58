"""Magic items: weapons, armour, wondrous things, potions, scrolls, rings and wands."""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import Field

from . import names as N
from ._text import construct, FormBase, Matcher, a, pick, sample, titlecase
from .base import Content, bounded_str
from .names import ANCESTRY_KEYWORDS

Kind = Literal["any", "weapon", "armor", "wondrous", "potion", "scroll", "ring", "wand"]
Rarity = Literal["any", "common", "uncommon", "rare", "very rare", "legendary"]
RARITIES: tuple[str, ...] = ("common", "uncommon", "rare", "very rare", "legendary")
KINDS: tuple[str, ...] = ("weapon", "armor", "wondrous", "potion", "scroll", "ring", "wand")


class ItemForm(FormBase):
    kind: Kind = Field("any", title="Kind", description="Kind of item, or any for random.")
    rarity: Rarity = Field("any", title="Rarity", description="Rarity (scales power and value), or any.")
    cursed: Literal["any", "yes", "no"] = Field("any", title="Cursed", description="Force or forbid a curse; any leaves it to chance.")


KindName = Literal["weapon", "armor", "wondrous", "potion", "scroll", "ring", "wand"]
RarityName = Literal["common", "uncommon", "rare", "very rare", "legendary"]
BaseName = Literal["greatsword", "longsword", "shortsword", "rapier", "scimitar", "dagger", "greataxe", "battleaxe",
                   "warhammer", "mace", "spear", "longbow", "crossbow", "quarterstaff", "plate armour", "chain mail",
                   "leather armour", "breastplate", "shield", "helm", "amulet", "cloak", "boots", "gauntlets", "crown",
                   "orb", "tome", "lantern", "horn", "mirror", "potion", "scroll", "ring", "wand", "rod"]
ShapeName = Literal["sword", "dagger", "axe", "hammer", "spear", "bow", "staff", "armor", "shield", "helm", "amulet",
                    "cloak", "boots", "gauntlet", "crown", "orb", "tome", "lantern", "horn", "potion", "scroll", "ring",
                    "wand"]
ElementName = Literal["fire", "frost", "lightning", "thunder", "poison", "acid", "radiant", "necrotic", "psychic", "force"]
MaterialName = Literal["iron", "steel", "silver", "gold", "bronze", "mithral", "adamantine", "starmetal", "obsidian",
                       "crystal", "jade", "ivory", "bone", "wood", "stone", "dragonscale"]


class ItemContent(Content):
    name: str = Field(min_length=1, max_length=72)
    kind: KindName
    base: BaseName
    shape: ShapeName
    rarity: RarityName
    element: ElementName | None = None
    material: MaterialName | None = None
    bonus: int = Field(0, ge=0, le=3)
    properties: list[bounded_str(200)] = Field(min_length=1, max_length=6)
    history: str = Field(min_length=1, max_length=800, description="Who made it and what became of it, in one paragraph.")
    value: int = Field(ge=1, le=250_000, description="Value in gold pieces.")
    attunement: bool
    curse: str | None = Field(None, min_length=1, max_length=240)


    def subtitle(self) -> str:
        kind = "armour" if self.kind == "armor" else "wondrous item" if self.kind == "wondrous" else self.kind
        att = " (requires attunement)" if self.attunement else ""
        base = f" ({self.base})" if self.base != self.kind else ""
        return f"{kind.capitalize()}{base}, {self.rarity}{att}"

    def to_markdown(self) -> str:
        lines = [
            f"# {self.name}",
            "",
            f"*{self.subtitle()}*",
            "",
            f"**Value** {self.value:,} gp" + (f" · **Element** {self.element}" if self.element else "")
            + (f" · **Bonus** +{self.bonus}" if self.bonus else ""),
            "",
            "## Properties",
            "",
            *[f"- {p}" for p in self.properties],
            "",
        ]
        if self.curse:
            lines += ["## Curse", "", f"> {self.curse}", ""]
        lines += ["## History", "", self.history, ""]
        return "\n".join(lines)


# base -> (kind, shape, keywords)
BASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "greatsword": ("weapon", "sword", ("greatsword*", "claymore*", "zweihander*", "two handed sword*")),
    "longsword": ("weapon", "sword", ("longsword*", "sword*", "blade*", "broadsword*")),
    "shortsword": ("weapon", "sword", ("shortsword*", "short sword*", "gladius")),
    "rapier": ("weapon", "sword", ("rapier*", "foil", "epee")),
    "scimitar": ("weapon", "sword", ("scimitar*", "sabre*", "saber*", "cutlass*", "falchion*")),
    "dagger": ("weapon", "dagger", ("dagger*", "knife", "knives", "dirk*", "stiletto*", "athame*")),
    "greataxe": ("weapon", "axe", ("greataxe*", "great axe*")),
    "battleaxe": ("weapon", "axe", ("battleaxe*", "axe", "axes", "hatchet*", "handaxe*")),
    "warhammer": ("weapon", "hammer", ("warhammer*", "hammer*", "maul*")),
    "mace": ("weapon", "hammer", ("mace*", "morningstar*", "flail*", "club*", "cudgel*")),
    "spear": ("weapon", "spear", ("spear*", "lance*", "javelin*", "pike*", "halberd*", "glaive*", "trident*")),
    "longbow": ("weapon", "bow", ("longbow*", "bow", "bows", "shortbow*", "arrow*")),
    "crossbow": ("weapon", "bow", ("crossbow*", "arbalest*")),
    "quarterstaff": ("weapon", "staff", ("quarterstaff*", "staff", "staves")),
    "plate armour": ("armor", "armor", ("plate*", "full plate", "armour", "armor", "cuirass*")),
    "chain mail": ("armor", "armor", ("chain*", "mail", "hauberk*", "ring mail", "shirt", "shirts", "coat of mail")),
    "leather armour": ("armor", "armor", ("leather*", "jerkin*", "brigandine*", "studded")),
    "breastplate": ("armor", "armor", ("breastplate*",)),
    "shield": ("armor", "shield", ("shield*", "buckler*", "aegis")),
    "helm": ("armor", "helm", ("helm*", "helmet*", "visor*")),
    "amulet": ("wondrous", "amulet", ("amulet*", "necklace*", "pendant*", "talisman*", "locket*", "medallion*")),
    "cloak": ("wondrous", "cloak", ("cloak*", "cape*", "mantle*", "robe*", "shroud*")),
    "boots": ("wondrous", "boots", ("boot", "boots", "shoe*", "slipper*", "sandal*")),
    "gauntlets": ("wondrous", "gauntlet", ("gauntlet*", "glove*", "bracer*")),
    "crown": ("wondrous", "crown", ("crown*", "circlet*", "diadem*", "tiara*")),
    "orb": ("wondrous", "orb", ("orb*", "crystal ball*", "sphere*", "gem*", "jewel*", "eye of")),
    "tome": ("wondrous", "tome", ("tome*", "book*", "grimoire*", "codex*", "manual*")),
    "lantern": ("wondrous", "lantern", ("lantern*", "lamp*", "candle*", "torch*")),
    "horn": ("wondrous", "horn", ("horn*", "trumpet*", "bugle*", "flute*", "lute*", "drum*")),
    "mirror": ("wondrous", "orb", ("mirror*", "looking glass*")),
    "potion": ("potion", "potion", ("potion*", "elixir*", "philter*", "philtre*", "draught*", "tonic*", "brew*", "vial*", "flask*")),
    "scroll": ("scroll", "scroll", ("scroll*", "parchment*", "spell scroll*")),
    "ring": ("ring", "ring", ("ring", "rings", "signet*", "band")),
    "wand": ("wand", "wand", ("wand", "wands")),
    "rod": ("wand", "wand", ("rod", "rods", "sceptre*", "scepter*")),
}
BASE_MATCHER = Matcher({k: v[2] for k, v in BASES.items()})
BASES_BY_KIND: dict[str, tuple[str, ...]] = {k: tuple(b for b, v in BASES.items() if v[0] == k) for k in KINDS}
KIND_MATCHER = Matcher({
    "weapon": ("weapon*", "armament*"), "armor": ("armour*", "armor*", "protection"),
    "wondrous": ("wondrous", "trinket*", "curio*", "artefact*", "artifact*", "relic*"),
    "potion": ("potion*",), "scroll": ("scroll*",), "ring": ("ring", "rings"), "wand": ("wand", "wands"),
})
RARITY_MATCHER = Matcher({
    "legendary": ("legendary", "artifact*", "artefact*", "mythic*", "fabled", "godly", "divine relic*", "priceless",
                  "unique", "world ending", "fabulous"),
    "very rare": ("very rare", "epic", "exceptional", "mighty", "masterwork", "masterpiece"),
    "rare": ("rare", "powerful", "potent"),
    "uncommon": ("uncommon", "minor", "lesser", "modest", "weak"),
    "common": ("common", "mundane", "simple", "cheap", "humble", "ordinary"),
})
# material -> (prompt keywords, name adjective, shapes it is chosen for at random)
_METAL_SHAPES = ("sword", "dagger", "axe", "hammer", "spear", "armor", "shield", "helm", "gauntlet", "crown", "amulet",
                 "ring", "lantern")
MATERIALS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "iron": (("iron", "cold iron", "wrought iron", "iron bound"), "Iron", _METAL_SHAPES),
    "steel": (("steel", "steely", "damascus"), "Steel", ("sword", "dagger", "axe", "hammer", "spear", "armor", "shield", "helm")),
    "silver": (("silver", "silvered", "silvery", "argent"), "Silvered", _METAL_SHAPES + ("horn", "mirror", "wand")),
    "gold": (("gold", "golden", "gilded", "gilt"), "Golden", ("crown", "amulet", "ring", "lantern", "horn", "shield", "helm")),
    "bronze": (("bronze", "brass", "copper"), "Bronze", _METAL_SHAPES + ("horn",)),
    "mithral": (("mithral", "mithril", "truesilver"), "Mithral", _METAL_SHAPES),
    "adamantine": (("adamant*",), "Adamantine", ("sword", "axe", "hammer", "armor", "shield", "helm", "gauntlet")),
    "starmetal": (("starmetal", "star metal", "meteor*", "skymetal", "sky metal", "starsteel"), "Starmetal",
                  ("sword", "dagger", "axe", "hammer", "spear", "ring", "amulet", "wand")),
    "obsidian": (("obsidian", "volcanic glass", "dragonglass"), "Obsidian", ("dagger", "amulet", "ring", "orb", "crown", "wand")),
    "crystal": (("crystal*", "glass", "quartz", "diamond*"), "Crystal", ("orb", "wand", "amulet", "ring", "crown", "lantern")),
    "jade": (("jade",), "Jade", ("amulet", "ring", "orb", "crown", "wand", "dagger")),
    "ivory": (("ivory",), "Ivory", ("horn", "wand", "amulet", "dagger", "crown")),
    "bone": (("bone", "bones", "boneforged", "skeletal"), "Bone", ("dagger", "wand", "amulet", "horn", "crown", "bow")),
    "wood": (("wood", "wooden", "oak", "oaken", "yew", "ironwood", "darkwood", "ashwood", "driftwood", "willow"), "Oaken",
             ("bow", "staff", "wand", "shield", "spear", "horn")),
    "stone": (("stone", "granite", "marble", "basalt", "runestone"), "Stone", ("hammer", "amulet", "orb", "ring")),
    "dragonscale": (("dragonscale", "dragon scale*", "dragonhide", "dragon hide", "drake scale*", "wyrmscale"), "Dragonscale",
                    ("armor", "shield", "cloak", "boots", "gauntlet", "helm")),
}
MATERIAL_NAMES: tuple[str, ...] = tuple(MATERIALS)
MATERIAL_MATCHER = Matcher({k: v[0] for k, v in MATERIALS.items()})
MATERIALS_BY_SHAPE: dict[str, tuple[str, ...]] = {}
for _m, (_kw, _adj, _shapes) in MATERIALS.items():
    for _s in _shapes:
        MATERIALS_BY_SHAPE[_s] = MATERIALS_BY_SHAPE.get(_s, ()) + (_m,)
ANCESTRY_MATCHER = Matcher(ANCESTRY_KEYWORDS)
CURSE_MATCHER = Matcher({"cursed": ("curse*", "haunted", "damned", "accursed", "malevolent", "bloodthirst*",
                                    "possessed", "evil", "sinister", "hexed", "doomed")})

# element -> (keywords, adjectives, nouns, damage type, spells by tier, resistance noun, colour name)
ELEMENTS: dict[str, tuple] = {
    "fire": (("fire*", "flam*", "burn*", "blaz*", "ember*", "infern*", "scorch*", "molten", "magma", "lava", "pyre*", "ash", "hellfire", "phoenix*"),
             ("Flaming", "Burning", "Blazing", "Smouldering", "Emberforged", "Searing"),
             ("Embers", "the Inferno", "the Phoenix", "Cinders", "the Pyre", "Wildfire"),
             "fire", ("burning hands", "scorching ray", "fireball", "wall of fire", "fire storm")),
    "frost": (("frost*", "ice", "icy", "cold", "freez*", "frozen", "winter*", "snow*", "glaci*", "rime*", "blizzard*"),
              ("Frozen", "Frostbitten", "Rimebound", "Glacial", "Wintry", "Icebound"),
              ("Winter", "the Long Night", "the Glacier", "Rime", "the Frozen Star", "Hoarfrost"),
              "cold", ("ray of frost", "sleet storm", "ice storm", "cone of cold", "freezing sphere")),
    "lightning": (("lightning", "storm*", "shock*", "spark*", "electric*", "tempest*"),
                  ("Stormforged", "Crackling", "Thunderstruck", "Sparking", "Tempest"),
                  ("the Storm", "Tempests", "the Thunderhead", "Sparks", "the Skyfire"),
                  "lightning", ("witch bolt", "lightning bolt", "call lightning", "chain lightning", "storm of vengeance")),
    "thunder": (("thunder*", "sonic", "boom*", "roar*", "quake*", "earthquake*"),
                ("Booming", "Roaring", "Thundering", "Resounding"),
                ("the Thunderclap", "the Roaring Sky", "Echoes", "the Drum"),
                "thunder", ("thunderwave", "shatter", "thunder step", "destructive wave", "earthquake")),
    "poison": (("poison*", "venom*", "toxic", "serpent*", "viper*", "snake*", "spider*", "noxious"),
               ("Venomous", "Serpent's", "Toxic", "Envenomed", "Viperous"),
               ("the Serpent", "the Viper", "Nightshade", "the Spider Queen", "Hemlock"),
               "poison", ("poison spray", "ray of sickness", "stinking cloud", "cloudkill", "toxic miasma")),
    "acid": (("acid*", "corros*", "caustic", "ooze*", "dissolv*"),
             ("Corroding", "Caustic", "Hissing", "Dissolving"),
             ("the Black Ooze", "Caustic Tears", "the Dissolver", "the Bile Drake"),
             "acid", ("acid splash", "acid arrow", "vitriolic sphere", "acid rain", "black tentacles")),
    "radiant": (("radiant", "holy", "sacred", "divine", "blessed", "sun", "sunlit", "sunlight", "celestial", "dawn*",
                 "angel*", "heaven*", "light bringer*", "righteous"),
                ("Radiant", "Sunforged", "Hallowed", "Dawnlit", "Blessed", "Celestial"),
                ("the Dawn", "the Sun", "the Morning Star", "Mercy", "the Seraph", "the Last Light"),
                "radiant", ("guiding bolt", "spiritual weapon", "daylight", "flame strike", "sunbeam")),
    "necrotic": (("necrotic", "unholy", "death*", "deadly", "shadow*", "vampir*", "soul*", "grave", "graves", "graveyard*", "gravestone*", "undead",
                  "lich*", "ghost*", "wraith*", "blood*", "corrupt*", "plague*", "rot", "rotting", "rotten", "dark"),
                 ("Shadowed", "Soul-Drinking", "Bone-White", "Deathless", "Gravebound", "Nightborn"),
                 ("the Grave", "Endless Night", "the Lich King", "Sorrows", "the Hollow Crown", "Ashen Souls"),
                 "necrotic", ("chill touch", "ray of enfeeblement", "vampiric touch", "blight", "circle of death")),
    "psychic": (("psychic", "mind*", "dream*", "madness", "telepath*", "nightmare*", "insan*", "whisper*"),
                ("Whispering", "Dreaming", "Maddening", "Mindpiercing"),
                ("Whispers", "the Dreamer", "Lost Memories", "the Far Realm", "Nightmares"),
                "psychic", ("dissonant whispers", "phantasmal force", "fear", "phantasmal killer", "feeblemind")),
    "force": (("force", "arcane", "eldritch", "aether*", "astral", "star", "stars", "starlight", "starforged", "cosmic", "void"),
              ("Starforged", "Arcane", "Eldritch", "Aetheric", "Voidtouched"),
              ("the Stars", "the Void", "the Astral Sea", "the Archmage", "Starlight"),
              "force", ("magic missile", "misty step", "counterspell", "wall of force", "disintegrate")),
}
ELEMENT_NAMES: tuple[str, ...] = tuple(ELEMENTS)
ELEMENT_MATCHER = Matcher({k: v[0] for k, v in ELEMENTS.items()})

# (no material words here: an item's material is its own field, and its name must not contradict it)
GENERAL_ADJ = ("Ancient", "Gleaming", "Silent", "Vigilant", "Runed", "Hollow", "Gilded", "Moonlit", "Starlit",
               "Thorned", "Weeping", "Forgotten", "Wandering", "Storied", "Ashen", "Oathbound", "Elven", "Dwarven",
               "Sapphire", "Warden's", "Pilgrim's", "Wayfarer's", "Sentinel's", "Runebound", "Old King's", "Lucky",
               "Singing", "Humble", "Nameless", "Dusk", "Verdant", "Tarnished", "Whispering", "Hallowed", "Veiled")
# the makers' words for their own work: "an elven bow" is Elven and made by elves
ANCESTRY_ADJ = {"elf": "Elven", "dwarf": "Dwarven", "gnome": "Gnomish", "halfling": "Halfling", "half-orc": "Orcish",
                "tiefling": "Infernal", "dragonborn": "Draconic"}
ANCESTRY_MAKERS = {"elf": 1, "dwarf": 0, "gnome": 2, "tiefling": 7, "dragonborn": 8, "halfling": 9}
# powers a prompt can name ("boots of speed", "a potion of healing"):
# key -> (keywords, potion effect or None, the name's "of ...", what it does on an item that is not a potion)
EFFECTS: dict[str, tuple[tuple[str, ...], str | None, str, str]] = {
    "healing": (("heal*", "cure*", "curing", "restorat*", "mending", "regenerat*", "vitality"), "Healing", "Healing",
                "Once per day, you can touch a creature to restore 2d8 + 2 hit points."),
    "invisibility": (("invisib*", "unseen", "vanishing", "disappear*"), "Invisibility", "Invisibility",
                     "Once per day, you can turn invisible for 1 minute as an action; attacking or casting ends it."),
    "speed": (("speed", "haste", "swift*", "swiftness", "fleet", "fleetness", "quickness", "running"), "Speed", "Speed",
              "Your walking speed increases by 10 feet, and once per day you can Dash as a bonus action."),
    "flight": (("fly", "flying", "flight", "winged", "wings", "soaring"), "Flying", "Flight",
               "Once per day, you gain a flying speed of 60 feet for 10 minutes."),
    "strength": (("strength", "giant strength", "ogre power", "brawn"), "Giant Strength", "Giant Strength",
                 "Your Strength score is 19 while you wear or carry it."),
    "water breathing": (("water breathing", "underwater", "breathe water", "gills", "swimming", "the deep"),
                        "Water Breathing", "the Deep",
                        "You can breathe underwater, and you have a swimming speed equal to your walking speed."),
    "climbing": (("climb*", "spider climb*", "wall walk*"), "Climbing", "Climbing",
                 "You gain a climbing speed equal to your walking speed."),
    "protection": (("protect*", "warding", "ward", "defence", "defense", "guarding", "safety"), "Stoneskin", "Protection",
                   "While you wear or carry it, you gain a +1 bonus to AC and saving throws."),
    "stealth": (("stealth*", "sneak*", "shadows", "elvenkind", "silence", "silent step*"), "Shadowstep", "Shadows",
                "You have advantage on Dexterity (Stealth) checks, and dim light counts as darkness for you."),
    "truth": (("truth*", "honesty", "lie detect*", "liars"), "Truth", "Truth",
              "You know when you hear a lie spoken in a language you understand."),
    "sleep": (("sleep*", "slumber*"), "Sweet Dreams", "Slumber", "Once per day, you can cast *sleep* from it (5d8 hit points)."),
    "youth": (("youth*", "longevity", "ageless*", "eternal life", "immortality"), "Longevity", "Youth",
              "You age at a tenth of the normal rate while you carry it."),
    "light": (("light", "illuminat*", "glowing", "shining", "lantern light"), None, "Light",
              "On command it sheds bright light in a 30-foot radius and dim light for another 30 feet."),
    "warning": (("warning", "vigilance", "alertness", "awareness", "watchful*"), None, "Warning",
                "You can't be surprised, and you have advantage on initiative rolls."),
    "feather fall": (("levitat*", "floating", "feather fall*", "falling"), "Levitation", "Feather Falling",
                     "When you fall, you descend 60 feet per round and take no falling damage."),
    "courage": (("courage*", "bravery", "fearless*", "valour", "valor", "heroism"), "Heroism", "Valour",
                "You are immune to being frightened."),
    "mind reading": (("mind read*", "telepath*", "thoughts", "read minds", "mind reader*"), "Mind Reading", "Thoughts",
                     "Once per day, you can cast *detect thoughts* from it (save DC 13)."),
    "far sight": (("clairvoyan*", "scrying", "far sight*", "farsight*", "true seeing", "true sight"), "Clairvoyance",
                  "Far Sight", "Once per day, you can cast *clairvoyance* from it."),
    "animals": (("animal*", "beast speech", "speaking with beasts", "the wild"), "Animal Friendship", "the Wild",
                "You can speak with animals, and beasts are indifferent to you unless you harm them."),
}
EFFECT_MATCHER = Matcher({k: v[0] for k, v in EFFECTS.items()})
GENERAL_ABSTRACT = ("the Last Dawn", "Broken Oaths", "the Drowned King", "Seven Sorrows", "the Ember Queen",
                    "the Silent Watch", "Lost Tides", "the First Forge", "Unending Vigil", "the Wandering Star",
                    "the Fallen Legion", "Quiet Mercy", "the Hidden Path", "the Wyrm", "the Traveller",
                    "Second Chances", "the Bright Hollow", "Old Songs", "the Deep Roads", "the Pale Rider",
                    "the Oak Throne", "Iron Resolve", "the Midnight Court", "Unspoken Names", "the Wolf Mother",
                    "Distant Shores", "the Golden Age", "Three Moons", "the Mountain King", "Forgotten Heroes")
COMPOUND_A = ("Dawn", "Soul", "Storm", "Grave", "Frost", "Ember", "Star", "Doom", "Oath", "Night", "Blood", "Sun",
              "Wyrm", "Ghost", "Thorn", "Moon", "Iron", "Heart", "Wraith", "Hex", "Sky", "Dread", "Light", "Shadow")
COMPOUND_B = ("breaker", "reaver", "brand", "bane", "fang", "cleaver", "song", "caller", "render", "keeper", "biter",
              "ward", "thirst", "warden", "spite", "light", "whisper", "edge", "fall", "shard", "bringer", "seeker")
CURSE_ADJ = ("Accursed", "Bloodthirsty", "Hungering", "Forsaken", "Wretched", "Damned")

POTION_VESSELS = ("Potion", "Elixir", "Draught", "Philter", "Tonic", "Tincture")
POTION_ADJ = ("Bubbling", "Murky", "Shimmering", "Smoking", "Glittering", "Viscous", "Fizzing", "Luminous", "Cloudy",
              "Opalescent", "Tarry", "Rosy", "Swirling", "Bitter", "Honeyed", "Silvery")
POTION_EFFECTS = {
    None: ("Healing", "Climbing", "Water Breathing", "Invisibility", "Flying", "Heroism", "Giant Strength",
           "Growth", "Diminution", "Speed", "Mind Reading", "Gaseous Form", "Animal Friendship", "Clairvoyance",
           "Longevity", "Vitality", "Levitation", "Courage", "Sweet Dreams", "Truth", "Shadowstep", "Stoneskin"),
    "fire": ("Fire Breath", "Fire Resistance", "Inner Fire"), "frost": ("Frost Resistance", "Winter's Breath"),
    "lightning": ("Storm's Fury", "Lightning Resistance"), "thunder": ("Roaring", "Thunder Resistance"),
    "poison": ("Poison Resistance", "Antitoxin", "Venom"), "acid": ("Acid Resistance", "Corrosion"),
    "radiant": ("Radiance", "Greater Healing"), "necrotic": ("Deathward", "Undeath's Embrace"),
    "psychic": ("Mind Shield", "Lucid Dreaming"), "force": ("Arcane Shielding", "Starlight"),
}
POTION_TEXT = {
    "Healing": "You regain {heal} hit points.", "Greater Healing": "You regain {heal2} hit points.",
    "Climbing": "You gain a climbing speed equal to your walking speed for 1 hour.",
    "Water Breathing": "You can breathe underwater for 1 hour.",
    "Invisibility": "You become invisible for 1 hour, or until you attack or cast a spell.",
    "Flying": "You gain a flying speed of 60 feet for 1 hour.",
    "Heroism": "You gain 10 temporary hit points and the benefits of *bless* for 1 hour.",
    "Giant Strength": "Your Strength score becomes {str} for 1 hour.",
    "Growth": "You grow to Large size for 1d4 hours, as the *enlarge* spell.",
    "Diminution": "You shrink to Tiny size for 1d4 hours, as the *reduce* spell.",
    "Speed": "You gain the effect of *haste* for 1 minute, without needing to concentrate.",
    "Mind Reading": "You can cast *detect thoughts* (save DC 13) at will for 10 minutes.",
    "Gaseous Form": "You take on a drifting, misty form for 1 hour, as the *gaseous form* spell.",
    "Animal Friendship": "For 1 hour, beasts regard you as a friend unless you harm them.",
    "Clairvoyance": "You gain the effect of *clairvoyance*, seeing and hearing a place you know well.",
    "Longevity": "Your physical age is reduced by 1d6+6 years; each further dose has a cumulative 10% chance to age you instead.",
    "Vitality": "Your exhaustion and diseases are cured, and for 24 hours any Hit Die you spend heals its maximum.",
    "Levitation": "You can levitate at will for 10 minutes, as the *levitate* spell.",
    "Courage": "You are immune to being frightened for 1 hour.",
    "Sweet Dreams": "You fall into a deep, restful sleep; a short rest counts as a long rest.",
    "Truth": "For 10 minutes you cannot knowingly speak a lie, and you know when one is spoken to you.",
    "Shadowstep": "Three times within the next minute, you can teleport up to 30 feet into dim light or darkness as a bonus action.",
    "Stoneskin": "You have resistance to nonmagical bludgeoning, piercing and slashing damage for 1 hour.",
    "Fire Breath": "For 1 hour, you can use a bonus action to exhale fire at a creature within 30 feet (4d6 fire damage, DC 13 Dexterity save for half), up to three times.",
    "Inner Fire": "For 1 hour, creatures that hit you with a melee attack take 1d6 fire damage.",
    "Winter's Breath": "Once within the next hour, you can exhale a 15-foot cone of freezing mist (3d8 cold damage, DC 13 Constitution save for half).",
    "Storm's Fury": "For 1 minute your weapon attacks deal an extra 1d6 lightning damage, and your hair stands on end.",
    "Roaring": "Once within the next hour, you can roar; creatures within 30 feet must succeed on a DC 14 Wisdom save or be frightened for 1 minute.",
    "Antitoxin": "Any poison affecting you ends, and you have advantage on saving throws against poison for 1 hour.",
    "Venom": "Poured over a blade, it makes your next three hits deal an extra 2d6 poison damage.",
    "Corrosion": "For 1 minute your touch corrodes metal, destroying a nonmagical lock, chain or bar.",
    "Radiance": "You shed bright light in a 30-foot radius for 1 hour; undead in the light have disadvantage on attack rolls.",
    "Deathward": "The first time you drop to 0 hit points within the next 8 hours, you drop to 1 hit point instead.",
    "Undeath's Embrace": "For 1 hour, undead regard you as one of their own unless you attack them.",
    "Mind Shield": "For 1 hour your thoughts can't be read, and you have advantage on Intelligence and Wisdom saving throws.",
    "Lucid Dreaming": "The next time you sleep, you can send a message to a creature you know, as the *dream* spell.",
    "Arcane Shielding": "For 1 hour, *magic missile* cannot harm you, and once you can use your reaction to gain +5 AC.",
    "Starlight": "For 1 hour you have darkvision out to 120 feet and can see invisible creatures.",
}
CONSUMABLE_EVENTS = (
    "It was one of a set of twelve; the other eleven were used up at the Battle of {place}.",
    "An alchemist in {place} spent a fortune trying to copy it, and failed.",
    "It sat forgotten on a shelf in a wizard's tower until the tower fell.",
    "Smugglers carried it across the border hidden in a wheel of cheese.",
    "It was meant to be used on the eve of a coup in {place} that never happened.",
    "A temple kept it sealed in wax for generations, to be opened only in the direst need.",
)
VERB = {"weapon": "forged", "armor": "forged", "wondrous": "made", "potion": "brewed", "scroll": "penned",
        "ring": "crafted", "wand": "carved"}
GENERAL_SPELLS = (
    ("bless", "cure wounds", "feather fall", "identify", "shield", "sleep", "comprehend languages", "jump"),
    ("invisibility", "knock", "levitate", "see invisibility", "silence", "spider climb", "web", "lesser restoration"),
    ("fly", "haste", "remove curse", "water breathing", "tongues", "dispel magic", "clairvoyance", "revivify"),
    ("greater invisibility", "dimension door", "freedom of movement", "polymorph", "banishment", "scrying", "raise dead"),
    ("true seeing", "teleport", "heal", "mass cure wounds", "contingency", "plane shift", "resurrection"),
)
# every spell the tables know, so "a scroll of fireball" or "a wand of magic missile" casts that spell
SPELL_MATCHER = Matcher({sp: (sp,) for sp in dict.fromkeys(
    [sp for tier in GENERAL_SPELLS for sp in tier] + [sp for el in ELEMENTS.values() for sp in el[4]])})

WEAPON_PROPS = (
    "Sheds bright light in a 20-foot radius on command.",
    "Glows faintly blue when hostile creatures are within 120 feet.", "Cannot be broken by nonmagical means.",
    "Whispers warnings to its wielder: you can't be surprised while you are conscious and holding it.",
    "On a critical hit, the target must succeed on a DC 15 Wisdom saving throw or be frightened until your next turn.",
    "Hums softly whenever a lie is spoken within 30 feet.", "Scores a critical hit on a roll of 19 or 20.",
    "Once per day, you can speak its command word to make it fly to your hand from up to 60 feet away.",
    "Deals maximum damage against creatures that have wronged its maker's bloodline.",
    "While holding it, you have advantage on initiative rolls.",
    "When you reduce a creature to 0 hit points with it, you gain temporary hit points equal to your level.",
)
MELEE_PROPS = (
    "Returns to your hand at the end of your turn when thrown.", "It can be drawn or stowed as part of any attack.",
    "Its edge never dulls, and it cuts through rope, chain and wood as though they were cloth.",
    "You can use a bonus action to make it leap from your hand, strike a foe within 30 feet, and return.",
)
RANGED_PROPS = (
    "When drawn with no ammunition nocked, it conjures an arrow of light that vanishes after the shot.",
    "Attacks with it ignore half and three-quarters cover.", "Its long range doubles, and you suffer no disadvantage at long range.",
    "Once per day, a shot from it can split into three, striking up to three targets within 10 feet of each other.",
)
ARMOR_PROPS = (
    "You can don or doff it as an action.", "It never rusts, and always looks freshly polished.",
    "While wearing it, you reduce bludgeoning, piercing and slashing damage from nonmagical attacks by 2.",
    "Once per day, you can become invisible for 1 minute as an action.", "It imposes no disadvantage on Stealth checks.",
    "Any critical hit against you becomes a normal hit.", "While wearing it, you can breathe underwater.",
    "It can shift its appearance to resemble any clothing you imagine.", "You have advantage on saving throws against being frightened.",
    "Once per long rest, when you take damage, you can use your reaction to halve it.",
    "It is feather-light: you can swim and climb while wearing it without penalty.",
    "Runes across it flare when you are targeted by a spell, granting advantage on the saving throw once per day.",
)
WONDROUS_PROPS = (
    "While wearing it, you can speak and understand any language you hear.", "Once per day, you can cast *misty step* without components.",
    "You can see in dim light within 60 feet as if it were bright light.", "While carrying it, you cannot be tracked by nonmagical means.",
    "Once per day, it lets you ask a single yes-or-no question of a spirit of the land.",
    "You gain a +1 bonus to saving throws while you carry it.", "It holds up to 500 pounds in an extradimensional space.",
    "Once per day, you can summon a spectral steed that lasts for 8 hours.",
    "While holding it, you can cast *detect magic* at will.", "It grants a +2 bonus to Wisdom (Perception) checks.",
    "At dawn each day it produces one small, perfectly ripe fruit.", "You can walk across water as though it were solid ground for 10 minutes a day.",
    "It always points toward the nearest source of fresh water.", "Once per day, you can shout its command word to deafen creatures in a 15-foot cone.",
)
RING_PROPS = (
    "While wearing it, you gain a +1 bonus to AC and saving throws.", "You can cast *feather fall* on yourself at will.",
    "You can breathe underwater while wearing it.", "You can turn invisible as an action and stay so until you attack.",
    "You know when you are being watched by a creature within 30 feet.", "You have advantage on checks to resist being charmed.",
    "It stores up to three levels of spells cast into it.", "Your jump distance triples while wearing it.",
    "Once per day, you can cast *charm person* (save DC 14).", "You don't need to eat or drink while wearing it.",
)
WAND_CHARGES = {"common": 3, "uncommon": 5, "rare": 7, "very rare": 10, "legendary": 12}
RARITY_INDEX = {r: i for i, r in enumerate(RARITIES)}
VALUE_RANGE = {"common": (50, 100), "uncommon": (101, 500), "rare": (501, 5000), "very rare": (5001, 50000),
               "legendary": (50001, 250000)}
DICE = ("1d4", "1d6", "1d8", "2d6", "3d6")
SAVE_DC = (12, 13, 15, 17, 19)

CURSES = (
    "Bloodthirst: each dawn it demands a drop of your blood; refuse, and you gain a level of exhaustion.",
    "Clinging: once attuned, you are unwilling to part with it, and attunement ends only through *remove curse*.",
    "Deceit: it whispers lies in your sleep, giving you disadvantage on Wisdom (Insight) checks.",
    "Shadow-theft: your shadow acts on its own at night and knows things it should not.",
    "Misfortune: whenever you roll a natural 1 while using it, an ally within 30 feet takes 2d6 psychic damage.",
    "Hunger of the dead: the ghost of its previous owner follows you, visible only in mirrors, and is getting closer.",
    "Greed: you must succeed on a DC 15 Wisdom save to give away any treasure while carrying it.",
    "Rot: plants wither where you sleep, and animals refuse to come near you.",
    "Vanity: it insists on being displayed; if hidden for more than an hour, it screams.",
    "The Price: each use of its power ages you by one year.",
)
MAKERS = ("the dwarven runesmith {dwarf}", "an elven bladesinger named {elf}", "the mad artificer {gnome}",
          "the priests of a forgotten sun god", "a desperate hedge witch from {place}", "an archmage of the Violet Tower",
          "the giant-smiths of the northern peaks", "a tiefling warlock named {tiefling}", "a dragonborn forge-priest, {dragonborn}",
          "a halfling tinkerer who never admitted it", "the fey court of the Gloaming", "an unknown hand, marked only by a crescent moon")
PURPOSES = ("to slay a dragon that terrorised the north", "as a wedding gift for a queen", "to guard the tomb of a forgotten king",
            "for a champion of the great arena", "to win a bet with a rival", "to end a war that had lasted a generation",
            "as penance for a terrible crime", "to protect a child prophesied to change the world",
            "for a hero who never came back to claim it", "to hunt the things that crawl out of the deep roads")
EVENTS = ("It was carried at the Battle of {place}, where its bearer fell but the {base} did not.",
          "For a century it lay in the hoard of {wyrm}, until a thief with more courage than sense took it.",
          "A line of knights passed it down for five generations before the family was scattered.",
          "It was stolen from a temple vault in {place} and has changed hands in blood ever since.",
          "Bards in {place} still sing of the night it turned back a horde of ghouls.",
          "It spent an age at the bottom of a lake, and water still beads strangely on its surface.",
          "A merchant prince used it as a paperweight for forty years without guessing its worth.",
          "It was buried with a saint, and the saint's tomb was found empty.")
RECENT = ("Most recently it was pawned in {place} by a nervous halfling who swore it spoke to him.",
          "It turned up in a fisherman's net off the coast near {place}.",
          "Now it waits in a collector's locked gallery in {place}, and the collector is looking for someone to test it.",
          "It was last seen on the belt of a bandit chief who rules the hills above {place}.",
          "An auction house in {place} will offer it next month, and several dangerous people plan to attend.",
          "A dying soldier pressed it into a stranger's hands outside {place} and said only: 'Finish it.'")
WYRM_COLOURS = ("red", "blue", "green", "black", "white", "bronze", "silver", "copper")


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    """(base, kind, rarity, element, cursed, material, effect, spell, maker's ancestry) the prompt names, each or
    None (cursed: a bool)."""
    return (BASE_MATCHER.first(prompt), KIND_MATCHER.first(prompt), RARITY_MATCHER.first(prompt),
            ELEMENT_MATCHER.first(prompt), bool(CURSE_MATCHER.first(prompt)), MATERIAL_MATCHER.first(prompt),
            EFFECT_MATCHER.first(prompt), SPELL_MATCHER.first(prompt), ANCESTRY_MATCHER.first(prompt))


def _round_value(v: int) -> int:
    if v < 100:
        return v - v % 5 or 5
    mag = 10 ** (len(str(v)) - 2)
    return v - v % mag


def item_name(rng: Random, base: str, kind: str, rarity: str, element: str | None, cursed: bool,
              material: str | None = None, material_named: bool = False, effect: str | None = None,
              spell: str | None = None, maker_adj: str | None = None) -> str:
    """Name for an item (also used by quests to name rewards).

    A material the prompt named (``material_named``) always shows in the name, a random one sometimes;
    so do a named power (``effect``, a key of EFFECTS), a scroll's named ``spell`` and the makers' adjective.
    """
    r = rng.random
    el = ELEMENTS[element] if element else None
    base_t = titlecase(base)
    if kind in ("potion", "scroll"):
        if kind == "potion":
            if effect and EFFECTS[effect][1]:
                eff = EFFECTS[effect][1]
            else:
                eff = pick(rng, POTION_EFFECTS[element] if element and r() < 0.75 else POTION_EFFECTS[None])
            core = f"{pick(rng, POTION_VESSELS)} of {eff}"
        else:
            tier = RARITY_INDEX[rarity]
            if not spell:
                spell = pick(rng, el[4]) if el and r() < 0.8 else pick(rng, GENERAL_SPELLS[tier])
            core = f"Scroll of {titlecase(spell)}"
        roll = r()
        if roll < 0.4:
            return f"{pick(rng, POTION_ADJ if kind == 'potion' else GENERAL_ADJ)} {core}"
        if roll < 0.8:
            return f"{N.first_name(rng, pick(rng, N.ANCESTRIES))}'s {core}"
        return f"{core} from {N.settlement_name(rng)}"
    if material and (material_named or r() < 0.5):
        adj = MATERIALS[material][1]
        if cursed and r() < 0.5:
            adj = f"{pick(rng, CURSE_ADJ)} {adj}"
    elif maker_adj and r() < 0.7:
        adj = maker_adj
    else:
        adj = pick(rng, CURSE_ADJ) if cursed and r() < 0.5 else pick(rng, el[1] if el and r() < 0.7 else GENERAL_ADJ)
    power = EFFECTS[effect][2] if effect else titlecase(spell) if spell and kind == "wand" else None
    if power:  # "Boots of Speed", "Mithral Boots of Speed", "Wand of Magic Missile"
        return f"{adj} {base_t} of {power}" if material_named or r() < 0.6 else f"{base_t} of {power}"
    abstract = pick(rng, el[2]) if el and r() < 0.6 else pick(rng, GENERAL_ABSTRACT)
    roll = r()
    if rarity in ("rare", "very rare", "legendary") and roll < 0.35:
        first = pick(rng, COMPOUND_A)
        second = pick(rng, COMPOUND_B)
        return f"{first}{second}, the {adj} {base_t}"
    if roll < 0.55:
        return f"{adj} {base_t} of {abstract}"
    if roll < 0.8:
        return f"{N.first_name(rng, pick(rng, N.ANCESTRIES))}'s {adj} {base_t}"
    return f"The {adj} {base_t} of {N.settlement_name(rng)}"


def _properties(rng: Random, kind: str, base: str, rarity: str, element: str | None, bonus: int,
                name: str, effect: str | None = None, spell: str | None = None) -> list[str]:
    tier = RARITY_INDEX[rarity]
    props: list[str] = []
    el = ELEMENTS[element] if element else None
    dmg = el[3] if el else ""
    ward = effect == "protection" and el is not None  # "an amulet of protection against fire": resistance, not a blast
    if kind == "weapon":
        if bonus:
            props.append(f"You gain a +{bonus} bonus to attack and damage rolls made with this magic weapon.")
        if el:
            props.append(f"On a hit, it deals an extra {DICE[tier]} {dmg} damage.")
        pool = WEAPON_PROPS + (RANGED_PROPS if BASES[base][1] == "bow" else MELEE_PROPS)
    elif kind == "armor":
        if bonus:
            props.append(f"You gain a +{bonus} bonus to AC while {'wielding' if base == 'shield' else 'wearing'} it.")
        if el:
            props.append(f"You have resistance to {dmg} damage.")
        pool = ARMOR_PROPS
    elif kind == "ring":
        if el:
            props.append(f"You have resistance to {dmg} damage while wearing it.")
        pool = RING_PROPS
    elif kind == "wand":
        charges = WAND_CHARGES[rarity]
        if not spell:
            spell = pick(rng, el[4][: tier + 1]) if el else pick(rng, GENERAL_SPELLS[min(tier, 4)])
        props.append(f"It has {charges} charges. Expend 1 charge to cast *{spell}* (save DC {SAVE_DC[tier]}). "
                     f"It regains 1d{max(4, charges - 2)} charges at dawn.")
        pool = WONDROUS_PROPS
    elif kind == "potion":
        effect = name.split(" of ", 1)[1].split(" from ")[0] if " of " in name else "Healing"
        heal = ("2d4+2", "4d4+4", "8d4+8", "10d4+20", "12d4+30")[tier]
        text = POTION_TEXT.get(effect)
        if text is None:  # "<Element> Resistance"
            text = f"You have resistance to {dmg or 'one chosen type of'} damage for 1 hour."
        props.append(text.format(heal=heal, heal2=("4d4+4", "8d4+8", "10d4+20", "12d4+30", "20d4+40")[tier],
                                 str=21 + tier))
        props.append("Drinking it, or feeding it to an unconscious creature, takes an action.")
        return props
    elif kind == "scroll":
        props.append(f"Reading it casts the spell written upon it (save DC {SAVE_DC[tier]}, attack {'+' + str(SAVE_DC[tier] - 8)}).")
        props.append("The scroll crumbles to ash once the spell is cast.")
        if el:
            props.append(f"Its ink is warm to the touch and smells of {('smoke', 'snow', 'ozone', 'rain', 'bitter almonds', 'vinegar', 'incense', 'grave dirt', 'nothing at all', 'starlight')[ELEMENT_NAMES.index(element)]}.")
        return props
    else:
        pool = WONDROUS_PROPS
        if ward:
            props.append(f"You have resistance to {dmg} damage while you wear or carry it.")
        elif el:
            props.append(f"Once per day, you can unleash a burst of {dmg} energy in a 15-foot radius "
                         f"({DICE[tier + (0 if tier == 4 else 0)]} {dmg} damage, DC {SAVE_DC[tier]} Dexterity save for half).")
    n_extra = (1, 1, 2, 2, 3)[tier]
    if effect and not (ward and kind in ("armor", "ring")):
        props.append(EFFECTS[effect][3])
        n_extra -= 1
    if props and tier < 2 and n_extra:
        n_extra -= 1 if rng.random() < 0.5 else 0
    props.extend(sample(rng, pool, n_extra))
    return props


def build(prompt: str, form: ItemForm, seed: int) -> ItemContent:
    rng = Random(seed)
    r = rng.random
    p_base, p_kind, p_rarity, p_element, p_cursed, p_material, p_effect, p_spell, p_maker = parse_prompt(prompt or "")
    # kind and base: the form wins; a prompt base of the same kind refines it
    if form.kind != "any":
        kind = form.kind
        base = p_base if p_base and BASES[p_base][0] == kind else pick(rng, BASES_BY_KIND[kind])
    elif p_base:
        base = p_base
        kind = BASES[base][0]
    else:
        kind = p_kind or pick(rng, KINDS)
        base = pick(rng, BASES_BY_KIND[kind])
    shape = BASES[base][1]
    rarity = form.rarity if form.rarity != "any" else (
        p_rarity or pick(rng, ("common", "uncommon", "uncommon", "rare", "rare", "very rare", "legendary")))
    tier = RARITY_INDEX[rarity]
    # a named power or spell is the point of the item: no random element on top of it
    element = p_element or (pick(rng, ELEMENT_NAMES) if r() < 0.45 and not (p_effect or p_spell) else None)
    if p_spell and kind not in ("scroll", "wand"):
        p_spell = None
    if p_effect and kind == "potion" and not EFFECTS[p_effect][1]:
        p_effect = None
    if form.cursed == "yes":
        cursed = True
    elif form.cursed == "no":
        cursed = False
    else:
        cursed = p_cursed or r() < 0.12
    bonus = (0, 1, 2, 2, 3)[tier] if kind in ("weapon", "armor") else 0
    if p_material:
        material = p_material
    elif shape in MATERIALS_BY_SHAPE and r() < 0.3:
        material = pick(rng, MATERIALS_BY_SHAPE[shape])
    else:
        material = None
    name = item_name(rng, base, kind, rarity, element, cursed, material, p_material is not None,
                     p_effect if kind != "scroll" else None, p_spell, ANCESTRY_ADJ.get(p_maker or ""))
    props = _properties(rng, kind, base, rarity, element, bonus, name, p_effect if kind not in ("potion", "scroll") else None,
                        p_spell)
    lo, hi = VALUE_RANGE[rarity]
    value = lo + int(r() * (hi - lo))
    if kind in ("potion", "scroll"):
        value //= 2
    value = _round_value(max(value, 10))
    attunement = kind not in ("potion", "scroll") and (cursed or r() < (0.05, 0.3, 0.55, 0.75, 0.95)[tier])
    curse = None
    if cursed:
        curse = pick(rng, CURSES)
        if element:
            curse += f" Worse, its {ELEMENTS[element][3]} power sometimes turns on its bearer."
    places = (N.settlement_name(rng), N.settlement_name(rng))
    fmt = {
        "dwarf": N.person_name(rng, "dwarf"), "elf": N.person_name(rng, "elf"), "gnome": N.person_name(rng, "gnome"),
        "tiefling": N.person_name(rng, "tiefling"), "dragonborn": N.person_name(rng, "dragonborn"), "place": places[0],
        "base": base, "wyrm": f"{N.first_name(rng, 'dragonborn')} the {pick(rng, WYRM_COLOURS).title()}",
    }
    maker = (MAKERS[ANCESTRY_MAKERS[p_maker]] if p_maker in ANCESTRY_MAKERS else pick(rng, MAKERS)).format(**fmt)
    when = pick(rng, ("some three hundred years ago", "over a thousand years ago", "ninety years ago", "six centuries ago",
                      "two thousand years ago", "barely forty years ago", "in the last days of the old empire"))
    made_of = f"{MATERIALS[material][1].lower()} " if material else ""
    hist = [f"This {made_of}{base} was {VERB[kind]} by {maker} {when} {pick(rng, PURPOSES)}."]
    hist.append(pick(rng, CONSUMABLE_EVENTS if kind in ("potion", "scroll") else EVENTS).format(**fmt))
    if cursed:
        hist.append(pick(rng, ("Every owner since has died within a year of claiming it.",
                               "Those who have carried it speak of voices, and of a debt that grows.",
                               "Somewhere along the way, something crawled inside it and never left.")))
    fmt["place"] = places[1]
    hist.append(pick(rng, RECENT).format(**fmt))
    return construct(ItemContent,
        name=name, kind=kind, base=base, shape=shape, rarity=rarity, element=element, material=material, bonus=bonus,
        properties=props,
        history=" ".join(hist), value=value, attunement=attunement, curse=curse,
    )


assert set(KindName.__args__) == set(KINDS) and set(RarityName.__args__) == set(RARITIES)
assert set(BaseName.__args__) == set(BASES) and set(ShapeName.__args__) == {v[1] for v in BASES.values()}
assert set(ElementName.__args__) == set(ELEMENTS) and set(MaterialName.__args__) == set(MATERIALS)
