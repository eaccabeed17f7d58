"""Image files from image providers: one file per job, outside the database.

A job's `image` column then holds a reference, `media:<file name>`; procedural illustrations
stay inline SVG. Files are named by the job's unguessable id.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

REF_PREFIX = "media:"
URL_PATH = "/media"  # where the backend serves the files
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(png|jpg|webp)$")
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


class MediaStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, job_id: str, data: bytes, extension: str) -> str:
        """Write the job's image (replacing an earlier one) atomically; return its reference."""
        name = f"{job_id}.{extension}"
        if not _NAME.match(name):
            raise ValueError(f"Not a storable image name: {name!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, self.root / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        for other in CONTENT_TYPES:
            if other != extension:
                (self.root / f"{job_id}.{other}").unlink(missing_ok=True)
        return REF_PREFIX + name

    def path(self, name: str) -> Path | None:
        """The file for a bare name or a reference, or None if the name is not one of ours or is missing."""
        name = name.removeprefix(REF_PREFIX)
        if not _NAME.match(name):
            return None
        path = self.root / name
        return path if path.is_file() else None

    def delete(self, job_id: str) -> None:
        for extension in CONTENT_TYPES:
            (self.root / f"{job_id}.{extension}").unlink(missing_ok=True)


def is_media_ref(image: str | None) -> bool:
    return bool(image) and image.startswith(REF_PREFIX)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
