"""The HTTP API in this process: a real job service (SQLite, local dispatcher), the account service
and the API's event log, as the backend's lifespan starts them; accounts with personal tokens."""

from __future__ import annotations

import contextlib

import httpx
import pytest

import genapp.auth.runtime as auth_runtime
import genapp.jobs.runtime as jobs_runtime
from genapp.api.events import event_log_lifespan
from genapp.api import api as backend_routes  # /media, /auth and /api, as the backend mounts them
from genapp.auth.service import AuthService
from genapp.auth.store import AuthStore
from genapp.jobs.embedded import embedded_service
from genapp.jobs.limits import Limits

PASSWORD = "a long table of dice"


class Api:
    def __init__(self, service, auth: AuthService):
        self.service, self.auth = service, auth

    async def account(self, email: str) -> str:
        """A signed-up account's personal API token."""
        guest = await self.auth.start_guest()
        signed = await self.auth.sign_up(guest.identity, email, PASSWORD, PASSWORD)
        token, _ = await self.auth.create_token(signed.identity, "tests")
        return token

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=backend_routes), base_url="http://localhost/api", headers=headers)


@contextlib.asynccontextmanager
async def running_api(db, tmp_path, monkeypatch, limits: Limits | None = None):
    service = embedded_service(db, concurrency=2, flush_interval=0.1, media=tmp_path / "media", limits=limits)
    store = AuthStore(db)
    auth = AuthService(store)
    await service.start()
    monkeypatch.setattr(jobs_runtime, "_service", service)
    monkeypatch.setattr(auth_runtime, "_service", auth)
    try:
        async with event_log_lifespan():
            yield Api(service, auth)
    finally:
        await service.stop()
        store._threads.shutdown(wait=True)


@pytest.fixture
async def api(db, tmp_path, monkeypatch):
    async with running_api(db, tmp_path, monkeypatch) as running:
        yield running
