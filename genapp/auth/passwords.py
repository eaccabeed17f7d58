"""Password hashing: argon2id through pwdlib (maintained; what FastAPI's docs use), off the event loop.

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a thread. An unknown email is
checked against a dummy hash, so a sign-in takes as long whether the account exists or not.
"""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
_DUMMY = _hasher.hash("not a password anyone has")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one uses weaker parameters than today's)."""
    if stored is None:
        await asyncio.to_thread(_hasher.verify, password, _DUMMY)
        return False, None
    return await asyncio.to_thread(_hasher.verify_and_update, password, stored)
