"""Non-player characters: a name, a face, a want, a secret and a voice."""

from __future__ import annotations

from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import Field

from . import names as N
from . import people as P
from . import places as PL
from ._text import construct, FormBase, Lazy, Matcher, a, cap, pick, sample, signed
from .base import Content, bounded_str
from .character import ANCESTRY_MATCHER, Ancestry

Role = Literal["any", "merchant", "innkeeper", "guard", "noble", "priest", "scholar", "criminal", "farmer",
               "sailor", "blacksmith", "hunter", "healer", "mercenary", "cultist", "bard", "spy"]
Disposition = Literal["any", "friendly", "neutral", "hostile"]


class NpcForm(FormBase):
    role: Role = Field("any", title="Role", description="What the NPC does, or any for random.")
    level: int = Field(1, ge=1, le=20, title="Level", description="Power level, 1 to 20 (scales the stat block).")
    disposition: Disposition = Field("any", title="Disposition", description="Attitude toward the party.")
    ancestry: Ancestry = Field("any", title="Ancestry", description="Ancestry, or any for random.")


RoleName = Literal["merchant", "innkeeper", "guard", "noble", "priest", "scholar", "criminal", "farmer",
                   "sailor", "blacksmith", "hunter", "healer", "mercenary", "cultist", "bard", "spy"]
DispositionName = Literal["friendly", "neutral", "hostile"]


class NpcContent(Content):
    name: str = Field(min_length=1, max_length=60)
    ancestry: P.AncestryName
    role: RoleName
    occupation: str = Field(min_length=1, max_length=40, description="What they do, in a few words.")
    disposition: DispositionName
    level: int = Field(ge=1, le=20)
    mood: P.MoodName
    location: str = Field(min_length=1, max_length=64, description="Where the party finds them.")
    motivation: str = Field(min_length=1, max_length=100, description="What they want, in one sentence.")
    secret: str = Field(min_length=1, max_length=100, description="What they hide, in one sentence.")
    mannerisms: list[bounded_str(80)] = Field(min_length=1, max_length=3)
    appearance: str = Field(min_length=1, max_length=260, description="How they look, in one or two sentences.")
    skin: P.SkinTone
    hair: P.HairColour
    eyes: P.EyeColour
    stat_summary: str = Field(min_length=1, max_length=200, description="A compact stat block, four short lines.")
    quote: str = Field(min_length=1, max_length=100, description="Something they say, in quotation marks.")

    def subtitle(self) -> str:
        return f"{N.ANCESTRY_LABEL.get(self.ancestry, self.ancestry)} {self.occupation}"

    def to_markdown(self) -> str:
        return "\n".join([
            f"# {self.name}",
            "",
            f"*{self.subtitle()} {from_place(self.location)} · {self.disposition} · {self.mood}*",
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


def from_place(location: str) -> str:
    """'of Saltmere' for a town, 'from the docks of Saltmere' for a place described in words."""
    return f"of {location}" if location[:1].isupper() else f"from {location}"


class _Role:
    __slots__ = ("keywords", "titles", "stats", "motivations", "quotes")

    def __init__(self, keywords, titles, stats, motivations, quotes):
        self.keywords, self.titles, self.stats, self.motivations, self.quotes = (
            keywords, titles, stats, motivations, quotes)


# stats: (base AC, hit die, ability mods at level 1 (str,dex,con,int,wis,cha), attack name, damage die, attack ability)
ROLES: dict[str, _Role] = {
    "merchant": _Role(("merchant*", "trader*", "haggl*", "businessm*", "businessw*"),
                      ("merchant", "spice trader", "pawnbroker", "caravan master", "curio dealer"),
                      (11, 8, (0, 1, 0, 2, 1, 2), "Dagger", "1d4", "dex"),
                      ("to corner the market on a rare dye before the festival", "to pay off a ruinous debt to the guild",
                       "to open a second shop across the river"),
                      ("Everything has a price, friend, but for you I'll make it a fair one.", "Everything has a price. Even that look on your face.", "Touch the merchandise again and you'll be paying for the hand.")),
    "innkeeper": _Role(("innkeep*", "inn keeper*", "hostel*", "landlord*", "landlady"),
                       ("innkeeper", "tavern keeper", "barkeep", "brewmaster"),
                       (11, 8, (1, 0, 1, 0, 1, 2), "Club", "1d4", "str"),
                       ("to keep the inn standing through another bad winter", "to find out who keeps watering the ale",
                        "to marry off an unruly son to someone respectable"),
                       ("Sit, sit. First round's on the house. Second round, you tell me where you've been.", "Rooms are five silver. Trouble costs extra.", "We're full. We're always full, for your sort.")),
    "guard": _Role(("guard", "guards", "guardsm*", "guardsw*", "sentry", "sentries", "watchm*", "watchw*", "soldier*", "militia*"),
                   ("city guard", "gate sergeant", "watch captain", "bridge warden", "prison warder"),
                   (16, 10, (2, 1, 2, 0, 1, 0), "Spear", "1d8", "str"),
                   ("to make captain before the old one retires", "to keep the peace in a ward that does not want it",
                    "to catch the thief who humiliated the watch"),
                   ("Keep your heads down tonight. Something's been stalking the lower wards.", "State your business, and make it quick.", "One more step and you'll be spending the night in the stocks. Or worse.")),
    "noble": _Role(("noble*", "lord", "lords", "lady", "ladies", "aristocra*", "royal*", "prince", "princes", "princess*", "nobility", "gentry"),
                   ("baron", "countess", "disgraced heir", "courtier", "magistrate"),
                   (15, 8, (0, 1, 0, 1, 2, 3), "Rapier", "1d8", "dex"),
                   ("to restore the family's fading fortune", "to win a seat on the high council",
                    "to be rid of an inconvenient rival without a scandal"),
                   ("Ah, the adventurers! Do come in. I have a small, delicate matter for you.", "You may approach. Slowly.", "Do you know how easily people like you disappear?")),
    "priest": _Role(("clergy*", "holy m*", "holy w*", "religious leader*", "cleric*"),
                    ("temple priest", "wandering friar", "abbess", "shrine keeper", "oracle"),
                    (13, 8, (0, 0, 1, 1, 3, 1), "Mace", "1d6", "str"),
                    ("to rebuild the temple that burned last spring", "to bring a lost flock back to the faith",
                     "to interpret a troubling omen before the new moon"),
                    ("Rest here a while. The gods have not forgotten you.", "The gods see you, child. Whether they approve is another matter.", "Your souls are already forfeit. I merely keep the ledger.")),
    "scholar": _Role(("scholar*", "academic*", "learned", "researcher*", "teacher*", "tutor*"),
                     ("sage", "archivist", "alchemist", "cartographer", "astronomer"),
                     (10, 6, (-1, 1, 0, 3, 2, 0), "Quarterstaff", "1d6", "str"),
                     ("to finish a treatise that will prove the academy wrong", "to find the missing volume of a forbidden text",
                      "to map the ruins before the treasure hunters loot them"),
                     ("Oh, marvellous! Do sit down. Mind the skull, it bites.", "Fascinating. Utterly wrong, of course, but fascinating.", "Some knowledge is not for the likes of you. Leave, before it finds you.")),
    "criminal": _Role(("criminal*", "crook*", "rogue*", "gangster*", "lowlife", "scoundrel*", "ne'er do well", "crime*"),
                      ("fence", "smuggler", "gang boss", "cutpurse", "bandit captain"),
                      (14, 8, (0, 3, 1, 1, 0, 1), "Shortsword", "1d6", "dex"),
                      ("to take over the docks from a rival gang", "to pull off one last job and retire somewhere warm",
                       "to find the informant who sold out the crew"),
                      ("Friends of a friend, eh? Then you'll want to hear about a certain warehouse.", "I don't know you, and you don't know me. Let's keep it that way.", "Wrong alley, wrong night, wrong company.")),
    "farmer": _Role(("peasant*", "villager*", "serf*", "herder*", "farmhand*", "yeom*"),
                    ("farmer", "shepherd", "miller", "beekeeper", "orchard keeper"),
                    (10, 8, (1, 0, 2, 0, 1, 0), "Pitchfork", "1d6", "str"),
                    ("to bring in the harvest before the raiders return", "to find the wolf that took the prize ram",
                     "to keep the family land out of the baron's hands"),
                    ("You'll stay for supper. I insist. Then we'll talk about those wolves.", "Mind the goats. They bite, and so do I.", "Off my land, before I set the dogs on you.")),
    "sailor": _Role(("sailor*", "seaman", "seamen", "seawoman", "mariner*", "seafar*", "sea dog*", "old salt", "captain"),
                    ("ship's captain", "harbourmaster", "bosun", "navigator", "pirate quartermaster"),
                    (12, 8, (1, 2, 1, 0, 1, 0), "Cutlass", "1d6", "dex"),
                    ("to raise enough coin to buy back a lost ship", "to chart the fog-bound isles before a rival does",
                     "to settle a blood debt with a pirate lord"),
                    ("Welcome aboard! Hope your stomachs are stronger than your boots.", "Tide waits for no one, and neither do I.", "The sea's deep and nobody counts the bodies.")),
    "blacksmith": _Role(("smith", "smiths", "metalwork*", "ironmonger*"),
                        ("blacksmith", "armourer", "weaponsmith", "farrier"),
                        (12, 10, (3, 0, 2, 0, 1, 0), "Smith's hammer", "1d8", "str"),
                        ("to forge a masterpiece worthy of the old guild halls", "to pay for a child's apprenticeship in the city",
                         "to recover the family anvil stolen by bandits"),
                        ("Good steel for good people. Let me see that blade of yours.", "You want it fast, cheap or good. Pick one.", "This hammer's bent better skulls than yours.")),
    "hunter": _Role(("woodsm*", "woodsw*", "outdoorsm*", "scout*"),
                    ("hunter", "trapper", "forest guide", "game warden"),
                    (13, 10, (1, 3, 1, 0, 2, -1), "Longbow", "1d8", "dex"),
                    ("to find what is killing the deer in the northern wood", "to guide one more caravan and then retire",
                     "to hunt down the beast that took a partner"),
                    ("Stay close and step where I step. The woods are hungry this year.", "Tracks don't lie. People do.", "I've hunted bigger game than you. Smarter, too.")),
    "healer": _Role(("heal*", "medic*", "nurse*", "leech"),
                    ("herbalist", "hedge healer", "physician", "apothecary", "midwife"),
                    (10, 8, (0, 1, 0, 2, 3, 1), "Sickle", "1d4", "str"),
                    ("to find a cure for the wasting sickness in the lower town", "to gather a flower that blooms once a decade",
                     "to atone for a patient lost to a mistake"),
                    ("Sit down before you fall down. Let me look at that wound.", "Hold still. This will hurt, and then it will help.", "I know a hundred herbs that heal, and a hundred more that don't.")),
    "mercenary": _Role(("fighter*", "swordsm*", "swordsw*", "soldier of fortune", "hired sword*", "hired muscle", "man at arms", "men at arms"),
                       ("mercenary captain", "bounty hunter", "sellsword", "duelist", "retired knight"),
                       (16, 10, (3, 1, 2, 0, 0, 0), "Greatsword", "2d6", "str"),
                       ("to collect the biggest bounty in three kingdoms", "to earn enough to buy a farm and forget the war",
                        "to find the employer who left the company to die"),
                       ("Good to have capable blades on our side for once.", "Half up front. The rest when the job's done. No exceptions.", "Nothing personal. Somebody paid more for your heads.")),
    "cultist": _Role(("cult", "cults", "cultic", "occult*", "dark priest*", "evil priest*", "devil worship*", "demon worship*"),
                     ("cult initiate", "doomsayer", "hidden cult leader", "heretic preacher"),
                     (12, 8, (0, 1, 1, 1, 1, 3), "Ritual dagger", "1d4", "dex"),
                     ("to complete the ritual before the eclipse", "to recruit new believers among the desperate",
                      "to recover a relic stolen by the temple"),
                     ("Have you heard the good news? The Sleeper wakes, and we will all be saved.", "The stars are almost right. Can't you feel it?", "Your blood will open the door. Be honoured.")),
    "bard": _Role(("bard*", "entertainer*", "artist*"),
                  ("minstrel", "troupe leader", "court poet", "wandering storyteller"),
                  (12, 8, (0, 2, 0, 1, 0, 3), "Rapier", "1d8", "dex"),
                  ("to compose a song that will outlive every king", "to win back a lover with a single perfect verse",
                   "to uncover the truth behind an old ballad"),
                  ("Tell me your story, and I'll make you immortal. For a modest fee.", "Every tale needs a hero. We'll see if you qualify.", "I'll write a song about your deaths. It will be very short.")),
    "spy": _Role(("spy", "spies", "agent*", "infiltrat*", "whisper*", "mole"),
                 ("informant", "court spy", "double agent", "spymaster's courier"),
                 (14, 8, (0, 3, 0, 2, 2, 2), "Hand crossbow", "1d6", "dex"),
                 ("to learn who is selling secrets to the enemy", "to vanish before the employer tidies up loose ends",
                  "to play two masters against each other and survive"),
                 ("Quietly now. I have something you need, and very little time.", "I was never here. Neither were you.", "You've seen my face. That was your last mistake.")),
}
ROLE_NAMES: tuple[str, ...] = tuple(ROLES)
ROLE_MATCHER = Matcher({k: v.keywords for k, v in ROLES.items()})

# Titles a prompt can name: title -> (role, keywords). A named title sets both the role and the
# occupation ("a nervous harbour smuggler" is a criminal whose occupation is smuggler). Titles
# that are also in a role's random pool keep their wording; the others appear only when named.
NAMED_TITLES: dict[str, tuple[str, tuple[str, ...]]] = {
    # merchant
    "merchant": ("merchant", ("merchant", "merchants")),
    "spice trader": ("merchant", ("spice trader*", "spice merchant*")),
    "pawnbroker": ("merchant", ("pawnbroker*", "pawn broker*", "pawnshop*")),
    "caravan master": ("merchant", ("caravan master*", "caravaneer*", "caravan leader*")),
    "curio dealer": ("merchant", ("curio*", "antiquar*", "antique dealer*", "collector*")),
    "peddler": ("merchant", ("peddler*", "pedlar*", "hawker*", "tinker", "tinkers")),
    "shopkeeper": ("merchant", ("shopkeep*", "shop keeper*", "storekeep*", "vendor*", "stallholder*", "grocer*")),
    "moneylender": ("merchant", ("moneylender*", "money lender*", "usurer*", "banker*", "loan shark*")),
    "fishmonger": ("merchant", ("fishmonger*",)),
    # innkeeper
    "innkeeper": ("innkeeper", ("innkeeper*", "inn keeper*", "innkeep")),
    "tavern keeper": ("innkeeper", ("tavern keeper*", "tavernkeeper*", "publican*", "tavern owner*")),
    "barkeep": ("innkeeper", ("barkeep*", "bartender*", "barmaid*", "barman", "barmen", "serving wench*", "tapster*")),
    "brewmaster": ("innkeeper", ("brewmaster*", "brewer*", "vintner*", "winemaker*")),
    "cook": ("innkeeper", ("cook", "cooks", "chef*")),
    # guard
    "city guard": ("guard", ("city guard*", "town guard*")),
    "gate sergeant": ("guard", ("gate sergeant*", "gatekeep*", "sergeant*", "gate guard*")),
    "watch captain": ("guard", ("watch captain*", "captain of the guard", "captain of the watch", "guard captain*")),
    "bridge warden": ("guard", ("bridge warden*", "toll keeper*", "tollkeeper*")),
    "prison warder": ("guard", ("jailer*", "jailor*", "gaoler*", "warder*", "prison guard*", "turnkey*")),
    "constable": ("guard", ("constable*", "sheriff*", "bailiff*", "lawm*", "watchm*", "watchw*", "marshal*")),
    "bodyguard": ("guard", ("bodyguard*",)),
    # noble
    "baron": ("noble", ("baron", "barons", "baronet*")),
    "baroness": ("noble", ("baroness*",)),
    "countess": ("noble", ("countess*", "count", "counts", "earl", "earls")),
    "duke": ("noble", ("duke", "dukes", "duchess*")),
    "disgraced heir": ("noble", ("heir", "heirs", "heiress*", "disinherited", "disgraced noble*")),
    "courtier": ("noble", ("courtier*", "chamberlain*", "steward*", "herald*")),
    "magistrate": ("noble", ("magistrate*", "judge*", "justiciar*", "tax collector*", "official*", "bureaucrat*")),
    "mayor": ("noble", ("mayor*", "burgomaster*", "burgher*", "alderm*", "alderw*", "reeve*", "headm*",
                        "village elder*", "lord mayor*")),
    "vampire count": ("noble", ("vampir*",)),
    # priest
    "temple priest": ("priest", ("priest", "priests", "priestess*", "high priest*")),
    "wandering friar": ("priest", ("friar*", "mendicant*")),
    "abbess": ("priest", ("abbess*", "abbot*", "prior", "prioress*", "mother superior*")),
    "shrine keeper": ("priest", ("shrine keeper*", "shrinekeeper*", "temple keeper*", "sexton*", "verger*")),
    "oracle": ("priest", ("oracle*", "seer*", "prophet*", "soothsayer*", "augur*", "fortune teller*", "diviner*")),
    "nun": ("priest", ("nun", "nuns")),
    "monk": ("priest", ("monk", "monks")),
    "acolyte": ("priest", ("acolyte*", "novice*", "deacon*")),
    "exorcist": ("priest", ("exorcist*", "inquisitor*", "witch hunter*", "witchfinder*")),
    "gravedigger": ("priest", ("gravedigger*", "grave digger*", "undertaker*", "mortician*")),
    "hermit": ("priest", ("hermit*", "recluse*", "anchorite*", "ascetic*")),
    # scholar
    "sage": ("scholar", ("sage", "sages")),
    "archivist": ("scholar", ("archivist*", "librarian*", "bookseller*", "bookkeeper*")),
    "alchemist": ("scholar", ("alchemist*",)),
    "cartographer": ("scholar", ("cartographer*", "mapmaker*", "map maker*")),
    "astronomer": ("scholar", ("astronom*", "astrolog*", "stargazer*")),
    "wizard": ("scholar", ("wizard*", "mage", "mages", "magician*", "sorcer*", "archmage*", "enchanter*",
                           "enchantress*", "illusionist*", "spellcaster*")),
    "scribe": ("scholar", ("scribe*", "clerk*", "notary*", "copyist*")),
    "historian": ("scholar", ("historian*", "loremaster*", "lorekeeper*", "chronicler*")),
    "professor": ("scholar", ("professor*", "lecturer*", "headmaster*", "headmistress*")),
    "inventor": ("scholar", ("inventor*", "artificer*", "engineer*", "tinkerer*", "clockmaker*")),
    # criminal
    "fence": ("criminal", ("fence", "fences", "receiver of stolen goods")),
    "smuggler": ("criminal", ("smuggl*", "contraband*", "rum runner*", "rumrunner*", "bootlegg*", "gun runner*")),
    "gang boss": ("criminal", ("gang boss*", "gang leader*", "crime lord*", "crime boss*", "crimelord*", "kingpin*",
                               "guildmaster of thieves", "mob boss*", "gang", "gangs")),
    "cutpurse": ("criminal", ("cutpurse*", "pickpocket*", "pick pocket*")),
    "bandit captain": ("criminal", ("bandit*", "brigand*", "highwaym*", "highwayw*", "raider*", "marauder*")),
    "thief": ("criminal", ("thief", "thieves", "burglar*", "cat burglar*", "housebreaker*", "robber*")),
    "assassin": ("criminal", ("assassin*", "cutthroat*", "hitm*", "killer*", "murderer*")),
    "outlaw": ("criminal", ("outlaw*", "fugitive*", "escaped convict*")),
    "forger": ("criminal", ("forger*", "counterfeit*")),
    "swindler": ("criminal", ("swindler*", "con artist*", "conm*", "grifter*", "charlatan*", "fraud*", "cardsharp*")),
    "poisoner": ("criminal", ("poisoner*",)),
    # farmer
    "farmer": ("farmer", ("farmer*", "farmhand*", "ploughm*", "plowm*")),
    "shepherd": ("farmer", ("shepherd*", "goatherd*", "swineherd*", "cowherd*", "herdsm*")),
    "miller": ("farmer", ("miller*",)),
    "beekeeper": ("farmer", ("beekeep*", "bee keeper*", "apiar*")),
    "orchard keeper": ("farmer", ("orchard keeper*", "orchardist*")),
    "woodcutter": ("farmer", ("woodcutter*", "lumberjack*", "forester*", "charcoal burner*")),
    "miner": ("farmer", ("miner", "miners", "prospector*", "quarrym*")),
    # sailor
    "ship's captain": ("sailor", ("ship's captain*", "ships captain*", "ship captain*", "sea captain*", "skipper*")),
    "harbourmaster": ("sailor", ("harbourmaster*", "harbormaster*", "harbour master*", "harbor master*",
                                 "dockmaster*", "dock master*", "portmaster*", "port master*")),
    "bosun": ("sailor", ("bosun*", "boatswain*", "first mate*")),
    "navigator": ("sailor", ("navigator*", "helmsm*", "pilot*")),
    "pirate quartermaster": ("sailor", ("quartermaster*",)),
    "pirate": ("sailor", ("pirate*", "corsair*", "buccaneer*", "privateer*", "freebooter*", "sea wolf")),
    "deckhand": ("sailor", ("deckhand*", "cabin boy*", "cabin girl*", "ship's boy")),
    "fisher": ("sailor", ("fisher*", "fishwife", "fishwives", "whaler*", "pearl diver*")),
    "ferryman": ("sailor", ("ferrym*", "ferryw*", "boatm*", "boatw*", "bargem*", "bargew*", "river pilot*")),
    "dockhand": ("sailor", ("dockhand*", "dock hand*", "dock worker*", "dockworker*", "stevedore*", "longshorem*",
                            "porter", "porters")),
    # blacksmith
    "blacksmith": ("blacksmith", ("blacksmith*", "smith")),
    "armourer": ("blacksmith", ("armourer*", "armorer*")),
    "weaponsmith": ("blacksmith", ("weaponsmith*", "swordsmith*", "bladesmith*", "fletcher*", "bowyer*")),
    "farrier": ("blacksmith", ("farrier*",)),
    "goldsmith": ("blacksmith", ("goldsmith*", "silversmith*", "jeweller*", "jeweler*", "gem cutter*", "gemcutter*")),
    "locksmith": ("blacksmith", ("locksmith*",)),
    "tinsmith": ("blacksmith", ("tinsmith*", "coppersmith*", "whitesmith*")),
    # hunter
    "hunter": ("hunter", ("hunter", "hunters", "huntsm*", "huntress*", "beast hunter*", "monster hunter*")),
    "trapper": ("hunter", ("trapper*", "furrier*")),
    "forest guide": ("hunter", ("guide", "guides", "pathfinder*")),
    "game warden": ("hunter", ("game warden*", "gamekeeper*", "forest warden*")),
    "ranger": ("hunter", ("ranger*",)),
    "poacher": ("hunter", ("poacher*",)),
    "tracker": ("hunter", ("tracker*",)),
    "falconer": ("hunter", ("falconer*", "beastmaster*", "animal trainer*", "houndmaster*", "kennel*")),
    # healer
    "herbalist": ("healer", ("herbalist*", "herb woman", "herb wife", "wise woman", "cunning woman", "cunning man")),
    "hedge healer": ("healer", ("healer*", "hedge healer*")),
    "physician": ("healer", ("physician*", "doctor*", "leech doctor*", "plague doctor*")),
    "apothecary": ("healer", ("apothecar*", "chemist*", "potion seller*", "potion maker*", "druggist*")),
    "midwife": ("healer", ("midwi*",)),
    "surgeon": ("healer", ("surgeon*", "barber*", "bonesetter*", "field medic*")),
    # mercenary
    "mercenary captain": ("mercenary", ("mercenary captain*", "mercenary leader*", "warlord*", "condottier*")),
    "bounty hunter": ("mercenary", ("bounty hunter*", "bountyhunter*", "headhunter*", "thief taker*", "thief catcher*")),
    "sellsword": ("mercenary", ("mercenar*", "sellsword*", "sell sword*", "hired blade*", "hireling*", "freelance*")),
    "duelist": ("mercenary", ("duel*", "swashbuckler*", "fencer*", "fencing master*")),
    "retired knight": ("mercenary", ("knight*", "paladin*", "squire*", "cavalier*", "templar*")),
    "gladiator": ("mercenary", ("gladiator*", "pit fighter*", "prizefighter*", "brawler*", "wrestler*", "boxer*")),
    "veteran": ("mercenary", ("veteran*", "old soldier*", "ex soldier*", "former soldier*", "deserter*")),
    "warrior": ("mercenary", ("warrior*", "barbarian*", "berserk*", "champion*")),
    # cultist
    "cult initiate": ("cultist", ("cultist*", "initiate*", "acolyte of*", "cult member*")),
    "doomsayer": ("cultist", ("doomsayer*", "doom sayer*", "apocalypt*", "end times")),
    "hidden cult leader": ("cultist", ("cult leader*", "cult master*", "cult lord*", "hierophant*")),
    "heretic preacher": ("cultist", ("heretic*", "preacher*", "false prophet*", "demagogue*")),
    "necromancer": ("cultist", ("necromancer*", "necromantic", "death priest*", "bone witch*")),
    "warlock": ("cultist", ("warlock*", "diabolist*", "demonologist*", "summoner*")),
    "witch": ("cultist", ("witch", "witches", "hag", "hags", "sea witch*", "swamp witch*")),
    "zealot": ("cultist", ("zealot*", "fanatic*", "flagellant*")),
    "lich": ("cultist", ("lich", "liches", "lichlord*", "undead sorcer*")),
    # bard
    "minstrel": ("bard", ("minstrel*",)),
    "troupe leader": ("bard", ("troupe*", "actor*", "actress*", "performer*", "acrobat*", "juggler*", "dancer*",
                              "circus*", "ringmaster*", "puppeteer*")),
    "court poet": ("bard", ("poet*", "court poet*", "playwright*")),
    "wandering storyteller": ("bard", ("storyteller*", "story teller*", "raconteur*", "skald*")),
    "bard": ("bard", ("bard", "bards")),
    "musician": ("bard", ("musician*", "singer*", "lutist*", "lute player*", "fiddler*", "piper*", "harpist*",
                          "drummer*", "troubadour*")),
    "jester": ("bard", ("jester*", "fool", "clown*", "harlequin*")),
    "painter": ("bard", ("painter*", "sculptor*", "portraitist*")),
    # spy
    "informant": ("spy", ("informant*", "informer*", "snitch*", "stool pigeon*", "tattletale*")),
    "court spy": ("spy", ("spy", "spies", "court spy*", "royal spy*")),
    "double agent": ("spy", ("double agent*", "turncoat*", "traitor*", "mole")),
    "spymaster's courier": ("spy", ("courier*", "messenger*", "go between*", "runner")),
    "spymaster": ("spy", ("spymaster*", "spy master*", "master of whispers", "intelligencer*")),
    "infiltrator": ("spy", ("infiltrator*", "saboteur*", "agent provocateur*", "sleeper agent*")),
}
TITLE_MATCHER = Matcher({t: kw for t, (_, kw) in NAMED_TITLES.items()})
# Places and things that suggest a role when the prompt names no person ("someone from the docks").
ROLE_CONTEXT_MATCHER = Matcher({
    "sailor": PL.PLACES["harbour"][0] + ("ship", "ships", "boat", "boats", "sea", "seas", "ocean*", "sailing", "voyage*"),
    "innkeeper": PL.PLACES["tavern"][0] + ("ale", "beer", "brew*"),
    "priest": PL.PLACES["temple"][0] + ("holy", "divine", "faith*", "god", "gods", "prayer*"),
    "merchant": PL.PLACES["market"][0] + ("shop", "shops", "trade", "trading", "caravan*", "wares", "goods"),
    "noble": PL.PLACES["court"][0] + ("crown", "throne"),
    "criminal": PL.PLACES["slums"][0] + PL.PLACES["sewers"][0] + ("thieves guild", "black market*", "stolen"),
    "scholar": PL.PLACES["library"][0] + ("book", "books", "tome*", "lore", "arcane", "magic*", "spell*"),
    "blacksmith": ("forge*", "anvil*", "smithy", "smithies", "foundry", "foundries", "steel", "metal"),
    "farmer": PL.PLACES["farmland"][0] + PL.PLACES["mine"][0] + ("harvest*", "crop*", "sheep", "goats", "pigs"),
    "hunter": PL.PLACES["forest"][0] + ("hunt", "hunting", "bow", "bows", "trap", "traps", "wolves", "deer"),
    "healer": ("herb*", "potion*", "plague*", "sickness", "disease*", "wound*", "medicine*", "remed*"),
    "mercenary": ("sword*", "blade*", "battle*", "war", "wars", "arena*", "contract*", "bounty", "bounties"),
    "cultist": ("ritual*", "dark god*", "elder god*", "sacrific*", "forbidden", "demon*", "devil*", "undead"),
    "bard": ("song*", "music*", "lute*", "stage", "theatre*", "theater*", "ballad*", "tale*"),
    "guard": ("barracks", "gate", "gates", "city wall*", "watchtower*", "prison*", "jail*", "gaol*", "patrol*"),
    "spy": ("secret*", "whisper*", "intrigue*", "espionage", "cipher*", "coded"),
})
DISPOSITION_MATCHER = Matcher({
    "hostile": ("hostile", "villain*", "evil", "enemy", "enemies", "sinister", "menacing", "cruel", "murderous",
                "treacherous", "antagonist*", "wicked", "malicious", "malevolent", "vicious", "ruthless", "bloodthirsty",
                "aggressive", "threatening", "dangerous", "vengeful", "spiteful", "nemesis", "foe", "foes", "rival*"),
    "friendly": ("friendly", "helpful", "ally", "allies", "welcoming", "benevolent", "loyal", "trustworthy", "amiable",
                 "genial", "cordial", "hospitable", "kindly", "warm", "good natured", "good hearted", "sympathetic",
                 "supportive", "trusted", "friend", "friends"),
    "neutral": ("neutral", "indifferent", "wary", "suspicious", "aloof", "mysterious", "cautious", "guarded",
                "distrustful", "standoffish", "detached", "impartial", "noncommittal", "reluctant", "uncommitted"),
})
# the attitude a temperament suggests when the prompt names no disposition
MOOD_DISPOSITION = {
    "cheerful": "friendly", "kind": "friendly", "brave": "friendly", "nervous": "neutral", "shy": "neutral",
    "grumpy": "neutral", "brooding": "neutral", "stoic": "neutral", "greedy": "neutral", "cunning": "neutral",
    "arrogant": "neutral", "curious": "friendly", "pious": "neutral", "eccentric": "neutral", "reckless": "neutral",
}
# a voice for a temperament the prompt asked for (used instead of the role's line half the time)
MOOD_QUOTES = {
    "grumpy": ("What now? Can't a body sit in peace for five minutes?", "Fine. I'll help. Don't expect me to like it."),
    "cheerful": ("Well met, well met! Isn't it a glorious day to be alive?", "Ha! You lot look like trouble. I love trouble."),
    "brooding": ("Everyone I've trusted is in the ground. Why should you be different?", "Leave me to my ghosts."),
    "cunning": ("Of course I'll help. The question is what it's worth to you.", "I never lie. I simply choose which truths to tell."),
    "brave": ("Point me at the danger and stand back.", "If no one else will go, then I will."),
    "nervous": ("W-who sent you? No, don't tell me. I don't want to know.", "Keep your voice down. They could be listening. They're always listening."),
    "shy": ("Oh! I, um... sorry. Were you talking to me?", "I don't usually... I mean, I could try to help."),
    "arrogant": ("You may thank me now, and again later, at length.", "I suppose even you might be useful, in a small way."),
    "kind": ("You look hungry. Sit, eat, and then tell me your troubles.", "No one should face this alone. Let me help."),
    "greedy": ("Gold first. Conversation after.", "Everything I know is for sale, and the price just went up."),
    "pious": ("The gods have sent you here, whether you know it or not.", "Pray with me, and then we will speak of business."),
    "curious": ("Fascinating! Where did you get that? Can I touch it?", "Tell me everything. Leave nothing out. Especially the strange parts."),
    "reckless": ("Plans are for people who expect to live forever. Let's go!", "What's the worst that could happen? Don't answer that."),
    "stoic": ("Speak plainly. I have no patience for flattery.", "It will be done."),
    "eccentric": ("The teapot warned me you'd come. It is never wrong about visitors.", "Do you smell purple? No? Pity."),
}

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
    """(ancestry, role, named title, disposition, mood, place kind) the prompt names, each or None."""
    title = TITLE_MATCHER.first(prompt)
    if title:
        role = NAMED_TITLES[title][0]
    else:
        role = ROLE_MATCHER.first(prompt) or ROLE_CONTEXT_MATCHER.first(prompt)
    return (ANCESTRY_MATCHER.first(prompt), role, title, DISPOSITION_MATCHER.first(prompt),
            P.MOOD_MATCHER.first(prompt), PL.PLACE_MATCHER.first(prompt))


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
    return build_with(Random(seed), prompt, form)


def build_with(rng: Random, prompt: str, form: NpcForm, title: str | None = None) -> NpcContent:
    """build() drawing on a given random stream, with an optional occupation that wins over the prompt's
    (a campaign shares its stream with its parts and casts its villain with it)."""
    r = rng.random
    p_anc, p_role, p_title, p_disp, p_mood, p_place = parse_prompt(prompt or "")
    ancestry = form.ancestry if form.ancestry != "any" else (p_anc or pick(rng, N.ANCESTRIES))
    role = form.role if form.role != "any" else (p_role or pick(rng, ROLE_NAMES))
    mood = p_mood or pick(rng, P.MOOD_NAMES)
    if form.disposition != "any":
        disposition = form.disposition
    elif p_disp:
        disposition = p_disp
    elif p_mood:  # the temperament asked for suggests the attitude ("a nervous smuggler" is wary, not friendly)
        disposition = MOOD_DISPOSITION[p_mood]
    else:
        disposition = pick(rng, ("friendly", "friendly", "neutral", "neutral", "hostile"))
    data = ROLES[role]
    name = N.person_name(rng, ancestry)
    if r() < 0.12:
        name = f"{name} the {pick(rng, ('Red', 'Elder', 'Younger', 'Bold', 'Quiet', 'Lucky', 'Grey', 'Unlucky'))}"
    # a title the prompt names wins when it fits the role (the form may have chosen another role)
    if title:
        occupation = title
    elif p_title and NAMED_TITLES[p_title][0] == role:
        occupation = p_title
    else:
        occupation = pick(rng, data.titles)
    town = N.settlement_name(rng)
    location = PL.whereabouts(rng, p_place, town) if p_place else town
    motivation = cap(pick(rng, data.motivations) if r() < 0.5 else pick(rng, MOTIVATIONS)) + "."
    secret = pick(rng, SECRETS).format_map(Lazy({
        "noble": lambda: f"Lord {N.surname(rng, 'human')}", "faction": lambda: pick(rng, FACTIONS_SHORT),
        "villain": lambda: N.person_name(rng, pick(rng, N.ANCESTRIES)),
        "other_anc": lambda: a(pick(rng, [x for x in N.ANCESTRIES if x != ancestry])),
        "place": lambda: N.settlement_name(rng)}))
    mannerisms = sample(rng, MANNERISMS, 2 + int(r() * 2))
    if p_mood:  # the temperament asked for shows first
        mannerisms[0] = pick(rng, P.MOODS[p_mood][1])
    appearance, skin, hair, eyes = P.looks(rng, ancestry)
    stats = stat_block(rng, role, form.level)
    idx = ("friendly", "neutral", "hostile").index(disposition)
    roll = r()
    if p_mood and roll < 0.5:
        quote = pick(rng, MOOD_QUOTES[p_mood])
    else:
        quote = data.quotes[idx] if roll < 0.7 else pick(rng, QUOTES[disposition])
    return construct(NpcContent,
        name=name, ancestry=ancestry, role=role, occupation=occupation, disposition=disposition, level=form.level,
        mood=mood, location=location, motivation=motivation, secret=secret, mannerisms=mannerisms,
        appearance=appearance, skin=skin, hair=hair, eyes=eyes, stat_summary=stats, quote=f'"{quote}"',
    )


assert set(ROLES) == set(RoleName.__args__) == set(Role.__args__) - {"any"}
assert set(MOOD_DISPOSITION) == set(MOOD_QUOTES) == set(P.MOOD_NAMES)
assert all(role in ROLES for role, _ in NAMED_TITLES.values())
