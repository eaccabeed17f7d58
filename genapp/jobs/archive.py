"""Library archives: a zip a person can keep, read and bring back.

Layout (format 1): `manifest.json` ({"format": "genapp-library", "version": 1, "items": [...]}) and,
per item, `<name>.md` (to read), `<name>.json` (inputs and content, to reuse) and the illustration
(`<name>.svg`, or the image service's `.png`/`.jpg`/`.webp`). Reading one is defensive: an archive is
user input. Sizes are bounded before anything is inflated, entry names are never used as paths, every
item's content must validate as its type, and a newer format version is refused with words to say so.
Nothing here touches the database: the job service turns items into rows.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from genapp.exports import download_name, export_json, markdown_of
from genapp.generators import ContentType, get_generator
from genapp.media import is_media_ref
from genapp.models import Job

FORMAT, VERSION = "genapp-library", 1
MAX_ARCHIVE_BYTES = 100_000_000  # the zip as uploaded
MAX_INFLATED_BYTES = 400_000_000  # all entries together, as their headers say and as they really inflate
MAX_ENTRY_BYTES = 40_000_000
MAX_RATIO = 200  # a zip bomb inflates far more than text and images ever do
MAX_ITEMS = 20_000
_IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "webp": b"RIFF"}


class ArchiveError(ValueError):
    """The file cannot be imported; the message says why, in words for the user."""


@dataclass
class ImportItem:
    source_id: str
    type: str
    title: str
    prompt: str
    seed: int
    form: dict[str, Any]
    content: dict[str, Any]
    tags: list[str] = field(default_factory=list)
    favourite: bool = False
    created_at: datetime | None = None
    finished_at: datetime | None = None
    svg: str | None = None
    image: tuple[bytes, str] | None = None  # (bytes, extension) from an image service

    def job_id(self, owner: str) -> str:
        """The same item imported twice by one user is the same job (no duplicates)."""
        return "imp" + hashlib.sha256(f"{owner}\x00{self.source_id}".encode()).hexdigest()[:29]


# ----- writing ---------------------------------------------------------------------------------------------


def build_archive(jobs: list[Job], image_bytes) -> bytes:
    """A zip of these finished jobs; `image_bytes(job)` gives (bytes, extension) for an image-service picture."""
    buffer = io.BytesIO()
    items, names = [], set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for job in jobs:
            name = _unique(download_name(job, "").rstrip(".") or job.type, job.id, names)
            entry: dict[str, Any] = {
                "id": job.id, "type": job.type, "title": job.title, "prompt": job.prompt, "seed": job.seed,
                "tags": list(job.tags or []), "favourite": bool(job.favourite), "created_at": _iso(job.created_at),
                "finished_at": _iso(job.finished_at), "markdown": f"{name}.md", "json": f"{name}.json", "image": None,
            }
            archive.writestr(f"{name}.md", markdown_of(job))
            archive.writestr(f"{name}.json", export_json(job))
            if job.image and is_media_ref(job.image):
                picture = image_bytes(job)
                if picture is not None:
                    data, extension = picture
                    entry["image"] = f"{name}.{extension}"
                    archive.writestr(entry["image"], data)
            elif job.image:
                entry["image"] = f"{name}.svg"
                archive.writestr(entry["image"], job.image)
            items.append(entry)
        manifest = {"format": FORMAT, "version": VERSION, "exported_at": _iso(datetime.now(timezone.utc)), "items": items}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()


def _unique(base: str, job_id: str, taken: set[str]) -> str:
    name = f"{base[:50]}-{job_id[:8]}"
    while name in taken:
        name += "x"
    taken.add(name)
    return name


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


# ----- reading ---------------------------------------------------------------------------------------------


def read_archive(data: bytes) -> list[ImportItem]:
    """The items of an archive, each checked; ArchiveError (with the reason) for a file that is not one."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"The file is {len(data) / 1e6:.0f} MB; an archive may be {MAX_ARCHIVE_BYTES / 1e6:.0f} MB at most.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ArchiveError("This is not a zip archive (or it is damaged).") from exc
    declared = sum(info.file_size for info in entries.values())
    if declared > MAX_INFLATED_BYTES or any(info.file_size > MAX_ENTRY_BYTES for info in entries.values()):
        raise ArchiveError("The archive unpacks to more than genapp takes in; it was not read.")
    if data and declared > MAX_RATIO * len(data) + 1_000_000:
        raise ArchiveError("The archive unpacks to hundreds of times its size, as a zip bomb does; it was not read.")
    reader = _Reader(archive, entries)
    if "manifest.json" not in entries:
        raise ArchiveError("This zip is not a genapp library export (it has no manifest.json).")
    manifest = reader.json("manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("This zip is not a genapp library export (its manifest.json is missing or not ours).")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ArchiveError(f"This archive is format version {version}; this genapp reads version {VERSION}. Update genapp to import it.")
    raw_items = manifest.get("items")
    if not isinstance(raw_items, list) or len(raw_items) > MAX_ITEMS:
        raise ArchiveError(f"The manifest's item list is missing or longer than {MAX_ITEMS:,}.")
    return [_item(reader, raw, index) for index, raw in enumerate(raw_items, 1)]


class _Reader:
    """Entries read by the manifest's names only, each read bounded as it inflates."""

    def __init__(self, archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]):
        self.archive, self.entries, self.read_total = archive, entries, 0

    def bytes(self, name: Any) -> bytes:
        if not isinstance(name, str) or name not in self.entries:
            raise ArchiveError(f"The archive lacks {str(name)[:80]!r}, which its manifest names.")
        try:
            with self.archive.open(self.entries[name]) as handle:
                data = handle.read(MAX_ENTRY_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ArchiveError(f"{name[:80]!r} in the archive is damaged.") from exc
        self.read_total += len(data)
        if len(data) > MAX_ENTRY_BYTES or self.read_total > MAX_INFLATED_BYTES:
            raise ArchiveError("The archive unpacks to more than genapp takes in; it was not read.")
        return data

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.bytes(name).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ArchiveError(f"{name[:80]!r} in the archive is not valid JSON.") from exc


def _item(reader: _Reader, raw: Any, index: int) -> ImportItem:
    where = f"Item {index}"
    if not isinstance(raw, dict):
        raise ArchiveError(f"{where} of the manifest is not an object.")
    try:
        content_type = ContentType(raw.get("type"))
    except ValueError:
        raise ArchiveError(f"{where} has an unknown type {str(raw.get('type'))[:40]!r}.") from None
    data = reader.json(raw.get("json"))
    if not isinstance(data, dict) or not isinstance(data.get("content"), dict):
        raise ArchiveError(f"{where}: its JSON file has no content.")
    generator = get_generator(content_type)
    try:  # strict: an archive is not a row genapp wrote itself
        content = generator.content_model.model_validate(data["content"]).model_dump()
    except Exception as exc:  # pydantic's validation errors: the content is not one of this type
        raise ArchiveError(f"{where}: its content is not a valid {generator.noun} ({str(exc)[:200]}).") from None
    item = ImportItem(
        source_id=_text(raw.get("id"), 64) or hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32],
        type=content_type.value,
        title=_text(raw.get("title"), 200),
        prompt=_text(data.get("prompt"), 4000),
        seed=data.get("seed") if isinstance(data.get("seed"), int) and 0 <= data["seed"] < 2**53 else 0,
        form=data.get("form") if isinstance(data.get("form"), dict) else {},
        content=content,
        tags=[t for t in raw.get("tags", []) if isinstance(t, str)][:20] if isinstance(raw.get("tags"), list) else [],
        favourite=raw.get("favourite") is True,
        created_at=_when(raw.get("created_at")),
        finished_at=_when(raw.get("finished_at")),
    )
    image = raw.get("image")
    if isinstance(image, str) and image:
        picture = reader.bytes(image)
        extension = image.rsplit(".", 1)[-1].lower()
        if extension == "svg":
            text = picture.decode("utf-8", errors="replace")
            if not re.match(r"^\s*(<\?xml[^>]*>\s*)?<svg[\s>]", text):
                raise ArchiveError(f"{where}: its picture is not an SVG image.")
            item.svg = text  # shown through <img> only, which runs no script in it
        elif extension in _IMAGE_MAGIC and picture.startswith(_IMAGE_MAGIC[extension]):
            item.image = (picture, extension)
        else:
            raise ArchiveError(f"{where}: its picture is not a PNG, JPEG, WebP or SVG image.")
    return item


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _when(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)
