"""The tables of identity: accounts, server-side sessions, and failed sign-in counters.

A user id is the `owner` of jobs. A guest is a user id with a session and no account; signing up
turns that very id into an account (its jobs stay where they are). Session tokens are never stored:
a row is keyed by the token's SHA-256, so a copy of the database signs no one in.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from genapp.models import utcnow


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)  # the user id its jobs are owned by
    email: str = Field(unique=True, index=True, max_length=254)  # lower-cased
    password_hash: str = Field(max_length=255)  # argon2id, with its parameters
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256(token), hex
    user_id: str = Field(index=True, max_length=32)
    # One browser keeps its browser id across sign-in, sign-up and sign-out (each issues a new session):
    # a tab's state is bound to it, so another browser replaying that tab's token gets nothing.
    browser_id: str = Field(max_length=32)
    account: bool = False  # signed in (else a guest)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins per key ("email:<address>" or "ip:<address>"), and until when the key is refused."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token of an account: shown once when made, stored as its SHA-256 only."""

    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=64)  # sha256(token), hex
    user_id: str = Field(index=True, max_length=32)
    name: str = Field(max_length=60)
    prefix: str = Field(max_length=12)  # the token's first characters, so a list can say which is which
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class UserSettings(SQLModel, table=True):
    """What a user chose for themselves (a guest too: keyed by user id, not by account). A user without a
    row has the defaults."""

    __tablename__ = "user_settings"

    user_id: str = Field(primary_key=True, max_length=32)
    # A browser notification when a job or batch finishes while the tab is hidden (the browser's own
    # permission is asked separately, from a click). Off: the in-page toast only.
    notify: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
