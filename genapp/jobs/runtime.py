"""The process-wide job engine: created, started and stopped by the backend's lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import sqlalchemy as sa

from genapp.config import settings
from genapp.db import make_engine, migrate
from genapp.jobs.bus import EventBus
from genapp.jobs.engine import JobEngine
from genapp.media import MediaStore
from genapp.providers import providers_from_settings

log = logging.getLogger(__name__)

bus = EventBus()  # exists before the engine so watchers can subscribe in any order
_engine: JobEngine | None = None


def get_engine() -> JobEngine:
    if _engine is None:
        raise RuntimeError("The job engine is not running (it starts with the backend).")
    return _engine


def get_db() -> sa.Engine:
    return get_engine().db


@contextlib.asynccontextmanager
async def job_engine_lifespan() -> AsyncIterator[None]:
    """Migrate the database, then run the engine for as long as the backend lives."""
    global _engine
    migrate(settings.db_url)
    engine = JobEngine(
        db=make_engine(settings.db_url),
        bus=bus,
        concurrency=settings.max_concurrent_jobs,
        flush_interval=settings.db_flush_seconds,
        providers=providers_from_settings(settings),
        media=MediaStore(settings.media_dir),
    )
    await engine.start()
    _engine = engine
    for kind, provider in (("Text", engine.providers.text), ("Image", engine.providers.image)):
        if provider is not None:
            log.info("%s provider: %s", kind, provider.label)
    log.info("Job engine started (%d at once) on %s", settings.max_concurrent_jobs, engine.db.url.render_as_string(hide_password=True))
    try:
        yield
    finally:
        _engine = None
        await engine.stop()
        engine.db.dispose()
