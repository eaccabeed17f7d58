"""Jobs that use real providers, end to end through the job service (embedded) and a real database."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session

from genapp.jobs.embedded import embedded_service
from genapp.jobs.retries import JobRetryPolicy
from genapp.jobs.events import EventKind
from genapp.jobs.requests import JobRequestError, build_request
from genapp.media import MediaStore
from genapp.models import Job
from genapp.providers import A1111ImageProvider, Endpoint, ImageOptions, OpenAITextProvider, Providers, RetryPolicy, TextOptions
from tests.conftest import eventually
from tests.fakes.provider_server import FakeProviderServer, Fault

OWNER = "gm"
KEY = "sk-engine-secret-77a1"


@pytest.fixture
def server():
    with FakeProviderServer(api_key=KEY, tokens_per_second=400) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
def database(request):
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def providers(server):
    retry = RetryPolicy(max_attempts=2, backoff=0.01, backoff_cap=0.02)
    return Providers(
        text=OpenAITextProvider(Endpoint(base_url=server.url + "/v1", api_key=KEY, retry=retry), TextOptions(model="fake-model")),
        image=A1111ImageProvider(Endpoint(base_url=server.url, api_key=KEY, retry=retry), ImageOptions(size="64x64")),
    )


@pytest.fixture
async def jobs(database, providers, tmp_path):
    service = embedded_service(database, concurrency=4, flush_interval=0.2, providers=providers, media=MediaStore(tmp_path / "media"))
    service.retry_policy = JobRetryPolicy(attempts=1)  # a provider fault is final here (tests/contract/test_retries.py: retries)
    await service.start()
    yield service
    await service.stop()
    await providers.aclose()


def row(db, job_id) -> Job:
    with Session(db) as session:
        return session.get(Job, job_id)


def llm_request(**kw):
    return build_request(job_type="character", prompt="an elf ranger", text_source="llm", image_source="api", llm_configured=True, image_api_configured=True, **kw)


async def finished(database, job_id):
    return await eventually(lambda: (job := row(database, job_id)) and job.status in ("complete", "error", "cancelled") and job, timeout=20)


async def test_llm_text_and_image_file_complete_a_job(jobs, database, tmp_path):
    job_id = await jobs.submit(owner=OWNER, request=llm_request())
    job = await finished(database, job_id)
    assert job.status == "complete", job.error
    assert job.content["name"] and job.title == job.content["name"]
    assert job.image == f"media:{job_id}.png"
    stored = tmp_path / "media" / f"{job_id}.png"
    assert stored.read_bytes().startswith(b"\x89PNG")
    assert job.form_data["sources"] == {"text": "llm", "image": "api"}
    await jobs.remove(owner=OWNER, job_id=job_id)
    assert not stored.exists()


async def test_a_provider_failure_is_a_clear_error_without_the_key_and_retry_works(jobs, database, server):
    server.script(Fault.echo_auth(500), Fault.echo_auth(500))
    job_id = await jobs.submit(owner=OWNER, request=llm_request(skip_image=True))
    job = await finished(database, job_id)
    assert job.status == "error"
    assert "HTTP 500" in job.error and "after 2 attempts" in job.error
    assert KEY not in repr(job.model_dump())
    await jobs.retry(owner=OWNER, job_id=job_id)
    job = await eventually(lambda: (j := row(database, job_id)) and j.status == "complete" and j, timeout=20)
    assert job.attempt == 2 and KEY not in repr(job.model_dump())


async def test_cancel_of_a_streaming_job_closes_its_connection(jobs, database, server):
    server.script(Fault.slow(10))
    job_id = await jobs.submit(owner=OWNER, request=llm_request())
    await asyncio.to_thread(server.wait_for, lambda s: s.streams and s.streams[0].chunks_sent >= 2)
    await jobs.cancel(owner=OWNER, job_id=job_id)
    assert row(database, job_id).status == "cancelled"
    await asyncio.to_thread(server.wait_for, lambda s: s.streams[0].client_closed, 2.0)


async def test_a_failing_llm_job_leaves_a_procedural_one_alone(jobs, database, server):
    server.script(Fault.status(401), Fault.status(401))
    bad = await jobs.submit(owner=OWNER, request=llm_request())
    good = await jobs.submit(owner=OWNER, request=build_request(job_type="npc"))
    assert (await finished(database, bad)).status == "error"
    assert (await finished(database, good)).status == "complete"


def test_llm_and_image_sources_must_be_configured():
    with pytest.raises(JobRequestError) as failed:
        build_request(job_type="item", text_source="llm", image_source="api")
    assert "GENAPP_LLM_BASE_URL" in failed.value.errors["text_source"]
    assert "GENAPP_IMAGE_PROVIDER" in failed.value.errors["image_source"]
    with pytest.raises(JobRequestError) as unknown:
        build_request(job_type="item", text_source="magic")
    assert "Unknown text source" in unknown.value.errors["text_source"]
    assert build_request(job_type="item", image_source="api", skip_image=True).form_data.get("sources") == {"text": "procedural", "image": "api"}


async def test_a_long_retry_note_is_saved_within_the_stage_column(jobs, providers, database, server):
    # Postgres enforces the 200-character column: a long server message must not break progress flushes.
    slow_retry = RetryPolicy(max_attempts=2, backoff=1.0, backoff_cap=1.0)
    providers.text = OpenAITextProvider(Endpoint(base_url=server.url + "/v1", api_key=KEY, retry=slow_retry), TextOptions(model="fake-model"))
    server.script(Fault.status(503, message="overloaded " * 40))
    job_id = await jobs.submit(owner=OWNER, request=llm_request(skip_image=True))
    saved = await eventually(lambda: (j := row(database, job_id)) and j.stage.startswith("Retrying") and j, timeout=10)
    assert len(saved.stage) <= 200 and saved.stage.endswith("...")
    assert (await finished(database, job_id)).status == "complete"


async def test_a_streaming_jobs_draft_is_published_then_gone_once_its_content_is_ready(jobs, database, server):
    seen: list[str] = []

    async def watch():
        async for event in jobs.watch():
            if event.kind == EventKind.DRAFT:
                seen.append(jobs.drafts(OWNER).get(event.job_id, ""))

    watcher = asyncio.create_task(watch())
    server.script(Fault.slow(200))  # a few seconds of stream: several drafts
    job_id = await jobs.submit(owner=OWNER, request=llm_request(skip_image=True))
    await eventually(lambda: any(d.startswith("Name: ") for d in seen), what="a readable draft while it streams")
    job = await finished(database, job_id)
    watcher.cancel()
    assert job.status == "complete", job.error
    assert len(seen) >= 3 and any(job.content["name"] in d for d in seen)
    await eventually(lambda: jobs.drafts(OWNER) == {}, what="the draft gone with the running job (it is never stored)")
