"""Procedural content generators for genapp.

Pure, seeded Python (no Reflex, database or engine imports): the same code runs in the
web process or on a remote worker.

    from genapp.generators import get_generator, render_illustration
    gen = get_generator("character")
    form = gen.make_form({"level": 5})
    content = gen.build("a grumpy dwarven blacksmith", form, seed=42)
    content.to_markdown(); render_illustration(content, seed=42)
"""

from __future__ import annotations

from . import campaign, character, encounter, item, npc, quest, world
from .base import Content, ContentType, Generator, Reporter
from .illustrate import render_illustration

GENERATORS: dict[ContentType, Generator] = {
    ContentType.CHARACTER: Generator(
        type=ContentType.CHARACTER, label="Character", form_model=character.CharacterForm,
        content_model=character.CharacterContent, build=character.build,
        stages=("Rolling ability scores", "Choosing background", "Writing backstory"),
    ),
    ContentType.NPC: Generator(
        type=ContentType.NPC, label="NPC", form_model=npc.NpcForm, content_model=npc.NpcContent, build=npc.build,
        stages=("Choosing a face", "Finding a motive", "Finding a voice"),
    ),
    ContentType.ITEM: Generator(
        type=ContentType.ITEM, label="Item", form_model=item.ItemForm, content_model=item.ItemContent, build=item.build,
        stages=("Forging", "Enchanting", "Recording its history"),
    ),
    ContentType.QUEST: Generator(
        type=ContentType.QUEST, label="Quest", form_model=quest.QuestForm, content_model=quest.QuestContent,
        build=quest.build, stages=("Finding a hook", "Setting objectives", "Adding complications"),
    ),
    ContentType.ENCOUNTER: Generator(
        type=ContentType.ENCOUNTER, label="Encounter", form_model=encounter.EncounterForm,
        content_model=encounter.EncounterContent, build=encounter.build,
        stages=("Computing XP budget", "Choosing creatures", "Setting the scene"),
    ),
    ContentType.WORLD: Generator(
        type=ContentType.WORLD, label="World", form_model=world.WorldForm, content_model=world.WorldContent,
        build=world.build, stages=("Raising mountains", "Settling peoples", "Writing history"),
    ),
    ContentType.CAMPAIGN: Generator(
        type=ContentType.CAMPAIGN, label="Campaign", form_model=campaign.CampaignForm,
        content_model=campaign.CampaignContent, build=campaign.build,
        stages=("Building world", "Casting NPCs", "Writing quests", "Staging encounters", "Weaving acts"),
        staged=campaign.staged,
    ),
}


def get_generator(type: ContentType | str) -> Generator:  # noqa: A002 - name fixed by the contract
    """The generator for a content type (a ContentType or its value, e.g. "npc")."""
    try:
        key = type if isinstance(type, ContentType) else ContentType(str(type).strip().lower())
    except ValueError:
        valid = ", ".join(t.value for t in ContentType)
        raise ValueError(f"Unknown content type {type!r}; expected one of: {valid}") from None
    return GENERATORS[key]


__all__ = ["GENERATORS", "Content", "ContentType", "Generator", "Reporter", "get_generator", "render_illustration"]
