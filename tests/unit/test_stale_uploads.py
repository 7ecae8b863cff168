"""The sweep's cleanup of uploads a crash left unfinished, on the stores without a server.

The in-memory twin never leaves anything; the directory store leaves ``~put-`` temporary
files, removed once nobody has written to them for the age. The time is the sweep's
``now``, never the wall clock (the files' times are set explicitly).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from portal.services.retention import DEFAULT_STALE_UPLOAD_AGE, abort_stale_uploads
from storage import LocalObjectStore, MemoryObjectStore

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _temp_file(root: Path, name: str, *, written: datetime) -> Path:
    directory = root / "cases" / "7"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(b"ciphertext")
    os.utime(path, (written.timestamp(), written.timestamp()))
    return path


async def test_the_in_memory_twin_has_nothing_to_abort() -> None:
    store = MemoryObjectStore()
    assert await abort_stale_uploads(store, before=NOW, dry_run=False) == 0


async def test_stale_temporary_files_go_and_a_running_put_stays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = LocalObjectStore(tmp_path)
    before = NOW - DEFAULT_STALE_UPLOAD_AGE
    crashed = _temp_file(tmp_path, "~put-crashed", written=before - timedelta(seconds=1))
    running = _temp_file(tmp_path, "~put-running", written=NOW - timedelta(minutes=1))
    document = _temp_file(tmp_path, "doc", written=before - timedelta(days=90))

    with caplog.at_level("INFO", logger="portal.services.retention"):
        assert await abort_stale_uploads(store, before=before, dry_run=True) == 1
        assert crashed.exists(), "a dry run removes nothing"
        assert await abort_stale_uploads(store, before=before, dry_run=False) == 1

    assert (crashed.exists(), running.exists(), document.exists()) == (False, True, True)
    assert [record.getMessage().split(" 1 ")[0] for record in caplog.records] == [
        "retention sweep: would abort",
        "retention sweep: aborted",
    ]
