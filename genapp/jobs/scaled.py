"""The scaled mode's parts: a backend's job service (submits, follows Redis, runs nothing) and a worker's runner."""

from __future__ import annotations

from genapp.config import Settings
from genapp.db import make_engine
from genapp.jobs.dispatch.procrastinate import ProcrastinateDispatcher, procrastinate_app
from genapp.jobs.limits import Limits
from genapp.jobs.redis_channel import RedisChannel
from genapp.jobs.retries import JobRetryPolicy
from genapp.jobs.service import JobService
from genapp.jobs.store import JobStore
from genapp.media import MediaStore


def require_scaled_settings(config: Settings) -> None:
    problems = []
    if config.mode != "scaled":
        problems.append("GENAPP_MODE=scaled (in the embedded mode the backend runs the jobs itself)")
    if not config.db_url.startswith("postgresql"):
        problems.append(f"GENAPP_DB_URL must be a PostgreSQL URL (postgresql+psycopg://...), not {config.db_url.split(':', 1)[0]}")
    if not config.redis_url:
        problems.append("GENAPP_REDIS_URL must name the Redis server (redis://host:6379/0)")
    if problems:
        raise ValueError("The scaled mode needs: " + "; ".join(problems) + ".")


def backend_service(config: Settings) -> JobService:
    require_scaled_settings(config)
    store = JobStore(make_engine(config.db_url), flush_interval=config.db_flush_seconds)
    dispatcher = ProcrastinateDispatcher(
        app=procrastinate_app(config.db_url), store=store, worker_concurrency=config.worker_concurrency, stalled_seconds=config.worker_stalled_seconds
    )
    channel = RedisChannel(config.redis_url, channel=config.redis_channel)
    return JobService(
        store=store, dispatcher=dispatcher, channel=channel, media=MediaStore(config.media_dir), limits=Limits.from_settings(config),
        retry_policy=JobRetryPolicy.from_settings(config),
    )
