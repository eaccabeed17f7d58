"""Shared tables for people (player characters and NPCs): moods, looks, personality."""

from __future__ import annotations

from random import Random
from typing import Literal

from . import names as N
from ._text import Matcher, a, pick

# ------------------------------------------------------------------ moods
# mood -> (prompt keywords, personality traits, portrait expression)
MOODS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "grumpy": (
        ("grump*", "grouch*", "cranky", "surly", "gruff", "curmudgeon*", "irritable", "cantankerous", "sour", "bitter",
         "angry", "ill tempered", "bad tempered", "short tempered", "irascible", "testy", "crabby"),
        ("Complains about everything, yet never leaves a job unfinished.",
         "Greets every new idea with a scowl and a long-suffering sigh.",
         "Mutters under their breath about the good old days.",
         "Has a short fuse and a long memory for slights."),
        "frown",
    ),
    "cheerful": (
        ("cheerful", "jolly", "happy", "jovial", "merry", "optimist*", "sunny", "bubbly", "upbeat", "friendly"),
        ("Laughs easily and loudly, often at their own jokes.",
         "Finds a silver lining in every storm cloud.",
         "Hums a tune while working, whether anyone likes it or not.",
         "Makes friends with every stranger within an hour."),
        "smile",
    ),
    "brooding": (
        ("brood*", "melanchol*", "sad", "gloomy", "tragic", "mournful", "sombre", "somber", "morose", "haunted"),
        ("Stares into campfires as if reading something in the flames.",
         "Speaks little, and rarely of the past.",
         "Keeps a token of someone long gone and turns it over when thinking.",
         "Expects the worst and is rarely disappointed."),
        "sad",
    ),
    "cunning": (
        ("cunning", "sly", "clever", "scheming", "wily", "devious", "shrewd", "crafty", "manipulative"),
        ("Always has a second plan, and a third hidden behind it.",
         "Answers questions with questions.",
         "Notices every exit the moment they walk into a room.",
         "Keeps a mental ledger of who owes them favours."),
        "smirk",
    ),
    "brave": (
        ("brave", "bold", "fearless", "valiant", "courageous", "daring", "dauntless", "gallant"),
        ("Steps forward first when danger shows its face.",
         "Cannot stand by while the weak are bullied.",
         "Treats fear as a signpost pointing toward what must be done.",
         "Speaks plainly, even to kings."),
        "determined",
    ),
    "nervous": (
        ("nervous*", "anxious*", "anxiety", "jittery", "jumpy", "twitchy", "edgy", "on edge", "fretful", "fretting",
         "skittish", "paranoid", "uneasy", "fidget*", "panick*", "frightened", "scared", "fearful", "worried", "worrying",
         "high strung", "highly strung", "neurotic", "agitated", "tense", "trembling", "shaky", "sweaty", "sweating"),
        ("Jumps at every loud noise, then laughs too late to hide it.",
         "Keeps glancing at the door, as if expecting someone to come through it.",
         "Talks fast when worried, and faster still when lying.",
         "Chews their nails to the quick and sweats through every conversation."),
        "worried",
    ),
    "shy": (
        ("shy", "timid", "meek", "quiet", "awkward", "bashful", "mousy", "retiring", "soft spoken", "introvert*"),
        ("Speaks softly and apologises too often.",
         "Fidgets with a loose thread whenever someone looks their way.",
         "Would rather listen to ten stories than tell one.",
         "Freezes in crowds but is steady as stone when alone with a task."),
        "worried",
    ),
    "arrogant": (
        ("arrogant", "proud", "haughty", "vain", "pompous", "smug", "conceited", "snob*", "entitled"),
        ("Assumes they are the most capable person in any room.",
         "Corrects everyone's grammar, manners and technique.",
         "Dresses better than the occasion demands, always.",
         "Mentions their accomplishments at every opportunity."),
        "smirk",
    ),
    "kind": (
        ("kind", "kindly", "kind hearted", "gentle", "caring", "compassionate", "warm hearted", "generous", "soft hearted",
         "nurturing", "motherly", "fatherly", "good natured", "sweet"),
        ("Shares their last meal without a second thought.",
         "Remembers everyone's name and asks after their families.",
         "Tends to the wounded, friend or foe alike.",
         "Believes there is good in everyone, even when evidence is scarce."),
        "smile",
    ),
    "greedy": (
        ("greed*", "avaricious", "miserly", "stingy", "covetous", "money grubbing", "gold hungry"),
        ("Weighs every coin twice and every promise three times.",
         "Cannot pass a locked chest without wondering what is inside.",
         "Haggles over everything, even gifts.",
         "Knows the price of everything in the room."),
        "smirk",
    ),
    "pious": (
        ("pious", "devout", "zealous", "zealot", "fanatic*", "righteous", "faithful", "god fearing", "religious"),
        ("Prays at dawn and dusk, no matter where they are.",
         "Sees omens in birds, weather and spilled salt.",
         "Quotes scripture to settle every argument.",
         "Keeps a holy symbol close and touches it before any risk."),
        "calm",
    ),
    "curious": (
        ("curious", "inquisitive", "nosy", "bookish", "studious", "wonder*", "inventive"),
        ("Asks one question too many, always.",
         "Takes notes on everything, including other people's conversations.",
         "Cannot resist poking at strange mechanisms and stranger runes.",
         "Collects odd facts the way others collect coins."),
        "surprised",
    ),
    "reckless": (
        ("reckless", "wild", "impulsive", "hot headed", "hotheaded", "rash", "brash", "thrill seek*", "daredevil", "drunk",
         "drunken", "tipsy", "rowdy", "foolhardy"),
        ("Acts first and leaves the thinking for later.",
         "Has never met a dare they would refuse.",
         "Gets bored within minutes of any plan that involves waiting.",
         "Laughs loudest when things are going badly."),
        "grin",
    ),
    "stoic": (
        ("stoic", "calm", "cold", "stern", "serious", "disciplined", "reserved", "unflappable", "icy"),
        ("Rarely raises their voice, and never needs to.",
         "Keeps their gear in perfect, ritual order.",
         "Shows no emotion in public, whatever storms rage inside.",
         "Measures every word before spending it."),
        "neutral",
    ),
    "eccentric": (
        ("eccentric", "mad", "quirky", "odd", "weird", "strange", "absent minded", "scatterbrain*", "bizarre", "kooky"),
        ("Talks to objects and insists they talk back.",
         "Wears a hat that is entirely too large, on principle.",
         "Keeps a pocket full of things that might be useful, someday.",
         "Follows a private logic that occasionally turns out to be genius."),
        "grin",
    ),
}
MOOD_NAMES: tuple[str, ...] = tuple(MOODS)
MOOD_MATCHER = Matcher({m: v[0] for m, v in MOODS.items()})
MOOD_EXPRESSION = {m: v[2] for m, v in MOODS.items()}
MoodName = Literal[MOOD_NAMES]  # type: ignore[valid-type]  # the content models accept exactly these
AncestryName = Literal[N.ANCESTRIES]  # type: ignore[valid-type]

GENERAL_TRAITS = (
    "Idolises a famous hero and tells their stories at every opportunity.",
    "Can find common ground between the fiercest of enemies.",
    "Has a joke for every occasion, especially inappropriate ones.",
    "Is always calm, no matter the situation.",
    "Would rather make a new friend than a new enemy.",
    "Has a crude sense of humour.",
    "Enjoys sailing into new ports and making new friends over a flagon of ale.",
    "Misuses long words in an attempt to sound smarter.",
    "Gets bored easily and wanders off to find something interesting.",
    "Judges people by their actions, not their words.",
    "Is fascinated by beauty in all its forms.",
    "Has lived alone so long that talking to others feels strange.",
    "Always has a plan for what to do when things go wrong.",
    "Is polite to a fault, even to enemies.",
    "Loves a good insult, even one aimed their way.",
    "Keeps a journal of every place they have slept.",
    "Feels far more comfortable around animals than people.",
    "Sleeps with their back to a wall and a blade in reach.",
    "Whistles when nervous, and is often whistling.",
    "Collects small stones from every battlefield they walk.",
    "Never forgets a face, nor a debt.",
    "Hums old lullabies from home while sharpening steel.",
    "Believes that anything worth doing is worth overdoing.",
    "Is convinced that they are destined for greatness.",
    "Eats as though every meal might be the last.",
    "Refuses to sit with their back to a door.",
    "Tells tall tales that grow taller with every telling.",
    "Has strong opinions about tea and shares them freely.",
    "Counts things (steps, coins, stars) when anxious.",
    "Is quick to forgive and slow to forget.",
)

IDEALS = (
    "Freedom. Chains are meant to be broken, as are those who forge them.",
    "Charity. I always try to help those in need, no matter the personal cost.",
    "Tradition. The old ways must be preserved and upheld.",
    "Honour. If I dishonour myself, I dishonour my whole clan.",
    "Knowledge. The path to power and self-improvement is through learning.",
    "Community. We have to take care of each other, because no one else will.",
    "Greater Good. Our lot is to lay down our lives in defence of others.",
    "Ambition. I will become the greatest that ever was, whatever it takes.",
    "Fairness. No one should get preferential treatment before the law.",
    "Redemption. There is a spark of good in everyone.",
    "Independence. I must prove that I can handle myself without anyone's help.",
    "Faith. I trust that my deity will guide my actions.",
    "Beauty. What is beautiful points us beyond itself toward what is true.",
    "Might. The strongest are meant to rule.",
    "Change. Life is like the seasons, in constant change, and we must change with it.",
    "Glory. I must earn glory in battle, for myself and my people.",
    "Family. Blood runs thicker than any oath.",
    "Balance. Every light casts a shadow, and both must be respected.",
    "Curiosity. No door should stay closed forever.",
    "Loyalty. I never abandon a friend, even when the odds are hopeless.",
)
BONDS = (
    "I would die to recover an ancient relic of my faith that was lost long ago.",
    "I owe my life to {mentor}, who took me in when no one else would.",
    "Everything I do is for the common people of {home}.",
    "I will someday get revenge on {rival}, who ruined my family.",
    "I am searching for my missing sibling, last seen on the road out of {home}.",
    "I carry a letter from {mentor} that I have never dared to open.",
    "My hometown of {home} burned, and I mean to learn who lit the fire.",
    "I protect those who cannot protect themselves.",
    "I owe a debt I can never repay to the people of {home}.",
    "I swore an oath to {mentor} and intend to keep it, whatever it costs.",
    "A prophecy names me, and I want to know why.",
    "I am in love with someone far above my station.",
    "My tools are my pride; I would sooner lose a hand than lose them.",
    "{rival} stole my life's work, and I will take it back.",
    "I keep a map to a treasure that no one believes exists.",
    "My guild gave me everything, and I will defend its good name.",
    "I seek the truth about the night my mentor {mentor} vanished.",
    "I want to earn back the name my family lost.",
)
FLAWS = (
    "I can't resist a pretty face.",
    "I'm always in debt, spending ill-gotten gains on decadent vices.",
    "I judge others harshly, and myself even more severely.",
    "I put too much trust in those who wield power within my temple's hierarchy.",
    "Once I pick a goal, I become obsessed with it to the detriment of everything else.",
    "I'm convinced that no one could ever fool me the way I fool others.",
    "I have a weakness for the vices of the city, especially strong drink.",
    "I turn tail and run when things look bad.",
    "I can't keep a secret to save my life.",
    "I remember every insult and nurse a quiet grudge.",
    "I would rather eat my armour than admit when I'm wrong.",
    "I hoard treasures, even ones I have no use for.",
    "I speak without thinking, and my words cut deep.",
    "I am suspicious of strangers and expect the worst of them.",
    "I follow orders, even if I think they're wrong.",
    "I pick fights with anyone who questions my skill.",
    "Secretly, I fear that I am a fraud.",
    "I gamble away anything I cannot carry.",
    "I bear a grudge against an entire people for the sins of a few.",
    "I let my pride get in the way of common sense.",
)

# ------------------------------------------------------------------ looks
SKIN = {
    "human": ("pale", "fair", "freckled", "olive", "tan", "brown", "deep brown", "ebony", "ruddy", "bronze"),
    "elf": ("alabaster", "pale", "fair", "golden", "copper", "dusky", "moon-pale", "olive", "ebony"),
    "dwarf": ("ruddy", "tan", "fair", "brown", "weathered", "deep brown", "ashen", "bronze"),
    "halfling": ("rosy", "fair", "tan", "olive", "brown", "freckled", "ruddy"),
    "gnome": ("rosy", "tan", "fair", "walnut", "ruddy", "olive", "brown"),
    "half-orc": ("grey-green", "olive-green", "sage", "grey", "ashen", "mossy", "jade"),
    "tiefling": ("crimson", "scarlet", "plum", "lavender", "ash-grey", "deep red", "violet", "rose"),
    "dragonborn": ("bronze", "brass", "copper", "gold", "silver", "white", "black", "blue", "green", "red"),
}
_HAIR_COMMON = ("black", "dark brown", "chestnut", "auburn", "copper-red", "blond", "ash-blond", "grey", "white")
HAIR = {
    "human": _HAIR_COMMON + ("raven-black", "sandy"),
    "elf": ("silver", "white", "golden", "black", "auburn", "copper-red", "pale blond", "raven-black"),
    "dwarf": ("black", "dark brown", "chestnut", "copper-red", "ginger", "grey", "white", "auburn"),
    "halfling": ("chestnut", "dark brown", "sandy", "auburn", "black", "blond", "ginger"),
    "gnome": ("white", "ginger", "chestnut", "blond", "sandy", "grey", "teal", "pink"),
    "half-orc": ("black", "dark brown", "grey", "raven-black", "auburn"),
    "tiefling": ("black", "plum", "deep red", "blue-black", "white", "raven-black"),
    "dragonborn": ("none",),
}
HAIR_STYLE = ("cropped", "long", "braided", "wild", "tied-back", "curly", "shaven-sided", "shoulder-length",
              "topknotted", "unkempt")
EYES = {
    "human": ("brown", "blue", "green", "grey", "hazel", "amber", "dark"),
    "elf": ("violet", "silver", "emerald", "golden", "blue", "grey", "green"),
    "dwarf": ("brown", "grey", "blue", "dark", "hazel", "green"),
    "halfling": ("brown", "hazel", "green", "blue", "amber"),
    "gnome": ("blue", "green", "violet", "amber", "grey", "hazel"),
    "half-orc": ("amber", "brown", "red", "grey", "yellow"),
    "tiefling": ("golden", "red", "black", "silver", "amber", "violet"),
    "dragonborn": ("golden", "red", "amber", "green", "silver", "blue"),
}

def _union(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for values in table.values():
        out += [v for v in values if v not in out]
    return tuple(out)


# every value the tables can produce (the content models accept exactly these)
SKIN_TONES: tuple[str, ...] = _union(SKIN)
HAIR_COLOURS: tuple[str, ...] = _union(HAIR)
EYE_COLOURS: tuple[str, ...] = _union(EYES)
SkinTone = Literal[SKIN_TONES]  # type: ignore[valid-type]
HairColour = Literal[HAIR_COLOURS]  # type: ignore[valid-type]
EyeColour = Literal[EYE_COLOURS]  # type: ignore[valid-type]
BUILD = {
    "human": ("lean", "broad-shouldered", "wiry", "tall", "stocky", "athletic", "lanky", "sturdy"),
    "elf": ("slender", "willowy", "tall", "graceful", "lithe", "wiry"),
    "dwarf": ("stocky", "barrel-chested", "broad", "stout", "thick-armed", "squat"),
    "halfling": ("round-cheeked", "nimble", "stout", "small", "wiry", "plump"),
    "gnome": ("tiny", "spry", "wiry", "round", "bird-boned", "nimble"),
    "half-orc": ("hulking", "muscular", "towering", "broad-shouldered", "rangy", "heavy-set"),
    "tiefling": ("lean", "tall", "slender", "wiry", "athletic", "angular"),
    "dragonborn": ("towering", "powerful", "broad-chested", "imposing", "rangy", "heavy-set"),
}
ANCESTRY_FEATURE = {
    "human": ("a strong jaw", "laugh lines around the eyes", "a sharp nose", "a wide, easy smile",
              "high cheekbones", "a weathered face"),
    "elf": ("long pointed ears hung with silver cuffs", "sharply pointed ears", "ageless, fine-boned features",
            "a serene, unreadable face", "ears adorned with leaf-shaped charms"),
    "dwarf": ("a braided beard threaded with iron rings", "a forked beard", "a beard like a bristling hedge",
              "a neat, oiled beard", "thick braids woven with copper beads", "a magnificent moustache"),
    "halfling": ("bare, hairy feet", "round, rosy cheeks", "a button nose", "curly sideburns",
                 "an infectious grin"),
    "gnome": ("an enormous nose", "bright, twinkling eyes", "pointed ears and a wispy beard",
              "ink-stained fingers", "a pair of brass goggles pushed up on the forehead"),
    "half-orc": ("prominent tusks", "small, filed tusks", "a heavy brow", "a broken nose", "ritual scars on the cheeks"),
    "tiefling": ("ram-curled horns", "swept-back horns", "short, stubby horns", "long, straight horns",
                 "a restless, whip-thin tail"),
    "dragonborn": ("a crest of bony frills", "swept-back horns", "a scarred snout", "a jaw lined with fangs",
                   "scales that shimmer in firelight"),
}
MARKS = (
    "a scar across the left cheek", "a tattoo of a coiled serpent on one forearm", "a missing fingertip",
    "a crooked nose, broken more than once", "a gold tooth", "an eyepatch", "a burn scar on one hand",
    "a notched ear", "a silver earring", "ink-stained fingers", "a faded clan tattoo", "calloused hands",
    "a limp from an old wound", "a pale scar along the jaw", "a nervous twitch", "a heavy signet ring",
)
CLOTHES = (
    "a travel-stained cloak", "a patched leather coat", "a fine but threadbare doublet", "a hooded mantle",
    "a scarf knitted by someone who cared", "well-worn boots", "a vest covered in pockets",
    "a soot-stained apron", "layers of mismatched furs", "a faded tabard",
)

PRONOUNS = ("they",)  # text is written with names and singular they


def looks(rng: Random, ancestry: str) -> tuple[str, str, str, str]:
    """(appearance sentence, skin, hair, eyes)."""
    skin = pick(rng, SKIN[ancestry])
    hair = pick(rng, HAIR[ancestry])
    eyes = pick(rng, EYES[ancestry])
    build = pick(rng, BUILD[ancestry])
    feat = pick(rng, ANCESTRY_FEATURE[ancestry])
    mark = pick(rng, MARKS)
    clothes = pick(rng, CLOTHES)
    if ancestry == "dragonborn":
        body = f"{a(build)} dragonborn with {skin} scales, {eyes} eyes and {feat}"
    else:
        hair_txt = f"{pick(rng, HAIR_STYLE)} {hair} hair"
        body = f"{a(build)} {ancestry} with {skin} skin, {hair_txt}, {eyes} eyes and {feat}"
    return f"{body[0].upper()}{body[1:]}; {mark} and {clothes} complete the picture.", skin, hair, eyes


def traits(rng: Random, mood: str, n: int = 2) -> list[str]:
    own = MOODS[mood][1]
    first = pick(rng, own)
    second = pick(rng, GENERAL_TRAITS)
    out = [first, second]
    if n > 2:
        t = pick(rng, GENERAL_TRAITS)
        if t != second:
            out.append(t)
    return out
