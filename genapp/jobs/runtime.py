"""This process's job service: built from the settings, started and stopped by the backend's lifespan.

Embedded mode: jobs run here (local dispatcher, in-process channel), and only one process may
serve a database that way. Scaled mode: this backend only submits (to Procrastinate) and follows
the Redis channel; `genapp worker` processes run the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from genapp.config import Settings, settings
from genapp.db import make_engine, migrate
from genapp.jobs.embedded import embedded_service
from genapp.jobs.limits import Limits
from genapp.jobs.retention import Retention, prune_forever
from genapp.jobs.service import JobService
from genapp.providers import Providers, providers_from_settings

log = logging.getLogger(__name__)

_service: JobService | None = None
_providers: Providers | None = None


class ModeError(RuntimeError):
    """The settings ask for something this mode cannot do safely."""


def get_service() -> JobService:
    if _service is None:
        raise RuntimeError("The job service is not running (it starts with the backend).")
    return _service


def get_providers() -> Providers:
    """The text and image providers configured for this process (the settings page checks them)."""
    return _providers or Providers()


@contextlib.contextmanager
def _only_process(config: Settings):
    """Embedded mode runs jobs in this process: a second process on the same database would run them twice."""
    if os.environ.get("REFLEX_REDIS_URL"):
        raise ModeError(
            "REFLEX_REDIS_URL is set, which makes Reflex start several backend workers, but GENAPP_MODE is embedded: each worker "
            "would run the same jobs. Unset REFLEX_REDIS_URL, or set GENAPP_MODE=scaled (see the README's scaled mode)."
        )
    digest = hashlib.sha256(config.db_url.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"genapp-embedded-{digest}.lock"
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise ModeError(
                f"Another genapp process (pid {lock.read().strip() or '?'}) already runs the jobs of {_safe_url(config.db_url)} in embedded "
                "mode. Stop it, or run several backends with GENAPP_MODE=scaled (Postgres, Redis and `genapp worker`)."
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextlib.asynccontextmanager
async def job_service_lifespan() -> AsyncIterator[None]:
    """Migrate the database, then run the job service for as long as the backend lives."""
    global _service, _providers
    with contextlib.ExitStack() as guards:
        if settings.mode == "embedded":
            guards.enter_context(_only_process(settings))
        migrate(settings.db_url)
        providers = providers_from_settings(settings)
        if settings.mode == "scaled":
            from genapp.jobs.scaled import backend_service  # Redis and Procrastinate are needed only here

            service = backend_service(settings)
        else:
            service = embedded_service(
                make_engine(settings.db_url),
                concurrency=settings.max_concurrent_jobs,
                flush_interval=settings.db_flush_seconds,
                providers=providers,
                media=settings.media_dir,
                limits=Limits.from_settings(settings),
            )
        await service.start()
        _service, _providers = service, providers
        for kind, provider in (("Text", providers.text), ("Image", providers.image)):
            if provider is not None:
                log.info("%s provider: %s", kind, provider.label)
        log.info("Job service started (%s mode) on %s", settings.mode, _safe_url(settings.db_url))
        # Retention runs wherever a service does (with several backends each runs it: the later ones find nothing).
        pruning = asyncio.create_task(prune_forever(service, Retention.from_settings(settings)), name="genapp-retention")
        try:
            yield
        finally:
            pruning.cancel()
            await asyncio.gather(pruning, return_exceptions=True)
            _service = _providers = None
            await service.stop()
            await service.channel.aclose()
            await providers.aclose()
            service.store.close()
