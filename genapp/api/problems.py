"""Errors of the HTTP API as RFC 9457 problem details (`application/problem+json`).

Every refusal says what went wrong in words a person can act on; "not yours" and "does not exist"
are the same 404, as everywhere in genapp.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from genapp.jobs.errors import JobNotFound, JobStateError, LimitReached
from genapp.jobs.requests import JobRequestError

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: dict[str, str] | None = None  # per field, for a request that fails validation


class ProblemError(Exception):
    def __init__(self, status: int, title: str, detail: str = "", *, headers: dict[str, str] | None = None, errors: dict[str, str] | None = None):
        super().__init__(detail or title)
        self.problem = Problem(title=title, status=status, detail=detail, errors=errors)
        self.headers = headers or {}


def declared(*statuses: int) -> dict[int, dict]:
    """The problem answers a route can give, for its OpenAPI entry (401 and 422 on every route)."""
    words = {401: "No or a bad API token.", 404: "No such job (or not yours).", 409: "Not possible in the job's state.",
             413: "The body is too large.", 422: "Invalid input; `errors` names each field.", 429: "A fair-use limit; see Retry-After."}
    return {code: {"model": Problem, "description": words[code], "content": {MEDIA_TYPE: {}}} for code in (401, 422, *statuses)}


def respond(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=problem.status, media_type=MEDIA_TYPE, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError):
        return respond(exc.problem, exc.headers)

    @app.exception_handler(JobNotFound)
    async def _missing(_: Request, exc: JobNotFound):
        return respond(Problem(title="No such job", status=404, detail="That job does not exist or is not yours."))

    @app.exception_handler(JobStateError)
    async def _conflict(_: Request, exc: JobStateError):
        return respond(Problem(title="Not possible in this state", status=409, detail=str(exc)))

    @app.exception_handler(LimitReached)
    async def _limited(_: Request, exc: LimitReached):
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if exc.retry_after else None
        return respond(Problem(title="Fair-use limit reached", status=429, detail=str(exc)), headers)

    @app.exception_handler(JobRequestError)
    async def _bad_job(_: Request, exc: JobRequestError):
        return respond(Problem(title="Invalid request", status=422, detail="Some fields are not valid.", errors=dict(exc.errors)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        errors: dict[str, str] = {}
        for error in exc.errors():
            errors.setdefault(_field(tuple(error.get("loc", ()))), str(error.get("msg", "invalid")))
        return respond(Problem(title="Invalid request", status=422, detail="Some fields are not valid.", errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        return respond(Problem(title=str(exc.detail), status=exc.status_code), getattr(exc, "headers", None))
