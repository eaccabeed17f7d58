"""The batch endpoints: variations and mixes (202), one batch, cancel, retry, export; 404 for another
account's batch, 422 naming each item's field, 429 refusing a batch whole."""

from __future__ import annotations

import io
import json
import zipfile

from genapp.jobs.limits import Limits
from tests.api.conftest import running_api
from tests.conftest import eventually

PROBLEM = "application/problem+json"


async def finished(client, batch_id: str, total: int) -> dict:
    async def check():
        batch = (await client.get(f"/batches/{batch_id}")).json()
        return batch if batch["done"] == total else None

    return await eventually(check, timeout=30, what=f"batch {batch_id} finished")


async def test_variations_and_a_mix_are_batches_that_finish_and_export(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        made = await client.post("/batches", json={"items": [{"type": "npc", "prompt": "a harbour master", "seed": 9, "count": 3, "skip_image": True}]})
        assert made.status_code == 202, made.text
        batch = made.json()
        assert batch["label"] == "3 × NPC: a harbour master" and batch["kind"] == "variations" and batch["total"] == 3
        assert [j["seed"] for j in batch["jobs"]] == [9, 10, 11] and batch["page"] == f"/dashboard/batches/{batch['id']}"
        batch = await finished(client, batch["id"], 3)
        assert batch["counts"] == {"complete": 3} and batch["progress"] == 100
        archive = await client.get(f"/batches/{batch['id']}/export")
        assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
        assert len(json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("manifest.json"))["items"]) == 3
        mixed = await client.post("/batches", json={"items": [
            {"type": "character", "form": {"level": 5}, "skip_image": True},
            {"type": "quest", "form": {"party_level": 5}, "count": 2, "skip_image": True},
        ]})
        assert mixed.status_code == 202
        body = mixed.json()
        assert body["kind"] == "mixed" and body["label"] == "Mixed batch: 1 × Character, 2 × Quest"
        assert sorted(j["type"] for j in body["jobs"]) == ["character", "quest", "quest"]


async def test_another_accounts_batch_is_404_like_a_missing_one(api):
    alice, bob = await api.account("alice@example.com"), await api.account("bob@example.com")
    async with api.client(alice) as client:
        batch_id = (await client.post("/batches", json={"items": [{"type": "item", "count": 2, "skip_image": True}]})).json()["id"]
    async with api.client(bob) as client:
        for method, path in (("GET", ""), ("POST", "/cancel"), ("POST", "/retry"), ("GET", "/export")):
            foreign = await client.request(method, f"/batches/{batch_id}{path}")
            missing = await client.request(method, f"/batches/nosuchbatch{path}")
            assert foreign.status_code == missing.status_code == 404 and foreign.headers["content-type"] == PROBLEM
            assert foreign.json() == missing.json()


async def test_bad_items_are_a_422_naming_each_and_make_nothing(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        bad = await client.post("/batches", json={"items": [{"type": "npc", "form": {"level": 99}}, {"type": "quest", "count": 11}]})
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
        assert set(bad.json()["errors"]) == {"items.0.npc.form.level", "items.1.quest.count"}
        bad = await client.post("/batches", json={"items": [{"type": "item", "prompt": "ok"}, {"type": "npc"}], "text_source": "llm"})
        assert bad.status_code == 422 and set(bad.json()["errors"]) == {"items.0.text_source", "items.1.text_source"}
        bad = await client.post("/batches", json={"items": [{"type": "item", "count": 10}] * 6})
        assert bad.status_code == 422 and "items" in bad.json()["errors"]
        assert (await client.get("/jobs")).json()["items"] == []


async def test_a_batch_over_the_limits_is_429_whole(db, tmp_path, monkeypatch):
    async with running_api(db, tmp_path, monkeypatch, limits=Limits(user_per_minute=4)) as api:
        token = await api.account("gm@example.com")
        async with api.client(token) as client:
            assert (await client.post("/batches", json={"items": [{"type": "item", "count": 3, "skip_image": True}]})).status_code == 202
            refused = await client.post("/batches", json={"items": [{"type": "item", "count": 2, "skip_image": True}]})
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
            assert "Nothing was started" in refused.json()["detail"]
            assert len((await client.get("/jobs")).json()["items"]) == 3


async def test_cancel_and_retry_a_batch(api):
    token = await api.account("gm@example.com")
    async with api.client(token) as client:
        batch_id = (await client.post("/batches", json={"items": [{"type": "item", "count": 3, "skip_image": True}]})).json()["id"]
        cancelled = await client.post(f"/batches/{batch_id}/cancel")
        assert cancelled.status_code == 200
        await finished(client, batch_id, 3)  # cancelled, or already complete (procedural items are quick)
        retried = await client.post(f"/batches/{batch_id}/retry")
        assert retried.status_code == 200
        batch = await finished(client, batch_id, 3)
        assert batch["counts"].get("complete") == 3
