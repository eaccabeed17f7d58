"""The HTTP API (FastAPI), mounted at /api: generate, jobs, events. Docs at /api/docs, schema at /api/openapi.json.

Every call is a signed-in account's (a personal API token); the same job service, ownership rules and
fair-use limits as the pages, so jobs made here show live in the account's open tabs and back.
"""

from __future__ import annotations

from fastapi import FastAPI

from genapp.api import archives, batches, events, generators, jobs, problems

rest = FastAPI(
    title="genapp API",
    version="1",
    summary="Generate tabletop-RPG content as background jobs, and follow them.",
    description="Authenticate with a personal API token from the Account page: `Authorization: Bearer gat_...`. "
    "Errors are RFC 9457 problem details (`application/problem+json`).",
    docs_url="/docs",
    openapi_url="/openapi.json",
    redoc_url=None,
)
problems.install(rest)
rest.include_router(generators.router)
rest.include_router(jobs.router)
rest.include_router(events.router)
rest.include_router(archives.router)
rest.include_router(batches.router)
