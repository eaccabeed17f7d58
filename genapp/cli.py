"""The `genapp` command: `genapp worker` (scaled mode) and `genapp migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="genapp", description="genapp's job processes (the web app runs with `make run`).")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run jobs (scaled mode: GENAPP_MODE=scaled, GENAPP_DB_URL, GENAPP_REDIS_URL)")
    worker.add_argument("--concurrency", type=int, default=None, help="jobs at once (default: GENAPP_WORKER_CONCURRENCY)")
    worker.add_argument("--name", default=None, help="the worker's name in logs and Procrastinate's table")
    commands.add_parser("migrate", help="bring the database (GENAPP_DB_URL) to the newest schema")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    from genapp.config import settings

    if args.command == "migrate":
        from genapp.db import migrate

        migrate(settings.db_url)
        return 0
    from genapp.jobs.worker import run_worker

    try:
        asyncio.run(run_worker(settings, concurrency=args.concurrency, name=args.name))
    except ValueError as exc:  # settings that cannot work, said plainly
        parser.exit(2, f"genapp worker: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
