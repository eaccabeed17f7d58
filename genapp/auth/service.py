"""Accounts and sessions: the one door to identity for HTTP routes, Reflex states and the pusher.

A session token lives only in the browser's HttpOnly cookie; the database keys the session by the
token's SHA-256. Every change of who the browser is (sign up, sign in, sign out) issues a new token
and revokes the old one, keeping the browser id. Lookups are cached for a few seconds per process, so
a revocation reaches another process within `CACHE_SECONDS` (at once in the process that made it).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from genapp.auth.models import Account, ApiToken
from genapp.auth.passwords import hash_password, verify_password
from genapp.auth.store import AuthStore, Identity
from genapp.models import utcnow

T = TypeVar("T")
CACHE_SECONDS = 5.0
_CACHE_MAX = 20_000
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
PASSWORD_MIN, PASSWORD_MAX = 8, 256

# Failed sign-ins: an email gets FREE failures, then each one locks it, for LOCK_BASE seconds and twice
# as long each time, up to LOCK_CAP; an address that fails across many emails gets more room, then the
# same. The counts start over after FORGET of quiet.
FREE_PER_EMAIL, FREE_PER_IP = 4, 20
LOCK_BASE_SECONDS, LOCK_CAP_SECONDS = 5.0, 900.0
FORGET = timedelta(hours=1)

# What the pages show for each refusal: codes travel in redirects, the words stay here.
MESSAGES = {
    "bad-email": "That does not look like an email address.",
    "bad-password": f"A password needs {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
    "mismatch": "The two passwords differ.",
    "taken": "An account with this email already exists. Sign in instead.",
    "signed-in": "You are signed in already. Sign out first to use another account.",
    "wrong": "Wrong email or password.",
    "throttled": "Too many failed sign-ins. Try again in {wait} s.",
    "wrong-current": "The current password is wrong.",
    "not-signed-in": "Sign in first.",
    "no-session": "Your session has ended. Reload the page.",
    "origin": "That form came from another site, so it was refused.",
    "token-name": "Give the token a name of 1 to 60 characters.",
    "token-limit": "An account may have 20 tokens at most: revoke one first.",
}
TOKEN_PREFIX = "gat_"  # genapp access token: recognisable in a leaked config or a log
MAX_TOKENS = 20


class AuthError(Exception):
    def __init__(self, code: str, *, wait: int = 0):
        super().__init__(MESSAGES[code].format(wait=wait))
        self.code, self.wait = code, wait


@dataclass(frozen=True, slots=True)
class Issued:
    """A new session: its token goes into the cookie, its identity into the caller's hands."""

    token: str
    identity: Identity
    lifetime: timedelta


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lock_seconds(failures: int, free: int) -> float:
    return 0.0 if failures <= free else min(LOCK_BASE_SECONDS * 2.0 ** (failures - free - 1), LOCK_CAP_SECONDS)


def normal_email(email: str) -> str:
    return email.strip().lower()


class AuthService:
    def __init__(self, store: AuthStore, *, guest_days: int = 365, account_days: int = 30):
        self.store = store
        self.guest_lifetime, self.account_lifetime = timedelta(days=guest_days), timedelta(days=account_days)
        self._cache: _Recent[Identity | None] = _Recent()
        self._api_cache: _Recent[str | None] = _Recent()

    # ----- who is this -----------------------------------------------------------------

    async def resolve(self, token: str | None) -> Identity | None:
        """The live session of this token, or None (unknown, expired or revoked)."""
        if not token:
            return None
        return await self._cache.get(session_id(token), self.store.identity)

    # ----- changes of who the browser is ------------------------------------------------

    async def start_guest(self, *, browser_id: str = "", legacy_uid: str = "") -> Issued:
        """A guest session. A browser that still has a user id from before sessions (the old page-written
        cookie) keeps it, and its jobs, once: only while no session was ever issued for that id."""
        user_id = secrets.token_hex(16)
        if legacy_uid and not await self.store.ever_had_session(legacy_uid) and await self.store.account(legacy_uid) is None:
            user_id = legacy_uid
        return await self._issue(user_id, browser_id or secrets.token_hex(16), account=False)

    async def sign_up(self, current: Identity, email: str, password: str, confirm: str) -> Issued:
        """The guest becomes an account: the same user id, so every job made as a guest stays."""
        if current.signed_in:
            raise AuthError("signed-in")
        email = normal_email(email)
        _check_new(email, password, confirm)
        account = Account(id=current.user_id, email=email, password_hash=await hash_password(password))
        if not await self.store.add_account(account):
            raise AuthError("taken")
        await self._revoke_user(current.user_id)  # the guest's sessions: this browser signs in afresh
        return await self._issue(current.user_id, current.browser_id, account=True)

    async def sign_in(self, current: Identity | None, email: str, password: str, *, client_ip: str) -> Issued:
        """The account's session for this browser. Refused while the email or the address is locked."""
        email = normal_email(email)
        keys = [f"email:{email}", f"ip:{client_ip}"]
        if (until := await self.store.locked_until(keys)) is not None:
            raise AuthError("throttled", wait=_seconds_until(until))
        account = await self.store.account_by_email(email) if EMAIL.match(email) else None
        ok, rehashed = await verify_password(password[:PASSWORD_MAX], account.password_hash if account else None)
        if not ok or account is None:
            await self.store.note_failure(keys[0], lambda n: lock_seconds(n, FREE_PER_EMAIL), forget_after=FORGET)
            await self.store.note_failure(keys[1], lambda n: lock_seconds(n, FREE_PER_IP), forget_after=FORGET)
            if (until := await self.store.locked_until(keys)) is not None:
                raise AuthError("throttled", wait=_seconds_until(until))
            raise AuthError("wrong")
        await self.store.forget_failures(keys[0])
        if rehashed:
            await self.store.set_password_hash(account.id, rehashed)
        if current is not None:
            await self._revoke([current.session])
        return await self._issue(account.id, current.browser_id if current else secrets.token_hex(16), account=True)

    async def sign_out(self, current: Identity, *, everywhere: bool = False) -> Issued:
        """End this session (or every session of the account); the browser goes on as a new guest."""
        if everywhere:
            await self._revoke_user(current.user_id)
        else:
            await self._revoke([current.session])
        return await self._issue(secrets.token_hex(16), current.browser_id, account=False)

    async def change_password(self, current: Identity, old: str, new: str, confirm: str) -> None:
        """A new password; every other session of the account is signed out."""
        if not current.signed_in:
            raise AuthError("not-signed-in")
        account = await self.store.account(current.user_id)
        ok, _ = await verify_password(old[:PASSWORD_MAX], account.password_hash if account else None)
        if not ok or account is None:
            raise AuthError("wrong-current")
        _check_new(account.email, new, confirm)
        await self.store.set_password_hash(account.id, await hash_password(new))
        await self.store.revoke(user_id=account.id, keep=current.session)
        self._forget(lambda identity: identity.user_id == account.id and identity.session != current.session)

    # ----- personal API tokens (accounts only) -----------------------------------------

    async def create_token(self, current: Identity, name: str) -> tuple[str, ApiToken]:
        """A new token: its value is returned this once and never stored."""
        if not current.signed_in:
            raise AuthError("not-signed-in")
        name = " ".join(name.split())
        if not 1 <= len(name) <= 60:
            raise AuthError("token-name")
        if len(await self.store.tokens(current.user_id)) >= MAX_TOKENS:
            raise AuthError("token-limit")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(id=session_id(token), user_id=current.user_id, name=name, prefix=token[:10])
        await self.store.add_token(row)
        return token, row

    async def tokens(self, current: Identity) -> list[ApiToken]:
        return await self.store.tokens(current.user_id) if current.signed_in else []

    async def revoke_token(self, current: Identity, token_id: str) -> bool:
        revoked = current.signed_in and await self.store.revoke_token(current.user_id, token_id)
        self._api_cache.pop(token_id, None)
        return revoked

    async def api_user(self, token: str | None) -> str | None:
        """The account behind a bearer token, or None (unknown, revoked, not a token of ours)."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        return await self._api_cache.get(session_id(token), self.store.token_user)

    # ----- a user's own settings -------------------------------------------------------

    async def notifications(self, user_id: str) -> bool:
        """Whether the user wants a browser notification when a job or batch finishes in a hidden tab."""
        return (await self.store.settings(user_id)).notify

    async def set_notifications(self, user_id: str, on: bool) -> None:
        await self.store.set_notify(user_id, bool(on))

    # ----- internals -------------------------------------------------------------------

    async def _issue(self, user_id: str, browser_id: str, *, account: bool) -> Issued:
        token = secrets.token_urlsafe(32)
        lifetime = self.account_lifetime if account else self.guest_lifetime
        await self.store.add_session(session_id(token), user_id=user_id, browser_id=browser_id, account=account, lifetime=lifetime)
        identity = await self.store.identity(session_id(token))
        assert identity is not None
        return Issued(token=token, identity=identity, lifetime=lifetime)

    async def _revoke(self, sessions: list[str]) -> None:
        await self.store.revoke(sessions)
        for key in sessions:
            self._cache.pop(key, None)

    async def _revoke_user(self, user_id: str) -> None:
        await self.store.revoke(user_id=user_id)
        self._forget(lambda identity: identity.user_id == user_id)

    def _forget(self, matches) -> None:
        self._cache.drop(lambda identity: identity is not None and matches(identity))


class _Recent(Generic[T]):
    """Lookups remembered for CACHE_SECONDS, by key (a token's hash)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, T]] = {}

    async def get(self, key: str, look_up: Callable[[str], Awaitable[T]]) -> T:
        now = time.monotonic()
        if (hit := self._seen.get(key)) is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        value = await look_up(key)
        if len(self._seen) >= _CACHE_MAX:
            self._seen.clear()
        self._seen[key] = (now, value)
        return value

    def pop(self, key: str, default=None) -> None:
        self._seen.pop(key, default)

    def drop(self, matches: Callable[[T], bool]) -> None:
        for key in [k for k, (_, value) in self._seen.items() if matches(value)]:
            del self._seen[key]


def _check_new(email: str, password: str, confirm: str) -> None:
    if len(email) > 254 or not EMAIL.match(email):
        raise AuthError("bad-email")
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AuthError("bad-password")
    if password != confirm:
        raise AuthError("mismatch")


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - utcnow()).total_seconds() + 0.999))
