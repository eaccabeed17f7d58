"""User B attacks user A's jobs over the raw websocket protocol, as no page of ours would.

B is a raw socket.io client with a session of its own. It names A's job ids in cancel, retry, remove
and the job page; calls internal handlers by name; sets fields with `setvar`; and replays the token
of A's closed tab (with its own cookie and with none). A's jobs must be unchanged, and nothing the
backend sends B may carry A's data.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from genapp.db import make_engine
from genapp.models import Job
from genapp.pages.job_detail import JobDetailState
from genapp.state.session import JobActions, UserSession
from genapp.state.user_jobs import UserJobs
from tests.e2e.conftest import VIEWPORT
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import cancel_all, open_page, qa_start, row, user_id
from tests.e2e.raw_socket import RawTab

pytestmark = pytest.mark.e2e
HYDRATE = "reflex___state____state.hydrate"


def handler(state, name: str) -> str:
    return f"{state.get_full_name()}.{name}"


def session_cookie(app: RunningApp) -> str:
    answer = httpx.get(f"{app.backend_url}/auth/start", params={"next": f"{app.url}/dashboard"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{app.url}/dashboard"
    return f"genapp_session={answer.cookies['genapp_session']}"


def rows_of(app: RunningApp, owner: str) -> dict[str, tuple[str, bool]]:
    db = make_engine(app.env["GENAPP_DB_URL"])
    try:
        with Session(db) as session:
            return {j.id: (j.status, j.cancel_requested) for j in session.exec(select(Job).where(Job.owner == owner))}
    finally:
        db.dispose()


def replay(app: RunningApp, token: str, cookie: str) -> RawTab:
    """Connect with a token another tab used; once that tab's socket is gone, Reflex lets anyone claim it."""
    for _ in range(20):
        tab = RawTab(app.backend_url, origin=app.url, cookie=cookie, token=token)
        tab.send(HYDRATE)
        if not tab.wait_for('"new_token"', timeout=0.5):
            return tab
        tab.close()  # the closed tab's socket was still known: Reflex gave this one a new token; try again
    raise AssertionError(f"could not claim the closed tab's token: {tab.text()[:1500]}")


def test_another_user_over_the_raw_protocol_can_neither_touch_nor_see_a_users_jobs(page: Page, browser: Browser, app: RunningApp):
    [done] = qa_start(page, job_type="item", duration="1")
    expect(row(page, done)).to_have_attribute("data-status", "complete")
    [running] = qa_start(page, job_type="campaign", duration="90")
    owner = user_id(page, app.backend_url)
    open_page(page, f"/dashboard/jobs/{done}")  # A's tab now holds that job's content in its own state
    expect(page.get_by_test_id("result-panel")).to_be_visible()
    token = page.evaluate("window.sessionStorage.getItem('token')")
    before = rows_of(app, owner)
    a_browser = page.context.storage_state()  # A's cookie jar, to come back with later
    page.context.close()  # A closes the browser: its socket is gone, its token is free to claim
    secrets_of_a = [f'"id": "{done}"', f'"id": "{running}"', owner, token]

    cookie = session_cookie(app)
    b = RawTab(app.backend_url, origin=app.url, cookie=cookie)
    b.send(HYDRATE)
    for action in ("cancel", "retry", "remove"):
        b.send(handler(JobActions, action), {"job_id": running})
        b.send(handler(JobActions, action), {"job_id": done})
    b.send(handler(JobDetailState, "reload"), path=f"/dashboard/jobs/{done}")
    # Internal methods are not events; setvar reaches only public fields of B's own states.
    b.send(handler(UserJobs, "_refresh_all"), {"owner": owner})
    b.send(handler(UserJobs, "_announce"), {"kind": "success", "text": "x", "job_id": done})
    b.send(handler(UserSession, "_owner"))
    b.send(handler(UserSession, "setvar"), {"var_name": "_browser", "value": "x" * 32})
    b.send(handler(UserSession, "setvar"), {"var_name": "signed_in", "value": True})
    b.send(handler(UserJobs, "setvar"), {"var_name": "active", "value": []})
    sentinel = f"sentinel{uuid.uuid4().hex}"
    b.send(handler(JobActions, "cancel"), {"job_id": sentinel})
    # Six actions on A's jobs and the sentinel: each is refused in the same words as a job that does not exist.
    assert b.wait_for("does not exist or is not yours", times=7), b.text()[-2000:]
    assert b.wait_for(sentinel, timeout=0) is False  # (the refusal never echoes the id it was given)
    refusals = b.text().count("does not exist or is not yours")
    b.close()

    # B replays A's closed tab token, with B's own cookie, then with no cookie at all.
    heard = b.text()
    for replay_cookie in (cookie, ""):  # one after the other: a token held by an open socket is not given out twice
        tab = replay(app, token, replay_cookie)
        tab.send(handler(JobDetailState, "reload"), path=f"/dashboard/jobs/{done}")
        assert tab.wait_for("_clear_session_storage", times=2), tab.text()[-2000:]
        heard += tab.text()
        tab.close()
    # B named A's job ids itself (they may come back as the path it sent); A's rows, user id and token must not.
    leaked = [s for s in secrets_of_a if s in heard]
    assert not leaked, f"B's updates carried A's data: {leaked}: " + " | ".join(m[:300] for m in heard.split("\n") if any(x in m for x in leaked))
    print(f"\n  [figure] B sent 16 forged events and 2 token replays; {refusals} refusals, 0 of A's ids in {len(heard):,} bytes heard")

    # A's jobs are as they were, and A's browser still works with its own session.
    assert rows_of(app, owner) == before
    back = browser.new_context(base_url=app.url, viewport=VIEWPORT, storage_state=a_browser)
    a = back.new_page()
    open_page(a, "/dashboard")
    expect(row(a, running)).to_have_attribute("data-status", "generating")
    expect(row(a, done)).to_have_attribute("data-status", "complete")
    cancel_all(a)
    back.close()
