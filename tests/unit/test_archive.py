"""Library archives: a round trip through the job service (both kinds of picture), no duplicates on a
second import, and files that must change nothing: damaged, not ours, newer, oversized, a zip bomb,
hostile names, content that is not its type."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlmodel import Session, select

from genapp.jobs import archive
from genapp.jobs.archive import ArchiveError, read_archive
from genapp.jobs.embedded import embedded_service
from genapp.jobs.requests import build_request
from genapp.models import Job
from tests.conftest import eventually

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def service(db, tmp_path):
    service = embedded_service(db, flush_interval=0.1, media=tmp_path / "media")
    await service.start()
    yield service
    await service.stop()


def rows(db, owner):
    with Session(db) as session:
        return {j.id: j for j in session.exec(select(Job).where(Job.owner == owner))}


async def test_a_round_trip_keeps_content_marks_and_pictures_and_a_second_import_adds_nothing(service, db):
    ids = [await service.submit(owner="alice", request=build_request(job_type=t)) for t in ("npc", "campaign")]
    await eventually(lambda: all(r.status == "complete" for r in rows(db, "alice").values()), timeout=20, what="done")
    await service.set_favourite(owner="alice", job_id=ids[0], favourite=True)
    await service.set_tags(owner="alice", job_id=ids[1], tags=["Act One"])
    # one picture from an image service (a file), one procedural (inline SVG)
    ref = service.media.save(ids[0], PNG, "png")
    await service.store.set_image(ids[0], ref)

    data = await service.export(owner="alice")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "manifest.json" in names and sum(n.endswith(".md") for n in names) == 2 and any(n.endswith(".png") for n in names)
    campaign_md = next(n for n in names if n.endswith(".md") and "campaign" in json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
                       ["items"][1]["type"])
    assert campaign_md

    report = await service.import_archive(owner="bob", data=data)
    assert (report.created, report.skipped) == (2, 0)
    mine, theirs = rows(db, "alice"), rows(db, "bob")
    assert len(theirs) == 2
    by_type = {j.type: j for j in theirs.values()}
    assert by_type["npc"].content == mine[ids[0]].content and by_type["npc"].favourite is True
    assert by_type["campaign"].tags == ["act one"] and by_type["campaign"].image == mine[ids[1]].image
    assert service.media.path(by_type["npc"].image).read_bytes() == PNG
    again = await service.import_archive(owner="bob", data=data)
    assert (again.created, again.skipped) == (0, 2) and len(rows(db, "bob")) == 2
    assert len(rows(db, "alice")) == 2, "the exporter's library is untouched"


def zipped(files: dict[str, bytes | str], *, compress=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compress) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buffer.getvalue()


def manifest(items, version=1) -> str:
    return json.dumps({"format": "genapp-library", "version": version, "items": items})


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not a zip at all", "not a zip"),
        (zipped({"readme.txt": "hello"}), "not a genapp library export"),
        (zipped({"manifest.json": manifest([], version=2)}), "format version 2"),
        (zipped({"manifest.json": "{broken"}), "not valid JSON"),
        (zipped({"manifest.json": manifest([{"type": "dragon", "json": "x.json"}])}), "unknown type"),
        (zipped({"manifest.json": manifest([{"type": "npc", "json": "../../etc/passwd"}])}), "lacks"),
        (zipped({"manifest.json": manifest([{"type": "npc", "json": "a.json"}]), "a.json": json.dumps({"content": {"name": 5}})}), "not a valid NPC"),
        (zipped({"manifest.json": manifest([{"type": "npc", "json": "a.json", "image": "a.svg"}]), "a.json": "{}"}), "no content"),
        (zipped({"manifest.json": manifest([]), "bomb.txt": b"\0" * 30_000_000}), "zip bomb"),
    ],
)
def test_a_file_that_is_not_a_good_archive_is_refused_with_a_reason(data, words):
    with pytest.raises(ArchiveError) as refused:
        read_archive(data)
    assert words in str(refused.value)


def test_an_oversized_file_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 1000)
    with pytest.raises(ArchiveError, match="MB at most"):
        read_archive(b"x" * 1001)


def test_a_picture_that_is_not_one_is_refused(service):
    from genapp.generators import get_generator

    generator = get_generator("npc")
    content = generator.build("", generator.make_form({}), 3).model_dump()
    files = {"a.json": json.dumps({"content": content}), "a.png": b"<script>alert(1)</script>"}
    with pytest.raises(ArchiveError, match="not a PNG"):
        read_archive(zipped({"manifest.json": manifest([{"type": "npc", "json": "a.json", "image": "a.png"}]), **files}))


async def test_a_refused_import_changes_nothing(service, db):
    with pytest.raises(ArchiveError):
        await service.import_archive(owner="carol", data=b"PK\x03\x04 damaged")
    assert rows(db, "carol") == {}
