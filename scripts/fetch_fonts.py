#!/usr/bin/env python3
"""Fetch the full-size bundled fonts listed in fonts/manifest.json.

Standard library only, so it runs with the venv python or the system python3:

    python scripts/fetch_fonts.py            # fetch what is missing, verify everything
    python scripts/fetch_fonts.py --check    # verify only, fetch nothing

Every font with ``"committed": false`` comes from a package pinned in the manifest by
name, version and SHA-256.  Packages are fetched only through their ordinary clients, by
name and version -- the manifest holds no URLs:

* ``"kind": "npm"``    -> ``npm pack <package>@<version> --pack-destination <tmp dir>``
  (the npm integrity string is checked as well as the SHA-256);
* ``"kind": "debian"`` -> ``apt-get download <package>=<version>`` in a temp dir, unpacked
  with ``dpkg-deb --fsys-tarfile``.  If apt's package lists lack the version and we are
  root, ``apt-get update -qq`` is run once and the download retried.

The script

* skips fonts whose file in fonts/ already has the pinned SHA-256 (idempotent),
* fetches each needed archive once and verifies its SHA-256 *before* opening it
  (``--keep-downloads`` keeps verified archives in fonts/.cache/downloads/ for reuse),
* extracts the members, verifies each extracted file's SHA-256, and writes it atomically,
* also verifies the committed fonts.

Exit status: 0 all fonts present and verified; 1 a font is missing or has the wrong
checksum, a fetch failed, or a required tool (npm, apt-get, dpkg-deb) is unavailable --
the message says what to run; 2 bad command-line usage.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "fonts"
MANIFEST = FONT_DIR / "manifest.json"
DOWNLOADS = FONT_DIR / ".cache" / "downloads"
CHUNK = 1 << 20
TIMEOUT = 900  # seconds per client call (the archives are 20-70 MB)


class FetchError(Exception):
    """A problem the user must fix; printed without a traceback."""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def digests(path: Path) -> tuple[str, str]:
    """(sha256 hex, npm-style "sha512-<base64>") of a file."""
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            sha256.update(block)
            sha512.update(block)
    return sha256.hexdigest(), "sha512-" + base64.b64encode(sha512.digest()).decode()


def sha256_file(path: Path) -> str:
    return digests(path)[0]


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client command, capturing its output; FetchError if it cannot be started."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", NPM_CONFIG_UPDATE_NOTIFIER="false")
    try:
        return subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise FetchError(f"`{cmd[0]}` not found: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise FetchError(f"`{' '.join(cmd)}` timed out after {TIMEOUT} s") from exc


def tail(proc: subprocess.CompletedProcess[str], lines: int = 8) -> str:
    text = (proc.stderr or "").strip() or (proc.stdout or "").strip()
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


class Apt:
    """apt-get helpers; `apt-get update` runs at most once per invocation."""

    updated = False

    @classmethod
    def update(cls) -> bool:
        """Refresh the package lists once (root only). True if an update was run now."""
        if cls.updated or not is_root():
            return False
        cls.updated = True
        print("  run      apt-get update -qq")
        proc = run(["apt-get", "update", "-qq"])
        if proc.returncode != 0:
            raise FetchError(f"`apt-get update -qq` failed (exit {proc.returncode}):\n{tail(proc)}")
        return True


def ensure_npm() -> None:
    """Make sure the npm client is on PATH; install it with apt-get when running as root."""
    if shutil.which("npm"):
        return
    hint = "apt-get install -y npm"
    if not is_root() or not shutil.which("apt-get"):
        raise FetchError(
            "the npm client is required to fetch the npm font packages but is not installed.\n"
            f"    Install it (as root):  {hint}\n"
            "    then run this script again."
        )
    print(f"npm not found: running `{hint}`")
    cmd = ["apt-get", "install", "-y", "-q", "npm"]
    proc = run(cmd)
    if proc.returncode != 0 and Apt.update():
        proc = run(cmd)
    if proc.returncode != 0 or not shutil.which("npm"):
        raise FetchError(f"`{hint}` failed (exit {proc.returncode}):\n{tail(proc)}")


def ensure_apt_tools() -> None:
    missing = [tool for tool in ("apt-get", "dpkg-deb") if not shutil.which(tool)]
    if missing:
        raise FetchError(
            f"{' and '.join(missing)} not found: the Debian font packages can only be fetched on "
            "a Debian/Ubuntu system (apt-get download + dpkg-deb)."
        )


def fetch_npm(source: dict, workdir: Path) -> Path:
    spec = f"{source['package']}@{source['version']}"
    ensure_npm()
    print(f"  run      npm pack {spec}")
    cmd = ["npm", "pack", spec, "--pack-destination", str(workdir), "--ignore-scripts", "--json"]
    proc = run(cmd, cwd=workdir)
    if proc.returncode != 0:
        raise FetchError(f"`npm pack {spec}` failed (exit {proc.returncode}):\n{tail(proc)}")
    archives = sorted(workdir.glob("*.tgz"))
    if len(archives) != 1:
        raise FetchError(f"`npm pack {spec}` produced {len(archives)} tarballs, expected 1")
    return archives[0]


def fetch_debian(source: dict, workdir: Path) -> Path:
    spec = f"{source['package']}={source['version']}"
    ensure_apt_tools()
    workdir.chmod(0o755)  # readable by the _apt user, so apt downloads sandboxed
    print(f"  run      apt-get download {spec}")
    cmd = ["apt-get", "download", "-q", spec]
    proc = run(cmd, cwd=workdir)
    if proc.returncode != 0 and Apt.update():
        print(f"  run      apt-get download {spec}  (retry after update)")
        proc = run(cmd, cwd=workdir)
    if proc.returncode != 0:
        message = f"`apt-get download {spec}` failed (exit {proc.returncode}):\n{tail(proc)}"
        if not is_root():
            message += (
                "\n    The package lists are probably missing or stale. Refresh them as root:"
                "\n        apt-get update"
                "\n    then run this script again."
            )
        else:
            message += (
                f"\n    Version {source['version']} of {source['package']} must be available from "
                "the configured apt sources (`apt-cache policy "
                f"{source['package']}` lists what is)."
            )
        raise FetchError(message)
    archives = sorted(workdir.glob("*.deb"))
    if len(archives) != 1:
        raise FetchError(f"`apt-get download {spec}` produced {len(archives)} .deb files, expected 1")
    return archives[0]


FETCHERS = {"npm": fetch_npm, "debian": fetch_debian}


def verify_archive(archive: Path, source: dict, label: str) -> None:
    """Check the archive's SHA-256 (and npm integrity) against the manifest."""
    sha256, integrity = digests(archive)
    if sha256 != source["sha256"]:
        raise FetchError(
            f"checksum mismatch for {label} ({archive.name})\n"
            f"  expected sha256 {source['sha256']}\n  got      sha256 {sha256}\n"
            "The client delivered different bytes than the pinned version: refusing to use them."
        )
    expected_integrity = source.get("integrity")
    if expected_integrity and integrity != expected_integrity:
        raise FetchError(
            f"npm integrity mismatch for {label}\n  expected {expected_integrity}\n  got      {integrity}"
        )


def obtain(source_id: str, source: dict, workdir: Path) -> Path:
    """A verified archive for the source: from the download cache or from its client."""
    cached = DOWNLOADS / source["archive"]
    if cached.is_file():
        try:
            verify_archive(cached, source, source_id)
        except FetchError:
            cached.unlink(missing_ok=True)
        else:
            print(f"  cached   {cached.name}")
            return cached
    kind = source.get("kind")
    if kind not in FETCHERS:
        raise FetchError(f"{source_id}: unknown kind {kind!r} (expected one of {sorted(FETCHERS)})")
    archive = FETCHERS[kind](source, workdir)
    verify_archive(archive, source, source_id)
    print(f"  verified {archive.name} ({archive.stat().st_size / 1e6:.1f} MB)")
    return archive


def _members_npm(archive: Path, wanted: set[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    with tarfile.open(archive, mode="r:*") as tar:
        for info in tar:
            name = info.name.removeprefix("./")
            if info.isfile() and name in wanted:
                handle = tar.extractfile(info)
                assert handle is not None
                found[name] = handle.read()
    return found


def _members_debian(archive: Path, wanted: set[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    proc = subprocess.Popen(
        ["dpkg-deb", "--fsys-tarfile", str(archive)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for info in tar:
                name = info.name.removeprefix("./")
                if info.isfile() and name in wanted:
                    handle = tar.extractfile(info)
                    assert handle is not None
                    found[name] = handle.read()
        proc.stdout.read()  # drain, so dpkg-deb can exit
    finally:
        stderr = proc.stderr.read().decode(errors="replace").strip()
        code = proc.wait()
    if code != 0:
        raise FetchError(f"`dpkg-deb --fsys-tarfile {archive.name}` failed (exit {code}): {stderr}")
    return found


def extract(archive: Path, kind: str, wanted: dict[str, dict]) -> None:
    """Extract member -> font entry, verifying each file's SHA-256 before installing it."""
    reader = _members_debian if kind == "debian" else _members_npm
    found = reader(archive, {member.removeprefix("./") for member in wanted})
    for member, entry in wanted.items():
        payload = found.get(member.removeprefix("./"))
        if payload is None:
            raise FetchError(f"{archive.name}: member {member} not found")
        actual = hashlib.sha256(payload).hexdigest()
        if actual != entry["sha256"]:
            raise FetchError(
                f"checksum mismatch for {entry['file']} (from {archive.name}:{member})\n"
                f"  expected sha256 {entry['sha256']}\n  got      sha256 {actual}"
            )
        dest = FONT_DIR / entry["file"]
        fd, tmp = tempfile.mkstemp(dir=FONT_DIR, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        print(f"  extract  {entry['file']} ({len(payload) / 1e6:.1f} MB) ok")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, fetch nothing")
    parser.add_argument(
        "--keep-downloads",
        action="store_true",
        help="keep the verified archives in fonts/.cache/downloads (default: delete them)",
    )
    args = parser.parse_args(argv)

    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        sources: dict[str, dict] = manifest["sources"]
        fonts: list[dict] = manifest["fonts"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"fetch_fonts: cannot read {MANIFEST}: {exc}", file=sys.stderr)
        return 1

    problems: list[str] = []
    todo: dict[str, dict[str, dict]] = {}

    for entry in fonts:
        path = FONT_DIR / entry["file"]
        if path.exists() and sha256_file(path) == entry["sha256"]:
            print(f"ok       {entry['file']}")
            continue
        state = "missing" if not path.exists() else "checksum mismatch"
        if entry["committed"]:
            problems.append(f"committed font {entry['file']}: {state} (restore it from git)")
        elif args.check:
            problems.append(f"fetched font {entry['file']}: {state} (run scripts/fetch_fonts.py)")
        else:
            todo.setdefault(entry["source"], {})[entry["member"]] = entry

    for source_id, wanted in todo.items():
        source = sources[source_id]
        print(f"{source_id}")
        with tempfile.TemporaryDirectory(prefix="fetch-fonts-") as tmp:
            try:
                archive = obtain(source_id, source, Path(tmp))
                extract(archive, source["kind"], wanted)
                if args.keep_downloads and archive.parent != DOWNLOADS:
                    DOWNLOADS.mkdir(parents=True, exist_ok=True)
                    shutil.move(archive, DOWNLOADS / source["archive"])
                elif not args.keep_downloads and archive.parent == DOWNLOADS:
                    archive.unlink(missing_ok=True)
            except FetchError as exc:
                problems.append(str(exc))
            except (tarfile.TarError, OSError, ValueError) as exc:
                problems.append(f"{source_id}: cannot extract the archive: {exc}")

    if problems:
        print("\nfetch_fonts: FAILED", file=sys.stderr)
        for problem in dict.fromkeys(problems):  # same message once (e.g. npm missing)
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("fetch_fonts: all fonts present and verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
