"""Library archives over HTTP: `GET /api/export` (a zip of your finished jobs) and `POST /api/import`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from genapp.api.jobs import JobId
from genapp.api.problems import ProblemError, declared
from genapp.api.security import caller
from genapp.jobs.archive import MAX_ARCHIVE_BYTES, ArchiveError
from genapp.jobs.runtime import get_service
from genapp.models import utcnow

router = APIRouter(tags=["library"], responses=declared())


class Imported(BaseModel):
    created: int
    skipped: int  # already in your library (imported before)


@router.get("/export", response_class=Response, responses={200: {"content": {"application/zip": {}}}},
            summary="Your finished jobs (or these ids) as a library archive")
async def export(owner: str = Depends(caller), ids: Annotated[list[JobId] | None, Query(max_length=500)] = None) -> Response:
    data = await get_service().export(owner=owner, job_ids=ids)
    name = f"genapp-library-{utcnow():%Y-%m-%d}.zip"
    return Response(data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/import", response_model=Imported, responses=declared(413),
             openapi_extra={"requestBody": {"required": True, "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}},
             summary="Bring a library archive (from an export) into your library; importing it again adds nothing")
async def import_archive(request: Request, owner: str = Depends(caller)) -> Imported:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_ARCHIVE_BYTES:
            raise ProblemError(413, "Too large", f"An archive may be {MAX_ARCHIVE_BYTES // 1_000_000} MB at most.")
    try:
        report = await get_service().import_archive(owner=owner, data=bytes(body))
    except ArchiveError as refusal:
        raise ProblemError(422, "Not an archive genapp can import", str(refusal)) from None
    return Imported(created=report.created, skipped=report.skipped)
