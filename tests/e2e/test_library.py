"""The library page, as a user uses it: search, the URL keeps it, stars and tags persist, delete many.

The user's finished jobs are put in the app's database (as in test_safety.py: this tests the page,
not the runner), with real generated content and procedural illustrations.
"""

from __future__ import annotations

import json
import secrets
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from genapp.db import make_engine
from genapp.generators import get_generator
from genapp.generators.illustrate import render_illustration
from genapp.models import Job, utcnow
from tests.e2e.conftest import screenshot
from tests.e2e.harness import RunningApp
from tests.e2e.helpers import cancel_all, open_page, qa_start, row, user_id

pytestmark = pytest.mark.e2e

CARD = '[data-testid="library-card"]'


def finished_jobs(app: RunningApp, owner: str, specs: list[tuple[str, str]]) -> list[str]:
    """Finished jobs of `owner`, one per (type, prompt), oldest first; their ids."""
    now, ids = utcnow(), []
    db = make_engine(app.env["GENAPP_DB_URL"])
    with Session(db) as session:
        for i, (job_type, prompt) in enumerate(specs):
            generator = get_generator(job_type)
            seed = 1000 + i
            content = generator.build(prompt, generator.make_form({}), seed)
            job = Job(id=f"lib{secrets.token_hex(8)}", owner=owner, type=job_type, prompt=prompt, seed=seed, status="complete", progress=100,
                      title=content.model_dump().get("name") or content.model_dump().get("title") or prompt, content=content.model_dump(),
                      image=render_illustration(content, seed), created_at=now - timedelta(minutes=len(specs) - i), finished_at=now)
            session.add(job)
            ids.append(job.id)
        session.commit()
    db.dispose()
    return ids


def card_ids(page: Page) -> list[str]:
    return page.locator(CARD).evaluate_all("cards => cards.map(c => c.dataset.jobId)")


def expect_cards(page: Page, ids: list[str]) -> None:
    page.wait_for_function("([sel, ids]) => JSON.stringify([...document.querySelectorAll(sel)].map(c => c.dataset.jobId)) === JSON.stringify(ids)",
                           arg=[CARD, ids])


def card(page: Page, job_id: str):
    return page.locator(f'{CARD}[data-job-id="{job_id}"]')


def test_search_url_reload_star_tags_and_delete(page: Page, app: RunningApp):
    open_page(page, "/dashboard")
    owner = user_id(page, app.backend_url)
    specs = [("npc", "a quarrelsome gnome tinkerer"), ("item", "a lantern that burns grelmoss"), ("npc", "a gnome harbourmaster"),
             ("quest", "recover the stolen bell"), ("character", "a tired paladin")]
    ids = finished_jobs(app, owner, specs)
    tinker, lantern, harbour, bell, paladin = ids
    newest_first = list(reversed(ids))

    # The sidebar link opens the library: every finished job, newest first, with thumbnails.
    page.get_by_role("link", name="Library").click()
    page.wait_for_url("**/dashboard/library")
    expect_cards(page, newest_first)
    expect(page.get_by_test_id("library-total")).to_have_text("5 results")
    expect(card(page, bell).get_by_test_id("library-thumb")).to_be_visible()
    screenshot(page, "library", full_page=False)

    # A search narrows the list, and the URL says so.
    page.get_by_test_id("library-search").click()
    page.get_by_test_id("library-search").fill("gnome")
    page.get_by_test_id("library-search-go").click()
    expect_cards(page, [harbour, tinker])
    page.wait_for_url("**/dashboard/library?q=gnome")
    # A filter adds to it (type select: real clicks on the Radix select).
    page.get_by_test_id("library-sort").click()
    page.get_by_role("option", name="title", exact=True).click()
    page.wait_for_url("**/dashboard/library?q=gnome&sort=title")
    titles = [card(page, i).get_by_test_id("library-title").inner_text() for i in (harbour, tinker)]
    expect_cards(page, [i for _, i in sorted(zip([t.lower() for t in titles], (harbour, tinker)))])

    # A reload restores the search from the URL; a bookmark opened in a new tab does too.
    page.reload()
    expect(page.get_by_test_id("session-linked")).to_be_attached()
    expect(page.get_by_test_id("library-search")).to_have_value("gnome")
    expect(page.get_by_test_id("library-total")).to_have_text("2 results")
    bookmark = page.context.new_page()
    open_page(bookmark, "/dashboard/library?q=grelmoss")
    expect_cards(bookmark, [lantern])
    bookmark.close()

    # A star and tags persist: across a reload, and as filters.
    page.get_by_test_id("library-clear").click()
    page.wait_for_url("**/dashboard/library")
    expect_cards(page, newest_first)
    card(page, bell).get_by_test_id("library-star").click()
    expect(card(page, bell).get_by_test_id("library-star")).to_have_attribute("data-starred", "yes")
    card(page, paladin).get_by_test_id("library-tags-edit").click()
    page.get_by_test_id("library-tags-input").fill("Session Three,  Zorbtag ")
    page.get_by_test_id("library-tags-save").click()
    expect(card(page, paladin).get_by_test_id("library-tag")).to_have_text(["session three", "zorbtag"])
    page.reload()
    expect(page.get_by_test_id("session-linked")).to_be_attached()
    expect_cards(page, newest_first)
    expect(card(page, bell).get_by_test_id("library-star")).to_have_attribute("data-starred", "yes")
    expect(card(page, paladin).get_by_test_id("library-tag")).to_have_text(["session three", "zorbtag"])
    page.get_by_test_id("library-fav").click()
    page.wait_for_url("**/dashboard/library?fav=1")
    expect_cards(page, [bell])
    page.get_by_test_id("library-fav").click()
    expect_cards(page, newest_first)
    page.get_by_test_id("library-search").fill("zorbtag")
    page.get_by_test_id("library-search").press("Enter")
    expect_cards(page, [paladin])
    page.get_by_test_id("library-clear").click()
    expect_cards(page, newest_first)

    # Select many, delete: gone from the page and from the database.
    for job_id in (tinker, lantern, harbour):
        card(page, job_id).get_by_test_id("library-select").click()
    expect(page.get_by_test_id("library-selected-count")).to_have_text("3 selected")
    with page.expect_download() as download:
        page.get_by_test_id("library-export").click()
    with zipfile.ZipFile(download.value.path()) as exported:
        assert {i["id"] for i in json.loads(exported.read("manifest.json"))["items"]} == {tinker, lantern, harbour}
    page.get_by_test_id("library-delete").click()
    page.get_by_test_id("library-delete-confirm").click()
    expect_cards(page, [paladin, bell])
    expect(page.get_by_test_id("library-total")).to_have_text("2 results")
    page.reload()
    expect(page.get_by_test_id("session-linked")).to_be_attached()
    expect_cards(page, [paladin, bell])
    screenshot(page, "library-after-delete", full_page=False)


def test_another_user_sees_none_of_it_and_more_loads_on_demand(page: Page, app: RunningApp, browser):
    open_page(page, "/dashboard")
    owner = user_id(page, app.backend_url)
    ids = finished_jobs(app, owner, [("item", f"trinket number {i}") for i in range(30)])
    open_page(page, "/dashboard/library")
    expect(page.get_by_test_id("library-total")).to_have_text("30 results")
    assert len(card_ids(page)) == 24  # one page, not the whole history
    page.get_by_test_id("library-more").click()
    expect_cards(page, list(reversed(ids)))
    expect(page.get_by_test_id("library-more")).to_have_count(0)

    other = browser.new_context(base_url=app.url, viewport=page.viewport_size)
    try:
        theirs = other.new_page()
        open_page(theirs, "/dashboard/library?q=trinket")
        expect(theirs.get_by_test_id("library-empty")).to_be_visible()
        assert card_ids(theirs) == []
    finally:
        other.close()


def test_clear_finished_in_the_tile_keeps_starred_and_running_jobs(page: Page):
    done = qa_start(page, job_type="item", duration="0.5", count="3")
    for job_id in done:
        expect(row(page, job_id)).to_have_attribute("data-status", "complete")
    [running] = qa_start(page, job_type="campaign", duration="60")
    open_page(page, "/dashboard/library")
    card(page, done[0]).get_by_test_id("library-star").click()
    expect(card(page, done[0]).get_by_test_id("library-star")).to_have_attribute("data-starred", "yes")
    page.get_by_test_id("tile-clear-finished").click()
    expect(page.get_by_text("Removed 2 finished jobs; starred ones are kept.")).to_be_visible()
    for job_id in done[1:]:
        expect(row(page, job_id)).to_have_count(0)
        expect(card(page, job_id)).to_have_count(0)
    expect(row(page, done[0])).to_be_visible()
    expect(row(page, running)).to_be_visible()
    cancel_all(page)


def test_export_all_then_import_in_another_browser_and_a_damaged_file_changes_nothing(page: Page, browser, app: RunningApp, tmp_path):
    done = qa_start(page, job_type="npc", duration="0.5", count="2")
    for job_id in done:
        expect(row(page, job_id)).to_have_attribute("data-status", "complete")
    open_page(page, "/dashboard/library")
    with page.expect_download() as download:
        page.get_by_test_id("library-export-all").click()
    archive = tmp_path / "library.zip"
    download.value.save_as(archive)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(archive.read_bytes()[:200])

    other = browser.new_context(base_url=app.url, viewport={"width": 1280, "height": 720})
    try:
        second = other.new_page()
        open_page(second, "/dashboard/library")
        upload = second.locator(f'#{"library-import"} input[type="file"]')
        upload.set_input_files(str(damaged))
        expect(second.get_by_text("damaged.zip: ", exact=False)).to_be_visible()
        expect(second.locator(CARD)).to_have_count(0)
        upload.set_input_files(str(archive))
        expect(second.get_by_text("2 imported")).to_be_visible()
        expect(second.locator(CARD)).to_have_count(2)
        again = tmp_path / "library-again.zip"  # a file input fires no change for the same file chosen twice
        again.write_bytes(archive.read_bytes())
        upload.set_input_files(str(again))
        expect(second.get_by_text("0 imported, 2 already here")).to_be_visible()
        expect(second.locator(CARD)).to_have_count(2)
    finally:
        other.close()
