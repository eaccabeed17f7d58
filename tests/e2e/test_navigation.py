"""Moving between pages by the app's own links on what `make run` serves: each page shows its own
thing at once (a page's first load once read the route of the page before it and said "Job not found")."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ROW, open_page, qa_start

pytestmark = pytest.mark.e2e


def test_a_jobs_link_in_the_tile_opens_that_job_and_generator_links_open_their_type(served_page: Page):
    page = served_page
    ids = qa_start(page, job_type="npc", duration="0.5", count="3")
    for job_id in ids:
        expect(page.locator(f'{ROW}[data-job-id="{job_id}"]')).to_have_attribute("data-status", "complete")
    for round_ in range(3):
        for job_id in ids:
            open_page(page, "/dashboard/character")
            page.locator(f'{ROW}[data-job-id="{job_id}"] [data-testid="job-link"]').click()
            expect(page).to_have_url(f"{page.url.split('/dashboard')[0]}/dashboard/jobs/{job_id}")
            expect(page.get_by_test_id("result-panel")).to_be_visible()
            expect(page.get_by_test_id("job-not-found")).to_have_count(0)
    # From a job's page to its generator by the sidebar: the NPC page shows the newest NPC, not another type's.
    page.get_by_role("link", name="NPC", exact=True).click()
    expect(page.get_by_test_id("result-panel")).to_have_attribute("data-job-id", ids[-1])
