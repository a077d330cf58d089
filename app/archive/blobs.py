"""Content-addressed blob stores (SHA-256), on a local folder or S3: write once, never modify or delete."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

CHUNK_BYTES = 1024 * 1024
"""Read/write granularity for streaming puts, reads and re-hashing."""

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BlobNotFound(KeyError):
    """No blob with that hash in the store (归档文件不存在)."""


class BlobCorrupt(Exception):
    """A stored blob's content does not hash to its name (归档文件已损坏)."""

    def __init__(self, sha256_hex: str, actual_sha256_hex: str | None = None) -> None:
        self.sha256_hex = sha256_hex
        self.actual_sha256_hex = actual_sha256_hex
        detail = f" (content hashes to {actual_sha256_hex})" if actual_sha256_hex else ""
        super().__init__(f"归档文件已损坏 / blob is corrupt: {sha256_hex}{detail}")


def check_sha256_hex(value: object) -> str:
    """Return ``value`` if it is a lowercase 64-digit SHA-256 hex string; raise ``ValueError`` otherwise.

    Every method that takes a hash calls this first, so a name such as ``../../etc/passwd`` never
    reaches a file system path or an S3 key.
    """
    if not isinstance(value, str) or not _SHA256_HEX.fullmatch(value):
        raise ValueError(f"不是 SHA-256 摘要 / not a SHA-256 hex digest: {value!r}")
    return value


@runtime_checkable
class BlobStore(Protocol):
    """What the services need from an archive. There is deliberately no way to delete or replace a blob."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (a no-op when already present) and return its SHA-256 hex digest."""
        ...

    def put_stream(self, stream: BinaryIO) -> str:
        """Store everything read from ``stream`` until EOF, hashing as it goes; return the hex digest."""
        ...

    def get(self, sha256_hex: str) -> bytes:
        """The blob's bytes, checked against its hash; raises ``BlobNotFound``, ``BlobCorrupt``."""
        ...

    def open(self, sha256_hex: str) -> BinaryIO:
        """A binary stream of the blob; raises ``BlobNotFound`` now and ``BlobCorrupt`` at EOF."""
        ...

    def exists(self, sha256_hex: str) -> bool:
        """Whether a blob with that hash is stored."""
        ...

    def iter_hashes(self) -> Iterator[str]:
        """The hashes of all stored blobs (names only; nothing is re-hashed)."""
        ...

    def size(self, sha256_hex: str) -> int:
        """The blob's length in bytes; raises ``BlobNotFound``."""
        ...


class _VerifyingReader(io.RawIOBase):
    """Pass bytes through from ``inner`` while hashing them; raise ``BlobCorrupt`` at EOF on mismatch."""

    def __init__(self, inner: Any, sha256_hex: str) -> None:
        super().__init__()
        self._inner = inner
        self._expected = sha256_hex
        self._hash = hashlib.sha256()
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._inner.read(len(view))
        if not data:
            if not self._checked:
                self._checked = True
                actual = self._hash.hexdigest()
                if actual != self._expected:
                    raise BlobCorrupt(self._expected, actual)
            return 0
        self._hash.update(data)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()


def _verifying_stream(inner: Any, sha256_hex: str) -> BinaryIO:
    return io.BufferedReader(_VerifyingReader(inner, sha256_hex), buffer_size=CHUNK_BYTES)


def fsync_dir(path: Path) -> None:
    """Make the names created in (or removed from) folder ``path`` durable."""
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class LocalBlobStore:
    """Blobs at ``root/ab/abcdef...``, mode 0444; written via temp file, fsync, atomic rename, fsync dir.

    Two writers racing on the same content both succeed: each writes its own temp file and the
    second rename replaces the first file with identical bytes, so readers always see a whole file.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, sha256_hex: str) -> Path:
        check_sha256_hex(sha256_hex)
        return self.root / sha256_hex[:2] / sha256_hex

    def put(self, data: bytes) -> str:
        """Store ``data`` (no-op when already present) and return its SHA-256 hex digest."""
        sha = hashlib.sha256(data).hexdigest()
        if self._path(sha).exists():
            return sha
        return self.put_stream(io.BytesIO(data))

    def put_stream(self, stream: BinaryIO) -> str:
        """Copy ``stream`` to a temp file in ``root`` while hashing, then rename it into place."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as fh:
                while chunk := stream.read(CHUNK_BYTES):
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            sha = digest.hexdigest()
            path = self._path(sha)
            if path.exists():
                tmp.unlink()
                return sha
            os.chmod(tmp, 0o444)
            if not path.parent.is_dir():
                path.parent.mkdir(exist_ok=True)
                fsync_dir(self.root)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)
        fsync_dir(self.root)  # the temp file's name left root: make that durable too
        return sha

    def get(self, sha256_hex: str) -> bytes:
        """The blob's bytes; raises ``BlobNotFound``, or ``BlobCorrupt`` when they no longer match."""
        try:
            data = self._path(sha256_hex).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256_hex) from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256_hex:
            raise BlobCorrupt(sha256_hex, actual)
        return data

    def open(self, sha256_hex: str) -> BinaryIO:
        """A verifying read stream; raises ``BlobNotFound`` now, ``BlobCorrupt`` when read to EOF."""
        try:
            fh = self._path(sha256_hex).open("rb", buffering=0)
        except FileNotFoundError:
            raise BlobNotFound(sha256_hex) from None
        return _verifying_stream(fh, sha256_hex)

    def exists(self, sha256_hex: str) -> bool:
        return self._path(sha256_hex).is_file()

    def iter_hashes(self) -> Iterator[str]:
        """Hashes of the files under ``root/xx/``, sorted; temp files and stray names are skipped."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            for entry in sorted(shard.iterdir()):
                name = entry.name
                if _SHA256_HEX.fullmatch(name) and name[:2] == shard.name and entry.is_file():
                    yield name

    def size(self, sha256_hex: str) -> int:
        try:
            return self._path(sha256_hex).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(sha256_hex) from None


_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_CONFLICT_RETRIES = 3


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """Blobs as S3 objects ``prefix + ab/abcdef...``, put with a SHA-256 checksum and ``If-None-Match: *``.

    S3 checks the ``ChecksumSHA256`` on upload (moto records it but does not verify it); reads are
    re-hashed here, so a replaced object is detected as ``BlobCorrupt``. Protect the bucket itself
    with versioning or Object Lock: the store never deletes, but the bucket policy decides who can.
    """

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str = "us-east-1",
                 prefix: str = "blobs/", client: Any = None) -> None:
        """``prefix`` gets a trailing ``/`` if it lacks one; ``client`` (a boto3 S3 client) wins over
        ``endpoint_url``/``region``. Credentials come from the usual boto3 environment."""
        if not bucket:
            raise ValueError("缺少 S3 存储桶名称 / S3 bucket name is required")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            import boto3
            from botocore.config import Config

            config = Config(s3={"addressing_style": "path"}) if endpoint_url else None
            client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region,
                                  config=config)
        self.client = client

    def _key(self, sha256_hex: str) -> str:
        check_sha256_hex(sha256_hex)
        return f"{self.prefix}{sha256_hex[:2]}/{sha256_hex}"

    def _upload(self, sha256_hex: str, body: BinaryIO, length: int, digest: bytes) -> str:
        """PUT unless present; an existing object of the right size counts as success."""
        from botocore.exceptions import ClientError

        key = self._key(sha256_hex)
        start = body.tell()
        for _attempt in range(_CONFLICT_RETRIES):
            body.seek(start)
            try:
                self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body, ContentLength=length,
                    # ChecksumAlgorithm is only the SDK's hint header; moto records the checksum
                    # only when it is present. Real S3 verifies the value and answers BadDigest.
                    ChecksumAlgorithm="SHA256", ChecksumSHA256=base64.b64encode(digest).decode("ascii"),
                    IfNoneMatch="*",
                    ContentType="application/octet-stream")
                return sha256_hex
            except ClientError as error:
                code = _error_code(error)
                if code == "ConditionalRequestConflict":  # another writer's PUT is in flight: retry
                    continue
                if code != "PreconditionFailed":
                    raise
            existing = self.size(sha256_hex)
            if existing != length:
                raise BlobCorrupt(sha256_hex)
            return sha256_hex
        raise RuntimeError(f"S3 conditional write kept conflicting for {key}")

    def put(self, data: bytes) -> str:
        """Store ``data`` (no-op when already present) and return its SHA-256 hex digest."""
        digest = hashlib.sha256(data).digest()
        return self._upload(digest.hex(), io.BytesIO(data), len(data), digest)

    def put_stream(self, stream: BinaryIO) -> str:
        """Spool ``stream`` to a local temp file while hashing, then upload it under its hash."""
        digest = hashlib.sha256()
        length = 0
        with tempfile.TemporaryFile(prefix="lyxy-blob-") as spool:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
                spool.write(chunk)
                length += len(chunk)
            spool.flush()
            spool.seek(0)
            return self._upload(digest.hexdigest(), spool, length, digest.digest())

    def _get_object(self, sha256_hex: str) -> Any:
        from botocore.exceptions import ClientError

        key = self._key(sha256_hex)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _NOT_FOUND_CODES:
                raise BlobNotFound(sha256_hex) from None
            raise

    def get(self, sha256_hex: str) -> bytes:
        """The blob's bytes; raises ``BlobNotFound``, or ``BlobCorrupt`` when they do not match the hash."""
        body = self._get_object(sha256_hex)["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256_hex:
            raise BlobCorrupt(sha256_hex, actual)
        return data

    def open(self, sha256_hex: str) -> BinaryIO:
        """A verifying read stream; raises ``BlobNotFound`` now, ``BlobCorrupt`` when read to EOF."""
        return _verifying_stream(self._get_object(sha256_hex)["Body"], sha256_hex)

    def _head(self, sha256_hex: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        key = self._key(sha256_hex)
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _NOT_FOUND_CODES:
                return None
            raise

    def exists(self, sha256_hex: str) -> bool:
        return self._head(sha256_hex) is not None

    def size(self, sha256_hex: str) -> int:
        head = self._head(sha256_hex)
        if head is None:
            raise BlobNotFound(sha256_hex)
        return int(head["ContentLength"])

    def iter_hashes(self) -> Iterator[str]:
        """Hashes of the objects under ``prefix``, in key order; other keys are skipped."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                rest = item["Key"][len(self.prefix):]
                shard, _, name = rest.partition("/")
                if _SHA256_HEX.fullmatch(name) and shard == name[:2]:
                    yield name


def blob_store_from_config(config: Mapping[str, object]) -> BlobStore:
    """Build the store named by ``ARCHIVE_BACKEND``: ``"local"`` (default) or ``"s3"``.

    local: ``ARCHIVE_DIR``. s3: ``ARCHIVE_S3_BUCKET`` (required), ``ARCHIVE_S3_ENDPOINT_URL``,
    ``ARCHIVE_S3_REGION`` (default us-east-1), ``ARCHIVE_S3_PREFIX`` (default ``blobs/``); credentials
    from the usual boto3 environment. Raises ``ValueError`` for an unknown backend or missing setting.
    """
    backend = str(config.get("ARCHIVE_BACKEND") or "local").strip().lower()
    if backend == "local":
        root = config.get("ARCHIVE_DIR")
        if not root:
            raise ValueError("未配置归档目录 ARCHIVE_DIR / ARCHIVE_DIR is not set for the local archive")
        return LocalBlobStore(str(root))
    if backend == "s3":
        bucket = config.get("ARCHIVE_S3_BUCKET")
        if not bucket:
            raise ValueError("未配置 S3 存储桶 ARCHIVE_S3_BUCKET / ARCHIVE_S3_BUCKET is not set "
                             "for the s3 archive")
        endpoint = config.get("ARCHIVE_S3_ENDPOINT_URL")
        prefix = config.get("ARCHIVE_S3_PREFIX")
        return S3BlobStore(str(bucket), endpoint_url=str(endpoint) if endpoint else None,
                           region=str(config.get("ARCHIVE_S3_REGION") or "us-east-1"),
                           prefix="blobs/" if prefix is None else str(prefix))
    raise ValueError(f"未知的归档后端 ARCHIVE_BACKEND={backend!r}（可选 local、s3） / "
                     f"unknown ARCHIVE_BACKEND {backend!r} (expected 'local' or 's3')")
