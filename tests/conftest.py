"""Shared test helpers: waiting for a condition with a deadline (never sleeping blindly), and real databases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from genapp.db import make_engine, migrate

T = TypeVar("T")


async def eventually(check: Callable[[], T | Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.01, what: str = "") -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        await asyncio.sleep(interval)



@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def ensure_postgres() -> None:
    """Start the machine's Postgres if it is down (the command the machine's own services start with)."""
    import os
    import subprocess

    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10).returncode == 0:
        return
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], timeout=120, check=False)


@pytest.fixture
def pg_db():
    """A fresh Postgres database (the local server, trust auth), dropped afterwards."""
    import secrets

    import sqlalchemy as sa

    name = f"genapp_test_{secrets.token_hex(4)}"
    ensure_postgres()
    # pre-ping: a test may restart Postgres, which kills the pooled connection the teardown would reuse
    admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"Postgres at 127.0.0.1:5432 is needed for this test: {exc}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
