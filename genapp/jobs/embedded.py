"""The embedded job service: jobs run in this process (local dispatcher), events stay in it (local channel)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from genapp.jobs.channel import LocalChannel
from genapp.jobs.dispatch.local import LocalDispatcher
from genapp.jobs.limits import Limits
from genapp.jobs.runner import JobRunner
from genapp.jobs.service import JobService
from genapp.jobs.store import JobStore
from genapp.media import MediaStore
from genapp.providers import Providers


def embedded_service(
    db: sa.Engine,
    *,
    concurrency: int = 4,
    flush_interval: float = 1.0,
    providers: Providers | None = None,
    media: MediaStore | str | Path = "media",
    limits: Limits | None = None,
) -> JobService:
    store = JobStore(db, flush_interval=flush_interval)
    channel = LocalChannel()
    media = media if isinstance(media, MediaStore) else MediaStore(media)
    runner = JobRunner(store=store, channel=channel, providers=providers or Providers(), media=media)
    dispatcher = LocalDispatcher(runner=runner, store=store, concurrency=concurrency)
    return JobService(store=store, dispatcher=dispatcher, channel=channel, media=media, limits=limits)
