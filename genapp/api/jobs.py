"""A caller's jobs over HTTP: list with filters and cursor paging, one job, its results, and actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse, PlainTextResponse, Response

from genapp.api.media import MEDIA_HEADERS, media_store
from genapp.api.problems import ProblemError, declared
from genapp.api.security import caller
from genapp.api.shapes import JobDetail, JobOut, JobPage, cursor_of, parse_cursor
from genapp.exports import download_name, export_json, markdown_of
from genapp.generators import ContentType
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


@router.get("", response_model=JobPage, summary="List your jobs, newest first")
async def list_jobs(
    owner: str = Depends(caller),
    status: Annotated[list[JobStatus] | None, Query(description="Only these statuses (repeat the parameter for several).")] = None,
    type: Annotated[ContentType | None, Query(description="Only this content type.")] = None,  # noqa: A002  (the API's word)
    created_after: Annotated[datetime | None, Query(description="ISO 8601; inclusive.")] = None,
    created_before: Annotated[datetime | None, Query(description="ISO 8601; exclusive.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="`next_cursor` of the page before.")] = None,
) -> JobPage:
    after = None
    if cursor:
        after = parse_cursor(cursor)
        if after is None:
            raise ProblemError(422, "Invalid request", "That cursor is not one this API gave out.", errors={"cursor": "unknown cursor"})
    jobs = await get_service().list(
        owner=owner, statuses=[s.value for s in status] if status else None, job_type=type.value if type else None, limit=limit + 1,
        created_after=created_after, created_before=created_before, after=after,
    )
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return JobPage(items=[JobOut.of(j) for j in jobs], next_cursor=cursor_of(jobs[-1]) if more else None)


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
