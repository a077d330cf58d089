"""The archive sanity check: re-hash every stored blob and compare with what the database expects."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from app.archive.blobs import CHUNK_BYTES, BlobCorrupt, BlobNotFound, BlobStore, check_sha256_hex


@dataclass(frozen=True)
class ArchiveReport:
    """Result of ``verify_archive`` (归档核验报告). Hash tuples are sorted."""

    checked: int
    """Blobs found in the store and re-hashed."""
    bytes: int
    """Total bytes read while re-hashing."""
    missing: tuple[str, ...] = ()
    """Expected (referenced by the database) but not in the store: 缺失."""
    corrupt: tuple[str, ...] = ()
    """In the store, but the content no longer hashes to the name: 损坏."""
    orphaned: tuple[str, ...] = ()
    """In the store but not expected: 孤立 (harmless, e.g. left by a failed transaction)."""

    @property
    def ok(self) -> bool:
        """True when nothing is missing or corrupt (orphans do not count)."""
        return not self.missing and not self.corrupt

    def lines_zh(self) -> list[str]:
        """Human-readable Chinese lines for the CLI (``flask archive verify``)."""
        lines = [f"已核验 {self.checked} 个文件，共 {self.bytes} 字节。"]
        for sha in self.missing:
            lines.append(f"缺失：{sha}")
        for sha in self.corrupt:
            lines.append(f"损坏（内容与摘要不符）：{sha}")
        for sha in self.orphaned:
            lines.append(f"孤立（未被引用，可保留）：{sha}")
        if self.ok:
            suffix = f"；另有 {len(self.orphaned)} 个未被引用的文件" if self.orphaned else ""
            lines.append(f"结论：归档完整{suffix}。")
        else:
            lines.append(f"结论：归档有问题——缺失 {len(self.missing)} 个，损坏 {len(self.corrupt)} 个。")
        return lines


def verify_archive(store: BlobStore, expected: Iterable[str]) -> ArchiveReport:
    """Re-hash every blob in ``store`` (streaming) and compare with ``expected`` hashes.

    :param store: any ``BlobStore``.
    :param expected: the hashes the database refers to (duplicates are fine).
    :returns: an ``ArchiveReport``; a blob that vanishes between listing and reading counts as missing
        when expected and is ignored otherwise.
    :raises ValueError: when ``expected`` holds something that is not a SHA-256 hex digest.
    """
    wanted = {check_sha256_hex(sha) for sha in expected}
    present: set[str] = set()
    corrupt: list[str] = []
    checked = 0
    total = 0
    for sha in store.iter_hashes():
        digest = hashlib.sha256()
        reader_says_corrupt = False
        try:
            with store.open(sha) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    digest.update(chunk)
                    total += len(chunk)
        except BlobNotFound:
            continue
        except BlobCorrupt:
            # The store's verifying reader noticed at EOF (and may have dropped the last chunk).
            reader_says_corrupt = True
        present.add(sha)
        checked += 1
        if reader_says_corrupt or digest.hexdigest() != sha:
            corrupt.append(sha)
    return ArchiveReport(
        checked=checked,
        bytes=total,
        missing=tuple(sorted(wanted - present)),
        corrupt=tuple(sorted(corrupt)),
        orphaned=tuple(sorted(present - wanted)),
    )
