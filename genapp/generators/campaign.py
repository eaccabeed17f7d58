"""Campaigns: a world, a cast, quests and encounters woven into acts, built stage by stage."""

from __future__ import annotations

from collections.abc import Generator as PyGenerator
from functools import lru_cache
from random import Random
from typing import Literal

from pydantic import BaseModel, Field

from . import encounter as E
from . import npc as P
from . import quest as Q
from . import world as W
from ._text import construct, FormBase, Matcher, a, cap, mid, pick
from .base import Content, Step, bounded_str

Theme = Literal["any", "heroic", "horror", "intrigue", "war", "exploration", "mystery"]
THEMES: tuple[str, ...] = ("heroic", "horror", "intrigue", "war", "exploration", "mystery")
ROMAN = ("I", "II", "III", "IV", "V")


class CampaignForm(FormBase):
    party_level: int = Field(1, ge=1, le=20, title="Party level", description="Starting character level, 1 to 20.")
    acts: int = Field(3, ge=1, le=5, title="Acts", description="Number of acts, 1 to 5.")
    theme: Theme = Field("any", title="Theme", description="Overall tone of the campaign, or any.")


ThemeName = Literal["heroic", "horror", "intrigue", "war", "exploration", "mystery"]


class Act(BaseModel):
    title: str = Field(min_length=1, max_length=64)
    level: int = Field(ge=1, le=20)
    summary: str = Field(min_length=1, max_length=640, description="What happens in this act, in one paragraph.")
    quest_titles: list[bounded_str(64)] = Field(min_length=1, max_length=2)
    encounter_titles: list[bounded_str(64)] = Field(min_length=1, max_length=2)


class CampaignContent(Content):
    name: str = Field(min_length=1, max_length=72)
    theme: ThemeName
    party_level: int = Field(ge=1, le=20)
    premise: str = Field(min_length=1, max_length=640, description="The campaign's situation and stakes, in one paragraph.")
    villain: str = Field(min_length=1, max_length=60)
    world: W.WorldContent
    npcs: list[P.NpcContent] = Field(min_length=2, max_length=6)
    quests: list[Q.QuestContent] = Field(min_length=1, max_length=5)
    encounters: list[E.EncounterContent] = Field(min_length=1, max_length=5)
    acts: list[Act] = Field(min_length=1, max_length=5)


    def to_markdown(self) -> str:
        out = [
            f"# {self.name}",
            "",
            f"*{a(self.theme).capitalize()} campaign in {mid(self.world.name)} · {len(self.acts)} acts · starting at level {self.party_level}*",
            "",
            "## Premise",
            "",
            self.premise,
            "",
            "## Acts",
            "",
        ]
        for act in self.acts:
            out += [f"### {act.title}", "", f"*Level {act.level}*", "", act.summary, ""]
            if act.quest_titles:
                out.append("- **Quests:** " + ", ".join(act.quest_titles))
            if act.encounter_titles:
                out.append("- **Encounters:** " + ", ".join(act.encounter_titles))
            out.append("")
        out += ["## Cast", "", "| Name | Role | Disposition | Motivation |", "|---|---|---|---|"]
        out += [f"| {n.name} | {N_label(n)} | {n.disposition} | {n.motivation} |" for n in self.npcs]
        out.append("")
        # the full world, quests and encounters, with headings shifted down two levels
        out += ["---", "", "## The World", ""] + _demote(self.world.to_markdown(), 2)
        out += ["---", "", "## Quests", ""]
        for q in self.quests:
            out += _demote(q.to_markdown(), 2)
        out += ["---", "", "## Encounters", ""]
        for e in self.encounters:
            out += _demote(e.to_markdown(), 2)
        out += ["---", "", "## NPCs", ""]
        for n in self.npcs:
            out += _demote(n.to_markdown(), 2)
        return "\n".join(out)


def N_label(n: P.NpcContent) -> str:  # noqa: N802 - small helper for the cast table
    return f"{n.occupation} ({n.ancestry})"


def _demote(md: str, by: int) -> list[str]:
    pre = "#" * by
    return [pre + line if line.startswith("#") else line for line in md.split("\n")]


# theme -> (quest themes per act position, villain roles, patron roles, encounter prompt words, title words)
THEME_DATA = {
    "heroic": (("rescue", "hunt", "exploration", "war", "hunt"), ("cultist", "noble", "mercenary"), ("noble", "priest", "guard"),
               "", ("Crown", "Dawn", "Banner", "Oath", "Champions", "Sword")),
    "horror": (("horror", "mystery", "horror", "rescue", "horror"), ("cultist", "priest", "noble"), ("priest", "healer", "scholar"),
               "undead", ("Dark", "Hollow", "Night", "Dead", "Bells", "Grave")),
    "intrigue": (("intrigue", "heist", "mystery", "intrigue", "rescue"), ("noble", "spy", "merchant"), ("noble", "spy", "criminal"),
                 "", ("Masks", "Throne", "Knives", "Whispers", "Court", "Crown")),
    "war": (("war", "escort", "war", "rescue", "war"), ("mercenary", "noble", "cultist"), ("guard", "noble", "mercenary"),
            "", ("Banners", "Siege", "Fire", "Iron", "Legion", "Ashes")),
    "exploration": (("exploration", "escort", "exploration", "hunt", "exploration"), ("scholar", "criminal", "cultist"),
                    ("scholar", "merchant", "sailor"), "", ("Map", "Horizon", "Depths", "Lost Road", "Uncharted", "Stars")),
    "mystery": (("mystery", "intrigue", "heist", "mystery", "horror"), ("noble", "scholar", "cultist"), ("guard", "scholar", "priest"),
                "", ("Secret", "Cipher", "Veil", "Riddle", "Key", "Shadow")),
}
THEME_MATCHER = Matcher({
    "horror": ("horror*", "haunt*", "undead", "vampir*", "ghost*", "dread", "gothic", "creepy", "eldritch", "curse*",
               "spooky", "terror*", "nightmare*", "macabre", "dark fantasy", "grimdark", "lovecraft*", "cosmic horror"),
    "intrigue": ("intrigue*", "politic*", "court*", "noble*", "conspira*", "spy", "spies", "heist*", "thieves",
                 "scheming", "espionage", "courtly", "royal court*", "succession", "backstab*", "throne*"),
    "war": ("war", "wars", "battle*", "siege*", "army", "armies", "invasion*", "rebellion*", "conquest", "warfare",
            "military", "crusade*", "horde*", "revolution*", "uprising*", "civil war*"),
    "exploration": ("explor*", "expedition*", "uncharted", "lost city", "journey*", "voyage*", "sandbox", "hexcrawl*", "ruins",
                    "discover*", "wilderness", "frontier*", "travel*", "treasure hunt*", "dungeon crawl*", "delve*"),
    "mystery": ("myster*", "murder*", "investigat*", "detective*", "noir", "secret*", "whodunit*", "sleuth*", "clue*"),
    "heroic": ("heroic", "hero*", "epic", "high fantasy", "legend*", "dragon", "dragons", "chosen one", "prophecy",
               "save the world", "save the kingdom", "quest for glory"),
})
# villains a campaign prompt can name -> (NPC role, occupation). Strong words anywhere; weak ones after a cue (Q._VILLAIN_CUE).
CAMPAIGN_VILLAINS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "lich": ("cultist", "lich", ("lich", "liches", "lichlord*", "lich king*", "lich queen*"), ()),
    "necromancer": ("cultist", "necromancer", ("necromancer*", "necromancy", "death priest*", "bone witch*"), ()),
    "vampire": ("noble", "vampire count", ("vampir*", "nosferatu"), ()),
    "cult": ("cultist", "hidden cult leader", ("cult", "cults", "cultist*", "cult leader*", "doomsday*", "zealot*",
                                               "fanatic*", "dark god*", "elder god*"), ()),
    "demon": ("cultist", "demon in mortal guise", ("demon*", "devil*", "fiend*", "archfiend*", "infernal*"), ()),
    "dragon": ("noble", "dragon in mortal guise", ("dragon", "dragons", "dragon's", "wyrm*", "dragonlord*"), ()),
    "tyrant": ("noble", "tyrant king", ("tyrant*", "tyranny", "despot*", "usurper*", "evil king*", "mad king*",
                                        "dark lord*", "emperor*", "empress*", "evil queen*"), ("king", "queen")),
    "baron": ("noble", "baron", (), ("baron*", "duke*", "duchess*", "count", "countess*", "lord", "noble*")),
    "warlord": ("mercenary", "warlord", ("warlord*", "horde*", "orc", "orcs", "orcish", "warband*", "warchief*",
                                         "hobgoblin*", "goblin*"), ("general*", "army", "armies")),
    "pirate": ("sailor", "pirate lord", ("pirate*", "corsair*", "buccaneer*", "reaver*"), ()),
    "crime lord": ("criminal", "gang boss", ("crime lord*", "thieves guild", "thieves' guild", "kingpin*", "gang",
                                             "gangs", "mob boss*", "smuggl*", "underworld"), ("thief", "thieves")),
    "archmage": ("scholar", "renegade archmage", ("mad wizard*", "evil wizard*", "dark wizard*", "renegade wizard*",
                                                  "sorcerer*", "sorceress*", "archmage*", "warlock*"),
                 ("wizard*", "mage", "mages", "magician*")),
    "witch": ("cultist", "witch", ("witch", "witches", "hag", "hags", "coven*", "crone*"), ()),
    "werewolf": ("hunter", "werewolf pack leader", ("werewol*", "lycanthrop*"), ()),
    "mind flayer": ("scholar", "mind flayer in disguise", ("mind flayer*", "illithid*", "aberration*", "beholder*"), ()),
    "assassin": ("criminal", "assassin", ("assassin*", "cutthroat*"), ()),
    "spymaster": ("spy", "spymaster", ("spymaster*", "spy ring*", "spies"), ("spy",)),
    "doppelganger": ("spy", "doppelganger", ("doppelganger*", "shapeshift*", "changeling*", "impostor*", "imposter*"), ()),
    "merchant prince": ("merchant", "merchant prince", ("merchant prince*", "cartel*", "trade guild*"),
                        ("merchant*", "guildmaster*", "guild master*", "banker*")),
    "fallen paladin": ("mercenary", "fallen paladin", ("fallen paladin*", "death knight*", "black knight*", "oathbreaker*"),
                       ("paladin*", "knight*")),
    "bandit": ("criminal", "bandit captain", ("bandit*", "brigand*", "outlaw*", "raider*", "highwaym*"), ()),
}
_VILLAIN_STRONG = Matcher({k: v[2] for k, v in CAMPAIGN_VILLAINS.items() if v[2]})
_VILLAIN_WEAK = Matcher({k: v[3] for k, v in CAMPAIGN_VILLAINS.items() if v[3]})


# the villain's own title, in the prompt's words ("the tyrant queen" is no king)
_TITLE_WORDS = Matcher({
    "tyrant queen": ("queen", "queens"), "tyrant king": ("king", "kings"), "empress": ("empress*",),
    "emperor": ("emperor*",), "baroness": ("baroness*",), "baron": ("baron", "barons"), "duchess": ("duchess*",),
    "duke": ("duke", "dukes"), "countess": ("countess*",), "count": ("count",), "lady": ("lady",),
    "lord": ("lord",), "archmage": ("archmage*",), "sorceress": ("sorceress*",), "sorcerer": ("sorcerer*",),
    "warlock": ("warlock*",), "hag": ("hag", "hags"), "pirate queen": ("pirate queen*",), "pirate king": ("pirate king*",),
    "bandit queen": ("bandit queen*",), "bandit king": ("bandit king*",), "lich queen": ("lich queen*",),
    "lich king": ("lich king*",), "demon lord": ("demon lord*", "demon prince*"), "archdevil": ("archdevil*", "arch devil*"),
    "vampire lord": ("vampire lord*",), "vampire queen": ("vampire queen*",), "warlord": ("warlord*", "warchief*"),
    "dark lord": ("dark lord*",), "dark queen": ("dark queen*",),
})
_TITLED = {"tyrant", "baron", "archmage", "witch", "pirate", "bandit", "lich", "demon", "vampire", "warlord"}


def villain_title(key: str, prompt: str) -> str:
    """The occupation of the villain a campaign prompt names: the table's, or the prompt's own title for it."""
    own = _TITLE_WORDS.first(prompt) if key in _TITLED else None
    return own or CAMPAIGN_VILLAINS[key][1]


def campaign_villain(prompt: str) -> str | None:
    """The key (of CAMPAIGN_VILLAINS) of the villain a campaign prompt names, or None."""
    strong = _VILLAIN_STRONG.first(prompt)
    if strong:
        return strong
    for cue in Q._VILLAIN_CUE.finditer(prompt):
        weak = _VILLAIN_WEAK.first(cue.group(1)[:60])
        if weak:
            return weak
    return None
TITLE_ADJ = ("Ashen", "Broken", "Shattered", "Last", "Silent", "Crimson", "Hollow", "Gilded", "Drowned", "Burning", "Seventh",
             "Forgotten", "Sunless", "Iron", "Weeping", "Stolen", "Black", "Pale")
TITLE_PATTERNS = ("The {adj} {word}", "{world}: The {adj} {word}", "The {adj} {word} of {world_mid}",
                  "Shadows over {world_mid}", "{world}: Rise of the {adj} {word}", "The {word} of {villain_first}",
                  "Beneath the {adj} {word}")
PREMISES = (
    "{world} stands on the brink. {villain}, {villain_desc}, is moving in secret, driven {motivation}. "
    "Only a band of unlikely heroes, recruited by {patron}, stands in the way.",
    "For years {world_mid} has known an uneasy peace. Now {villain}, {villain_desc}, has set a plan in motion, "
    "driven {motivation}, "
    "and the first signs are already showing in {capital}. {patron}, is the first to notice, and the first to ask for help.",
    "Something is rotten in {capital}. Behind a dozen small troubles stands {villain}, {villain_desc}, who means {motivation_lc}. "
    "The heroes stumble into the plot by accident; getting out will take {acts} acts of courage, cunning and luck.",
)
ACT_TITLES = {
    "first": ("A Gathering Storm", "First Blood", "Smoke on the Horizon", "The Call", "Strangers in {capital}", "Small Troubles"),
    "middle": ("Deeper Waters", "The Turning Tide", "Broken Alliances", "The Long Road", "Masks Fall", "Into the Dark"),
    "last": ("The Final Reckoning", "Where It Ends", "The Last Stand", "Dawn or Ashes", "The Throne of {villain_first}", "Endgame"),
}
ACT_OPENERS = {
    "first": ("The story begins in {capital}. {hook}", "It starts small, in {capital}. {hook}"),
    "middle": ("The trail leads on from *{prev}*. {hook}", "With *{prev}* behind them, the heroes learn more. {hook}"),
    "last": ("Everything comes to a head. {hook}", "At last the heroes close on {villain}'s stronghold. {hook}"),
}


@lru_cache(maxsize=1024)
def parse_prompt(prompt: str):
    """(campaign theme, quest theme, villain key) the prompt names."""
    return THEME_MATCHER.first(prompt), Q.THEME_MATCHER.first(prompt), campaign_villain(prompt)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.lower().split() if len(w) > 4)


def _similar(wa: frozenset[str], wb: frozenset[str]) -> bool:
    """True when two hooks' longer words (see _words) mostly agree (same haunting, same crime...)."""
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) > 0.5


def _level(start: int, act: int, n_acts: int) -> int:
    return min(20, start + (act * 3 if n_acts <= 3 else act * 2))


def staged(prompt: str, form: CampaignForm, seed: int) -> PyGenerator[Step, None, CampaignContent]:
    """Build a campaign piece by piece, yielding (progress, stage, detail) after each piece."""
    rng = Random(seed)
    prompt = prompt or ""
    p_theme, p_quest_theme, p_villain = parse_prompt(prompt)
    theme = form.theme if form.theme != "any" else (p_theme or pick(rng, THEMES))
    quest_themes, villain_roles, patron_roles, enc_words, title_words = THEME_DATA[theme]
    n_acts = form.acts
    n_npcs = n_acts + 1
    n_enc = n_acts  # one per act; the last is the deadly finale
    total = 1 + n_npcs + n_acts + n_enc + 1
    done = 0

    def progress() -> float:
        return round(95 * done / total, 1)

    yield 0.0, "Building world", "Shaping the land"
    world_form = construct(W.WorldForm, climate="any", size="large" if n_acts >= 4 else "medium", magic_level="any")
    world = W.build_with(rng, prompt, world_form)  # the parts share the campaign's random stream
    done += 1
    yield progress(), "Building world", world.name

    npcs: list[P.NpcContent] = []
    for i in range(n_npcs):
        title, npc_prompt = None, ""
        if i == 0:  # the villain: the one the prompt names, in the prompt's setting ("a dwarven lich in the frozen north")
            if p_villain:
                role, title = CAMPAIGN_VILLAINS[p_villain][0], villain_title(p_villain, prompt)
                npc_prompt = prompt
            else:
                role = pick(rng, villain_roles)
            disp = "hostile"
        elif i == 1:
            role, disp = pick(rng, patron_roles), "friendly"
        else:
            role, disp = "any", "any"
        level = min(20, form.party_level + (4 if i == 0 else 0))
        npc = P.build_with(rng, npc_prompt, construct(P.NpcForm, role=role, level=level, disposition=disp, ancestry="any"),
                           title)
        npcs.append(npc)
        done += 1
        yield progress(), f"Casting NPCs {i + 1}/{n_npcs}", npc.name
    villain, patron = npcs[0], npcs[1]

    quests: list[Q.QuestContent] = []
    hooks: list[frozenset[str]] = []
    for i in range(n_acts):
        qtheme = quest_themes[i] if not (i == n_acts - 1 and p_quest_theme) else p_quest_theme
        length = "long" if i == n_acts - 1 else "medium"
        qform = construct(Q.QuestForm, party_level=_level(form.party_level, i, n_acts), length=length, theme=qtheme)
        q = Q.build_with(rng, prompt, qform)
        words = _words(q.hook)
        for _ in range(3):  # keep hooks within one campaign distinct
            if not any(_similar(words, other) for other in hooks):
                break
            q = Q.build_with(rng, prompt, qform)
            words = _words(q.hook)
        quests.append(q)
        hooks.append(words)
        done += 1
        yield progress(), f"Writing quests {i + 1}/{n_acts}", q.name

    encounters: list[E.EncounterContent] = []
    enc_prompt = f"{prompt} {enc_words}".strip()
    named = bool(E.named_monsters(enc_prompt))
    # distinct set-ups within a campaign: a leading set-up keyword wins over later ones in the prompt
    setups = rng.sample(E.SETUPS, n_enc) if n_enc <= len(E.SETUPS) else [pick(rng, E.SETUPS) for _ in range(n_enc)]
    for i in range(n_enc):
        finale = i == n_enc - 1
        diff = "deadly" if finale and n_acts > 1 else ("medium", "hard")[i % 2]
        env = quests[i].environment
        eform = construct(E.EncounterForm, party_level=_level(form.party_level, i, n_acts), party_size=4,
                          difficulty=diff, environment=env)
        lead = "" if i == 0 and E.SETUP_MATCHER.first(prompt) else E.SETUP_LEAD[setups[i]]
        # a monster the prompt names fights where the party can face it; elsewhere its kind sets the tone
        fight = E.soften(enc_prompt, E.budget(eform.party_level, 4, diff)[1]) if named else enc_prompt
        e = E.build_with(rng, f"{lead} {fight}".strip(), eform)
        encounters.append(e)
        done += 1
        yield progress(), f"Staging encounters {i + 1}/{n_enc}", e.name

    yield progress(), "Weaving acts", f"{n_acts} acts"
    villain_first = villain.name.split(" ")[0]
    ctx = {"capital": world.capital, "villain_first": villain_first, "villain": villain.name}
    acts: list[Act] = []
    for i in range(n_acts):
        pos = "first" if i == 0 else "last" if i == n_acts - 1 and n_acts > 1 else "middle"
        q = quests[i]
        encs = [encounters[i]]
        hook = q.hook
        opener = pick(rng, ACT_OPENERS[pos]).format(
            capital=world.capital, hook=hook, prev=quests[i - 1].name if i else "", villain=villain.name)
        lieutenant = next((p for p in q.people_involved if p.role == "villain"), None)
        middle = (f" The trail runs through {q.location}, where {lieutenant.name}, an agent of {villain.name}, "
                  f"stands in the way." if lieutenant else "")
        fights = " and ".join(f"*{e.name}*" for e in encs)
        closing = (f" Expect trouble: {fights}." if pos != "last" else
                   f" The campaign ends with {fights}, and a final confrontation with {villain.name}.")
        title = pick(rng, ACT_TITLES[pos]).format(**ctx)
        acts.append(construct(Act,
            title=f"Act {ROMAN[i]}: {title}", level=_level(form.party_level, i, n_acts),
            summary=cap(opener + middle + closing), quest_titles=[q.name], encounter_titles=[e.name for e in encs]))

    name = pick(rng, TITLE_PATTERNS).format(adj=pick(rng, TITLE_ADJ), word=pick(rng, title_words), world=world.name,
                                            world_mid=mid(world.name), villain_first=villain_first)
    motivation = villain.motivation.rstrip(".")
    motivation_lc = motivation[0].lower() + motivation[1:]
    premise = pick(rng, PREMISES).format(
        world=world.name, world_mid=mid(world.name), villain=villain.name,
        villain_desc=f"{a(villain.occupation)} {P.from_place(villain.location)}", motivation=f"by the need {motivation_lc}",
        motivation_lc=motivation_lc, patron=f"{patron.name}, {a(patron.occupation)}", capital=world.capital, acts=n_acts)
    content = construct(CampaignContent,
        name=name, theme=theme, party_level=form.party_level, premise=premise, villain=villain.name, world=world,
        npcs=npcs, quests=quests, encounters=encounters, acts=acts)
    yield 99.0, "Final touches", name
    return content


def build(prompt: str, form: CampaignForm, seed: int) -> CampaignContent:
    steps = staged(prompt, form, seed)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


assert set(ThemeName.__args__) == set(THEMES) == set(THEME_DATA) == set(THEME_MATCHER._values)
assert all(role in P.ROLES for role, _, _, _ in CAMPAIGN_VILLAINS.values())
