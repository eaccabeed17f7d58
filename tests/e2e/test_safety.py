"""Output safety in the real app: what a model wrote is shown as text, never run as HTML.

A finished job whose content carries the usual injection payloads (as an LLM could be talked into
writing) is put in the user's database row, and its page is opened as the user opens it.
"""

from __future__ import annotations

import base64
import secrets
import socket

import httpx

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from genapp.db import make_engine
from genapp.generators import get_generator
from genapp.models import Job, utcnow
from tests.e2e.conftest import screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import open_page, user_id
from tests.fakes.provider_server import Fault

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<iframe srcdoc=\"<script>parent.__pwned = 'iframe'</script>\"></iframe>",
    "[click me](javascript:window.__pwned='link')",
    "<style>body { display: none }</style>",
    "<meta http-equiv=\"refresh\" content=\"0; url=https://example.invalid/\">",
    "<a href=\"javascript:window.__pwned='anchor'\">anchor</a>",
]


def hostile_item(owner: str) -> Job:
    generator = get_generator("item")
    content = generator.build("", generator.make_form({}), 7).model_dump()
    content["name"] = "<b onmouseover=\"window.__pwned='name'\">Blade</b>"
    content["properties"] = PAYLOADS[:6]
    content["history"] = " ".join(PAYLOADS)
    return Job(id=f"hostile{secrets.token_hex(6)}", owner=owner, type="item", title=content["name"], status="complete", progress=100,
               content=content, finished_at=utcnow())


def test_model_written_html_is_shown_as_text_and_runs_nothing(page: Page, app: RunningApp):
    open_hostile_job(page, app, "hostile-content-as-text")


def test_model_written_html_on_the_served_build_under_its_policy(served_page: Page, served_app: RunningApp):
    """The same on what `make run` serves: the job page also carries the Content-Security-Policy."""
    response = open_hostile_job(served_page, served_app, "hostile-content-as-text-served")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def open_hostile_job(page: Page, app: RunningApp, shot: str):
    """Put a hostile job in the user's row, open its page, check every payload is text; returns the page's response."""
    open_page(page, "/dashboard")
    uid = user_id(page, app.backend_url)
    job = hostile_item(uid)
    job_id = job.id
    db = make_engine(app.env["GENAPP_DB_URL"])
    with Session(db) as session:
        session.add(job)
        session.commit()
    db.dispose()

    response = open_page(page, f"/dashboard/jobs/{job_id}")
    assert_inert(page, job_id, shot)
    return response


def assert_inert(page: Page, job_id: str, shot: str) -> None:
    """Every payload on the job's page is the characters the model wrote; none is an element, a live link,
    or script that ran (also after a person clicks each of its links)."""
    panel = page.get_by_test_id("result-panel")
    expect(panel).to_be_visible()
    for text in ("<script>window.__pwned = 'script'</script>", "<img src=x onerror=", "<iframe srcdoc=", "<style>body { display: none }</style>",
                 '<meta http-equiv="refresh"'):
        expect(panel).to_contain_text(text)
    for selector in ("script", "iframe", "style", "meta", "img[onerror]", "[onmouseover]", "a[href^='javascript']"):
        assert panel.locator(selector).count() == 0, f"{selector} made it into the page"
    assert page.evaluate("() => window.__pwned") is None
    screenshot(page, shot)
    links = panel.locator("a")
    for i in range(links.count()):
        links.nth(i).click()  # a person clicking the model's links: an emptied href at most reloads this page
        page.wait_for_function("() => document.readyState === 'complete'")
        assert page.evaluate("() => window.__pwned") is None
        expect(page.get_by_test_id("result-panel")).to_be_visible()
    assert page.url.endswith(f"/dashboard/jobs/{job_id}"), f"navigated to {page.url}"


def test_what_the_llm_writes_is_shown_as_text_under_the_pages_policy(served_page: Page, served_app: RunningApp, provider_server):
    """The same payloads, now written by the (fake) LLM into a job made through the form: the result card
    and the job page show them as text, nothing runs, and the page carries its CSP."""
    provider_server.script(Fault.hostile(*PAYLOADS))
    open_page(served_page, "/dashboard/item")
    served_page.get_by_test_id("field-text_source").click()
    served_page.get_by_role("option", name="LLM: fake-model").click()
    served_page.get_by_test_id("generate-button").click()
    link = served_page.locator('[data-testid="active-generations"] [data-testid="job-row"][data-status="complete"] [data-testid="job-link"]').first
    expect(link).to_be_visible(timeout=60_000)
    job_id = link.get_attribute("href").rsplit("/", 1)[-1]
    response = open_page(served_page, f"/dashboard/jobs/{job_id}")
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
    assert_inert(served_page, job_id, "hostile-llm-content")


def websocket_status(app: RunningApp, origin: str) -> int:
    """The status a websocket upgrade to the backend's event endpoint gets, sent from `origin` (stdlib only)."""
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost:{app.backend_port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("localhost", app.backend_port), timeout=10) as conn:
        conn.sendall(request.encode())
        return int(conn.recv(4096).split(b" ", 2)[1])


def test_only_the_apps_own_pages_may_open_the_backend(app: RunningApp):
    """CORS and the websocket handshake answer the UI's origin only: another site's page cannot act as the user."""
    assert websocket_status(app, app.url) == 101
    assert websocket_status(app, "https://evil.example") in (400, 403)
    ping = f"{app.backend_url}/ping"
    assert httpx.get(ping, headers={"Origin": app.url}).headers.get("access-control-allow-origin") == app.url
    assert "access-control-allow-origin" not in httpx.get(ping, headers={"Origin": "https://evil.example"}).headers
