#!/usr/bin/env python3
"""Fetch the full-size bundled fonts listed in fonts/manifest.json.

Standard library only, so it runs with the venv python or the system python3:

    python scripts/fetch_fonts.py            # fetch what is missing, verify everything
    python scripts/fetch_fonts.py --check    # verify only, download nothing

For every font with ``"committed": false`` the manifest names a source archive (an npm
registry tarball or a Debian .deb from the bookworm archive) pinned by version and SHA-256,
and the archive member to extract.  The script

* skips fonts whose file in fonts/ already has the pinned SHA-256 (idempotent),
* downloads each needed archive once into fonts/.cache/downloads/ (reused while its
  checksum matches), verifies the archive's SHA-256 *before* opening it,
* extracts the members, verifies each extracted file's SHA-256, and writes it atomically,
* also verifies the committed fonts, and exits non-zero with a clear message on a checksum
  mismatch, a missing committed file or a network failure.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import lzma
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "fonts"
MANIFEST = FONT_DIR / "manifest.json"
DOWNLOADS = FONT_DIR / ".cache" / "downloads"
CHUNK = 1 << 20


class FetchError(Exception):
    """A problem the user must fix; printed without a traceback."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest: Path, sha256: str, size: int | None) -> None:
    """Download url to dest (atomically), verifying the SHA-256; retries twice."""
    if dest.exists() and sha256_file(dest) == sha256:
        print(f"  cached   {dest.name}")
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for attempt in range(3):
        if attempt:
            time.sleep(2 * attempt)
        tmp = dest.with_name(dest.name + ".part")
        try:
            print(f"  download {url}" + (f" ({size / 1e6:.1f} MB)" if size else ""))
            request = urllib.request.Request(url, headers={"User-Agent": "ly-fetch-fonts/1"})
            digest = hashlib.sha256()
            with urllib.request.urlopen(request, timeout=60) as response, tmp.open("wb") as out:
                while block := response.read(CHUNK):
                    digest.update(block)
                    out.write(block)
        except urllib.error.HTTPError as exc:
            tmp.unlink(missing_ok=True)
            if 400 <= exc.code < 500:  # not transient: wrong URL or the version was removed
                raise FetchError(
                    f"download failed for {url}: HTTP {exc.code} {exc.reason}"
                ) from exc
            last_error = exc
            continue
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last_error = exc
            tmp.unlink(missing_ok=True)
            continue
        actual = digest.hexdigest()
        if actual != sha256:
            tmp.unlink(missing_ok=True)
            raise FetchError(
                f"checksum mismatch for {url}\n"
                f"  expected sha256 {sha256}\n  got      sha256 {actual}\n"
                "The registry served different bytes than the pinned version: refusing to use them."
            )
        os.replace(tmp, dest)
        return
    raise FetchError(f"network failure downloading {url}: {last_error}")


def _ar_members(data: bytes) -> dict[str, bytes]:
    """Parse a Debian .deb (an ar archive) into {member name: bytes}."""
    if not data.startswith(b"!<arch>\n"):
        raise FetchError("not a Debian package (bad ar magic)")
    members: dict[str, bytes] = {}
    pos = 8
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        pos += 60
        members[name] = data[pos : pos + size]
        pos += size + (size & 1)
    return members


def open_tar(archive: Path) -> tarfile.TarFile:
    """Open an npm .tgz, or the data.tar.* inside a .deb, as a tarfile."""
    if archive.suffix == ".deb":
        members = _ar_members(archive.read_bytes())
        for name, payload in members.items():
            if name.startswith("data.tar"):
                if name.endswith(".xz"):
                    payload = lzma.decompress(payload)
                    return tarfile.open(fileobj=io.BytesIO(payload), mode="r:")
                return tarfile.open(fileobj=io.BytesIO(payload), mode="r:*")
        raise FetchError(f"{archive.name}: no data.tar member")
    return tarfile.open(archive, mode="r:*")


def extract(archive: Path, wanted: dict[str, dict]) -> None:
    """Extract member -> font entry, verifying each file's SHA-256 before installing it."""
    with open_tar(archive) as tar:
        names = {m.name.lstrip("./"): m for m in tar.getmembers() if m.isfile()}
        for member, entry in wanted.items():
            info = names.get(member.lstrip("./"))
            if info is None:
                raise FetchError(f"{archive.name}: member {member} not found")
            handle = tar.extractfile(info)
            assert handle is not None
            payload = handle.read()
            actual = hashlib.sha256(payload).hexdigest()
            if actual != entry["sha256"]:
                raise FetchError(
                    f"checksum mismatch for {entry['file']} (from {archive.name}:{member})\n"
                    f"  expected sha256 {entry['sha256']}\n  got      sha256 {actual}"
                )
            dest = FONT_DIR / entry["file"]
            fd, tmp = tempfile.mkstemp(dir=FONT_DIR, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            print(f"  extract  {entry['file']} ({len(payload) / 1e6:.1f} MB) ok")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, download nothing")
    parser.add_argument(
        "--keep-downloads",
        action="store_true",
        help="keep the downloaded archives in fonts/.cache/downloads (default: delete them)",
    )
    args = parser.parse_args(argv)

    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    sources: dict[str, dict] = manifest["sources"]
    problems: list[str] = []
    todo: dict[str, dict[str, dict]] = {}

    for entry in manifest["fonts"]:
        path = FONT_DIR / entry["file"]
        ok = path.exists() and sha256_file(path) == entry["sha256"]
        if ok:
            print(f"ok       {entry['file']}")
            continue
        if entry["committed"]:
            state = "missing" if not path.exists() else "checksum mismatch"
            problems.append(f"committed font {entry['file']}: {state} (restore it from git)")
            continue
        if args.check:
            state = "missing" if not path.exists() else "checksum mismatch"
            problems.append(f"fetched font {entry['file']}: {state}")
            continue
        todo.setdefault(entry["source"], {})[entry["member"]] = entry

    for source_id, wanted in todo.items():
        source = sources[source_id]
        print(f"{source_id}")
        archive = DOWNLOADS / source["archive"]
        try:
            download(source["url"], archive, source["sha256"], source.get("size"))
            extract(archive, wanted)
        except FetchError as exc:
            problems.append(str(exc))
            continue
        except (tarfile.TarError, lzma.LZMAError, OSError, ValueError) as exc:
            problems.append(f"{source_id}: cannot extract {archive.name}: {exc}")
            continue
        if not args.keep_downloads:
            archive.unlink(missing_ok=True)

    if problems:
        print("\nfetch_fonts: FAILED", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("fetch_fonts: all fonts present and verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
