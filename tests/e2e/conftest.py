"""Fixtures: one running app for the session, Chromium, and a fresh user (browser context) per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, REPO, RunningApp

SCREENSHOTS = REPO / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> RunningApp:
    running = RunningApp(tmp_path_factory.mktemp("app"))
    try:
        running.start()
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
    context = browser.new_context(base_url=app.url, viewport={"width": 1400, "height": 950})
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
