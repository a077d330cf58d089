"""Backup and restore of one deployment: database, archive and keys in one tar file (issue 15 §4).

``flask backup create FILE`` writes::

    manifest.json            what is inside, the schema revision, SHA-256 of every member
    database.sqlite3         SQLite: an online copy (sqlite3's backup API, consistent while serving)
    database.pgdump          PostgreSQL: ``pg_dump --format=custom``
    archive/<sha256>         the local archive's blobs (an S3 archive is the bucket's own business:
                             versioning or replication; the manifest names the bucket)
    keys/secret_key, keys/pii_key, keys/signer.p12 …   every key the data needs
    pki/, audit-checkpoints/ the demo CA folder, the audit log's checkpoints

The file holds the PII key beside the encrypted ID numbers: whoever has it can read them all.
Keep it encrypted and apart (README, "Operating more than one instance").

``flask backup restore FILE`` puts everything back for the instance it runs as (empty target, or
``--force``): the database (SQLite file, or ``pg_restore --clean`` into the configured
PostgreSQL database), the archive, the keys as instance files, and checks the result with the
same code as ``archive verify`` and ``audit verify``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

FORMAT = "lyxy-backup-1"


class BackupError(Exception):
    """A backup that cannot be made or restored; the message is Chinese and names the part."""


@dataclass(frozen=True)
class Layout:
    """Where one instance keeps what a backup holds (from its configuration)."""

    database_url: str
    archive_dir: Path | None
    """``None`` for an S3 archive."""
    instance: Path
    pki_dir: Path
    checkpoint_dir: Path
    keys: Mapping[str, str]
    """Key name -> value, from configuration (SECRET_KEY, PII_KEY)."""
    key_files: Mapping[str, Path]
    """Key name -> file holding a key (SIGNING_P12, SIGNING_TRUST_ROOTS …) to carry along."""
    s3_bucket: str | None = None

    @classmethod
    def of(cls, config: Mapping[str, Any], instance: Path) -> Layout:
        s3 = str(config.get("ARCHIVE_BACKEND") or "local").strip().lower() == "s3"
        files = {}
        if config.get("SIGNING_P12"):
            files["signer.p12"] = Path(str(config["SIGNING_P12"]))
        for i, root in enumerate(p for p in str(config.get("SIGNING_TRUST_ROOTS") or "").split(",")
                                 if p.strip()):
            files[f"trust-root-{i}.pem"] = Path(root.strip())
        return cls(
            database_url=str(config["DATABASE_URL"]),
            archive_dir=None if s3 else Path(str(config["ARCHIVE_DIR"])),
            instance=instance,
            pki_dir=Path(str(config.get("PKI_DIR") or instance / "pki")),
            checkpoint_dir=Path(str(config.get("AUDIT_CHECKPOINT_DIR")
                                    or instance / "audit-checkpoints")),
            keys={k: str(config[k]) for k in ("SECRET_KEY", "PII_KEY") if config.get(k)},
            key_files=files,
            s3_bucket=str(config.get("ARCHIVE_S3_BUCKET")) if s3 else None)


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _pg_url(url: str) -> str:
    """A libpq URL (``postgresql://``) for pg_dump / pg_restore."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tree(root: Path) -> Iterator[tuple[Path, str]]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path, path.relative_to(root).as_posix()


def create(layout: Layout, out: Path, *, revision: str | None, created_at: str) -> dict[str, Any]:
    """Write the backup of ``layout`` to ``out`` (atomically); returns its manifest."""
    members: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="lyxy-backup-") as tmp:
        work = Path(tmp)
        if _is_sqlite(layout.database_url):
            db_member = "database.sqlite3"
            source = sqlite3.connect(_sqlite_path(layout.database_url))
            target = sqlite3.connect(work / db_member)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            db_member = "database.pgdump"
            run = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file",
                                  str(work / db_member), _pg_url(layout.database_url)],
                                 capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"数据库导出失败（pg_dump）：{run.stderr.strip()[:300]}")
        partial = out.with_name(f".{out.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            def add(path: Path, name: str) -> None:
                members[name] = hashlib.sha256(path.read_bytes()).hexdigest()
                tar.add(path, arcname=name, recursive=False)

            add(work / db_member, db_member)
            if layout.archive_dir is not None:
                for path, rel in _tree(layout.archive_dir):
                    add(path, f"archive/{rel}")
            for path, rel in _tree(layout.pki_dir):
                add(path, f"pki/{rel}")
            for path, rel in _tree(layout.checkpoint_dir):
                add(path, f"audit-checkpoints/{rel}")
            for name, value in layout.keys.items():
                key_file = work / name.lower()
                key_file.write_text(value)
                add(key_file, f"keys/{name.lower()}")
            for name, path in layout.key_files.items():
                if not path.is_file():
                    raise BackupError(f"找不到要备份的密钥文件：{path}")
                add(path, f"keys/{name}")
            manifest = {"format": FORMAT, "created_at": created_at, "revision": revision,
                        "database": db_member, "s3_bucket": layout.s3_bucket,
                        "members": members}
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)
        partial.replace(out)
    return manifest


def _read(tar_path: Path, work: Path) -> dict[str, Any]:
    """Extract ``tar_path`` into ``work`` and check every member against the manifest."""
    try:
        with tarfile.open(tar_path, "r:gz") as tar:
            tar.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"备份文件无法读取：{exc}") from None
    try:
        manifest = json.loads((work / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError("备份文件缺少清单（manifest.json）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}")
    for name, digest in manifest["members"].items():
        path = work / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise BackupError(f"备份文件已损坏：{name} 与清单不符")
    return manifest


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target, dirs_exist_ok=True)


def _occupied(layout: Layout) -> list[str]:
    found = []
    if _is_sqlite(layout.database_url) and _sqlite_path(layout.database_url).exists():
        found.append(str(_sqlite_path(layout.database_url)))
    if layout.archive_dir is not None and any(_tree(layout.archive_dir)):
        found.append(str(layout.archive_dir))
    if any(_tree(layout.checkpoint_dir)):
        found.append(str(layout.checkpoint_dir))
    return found


def restore(layout: Layout, tar_path: Path, *, force: bool = False) -> dict[str, Any]:
    """Put the backup ``tar_path`` back into ``layout``; returns its manifest.

    Refuses (nothing written) when the file is damaged, or the target already holds data and
    ``force`` is not given.
    """
    occupied = _occupied(layout)
    if occupied and not force:
        raise BackupError("目标已有数据，未做任何改动（确认覆盖请加 --force）：" + "，".join(occupied))
    with tempfile.TemporaryDirectory(prefix="lyxy-restore-") as tmp:
        work = Path(tmp)
        manifest = _read(tar_path, work)
        keys = work / "keys"
        for name in ("secret_key", "pii_key"):
            if (keys / name).is_file():
                target = layout.instance / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text((keys / name).read_text())
                target.chmod(0o600)
        for name, path in layout.key_files.items():
            if (keys / name).is_file() and not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(keys / name, path)
        _copy_tree(work / "pki", layout.pki_dir)
        if force and layout.checkpoint_dir.is_dir():
            shutil.rmtree(layout.checkpoint_dir)
        _copy_tree(work / "audit-checkpoints", layout.checkpoint_dir)
        if layout.archive_dir is not None:
            _copy_tree(work / "archive", layout.archive_dir)
        db_member = work / manifest["database"]
        if manifest["database"].endswith(".sqlite3"):
            if not _is_sqlite(layout.database_url):
                raise BackupError("备份的是 SQLite 数据库，目标配置的是 PostgreSQL：请用同类数据库恢复")
            target = _sqlite_path(layout.database_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(db_member, target)
        else:
            if _is_sqlite(layout.database_url):
                raise BackupError("备份的是 PostgreSQL 数据库，目标配置的是 SQLite：请用同类数据库恢复")
            run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                                  "--single-transaction", "--dbname",
                                  _pg_url(layout.database_url), str(db_member)],
                                 capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"数据库恢复失败（pg_restore）：{run.stderr.strip()[:300]}")
    return manifest
