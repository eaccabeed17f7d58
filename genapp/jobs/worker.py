"""`genapp worker`: a scaled-mode process that runs jobs (Procrastinate) and sweeps up after dead ones.

The same JobRunner as the embedded mode; progress goes out over Redis; the row is the truth.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket

from genapp.config import Settings
from genapp.db import make_engine, migrate
from genapp.jobs.dispatch.procrastinate import QUEUE, TASK, ProcrastinateDispatcher, Sweeper, procrastinate_app
from genapp.jobs.redis_channel import RedisChannel
from genapp.jobs.retries import JobRetryPolicy
from genapp.jobs.runner import JobRunner
from genapp.jobs.scaled import require_scaled_settings
from genapp.jobs.store import JobStore
from genapp.jobs.trace import TracingChannel
from genapp.media import MediaStore
from genapp.providers import providers_from_settings

log = logging.getLogger(__name__)


async def run_worker(config: Settings, *, concurrency: int | None = None, name: str | None = None) -> None:
    """Run jobs until SIGINT/SIGTERM; running ones get `worker_shutdown_seconds`, then resume elsewhere."""
    require_scaled_settings(config)
    await asyncio.to_thread(migrate, config.db_url)  # a worker may be the first process up
    store = JobStore(make_engine(config.db_url), flush_interval=config.db_flush_seconds)
    channel = RedisChannel(config.redis_url, channel=config.redis_channel)
    if config.progress_trace:  # benchmarks only
        channel = TracingChannel(channel, config.progress_trace)
    providers = providers_from_settings(config)
    runner = JobRunner(
        store=store, channel=channel, providers=providers, media=MediaStore(config.media_dir), retry_default=JobRetryPolicy.from_settings(config)
    )
    app = procrastinate_app(config.db_url)

    dispatcher = ProcrastinateDispatcher(app=app, store=store)

    @app.task(name=TASK, queue=QUEUE)
    async def run_job(job_id: str) -> None:
        if (due := await runner.run(job_id)) is not None:  # a transient fault: a later run, by any worker
            await dispatcher.dispatch_at(job_id, "", due)

    # Procrastinate 3.10.0 watches its heartbeat task only while a periodic task exists (with none, its
    # periodic deferrer ends at once and the side-task monitor stops looking): without this, a worker
    # whose heartbeat failed during a database restart would run on unseen, and its jobs look stalled.
    @app.periodic(cron="*/10 * * * *", periodic_id="genapp-keepalive")
    @app.task(name="genapp.keepalive", queue=QUEUE)
    async def keepalive(timestamp: int) -> None:
        pass

    sweeper = Sweeper(app=app, store=store, dispatcher=dispatcher, stalled_seconds=config.worker_stalled_seconds)
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    await store.start()
    try:
        async with app.open_async():
            sweeping = asyncio.create_task(_sweep_forever(sweeper, config.worker_sweep_seconds), name="genapp-sweeper")
            log.info("Worker %s: %d job(s) at once on %s", name, concurrency or config.worker_concurrency, QUEUE)
            try:
                await _work_until_stopped(app, name, concurrency or config.worker_concurrency, config)
            finally:
                sweeping.cancel()
                await asyncio.gather(sweeping, return_exceptions=True)
    finally:
        await store.stop()
        await channel.aclose()
        await providers.aclose()
        store.close()


async def _work_until_stopped(app, name: str, concurrency: int, config: Settings) -> None:
    """Run the Procrastinate worker; if it stops by itself (its heartbeat failed while the database was
    away), start it again. SIGINT/SIGTERM stop it gracefully: running jobs get their grace period."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    while not stopping.is_set():
        work = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                name=name,
                concurrency=concurrency,
                wait=True,
                listen_notify=True,
                fetch_job_polling_interval=2.0,
                abort_job_polling_interval=0.5,  # NOTIFY is the fast path; this covers a lost one
                update_heartbeat_interval=config.worker_heartbeat_seconds,
                stalled_worker_timeout=config.worker_stalled_seconds,
                shutdown_graceful_timeout=config.worker_shutdown_seconds,
                delete_jobs="successful",  # our row keeps the result; finished runs need no record
                install_signal_handlers=False,
            ),
            name="genapp-procrastinate-worker",
        )
        stop = asyncio.create_task(stopping.wait())
        await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.is_set():
            work.cancel()  # Procrastinate turns this into its graceful stop
            await asyncio.gather(work, return_exceptions=True)
            return
        stop.cancel()
        if work.exception():
            log.error("The worker stopped on an error (%s); starting it again", work.exception())
        else:
            log.warning("The worker stopped by itself (a failed heartbeat: the database went away?); starting it again")
        await asyncio.sleep(1.0)


async def _sweep_forever(sweeper: Sweeper, interval: float) -> None:
    while True:
        try:
            await sweeper.sweep()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be restarting: try again next interval
            log.exception("Sweep failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)
