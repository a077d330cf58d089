"""Audit checkpoints outside the database: append-only, chained, safe with concurrent writers."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from app.archive.checkpoints import CheckpointError, CheckpointStore, checkpoint_key

KEY = checkpoint_key(b"k" * 32)
AT = "2026-11-29T08:00:00+00:00"


def h(i: int) -> str:
    return f"{i:064x}"


def test_checkpoints_chain_and_skip_heads_already_covered(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, KEY)
    with pytest.raises(CheckpointError, match="检查点目录为空"):
        store.append(3, h(3), AT)  # an empty folder while the log has entries: a lost folder
    first = store.append(3, h(3), AT, may_start_chain=True)
    assert first is not None
    assert first.seq == 1
    assert store.append(2, h(2), AT) is None  # an older head: the newest checkpoint covers it
    second = store.append(5, h(5), AT)
    assert second is not None
    assert (second.seq, second.prev) == (2, first.sha256)
    report = store.verify()
    assert report.problems == []
    assert report.count == 2
    assert report.head is not None
    assert (report.head.last_id, report.head.last_hash) == (5, h(5))


def test_concurrent_writers_never_fork_the_chain_nor_move_the_pointer_back(tmp_path: Path) -> None:
    """After the log's first entry, eight workers commit entries 2..400 in whatever order and each
    writes its checkpoint (each append opens its own lock file description, as a process would)."""
    CheckpointStore(tmp_path, KEY).append(1, h(1), AT, may_start_chain=True)
    stores = [CheckpointStore(tmp_path, KEY) for _ in range(8)]
    start = threading.Barrier(len(stores))

    def work(index: int) -> None:
        start.wait()
        for entry_id in range(index + 2, 401, len(stores)):
            stores[index].append(entry_id, h(entry_id), AT)

    pointer_seqs: list[int] = []
    done = threading.Event()

    def watch_pointer() -> None:  # the pointer must never move backwards, not only at the end
        while not done.is_set():
            pointer_seqs.append(json.loads((tmp_path / "latest.json").read_bytes())["seq"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(stores))]
    watcher = threading.Thread(target=watch_pointer)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    assert pointer_seqs == sorted(pointer_seqs)
    report = CheckpointStore(tmp_path, KEY).verify()
    assert report.problems == []
    assert report.head is not None
    assert report.head.last_id == 400
    assert not list(tmp_path.glob(".tmp-*"))


def test_a_validly_signed_checkpoint_from_another_chain_does_not_fit(tmp_path: Path) -> None:
    ours, theirs = CheckpointStore(tmp_path / "ours", KEY), CheckpointStore(tmp_path / "theirs", KEY)
    for store in (ours, theirs):
        store.append(1, h(1), AT, may_start_chain=True)
    ours.append(2, h(2), AT)
    theirs.append(2, h(99), "2026-11-29T09:00:00+00:00")
    target = ours.root / "cp-000000000002.json"
    target.chmod(0o644)
    shutil.copyfile(theirs.root / "cp-000000000002.json", target)
    problems = ours.verify().problems
    assert "最新检查点指针与第2个检查点不符（其一被替换）" in problems


def test_checkpoint_files_cannot_be_overwritten_by_the_writer(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path, KEY)
    store.append(1, h(1), AT, may_start_chain=True)
    path = tmp_path / "cp-000000000001.json"
    assert path.stat().st_mode & 0o777 == 0o444
    before = path.read_bytes()
    try:
        store._write_new(path, b"{}", replace=False)
    except FileExistsError:
        pass
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("an existing checkpoint was replaced")
    assert path.read_bytes() == before
