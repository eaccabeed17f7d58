"""Every endpoint of the HTTP API: auth, ownership, the seed endpoints, lists with filters and cursor
paging, results, actions, fair use, and errors as problem details."""

from __future__ import annotations

import pytest

from genapp.api.generators import ENDPOINTS
from genapp.jobs.limits import Limits
from genapp.jobs.requests import build_request
from tests.api.conftest import running_api
from tests.conftest import eventually

PROBLEM = "application/problem+json"


async def done(api, token: str, job_id: str) -> dict:
    async with api.client(token) as client:
        async def complete():
            job = (await client.get(f"/jobs/{job_id}")).json()
            return job if job["status"] == "complete" else None

        return await eventually(complete, timeout=20, what=f"job {job_id} complete")


async def test_no_token_or_a_bad_one_is_401_with_a_problem(api):
    for token in (None, "gat_" + "x" * 43, "not-a-token"):
        async with api.client(token) as client:
            answer = await client.get("/jobs")
        assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"].startswith("Bearer") and "API token" in answer.json()["detail"]


async def test_each_seed_endpoint_queues_a_job_that_completes(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        for content_type, path in ENDPOINTS.items():
            answer = await client.post(f"/{path}", json={"prompt": "a grim northern port", "skip_image": True, "seed": 7})
            assert answer.status_code == 202, answer.text
            body = answer.json()
            assert body["job"]["type"] == content_type.value and body["url"] == f"/api/jobs/{body['job']['id']}"
            job = await done(api, token, body["job"]["id"])
            assert job["content"] and job["seed"] == 7 and job["prompt"] == "a grim northern port"
        listed = (await client.get("/jobs", params={"limit": 100})).json()
        assert len(listed["items"]) == len(ENDPOINTS) and listed["next_cursor"] is None


async def test_bad_input_is_a_422_problem_naming_each_field_and_makes_no_job(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        for body, field in (({"form": {"level": 99}}, "form.level"), ({"prompt": "x" * 5000}, "prompt"), ({"seed": -1}, "seed"),
                            ({"text_source": "magic"}, "text_source"), ({"text_source": "llm"}, "text_source")):
            answer = await client.post("/character-generator", json=body)
            assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM, answer.text
            assert field in answer.json()["errors"], answer.json()
        assert (await client.get("/jobs")).json()["items"] == []


async def test_another_accounts_job_is_404_for_every_action(api):
    alice, bob = await api.account("alice@example.com"), await api.account("bob@example.com")
    async with api.client(alice) as client:
        job_id = (await client.post("/item-generator", json={"skip_image": True})).json()["job"]["id"]
    await done(api, alice, job_id)
    async with api.client(bob) as client:
        for method, path in (("GET", ""), ("POST", "/cancel"), ("POST", "/retry"), ("DELETE", ""), ("GET", "/result.md"),
                             ("GET", "/result.json"), ("GET", "/image")):
            answer = await client.request(method, f"/jobs/{job_id}{path}")
            assert answer.status_code == 404 and answer.json()["detail"] == "That job does not exist or is not yours.", (method, path)
        assert (await client.get("/jobs")).json()["items"] == []
    assert (await done(api, alice, job_id))["status"] == "complete"


async def test_results_as_markdown_json_and_image(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        job_id = (await client.post("/npc-generator", json={"prompt": "a smuggler"})).json()["job"]["id"]
        job = await done(api, token, job_id)
        markdown = await client.get(f"/jobs/{job_id}/result.md")
        assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
        assert job["title"].split()[0] in markdown.text
        data = (await client.get(f"/jobs/{job_id}/result.json")).json()
        assert data["content"] == job["content"] and data["id"] == job_id
        image = await client.get(f"/jobs/{job_id}/image")
        assert image.headers["content-type"] == "image/svg+xml" and image.text.lstrip().startswith("<")
        assert "sandbox" in image.headers["content-security-policy"] and image.headers["x-content-type-options"] == "nosniff"


async def test_generate_portrait_for_a_job_paints_a_new_picture_of_the_same_content(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        source_id = (await client.post("/character-generator", json={"prompt": "a one-eyed bard", "skip_image": True, "seed": 3})).json()["job"]["id"]
        source = await done(api, token, source_id)
        answer = await client.post("/generate-portrait", json={"job_id": source_id, "seed": 11})
        assert answer.status_code == 202, answer.text
        created = answer.json()
        assert created["job"]["id"] != source_id and created["job"]["type"] == "character" and created["job"]["title"] == source["title"]
        portrait = await done(api, token, created["job"]["id"])
        assert portrait["content"] == source["content"] and portrait["seed"] == 11 and portrait["prompt"] == "a one-eyed bard"
        assert [a for a in portrait["attempts"]] == [] and portrait["started_at"] and portrait["progress"] == 100
        image = await client.get(f"/jobs/{portrait['id']}/image")
        assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"
        assert (await client.get(f"/jobs/{source_id}/image")).status_code == 409  # the first job is left as it was: no picture
        again = await done(api, token, (await client.post("/generate-portrait", json={"job_id": source_id, "seed": 11})).json()["job"]["id"])
        assert (await client.get(f"/jobs/{again['id']}/image")).text == image.text  # same content and seed: same picture


async def test_generate_portrait_for_sent_content_checks_it_and_shows_it_as_text(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        item = await done(api, token, (await client.post("/item-generator", json={"skip_image": True})).json()["job"]["id"])
        hostile = item["content"] | {"name": '<script>alert("x")</script> Blade'}
        answer = await client.post("/generate-portrait", json={"type": "item", "content": hostile})
        assert answer.status_code == 202, answer.text
        painted = await done(api, token, answer.json()["job"]["id"])
        assert painted["title"] == hostile["name"] and painted["content"]["name"] == hostile["name"]
        svg = (await client.get(f"/jobs/{painted['id']}/image")).text
        assert "<script" not in svg
        before = (await client.get("/jobs")).json()["total"]
        for body, field in (
            ({"type": "item", "content": item["content"] | {"name": ""}}, "content.name"),
            ({"type": "item", "content": {"name": "x" * 500}}, "content.name"),
            ({"type": "item"}, "body"),
            ({"job_id": item["id"], "type": "item", "content": item["content"]}, "body"),
            ({}, "body"),
            ({"type": "dragon", "content": {}}, "type"),
            ({"job_id": item["id"], "image_source": "api"}, "image_source"),
        ):
            refused = await client.post("/generate-portrait", json=body)
            assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM, (body, refused.text)
            assert field in refused.json()["errors"], (body, refused.json())
        assert (await client.get("/jobs")).json()["total"] == before  # refusals made nothing


async def test_generate_portrait_of_a_foreign_or_unfinished_job_is_refused(api):
    alice, bob = await api.account("alice@example.com"), await api.account("bob@example.com")
    owner = await api.auth.api_user(alice)
    slow = await api.service.submit(owner=owner, request=build_request(job_type="npc", simulate_seconds=30))
    async with api.client(alice) as client:
        early = await client.post("/generate-portrait", json={"job_id": slow})
        assert early.status_code == 409 and "no content" in early.json()["detail"], early.text
    async with api.client(bob) as client:
        foreign = await client.post("/generate-portrait", json={"job_id": slow})
        assert foreign.status_code == 404 and foreign.json()["detail"] == "That job does not exist or is not yours."
        missing = await client.post("/generate-portrait", json={"job_id": "no-such-job"})
        assert missing.status_code == 404


async def test_filters_and_cursor_pages_without_gaps_or_repeats(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        ids = [(await client.post(f"/{path}", json={"skip_image": True})).json()["job"]["id"] for path in ["item-generator"] * 5 + ["quest-generator"] * 2]
        for job_id in ids:
            await done(api, token, job_id)
        seen, cursor = [], None
        while True:
            page = (await client.get("/jobs", params={"limit": 3} | ({"cursor": cursor} if cursor else {}))).json()
            seen += [j["id"] for j in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) and seen == list(reversed(ids))
        quests = (await client.get("/jobs", params={"type": "quest"})).json()["items"]
        assert {j["id"] for j in quests} == set(ids[5:])
        assert (await client.get("/jobs", params={"status": ["error", "cancelled"]})).json()["items"] == []
        later = (await client.get("/jobs", params={"created_after": "2999-01-01T00:00:00Z"})).json()["items"]
        assert later == []
        for bad in ({"cursor": "garbage!"}, {"status": "nope"}, {"limit": 0}, {"type": "dragon"}, {"created_after": "yesterday"}):
            answer = await client.get("/jobs", params=bad)
            assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM, bad


async def test_cancel_retry_and_delete(api):
    token = await api.account("gm@example.com")
    owner = await api.auth.api_user(token)
    job_id = await api.service.submit(owner=owner, request=build_request(job_type="character", simulate_seconds=30))
    async with api.client(token) as client:
        assert (await client.post(f"/jobs/{job_id}/retry")).status_code == 409
        cancelled = await client.post(f"/jobs/{job_id}/cancel")
        assert cancelled.status_code == 200
        await eventually(lambda: api.service.store.get(job_id), what="row")
        async def status():
            return (await client.get(f"/jobs/{job_id}")).json()["status"] == "cancelled"
        await eventually(status, what="cancelled")
        assert (await client.post(f"/jobs/{job_id}/cancel")).status_code == 409
        retried = await client.post(f"/jobs/{job_id}/retry")
        assert retried.status_code == 200 and retried.json()["attempt"] == 2
        assert (await client.post(f"/jobs/{job_id}/cancel")).status_code == 200
        assert (await client.delete(f"/jobs/{job_id}")).status_code == 204
        assert (await client.get(f"/jobs/{job_id}")).status_code == 404


async def test_fair_use_limits_answer_429_with_retry_after(db, tmp_path, monkeypatch):
    async with running_api(db, tmp_path, monkeypatch, limits=Limits(user_per_minute=2)) as api:
        token = await api.account("gm@example.com")
        async with api.client(token) as client:
            for _ in range(2):
                assert (await client.post("/item-generator", json={"skip_image": True})).status_code == 202
            refused = await client.post("/item-generator", json={"skip_image": True})
            assert refused.status_code == 429 and refused.headers["content-type"] == PROBLEM
            assert int(refused.headers["retry-after"]) >= 1 and "minute" in refused.json()["detail"]
            assert len((await client.get("/jobs")).json()["items"]) == 2


async def test_a_revoked_token_stops_working(api):
    guest = await api.auth.start_guest()
    signed = await api.auth.sign_up(guest.identity, "gm@example.com", "a long table of dice", "a long table of dice")
    token, row = await api.auth.create_token(signed.identity, "script")
    async with api.client(token) as client:
        assert (await client.get("/jobs")).status_code == 200
        assert await api.auth.revoke_token(signed.identity, row.id)
        assert (await client.get("/jobs")).status_code == 401


async def test_the_schema_is_served_with_a_docs_page(api):
    async with api.client() as client:
        schema = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert {"/character-generator", "/jobs", "/jobs/{job_id}", "/events"} <= set(schema["paths"]) and docs.status_code == 200


async def test_text_search_favourites_and_tags_filter_the_list(api):
    token = await api.account("gm@example.com")
    owner = await api.auth.api_user(token)
    async with api.client(token) as client:
        harbour = (await client.post("/npc-generator", json={"prompt": "a harbour master who sells secrets", "skip_image": True})).json()["job"]["id"]
        other = (await client.post("/item-generator", json={"prompt": "a plain spoon", "skip_image": True})).json()["job"]["id"]
        for job_id in (harbour, other):
            await done(api, token, job_id)
        await api.service.set_favourite(owner=owner, job_id=other, favourite=True)
        await api.service.set_tags(owner=owner, job_id=harbour, tags=["Port Town"])
        found = (await client.get("/jobs", params={"q": "harb secr"})).json()
        assert [j["id"] for j in found["items"]] == [harbour] and found["total"] == 1
        assert [j["id"] for j in (await client.get("/jobs", params={"favourite": "true"})).json()["items"]] == [other]
        assert [j["id"] for j in (await client.get("/jobs", params={"tag": "port town"})).json()["items"]] == [harbour]
        assert (await client.get("/jobs", params={"q": "zqxjvw"})).json()["items"] == []


async def test_export_then_import_into_another_account_and_again_adds_nothing(api):
    alice, bob = await api.account("alice@example.com"), await api.account("bob@example.com")
    async with api.client(alice) as client:
        ids = [(await client.post(f"/{p}", json={"skip_image": True})).json()["job"]["id"] for p in ("npc-generator", "quest-generator")]
        for job_id in ids:
            await done(api, alice, job_id)
        everything = await client.get("/export")
        assert everything.status_code == 200 and everything.headers["content-type"] == "application/zip"
        one = await client.get("/export", params={"ids": ids[:1]})
    async with api.client(bob) as client:
        first = await client.post("/import", content=everything.content, headers={"Content-Type": "application/zip"})
        assert first.status_code == 200 and first.json() == {"created": 2, "skipped": 0}
        again = await client.post("/import", content=one.content, headers={"Content-Type": "application/zip"})
        assert again.json() == {"created": 0, "skipped": 1}
        assert len((await client.get("/jobs")).json()["items"]) == 2
        bad = await client.post("/import", content=b"PK\x03\x04 not really", headers={"Content-Type": "application/zip"})
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM and "zip" in bad.json()["detail"]
        assert len((await client.get("/jobs")).json()["items"]) == 2
