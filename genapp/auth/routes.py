"""The backend's /auth routes: the only place a session cookie is set.

Pages post plain HTML forms here (a top-level navigation, so the answer can set an HttpOnly cookie)
and get a 303 back to a page of the app: `?error=<code>` on a refusal, whose words the page looks up
in MESSAGES (nothing from the URL is shown as such). A form is taken only from an allowed origin
(login CSRF); redirects go only to allowed origins (no open redirect).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from genapp.auth.cookie import LEGACY_USER_COOKIE, SESSION_COOKIE, cookie_in_header, valid_token, valid_uid
from genapp.auth.runtime import get_auth
from genapp.auth.service import AuthError, Issued
from genapp.auth.store import Identity
from genapp.config import settings

log = logging.getLogger(__name__)
FORM_LIMIT = 4096  # bytes of a form: emails and passwords are short


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _allowed(origin: str) -> bool:
    return origin in settings.origins()


def _back(origin: str, path: str, **query: str | int) -> RedirectResponse:
    origin = origin if _allowed(origin) else settings.origins()[0]
    return RedirectResponse(origin + path + (f"?{urlencode(query)}" if query else ""), status_code=303)


def _with_session(response: Response, request: Request, issued: Issued) -> Response:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        SESSION_COOKIE, issued.token, max_age=int(issued.lifetime.total_seconds()), httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.delete_cookie(LEGACY_USER_COOKIE, path="/")
    return response


async def _current(request: Request) -> Identity | None:
    return await get_auth().resolve(valid_token(request.cookies.get(SESSION_COOKIE)))


async def start(request: Request) -> Response:
    """A page found no session: give the browser one (a guest) and send it back where it was."""
    target = request.query_params.get("next", "")
    if not _allowed(_origin_of(target)):
        target = settings.origins()[0] + "/dashboard"
    response = RedirectResponse(target, status_code=303)
    if await _current(request) is not None:
        return response
    legacy = valid_uid(cookie_in_header(request.headers.get("cookie"), LEGACY_USER_COOKIE))
    return _with_session(response, request, await get_auth().start_guest(legacy_uid=legacy))


async def me(request: Request) -> Response:
    identity = await _current(request)
    body = {"user": identity.user_id, "signed_in": identity.signed_in, "email": identity.email} if identity else {"user": None}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _form_route(page: str, action):
    """A POST from one of our pages: origin checked, form read, AuthError turned into the page's message."""

    async def endpoint(request: Request) -> Response:
        origin = request.headers.get("origin", "")
        if not _allowed(origin):
            return JSONResponse({"detail": AuthError("origin").args[0]}, status_code=403)
        if int(request.headers.get("content-length") or 0) > FORM_LIMIT:
            return _back(origin, page, error="bad-email")
        form = await request.form(max_files=0, max_fields=8)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            return await action(request, origin, fields, await _current(request))
        except AuthError as refusal:
            query = {"error": refusal.code} | ({"wait": refusal.wait} if refusal.wait else {})
            return _back(origin, page, **query)

    return endpoint


async def _sign_up(request, origin, form, current):
    if current is None:
        raise AuthError("no-session")
    issued = await get_auth().sign_up(current, form.get("email", ""), form.get("password", ""), form.get("confirm", ""))
    log.info("Account created for user %s", issued.identity.user_id[:6])
    return _with_session(_back(origin, "/account", ok="welcome"), request, issued)


async def _sign_in(request, origin, form, current):
    if current is not None and current.signed_in:
        raise AuthError("signed-in")
    issued = await get_auth().sign_in(current, form.get("email", ""), form.get("password", ""), client_ip=request.client.host if request.client else "")
    if current is not None and current.user_id != issued.identity.user_id:
        from genapp.jobs.runtime import get_service  # the guest's jobs go with them into the account

        moved = await get_service().transfer(current.user_id, issued.identity.user_id)
        log.info("Signed in; %d guest jobs moved into the account", moved)
    return _with_session(_back(origin, "/dashboard"), request, issued)


def _sign_out(everywhere: bool):
    async def action(request, origin, form, current):
        if current is None:
            raise AuthError("no-session")
        issued = await get_auth().sign_out(current, everywhere=everywhere and current.signed_in)
        return _with_session(_back(origin, "/signin", ok="signed-out-everywhere" if everywhere else "signed-out"), request, issued)

    return action


async def _password(request, origin, form, current):
    if current is None:
        raise AuthError("no-session")
    await get_auth().change_password(current, form.get("current", ""), form.get("password", ""), form.get("confirm", ""))
    return _back(origin, "/account", ok="password")


routes = [
    Route("/auth/start", start, methods=["GET"]),
    Route("/auth/me", me, methods=["GET"]),
    Route("/auth/signup", _form_route("/signup", _sign_up), methods=["POST"]),
    Route("/auth/signin", _form_route("/signin", _sign_in), methods=["POST"]),
    Route("/auth/signout", _form_route("/account", _sign_out(False)), methods=["POST"]),
    Route("/auth/signout-everywhere", _form_route("/account", _sign_out(True)), methods=["POST"]),
    Route("/auth/password", _form_route("/account", _password), methods=["POST"]),
]
