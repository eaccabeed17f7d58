"""This process's account service, started by the backend's lifespan after the job service migrated."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from genapp.auth.service import AuthService
from genapp.auth.store import AuthStore
from genapp.config import settings
from genapp.db import make_engine

_service: AuthService | None = None


def get_auth() -> AuthService:
    if _service is None:
        raise RuntimeError("The account service is not running (it starts with the backend).")
    return _service


@contextlib.asynccontextmanager
async def auth_lifespan() -> AsyncIterator[None]:
    global _service
    store = AuthStore(make_engine(settings.db_url))
    _service = AuthService(store, guest_days=settings.user_cookie_days, account_days=settings.session_days)
    try:
        yield
    finally:
        _service = None
        store.close()
