"""verify_archive: re-hash everything, report missing, corrupt and orphaned blobs, on both backends."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import pytest

from app.archive.blobs import BlobStore, LocalBlobStore, S3BlobStore
from app.archive.verify import ArchiveReport, verify_archive

CONTENTS = [b"%PDF-1.7 first", b"%PDF-1.7 second document", b"seal.png" * 100]


def _flip_one_byte(store: BlobStore, digest: str) -> None:
    """Change one byte of a stored blob behind the store's back."""
    if isinstance(store, LocalBlobStore):
        path = store.root / digest[:2] / digest
        path.chmod(0o644)  # chmod u+w
        data = bytearray(path.read_bytes())
        data[0] ^= 0x01
        path.write_bytes(bytes(data))
    else:
        assert isinstance(store, S3BlobStore)
        key = f"{store.prefix}{digest[:2]}/{digest}"
        data = bytearray(store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read())
        data[0] ^= 0x01
        store.client.put_object(Bucket=store.bucket, Key=key, Body=bytes(data))


def _remove(store: BlobStore, digest: str) -> None:
    """Remove a blob behind the store's back (the store itself cannot)."""
    if isinstance(store, LocalBlobStore):
        (store.root / digest[:2] / digest).unlink()
    else:
        assert isinstance(store, S3BlobStore)
        store.client.delete_object(Bucket=store.bucket, Key=f"{store.prefix}{digest[:2]}/{digest}")


def test_clean_store_is_ok(blob_store: BlobStore) -> None:
    digests = [blob_store.put(c) for c in CONTENTS]
    report = verify_archive(blob_store, digests + digests[:1])  # duplicates in expected are fine
    assert report == ArchiveReport(checked=3, bytes=sum(map(len, CONTENTS)))
    assert report.ok
    assert report.lines_zh() == ["已核验 3 个文件，共 838 字节。", "结论：归档完整。"]


def test_empty_store_and_nothing_expected(blob_store: BlobStore) -> None:
    report = verify_archive(blob_store, [])
    assert report.ok
    assert report.checked == 0
    assert report.bytes == 0


def test_corrupt_missing_orphaned(blob_store: BlobStore) -> None:
    kept, damaged, removed = (blob_store.put(c) for c in CONTENTS)
    orphan = blob_store.put(b"left behind by a rolled-back transaction")
    _flip_one_byte(blob_store, damaged)
    _remove(blob_store, removed)
    never_stored = hashlib.sha256(b"referenced, never stored").hexdigest()

    report = verify_archive(blob_store, [kept, damaged, removed, never_stored])

    assert report.corrupt == (damaged,)
    assert report.missing == tuple(sorted([removed, never_stored]))
    assert report.orphaned == (orphan,)
    assert report.checked == 3
    assert not report.ok
    lines = report.lines_zh()
    assert f"损坏（内容与摘要不符）：{damaged}" in lines
    assert f"缺失：{removed}" in lines
    assert f"孤立（未被引用，可保留）：{orphan}" in lines
    assert lines[-1] == "结论：归档有问题——缺失 2 个，损坏 1 个。"


def test_orphans_alone_are_ok(blob_store: BlobStore) -> None:
    expected = blob_store.put(CONTENTS[0])
    orphan = blob_store.put(CONTENTS[1])
    report = verify_archive(blob_store, [expected])
    assert report.ok
    assert report.orphaned == (orphan,)
    assert report.lines_zh()[-1] == "结论：归档完整；另有 1 个未被引用的文件。"


def test_corrupt_blob_not_expected_is_still_corrupt(blob_store: BlobStore) -> None:
    digest = blob_store.put(CONTENTS[2])
    _flip_one_byte(blob_store, digest)
    report = verify_archive(blob_store, [])
    assert report.corrupt == (digest,)
    assert not report.ok


def test_local_same_length_corruption_deep_inside(tmp_path: Path) -> None:
    """A byte changed after the first megabyte: size and name look fine, only re-hashing finds it."""
    store = LocalBlobStore(tmp_path)
    data = bytes(range(256)) * 8192  # 2 MiB
    digest = store.put(data)
    path = tmp_path / digest[:2] / digest
    path.chmod(0o644)
    with path.open("r+b") as fh:
        fh.seek(1_500_000)
        fh.write(b"\x00")
    assert store.size(digest) == len(data)
    report = verify_archive(store, [digest])
    assert report.corrupt == (digest,)
    assert report.bytes == len(data)


def test_verify_streams_and_never_loads_whole_blobs(blob_store: BlobStore,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    digests = [blob_store.put(c) for c in CONTENTS]

    def no_get(_sha: str) -> Any:
        raise AssertionError("verify_archive must stream through open(), not get()")

    monkeypatch.setattr(blob_store, "get", no_get)
    assert verify_archive(blob_store, digests).ok


def test_expected_must_be_hashes(blob_store: BlobStore) -> None:
    with pytest.raises(ValueError):
        verify_archive(blob_store, ["../../etc/passwd"])


def test_report_is_frozen() -> None:
    report = ArchiveReport(checked=0, bytes=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.checked = 1  # type: ignore[misc]
