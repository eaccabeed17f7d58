"""Engine throughput: jobs submitted, completed and persisted per second.

Procedural generator, no image, no browser, SQLite file migrated as in production.
Run: .venv/bin/python bench/bench_engine.py [jobs]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select  # noqa: E402

from genapp.db import make_engine, migrate  # noqa: E402
from genapp.jobs.embedded import embedded_service  # noqa: E402
from genapp.jobs.requests import build_request  # noqa: E402
from genapp.models import Job  # noqa: E402

TARGET = 200.0


async def run(n: int, db_url: str, job_type: str) -> float:
    db = make_engine(db_url)
    service = embedded_service(db, concurrency=4, flush_interval=1.0)
    await service.start()
    started = time.perf_counter()
    for i in range(n):
        await service.submit(owner=f"bench{i % 10}", request=build_request(job_type=job_type, skip_image=True))
    await service.dispatcher.wait_idle()
    elapsed = time.perf_counter() - started
    await service.stop()
    with Session(db) as session:
        done = session.exec(select(func.count()).select_from(Job).where(Job.status == "complete", Job.type == job_type)).one()
    db.dispose()
    assert done == n, f"only {done} of {n} jobs complete"
    return n / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        worst = None
        for job_type in ("character", "item", "campaign"):
            rate = asyncio.run(run(n, url, job_type))
            worst = rate if worst is None else min(worst, rate)
            print(f"engine throughput {job_type:<10} {rate:8.0f} jobs/s  ({n} jobs submitted, completed, persisted; SQLite)")
    print(f"engine throughput: worst {worst:.0f} jobs/s, target >= {TARGET:.0f}: {'PASS' if worst >= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
