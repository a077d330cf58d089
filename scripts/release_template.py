"""Release a NEW template version: write its files' SHA-256 into templates/MANIFEST.json.

Usage: ``.venv/bin/python scripts/release_template.py <family> <version>``, e.g.
``scripts/release_template.py commitment v3`` after creating templates/commitment/v3/ and adding
the version to app/documents/registry.py. Refuses (exit 1) a version that is already released:
released files never change, so their entry is never rewritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.documents.manifest import AlreadyReleased, release  # noqa: E402
from app.documents.registry import UnknownTemplateVersion, template_version  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    family, version = argv
    try:
        entry = release(template_version(family, version))
    except UnknownTemplateVersion as exc:
        print(f"{exc}: add it to app/documents/registry.py first", file=sys.stderr)
        return 1
    except (AlreadyReleased, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, digest in entry.items():
        print(f"{digest}  {family}/{version}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
