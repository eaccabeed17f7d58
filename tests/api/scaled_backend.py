"""One scaled-mode backend's HTTP routes, as the Reflex backend's lifespan starts them (job service on
Postgres and Redis, accounts, the API's event log), served by uvicorn: `python -m tests.api.scaled_backend PORT`.
The settings come from the environment (GENAPP_MODE=scaled, GENAPP_DB_URL, GENAPP_REDIS_URL, ...)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

import uvicorn

from genapp.api import api
from genapp.api.events import event_log_lifespan
from genapp.auth.runtime import auth_lifespan
from genapp.jobs.runtime import job_service_lifespan


async def main(port: int) -> None:
    async with contextlib.AsyncExitStack() as lifespans:
        for lifespan in (job_service_lifespan, auth_lifespan, event_log_lifespan):  # genapp/genapp.py's order
            await lifespans.enter_async_context(lifespan())
        server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
        await server.serve()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(int(sys.argv[1])))
