"""The account service on a real database (SQLite and Postgres): sessions, sign-up, sign-in and its
throttle, sign-out (everywhere), password change, and the adoption of a pre-session user id."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from genapp.auth.models import AuthSession
from genapp.auth.service import AuthError, AuthService, lock_seconds, session_id
from genapp.auth.store import AuthStore

PASSWORD = "a long table of dice"


@pytest.fixture(params=["sqlite", "postgres"])
def auth(request):
    db = request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    store = AuthStore(db)
    yield AuthService(store)
    store._threads.shutdown(wait=True)


async def account(auth: AuthService, email="gm@example.com"):
    guest = await auth.start_guest()
    return guest, await auth.sign_up(guest.identity, email, PASSWORD, PASSWORD)


async def test_a_guest_session_is_stored_by_its_hash_only(auth):
    issued = await auth.start_guest()
    assert (await auth.resolve(issued.token)) == issued.identity and not issued.identity.signed_in
    with Session(auth.store.db) as session:
        ids = session.exec(select(AuthSession.id)).all()
    assert ids == [session_id(issued.token)] and issued.token not in ids
    assert await auth.resolve("x" * 43) is None and await auth.resolve("") is None


async def test_sign_up_keeps_the_guests_user_and_browser_and_rotates_the_session(auth):
    guest, issued = await account(auth)
    assert issued.identity.user_id == guest.identity.user_id and issued.identity.browser_id == guest.identity.browser_id
    assert issued.identity.email == "gm@example.com" and issued.token != guest.token
    assert await auth.resolve(guest.token) is None, "the guest's token still works"
    other = await auth.start_guest()
    with pytest.raises(AuthError) as taken:
        await auth.sign_up(other.identity, "GM@example.com ", PASSWORD, PASSWORD)
    assert taken.value.code == "taken"
    for email, password, confirm, code in (("nope", PASSWORD, PASSWORD, "bad-email"), ("a@b.co", "short", "short", "bad-password"),
                                           ("a@b.co", PASSWORD, PASSWORD + "!", "mismatch")):
        with pytest.raises(AuthError) as refused:
            await auth.sign_up(other.identity, email, password, confirm)
        assert refused.value.code == code
    assert await auth.resolve(other.token) == other.identity, "a refusal changed the session"


async def test_sign_in_on_another_browser_then_sign_out_everywhere(auth):
    _, first = await account(auth)
    laptop = await auth.start_guest()
    second = await auth.sign_in(laptop.identity, " GM@Example.com", PASSWORD, client_ip="10.0.0.2")
    assert second.identity.user_id == first.identity.user_id and second.identity.browser_id == laptop.identity.browser_id
    assert await auth.resolve(laptop.token) is None
    after = await auth.sign_out(second.identity, everywhere=True)
    assert await auth.resolve(first.token) is None and await auth.resolve(second.token) is None
    assert not after.identity.signed_in and after.identity.user_id != first.identity.user_id
    assert after.identity.browser_id == laptop.identity.browser_id


async def test_failed_sign_ins_lock_the_email_for_longer_and_longer(auth):
    _, first = await account(auth)
    codes = []
    for n in range(6):
        try:
            await auth.sign_in(None, "gm@example.com", f"guess {n}", client_ip="10.0.0.3")
        except AuthError as refusal:
            codes.append((refusal.code, refusal.wait))
    assert [c for c, _ in codes[:4]] == ["wrong"] * 4
    assert codes[4][0] == "throttled" and 1 <= codes[4][1] <= 5, codes  # the 5th failure locks for 5 s
    assert codes[5][0] == "throttled", "a locked email was tried again"
    with pytest.raises(AuthError) as locked:
        await auth.sign_in(None, "gm@example.com", PASSWORD, client_ip="10.0.0.4")
    assert locked.value.code == "throttled", "the right password got in while locked"
    assert [lock_seconds(n, 4) for n in (4, 5, 6, 10, 30)] == [0.0, 5.0, 10.0, 160.0, 900.0]
    with pytest.raises(AuthError) as unknown:
        await auth.sign_in(None, "nobody@example.com", PASSWORD, client_ip="10.0.0.5")
    assert unknown.value.code == "wrong", "an unknown email is told apart"


async def test_a_new_password_signs_out_every_other_session(auth):
    _, first = await account(auth)
    other = await auth.sign_in(None, "gm@example.com", PASSWORD, client_ip="10.0.0.6")
    with pytest.raises(AuthError):
        await auth.change_password(first.identity, "wrong one", "fresh dice 2026", "fresh dice 2026")
    await auth.change_password(first.identity, PASSWORD, "fresh dice 2026", "fresh dice 2026")
    assert await auth.resolve(first.token) == first.identity and await auth.resolve(other.token) is None
    with pytest.raises(AuthError):
        await auth.sign_in(None, "gm@example.com", PASSWORD, client_ip="10.0.0.7")
    assert (await auth.sign_in(None, "gm@example.com", "fresh dice 2026", client_ip="10.0.0.7")).identity.signed_in


async def test_a_user_id_from_before_sessions_is_adopted_once(auth):
    legacy = "ab" * 16
    first = await auth.start_guest(legacy_uid=legacy)
    assert first.identity.user_id == legacy
    again = await auth.start_guest(legacy_uid=legacy)
    assert again.identity.user_id != legacy, "whoever knows an old id could take it over"


async def test_a_users_notification_setting_is_on_until_turned_off_and_is_theirs_alone(auth):
    guest = await auth.start_guest()
    other = await auth.start_guest()
    me, them = guest.identity.user_id, other.identity.user_id
    assert await auth.notifications(me) is True, "on by default (the browser's permission is asked apart)"
    await auth.set_notifications(me, False)
    assert await auth.notifications(me) is False and await auth.notifications(them) is True
    await auth.set_notifications(me, True)
    await auth.set_notifications(me, True)  # twice: still one row
    assert await auth.notifications(me) is True
    _, issued = await account(auth, "notify@example.com")
    await auth.set_notifications(issued.identity.user_id, False)
    assert await auth.notifications(issued.identity.user_id) is False, "an account keeps it (signing up keeps the user id)"
