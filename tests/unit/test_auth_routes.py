"""The /auth routes over HTTP (Starlette's ASGI app, no server): the cookie's attributes, the origin
check on forms, and redirects that never leave the app's origins."""

from __future__ import annotations

import httpx
import pytest

import genapp.auth.runtime as runtime
from genapp.api import api
from genapp.auth.service import AuthService
from genapp.auth.store import AuthStore
from genapp.config import settings

UI = settings.origins()[0]


@pytest.fixture
def client(db, monkeypatch):
    store = AuthStore(db)
    monkeypatch.setattr(runtime, "_service", AuthService(store))
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://localhost:8000")
    store._threads.shutdown(wait=True)


def session_cookie(answer: httpx.Response) -> str:
    [header] = [v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("genapp_session=")]
    return header


async def test_start_gives_an_httponly_lax_session_and_goes_back_only_to_the_app(client):
    answer = await client.get("/auth/start", params={"next": f"{UI}/dashboard/npc?x=1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{UI}/dashboard/npc?x=1"
    cookie = session_cookie(answer).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie and "secure" not in cookie
    assert (await client.get("/auth/start", params={"next": f"{UI}/"})).headers.get("set-cookie") is None, "a second session"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""):
        assert (await client.get("/auth/start", params={"next": evil})).headers["location"] == f"{UI}/dashboard"
    client.cookies.clear()
    behind_https = await client.get("/auth/start", params={"next": f"{UI}/"}, headers={"x-forwarded-proto": "https"})
    assert "secure" in session_cookie(behind_https).lower()


async def test_a_form_from_another_origin_is_refused_and_changes_nothing(client):
    start = await client.get("/auth/start", params={"next": UI})
    client.cookies.set("genapp_session", start.cookies["genapp_session"])
    form = {"email": "gm@example.com", "password": "long enough", "confirm": "long enough"}
    for origin in ("https://evil.example", "null", ""):
        refused = await client.post("/auth/signup", data=form, headers={"Origin": origin} if origin else {})
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert (await client.get("/auth/me")).json()["signed_in"] is False
    done = await client.post("/auth/signup", data=form, headers={"Origin": UI})
    assert done.status_code == 303 and done.headers["location"] == f"{UI}/account?ok=welcome"
    client.cookies.set("genapp_session", done.cookies["genapp_session"])
    assert (await client.get("/auth/me")).json() | {"user": ""} == {"user": "", "signed_in": True, "email": "gm@example.com"}


async def test_a_refusal_comes_back_as_a_code_the_page_looks_up(client):
    start = await client.get("/auth/start", params={"next": UI})
    client.cookies.set("genapp_session", start.cookies["genapp_session"])
    answer = await client.post("/auth/signup", data={"email": "x", "password": "p", "confirm": "p"}, headers={"Origin": UI})
    assert answer.headers["location"] == f"{UI}/signup?error=bad-email" and "set-cookie" not in answer.headers
    no_session = httpx.AsyncClient(transport=client._transport, base_url="http://localhost:8000")
    answer = await no_session.post("/auth/signout", headers={"Origin": UI})
    assert answer.headers["location"] == f"{UI}/account?error=no-session"
