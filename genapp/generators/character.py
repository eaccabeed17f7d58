"""Player characters: ancestry, class, ability scores, background, personality, backstory."""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from . import names as N
from . import people as P
from . import places as PL
from ._text import construct, FormBase, Matcher, a, cap, modifier, pick, signed
from .base import Content, bounded_str

Ancestry = Literal["any", "human", "elf", "dwarf", "halfling", "gnome", "half-orc", "tiefling", "dragonborn"]
CharClass = Literal["any", "barbarian", "bard", "cleric", "druid", "fighter", "monk", "paladin", "ranger",
                    "rogue", "sorcerer", "warlock", "wizard"]
Tone = Literal["any", "heroic", "grim", "whimsical", "mysterious"]
ClassName = Literal["barbarian", "bard", "cleric", "druid", "fighter", "monk", "paladin", "ranger", "rogue", "sorcerer",
                    "warlock", "wizard"]
BackgroundName = Literal["Acolyte", "Charlatan", "Criminal", "Entertainer", "Folk Hero", "Guild Artisan", "Guild Merchant",
                         "Hermit", "Noble", "Outlander", "Sage", "Sailor", "Soldier", "Urchin", "Haunted One"]
ABILITIES = ("str", "dex", "con", "int", "wis", "cha")
ABILITY_LABEL = {"str": "STR", "dex": "DEX", "con": "CON", "int": "INT", "wis": "WIS", "cha": "CHA"}


class CharacterForm(FormBase):
    level: int = Field(1, ge=1, le=20, title="Level", description="Character level, 1 to 20.")
    ancestry: Ancestry = Field("any", title="Ancestry", description="Ancestry, or any for random.")
    char_class: CharClass = Field("any", title="Class", description="Class, or any for random.")
    tone: Tone = Field("any", title="Tone", description="Flavour of the backstory.")


ToneName = Literal["heroic", "grim", "whimsical", "mysterious"]


class Personality(BaseModel):
    traits: list[bounded_str(160)] = Field(min_length=1, max_length=4)
    ideal: str = Field(min_length=1, max_length=160)
    bond: str = Field(min_length=1, max_length=160)
    flaw: str = Field(min_length=1, max_length=160)


class CharacterContent(Content):
    name: str = Field(min_length=1, max_length=60)
    ancestry: P.AncestryName
    char_class: ClassName
    level: int = Field(ge=1, le=20)
    background: BackgroundName
    occupation: str = Field(min_length=1, max_length=40, description="Their trade before adventuring, in a few words.")
    mood: P.MoodName
    tone: ToneName
    hometown: str = Field(min_length=1, max_length=60)
    # The schema names the six keys (and no others) so an LLM's structured output has exactly them.
    ability_scores: dict[str, Annotated[int, Field(ge=1, le=30)]] = Field(
        json_schema_extra={"properties": {k: {"type": "integer", "minimum": 1, "maximum": 30} for k in ABILITIES},
                           "required": list(ABILITIES), "additionalProperties": False}
    )
    hit_points: int = Field(ge=1, le=999)
    armor_class: int = Field(ge=1, le=30)
    proficiency_bonus: int = Field(ge=2, le=6)
    personality: Personality
    appearance: str = Field(min_length=1, max_length=400, description="How they look, in one or two sentences.")
    skin: P.SkinTone
    hair: P.HairColour
    eyes: P.EyeColour
    equipment: list[bounded_str(80)] = Field(min_length=1, max_length=10)
    backstory: str = Field(min_length=1, max_length=1200, description="Where they come from, in one paragraph.")

    @field_validator("ability_scores")
    @classmethod
    def _six_abilities(cls, v: dict[str, int]) -> dict[str, int]:
        if set(v) != set(ABILITIES):
            raise ValueError(f"needs exactly the keys {', '.join(ABILITIES)}")
        return {k: v[k] for k in ABILITIES}

    def subtitle(self) -> str:
        return (f"Level {self.level} {N.ANCESTRY_LABEL.get(self.ancestry, self.ancestry)} "
                f"{self.char_class.title()}")

    def to_markdown(self) -> str:
        sc = self.ability_scores
        head = " | ".join(ABILITY_LABEL[k] for k in ABILITIES)
        vals = " | ".join(f"{sc[k]} ({signed(modifier(sc[k]))})" for k in ABILITIES)
        p = self.personality
        lines = [
            f"# {self.name}",
            "",
            f"*{self.subtitle()} · {self.background} ({self.occupation}) · {self.mood}*",
            "",
            f"**Hit Points** {self.hit_points} · **Armor Class** {self.armor_class} · "
            f"**Proficiency** {signed(self.proficiency_bonus)} · **Hometown** {self.hometown}",
            "",
            "## Ability Scores",
            "",
            f"| {head} |",
            "|" + ":---:|" * 6,
            f"| {vals} |",
            "",
            "## Appearance",
            "",
            self.appearance,
            "",
            "## Personality",
            "",
            *[f"- **Trait:** {t}" for t in p.traits],
            f"- **Ideal:** {p.ideal}",
            f"- **Bond:** {p.bond}",
            f"- **Flaw:** {p.flaw}",
            "",
            "## Equipment",
            "",
            *[f"- {e}" for e in self.equipment],
            "",
            "## Backstory",
            "",
            self.backstory,
            "",
        ]
        return "\n".join(lines)


# ------------------------------------------------------------------ class data
class _Cls:
    __slots__ = ("name", "hd", "prio", "ac", "kits", "callings", "noun")

    def __init__(self, name, hd, prio, ac, kits, callings, noun):
        self.name, self.hd, self.prio, self.ac, self.kits, self.callings, self.noun = (
            name, hd, prio, ac, kits, callings, noun)


# ac: (label, base, dex cap or None, extra ability or None, shield)
CLASSES: dict[str, _Cls] = {c.name: c for c in (
    _Cls("barbarian", 12, ("str", "con", "dex"), ("unarmoured defence", 10, None, "con", False),
         (("greataxe", "two handaxes"), ("greatsword", "four javelins"), ("maul", "a throwing spear")),
         ("A fury that had always simmered beneath the surface finally boiled over when {trigger}, and {first} learned to ride it like a storm.",
          "The elders of a hill tribe took {first} in, and taught that rage, properly aimed, is a kind of prayer.",
          "{first} survived a winter alone in the wilds and came back with a hunger for battle nobody could explain."),
         "warrior of the old blood"),
    _Cls("bard", 8, ("cha", "dex", "con"), ("leather armour", 11, None, None, False),
         (("rapier", "lute"), ("shortsword", "flute"), ("rapier", "viol")),
         ("A travelling troupe passed through {home}, and {first} ran off with them before dawn.",
          "{first} discovered that a well-told story could calm a tavern brawl, and a well-sung one could start a riot.",
          "An old lute found in a dead man's pack sang back when {first} played it, and the music never stopped."),
         "wandering performer"),
    _Cls("cleric", 8, ("wis", "con", "str"), ("scale mail and shield", 14, 2, None, True),
         (("mace", "holy symbol"), ("warhammer", "prayer book"), ("morningstar", "censer of incense")),
         ("A vision came to {first} during a fever, and the god who spoke in it has not fallen silent since.",
          "{first} was raised in a temple's shadow and took the vows the day the old high priest died.",
          "When {trigger}, {first} prayed for the first time in earnest, and something answered."),
         "servant of the gods"),
    _Cls("druid", 8, ("wis", "con", "dex"), ("leather armour and wooden shield", 11, None, None, True),
         (("quarterstaff", "druidic focus of yew"), ("scimitar", "sprig of mistletoe"), ("sickle", "totem of bone")),
         ("A circle of druids found {first} talking to the crows and decided the crows were talking back.",
          "{first} spent a year living among wolves after {trigger}, and came home speaking the old tongue of leaf and root.",
          "The old oak outside {home} whispered {first}'s name one autumn, and {first} answered."),
         "keeper of the wild"),
    _Cls("fighter", 10, ("str", "con", "dex"), ("chain mail and shield", 16, 0, None, True),
         (("longsword", "shield", "light crossbow"), ("battleaxe", "shield", "handaxe"), ("halberd", "longbow"),
          ("greatsword", "javelins")),
         ("When {trigger}, {first} picked up a fallen soldier's blade and discovered a terrible knack for it.",
          "{first} signed up with a mercenary company for the coin and stayed for the brotherhood.",
          "Years of drilling under a one-eyed sergeant turned {first} into something hard and dependable."),
         "sellsword"),
    _Cls("monk", 8, ("dex", "wis", "con"), ("unarmoured defence", 10, None, "wis", False),
         (("quarterstaff", "prayer beads"), ("shortsword", "ten darts"), ("sickle", "ten darts")),
         ("A silent order of monks took {first} in, and years of stillness forged a body as swift as thought.",
          "{first} learned to fight bare-handed in the pits beneath {home}, then learned why one should not.",
          "After {trigger}, {first} climbed to a mountain monastery and did not speak for three years."),
         "disciple of the open hand"),
    _Cls("paladin", 10, ("str", "cha", "con"), ("chain mail and shield", 16, 0, None, True),
         (("longsword", "shield", "holy symbol"), ("warhammer", "shield", "javelins"), ("greatsword", "holy symbol")),
         ("Kneeling in a ruined chapel after {trigger}, {first} swore an oath that still burns in every heartbeat.",
          "{first} was squire to a knight who died holding a bridge, and took up the vow along with the sword.",
          "A radiant figure appeared to {first} on the eve of battle and asked a single question; the answer became an oath."),
         "oathsworn knight"),
    _Cls("ranger", 10, ("dex", "wis", "con"), ("studded leather", 12, None, None, False),
         (("longbow", "two shortswords"), ("longbow", "hunting knife"), ("hand crossbow", "scimitar")),
         ("{first} tracked the beast that savaged the herds outside {home} for forty days, and came back a different person.",
          "The borderlands beyond {home} taught {first} to read tracks, weather and the silence of birds.",
          "A grizzled warden trained {first} to guard the frontier, and the frontier has been home ever since."),
         "warden of the frontier"),
    _Cls("rogue", 8, ("dex", "int", "cha"), ("leather armour", 11, None, None, False),
         (("rapier", "shortbow", "thieves' tools"), ("two daggers", "thieves' tools"), ("shortsword", "hand crossbow", "thieves' tools")),
         ("The alleys of {home} taught {first} that locks are suggestions and pockets are invitations.",
          "{first} took one job for the thieves' guild to pay off a debt, and then another, and then another.",
          "After {trigger}, {first} learned that the quietest knife in the room is the one that survives."),
         "knife in the dark"),
    _Cls("sorcerer", 6, ("cha", "con", "dex"), ("no armour", 10, None, None, False),
         (("light crossbow", "arcane focus"), ("two daggers", "crystal focus"), ("quarterstaff", "arcane focus")),
         ("Magic woke in {first}'s blood the day {trigger}, and the sky itself flinched.",
          "Strange lights followed {first} from the cradle; the village whispered of a dragon somewhere in the family tree.",
          "{first} never studied a single spell; the power simply arrived, like a fever that never broke."),
         "born spellcaster"),
    _Cls("warlock", 8, ("cha", "con", "dex"), ("leather armour", 11, None, None, False),
         (("light crossbow", "arcane focus", "two daggers"), ("pact blade", "book of shadows"), ("quarterstaff", "arcane focus")),
         ("Desperate after {trigger}, {first} made a bargain with a voice in the dark, and it has been collecting ever since.",
          "{first} read aloud from a book that should have stayed closed, and something ancient took an interest.",
          "A patron from beyond the stars offered {first} power at a price not yet named."),
         "pact-bound seeker"),
    _Cls("wizard", 6, ("int", "con", "dex"), ("no armour", 10, None, None, False),
         (("quarterstaff", "spellbook"), ("dagger", "spellbook", "component pouch"), ("quarterstaff", "spellbook", "ink and quill")),
         ("{first} apprenticed to a cantankerous wizard and learned magic mostly by cleaning up after failed experiments.",
          "A scholarship to the academy rescued {first} from a life of drudgery in {home}.",
          "{first} taught themself to read from a stolen spellbook, one dangerous page at a time."),
         "student of the arcane"),
)}
CLASS_NAMES: tuple[str, ...] = tuple(CLASSES)

CLASS_KEYWORDS = {
    "barbarian": ("barbarian*", "berserk*", "savage", "rager", "raging", "tribal warrior*", "wildling*"),
    "bard": ("bard*", "minstrel*", "musician*", "singer*", "lute", "skald*", "troubadour*", "poet*"),
    "cleric": ("cleric*", "priest*", "priestess*", "healer*", "chaplain*", "friar*"),
    "druid": ("druid*", "shaman*", "shapeshift*", "nature priest*", "circle of"),
    "fighter": ("fighter*", "warrior*", "soldier*", "knight*", "mercenar*", "gladiator*", "swordsman",
                "swordswoman", "man at arms", "veteran", "sellsword*", "duelist*", "swordmaster*", "weapon master*"),
    "monk": ("monk*", "martial artist*", "kung fu", "ascetic*", "brawler*", "pugilist*"),
    "paladin": ("paladin*", "crusader*", "holy knight*", "holy warrior*", "templar*", "oathsworn"),
    "ranger": ("ranger*", "hunter*", "huntsman", "huntress", "tracker*", "archer*", "scout*", "beastmaster*", "trapper*", "poacher*"),
    "rogue": ("rogue*", "thief", "thieves", "assassin*", "burglar*", "scoundrel*", "spy", "spies", "pickpocket*",
              "cutpurse*", "smuggler*", "swashbuckler*", "cutthroat*", "bandit*", "outlaw*"),
    "sorcerer": ("sorcerer*", "sorceress*", "wild magic", "wild mage*", "draconic bloodline", "storm sorcer*"),
    "warlock": ("warlock*", "pact", "patron", "hexblade*", "witch*", "cultist*"),
    "wizard": ("wizard*", "mage*", "magician*", "archmage*", "arcanist*", "necromancer*", "illusionist*",
               "enchanter*", "spellcaster*"),
}

ANCESTRY_BONUS = {
    "human": {"str": 1, "dex": 1, "con": 1, "int": 1, "wis": 1, "cha": 1},
    "elf": {"dex": 2, "int": 1}, "dwarf": {"con": 2, "wis": 1}, "halfling": {"dex": 2, "cha": 1},
    "gnome": {"int": 2, "con": 1}, "half-orc": {"str": 2, "con": 1}, "tiefling": {"cha": 2, "int": 1},
    "dragonborn": {"str": 2, "cha": 1},
}

# background -> (default occupations, signature item)
BACKGROUNDS: dict[str, tuple[tuple[str, ...], str]] = {
    "Acolyte": (("temple acolyte", "shrine keeper", "pilgrim", "candle-maker for the temple"), "a worn prayer book"),
    "Charlatan": (("swindler", "false fortune-teller", "forger", "quack physician"), "a set of weighted dice"),
    "Criminal": (("burglar", "fence", "smuggler", "pickpocket", "debt collector"), "a crowbar and dark hooded clothes"),
    "Entertainer": (("minstrel", "acrobat", "actor", "storyteller", "juggler"), "a costume from a famous performance"),
    "Folk Hero": (("farmer", "shepherd", "miller", "woodcutter", "ferryman"), "a shovel that once saved a village"),
    "Guild Artisan": (("blacksmith", "carpenter", "brewer", "weaver", "jeweller", "mason", "tanner", "glassblower",
                       "cartographer", "potter"), "a letter of introduction from the guild"),
    "Guild Merchant": (("merchant", "spice trader", "caravan master", "moneylender"), "a merchant's scale"),
    "Hermit": (("hermit", "herbalist", "hedge healer", "stargazer"), "a case stuffed with notes and dried herbs"),
    "Noble": (("minor noble", "disinherited heir", "courtier", "knight's squire"), "a signet ring"),
    "Outlander": (("hunter", "trapper", "guide", "tribal nomad", "forester"), "a hunting trap and a trophy"),
    "Sage": (("scholar", "librarian", "scribe", "alchemist's assistant", "astronomer"), "a bottle of black ink and a quill"),
    "Sailor": (("deckhand", "ship's navigator", "fisher", "pirate", "dock worker"), "fifty feet of silk rope"),
    "Soldier": (("infantry veteran", "city guard", "quartermaster", "scout", "sergeant"), "an insignia of rank"),
    "Urchin": (("street urchin", "messenger", "rat-catcher", "chimney sweep"), "a small knife and a tame mouse"),
    "Haunted One": (("gravedigger", "undertaker", "exorcist's assistant", "survivor of a massacre"), "a chest of monster-hunting tools"),
}
BACKGROUND_NAMES = tuple(BACKGROUNDS)
# occupation a prompt can name -> (keywords, background, class bias)
_ARTISAN = ("fighter", "cleric", "paladin", "barbarian")
_CROOK = ("rogue", "fighter", "bard")
_SEA = ("fighter", "rogue", "sorcerer", "ranger")
OCCUPATIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "blacksmith": (("blacksmith*", "smith", "smiths", "forge*", "anvil*", "smithy"), "Guild Artisan", _ARTISAN),
    "armourer": (("armourer*", "armorer*"), "Guild Artisan", _ARTISAN),
    "weaponsmith": (("weaponsmith*", "swordsmith*", "bladesmith*"), "Guild Artisan", _ARTISAN),
    "carpenter": (("carpenter*", "woodworker*", "joiner*", "shipwright*"), "Guild Artisan", ("fighter", "ranger")),
    "brewer": (("brewer*", "brewmaster*", "vintner*", "winemaker*", "ale", "beer"), "Guild Artisan", ("monk", "fighter", "bard")),
    "jeweller": (("jeweller*", "jeweler*", "gem cutter*", "gemcutter*", "goldsmith*", "silversmith*"), "Guild Artisan",
                 ("rogue", "wizard")),
    "weaver": (("tailor*", "weaver*", "seamstress*", "dressmaker*"), "Guild Artisan", ("bard", "rogue")),
    "mason": (("mason", "masons", "stonemason*", "stoneworker*", "sculptor*"), "Guild Artisan", ("fighter", "cleric")),
    "cartographer": (("cartographer*", "mapmaker*", "map maker*"), "Guild Artisan", ("wizard", "ranger")),
    "merchant": (("merchant*", "trader*", "peddler*", "pedlar*", "shopkeep*", "caravan*"), "Guild Merchant",
                 ("rogue", "bard", "warlock")),
    "moneylender": (("moneylender*", "money lender*", "usurer*", "banker*"), "Guild Merchant", ("rogue", "warlock")),
    "farmer": (("farmer*", "farmhand*", "peasant*", "plough*", "farm", "farms"), "Folk Hero", ("fighter", "ranger", "druid")),
    "shepherd": (("shepherd*", "goatherd*", "herder*", "herdsm*"), "Folk Hero", ("ranger", "druid", "fighter")),
    "miller": (("miller*",), "Folk Hero", ("fighter", "cleric")),
    "woodcutter": (("woodcutter*", "lumberjack*", "forester*"), "Folk Hero", ("barbarian", "ranger", "fighter")),
    "innkeeper": (("innkeep*", "tavern*", "publican*"), "Folk Hero", ("bard", "fighter", "rogue")),
    "barkeep": (("barkeep*", "bartender*", "barmaid*", "barman"), "Folk Hero", ("bard", "fighter", "rogue")),
    "hunter": (("huntsman", "huntress", "hunter", "hunters", "game warden*", "gamekeeper*"), "Outlander",
               ("ranger", "barbarian", "druid")),
    "trapper": (("trapper*", "furrier*"), "Outlander", ("ranger", "barbarian", "druid")),
    "poacher": (("poacher*",), "Outlander", ("ranger", "rogue")),
    "guide": (("guide", "guides", "pathfinder*"), "Outlander", ("ranger", "druid")),
    "deckhand": (("sail*", "deckhand*", "seaman", "seamen", "mariner*", "sea dog", "ship*"), "Sailor", _SEA),
    "pirate": (("pirate*", "corsair*", "buccaneer*", "privateer*"), "Sailor", ("rogue", "fighter", "warlock")),
    "ship's navigator": (("navigator*", "helmsm*"), "Sailor", ("wizard", "ranger", "rogue")),
    "fisher": (("fisher*", "angler*", "whaler*"), "Sailor", ("ranger", "druid")),
    "dock worker": (("dockhand*", "dock worker*", "dockworker*", "stevedore*", "longshorem*"), "Sailor",
                    ("fighter", "barbarian", "rogue")),
    "infantry veteran": (("legionn*", "veteran*", "conscript*", "infantry*", "soldier*"), "Soldier", ("fighter", "paladin")),
    "city guard": (("guard", "guards", "guardsm*", "watchm*", "constable*"), "Soldier", ("fighter", "paladin", "ranger")),
    "sergeant": (("sergeant*",), "Soldier", ("fighter", "paladin")),
    "quartermaster": (("quartermaster*",), "Soldier", ("fighter", "rogue")),
    "scholar": (("scholar*", "sage", "sages", "bookish", "academic*", "professor*"), "Sage", ("wizard", "cleric")),
    "librarian": (("librar*", "archivist*"), "Sage", ("wizard", "cleric")),
    "scribe": (("scribe*", "clerk*", "copyist*"), "Sage", ("wizard", "cleric", "bard")),
    "alchemist": (("alchemist*", "apothecar*"), "Sage", ("wizard", "sorcerer", "druid")),
    "astronomer": (("astronom*", "astrolog*", "stargazer*"), "Sage", ("wizard", "cleric", "sorcerer")),
    "minor noble": (("noble*", "aristocra*", "lord", "lady", "royal*", "duke*", "duchess*", "countess", "baron*"),
                    "Noble", ("paladin", "fighter", "sorcerer", "bard")),
    "disinherited heir": (("heir", "heirs", "heiress*", "prince", "princes", "princess*", "disinherited"), "Noble",
                          ("paladin", "fighter", "sorcerer", "bard")),
    "courtier": (("courtier*", "diplomat*", "envoy*", "herald*"), "Noble", ("bard", "rogue", "sorcerer")),
    "knight's squire": (("squire*",), "Noble", ("paladin", "fighter")),
    "smuggler": (("smuggl*", "contraband*", "rum runner*", "rumrunner*", "bootlegg*"), "Criminal", _CROOK),
    "burglar": (("burglar*", "cat burglar*", "housebreaker*", "thief", "thieves"), "Criminal", _CROOK),
    "fence": (("fence", "fences"), "Criminal", _CROOK),
    "pickpocket": (("pickpocket*", "cutpurse*"), "Criminal", _CROOK),
    "bandit": (("bandit*", "brigand*", "highwaym*", "highwayw*"), "Criminal", ("rogue", "fighter", "ranger")),
    "outlaw": (("outlaw*", "fugitive*", "criminal*"), "Criminal", ("rogue", "fighter", "ranger")),
    "gangster": (("gangster*", "gang", "gangs", "crime lord*", "mobster*"), "Criminal", ("rogue", "fighter")),
    "assassin's apprentice": (("assassin*", "cutthroat*"), "Criminal", ("rogue", "monk", "warlock")),
    "street urchin": (("urchin*", "orphan*", "street kid*", "street rat*", "guttersnipe*"), "Urchin", ("rogue", "monk")),
    "beggar": (("beggar*", "vagrant*", "vagabond*", "tramp"), "Urchin", ("rogue", "monk", "warlock")),
    "messenger": (("messenger*", "courier*", "errand*"), "Urchin", ("rogue", "monk")),
    "acrobat": (("acrobat*", "tumbler*", "circus*", "juggler*"), "Entertainer", ("bard", "monk", "rogue")),
    "actor": (("actor*", "actress*", "performer*", "playwright*"), "Entertainer", ("bard", "rogue", "sorcerer")),
    "dancer": (("dancer*",), "Entertainer", ("bard", "monk")),
    "jester": (("jester*", "clown*", "fool"), "Entertainer", ("bard", "rogue")),
    "storyteller": (("storyteller*", "story teller*", "raconteur*"), "Entertainer", ("bard", "wizard")),
    "hermit": (("hermit*", "recluse*", "mystic*", "anchorite*"), "Hermit", ("druid", "cleric", "monk")),
    "herbalist": (("herbalist*", "herb woman", "wise woman", "hedge witch*"), "Hermit", ("druid", "cleric")),
    "temple acolyte": (("acolyte*", "temple*", "novice*", "nun", "nuns"), "Acolyte", ("cleric", "paladin", "monk")),
    "pilgrim": (("pilgrim*",), "Acolyte", ("cleric", "paladin", "monk")),
    "swindler": (("charlatan*", "swindler*", "con artist*", "conman", "conmen", "grifter*", "fraud*"), "Charlatan",
                 ("rogue", "bard", "warlock")),
    "forger": (("forger*", "counterfeit*"), "Charlatan", ("rogue", "wizard")),
    "false fortune-teller": (("fortune teller*", "fortuneteller*", "soothsayer*"), "Charlatan", ("bard", "warlock")),
    "gravedigger": (("gravedigger*", "grave digger*", "grave robber*", "graverobber*"), "Haunted One",
                    ("warlock", "cleric", "rogue")),
    "undertaker": (("undertaker*", "mortician*", "embalmer*"), "Haunted One", ("warlock", "cleric")),
    "miner": (("miner", "miners", "mining", "prospector*", "digger*"), "Guild Artisan", ("fighter", "barbarian")),
    "cook": (("cook", "cooks", "chef*"), "Guild Artisan", ("fighter", "bard")),
    "baker": (("baker*",), "Guild Artisan", ("fighter", "cleric")),
    "butcher": (("butcher*",), "Guild Artisan", ("barbarian", "fighter")),
}
OCCUPATION_MATCHER = Matcher({k: v[0] for k, v in OCCUPATIONS.items()})
CLASS_MATCHER = Matcher(CLASS_KEYWORDS)
ANCESTRY_MATCHER = Matcher(N.ANCESTRY_KEYWORDS)
TONE_MATCHER = Matcher({
    "grim": ("grim*", "dark", "gritty", "bleak", "tragic", "grimdark", "bloody", "cursed"),
    "whimsical": ("whimsical", "funny", "comic*", "silly", "light hearted", "goofy", "absurd", "humorous"),
    "mysterious": ("myster*", "enigma*", "secretive", "shadowy", "cryptic", "strange"),
    "heroic": ("heroic", "hero", "noble hearted", "legendary", "epic", "chosen one"),
})

TRIGGERS = (
    "raiders burned the harvest", "the river flooded the lower town", "a plague swept through the valley",
    "a dragon's shadow passed over the village", "the local lord was murdered at a feast",
    "bandits took everything the family owned", "the mine collapsed with the night shift inside",
    "a comet split the sky in two", "the temple bells rang without a hand on the rope",
    "a border war reached the family's door", "a stranger died on the doorstep with a strange key",
    "the sea swallowed a fishing fleet whole",
)
ORIGINS = (
    "{name} was born in {home}, {home_desc}, and spent {youth} working as {a_occ}.",
    "Raised in {home}, {home_desc}, {first} learned the trade of {a_occ} before ever holding a weapon.",
    "{first} grew up in {home}, {home_desc}, where {a_ancestry} {occ} was nothing remarkable, until now.",
    "For {years} years {first} was {a_occ} in {home}, {home_desc}, and might have stayed one forever.",
    "Few in {home}, {home_desc}, remember {first} as anything but {a_occ} with a stubborn streak.",
    "{name} came of age in {home}, {home_desc}, apprenticed as {a_occ} to a master with no patience for fools.",
)
HOME_DESC = (
    "a market town on a muddy river", "a fishing village clinging to black cliffs",
    "a mining settlement carved into the mountainside", "a walled city of bells and gossip",
    "a farming hamlet surrounded by ancient standing stones", "a crossroads town famous for its fairs",
    "a frontier fort at the edge of the known map", "a sleepy village where nothing ever happened",
    "a port city thick with smugglers", "a hill town built on the ruins of an older one",
    "a forest steading hidden among giant trees", "a trading post on the old salt road",
)
YOUTH = ("a restless youth", "most of a quiet childhood", "long, hard years", "the better part of a decade")
INCIDENTS = {
    "heroic": (
        "Word of how {first} held a burning bridge alone against a warband still travels from tavern to tavern.",
        "{first} once carried a wounded stranger through a blizzard, never guessing the stranger was a prince in disguise.",
        "When a basilisk stalked the roads near {home}, it was {first} who lured it into the sunlight and ended it.",
        "{first} won a duel against {rival}, sparing a life that would later come back to haunt them.",
        "A village near {home} still sings a song about {first}, though the verses get the details wrong.",
    ),
    "grim": (
        "The night {rival} betrayed the company, {first} was the only one who walked out of the ambush alive.",
        "{first} has buried more friends than most people ever make, and keeps their names carved on a strip of leather.",
        "A contract went wrong in the marshes, and {first} still wakes to the sound of the bells that rang that night.",
        "{first} did something unforgivable to survive a siege, and has been trying to outrun it ever since.",
        "The scar {first} never talks about came from {rival}, who is very much still alive.",
    ),
    "whimsical": (
        "{first} once won a goat, a title and a very small castle in a single game of cards, and lost all three by morning.",
        "An enchanted kettle follows {first} from town to town, and nobody has figured out how to make it stop.",
        "{first} is banned from three taverns, one library and, inexplicably, an entire duchy.",
        "A misunderstanding with a wishing well left {first} unable to tell a lie on Tuesdays.",
        "{first} accidentally started a religion in a small village and still receives the occasional pie in tribute.",
    ),
    "mysterious": (
        "{first} has dreams of a door beneath {home}, and last spring the door appeared in the cellar.",
        "Nobody knows where {first} spent the missing year, least of all {first}.",
        "A masked stranger has been leaving silver coins wherever {first} sleeps, each stamped with an unknown crest.",
        "{first} carries a key that fits no lock yet found, and it grows warm whenever {rival} is near.",
        "Sometimes {first} speaks in a language nobody taught them, and does not remember it afterwards.",
    ),
}
PRESENT = (
    'Now {first} travels as {a_noun}, carrying one promise everywhere: "{bond}"',
    'These days {first} sells their skills as {a_noun}, though friends know the real reason is simpler: "{bond}"',
    'At level {level}, {first} is {a_rank} {noun}, and companions learn two things soon enough. The first: "{bond}" The second: "{flaw}"',
    '{first} has left {home} behind to become {a_rank} {noun}, repeating the same words before every fight: "{bond}"',
    'Whatever comes next, {first} faces it as {a_rank} {noun}, hiding a confession never spoken aloud: "{flaw}"',
    'Today {first} walks the road as {a_rank} {noun}. Ask why, and the answer comes without hesitation: "{bond}"',
)
RANK = ((2, "fledgling"), (5, "capable"), (10, "seasoned"), (16, "renowned"), (20, "legendary"))
TRINKETS = (
    "a lucky copper coin with a hole in it", "a tiny silver bell that rings only at night", "a dried flower pressed in wax",
    "a carved wooden wolf", "a glass eye of uncertain origin", "a love letter never sent", "a deck of cards missing the queen",
    "a music box that plays a sad song", "a shard of obsidian that is always warm", "a map of a city that does not exist",
    "a lock of hair tied with red thread", "a brass compass that points to the nearest tavern",
)
MENTOR_TITLES = ("old", "Master", "Sister", "Brother", "Captain", "Mother", "Father", "Sergeant")


@lru_cache(maxsize=2048)
def parse_prompt(prompt: str):
    """(ancestry, class, occupation, mood, tone, place kind) found in the prompt, each or None."""
    return (ANCESTRY_MATCHER.first(prompt), CLASS_MATCHER.first(prompt), OCCUPATION_MATCHER.first(prompt),
            P.MOOD_MATCHER.first(prompt), TONE_MATCHER.first(prompt), PL.PLACE_MATCHER.first(prompt))


def roll_scores(rng: Random, char_class: str, ancestry: str, level: int) -> dict[str, int]:
    r = rng.random
    rolls = []
    for _ in range(6):
        d = sorted((int(r() * 6) + 1, int(r() * 6) + 1, int(r() * 6) + 1, int(r() * 6) + 1))
        rolls.append(max(d[1] + d[2] + d[3], 8))
    rolls.sort(reverse=True)
    prio = CLASSES[char_class].prio
    rest = [k for k in ABILITIES if k not in prio]
    rng.shuffle(rest)
    order = list(prio) + rest
    scores = dict(zip(order, rolls))
    for k, b in ANCESTRY_BONUS[ancestry].items():
        scores[k] += b
    # ability score improvements at 4, 8, 12, 16, 19
    for lv in (4, 8, 12, 16, 19):
        if level >= lv:
            for k in order:
                if scores[k] < 20:
                    scores[k] = min(20, scores[k] + 2)
                    break
    return {k: scores[k] for k in ABILITIES}


def armour_class(cls: _Cls, scores: dict[str, int], level: int) -> tuple[int, str]:
    label, base, dex_cap, extra, shield = cls.ac
    dex = modifier(scores["dex"])
    if base == 16 and level >= 8:  # upgraded to plate
        label, base = label.replace("chain mail", "plate armour"), 18
    if base == 14 and level >= 8:
        label, base = label.replace("scale mail", "half plate"), 15
    ac = base + (dex if dex_cap is None else min(dex, dex_cap))
    if extra:
        ac += modifier(scores[extra])
    if shield:
        ac += 2
    return ac, label


def _rank(level: int) -> str:
    for cap_, word in RANK:
        if level <= cap_:
            return word
    return "legendary"


def build(prompt: str, form: CharacterForm, seed: int) -> CharacterContent:
    rng = Random(seed)
    r = rng.random
    p_anc, p_cls, p_occ, p_mood, p_tone, p_place = parse_prompt(prompt or "")

    ancestry = form.ancestry if form.ancestry != "any" else (p_anc or pick(rng, N.ANCESTRIES))
    occ_key = p_occ
    if form.char_class != "any":
        char_class = form.char_class
    elif p_cls:
        char_class = p_cls
    elif occ_key and r() < 0.7:
        char_class = pick(rng, OCCUPATIONS[occ_key][2])
    else:
        char_class = pick(rng, CLASS_NAMES)
    cls = CLASSES[char_class]
    if occ_key:
        occupation, background = occ_key, OCCUPATIONS[occ_key][1]
    else:
        background = pick(rng, BACKGROUND_NAMES)
        occupation = pick(rng, BACKGROUNDS[background][0])
    mood = p_mood or pick(rng, P.MOOD_NAMES)
    tone = form.tone if form.tone != "any" else (p_tone or pick(rng, ("heroic", "grim", "whimsical", "mysterious")))
    level = form.level

    first = N.first_name(rng, ancestry)
    last = N.surname(rng, ancestry)
    name = f"{first} {last}"
    home = N.settlement_name(rng)
    mentor = f"{pick(rng, MENTOR_TITLES)} {N.first_name(rng, pick(rng, N.ANCESTRIES))}"
    rival = N.person_name(rng, pick(rng, N.ANCESTRIES))

    scores = roll_scores(rng, char_class, ancestry, level)
    con = modifier(scores["con"])
    hp = max(1, cls.hd + con) + (level - 1) * max(1, cls.hd // 2 + 1 + con)
    ac, armour = armour_class(cls, scores, level)
    prof = 2 + (level - 1) // 4

    traits = P.traits(rng, mood)
    ideal = pick(rng, P.IDEALS)
    bond = pick(rng, P.BONDS).format(home=home, mentor=mentor, rival=rival)
    flaw = pick(rng, P.FLAWS)
    appearance, skin, hair, eyes = P.looks(rng, ancestry)

    kit = list(pick(rng, cls.kits))
    equipment = [cap(k) for k in kit]
    if armour not in ("no armour", "unarmoured defence"):
        equipment.append(cap(armour))
    equipment.append(cap(BACKGROUNDS[background][1]))
    equipment.append(cap(pick(rng, TRINKETS)))
    equipment.append(f"{'Explorer' if r() < 0.5 else 'Traveller'}'s pack and {int(r() * 15 * level) + 5} gp")

    anc_word = N.ANCESTRY_ADJ[ancestry] if ancestry != "human" else "human"
    ctx = {
        "name": name, "first": first, "home": home,
        "home_desc": pick(rng, PL.HOME_DESC[p_place] if p_place else HOME_DESC), "youth": pick(rng, YOUTH),
        "years": pick(rng, ("three", "five", "seven", "ten", "twelve")), "a_occ": a(occupation), "occ": occupation,
        "a_ancestry": a(anc_word), "rival": rival, "trigger": pick(rng, TRIGGERS), "level": level,
        "noun": cls.noun, "a_noun": a(cls.noun), "rank": _rank(level), "a_rank": a(_rank(level)),
    }
    ctx["bond"] = bond
    ctx["flaw"] = flaw
    sentences = [
        pick(rng, ORIGINS).format(**ctx),
        pick(rng, cls.callings).format(**ctx),
        pick(rng, INCIDENTS[tone]).format(**ctx),
        pick(rng, PRESENT).format(**ctx),
    ]
    backstory = " ".join(s[0].upper() + s[1:] for s in sentences)

    return construct(CharacterContent,
        name=name, ancestry=ancestry, char_class=char_class, level=level, background=background,
        occupation=occupation, mood=mood, tone=tone, hometown=home, ability_scores=scores, hit_points=hp,
        armor_class=ac, proficiency_bonus=prof,
        personality=construct(Personality, traits=traits, ideal=ideal, bond=bond, flaw=flaw),
        appearance=appearance, skin=skin, hair=hair, eyes=eyes, equipment=equipment, backstory=backstory,
    )


assert set(CLASSES) == set(ClassName.__args__) == set(CharClass.__args__) - {"any"}
assert set(BACKGROUNDS) == set(BackgroundName.__args__)
assert all(bg in BACKGROUNDS for _, bg, _ in OCCUPATIONS.values())
