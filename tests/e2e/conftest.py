"""Fixtures: one running app for the session, Chromium, and a fresh user (browser context) per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, REPO, RunningApp
from tests.fakes.provider_server import FakeProviderServer

PROVIDER_KEY = "sk-e2e-secret-never-shown-9d3b"

SCREENSHOTS = REPO / "test-results" / "screenshots"
VIEWPORT = {"width": 1280, "height": 720}  # what users have: the layout must work here

# expect() has its own 5 s default, apart from the contexts' 20 s: with the 2 cores shared (load 6-10),
# the tile of a first page load on the dev server took longer than 5 s to appear.
expect.set_options(timeout=20_000)
ADMIN_EMAIL = "admin@example.com"


@pytest.fixture(scope="session")
def provider_server() -> FakeProviderServer:
    """A local OpenAI-compatible and AUTOMATIC1111 server the app is configured to use."""
    with FakeProviderServer(api_key=PROVIDER_KEY) as server:
        yield server


def provider_env(server: FakeProviderServer, workdir: Path) -> dict[str, str]:
    """The app configured to use the fake provider server (procedural by default on the forms)."""
    return {
        "GENAPP_LLM_BASE_URL": f"{server.url}/v1",
        "GENAPP_LLM_MODEL": "fake-model",
        "GENAPP_LLM_API_KEY": PROVIDER_KEY,
        "GENAPP_DEFAULT_TEXT_SOURCE": "procedural",  # the other tests use the built-in generators
        "GENAPP_DEFAULT_IMAGE_SOURCE": "procedural",
        "GENAPP_IMAGE_PROVIDER": "a1111",
        "GENAPP_IMAGE_BASE_URL": server.url,
        "GENAPP_IMAGE_API_KEY": PROVIDER_KEY,
        "GENAPP_IMAGE_SIZE": "256x256",
        "GENAPP_MEDIA_DIR": str(workdir / "media"),
        "GENAPP_PROVIDER_BACKOFF_SECONDS": "0.05",
        # one run per job: these tests show failures as final (tests/contract/test_retries.py covers automatic retries)
        "GENAPP_RETRY_ATTEMPTS": "1",
    }


@pytest.fixture(scope="session")
def app(tmp_path_factory, provider_server: FakeProviderServer) -> RunningApp:
    workdir = tmp_path_factory.mktemp("app")
    providers = provider_env(provider_server, workdir) | {
        # test_layout holds 50 long jobs for one user and starts one more (the default allows 50 at once);
        # the rate limit keeps its default (60 a minute), which test_fair_use meets.
        "GENAPP_USER_MAX_ACTIVE_JOBS": "100",
        "GENAPP_ADMINS": ADMIN_EMAIL,  # test_queue_control signs this account up to pause the whole service
    }
    running = RunningApp(workdir, extra_env=providers)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def served_app(tmp_path_factory, provider_server: FakeProviderServer) -> RunningApp:
    """The app as `make run` serves it: scripts/serve.py, the production build behind scripts/frontend.py (its
    Content-Security-Policy). A web dir of its own: `app`'s dev server keeps REPO/.web."""
    workdir = tmp_path_factory.mktemp("served")
    running = RunningApp(workdir, extra_env=provider_env(provider_server, workdir) | {
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
    })
    try:
        running.start_served()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, app: RunningApp) -> BrowserContext:
    """A new browser context is a new user: it has no cookie yet."""
    context = browser.new_context(base_url=app.url, viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def served_page(browser: Browser, served_app: RunningApp) -> Page:
    """A new user's page on `served_app`."""
    context = browser.new_context(base_url=served_app.url, viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
