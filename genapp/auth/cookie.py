"""The cookies of identity, as a request (HTTP, or a websocket's handshake) carries them.

`genapp_session`: the session token, set only by the backend's /auth routes, HttpOnly (no page
script can read it), SameSite=Lax. `genapp_uid`: the user id pages wrote before sessions existed;
read once to keep such a browser's jobs (see AuthService.start_guest), then deleted.
"""

from __future__ import annotations

import re
from http.cookies import CookieError, SimpleCookie

SESSION_COOKIE = "genapp_session"
LEGACY_USER_COOKIE = "genapp_uid"
_UID = re.compile(r"^[0-9a-f]{32}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def valid_uid(value: str | None) -> str:
    """The value if it is a well-formed user id, else ''."""
    return value if value and _UID.match(value) else ""


def valid_token(value: str | None) -> str:
    return value if value and _TOKEN.match(value) else ""


def cookie_in_header(header: str | None, name: str) -> str:
    """One cookie's value in a raw Cookie header, or ''."""
    cookies = SimpleCookie()
    try:
        cookies.load(header or "")
    except CookieError:
        return ""
    morsel = cookies.get(name)
    return morsel.value if morsel is not None else ""


def session_token_in_header(header: str | None) -> str:
    return valid_token(cookie_in_header(header, SESSION_COOKIE))
