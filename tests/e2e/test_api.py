"""The HTTP API against the running app: a token made on the Account page, a job made with plain HTTP
showing live in the user's tab (and a tab's job in the API), revocation, and schemathesis fuzzing
every endpoint from the served OpenAPI schema (bounded examples): no server error, every answer as
the schema says."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT, screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import open_page, qa_start, row
from tests.e2e.test_accounts import email, sign_up

pytestmark = pytest.mark.e2e


def make_token(page: Page, name: str = "prep script") -> str:
    open_page(page, "/account")
    page.get_by_test_id("token-name").fill(name)
    page.get_by_test_id("token-create").click()
    value = page.get_by_test_id("token-value")
    expect(value).to_contain_text("gat_")
    return value.text_content().strip()


def test_a_job_made_over_http_shows_live_in_the_tab_and_back(page: Page, app: RunningApp):
    sign_up(page, email())
    token = make_token(page)
    expect(page.get_by_test_id("token-row")).to_have_count(1)
    screenshot(page, "account-tokens", full_page=False)
    auth = {"Authorization": f"Bearer {token}"}
    api = f"{app.backend_url}/api"

    made = httpx.post(f"{api}/npc-generator", json={"prompt": "a harbour master who sells secrets", "skip_image": True}, headers=auth)
    assert made.status_code == 202, made.text
    job_id = made.json()["job"]["id"]
    expect(row(page, job_id)).to_be_visible()  # pushed to the open tab, no reload
    expect(row(page, job_id)).to_have_attribute("data-status", "complete")
    assert httpx.get(f"{api}/jobs/{job_id}", headers=auth).json()["status"] == "complete"

    [from_tab] = qa_start(page, job_type="item", duration="1")
    expect(row(page, from_tab)).to_have_attribute("data-status", "complete")
    listed = httpx.get(f"{api}/jobs", headers=auth).json()["items"]
    assert {from_tab, job_id} <= {j["id"] for j in listed}

    open_page(page, "/account")
    page.get_by_test_id("token-revoke").click()
    expect(page.get_by_test_id("token-row")).to_have_count(0)
    refused = httpx.get(f"{api}/jobs", headers=auth)
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"


@pytest.fixture(scope="module")
def api_token(browser: Browser, app: RunningApp) -> str:
    context = browser.new_context(base_url=app.url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_up(page, email())
        return make_token(page, "schemathesis")
    finally:
        context.close()


@schemathesis.serializer("application/zip")
def _zip_body(ctx, value) -> bytes:
    """POST /api/import takes a zip: whatever bytes hypothesis makes go as they are (they are refused with a 422)."""
    return value if isinstance(value, bytes) else str(value).encode()


def _batch_total(body: dict) -> int:
    items = body.get("items")
    return sum(int(i.get("count", 1)) for i in items if isinstance(i, dict)) if isinstance(items, list) else 0


def test_every_endpoint_keeps_to_its_schema(app: RunningApp, api_token: str):
    """schemathesis's pytest plugin does not run on pytest 9, so each operation gets its own hypothesis run here."""
    schema = schemathesis.openapi.from_url(f"{app.backend_url}/api/openapi.json")
    auth = {"Authorization": f"Bearer {api_token}"}
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/events":
            continue  # the stream never ends: tests/api/test_events.py covers it

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # An opaque cursor is valid only if the API gave it out, and bytes are an archive only if genapp
            # made them: no schema can say so, and their refusal (422) is right. Content sent for a picture is
            # checked by its type's model (six named ability scores, say), as an LLM's answer is. Nor can a
            # schema bound a batch's generations in all (its items' counts summed): over 50, a 422 is right.
            too_big = case.operation.path == "/batches" and isinstance(case.body, dict) and _batch_total(case.body) > 50
            opaque = "cursor" in (case.query or {}) or case.operation.path == "/import" or "content" in (case.body if isinstance(case.body, dict) else {})
            excluded = [positive_data_acceptance] if opaque or too_big else []
            case.call_and_validate(base_url=f"{app.backend_url}/api", headers=auth, excluded_checks=excluded)

        check()
        tried.append(f"{operation.method.upper()} {operation.path}")
    print(f"\n  [figure] schemathesis: {len(tried)} operations, up to 12 examples each, no failure")
    assert len(tried) >= 14
