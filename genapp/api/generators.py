"""The seed's endpoints: one POST per content type, each queueing a job (202) as the form would."""

# No `from __future__ import annotations`: FastAPI reads each endpoint's body type from its annotation.

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, create_model

from genapp.api.problems import declared
from genapp.api.security import caller
from genapp.api.shapes import PREFIX, Created, JobOut
from genapp.config import settings
from genapp.generators import GENERATORS, ContentType
from genapp.jobs.requests import build_request
from genapp.jobs.runtime import get_providers, get_service

ENDPOINTS = {
    ContentType.CHARACTER: "character-generator",
    ContentType.NPC: "npc-generator",
    ContentType.ITEM: "item-generator",
    ContentType.QUEST: "quest-generator",
    ContentType.ENCOUNTER: "encounter-generator",
    ContentType.WORLD: "world-lore-builder",
    ContentType.CAMPAIGN: "campaign-generator",
}

router = APIRouter(tags=["generate"], responses=declared(429))


def _body_model(content_type: ContentType) -> type[BaseModel]:
    """The request body of one type: the prompt, that type's own form fields (all optional), and the options."""
    generator = GENERATORS[content_type]
    return create_model(
        f"{content_type.value.capitalize()}Request",
        prompt=(str, Field("", max_length=settings.max_prompt_chars, description="What to make, in your words.")),
        form=(generator.form_model | None, Field(None, description=f"The {generator.label} form's fields; any left out take their defaults.")),
        seed=(int | None, Field(None, ge=0, le=2**53, description="Same seed, same inputs: same result. Random when left out.")),
        skip_image=(bool, False),
        text_source=(Literal["auto", "procedural", "llm"], Field("auto", description="auto: the LLM when one is configured.")),
        image_source=(Literal["auto", "procedural", "api"], Field("auto", description="auto: the image service when one is configured.")),
    )


def _endpoint(content_type: ContentType, body_model: type[BaseModel]):
    async def create(body: body_model, owner: str = Depends(caller)) -> Created:  # type: ignore[valid-type]
        providers = get_providers()
        text = body.text_source if body.text_source != "auto" else ("llm" if providers.text is not None else "procedural")
        image = body.image_source if body.image_source != "auto" else ("api" if providers.image is not None else "procedural")
        request = build_request(
            job_type=content_type.value,
            prompt=body.prompt,
            form=body.form.model_dump(exclude_unset=True) if body.form is not None else {},
            skip_image=body.skip_image,
            seed=body.seed,
            max_prompt_chars=settings.max_prompt_chars,
            text_source=text,
            image_source=image,
            llm_configured=providers.text is not None,
            image_api_configured=providers.image is not None,
        )
        service = get_service()
        job_id = await service.submit(owner=owner, request=request)
        job = await service.get(owner=owner, job_id=job_id)
        return Created(job=JobOut.of(job), url=f"{PREFIX}/jobs/{job_id}")

    return create


for _type, _path in ENDPOINTS.items():
    router.add_api_route(
        f"/{_path}",
        _endpoint(_type, _body_model(_type)),
        methods=["POST"],
        status_code=202,
        response_model=Created,
        summary=f"Generate a {GENERATORS[_type].label.lower()}",
        description="Queues a job and answers at once; follow it at `url` or on `/api/events`.",
        operation_id=f"generate_{_type.value}",
    )
