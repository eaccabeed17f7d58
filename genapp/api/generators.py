"""The seed's endpoints: one POST per content type, each queueing a job (202) as the form would."""

# No `from __future__ import annotations`: FastAPI reads each endpoint's body type from its annotation.

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from genapp.api.problems import ProblemError, declared
from genapp.api.security import caller
from genapp.api.shapes import PREFIX, Created, JobOut
from genapp.config import settings
from genapp.generators import GENERATORS, ContentType
from genapp.jobs.requests import build_request, illustration_request
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


def _with_article(noun: str) -> str:
    """"a character", "an item", "an NPC" (said en-pee-see)."""
    return f"{'an' if noun[:1].lower() in 'aeiou' or noun == 'NPC' else 'a'} {noun}"


for _type, _path in ENDPOINTS.items():
    router.add_api_route(
        f"/{_path}",
        _endpoint(_type, _body_model(_type)),
        methods=["POST"],
        status_code=202,
        response_model=Created,
        summary=f"Generate {_with_article(GENERATORS[_type].noun)}",
        description="Queues a job and answers at once; follow it at `url` or on `/api/events`.",
        operation_id=f"generate_{_type.value}",
    )


_EITHER_SUBJECT = {  # the validator below, said in the schema, so clients (and schemathesis) know it
    "oneOf": [
        {"required": ["job_id"], "not": {"anyOf": [{"required": ["type"]}, {"required": ["content"]}]}},
        {"required": ["type", "content"], "not": {"required": ["job_id"]}},
    ]
}


class PortraitRequest(BaseModel):
    """An illustration for one of your jobs (`job_id`), or for content you send (`type` and `content`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_EITHER_SUBJECT)

    job_id: str = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="A job of yours that has its content.")
    type: ContentType = Field(None, description="With `content`: what kind of content it is.")
    content: dict[str, Any] = Field(None, description="With `type`: content in that type's JSON shape (as `result.json` gives it).")
    seed: int = Field(None, ge=0, le=2**53, description="Same content and seed, same procedural picture. Random when left out.")
    image_source: Literal["auto", "procedural", "api"] = Field("auto", description="auto: the image service when one is configured.")
    # The fields left out are None; the schema types them without null, so a null is refused as the schema says.

    @model_validator(mode="after")
    def _one_subject(self) -> "PortraitRequest":
        if (self.job_id is None) == (self.content is None) or (self.content is not None) != (self.type is not None):
            raise ValueError("Send either `job_id`, or `type` with `content`.")
        return self


@router.post(
    "/generate-portrait",
    status_code=202,
    response_model=Created,
    responses=declared(404, 409, 429),
    summary="Paint an illustration for a job or for given content",
    description="Queues a job that paints a new picture (no text is generated): for one of your jobs, whose content and inputs "
    "it copies, or for content in the body, checked against its type's bounds. The new job is in your library beside the first.",
    operation_id="generate_portrait",
)
async def generate_portrait(body: PortraitRequest, owner: str = Depends(caller)) -> Created:
    providers = get_providers()
    image = body.image_source if body.image_source != "auto" else ("api" if providers.image is not None else "procedural")
    service = get_service()
    if body.job_id is not None:
        source = await service.get(owner=owner, job_id=body.job_id)
        if source is None:
            raise ProblemError(404, "No such job", "That job does not exist or is not yours.")
        if source.content is None:
            raise ProblemError(409, "No content yet", f"The job is {source.status} and has no content to illustrate yet.")
        job_type, content, prompt, form = source.type, source.content, source.prompt, source.form_data.get("form", {})
    else:
        assert body.type is not None and body.content is not None  # the validator saw to it
        job_type, content, prompt, form = body.type.value, body.content, "", {}
    request = illustration_request(
        job_type=job_type, content=content, prompt=prompt, form=form, seed=body.seed, image_source=image,
        image_api_configured=providers.image is not None, source_job=body.job_id,
    )
    job_id = await service.submit(owner=owner, request=request)
    job = await service.get(owner=owner, job_id=job_id)
    return Created(job=JobOut.of(job), url=f"{PREFIX}/jobs/{job_id}")
