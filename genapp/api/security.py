"""Who calls the HTTP API: a personal API token of an account, sent as `Authorization: Bearer gat_...`."""

from __future__ import annotations

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from genapp.api.problems import ProblemError
from genapp.auth.runtime import get_auth

_bearer = HTTPBearer(auto_error=False, description="A personal API token, made on the Account page (shown once).")


async def caller(credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> str:
    """The account's user id; 401 for a missing, unknown or revoked token."""
    user = await get_auth().api_user(credentials.credentials if credentials else None)
    if user is None:
        raise ProblemError(
            401, "Not signed in", "Send a personal API token (Account page) as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": 'Bearer realm="genapp"'},
        )
    return user
