"""The browser's user id: a random 32-hex value in the `genapp_uid` cookie, shared by its tabs.

Read from the cookie a request (HTTP, or a websocket's handshake) carried; anything that is not
exactly 32 lowercase hex digits is no user.
"""

from __future__ import annotations

import re
from http.cookies import CookieError, SimpleCookie

USER_COOKIE = "genapp_uid"
_UID = re.compile(r"^[0-9a-f]{32}$")


def valid_uid(value: str | None) -> str:
    """The value if it is a well-formed user id, else ''."""
    return value if value and _UID.match(value) else ""


def uid_in_cookie_header(header: str | None) -> str:
    """The user id in a raw Cookie header, or ''."""
    cookies = SimpleCookie()
    try:
        cookies.load(header or "")
    except CookieError:
        return ""
    morsel = cookies.get(USER_COOKIE)
    return valid_uid(morsel.value if morsel is not None else "")
