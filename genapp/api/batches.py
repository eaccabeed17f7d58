"""Batches over HTTP: several generations submitted together (variations of one, or a mix), followed,
cancelled, retried and exported as one. The same service, ownership rules and all-or-nothing fair-use
check as the pages."""

# No `from __future__ import annotations`: FastAPI reads the body type from its annotation.

from datetime import datetime
from typing import Annotated, Literal, Union

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field, create_model

from genapp.api.problems import ProblemError, declared
from genapp.api.security import caller
from genapp.api.shapes import PREFIX, JobOut, _utc
from genapp.config import settings
from genapp.generators import GENERATORS, ContentType, get_generator
from genapp.jobs.batches import MAX_BATCH_JOBS, MAX_VARIATIONS, BatchNotFound, BatchView, variations, variations_label
from genapp.jobs.requests import JobRequest, JobRequestError, build_request
from genapp.jobs.runtime import get_providers, get_service
from genapp.models import utcnow

BatchId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="A batch's id, as the API gave it.")]

router = APIRouter(prefix="/batches", tags=["batches"], responses=declared())
NOT_FOUND = "That batch does not exist or is not yours."


def _item_model(content_type: ContentType) -> type[BaseModel]:
    """One item of a batch of one type: that type's own form fields (so the schema says what is valid)."""
    generator = GENERATORS[content_type]
    return create_model(
        f"{content_type.value.capitalize()}BatchItem",
        type=(Literal[content_type.value], ...),  # type: ignore[valid-type]
        prompt=(str, Field("", max_length=settings.max_prompt_chars, description="What to make, in your words.")),
        form=(generator.form_model | None, Field(None, description=f"The {generator.label} form's fields; any left out take their defaults.")),
        seed=(int | None, Field(None, ge=0, le=2**53, description="With count > 1: seeds seed, seed + 1, ...; random when left out.")),
        skip_image=(bool, False),
        count=(int, Field(1, ge=1, le=MAX_VARIATIONS, description="Variations of this item: the same inputs, each with its own seed.")),
    )


BatchItemIn = Annotated[Union[tuple(_item_model(t) for t in ContentType)], Field(discriminator="type")]  # type: ignore[misc]


class BatchIn(BaseModel):
    items: list[BatchItemIn] = Field(min_length=1, max_length=MAX_BATCH_JOBS, description=f"At most {MAX_BATCH_JOBS} generations in all, counts included.")
    label: str = Field("", max_length=200, description="Shown in the tile and on the batch page; made from the items when left out.")
    text_source: Literal["auto", "procedural", "llm"] = "auto"
    image_source: Literal["auto", "procedural", "api"] = "auto"


class BatchOut(BaseModel):
    id: str
    label: str
    kind: str
    created_at: datetime
    total: int
    done: int  # finished, whatever the outcome
    progress: int  # mean over the jobs, a finished one counting as 100 (stored progress: about once a second)
    counts: dict[str, int]  # by status
    jobs: list[JobOut]
    url: str
    page: str  # the batch's page in the app

    @classmethod
    def of(cls, view: BatchView) -> "BatchOut":
        batch = view.batch
        return cls(
            id=batch.id, label=batch.label, kind=batch.kind, created_at=_utc(batch.created_at), total=view.total, done=view.done,
            progress=int(view.progress), counts=view.counts, jobs=[JobOut.of(j) for j in view.jobs],
            url=f"{PREFIX}/batches/{batch.id}", page=f"/dashboard/batches/{batch.id}",
        )


def _requests(body: BatchIn) -> list[JobRequest]:
    providers = get_providers()
    text = body.text_source if body.text_source != "auto" else ("llm" if providers.text is not None else "procedural")
    image = body.image_source if body.image_source != "auto" else ("api" if providers.image is not None else "procedural")
    if sum(item.count for item in body.items) > MAX_BATCH_JOBS:
        raise JobRequestError({"items": f"A batch holds at most {MAX_BATCH_JOBS} generations, counts included."})
    requests: list[JobRequest] = []
    errors: dict[str, str] = {}
    for i, item in enumerate(body.items):
        try:
            request = build_request(
                job_type=item.type, prompt=item.prompt, form=item.form.model_dump(exclude_unset=True) if item.form is not None else {}, skip_image=item.skip_image, seed=item.seed,
                max_prompt_chars=settings.max_prompt_chars, text_source=text, image_source=image,
                llm_configured=providers.text is not None, image_api_configured=providers.image is not None,
            )
        except JobRequestError as exc:
            errors.update({f"items.{i}.{name}": message for name, message in exc.errors.items()})
            continue
        requests.extend(variations(request, item.count, seed_fixed=item.seed is not None))
    if errors:
        raise JobRequestError(errors)
    return requests


def _label(body: BatchIn, requests: list[JobRequest]) -> str:
    if body.label.strip():
        return body.label
    if len(body.items) == 1:
        return variations_label(requests[0], len(requests))
    counts: dict[str, int] = {}
    for request in requests:
        counts[request.type.value] = counts.get(request.type.value, 0) + 1
    return "Mixed batch: " + ", ".join(f"{n} × {get_generator(t).label}" for t, n in counts.items())


async def _view(owner: str, batch_id: str) -> BatchView:
    view = await get_service().batch(owner=owner, batch_id=batch_id)
    if view is None:
        raise ProblemError(404, "No such batch", NOT_FOUND)
    return view


@router.post("", status_code=202, response_model=BatchOut, responses=declared(429),
             summary="Generate several things as one batch (variations of one, or a mix)",
             description="Queues every job or none: a batch the fair-use limits have no room for is refused whole (429).")
async def create_batch(body: BatchIn, owner: str = Depends(caller)) -> BatchOut:
    requests = _requests(body)
    kind = "variations" if len(body.items) == 1 else "mixed"
    batch_id = await get_service().submit_batch(owner=owner, requests=requests, label=_label(body, requests), kind=kind)
    return BatchOut.of(await _view(owner, batch_id))


@router.get("/{batch_id}", response_model=BatchOut, responses=declared(404), summary="One batch: its progress, counts and jobs")
async def get_batch(batch_id: BatchId, owner: str = Depends(caller)) -> BatchOut:
    return BatchOut.of(await _view(owner, batch_id))


@router.post("/{batch_id}/cancel", response_model=BatchOut, responses=declared(404), summary="Cancel the batch's waiting and running jobs")
async def cancel_batch(batch_id: BatchId, owner: str = Depends(caller)) -> BatchOut:
    try:
        await get_service().cancel_batch(owner=owner, batch_id=batch_id)
    except BatchNotFound:
        raise ProblemError(404, "No such batch", NOT_FOUND) from None
    return BatchOut.of(await _view(owner, batch_id))


@router.post("/{batch_id}/retry", response_model=BatchOut, responses=declared(404, 429),
             summary="Run the batch's failed and cancelled jobs again, in place (all or none)")
async def retry_batch(batch_id: BatchId, owner: str = Depends(caller)) -> BatchOut:
    try:
        await get_service().retry_failed(owner=owner, batch_id=batch_id)
    except BatchNotFound:
        raise ProblemError(404, "No such batch", NOT_FOUND) from None
    return BatchOut.of(await _view(owner, batch_id))


@router.get("/{batch_id}/export", response_class=Response, responses={200: {"content": {"application/zip": {}}}, **declared(404)},
            summary="The batch's finished jobs as a library archive")
async def export_batch(batch_id: BatchId, owner: str = Depends(caller)) -> Response:
    try:
        data = await get_service().export_batch(owner=owner, batch_id=batch_id)
    except BatchNotFound:
        raise ProblemError(404, "No such batch", NOT_FOUND) from None
    name = f"genapp-batch-{utcnow():%Y-%m-%d}.zip"
    return Response(data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})
