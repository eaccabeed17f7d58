"""Every read and write of accounts, sessions and sign-in counters, in the store's own threads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from genapp.auth.models import Account, ApiToken, AuthSession, SignInThrottle, UserSettings
from genapp.models import utcnow

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a session says the browser is. `session` is the row id (the token's hash), never the token."""

    user_id: str
    browser_id: str
    session: str
    email: str = ""  # empty for a guest

    @property
    def signed_in(self) -> bool:
        return bool(self.email)


class AuthStore:
    def __init__(self, db: sa.Engine):
        self.db = db
        self._threads = ThreadPoolExecutor(max_workers=1 if db.dialect.name == "sqlite" else 4, thread_name_prefix="genapp-auth-db")

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        self.db.dispose()

    # ----- sessions --------------------------------------------------------------------

    async def add_session(self, session_id: str, *, user_id: str, browser_id: str, account: bool, lifetime: timedelta) -> None:
        now = utcnow()
        row = AuthSession(id=session_id, user_id=user_id, browser_id=browser_id, account=account, created_at=now, expires_at=now + lifetime)
        await self._call(_add, row)

    async def identity(self, session_id: str) -> Identity | None:
        def work(session: Session) -> Identity | None:
            row = session.get(AuthSession, session_id)
            if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
                return None
            email = ""
            if row.account:
                account = session.get(Account, row.user_id)
                if account is None:
                    return None
                email = account.email
            return Identity(user_id=row.user_id, browser_id=row.browser_id, session=row.id, email=email)

        return await self._call(work)

    async def revoke(self, session_ids: Iterable[str] = (), *, user_id: str | None = None, keep: str | None = None) -> None:
        """Revoke these sessions, or every live session of a user (but `keep`)."""
        statement = update(AuthSession).where(col(AuthSession.revoked_at).is_(None)).values(revoked_at=utcnow())
        if user_id is not None:
            statement = statement.where(col(AuthSession.user_id) == user_id)
            if keep is not None:
                statement = statement.where(col(AuthSession.id) != keep)
        else:
            statement = statement.where(col(AuthSession.id).in_(list(session_ids)))
        await self._call(_execute, statement)

    async def ever_had_session(self, user_id: str) -> bool:
        return await self._call(lambda s: s.exec(select(AuthSession.id).where(AuthSession.user_id == user_id).limit(1)).first() is not None)

    # ----- accounts --------------------------------------------------------------------

    async def account_by_email(self, email: str) -> Account | None:
        return await self._call(lambda s: s.exec(select(Account).where(Account.email == email)).first())

    async def account(self, user_id: str) -> Account | None:
        return await self._call(lambda s: s.get(Account, user_id))

    async def add_account(self, account: Account) -> bool:
        """False when the email is taken (the unique index decides, so two sign-ups cannot race past it)."""

        def work(session: Session) -> bool:
            session.add(account)
            try:
                session.commit()
            except sa.exc.IntegrityError:
                session.rollback()
                return False
            return True

        return await self._call(work)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._call(_execute, update(Account).where(col(Account.id) == user_id).values(password_hash=password_hash, password_changed_at=utcnow()))

    # ----- API tokens ------------------------------------------------------------------

    async def add_token(self, row: ApiToken) -> None:
        await self._call(_add, row)

    async def tokens(self, user_id: str) -> list[ApiToken]:
        query = select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None)).order_by(col(ApiToken.created_at))
        return await self._call(lambda s: list(s.exec(query)))

    async def revoke_token(self, user_id: str, token_id: str) -> bool:
        statement = (
            update(ApiToken)
            .where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
        return await self._call(lambda s: _count(s, statement)) == 1

    async def token_user(self, token_id: str) -> str | None:
        """The account a live token belongs to; notes when it was last used (at most once a minute)."""

        def work(session: Session) -> str | None:
            row = session.get(ApiToken, token_id)
            if row is None or row.revoked_at is not None or session.get(Account, row.user_id) is None:
                return None
            now = utcnow()
            if row.last_used_at is None or now - _aware(row.last_used_at) > timedelta(minutes=1):
                row.last_used_at = now
                session.add(row)
                session.commit()
            return row.user_id

        return await self._call(work)

    # ----- a user's own settings ---------------------------------------------------------

    async def settings(self, user_id: str) -> UserSettings:
        """The user's settings (the defaults when they never changed one)."""
        return await self._call(lambda s: s.get(UserSettings, user_id) or UserSettings(user_id=user_id))

    async def set_notify(self, user_id: str, on: bool) -> None:
        def work(session: Session) -> None:
            row = session.get(UserSettings, user_id, with_for_update=True) or UserSettings(user_id=user_id)
            row.notify, row.updated_at = on, utcnow()
            session.add(row)
            session.commit()

        await self._call(work)

    # ----- failed sign-ins -------------------------------------------------------------

    async def locked_until(self, keys: list[str]) -> datetime | None:
        """The latest lock over these keys that has not run out, if any."""

        def work(session: Session) -> datetime | None:
            rows = session.exec(select(SignInThrottle).where(col(SignInThrottle.key).in_(keys))).all()
            now = utcnow()
            locks = [_aware(r.locked_until) for r in rows if r.locked_until is not None and _aware(r.locked_until) > now]
            return max(locks, default=None)

        return await self._call(work)

    async def note_failure(self, key: str, lock_for: Callable[[int], float], *, forget_after: timedelta) -> int:
        """Count a failure for the key (counts older than `forget_after` start over); lock it as `lock_for(failures)` seconds says."""

        def work(session: Session) -> int:
            now = utcnow()
            row = session.get(SignInThrottle, key, with_for_update=True) or SignInThrottle(key=key)
            if row.failures and now - _aware(row.last_failure_at) > forget_after:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            seconds = lock_for(row.failures)
            row.locked_until = now + timedelta(seconds=seconds) if seconds > 0 else None
            session.add(row)
            session.commit()
            return row.failures

        return await self._call(work)

    async def forget_failures(self, key: str) -> None:
        await self._call(_execute, sa.delete(SignInThrottle).where(col(SignInThrottle.key) == key))

    # ----- plumbing --------------------------------------------------------------------

    async def _call(self, work: Callable[..., T], *args: Any) -> T:
        def in_thread() -> T:
            with Session(self.db, expire_on_commit=False) as session:
                return work(session, *args)

        return await asyncio.get_running_loop().run_in_executor(self._threads, in_thread)


def _add(session: Session, row) -> None:
    session.add(row)
    session.commit()


def _count(session: Session, statement) -> int:
    count = session.execute(statement).rowcount
    session.commit()
    return count


def _execute(session: Session, statement) -> None:
    session.execute(statement)
    session.commit()


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
