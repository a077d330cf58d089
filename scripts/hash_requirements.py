"""Add the sha256 of every wheel of each pin to the requirements files, keeping the hashes there.

Usage: ``.venv/bin/python scripts/hash_requirements.py requirements.txt requirements-dev.txt``

Wheels for CPython 3.10-3.13 on manylinux x86_64 and aarch64 (Debian 12/13, Ubuntu 22.04/24.04),
pure-Python wheels included. Source archives are left out: pip would build each one's metadata to
download it (minutes), and a platform without a wheel should fail loudly rather than compile.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PIP = str(ROOT / ".venv" / "bin" / "pip")
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PLATFORMS = {
    arch: [f"manylinux_2_17_{arch}", f"manylinux2014_{arch}", f"manylinux_2_28_{arch}",
           f"manylinux_2_34_{arch}"]
    for arch in ("x86_64", "aarch64")
}
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+==[^\s\\]+)")


def wheel_hashes(pin: str, folder: pathlib.Path) -> tuple[str, set[str]]:
    """sha256 of every wheel pip finds for ``pin`` across PYTHONS and PLATFORMS."""
    target = folder / pin.split("==")[0].lower()
    target.mkdir(parents=True, exist_ok=True)
    for python in PYTHONS:
        for platforms in PLATFORMS.values():
            subprocess.run([PIP, "download", "-q", pin, "--no-deps", "-d", str(target),
                            "--python-version", python, "--only-binary=:all:",
                            *[arg for p in platforms for arg in ("--platform", p)]],
                           capture_output=True, check=False)
    return pin, {hashlib.sha256(f.read_bytes()).hexdigest() for f in target.iterdir()}


def rewrite(path: pathlib.Path, folder: pathlib.Path) -> None:
    lines = path.read_text().splitlines()
    pins = [m.group(1) for line in lines if (m := PIN.match(line))]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        found = dict(pool.map(lambda pin: wheel_hashes(pin, folder), pins))
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = PIN.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        pin, kept, i = match.group(1), [], i + 1
        while i < len(lines) and lines[i].strip().startswith("--hash="):
            kept.append(lines[i].strip().split("sha256:")[1].rstrip(" \\"))
            i += 1
        hashes = sorted(set(kept) | found.get(pin, set()))
        out.append(f"{pin} \\")
        out += [f"    --hash=sha256:{h}" + (" \\" if n < len(hashes) - 1 else "")
                for n, h in enumerate(hashes)]
        print(f"{pin}: {len(kept)} -> {len(hashes)} hashes", file=sys.stderr)
    path.write_text("\n".join(out) + "\n")


def main(paths: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="lyxy-wheels-") as folder:
        for path in paths:
            rewrite(pathlib.Path(path), pathlib.Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
