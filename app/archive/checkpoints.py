"""Audit checkpoints (审计日志检查点): signed, chained records of the log's head kept outside the database.

The audit table alone cannot show that its newest rows were deleted (issue 10 §5). After every
commit that appended entries, a checkpoint ``{seq, last_id, last_hash, at, prev}`` is written to a
folder the database cannot reach, HMAC-signed with a key derived from the audit key:

- ``cp-000000000001.json``, ``cp-000000000002.json`` … are created once and never replaced
  (``os.link`` fails when the name exists), mode 0444; each names the SHA-256 of its predecessor,
  so deleting or editing one in the middle breaks the chain;
- ``latest.json`` (signed) names the newest checkpoint and its head: deleting the newest
  checkpoints leaves the pointer ahead of them, and a lost pointer is reported;
- writers take an exclusive ``flock`` on ``.lock`` (all workers of one host), so two workers can
  never fork the chain or move the pointer backwards; a checkpoint is only written when it covers
  a newer entry than the newest one (entries chain to each other, so the newest covers the rest).

What this cannot see: someone who can write this folder *and* kept an old signed ``latest.json``
can roll both back together. Put the folder on storage the service may append to but not delete
from (a WORM mount, a separate host, or S3 Object Lock via a synced copy), see README "Security".
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.archive.blobs import fsync_dir

GENESIS = "0" * 64
"""``prev`` of the first checkpoint."""
POINTER_NAME = "latest.json"
LOCK_NAME = ".lock"
_CHECKPOINT_NAME = re.compile(r"cp-(\d{12})\.json")


def checkpoint_key(audit_key: bytes) -> bytes:
    """The checkpoint signing key, derived from the audit key (separate from the entry HMACs)."""
    return hmac.new(audit_key, b"lyxy-audit-checkpoint-v1", hashlib.sha256).digest()


class CheckpointError(Exception):
    """The checkpoint folder is in a state a writer must not paper over (检查点异常)."""


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint of the audit log's head."""

    seq: int
    """Position in the checkpoint chain, from 1."""
    last_id: int
    """Id of the newest audit entry the checkpoint covers."""
    last_hash: str
    """That entry's ``entry_hash``."""
    at: str
    """When it was written (ISO 8601, UTC); informative only."""
    prev: str
    """SHA-256 of the previous checkpoint's file (``GENESIS`` for seq 1)."""
    sha256: str = ""
    """SHA-256 of this checkpoint's file."""


@dataclass
class CheckpointReport:
    """What ``CheckpointStore.verify`` found: the head to hold the table against, and problems."""

    head: Checkpoint | None = None
    """The newest head the folder vouches for (from the pointer when it is ahead of the files)."""
    count: int = 0
    """Checkpoint files found."""
    problems: list[str] = field(default_factory=list)
    """Chinese descriptions; empty when the folder is intact."""


def _canonical(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sign(key: bytes, payload: dict[str, object]) -> bytes:
    mac = hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()
    return _canonical({**payload, "mac": mac})


def _open_signed(key: bytes, data: bytes) -> dict[str, object] | None:
    """The payload when ``data`` is well-formed JSON with a valid MAC, else ``None``."""
    try:
        payload = json.loads(data)
        mac = payload.pop("mac")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    expected = hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()
    if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
        return None
    return payload


class CheckpointStore:
    """Checkpoints in a local folder (see the module docstring for the layout and guarantees)."""

    def __init__(self, root: str | os.PathLike[str], key: bytes) -> None:
        """:param root: the folder; created on first write.
        :param key: the checkpoint key (``checkpoint_key(audit_key(SECRET_KEY))``)."""
        self.root = Path(root)
        self._key = key

    # --- reading ----------------------------------------------------------------------

    def _path(self, seq: int) -> Path:
        return self.root / f"cp-{seq:012d}.json"

    def _load(self, seq: int) -> Checkpoint | None:
        """Checkpoint ``seq`` when its file exists and its signature holds; ``None`` if absent.

        :raises CheckpointError: the file exists but is not a checkpoint signed with our key.
        """
        try:
            data = self._path(seq).read_bytes()
        except FileNotFoundError:
            return None
        payload = _open_signed(self._key, data)
        if payload is None or payload.get("seq") != seq:
            raise CheckpointError(f"检查点第{seq}个签名无效（被伪造或修改）")
        return Checkpoint(seq=seq, last_id=int(payload["last_id"]),  # type: ignore[arg-type]
                          last_hash=str(payload["last_hash"]), at=str(payload["at"]),
                          prev=str(payload["prev"]), sha256=hashlib.sha256(data).hexdigest())

    def _read_pointer(self) -> dict[str, object] | None:
        """The signed pointer; ``None`` if absent. :raises CheckpointError: forged pointer."""
        try:
            data = (self.root / POINTER_NAME).read_bytes()
        except FileNotFoundError:
            return None
        payload = _open_signed(self._key, data)
        if payload is None:
            raise CheckpointError(f"最新检查点指针 {POINTER_NAME} 签名无效（被伪造或修改）")
        return payload

    def _listed_seqs(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(m.group(1)) for name in os.listdir(self.root)
                      if (m := _CHECKPOINT_NAME.fullmatch(name)))

    # --- writing ----------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write_new(self, path: Path, data: bytes, *, replace: bool, sync_dir: bool = True) -> None:
        """Write ``data`` to ``path`` via temp file + fsync; ``os.link`` (never replaces) unless
        ``replace``; then fsync the folder unless ``sync_dir`` is false (a later write will).
        :raises FileExistsError: ``path`` exists and ``replace`` is false."""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            if replace:
                os.replace(tmp, path)
            else:
                os.link(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if sync_dir:
            fsync_dir(self.root)

    def _head_for_append(self) -> Checkpoint | None:
        """The newest checkpoint, found from the pointer and then forward (a writer that died
        between the checkpoint and the pointer leaves the pointer one behind).

        :raises CheckpointError: the pointer is missing while checkpoints exist, or forged, or
            names a checkpoint that is gone: a writer must not heal what ``verify`` must report.
        """
        pointer = self._read_pointer()
        if pointer is None:
            if self._listed_seqs():
                raise CheckpointError(f"最新检查点指针 {POINTER_NAME} 缺失，而检查点文件存在")
            return None
        seq = int(pointer["seq"])  # type: ignore[arg-type]
        head = self._load(seq)
        if head is None or head.sha256 != pointer.get("checkpoint_sha256"):
            raise CheckpointError(f"最新检查点指针指向的第{seq}个检查点缺失或不符")
        while (following := self._load(head.seq + 1)) is not None:
            if following.prev != head.sha256:
                raise CheckpointError(f"检查点第{following.seq}个与前一个不衔接")
            head = following
        return head

    def append(self, last_id: int, last_hash: str, at: str, *,
               may_start_chain: bool = False) -> Checkpoint | None:
        """Record that the log reaches entry ``last_id`` with hash ``last_hash``.

        :param at: the time to record (ISO 8601, UTC).
        :param may_start_chain: the folder may be empty: the log itself starts at ``last_id``'s
            chain (its first entry follows GENESIS), or an operator establishes a first checkpoint.
            Otherwise an empty folder is a lost one, and refilling it would hide the loss.
        :returns: the new checkpoint, or ``None`` when the newest one already covers ``last_id``.
        :raises CheckpointError: the folder is damaged or lost (see ``_head_for_append``).
        """
        with self._locked():
            for _attempt in range(10):
                head = self._head_for_append()
                if head is None and not may_start_chain:
                    raise CheckpointError("检查点目录为空，而审计日志已有更早的记录：检查点目录丢失？"
                                          "核查后运行 audit verify --checkpoint")
                if head is not None and head.last_id >= last_id:
                    return None
                seq = head.seq + 1 if head else 1
                payload = {"v": 1, "seq": seq, "last_id": last_id, "last_hash": last_hash,
                           "at": at, "prev": head.sha256 if head else GENESIS}
                data = _sign(self._key, payload)
                try:
                    # the pointer's folder fsync below makes both names durable
                    self._write_new(self._path(seq), data, replace=False, sync_dir=False)
                    break
                except FileExistsError:  # a writer without our lock (another host): re-read
                    continue
            else:
                raise CheckpointError("检查点写入冲突：10次尝试后仍未成功")
            digest = hashlib.sha256(data).hexdigest()
            pointer = {"v": 1, "seq": seq, "checkpoint_sha256": digest, "last_id": last_id,
                       "last_hash": last_hash}
            self._write_new(self.root / POINTER_NAME, _sign(self._key, pointer), replace=True)
            return Checkpoint(seq=seq, last_id=last_id, last_hash=last_hash, at=at,
                              prev=str(payload["prev"]), sha256=digest)

    # --- verifying --------------------------------------------------------------------

    def verify(self) -> CheckpointReport:
        """Check every checkpoint's signature and link, and the pointer against the files."""
        report = CheckpointReport()
        seqs = self._listed_seqs()
        report.count = len(seqs)
        previous: Checkpoint | None = None
        expected_seq = 1
        for seq in seqs:
            if seq != expected_seq:
                report.problems.append(f"检查点第{expected_seq}–{seq - 1}个缺失（被删除）")
            try:
                checkpoint = self._load(seq)
            except CheckpointError as exc:
                report.problems.append(str(exc))
                previous, expected_seq = None, seq + 1
                continue
            assert checkpoint is not None  # listed a moment ago; checkpoints are never removed
            if previous is not None and seq == previous.seq + 1:
                if checkpoint.prev != previous.sha256:
                    report.problems.append(f"检查点第{seq}个与前一个不衔接（检查点被替换）")
                if checkpoint.last_id <= previous.last_id:
                    report.problems.append(f"检查点第{seq}个没有比前一个更新（检查点被替换）")
            elif seq == 1 and checkpoint.prev != GENESIS:
                report.problems.append("检查点第1个不是检查点链的起点（检查点被替换）")
            previous, expected_seq = checkpoint, seq + 1
            report.head = checkpoint
        self._verify_pointer(report, seqs)
        return report

    def _verify_pointer(self, report: CheckpointReport, seqs: list[int]) -> None:
        try:
            pointer = self._read_pointer()
        except CheckpointError as exc:
            report.problems.append(str(exc))
            return
        newest = seqs[-1] if seqs else 0
        if pointer is None:
            if seqs:
                report.problems.append(f"最新检查点指针 {POINTER_NAME} 缺失（被删除？），"
                                       f"无法确认第{newest}个之后的检查点是否被删除")
            return
        seq = int(pointer["seq"])  # type: ignore[arg-type]
        if seq > newest:
            report.problems.append(f"检查点在第{newest}个之后被删除：最新检查点指针指向第{seq}个")
            report.head = Checkpoint(seq=seq, last_id=int(pointer["last_id"]),  # type: ignore[arg-type]
                                     last_hash=str(pointer["last_hash"]), at="", prev="",
                                     sha256=str(pointer["checkpoint_sha256"]))
        elif seq < newest:
            report.problems.append(f"最新检查点指针被回退：指向第{seq}个，但已有第{newest}个检查点")
        elif report.head is not None and report.head.sha256 != pointer.get("checkpoint_sha256"):
            report.problems.append(f"最新检查点指针与第{seq}个检查点不符（其一被替换）")
