"""A caller's jobs over HTTP: list with filters and cursor paging, one job, its results, and actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse, PlainTextResponse, Response

from genapp.api.media import MEDIA_HEADERS, media_store
from genapp.api.problems import ProblemError, declared
from genapp.api.security import caller
from genapp.api.shapes import JobDetail, JobOut, JobPage
from genapp.exports import download_name, export_json, markdown_of
from genapp.generators import ContentType
from genapp.jobs.library import MAX_PAGE_SIZE, InvalidCursor, LibraryQuery, LibrarySort
from genapp.jobs.runtime import get_service
from genapp.jobs.status import JobStatus
from genapp.media import content_type, is_media_ref
from genapp.models import Job

JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="A job's id, as the API gave it.")]

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=declared())
ERRORS = declared(404)


async def _job(job_id: str, owner: str) -> Job:
    job = await get_service().get(owner=owner, job_id=job_id)
    if job is None:
        raise ProblemError(404, "No such job", "That job does not exist or is not yours.")
    return job


def _finished(job: Job) -> Job:
    if job.content is None:
        raise ProblemError(409, "No result yet", f"The job is {job.status}; its result exists once it is complete.")
    return job


@router.get("", response_model=JobPage, summary="List your jobs: filter, search, sort, page")
async def list_jobs(
    owner: str = Depends(caller),
    q: Annotated[str, Query(max_length=500, description="Words to find in title, prompt, content and tags (each as a word prefix).")] = "",
    status: Annotated[list[JobStatus] | None, Query(description="Only these statuses (repeat the parameter for several); all when left out.")] = None,
    type: Annotated[list[ContentType] | None, Query(description="Only these content types (repeatable).")] = None,  # noqa: A002  (the API's word)
    created_after: Annotated[datetime | None, Query(description="ISO 8601; inclusive.")] = None,
    created_before: Annotated[datetime | None, Query(description="ISO 8601; exclusive.")] = None,
    favourite: Annotated[bool, Query(description="Only starred jobs.")] = False,
    tag: Annotated[str | None, Query(max_length=32, description="Only jobs with this tag.")] = None,
    sort: Annotated[LibrarySort, Query(description="relevance applies to a search; else newest.")] = LibrarySort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]+$", description="`next_cursor` of the page before.")] = None,
) -> JobPage:
    query = LibraryQuery(
        text=q, statuses=status or list(JobStatus), types=[t.value for t in type or []], created_from=created_after, created_to=created_before,
        favourites_only=favourite, tag=tag, sort=sort, limit=limit, cursor=cursor,
    )
    try:
        page = await get_service().library(owner=owner, query=query)
    except InvalidCursor as exc:
        raise ProblemError(422, "Invalid request", str(exc), errors={"cursor": "not a cursor of this query"}) from None
    return JobPage(items=[JobOut.of(j) for j in page.items], next_cursor=page.next_cursor, total=page.total)


@router.get("/{job_id}", response_model=JobDetail, responses=ERRORS, summary="One job, with its content and attempts")
async def get_job(job_id: JobId, owner: str = Depends(caller)) -> JobDetail:
    return JobDetail.of(await _job(job_id, owner))


@router.post("/{job_id}/cancel", response_model=JobOut, responses=declared(404, 409), summary="Cancel a pending or running job")
async def cancel_job(job_id: JobId, owner: str = Depends(caller)) -> JobOut:
    await get_service().cancel(owner=owner, job_id=job_id)
    return JobOut.of(await _job(job_id, owner))


@router.post("/{job_id}/retry", response_model=JobOut, responses=declared(404, 409, 429),
             summary="Run a failed or cancelled job again, in place")
async def retry_job(job_id: JobId, owner: str = Depends(caller)) -> JobOut:
    await get_service().retry(owner=owner, job_id=job_id)
    return JobOut.of(await _job(job_id, owner))


@router.delete("/{job_id}", status_code=204, responses=ERRORS, summary="Delete a job and its image (a running one is stopped first)")
async def delete_job(job_id: JobId, owner: str = Depends(caller)) -> Response:
    await get_service().remove(owner=owner, job_id=job_id)
    return Response(status_code=204)


@router.get("/{job_id}/result.md", response_class=PlainTextResponse, responses=declared(404, 409),
            summary="The result as Markdown")
async def job_markdown(job_id: JobId, owner: str = Depends(caller)) -> PlainTextResponse:
    job = _finished(await _job(job_id, owner))
    disposition = f'inline; filename="{download_name(job, "md")}"'
    return PlainTextResponse(markdown_of(job), media_type="text/markdown; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get("/{job_id}/result.json", responses=declared(404, 409), summary="The result as JSON (inputs and content)")
async def job_json(job_id: JobId, owner: str = Depends(caller)) -> Response:
    job = _finished(await _job(job_id, owner))
    return Response(export_json(job), media_type="application/json", headers={"Content-Disposition": f'inline; filename="{download_name(job, "json")}"'})


@router.get("/{job_id}/image", responses=declared(404, 409),
            summary="The illustration: the image service's file, or the procedural SVG")
async def job_image(job_id: JobId, owner: str = Depends(caller)) -> Response:
    job = await _job(job_id, owner)
    if not job.image:
        raise ProblemError(409, "No image", "This job has no illustration (yet, or it skipped it).")
    if is_media_ref(job.image):
        path = media_store.path(job.image)
        if path is None:
            raise ProblemError(404, "No such image", "The image file is gone.")
        return FileResponse(path, media_type=content_type(path.name), headers=MEDIA_HEADERS)
    return Response(job.image, media_type="image/svg+xml", headers=MEDIA_HEADERS)  # the sandbox CSP keeps an SVG's script inert
