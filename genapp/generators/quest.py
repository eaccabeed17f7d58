"""Quests: a hook, a place, objectives, complications, rewards and the people involved.

What a prompt names wins over the tables: the theme, the place, the kind of villain ("from cultists"),
the quarry of a hunt, and the target in the prompt's own words ("rescue the mayor" rescues the mayor).
"""

from __future__ import annotations

import re
from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import BaseModel, Field

from . import names as N
from ._text import construct, FormBase, Lazy, Matcher, a, cap, pick, sample, titlecase
from .base import Content, bounded_str
from .encounter import ENV_MATCHER, ENVIRONMENTS, MONSTERS, TAG_MATCHER, EnvironmentName, named_monsters
from .item import RARITIES, item_name, BASES_BY_KIND, KINDS

Theme = Literal["any", "mystery", "rescue", "heist", "escort", "hunt", "intrigue", "exploration", "horror", "war"]
Length = Literal["any", "short", "medium", "long"]
THEMES: tuple[str, ...] = ("mystery", "rescue", "heist", "escort", "hunt", "intrigue", "exploration", "horror", "war")


class QuestForm(FormBase):
    party_level: int = Field(1, ge=1, le=20, title="Party level", description="Average character level, 1 to 20.")
    length: Length = Field("any", title="Length", description="Short (one session) to long (a small arc).")
    theme: Theme = Field("any", title="Theme", description="Kind of quest, or any for random.")


ThemeName = Literal["mystery", "rescue", "heist", "escort", "hunt", "intrigue", "exploration", "horror", "war"]
LengthName = Literal["short", "medium", "long"]
PersonRole = Literal["quest giver", "villain", "ally", "witness", "rival"]


class Person(BaseModel):
    name: str = Field(min_length=1, max_length=32)
    role: PersonRole
    note: str = Field(min_length=1, max_length=64, description="Who they are and one thing to know, briefly.")


class QuestContent(Content):
    name: str = Field(min_length=1, max_length=60)
    theme: ThemeName
    length: LengthName
    party_level: int = Field(ge=1, le=20)
    location: str = Field(min_length=1, max_length=56)
    environment: EnvironmentName
    hook: str = Field(min_length=1, max_length=170, description="How the party gets involved, in one or two sentences.")
    objectives: list[bounded_str(104)] = Field(min_length=1, max_length=4)
    complications: list[bounded_str(72)] = Field(min_length=1, max_length=3)
    rewards: list[bounded_str(72)] = Field(min_length=1, max_length=3)
    people_involved: list[Person] = Field(min_length=1, max_length=3)


    def to_markdown(self) -> str:
        return "\n".join([
            f"# {self.name}",
            "",
            f"*A {self.length} {self.theme} quest for level {self.party_level} characters · {cap(self.location)}*",
            "",
            "## Hook",
            "",
            self.hook,
            "",
            "## Objectives",
            "",
            *[f"{i}. {o}" for i, o in enumerate(self.objectives, 1)],
            "",
            "## Complications",
            "",
            *[f"- {c}" for c in self.complications],
            "",
            "## People Involved",
            "",
            "| Name | Role | Note |",
            "|---|---|---|",
            *[f"| {p.name} | {p.role} | {p.note} |" for p in self.people_involved],
            "",
            "## Rewards",
            "",
            *[f"- {r}" for r in self.rewards],
            "",
        ])


THEME_MATCHER = Matcher({
    "mystery": ("murder*", "myster*", "investigat*", "detective*", "whodunit", "clue*", "crime*", "riddle*"),
    "rescue": ("rescue*", "kidnap*", "captive*", "hostage*", "save", "saving", "abduct*", "missing", "prisoner*", "free the",
               "ransom*", "liberat*", "bring back", "bring home", "spring the", "break out"),
    "heist": ("heist*", "steal*", "rob", "robbery", "robbing", "theft", "burgl*", "stolen", "break in*", "infiltrat*",
              "pilfer*", "swipe", "snatch", "pinch", "purloin*", "loot the", "caper*"),
    "escort": ("escort*", "caravan*", "deliver*", "bodyguard*", "convoy*", "pilgrim*", "transport*", "protect*"),
    "hunt": ("hunt*", "slay*", "beast*", "monster*", "kill*", "bounty*", "dragon", "dragons", "troll*", "creature*",
             "track down", "exterminat*", "man eater*", "maneater*"),
    "intrigue": ("intrigue*", "politic*", "court*", "noble*", "conspira*", "assassinat*", "election*", "coup", "spy",
                 "spies", "blackmail*", "scandal*"),
    "exploration": ("explor*", "ruin*", "map", "maps", "expedition*", "discover*", "lost city", "uncharted", "treasure*",
                    "dungeon*", "delve*"),
    "horror": ("horror*", "haunt*", "ghost*", "undead", "curse*", "creepy", "terror*", "nightmare*", "vampire*", "eldritch"),
    "war": ("war", "wars", "battle*", "siege*", "army", "armies", "invasion*", "invad*", "rebel*", "soldier*", "warfront",
            "defend*", "defence", "defense", "horde*", "warband*", "front line*", "frontline*", "hold the line"),
})
LENGTH_MATCHER = Matcher({"short": ("short", "quick", "one shot", "oneshot", "brief", "side quest"),
                          "long": ("long", "epic", "sprawling", "multi session", "arc")})

# (title used before the name, description)
# (title used before the name, description, the noun a prompt would use for them)
GIVERS = (("Mayor", "the town's harried mayor", "mayor"), ("Widow", "a grieving widow", "widow"),
          ("High Priest", "the temple's high priest", "priest"), ("Innkeeper", "a one-eyed innkeeper", "innkeeper"),
          ("Clerk", "a nervous guild clerk", "clerk"), ("Sir", "an ageing knight", "knight"),
          ("Merchant", "a travelling merchant", "merchant"), ("Baroness", "the local baroness", "baroness"),
          ("Old", "a retired adventurer", "adventurer"), ("Ambassador", "a dwarven ambassador", "ambassador"),
          ("Captain", "a harried watch captain", "captain"), ("Envoy", "an elven envoy", "envoy"),
          ("Mother", "the town's herbalist", "herbalist"), ("Dame", "a knight of the realm", "knight"),
          ("Master", "a guild master", "guild"))
# villain kind -> keywords. "Strong" words name a villain wherever they appear ("from cultists");
# "weak" ones (people who could as well be victims or patrons) only after a villain cue ("stop the baron").
VILLAIN_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "a charismatic cult leader": (("cult", "cults", "cultist*", "cultic", "zealot*", "fanatic*", "doomsayer*",
                                   "dark god*", "elder god*"), ()),
    "a corrupt magistrate": (("corrupt official*", "corrupt magistrate*", "corrupt judge*", "tyrannical magistrate*"),
                             ("magistrate*", "judge*", "official*", "tax collector*", "bureaucrat*")),
    "a bandit queen": (("bandit*", "brigand*", "highwaym*", "outlaw*", "raider*", "marauder*"), ()),
    "a fallen paladin": (("fallen paladin*", "black knight*", "death knight*", "oathbreaker*", "fallen knight*"),
                         ("paladin*", "knight*")),
    "a hag in disguise": (("hag", "hags", "witch", "witches", "crone*", "coven*"), ()),
    "a vampire noble": (("vampir*", "bloodsucker*"), ()),
    "a renegade wizard": (("renegade wizard*", "mad wizard*", "evil wizard*", "dark wizard*", "rogue mage*", "warlock*",
                           "sorcerer*", "sorceress*"),
                          ("wizard*", "mage", "mages", "archmage*", "magician*", "enchanter*", "enchantress*")),
    "a crime lord": (("crime lord*", "crimelord*", "thieves guild", "thieves' guild", "gang", "gangs", "gangster*",
                      "mob boss*", "kingpin*", "smuggl*", "thugs"), ("thief", "thieves", "criminal*")),
    "a mad alchemist": (("mad alchemist*", "poisoner*", "mad scientist*"), ("alchemist*",)),
    "a warlord with a grudge": (("warlord*", "orc", "orcs", "orcish", "goblin*", "hobgoblin*", "horde*", "warband*",
                                 "gnoll*", "barbarian horde*"), ("army", "armies", "mercenar*", "general*")),
    "a doppelganger posing as a friend": (("doppelganger*", "shapeshift*", "shape shift*", "changeling*", "impostor*",
                                           "imposter*", "skinwalker*"), ()),
    "a necromancer": (("necromancer*", "necromancy", "undead", "zombie*", "skeleton*", "ghoul*", "lich", "liches",
                       "death cult*"), ()),
    "an exiled prince": (("usurper*", "pretender*", "exiled prince*"), ("prince", "princes", "princess*", "exile*")),
    "a greedy merchant prince": (("merchant prince*", "greedy merchant*", "merchant cartel*", "trade cartel*", "cartel*"),
                                 ("merchant*", "trader*", "guildmaster*", "guild master*", "banker*")),
    "a pirate captain": (("pirate*", "corsair*", "buccaneer*", "reaver*", "sea raider*"), ()),
    "a scheming baron": (("tyrant*", "tyrannical lord*", "evil baron*", "wicked lord*", "corrupt lord*"),
                         ("baron*", "noble*", "lord", "lords", "duke*", "duchess*", "count", "countess*", "king", "queen")),
    "a demon in mortal guise": (("demon*", "devil*", "fiend*", "infernal*", "diabolist*"), ()),
    "a dragon and its kobold servants": (("dragon", "dragons", "dragon's", "wyrm*", "kobold*"), ()),
    "a werewolf pack leader": (("werewol*", "lycanthrop*", "wererat*", "were beast*"), ()),
    "a giant chieftain": (("giant", "giants", "ogre*", "troll*", "ettin*"), ()),
    "a fey lord of the twilight court": (("fey", "faerie*", "fairy", "fairies", "unseelie", "seelie", "pixie*"), ()),
    "a master assassin": (("assassin*", "cutthroat*", "murderer*", "killer*"), ()),
    "a spymaster with too many secrets": (("spymaster*", "spy ring*", "spies"), ("spy",)),
    "a sea hag and her drowned thralls": (("sea hag*", "drowned*", "sahuagin*", "merrow*"), ()),
    "a mind flayer beneath the city": (("mind flayer*", "illithid*", "aberration*", "tentacle*", "beholder*"), ()),
}
VILLAIN_KINDS: tuple[str, ...] = (
    "a charismatic cult leader", "a corrupt magistrate", "a bandit queen", "a fallen paladin", "a hag in disguise",
    "a vampire noble", "a renegade wizard", "a crime lord", "a mad alchemist", "a warlord with a grudge",
    "a doppelganger posing as a friend", "a necromancer", "an exiled prince", "a greedy merchant prince")
VILLAIN_STRONG = Matcher({k: v[0] for k, v in VILLAIN_TABLE.items()})
VILLAIN_WEAK = Matcher({k: v[1] for k, v in VILLAIN_TABLE.items() if v[1]})
# what makes the next words the villain: "from the baron", "stop the mad wizard", "the corrupt mayor"
_VILLAIN_CUE = re.compile(
    r"\b(?:from|against|stop|stopping|defeat|defeating|foil|foiling|thwart|expose|unmask|overthrow|topple|"
    r"hunt down|oppose|by|evil|wicked|corrupt|mad|rogue|renegade|treacherous|villainous|"
    r"tyrannical|cruel|sinister)\s+(.*)", re.IGNORECASE)


def villain_kind(prompt: str) -> str | None:
    """The kind of villain a prompt names, or None."""
    strong = VILLAIN_STRONG.first(prompt)
    if strong:
        return strong
    for cue in _VILLAIN_CUE.finditer(prompt):
        weak = VILLAIN_WEAK.first(cue.group(1)[:60])
        if weak:
            return weak
    return None


# verbs that take a quest's target, per theme: "rescue <the mayor>", "steal <the duke's crown>"
_TARGET_VERBS = {
    "victim": ("rescue", "rescuing", "save", "saving", "free", "freeing", "find", "finding", "recover", "retrieve",
               "bring back", "bring home", "liberate", "ransom", "release", "spring", "break out", "search for",
               "look for", "track down"),
    "prize": ("steal", "stealing", "rob", "pilfer", "swipe", "snatch", "nab", "pinch", "recover", "retrieve",
              "take back", "reclaim", "loot", "lift", "acquire", "purloin"),
    "cargo": ("escort", "escorting", "guard", "guarding", "protect", "protecting", "deliver", "delivering", "carry",
              "transport", "accompany", "bring", "take", "smuggle", "convoy", "shepherd"),
    "crime": ("investigate", "investigating", "solve", "solving", "look into", "unravel", "explain"),
    "plot": ("stop", "foil", "expose", "uncover", "thwart", "prevent", "unmask", "disrupt", "sabotage"),
    "discovery": ("explore", "exploring", "discover", "find", "map", "chart", "reach", "search", "delve into",
                  "seek", "locate"),
    "haunting": ("investigate", "cleanse", "exorcise", "lay to rest", "end", "lift", "banish", "survive", "clear", "purge",
                 "free", "break the curse on", "break the curse of"),
    "war_goal": ("defend", "hold", "sabotage", "destroy", "break", "relieve", "retake", "capture", "burn", "raid",
                 "storm", "besiege", "liberate", "protect"),
    "monster": ("hunt", "hunt down", "slay", "kill", "track", "track down", "destroy", "stop", "trap", "catch"),
}
# theme -> which target the prompt's object fills
THEME_TARGET = {"rescue": "victim", "heist": "prize", "escort": "cargo", "mystery": "crime", "intrigue": "plot",
                "exploration": "discovery", "horror": "haunting", "war": "war_goal", "hunt": "monster"}
_STOP = ("from", "in", "at", "on", "near", "before", "after", "with", "to", "for", "who", "whom", "that", "which",
         "while", "and", "or", "but", "by", "under", "beneath", "below", "across", "through", "into", "out", "over",
         "inside", "within", "behind", "past", "along", "around", "until", "so", "because", "if", "when", "where", "as",
         "against", "toward", "towards", "beyond", "about", "during", "since", "without", "then", "than", "via", "amid",
         "among", "between", "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "must")
_DETERMINERS = ("the", "a", "an", "my", "our", "your", "his", "her", "their", "its", "some", "two", "three", "four",
                "five", "seven", "twelve", "all", "every", "this", "that", "these", "those", "lady", "lord", "sir", "king",
                "queen", "prince", "princess", "old", "young")
_WORD = r"[\w'\u2019-]+"
_TARGET_RX = {
    key: re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, v.split())) for v in sorted(verbs, key=len, reverse=True))
                    + rf")\s+((?:{_WORD})(?:\s+{_WORD}){{0,7}})", re.IGNORECASE)
    for key, verbs in _TARGET_VERBS.items()
}
# "the mayor has been kidnapped", "the duke's crown was stolen"
_PASSIVE_RX = re.compile(
    rf"\b((?:the|a|an|my|our)\s+{_WORD}(?:\s+{_WORD}){{0,4}}?)\s+(?:has|have|had)?\s*(?:been|was|were|is|are|got)\s+"
    r"(kidnapped|abducted|taken|captured|imprisoned|snatched|stolen|missing|lost|murdered|killed|haunted|cursed)", re.IGNORECASE)
_PASSIVE_TARGET = {"kidnapped": "victim", "abducted": "victim", "taken": "victim", "captured": "victim",
                   "imprisoned": "victim", "snatched": "victim", "missing": "victim", "lost": "victim",
                   "stolen": "prize", "murdered": "crime", "killed": "crime", "haunted": "haunting", "cursed": "haunting"}
MAX_TARGET_CHARS = 40
# words that end a noun phrase once it has its noun: "the prisoners held in the keep", "the beast stalking the moors"
_AFTER_NOUN = ("held", "kept", "taken", "hidden", "caught", "bound", "locked", "trapped", "imprisoned", "captured",
               "chained", "lost", "stuck", "buried", "sealed", "stolen", "seen", "last", "now", "still", "again")
# places are not people to rescue: "save the village from bandits" keeps a victim from the tables
_PLACES = frozenset(("village", "town", "city", "kingdom", "world", "realm", "land", "lands", "valley", "region", "country",
                     "empire", "day", "people", "farm", "farms", "harvest", "mill", "keep", "castle", "fort"))


def _noun_phrase(words: str) -> str | None:
    """The noun phrase at the start of `words`, cut at the first preposition or conjunction."""
    out: list[str] = []
    for w in words.split():
        low = w.lower()
        if low in _STOP or not re.match(r"^[\w'\u2019-]+$", w):
            break
        if len(out) >= 2 and (low in _AFTER_NOUN or (low.endswith("ing") and len(low) > 5)):
            break
        out.append(w)
    while out and out[-1].lower() in ("the", "a", "an", "of", "my", "our", "their"):
        out.pop()
    if not out:
        return None
    first = out[0].lower()
    if first in ("my", "our", "your"):
        out[0] = "my"  # the quest giver's: the builder names them
    elif first not in _DETERMINERS and not out[0][:1].isupper():
        out.insert(0, "the")  # "rescue kidnapped children" -> "the kidnapped children"
    phrase = " ".join(out)
    while len(phrase) > MAX_TARGET_CHARS and len(out) > 2:
        out.pop()
        while len(out) > 2 and out[-1].lower() in ("the", "a", "an", "of"):
            out.pop()
        phrase = " ".join(out)
    return phrase if len(phrase) <= MAX_TARGET_CHARS and len(out) >= 2 or (len(out) == 1 and out[0][:1].isupper()) else None


def prompt_target(prompt: str, theme: str) -> str | None:
    """The words the prompt gives for the theme's target ("rescue the mayor from cultists" -> "the mayor"), or None."""
    key = THEME_TARGET[theme]
    for m in _TARGET_RX[key].finditer(prompt):
        phrase = _noun_phrase(m.group(1))
        if phrase and key == "victim" and phrase.split()[-1].lower() in _PLACES:
            continue
        if phrase:
            if key == "war_goal":  # a goal is a verb phrase: "defend the bridge"
                verb = m.group(0)[: len(m.group(0)) - len(m.group(1))].strip().lower()
                goal = f"{verb} {phrase}"
                return goal if len(goal) <= MAX_TARGET_CHARS + 5 else None
            return phrase
    for m in _PASSIVE_RX.finditer(prompt):
        if _PASSIVE_TARGET.get(m.group(2).lower()) == key:
            phrase = _noun_phrase(m.group(1))
            if phrase:
                return phrase
    return None


VILLAIN_EPITHETS = ("the Pale", "the Whisperer", "the Red Hand", "Ashfinger", "the Widow", "the Smiling Knife", "Crowmother",
                    "the Hollow King", "the Gilded Wolf", "Blackwater", "the Bone Saint", "the Lantern Man")
VICTIMS = ("the mayor's youngest daughter", "a visiting scholar from the academy", "the miller's twin sons", "a beloved priest",
           "a dwarven envoy and her guards", "the heir to a merchant fortune", "a half-elf bard with a price on his head",
           "three children from the orphanage", "a retired adventurer who knows too much", "the baron's secret lover")
PRIZES = ("a jewelled idol with ruby eyes", "the deed to half the harbour", "a sealed ledger of bribes", "a dragon's egg",
          "the crown of a drowned king", "a prototype clockwork heart", "a painting that hides a treasure map",
          "a vial of phoenix ash", "the master key to the royal vaults", "a spellbook bound in silver")
CARGOS = ("a wagon of medicine for a plague town", "a child oracle", "a sealed coffin that must not be opened",
          "a caravan of refugees", "a retired general and his memoirs", "a chest of tax silver", "a sacred relic",
          "a wounded griffon", "a diplomat with many enemies", "a shipment of alchemical fire")
CRIMES = ("the murder of a guildmaster in a locked room", "a string of disappearances along the river",
          "the poisoning of the town well", "the theft of the temple bells", "a fire that gutted the archive",
          "the death of a bard in the middle of a song", "forged coins flooding the market", "cattle found drained of blood")
DISCOVERIES = ("a lost temple swallowed by the jungle", "a dwarven hold sealed for a thousand years", "an island that appears only at low tide",
               "a wizard's tower that fell from the sky", "a sunken city glimpsed from the cliffs", "a cave system breathing warm air",
               "the tomb of the first king", "a valley missing from every map")
HAUNTINGS = ("a mill where the dead grind bones at midnight", "a manor whose portraits weep", "a village where no one has slept in a week",
             "a lighthouse whose keeper walks though he drowned", "a chapel where the bells ring on their own",
             "an orchard where every apple is rotten inside", "a well that whispers names", "a school where the children draw the same door")
WAR_GOALS = ("hold a bridge against the vanguard", "sabotage the enemy's siege engines", "carry a truce to the enemy general",
             "rescue scouts captured behind the lines", "escort villagers away from the advancing army", "find the traitor in the war council",
             "destroy a supply depot", "recover the fallen king's banner")
PLOTS = ("a plot to poison the queen at her jubilee", "an election rigged by a merchant cartel", "a duel arranged to murder an heir",
         "a forged treaty that will start a war", "blackmail letters that could topple a house", "a secret marriage between rival houses",
         "an ambassador who is not who he claims", "a guild coup planned for the midsummer feast")

# theme -> (titles, hooks, openings, middles, finales, complications)
THEME_DATA: dict[str, tuple[tuple[str, ...], ...]] = {
    "mystery": (
        ("The {adj} Affair at {place}", "Murder in {place}", "The Secret of {site}", "Whispers in {place}", "The {place} Riddle"),
        ("{giver_c} begs the party to look into {crime}; the watch has already given up.",
         "A letter arrives, unsigned, describing {crime} in detail it should not contain.",
         "{giver_c} is accused of {crime}, and asks the party to prove otherwise before the hanging."),
        ("Examine the scene of the crime in {place} and interview three witnesses.", "Find the missing page torn from the victim's journal."),
        ("Follow a trail of forged receipts to a warehouse near {site}.", "Break a cipher that names the next victim.",
         "Catch a witness who is trying to leave {place} at night.", "Search {site} for the weapon that matches the wounds."),
        ("Unmask {villain} before the next crime is committed.", "Present the proof to the magistrate before {villain} can silence the witnesses."),
        ("The obvious suspect is innocent, but is hiding a different crime.", "A witness is lying to protect someone they love.",
         "The watch captain is paid to make the case go away.", "The real victim was not the one everyone thinks."),
    ),
    "rescue": (
        ("Stolen from {place}", "Into {site}", "Ransom at {place}", "The Long Night at {site}", "Bring Them Home to {place}"),
        ("{victim_c} vanished on the road to {place}; {giver} offers everything for a safe return.",
         "A ransom note pinned with a black dagger: {giver} must pay, or {victim} won't see the new moon.",
         "{giver_c} saw {victim} dragged into {site} and no one else believes it."),
        ("Find the kidnappers' trail outside {place}.", "Question the last person who saw {victim}."),
        ("Track the captors through {site}.", "Bribe, sneak or fight past the lookouts.", "Decipher the ransom note's hidden message.",
         "Free the other prisoners held alongside {victim}."),
        ("Free {victim} before {villain} moves them again.", "Break {victim} out of {site}, then flee."),
        ("{victim_c} may not want to be rescued.", "The ransom has already been paid, and the captors want more.",
         "A rival crew is after the same captive for the bounty.", "The captive is badly hurt and must be carried."),
    ),
    "heist": (
        ("The {adj} Job in {place}", "The {place} Heist", "Breaking {site}", "A Thief's Gambit in {place}", "The Vault of {site}"),
        ("{giver_c} wants {prize} back from {villain}, and does not care how.",
         "{prize_c} will be moved through {place} in three days; {giver} has a plan and needs a crew.",
         "{villain} stole {prize} from {giver}; stealing it back is the only justice left."),
        ("Case the target in {place} and learn the guard rotation.", "Acquire the blueprints of {site}."),
        ("Recruit a locksmith who owes no one a favour.", "Create a distraction worthy of a festival.", "Forge invitations to the gala.",
         "Disable the wards without tripping the alarm."),
        ("Steal {prize} and get out of {place} unseen.", "Swap {prize} for a forgery before anyone notices."),
        ("Someone on the crew is an informant.", "The vault holds something far more dangerous than the prize.",
         "Another crew picked the same night.", "The prize is already a forgery."),
    ),
    "escort": (
        ("The Road to {place}", "Safe Passage to {place}", "The {adj} Caravan to {place}", "Guarding {cargo_short}", "Through {site}"),
        ("{giver_c} must get {cargo} to {place} before the passes close, and the roads are not safe.",
         "{giver_c} hires the party to escort {cargo} through {site}.",
         "Every escort sent with {cargo} has vanished; {giver} doubles the pay."),
        ("Meet the caravan master at the gates and inspect {cargo}.", "Choose between the fast road and the safe one."),
        ("Cross {site} without losing a wagon.", "Repel raiders at a ruined waystation.", "Ford a river swollen by storms.",
         "Find out who is leaving signs for the bandits."),
        ("Deliver {cargo} to {place} intact.", "Hand {cargo} to the right person in {place}, not an impostor."),
        ("The cargo is not what the manifest says.", "One of the travellers is being hunted.", "A sickness spreads through the caravan.",
         "The employer never intended to pay."),
    ),
    "hunt": (
        ("The Beast of {site}", "Hunting the {monster}", "The {monster} of {place}", "Blood on {site}", "The Last Hunt of {place}"),
        ("{a_monster_c} has been killing livestock around {place}; {giver} offers a bounty for its head.",
         "{giver_c} lost a son to the {monster_lc} of {site} and wants it dead.",
         "A bounty notice nailed to every door in {place}: the {monster_lc} must die."),
        ("Gather clues from the survivors in {place}.", "Find the creature's tracks near {site}."),
        ("Prepare bait and a killing ground.", "Learn the creature's weakness from an old hunter.", "Follow the trail into {site}.",
         "Survive the first encounter and regroup."),
        ("Slay the {monster_lc} and bring back proof.", "Corner the {monster_lc} in its lair and end the threat."),
        ("The beast is protecting its young.", "Someone is deliberately driving the creature toward town.",
         "Another hunting party wants the bounty and will cheat to get it.", "The beast is a cursed person."),
    ),
    "intrigue": (
        ("Masks of {place}", "The {adj} Court of {place}", "A Game of Crowns in {place}", "Knives at the {place} Feast", "The {place} Conspiracy"),
        ("{giver_c} has uncovered {plot} and needs deniable agents.", "An invitation to a masked ball arrives; {giver} asks the party to stop {plot}.",
         "{giver_c} is being blackmailed as part of {plot}."),
        ("Secure invitations to the court of {place}.", "Learn the names of the conspirators."),
        ("Charm, bribe or threaten a courtier.", "Steal a letter from a locked desk.", "Survive an assassination attempt at dinner.",
         "Turn one of the conspirators."),
        ("Expose {villain} in front of the court.", "Foil {plot} without starting a war."),
        ("The patron benefits from the plot's success.", "A beloved noble is secretly involved.", "The party is framed for the crime.",
         "Two factions want the evidence, for opposite reasons."),
    ),
    "exploration": (
        ("The Lost Road to {site}", "Beyond {place}", "The Map of {site}", "Into the Unknown beyond {place}", "Secrets of {site}"),
        ("{giver_c} has a map to {discovery} and needs escorts who can keep a secret.",
         "A dying prospector stumbles into {place} babbling about {discovery}.",
         "{giver_c} funds an expedition to {discovery}, the first in a hundred years."),
        ("Gather supplies and a guide in {place}.", "Decode the map's riddles."),
        ("Cross {site}.", "Find the way past a sealed door.", "Survive the first night in the wilds.", "Chart the lower levels."),
        ("Reach {discovery} and bring back proof.", "Recover the relic at the heart of {discovery}."),
        ("The guide is leading them into a trap.", "A rival expedition is a day ahead.", "The site is occupied, and the occupants want it kept secret.",
         "The supplies were sabotaged."),
    ),
    "horror": (
        ("The Haunting of {site}", "What Walks in {place}", "The {adj} Dead of {place}", "Night Falls on {place}", "The Hollow Bell of {place}"),
        ("{giver_c} begs for help with {haunting}.", "Travellers avoid {place} now, because of {haunting}.",
         "The party takes shelter in {place} and learns of {haunting} too late to leave."),
        ("Spend a night in {place} and witness the haunting.", "Learn what happened here twenty years ago."),
        ("Find the grave that should not be empty.", "Survive the thing in the cellar.", "Gather the relics needed for a rite of rest.",
         "Hear the confession of the last survivor."),
        ("Lay the restless dead to rest.", "Destroy {villain}, who feeds on the fear of the living."),
        ("The haunting is a punishment for something the villagers did.", "One of the party begins to hear the whispers.",
         "The priest who offers help is part of the problem.", "The ghost is trying to warn them, not harm them."),
    ),
    "war": (
        ("The Battle of {site}", "Banners over {place}", "The {adj} Front at {site}", "Hold the Line at {site}", "Ashes of {place}"),
        ("{villain}'s army nears {place}; {giver} begs the party to {war_goal}.",
         "{giver_c} needs a small, skilled band to {war_goal} while the armies clash.",
         "War has come to {place}, and {giver} offers land and title to those who {war_goal}."),
        ("Reach the front at {site} without being caught by scouts.", "Report to the besieged commander in {place}."),
        ("Slip behind the enemy lines.", "Rally a broken company.", "Win over a band of mercenaries.", "Survive a cavalry charge."),
        ("{war_goal_c}.", "Turn the tide of the battle at {site}."),
        ("The enemy has a mole among the officers.", "The commander's orders are suicide.", "Civilians are caught between the lines.",
         "The enemy are not the real threat."),
    ),
}
GENERAL_COMPLICATIONS = ("A storm strands the party for a day at the worst possible moment.",
                         "An old enemy of one of the characters turns up in the middle of things.",
                         "The local lord wants a cut of any reward.", "A rival adventuring party is after the same goal.",
                         "Rumours spread that the party is behind the trouble.", "A key ally falls ill and cannot help.")
ADJ = ("Crimson", "Silent", "Gilded", "Drowned", "Hollow", "Broken", "Midnight", "Ashen", "Last", "Velvet", "Iron", "Weeping")
FAVOURS = ("the lasting favour of {house}", "a writ of free passage through {place}", "the deed to a ruined watchtower near {place}",
           "honorary membership of the {guild}", "a seat at the table of {house}", "a title: Knights of {place}")
HOUSES = ("House Valcourt", "House Drummond", "House Ashgrave", "the Merchant League", "the Silver Temple", "the Old Families")
GUILDS = ("Cartographers' Guild", "Society of Explorers", "Brewers' Guild", "Lantern Watch", "Order of the Quill")
PEOPLE_NOTES = {
    "quest giver": ("Pays half up front.", "Is hiding part of the truth.", "Desperate, and it shows.", "Owes the party a favour afterwards."),
    "villain": ("Always one step ahead.", "Believes they are the hero.", "Prefers bargains to blades.", "Has a secret ally in town."),
    "ally": ("Knows a shortcut.", "Can be trusted, mostly.", "Wants a share of the glory.", "Has a personal stake in the outcome."),
    "witness": ("Saw more than they admit.", "Afraid for their family.", "Will talk for a price.", "Remembers one crucial detail."),
    "rival": ("Plays dirty.", "Might become a friend.", "Works for the villain without knowing it.", "Wants the same reward."),
}
def _cr_value(cr: str) -> float:
    return eval(cr) if "/" in cr else float(cr)  # noqa: S307 - constant table strings only


_HUNTABLE = ("beast", "monstrosity", "dragon", "giant", "undead", "fey", "plant", "aberration", "fiend", "lycanthrope")
MONSTER_BY_LEVEL = {lvl: tuple(m for m in MONSTERS if max(lvl * 0.5, 0.5) <= _cr_value(m.cr) <= lvl + 2 and
                               m.tags[0] in _HUNTABLE) for lvl in range(1, 21)}


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    """(theme, length, environment, villain kind, named monsters, creature tags) the prompt names."""
    return (THEME_MATCHER.first(prompt), LENGTH_MATCHER.first(prompt), ENV_MATCHER.first(prompt), villain_kind(prompt),
            named_monsters(prompt), TAG_MATCHER.all(prompt))


@lru_cache(maxsize=2048)
def _target(prompt: str, theme: str) -> str | None:
    return prompt_target(prompt, theme) if prompt else None


def reward_item(rng: Random, level: int) -> str:
    rarity = RARITIES[min(4, 1 + level // 5)]
    kind = pick(rng, KINDS)
    base = pick(rng, BASES_BY_KIND[kind])
    name = item_name(rng, base, kind, rarity, None, False)
    what = base if kind != "potion" else "potion"
    return f"{name} ({rarity})" if what.lower() in name.lower() else f"{name} ({rarity} {what})"


def _monster_for(rng: Random, level: int, env: str, named: tuple, tags: tuple[str, ...], target: str | None) -> str:
    """The quarry of a hunt: a monster the prompt names, else one of a kind it names, else its own words;
    one that lives where the quest happens when there is one."""
    if named:
        fit = [m for m in named if m in MONSTER_BY_LEVEL[level]]
        return pick(rng, fit or named).name
    if tags:
        fit = [m for m in MONSTER_BY_LEVEL[level] if any(t in m.tags for t in tags)]
        fit = fit or [m for m in MONSTERS if any(t in m.tags for t in tags)]
        if fit:
            return pick(rng, [m for m in fit if env in m.envs] or fit).name
    if target:
        words = target.split(" of ")[0].split()
        if words and words[0].lower() in ("the", "a", "an", "my", "some", "this", "that"):
            words = words[1:]
        if words:
            return titlecase(" ".join(words))[:32]
    pool = MONSTER_BY_LEVEL[level]
    return pick(rng, [m for m in pool if env in m.envs] or pool).name


def build(prompt: str, form: QuestForm, seed: int) -> QuestContent:
    return build_with(Random(seed), prompt, form)


def build_with(rng: Random, prompt: str, form: QuestForm) -> QuestContent:
    """build() drawing on a given random stream (a campaign shares its own with its parts)."""
    r = rng.random
    prompt = prompt or ""
    p_theme, p_len, p_env, p_villain, p_named, p_tags = parse_prompt(prompt)
    theme = form.theme if form.theme != "any" else (p_theme or pick(rng, THEMES))
    length = form.length if form.length != "any" else (p_len or pick(rng, ("short", "medium", "medium", "long")))
    level = form.party_level
    env = p_env or pick(rng, ENVIRONMENTS)
    titles, hooks, openings, middles, finales, comps = THEME_DATA[theme]
    target = _target(prompt, theme)  # the prompt's own words for what the quest is about ("the mayor")
    key = THEME_TARGET[theme]

    place = N.settlement_name(rng)
    site = N.site_name(rng, env)
    giver_name = N.person_name(rng, pick(rng, N.ANCESTRIES))
    givers = GIVERS
    if target:  # the mayor cannot hire the party to rescue the mayor
        low = target.lower()
        givers = tuple(g for g in GIVERS if g[2] not in low) or GIVERS
    giver_title, giver_desc, _ = pick(rng, givers)
    giver = f"{giver_title} {giver_name}"
    if target and target.startswith("my "):  # "save my sister": the giver's sister
        whose = f"{giver_title} {giver_name.split()[-1]}'s {target[3:]}"
        target = whose if len(whose) <= MAX_TARGET_CHARS else f"the {target[3:]}"
    villain_name = f"{N.first_name(rng, pick(rng, N.ANCESTRIES))} {pick(rng, VILLAIN_EPITHETS)}"
    villain_kind = p_villain or pick(rng, VILLAIN_KINDS)
    monster = []  # chosen on first use

    def _monster():
        if not monster:
            monster.append(_monster_for(rng, level, env, p_named, p_tags, target if key == "monster" else None))
        return monster[0]

    def _pick(table):
        return lambda: target if target and key == table[0] else pick(rng, table[1])

    ctx = Lazy({
        "victim_c": lambda: cap(ctx["victim"]), "prize_c": lambda: cap(ctx["prize"]),
        "victim": _pick(("victim", VICTIMS)), "prize": _pick(("prize", PRIZES)), "cargo": _pick(("cargo", CARGOS)),
        "cargo_short": lambda: titlecase(ctx["cargo"].split(" that ")[0].split(" with ")[0]),
        "crime": _pick(("crime", CRIMES)), "discovery": _pick(("discovery", DISCOVERIES)),
        "haunting": _pick(("haunting", HAUNTINGS)), "plot": _pick(("plot", PLOTS)),
        "monster": lambda: _monster(), "monster_lc": lambda: _monster().lower(),
        "a_monster_c": lambda: cap(a(_monster().lower())), "war_goal": _pick(("war_goal", WAR_GOALS)),
        "war_goal_c": lambda: cap(ctx["war_goal"]), "adj": lambda: pick(rng, ADJ),
    }, place=place, site=site, giver=giver, giver_c=cap(giver), villain=villain_name)
    name = titlecase(pick(rng, titles).format_map(ctx).replace("the the", "the"))
    hook = pick(rng, hooks).format_map(ctx)
    n_mid = {"short": 0, "medium": 1, "long": 2}[length]
    objectives = [pick(rng, openings).format_map(ctx)]
    objectives += [m.format_map(ctx) for m in sample(rng, middles, n_mid)]
    objectives.append(pick(rng, finales).format_map(ctx))
    n_comp = {"short": 1, "medium": 2, "long": 3}[length]
    complications = [c.format_map(ctx) for c in sample(rng, comps, n_comp - 1)] + [pick(rng, GENERAL_COMPLICATIONS)]
    rng.shuffle(complications)

    factor = {"short": 1, "medium": 2, "long": 4}[length]
    gold = (50 + int(r() * 50)) * level * factor
    gold -= gold % 10
    rewards = [f"{gold:,} gp from {giver}"]
    if r() < 0.8 or length == "long":
        rewards.append(reward_item(rng, level))
    if r() < 0.5:
        rewards.append(cap(pick(rng, FAVOURS).format(house=pick(rng, HOUSES), place=place, guild=pick(rng, GUILDS))))

    def note(role: str) -> str:
        return pick(rng, PEOPLE_NOTES[role])

    ctx.close()
    third = pick(rng, ("ally", "witness", "rival"))
    people = [
        construct(Person, name=giver_name, role="quest giver", note=f"{cap(giver_desc)}. {note('quest giver')}"),
        construct(Person, name=villain_name, role="villain", note=f"{cap(villain_kind)}. {note('villain')}"),
        construct(Person, name=N.person_name(rng, pick(rng, N.ANCESTRIES)), role=third, note=note(third)),
    ]
    return construct(QuestContent,
        name=name, theme=theme, length=length, party_level=level, location=f"{site}, near {place}",
        environment=env, hook=hook, objectives=objectives, complications=complications, rewards=rewards,
        people_involved=people,
    )


assert set(ThemeName.__args__) == set(THEMES) == set(THEME_DATA) == set(THEME_TARGET)
assert set(PersonRole.__args__) == set(PEOPLE_NOTES)
