"""Non-player characters: a name, a face, a want, a secret and a voice."""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import Field

from . import names as N
from . import people as P
from ._text import construct, FormBase, Lazy, Matcher, a, cap, pick, signed
from .base import Content
from .character import ANCESTRY_MATCHER, Ancestry

Role = Literal["any", "merchant", "innkeeper", "guard", "noble", "priest", "scholar", "criminal", "farmer",
               "sailor", "blacksmith", "hunter", "healer", "mercenary", "cultist", "bard", "spy"]
Disposition = Literal["any", "friendly", "neutral", "hostile"]


class NpcForm(FormBase):
    role: Role = Field("any", title="Role", description="What the NPC does, or any for random.")
    level: int = Field(1, ge=1, le=20, title="Level", description="Power level, 1 to 20 (scales the stat block).")
    disposition: Disposition = Field("any", title="Disposition", description="Attitude toward the party.")
    ancestry: Ancestry = Field("any", title="Ancestry", description="Ancestry, or any for random.")


class NpcContent(Content):
    name: str
    ancestry: str
    role: str
    occupation: str
    disposition: str
    level: int
    mood: str
    location: str
    motivation: str
    secret: str
    mannerisms: list[str]
    appearance: str
    skin: str
    hair: str
    eyes: str
    stat_summary: str
    quote: str


    def subtitle(self) -> str:
        return f"{N.ANCESTRY_LABEL.get(self.ancestry, self.ancestry)} {self.occupation}"

    def to_markdown(self) -> str:
        return "\n".join([
            f"# {self.name}",
            "",
            f"*{self.subtitle()} of {self.location} · {self.disposition} · {self.mood}*",
            "",
            f"> {self.quote}",
            "",
            "## Appearance",
            "",
            self.appearance,
            "",
            "## Roleplaying",
            "",
            f"- **Motivation:** {self.motivation}",
            f"- **Secret:** {self.secret}",
            *[f"- **Mannerism:** {m}" for m in self.mannerisms],
            "",
            "## Statistics",
            "",
            "```",
            self.stat_summary,
            "```",
            "",
        ])


class _Role:
    __slots__ = ("keywords", "titles", "stats", "motivations", "quotes")

    def __init__(self, keywords, titles, stats, motivations, quotes):
        self.keywords, self.titles, self.stats, self.motivations, self.quotes = (
            keywords, titles, stats, motivations, quotes)


# stats: (base AC, hit die, ability mods at level 1 (str,dex,con,int,wis,cha), attack name, damage die, attack ability)
ROLES: dict[str, _Role] = {
    "merchant": _Role(("merchant*", "trader*", "peddler*", "shopkeep*", "vendor*", "caravan*", "haggl*"),
                      ("merchant", "spice trader", "pawnbroker", "caravan master", "curio dealer"),
                      (11, 8, (0, 1, 0, 2, 1, 2), "Dagger", "1d4", "dex"),
                      ("to corner the market on a rare dye before the festival", "to pay off a ruinous debt to the guild",
                       "to open a second shop across the river"),
                      ("Everything has a price, friend, but for you I'll make it a fair one.", "Everything has a price. Even that look on your face.", "Touch the merchandise again and you'll be paying for the hand.")),
    "innkeeper": _Role(("innkeep*", "tavern*", "barkeep*", "bartender*", "inn", "alehouse", "publican*"),
                       ("innkeeper", "tavern keeper", "barkeep", "brewmaster"),
                       (11, 8, (1, 0, 1, 0, 1, 2), "Club", "1d4", "str"),
                       ("to keep the inn standing through another bad winter", "to find out who keeps watering the ale",
                        "to marry off an unruly son to someone respectable"),
                       ("Sit, sit. First round's on the house. Second round, you tell me where you've been.", "Rooms are five silver. Trouble costs extra.", "We're full. We're always full, for your sort.")),
    "guard": _Role(("guard*", "watchm*", "sentry", "sentries", "constable*", "gatekeep*", "warden*", "soldier*"),
                   ("city guard", "gate sergeant", "watch captain", "bridge warden", "prison warder"),
                   (16, 10, (2, 1, 2, 0, 1, 0), "Spear", "1d8", "str"),
                   ("to make captain before the old one retires", "to keep the peace in a ward that does not want it",
                    "to catch the thief who humiliated the watch"),
                   ("Keep your heads down tonight. Something's been stalking the lower wards.", "State your business, and make it quick.", "One more step and you'll be spending the night in the stocks. Or worse.")),
    "noble": _Role(("noble*", "lord", "lady", "duke*", "duchess*", "baron*", "count", "countess", "prince*",
                    "aristocra*", "courtier*", "royal*"),
                   ("baron", "countess", "disgraced heir", "courtier", "magistrate"),
                   (15, 8, (0, 1, 0, 1, 2, 3), "Rapier", "1d8", "dex"),
                   ("to restore the family's fading fortune", "to win a seat on the high council",
                    "to be rid of an inconvenient rival without a scandal"),
                   ("Ah, the adventurers! Do come in. I have a small, delicate matter for you.", "You may approach. Slowly.", "Do you know how easily people like you disappear?")),
    "priest": _Role(("priest*", "cleric*", "temple*", "acolyte*", "abbot*", "nun", "monk*", "shrine*", "chapel*"),
                    ("temple priest", "wandering friar", "abbess", "shrine keeper", "oracle"),
                    (13, 8, (0, 0, 1, 1, 3, 1), "Mace", "1d6", "str"),
                    ("to rebuild the temple that burned last spring", "to bring a lost flock back to the faith",
                     "to interpret a troubling omen before the new moon"),
                    ("Rest here a while. The gods have not forgotten you.", "The gods see you, child. Whether they approve is another matter.", "Your souls are already forfeit. I merely keep the ledger.")),
    "scholar": _Role(("scholar*", "sage*", "librar*", "scribe*", "professor*", "historian*", "alchemist*", "wizard*",
                      "mage*", "astronom*"),
                     ("sage", "archivist", "alchemist", "cartographer", "astronomer"),
                     (10, 6, (-1, 1, 0, 3, 2, 0), "Quarterstaff", "1d6", "str"),
                     ("to finish a treatise that will prove the academy wrong", "to find the missing volume of a forbidden text",
                      "to map the ruins before the treasure hunters loot them"),
                     ("Oh, marvellous! Do sit down. Mind the skull, it bites.", "Fascinating. Utterly wrong, of course, but fascinating.", "Some knowledge is not for the likes of you. Leave, before it finds you.")),
    "criminal": _Role(("criminal*", "thief", "thieves", "bandit*", "smuggler*", "fence", "crook*", "rogue*",
                       "gangster*", "cutthroat*", "outlaw*", "assassin*"),
                      ("fence", "smuggler", "gang boss", "cutpurse", "bandit captain"),
                      (14, 8, (0, 3, 1, 1, 0, 1), "Shortsword", "1d6", "dex"),
                      ("to take over the docks from a rival gang", "to pull off one last job and retire somewhere warm",
                       "to find the informant who sold out the crew"),
                      ("Friends of a friend, eh? Then you'll want to hear about a certain warehouse.", "I don't know you, and you don't know me. Let's keep it that way.", "Wrong alley, wrong night, wrong company.")),
    "farmer": _Role(("farm*", "peasant*", "shepherd*", "villager*", "miller*", "herder*"),
                    ("farmer", "shepherd", "miller", "beekeeper", "orchard keeper"),
                    (10, 8, (1, 0, 2, 0, 1, 0), "Pitchfork", "1d6", "str"),
                    ("to bring in the harvest before the raiders return", "to find the wolf that took the prize ram",
                     "to keep the family land out of the baron's hands"),
                    ("You'll stay for supper. I insist. Then we'll talk about those wolves.", "Mind the goats. They bite, and so do I.", "Off my land, before I set the dogs on you.")),
    "sailor": _Role(("sail*", "pirate*", "ship*", "captain", "deckhand*", "corsair*", "harbour*", "harbor*", "dock*"),
                    ("ship's captain", "harbourmaster", "bosun", "navigator", "pirate quartermaster"),
                    (12, 8, (1, 2, 1, 0, 1, 0), "Cutlass", "1d6", "dex"),
                    ("to raise enough coin to buy back a lost ship", "to chart the fog-bound isles before a rival does",
                     "to settle a blood debt with a pirate lord"),
                    ("Welcome aboard! Hope your stomachs are stronger than your boots.", "Tide waits for no one, and neither do I.", "The sea's deep and nobody counts the bodies.")),
    "blacksmith": _Role(("smith*", "blacksmith*", "forge*", "anvil*", "armorer*", "armourer*"),
                        ("blacksmith", "armourer", "weaponsmith", "farrier"),
                        (12, 10, (3, 0, 2, 0, 1, 0), "Smith's hammer", "1d8", "str"),
                        ("to forge a masterpiece worthy of the old guild halls", "to pay for a child's apprenticeship in the city",
                         "to recover the family anvil stolen by bandits"),
                        ("Good steel for good people. Let me see that blade of yours.", "You want it fast, cheap or good. Pick one.", "This hammer's bent better skulls than yours.")),
    "hunter": _Role(("hunt*", "trapp*", "ranger*", "tracker*", "woodsm*", "poacher*", "guide*"),
                    ("hunter", "trapper", "forest guide", "game warden"),
                    (13, 10, (1, 3, 1, 0, 2, -1), "Longbow", "1d8", "dex"),
                    ("to find what is killing the deer in the northern wood", "to guide one more caravan and then retire",
                     "to hunt down the beast that took a partner"),
                    ("Stay close and step where I step. The woods are hungry this year.", "Tracks don't lie. People do.", "I've hunted bigger game than you. Smarter, too.")),
    "healer": _Role(("heal*", "herbalist*", "physician*", "doctor*", "midwi*", "apothecar*", "surgeon*"),
                    ("herbalist", "hedge healer", "physician", "apothecary", "midwife"),
                    (10, 8, (0, 1, 0, 2, 3, 1), "Sickle", "1d4", "str"),
                    ("to find a cure for the wasting sickness in the lower town", "to gather a flower that blooms once a decade",
                     "to atone for a patient lost to a mistake"),
                    ("Sit down before you fall down. Let me look at that wound.", "Hold still. This will hurt, and then it will help.", "I know a hundred herbs that heal, and a hundred more that don't.")),
    "mercenary": _Role(("mercenar*", "sellsword*", "sell sword*", "bounty hunter*", "hired blade*", "gladiator*",
                        "knight*", "warrior*", "veteran*"),
                       ("mercenary captain", "bounty hunter", "sellsword", "duelist", "retired knight"),
                       (16, 10, (3, 1, 2, 0, 0, 0), "Greatsword", "2d6", "str"),
                       ("to collect the biggest bounty in three kingdoms", "to earn enough to buy a farm and forget the war",
                        "to find the employer who left the company to die"),
                       ("Good to have capable blades on our side for once.", "Half up front. The rest when the job's done. No exceptions.", "Nothing personal. Somebody paid more for your heads.")),
    "cultist": _Role(("cult", "cults", "cultist*", "fanatic*", "zealot*", "heretic*", "occult*", "doomsayer*", "necromancer*", "warlock*",
                      "witch*", "demon*"),
                     ("cult initiate", "doomsayer", "hidden cult leader", "heretic preacher"),
                     (12, 8, (0, 1, 1, 1, 1, 3), "Ritual dagger", "1d4", "dex"),
                     ("to complete the ritual before the eclipse", "to recruit new believers among the desperate",
                      "to recover a relic stolen by the temple"),
                     ("Have you heard the good news? The Sleeper wakes, and we will all be saved.", "The stars are almost right. Can't you feel it?", "Your blood will open the door. Be honoured.")),
    "bard": _Role(("bard*", "minstrel*", "musician*", "singer*", "poet*", "performer*", "actor*", "jester*",
                   "storyteller*", "troubadour*"),
                  ("minstrel", "troupe leader", "court poet", "wandering storyteller"),
                  (12, 8, (0, 2, 0, 1, 0, 3), "Rapier", "1d8", "dex"),
                  ("to compose a song that will outlive every king", "to win back a lover with a single perfect verse",
                   "to uncover the truth behind an old ballad"),
                  ("Tell me your story, and I'll make you immortal. For a modest fee.", "Every tale needs a hero. We'll see if you qualify.", "I'll write a song about your deaths. It will be very short.")),
    "spy": _Role(("spy", "spies", "informant*", "agent*", "infiltrat*", "double agent*", "whisper*"),
                 ("informant", "court spy", "double agent", "spymaster's courier"),
                 (14, 8, (0, 3, 0, 2, 2, 2), "Hand crossbow", "1d6", "dex"),
                 ("to learn who is selling secrets to the enemy", "to vanish before the employer tidies up loose ends",
                  "to play two masters against each other and survive"),
                 ("Quietly now. I have something you need, and very little time.", "I was never here. Neither were you.", "You've seen my face. That was your last mistake.")),
}
ROLE_NAMES: tuple[str, ...] = tuple(ROLES)
ROLE_MATCHER = Matcher({k: v.keywords for k, v in ROLES.items()})
DISPOSITION_MATCHER = Matcher({
    "hostile": ("hostile", "villain*", "evil", "enemy", "enemies", "sinister", "menacing", "cruel", "murderous",
                "treacherous", "antagonist*", "wicked"),
    "friendly": ("friendly", "helpful", "ally", "allies", "welcoming", "benevolent", "loyal", "trustworthy"),
    "neutral": ("neutral", "indifferent", "wary", "suspicious", "aloof", "mysterious", "cautious"),
})

MOTIVATIONS = (
    "to protect a younger sibling who has fallen in with bad company", "to be remembered after death",
    "to earn the respect of a parent who never gave it", "to find a safe place to hide a stolen relic",
    "to get even with the noble who ruined them", "to prove a prophecy wrong", "to escape a marriage arranged by the family",
    "to buy freedom for a friend held in debt bondage", "to learn the fate of a ship lost at sea",
    "to see the ocean once before dying", "to win back a lost title", "to keep a dangerous truth buried",
)
SECRETS = (
    "Is the illegitimate child of {noble}.", "Murdered the previous owner of the business and buried them under the floor.",
    "Works as an informant for {faction}.", "Is deeply in debt to {villain}, who is losing patience.",
    "Is actually {other_anc} wearing an illusion.", "Knows the location of the lost crown of {place} and has told no one.",
    "Once served {villain} and still bears the brand under their sleeve.", "Is slowly turning into something not quite human.",
    "Has been forging the town's tax records for years.", "Keeps a bound imp in a locked box under the bed.",
    "Is the masked highwayman who has been robbing the coaches on the {place} road.",
    "Poisoned the last mayor of {place}, who deserved it.", "Is in love with {noble} and writes anonymous letters to them.",
    "Was declared dead ten years ago in {place} and would like it to stay that way.",
    "Hears a voice from the old well, and has started doing what it says.",
    "Is the last living heir of a bloodline everyone believes extinct.",
)
FACTIONS_SHORT = ("the Thieves' Guild", "the Crimson Hand", "the baron's secret police", "a rival merchant house",
                  "the Order of the Silver Flame", "a cult of the Drowned God", "the Emerald Enclave", "the Zhentarim")
MANNERISMS = (
    "Taps the table twice before speaking.", "Never meets anyone's eyes for long.", "Whistles tunelessly between sentences.",
    "Speaks in the third person when nervous.", "Chews on a stem of liquorice root.", "Laughs at the wrong moments.",
    "Constantly polishes a ring on the left hand.", "Stands uncomfortably close when talking.",
    "Finishes other people's sentences, usually incorrectly.", "Quotes proverbs that nobody has ever heard.",
    "Counts coins out loud, every time.", "Scratches at an old scar while thinking.", "Uses far too many big words.",
    "Peppers every sentence with 'friend'.", "Hums hymns under their breath.", "Jots notes in a tiny book mid-conversation.",
    "Cracks their knuckles one by one.", "Squints suspiciously at every newcomer.", "Pauses dramatically before answering.",
    "Speaks very slowly, as if to a child.", "Swears colourfully in an obscure dialect.", "Offers snacks from a pocket.",
    "Smells faintly of woodsmoke and lavender.", "Keeps glancing at the door.", "Twirls a dagger absently.",
    "Calls everyone by the wrong name.", "Adjusts their hat whenever they lie.", "Sighs deeply before every answer.",
)
QUOTES = {
    "friendly": (
        "Any friend of the road is a friend of mine. What do you need?",
        "Come in out of the cold! You look like you've walked through a war.",
        "I'll help you, but promise me you'll be careful out there.",
        "Finally, someone competent. I've been waiting all week for people like you.",
    ),
    "neutral": (
        "I've heard things. Whether I tell you depends on what you're offering.",
        "Not my business what you do. Just don't make it my problem.",
        "Maybe I know something, maybe I don't. Buy something and we'll see.",
        "People like you come through here every season. Few come back.",
    ),
    "hostile": (
        "Turn around and walk away, while you still have legs to walk on.",
        "You've made a terrible mistake coming here.",
        "I know who sent you, and they'll be getting you back in pieces.",
        "Smile all you like. I've buried people who smiled more.",
    ),
}


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    return (ANCESTRY_MATCHER.first(prompt), ROLE_MATCHER.first(prompt), DISPOSITION_MATCHER.first(prompt),
            P.MOOD_MATCHER.first(prompt))


def stat_block(rng: Random, role: str, level: int) -> str:
    base_ac, hd, mods, weapon, die, att = ROLES[role].stats
    bump = level // 4
    ms = [m + (bump if i == (0 if att == "str" else 1) or m >= 2 else 0) for i, m in enumerate(mods)]
    ms = [min(m + int(rng.random() * 2), 5) if m >= 0 else m for m in ms]
    con = ms[2]
    avg = hd // 2 + 1
    hp = max(4, level * (avg + con))
    ac = base_ac + (1 if level >= 5 else 0) + (1 if level >= 11 else 0)
    prof = 2 + (level - 1) // 4
    att_mod = ms[0] if att == "str" else ms[1]
    line = "  ".join(f"{k} {signed(v)}" for k, v in zip(("STR", "DEX", "CON", "INT", "WIS", "CHA"), ms))
    attacks = 1 if level < 5 else 2 if level < 11 else 3
    multi = f"{attacks} attacks: " if attacks > 1 else ""
    return (f"AC {ac}  HP {hp} ({level}d{hd}{signed(level * con) if con else ''})  Speed 30 ft.\n"
            f"{line}\n"
            f"Action: {multi}{weapon} {signed(att_mod + prof)} to hit, {die}{signed(att_mod)} damage\n"
            f"Proficiency {signed(prof)}  Passive Perception {10 + ms[4] + (prof if role in ('guard', 'hunter', 'spy') else 0)}")


def build(prompt: str, form: NpcForm, seed: int) -> NpcContent:
    rng = Random(seed)
    p_anc, p_role, p_disp, p_mood = parse_prompt(prompt or "")
    ancestry = form.ancestry if form.ancestry != "any" else (p_anc or pick(rng, N.ANCESTRIES))
    role = form.role if form.role != "any" else (p_role or pick(rng, ROLE_NAMES))
    disposition = form.disposition if form.disposition != "any" else (
        p_disp or pick(rng, ("friendly", "friendly", "neutral", "neutral", "hostile")))
    mood = p_mood or pick(rng, P.MOOD_NAMES)
    data = ROLES[role]
    name = N.person_name(rng, ancestry)
    if rng.random() < 0.12:
        name = f"{name} the {pick(rng, ('Red', 'Elder', 'Younger', 'Bold', 'Quiet', 'Lucky', 'Grey', 'Unlucky'))}"
    occupation = pick(rng, data.titles)
    location = N.settlement_name(rng)
    motivation = cap(pick(rng, data.motivations) if rng.random() < 0.5 else pick(rng, MOTIVATIONS)) + "."
    secret = pick(rng, SECRETS).format_map(Lazy({
        "noble": lambda: f"Lord {N.surname(rng, 'human')}", "faction": lambda: pick(rng, FACTIONS_SHORT),
        "villain": lambda: N.person_name(rng, pick(rng, N.ANCESTRIES)),
        "other_anc": lambda: a(pick(rng, [x for x in N.ANCESTRIES if x != ancestry])),
        "place": lambda: N.settlement_name(rng)}))
    mannerisms = rng.sample(MANNERISMS, 2 + int(rng.random() * 2))
    appearance, skin, hair, eyes = P.looks(rng, ancestry)
    stats = stat_block(rng, role, form.level)
    idx = ("friendly", "neutral", "hostile").index(disposition)
    quote = data.quotes[idx] if rng.random() < 0.4 else pick(rng, QUOTES[disposition])
    return construct(NpcContent,
        name=name, ancestry=ancestry, role=role, occupation=occupation, disposition=disposition, level=form.level,
        mood=mood, location=location, motivation=motivation, secret=secret, mannerisms=mannerisms,
        appearance=appearance, skin=skin, hair=hair, eyes=eyes, stat_summary=stats, quote=f'"{quote}"',
    )
