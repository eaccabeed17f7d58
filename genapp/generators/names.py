"""Name tables and builders: people by ancestry, settlements, regions and sites.

Everything is built from syllables and compound parts so the name space is huge
(millions of people names), while staying pronounceable and flavourful.
"""

from __future__ import annotations

from random import Random

ANCESTRIES: tuple[str, ...] = ("human", "elf", "dwarf", "halfling", "gnome", "half-orc", "tiefling", "dragonborn")

ANCESTRY_LABEL = {
    "human": "Human", "elf": "Elf", "dwarf": "Dwarf", "halfling": "Halfling", "gnome": "Gnome",
    "half-orc": "Half-Orc", "tiefling": "Tiefling", "dragonborn": "Dragonborn",
}
ANCESTRY_ADJ = {
    "human": "human", "elf": "elven", "dwarf": "dwarven", "halfling": "halfling", "gnome": "gnomish",
    "half-orc": "half-orc", "tiefling": "tiefling", "dragonborn": "dragonborn",
}

# Prompt keywords for ancestries (shared by character and NPC).
ANCESTRY_KEYWORDS = {
    "half-orc": ("half orc*", "orc*", "halforc*", "tusk*"),
    "half-elf-ish-human": (),  # placeholder keeps order stable; never matched
    "dwarf": ("dwar*", "duergar"),
    "elf": ("elf", "elves", "elven", "elvish", "elfin", "drow", "eladrin", "sylvan"),
    "halfling": ("halfling*", "hobbit*", "hin", "small folk"),
    "gnome": ("gnom*", "tinker gnome"),
    "tiefling": ("tiefling*", "infernal", "fiendish", "devil blooded", "horned"),
    "dragonborn": ("dragonborn*", "draconic", "dragonkin", "scaled", "scaly", "lizard folk"),
    "human": ("human*", "man", "woman", "mortal"),
}
ANCESTRY_KEYWORDS.pop("half-elf-ish-human")

_HUMAN_GIVEN = (
    "Aldric", "Alys", "Anselm", "Aric", "Bertram", "Brenna", "Briony", "Cassia", "Cedric", "Corin",
    "Dara", "Darian", "Edda", "Edric", "Elara", "Elias", "Elspeth", "Emeric", "Fenna", "Garrett",
    "Gideon", "Greta", "Gwen", "Hale", "Halden", "Helena", "Hugo", "Ilse", "Isolde", "Jarek",
    "Jorah", "Kael", "Kasimir", "Katrin", "Leofric", "Lena", "Lorcan", "Lucan", "Maren", "Marek",
    "Mathild", "Merrick", "Mira", "Nadia", "Nessa", "Oren", "Osric", "Petra", "Quentin", "Rhea",
    "Roland", "Rowena", "Sabine", "Selene", "Silas", "Sigrun", "Tamsin", "Theron", "Tilde", "Tobias",
    "Ulric", "Una", "Valen", "Vera", "Wendel", "Wilhelmina", "Wystan", "Yara", "Yorick", "Zora",
    "Agnes", "Bram", "Cora", "Dunstan", "Esme", "Florian", "Gisela", "Idris", "Jessamy", "Lise",
    "Magnus", "Niamh", "Odo", "Perrin", "Ragna", "Sten", "Thea", "Ansgar", "Beatrix", "Conrad",
)
_HUMAN_START = ("Al", "Bren", "Cal", "Dar", "Ed", "Fal", "Gar", "Hal", "Is", "Jor", "Kel", "Lor", "Mar",
                "Nor", "Os", "Per", "Ros", "Sar", "Tam", "Ul", "Val", "Wil", "Ev", "Cor", "Ren", "Aud")
_HUMAN_END = ("ric", "wyn", "da", "mund", "ina", "bert", "helm", "iel", "ane", "old", "ette", "an",
              "ora", "wen", "is", "gar", "ith", "ard", "ella", "ton")
_HUMAN_SUR_A = ("Ash", "Black", "Bright", "Brook", "Cole", "Crane", "Dun", "Fair", "Fletch", "Gray",
                "Hale", "Hart", "Hawk", "Holt", "Marsh", "Mill", "North", "Raven", "Red", "Rook",
                "Stan", "Thorn", "Wester", "White", "Wood", "Wyn", "Ald", "Brad", "Kings", "Lang",
                "Ember", "Wolf", "Hollow", "Green", "Stock")
_HUMAN_SUR_B = ("ford", "wood", "well", "wick", "ley", "ton", "field", "more", "brook", "by",
                "worth", "cott", "hurst", "den", "stead", "wright", "gate", "bury", "shaw", "low")
_HUMAN_SUR_WHOLE = ("Cooper", "Fletcher", "Mason", "Thatcher", "Tanner", "Miller", "Weaver", "Chandler",
                    "Carver", "Sawyer", "Baker", "Fuller", "Dyer", "Archer", "Porter", "Walker",
                    "Reeve", "Marlowe", "Vance", "Corbin", "Ravensworth", "Castellan", "Voss", "Drummond")

# (starts, middles, ends, surname A, surname B)
_SYLLABLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "elf": (
        ("Ae", "Al", "Ara", "Cae", "Ela", "Ere", "Fae", "Gal", "Ila", "Lia", "Mia", "Nai", "Syl", "Tha",
         "Vae", "Ya", "Ri", "Aer", "Quel", "Lue", "Sha", "Ilph", "Ely", "Thi", "Nae", "Cel", "Eär", "Ol"),
        ("la", "ri", "the", "lo", "na", "va", "ssa", "le", "di", "ra"),
        ("driel", "nis", "thas", "rian", "wyn", "riel", "lith", "dor", "neth", "iel", "ara", "vian",
         "ndil", "sar", "reth", "ion", "is", "wen", "ith", "ael", "lin", "thir", "las", "ndra"),
        ("Moon", "Star", "Silver", "Dawn", "Leaf", "Mist", "Gold", "Night", "Sun", "Wind", "River",
         "Amber", "Willow", "Thorn", "Dusk", "Frost", "Sky", "Glimmer", "Shadow", "Autumn", "Oak", "Fern"),
        ("whisper", "bough", "song", "blossom", "shade", "brook", "petal", "weaver", "gleam", "dancer",
         "breeze", "flower", "fall", "bloom", "runner", "glade", "eyes", "star", "veil", "leaf"),
    ),
    "dwarf": (
        ("Thor", "Bal", "Dur", "Gim", "Bram", "Hel", "Kil", "Mor", "Ors", "Rur", "Thra", "Vond", "Eb",
         "Gar", "Har", "Dag", "Bel", "Brun", "Fal", "Gund", "Ild", "Kat", "Magn", "Ris", "Tor", "Ulf",
         "Dain", "Ov", "Torv", "Bof"),
        ("an", "o", "ur", "a", "i", "er"),
        ("in", "ak", "grim", "dal", "dra", "rik", "ra", "hild", "ny", "gar", "bek", "dis", "na",
         "mund", "ulf", "run", "ek", "li", "vik", "gret", "dun", "bor"),
        ("Iron", "Stone", "Bronze", "Gold", "Anvil", "Coal", "Granite", "Deep", "Frost", "Flint",
         "Hammer", "Copper", "Battle", "Ember", "Fire", "Black", "Grim", "Oak", "Rune", "Steel",
         "Silver", "Thunder", "Forge", "Mithril", "Cinder", "Ale"),
        ("beard", "fist", "hammer", "forge", "delve", "helm", "shield", "mantle", "brow", "axe", "mail",
         "heart", "gut", "vein", "bellow", "hold", "tooth", "brand", "song", "chisel", "braid", "mug"),
    ),
    "halfling": (
        ("Al", "Bil", "Cor", "El", "Fin", "Gar", "Lin", "Mer", "Os", "Per", "Ros", "Wel", "Cal", "Lav",
         "Mil", "Nor", "Pip", "Sam", "Tob", "Bree", "Cade", "Dim", "Jil", "Kit", "Mag", "Rob", "Tam"),
        ("a", "i", "o", "li", "ber"),
        ("ton", "do", "ric", "lie", "wise", "bo", "ly", "der", "ie", "in", "a", "mond", "by", "wick",
         "sy", "pin", "ry", "o", "kin", "well"),
        ("Tea", "Brush", "Good", "High", "Hill", "Under", "Green", "Tall", "Thorn", "Apple", "Honey",
         "Meadow", "Bramble", "Button", "Quick", "Tumble", "Barley", "Clover", "Warm", "Butter", "Pud"),
        ("leaf", "gather", "barrel", "bottle", "hill", "foot", "bough", "dale", "hearth", "burrow",
         "wick", "top", "brook", "sprout", "whistle", "kettle", "cake", "field", "pocket", "toes"),
    ),
    "gnome": (
        ("Al", "Bim", "Bod", "Dim", "Ell", "Fon", "Fren", "Glim", "Jeb", "Kel", "Nam", "Orr", "Pock",
         "Roon", "Seeb", "Sind", "Wren", "Zook", "Bree", "Car", "Lil", "Nis", "Quil", "Tink", "Zan", "Fib"),
        ("bi", "le", "o", "ni", "za"),
        ("ston", "ble", "wick", "ny", "kin", "dle", "bo", "lyn", "pip", "ra", "nock", "zle", "fizz",
         "bit", "mink", "to", "ella", "ix", "wink", "pot"),
        ("Cog", "Sprocket", "Whistle", "Fizzle", "Gear", "Copper", "Tinker", "Spark", "Bellow", "Puddle",
         "Wobble", "Nimble", "Bright", "Glitter", "Thimble", "Button", "Quill", "Pebble", "Moss", "Twinkle"),
        ("spinner", "bang", "wick", "whistle", "bottom", "nose", "twist", "pocket", "gauge", "sprocket",
         "cap", "bottle", "fuse", "crank", "dapple", "top", "spark", "tooth", "glimmer", "knot"),
    ),
    "half-orc": (
        ("Gra", "Dru", "Kro", "Tha", "Ur", "Mhu", "Sha", "Bro", "Yev", "Ov", "Vol", "Ront", "Gor", "Zug",
         "Hol", "Nar", "Ush", "Bol", "Ska", "Mog", "Dench", "Kesh", "Imsh", "Baggi", "Ors", "Gru", "Kru"),
        ("a", "u", "o", "e", "ag", "ur"),
        ("k", "sh", "g", "th", "ra", "nak", "ruk", "za", "mok", "gul", "dash", "ka", "nar", "lok",
         "ush", "ga", "rek", "vol", "gash", "ma"),
        ("Blood", "Skull", "Bone", "Iron", "Red", "Black", "Storm", "Ash", "Broken", "Gut", "Tusk",
         "War", "Grave", "Scar", "Dust", "Wolf", "Ember", "Rock", "Thunder", "Gore", "Boar"),
        ("tusk", "fang", "hand", "splitter", "crusher", "maw", "eye", "jaw", "fist", "scar", "howl",
         "brand", "ripper", "hide", "tooth", "back", "breaker", "heart", "claw", "rage"),
    ),
    "tiefling": (
        ("Ak", "Am", "Bar", "Dam", "Ek", "Ia", "Kall", "Leu", "Mel", "Mor", "Pel", "Sk", "Ze", "Ori",
         "Ner", "Mak", "Cri", "Bry", "Kai", "Lil", "Vex", "Zar", "Ash", "Nem", "Rie", "Xa"),
        ("a", "e", "i", "o", "y"),
        ("menos", "akos", "ele", "thos", "ias", "ari", "aia", "eth", "osh", "ith", "is", "ea", "ael",
         "ikar", "ora", "eus", "ax", "yx", "ira", "oth"),
        ("Ash", "Cinder", "Brim", "Hex", "Sable", "Vesper", "Night", "Scarlet", "Ruin", "Smoke",
         "Dusk", "Coal", "Mourn", "Sin", "Wick", "Thorn", "Ember", "Grim"),
        ("veil", "song", "horn", "mark", "brand", "crown", "flame", "tongue", "whisper", "thorn",
         "heart", "tail", "shade", "glass", "wick", "bane", "vow", "mire"),
    ),
    "dragonborn": (
        ("Arj", "Bal", "Bhar", "Dor", "Ghesh", "Hesk", "Kriv", "Med", "Nad", "Pand", "Patr", "Rhog",
         "Sham", "Shed", "Tarh", "Tor", "Akr", "Bir", "Dav", "Far", "Har", "Jhe", "Kav", "Kor", "Mish",
         "Nal", "Perr", "Rai", "Sor", "Sur", "Thav", "Uad"),
        ("a", "i", "o", "e", "u"),
        ("han", "esh", "inn", "ar", "jed", "as", "ash", "ax", "in", "ur", "ideh", "ann", "ara", "ra",
         "ith", "ora", "ex", "ven", "isk", "ak"),
        ("Kerr", "Daar", "Delm", "Drach", "Fenk", "Kep", "Kim", "Linx", "Myas", "Nemm", "Norix", "Ophin",
         "Prex", "Shest", "Turn", "Verth", "Yarj", "Thar", "Vor", "Zyr", "Clet"),
        ("hylon", "dendrian", "irev", "edandion", "enkabradon", "eshkmolik", "batuul", "akasendalor",
         "tan", "onis", "ius", "shtalajiir", "ijandilin", "endeliath", "uroth", "isathur", "erit",
         "axis", "ithar", "andor"),
    ),
}
_TIEFLING_VIRTUES = ("Ambition", "Art", "Carrion", "Chant", "Creed", "Despair", "Excellence", "Fear",
                     "Glory", "Hope", "Ideal", "Music", "Nowhere", "Open", "Poetry", "Quest", "Reverence",
                     "Sorrow", "Temerity", "Torment", "Weary", "Vigil", "Whimsy", "Solace", "Mercy", "Riddle")


def _syllabic(rng: Random, starts, mids, ends, p_mid: float = 0.25) -> str:
    r = rng.random
    s = starts[int(r() * len(starts))]
    if r() < p_mid:
        s += mids[int(r() * len(mids))]
    e = ends[int(r() * len(ends))]
    if s[-1] == e[0]:  # avoid doubled letters at the joint ("Thorr")
        if len(e) > 1:
            e = e[1:]
        else:
            s = s[:-1]
    return s + e


def first_name(rng: Random, ancestry: str) -> str:
    r = rng.random
    if ancestry == "human":
        if r() < 0.6:
            return _HUMAN_GIVEN[int(r() * len(_HUMAN_GIVEN))]
        return _syllabic(rng, _HUMAN_START, ("a", "e", "i"), _HUMAN_END, 0.15)
    if ancestry == "tiefling" and r() < 0.25:
        return _TIEFLING_VIRTUES[int(r() * len(_TIEFLING_VIRTUES))]
    starts, mids, ends, _, _ = _SYLLABLES.get(ancestry) or _SYLLABLES["elf"]
    return _syllabic(rng, starts, mids, ends)


def surname(rng: Random, ancestry: str) -> str:
    r = rng.random
    if ancestry == "human" or (ancestry == "tiefling" and r() < 0.3):
        if r() < 0.2:
            return _HUMAN_SUR_WHOLE[int(r() * len(_HUMAN_SUR_WHOLE))]
        return _HUMAN_SUR_A[int(r() * len(_HUMAN_SUR_A))] + _HUMAN_SUR_B[int(r() * len(_HUMAN_SUR_B))]
    _, _, _, sa, sb = _SYLLABLES.get(ancestry) or _SYLLABLES["elf"]
    a = sa[int(r() * len(sa))]
    b = sb[int(r() * len(sb))]
    if a.lower() == b:
        b = sb[(sb.index(b) + 1) % len(sb)]
    return a + b


def person_name(rng: Random, ancestry: str) -> str:
    return f"{first_name(rng, ancestry)} {surname(rng, ancestry)}"


# ---------------------------------------------------------------- places
_PLACE_A = ("Ash", "Black", "Bramble", "Briar", "Cold", "Crow", "Dun", "Elder", "Fern", "Frost", "Glen",
            "Gold", "Grey", "Hallow", "Haven", "High", "Iron", "King's", "Long", "Mist", "Moss", "North",
            "Oak", "Raven", "Red", "Salt", "Silver", "Stone", "Storm", "Thorn", "Wolf", "Wyvern", "Amber",
            "Bright", "Deep", "East", "Fair", "Green", "Hollow", "Lark", "Queen's", "Rook", "Sable",
            "Tarn", "Umber", "Willow", "Yew", "Copper", "Crag", "Heron")
_PLACE_B = ("ford", "haven", "mere", "wick", "hollow", "reach", "vale", "moor", "watch", "gate", "holm",
            "stead", "bridge", "fall", "crest", "barrow", "marsh", "rest", "brook", "field", "cross",
            "dale", "keep", "port", "shire", "stone", "well", "wood", "burgh", "tor", "combe", "by")
_REGION_START = ("Ael", "Bar", "Cor", "Dra", "Eld", "Fen", "Gal", "Hyr", "Ith", "Kor", "Lor", "Mar",
                 "Nor", "Ost", "Pel", "Quar", "Ryn", "Sar", "Tal", "Ul", "Ver", "Wen", "Xan", "Ys",
                 "Zar", "Alb", "Bel", "Car", "Dun", "Esk", "Mor", "Thal", "Val", "Ar", "Kel", "Om")
_REGION_MID = ("a", "e", "i", "o", "an", "en", "or", "ath", "ul", "ir", "eth", "ad")
_REGION_END = ("dor", "mar", "heim", "gard", "ia", "os", "land", "reach", "vale", "mark", "wyn", "thas",
               "morrow", "ost", "enne", "aire", "ovia", "esh", "orn", "ynd", "amar", "ith", "oria", "ant")
_REGION_ADJ = ("Shattered", "Sundered", "Ashen", "Verdant", "Drowned", "Burning", "Silent", "Gilded",
               "Broken", "Endless", "Whispering", "Frozen", "Hollow", "Crimson", "Wandering", "Thorned",
               "Starfallen", "Sunken", "Howling", "Twilight", "Forgotten", "Iron", "Amber", "Veiled")
_REGION_NOUN = ("Marches", "Reaches", "Kingdoms", "Isles", "Dominion", "Expanse", "Heartlands", "Wilds",
                "Coast", "Principalities", "Realms", "Frontier", "Baronies", "Provinces", "Lowlands",
                "Highlands", "Vales", "Steppes", "Wastes", "Commonwealth")


def settlement_name(rng: Random) -> str:
    r = rng.random
    a = _PLACE_A[int(r() * len(_PLACE_A))]
    b = _PLACE_B[int(r() * len(_PLACE_B))]
    if a.endswith("'s"):
        return f"{a} {b.capitalize()}"
    if a[-1] == b[0] or a.lower().endswith(b):
        b = _PLACE_B[(_PLACE_B.index(b) + 3) % len(_PLACE_B)]
    return a + b


def syllabic_name(rng: Random) -> str:
    return _syllabic(rng, _REGION_START, _REGION_MID, _REGION_END, 0.35)


def region_name(rng: Random) -> str:
    r0 = rng.random()
    r = rng.random
    if r0 < 0.35:
        return syllabic_name(rng)
    if r0 < 0.65:
        return f"{syllabic_name(rng)} {_REGION_NOUN[int(r() * len(_REGION_NOUN))]}"
    if r0 < 0.9:
        return f"The {_REGION_NOUN[int(r() * len(_REGION_NOUN))]} of {syllabic_name(rng)}"
    return f"The {_REGION_ADJ[int(r() * len(_REGION_ADJ))]} {_REGION_NOUN[int(r() * len(_REGION_NOUN))]}"


# Site names per environment: (adjectives/first parts, nouns)
SITE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "forest": (("Whisper", "Elder", "Thorn", "Moss", "Gloam", "Briar", "Wolf", "Antler", "Shade", "Oak"),
               ("wood", "weald", "glade", "copse", "hollow", "thicket", "grove")),
    "swamp": (("Black", "Rot", "Sorrow", "Gallows", "Murk", "Leech", "Drown", "Fog", "Bog", "Weep"),
              ("fen", "mire", "bog", "marsh", "slough", "mere", "sump")),
    "mountain": (("Storm", "Eagle", "Giant's", "Frost", "Iron", "Cloud", "Grey", "Wyrm", "Broken", "High"),
                 ("peak", "crag", "pass", "spire", "tooth", "horn", "scar")),
    "desert": (("Sun", "Bone", "Dust", "Glass", "Red", "Scorch", "Mirage", "Salt", "Ember", "Amber"),
               ("dunes", "waste", "flats", "mesa", "sands", "reach", "basin")),
    "arctic": (("Ice", "Frost", "White", "Rime", "Winter", "Howl", "Snow", "Glacier", "Pale", "Bitter"),
               ("fjord", "drift", "field", "shelf", "tundra", "hold", "floe")),
    "coast": (("Salt", "Gull", "Wreck", "Tide", "Storm", "Drift", "Siren", "Kelp", "Grey", "Gale"),
              ("cove", "strand", "point", "bay", "rocks", "sound", "head")),
    "underdark": (("Deep", "Glow", "Spider", "Echo", "Black", "Silent", "Fungal", "Crystal", "Lightless", "Shard"),
                  ("hollow", "chasm", "warren", "vault", "grotto", "deeps", "gulf")),
    "dungeon": (("Bone", "Iron", "Sunken", "Forsaken", "Weeping", "Blood", "Chain", "Ash", "Mad King's", "Serpent"),
                ("crypt", "vault", "halls", "catacombs", "keep", "oubliette", "sanctum")),
    "urban": (("Lantern", "Cutpurse", "Copper", "Guild", "Old", "Market", "Rat", "Bell", "Gallows", "Dock"),
              ("alley", "row", "square", "ward", "quarter", "lane", "steps")),
    "grassland": (("Wind", "Barrow", "Long", "Gold", "Red", "Hawk", "Horse", "Thistle", "Bright", "Lone"),
                  ("downs", "plain", "meadow", "heath", "steppe", "fields", "lea")),
    "ruins": (("Fallen", "Broken", "Sunken", "Ancient", "Shattered", "Lost", "Moon", "Old King's", "Hollow", "Ivy"),
              ("citadel", "temple", "tower", "colonnade", "abbey", "bastion", "palace")),
}


def site_name(rng: Random, environment: str) -> str:
    firsts, nouns = SITE_WORDS.get(environment) or SITE_WORDS["ruins"]
    r = rng.random
    f = firsts[int(r() * len(firsts))]
    n = nouns[int(r() * len(nouns))]
    roll = r()
    if roll < 0.35:
        return f"{f}{n}" if not f.endswith(("'s", "d King's")) and " " not in f else f"{f} {n.title()}"
    if roll < 0.7:
        return f"the {f} {n.title()}"
    return f"the {n.title()} of {settlement_name(rng)}"
