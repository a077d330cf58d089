"""Blob stores: one contract on both backends (local folder, S3 via a moto server), then each one's extras."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.archive.blobs import (
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    blob_store_from_config,
)

FIVE_MB = 5 * 1024 * 1024
PDF = b"%PDF-1.7\n% lyxy test blob\n%%EOF\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class OneWayStream(io.RawIOBase):
    """A non-seekable stream that hands out at most ``piece`` bytes per read, like a socket."""

    def __init__(self, data: bytes, piece: int = 64 * 1024) -> None:
        super().__init__()
        self._data = memoryview(data)
        self._pos = 0
        self._piece = piece

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self._piece, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


# --- the contract, on both backends -------------------------------------------------------------

def test_round_trip(blob_store: BlobStore) -> None:
    digest = blob_store.put(PDF)
    assert digest == sha(PDF)
    assert blob_store.get(digest) == PDF
    assert isinstance(blob_store, BlobStore)


def test_empty_blob(blob_store: BlobStore) -> None:
    digest = blob_store.put(b"")
    assert blob_store.get(digest) == b""
    assert blob_store.size(digest) == 0


def test_put_is_idempotent(blob_store: BlobStore) -> None:
    first = blob_store.put(PDF)
    second = blob_store.put(PDF)
    third = blob_store.put_stream(io.BytesIO(PDF))
    assert first == second == third
    assert list(blob_store.iter_hashes()) == [first]
    assert blob_store.get(first) == PDF


def test_put_stream_5mb(blob_store: BlobStore) -> None:
    data = random.Random(7).randbytes(FIVE_MB)
    digest = blob_store.put_stream(io.BufferedReader(OneWayStream(data)))
    assert digest == sha(data)
    assert blob_store.size(digest) == FIVE_MB
    assert blob_store.get(digest) == data


def test_open_streams_in_chunks(blob_store: BlobStore) -> None:
    data = random.Random(8).randbytes(FIVE_MB // 2 + 17)
    digest = blob_store.put(data)
    pieces = []
    with blob_store.open(digest) as stream:
        while piece := stream.read(100_000):
            assert len(piece) <= 100_000
            pieces.append(piece)
    assert len(pieces) > 1
    assert b"".join(pieces) == data


def test_exists(blob_store: BlobStore) -> None:
    digest = sha(PDF)
    assert not blob_store.exists(digest)
    blob_store.put(PDF)
    assert blob_store.exists(digest)


def test_iter_hashes_and_size(blob_store: BlobStore) -> None:
    contents = [b"a", b"bb", PDF, bytes(range(256)) * 40]
    digests = {blob_store.put(c): len(c) for c in contents}
    assert sorted(blob_store.iter_hashes()) == sorted(digests)
    for digest, length in digests.items():
        assert blob_store.size(digest) == length


def test_iter_hashes_of_empty_store(blob_store: BlobStore) -> None:
    assert list(blob_store.iter_hashes()) == []


def test_no_way_to_delete_or_replace(blob_store: BlobStore) -> None:
    for name in ("delete", "remove", "unlink", "discard", "pop", "clear", "replace", "overwrite",
                 "__delitem__", "__setitem__"):
        assert not hasattr(blob_store, name), name
        assert not hasattr(BlobStore, name), name


def test_unknown_hash_is_not_found(blob_store: BlobStore) -> None:
    unknown = sha(b"never stored")
    with pytest.raises(BlobNotFound):
        blob_store.get(unknown)
    with pytest.raises(BlobNotFound):
        blob_store.open(unknown)
    with pytest.raises(BlobNotFound):
        blob_store.size(unknown)
    with pytest.raises(KeyError):  # the services catch BlobNotFound, which stays a KeyError
        blob_store.get(unknown)


BAD_HASHES = [
    "../../etc/passwd",
    "",
    "ab",
    sha(PDF).upper(),
    sha(PDF)[:63],
    sha(PDF) + "0",
    sha(PDF) + "\n",
    "../" + sha(PDF)[3:],
    "ab/../../../../../../../../../../../../../../../../../../../../../../../etc/passwd",
    "/" * 64,
    "g" * 64,
    None,
    b"\x00" * 32,
]


@pytest.mark.parametrize("bad", BAD_HASHES, ids=repr)
def test_invalid_hash_is_refused(blob_store: BlobStore, bad: Any) -> None:
    for method in (blob_store.get, blob_store.open, blob_store.exists, blob_store.size):
        with pytest.raises(ValueError):
            method(bad)


class _NoCallsClient:
    """Stands in for boto3: any attribute access means the hash got past validation."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"S3 client used: {name}")


@pytest.mark.parametrize("bad", ["../../etc/passwd", "../" * 21 + "x", "..\\..\\x" + "0" * 56])
def test_traversal_never_reaches_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("file system touched")

    for name in ("open", "read_bytes", "stat", "exists", "is_file"):
        monkeypatch.setattr(Path, name, forbidden)
    stores: list[BlobStore] = [LocalBlobStore(tmp_path), S3BlobStore("bucket", client=_NoCallsClient())]
    for store in stores:
        for method in (store.get, store.open, store.exists, store.size):
            with pytest.raises(ValueError):
                method(bad)


# --- local only ---------------------------------------------------------------------------------

def test_local_layout_and_read_only(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(PDF)
    streamed = store.put_stream(io.BytesIO(PDF * 3))
    for d in (digest, streamed):
        path = tmp_path / d[:2] / d
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    if os.geteuid() != 0:  # root ignores mode bits; the mode check above still holds
        with pytest.raises(PermissionError):
            (tmp_path / digest[:2] / digest).open("r+b")


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("how", ["put", "put_stream"])
def test_local_failed_write_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                how: str) -> None:
    store = LocalBlobStore(tmp_path)

    def failing_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        if how == "put":
            store.put(PDF)
        else:
            store.put_stream(io.BytesIO(PDF))
    monkeypatch.undo()
    assert _leftovers(tmp_path) == []
    assert not store.exists(sha(PDF))
    assert store.put(PDF) == sha(PDF)  # and the store still works afterwards
    assert _leftovers(tmp_path) == [tmp_path / sha(PDF)[:2] / sha(PDF)]


def test_local_failed_read_of_source_leaves_no_temp_file(tmp_path: Path) -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        LocalBlobStore(tmp_path).put_stream(Broken())
    assert _leftovers(tmp_path) == []


def test_local_two_threads_racing_on_same_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = random.Random(9).randbytes(300_000)
    # Both threads must pass the "already there?" check before either renames: meet at a barrier.
    barrier = threading.Barrier(2, timeout=10)
    real_replace = os.replace

    def replace_after_both_arrive(src: Any, dst: Any) -> None:
        barrier.wait()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_both_arrive)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(use_stream: bool) -> None:
        store = LocalBlobStore(tmp_path)  # separate instances, as in two request handlers
        try:
            results.append(store.put_stream(io.BytesIO(data)) if use_stream else store.put(data))
        except BaseException as exc:  # reported below; a thread must not swallow it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(flag,)) for flag in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert results == [sha(data), sha(data)]
    assert _leftovers(tmp_path) == [tmp_path / sha(data)[:2] / sha(data)]
    assert LocalBlobStore(tmp_path).get(sha(data)) == data


def test_local_iter_hashes_skips_temp_and_stray_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(PDF)
    (tmp_path / ".tmp-abc").write_bytes(b"partial")
    (tmp_path / digest[:2] / ".tmp-def").write_bytes(b"partial")
    (tmp_path / digest[:2] / "README").write_text("x")
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / sha(b"misfiled")).write_bytes(b"misfiled")  # wrong shard
    assert list(store.iter_hashes()) == [digest]


def test_local_get_detects_corruption(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(PDF)
    path = tmp_path / digest[:2] / digest
    path.chmod(0o644)
    path.write_bytes(PDF.replace(b"lyxy", b"LYXY"))
    with pytest.raises(BlobCorrupt):
        store.get(digest)
    with pytest.raises(BlobCorrupt), store.open(digest) as stream:
        stream.read()


# --- S3 only ------------------------------------------------------------------------------------

@pytest.fixture
def s3_store(s3_bucket: str, s3_client_factory: Callable[[], Any]) -> S3BlobStore:
    return S3BlobStore(s3_bucket, client=s3_client_factory())


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_s3_key_layout_and_checksum(s3_store: S3BlobStore) -> None:
    data = random.Random(10).randbytes(FIVE_MB)
    for digest, content in ((s3_store.put(PDF), PDF), (s3_store.put_stream(io.BytesIO(data)), data)):
        key = f"blobs/{digest[:2]}/{digest}"
        head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=key, ChecksumMode="ENABLED")
        assert head["ChecksumSHA256"] == _b64_sha256(content)
        assert head["ContentLength"] == len(content)


def test_s3_put_sends_if_none_match_and_checksum(s3_store: S3BlobStore) -> None:
    seen: list[dict[str, str]] = []

    def capture(request: Any, **_kwargs: Any) -> None:
        seen.append({k.lower(): v if isinstance(v, str) else v.decode() for k, v in request.headers.items()})

    s3_store.client.meta.events.register("before-send.s3.PutObject", capture)
    s3_store.put(PDF)
    assert len(seen) == 1
    assert seen[0]["if-none-match"] == "*"
    assert seen[0]["x-amz-checksum-sha256"] == _b64_sha256(PDF)


def _tamper(s3_store: S3BlobStore, digest: str, data: bytes) -> None:
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=f"blobs/{digest[:2]}/{digest}", Body=data)


def test_s3_tampered_object_is_corrupt(s3_store: S3BlobStore) -> None:
    digest = s3_store.put(PDF)
    _tamper(s3_store, digest, PDF.replace(b"lyxy", b"LYXY"))
    with pytest.raises(BlobCorrupt) as info:
        s3_store.get(digest)
    assert info.value.sha256_hex == digest
    with pytest.raises(BlobCorrupt), s3_store.open(digest) as stream:
        stream.read()


def test_s3_put_never_overwrites(s3_store: S3BlobStore) -> None:
    digest = s3_store.put(PDF)
    same_size = PDF.replace(b"lyxy", b"LYXY")
    _tamper(s3_store, digest, same_size)
    assert s3_store.put(PDF) == digest  # 412 from If-None-Match, existing size matches: success
    assert s3_store.client.get_object(Bucket=s3_store.bucket,
                                      Key=f"blobs/{digest[:2]}/{digest}")["Body"].read() == same_size
    _tamper(s3_store, digest, b"short")
    with pytest.raises(BlobCorrupt):  # a different size under the name cannot be our content
        s3_store.put(PDF)


def test_s3_iter_hashes_ignores_foreign_keys(s3_store: S3BlobStore) -> None:
    digest = s3_store.put(PDF)
    client, bucket = s3_store.client, s3_store.bucket
    client.put_object(Bucket=bucket, Key="blobs/README.txt", Body=b"x")
    client.put_object(Bucket=bucket, Key=f"blobs/zz/{sha(b'x')}", Body=b"x")
    client.put_object(Bucket=bucket, Key=f"other/{sha(b'y')[:2]}/{sha(b'y')}", Body=b"y")
    assert list(s3_store.iter_hashes()) == [digest]


def test_s3_prefix_is_normalised(s3_bucket: str, s3_client_factory: Callable[[], Any]) -> None:
    store = S3BlobStore(s3_bucket, client=s3_client_factory(), prefix="tenant-a")
    digest = store.put(PDF)
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == [f"tenant-a/{digest[:2]}/{digest}"]
    other = S3BlobStore(s3_bucket, client=s3_client_factory(), prefix="tenant-b/")
    assert list(other.iter_hashes()) == []
    assert not other.exists(digest)


# --- configuration ------------------------------------------------------------------------------

def test_config_local_is_the_default(tmp_path: Path) -> None:
    store = blob_store_from_config({"ARCHIVE_DIR": str(tmp_path)})
    assert isinstance(store, LocalBlobStore)
    assert store.get(store.put(PDF)) == PDF
    assert isinstance(blob_store_from_config({"ARCHIVE_BACKEND": "local", "ARCHIVE_DIR": tmp_path}),
                      LocalBlobStore)


def test_config_s3(moto_endpoint: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    store = blob_store_from_config({
        "ARCHIVE_BACKEND": "s3", "ARCHIVE_S3_BUCKET": s3_bucket, "ARCHIVE_S3_ENDPOINT_URL": moto_endpoint,
        "ARCHIVE_S3_REGION": "us-east-1", "ARCHIVE_S3_PREFIX": "archive/",
    })
    assert isinstance(store, S3BlobStore)
    digest = store.put(PDF)
    assert store.get(digest) == PDF
    assert store.client.head_object(Bucket=s3_bucket, Key=f"archive/{digest[:2]}/{digest}")


@pytest.mark.parametrize(("config", "message"), [
    ({"ARCHIVE_BACKEND": "ftp", "ARCHIVE_DIR": "/tmp"}, "未知的归档后端.*unknown ARCHIVE_BACKEND 'ftp'"),
    ({"ARCHIVE_BACKEND": "s3"}, "未配置 S3 存储桶.*ARCHIVE_S3_BUCKET is not set"),
    ({"ARCHIVE_BACKEND": "s3", "ARCHIVE_S3_BUCKET": ""}, "ARCHIVE_S3_BUCKET is not set"),
    ({}, "未配置归档目录.*ARCHIVE_DIR is not set"),
])
def test_config_errors(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        blob_store_from_config(config)


def test_s3_two_threads_racing_on_same_content(s3_store: S3BlobStore,
                                               s3_client_factory: Callable[[], Any]) -> None:
    data = random.Random(11).randbytes(1_000_000)
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        store = S3BlobStore(s3_store.bucket, client=s3_client_factory())
        barrier.wait()
        try:
            results.append(store.put(data))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert results == [sha(data), sha(data)]
    assert list(s3_store.iter_hashes()) == [sha(data)]
    assert s3_store.get(sha(data)) == data
