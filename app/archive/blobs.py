"""Content-addressed blob store (SHA-256) on a local folder: write once, never modify."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobNotFound(KeyError):
    """No blob with that hash in the store."""


class LocalBlobStore:
    """Blobs at ``root/ab/abcdef...``; written via temp file, fsync and atomic rename."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, sha256_hex: str) -> Path:
        if len(sha256_hex) != 64 or any(c not in "0123456789abcdef" for c in sha256_hex):
            raise ValueError(f"not a SHA-256 hex digest: {sha256_hex!r}")
        return self.root / sha256_hex[:2] / sha256_hex

    def put(self, data: bytes) -> str:
        """Store ``data`` (no-op when already present) and return its SHA-256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def get(self, sha256_hex: str) -> bytes:
        """The blob's bytes; raises ``BlobNotFound``."""
        try:
            return self._path(sha256_hex).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256_hex) from None

    def exists(self, sha256_hex: str) -> bool:
        return self._path(sha256_hex).exists()
