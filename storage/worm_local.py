"""Write-once files under one directory: the embedded default's WORM store, which is NOT WORM.

Each object is written to a temporary file, fsynced, made read-only (0400) and then
hard-linked to its key: ``link`` fails if the name exists, so a key is written once even
with several writers, and a reader never sees a partial file. That stops the portal itself
from replacing a record; it stops no one with a shell on the machine, who can ``chmod``
and delete. :attr:`LocalWormStore.enforced` is therefore False, and the portal says so
wherever it reports on these copies. ``retain_until`` is accepted and not kept.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import ObjectExists, ObjectNotFound, StoreUnavailable
from storage.keys import is_key_segment, validate_key, validate_prefix
from storage.local import sync_directory, translate_os_error
from storage.worm import LockedVersion

if TYPE_CHECKING:
    from collections.abc import Iterator

_TEMP_PREFIX = "~worm-"


class LocalWormStore:
    """A :class:`~storage.worm.WormStore` over the existing directory ``root``."""

    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root

    @property
    def enforced(self) -> bool:
        return False

    def describe(self) -> str:
        return (
            f"directory {self._root} (read-only files, NOT WORM: anyone with access to this "
            "machine's disk can delete them; use an S3 bucket with object lock in production)"
        )

    def put_locked(self, key: str, data: bytes, *, retain_until: datetime) -> LockedVersion:
        path = self._path(key)
        if retain_until.tzinfo is None:
            raise ValueError("retain_until must be timezone-aware")
        try:
            directory = self._root
            for name in path.parent.relative_to(self._root).parts:
                directory = directory / name
                directory.mkdir(mode=0o700, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
        except OSError as exc:
            raise translate_os_error(exc, key, "store") from exc
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            temp.chmod(0o400)
            os.link(temp, path)
        except FileExistsError:
            raise ObjectExists(key) from None
        except OSError as exc:
            raise translate_os_error(exc, key, "store") from exc
        finally:
            temp.unlink(missing_ok=True)
        sync_directory(path.parent, key)
        return _version(key, path)

    def versions(self, prefix: str) -> Iterator[LockedVersion]:
        validate_prefix(prefix)
        start = self._root.joinpath(*prefix.split("/")[:-1])
        found = []
        for directory, dirnames, filenames in os.walk(start):
            dirnames[:] = [name for name in dirnames if is_key_segment(name)]
            base = Path(directory)
            for name in filenames:
                if is_key_segment(name):
                    key = (base / name).relative_to(self._root).as_posix()
                    if key.startswith(prefix):
                        found.append(key)
        for key in sorted(found):
            try:
                yield _version(key, self._path(key))
            except ObjectNotFound:
                continue  # removed behind the portal's back while listing

    def read(self, version: LockedVersion) -> bytes:
        path = self._path(version.key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(version.key) from None
        except OSError as exc:
            raise translate_os_error(exc, version.key, "read") from exc

    def check(self) -> None:
        if not self._root.is_dir():
            raise StoreUnavailable(f"WORM directory {self._root} is not a directory")
        if not os.access(self._root, os.W_OK | os.X_OK):
            raise StoreUnavailable(f"WORM directory {self._root} is not writable")

    def _path(self, key: str) -> Path:
        # validate_key admits no '..', no absolute path and no empty segment.
        return self._root.joinpath(*validate_key(key).split("/"))


def _version(key: str, path: Path) -> LockedVersion:
    try:
        result = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ObjectNotFound(key) from None
    except OSError as exc:
        raise translate_os_error(exc, key, "stat") from exc
    return LockedVersion(
        key=key,
        version_id="",
        size=result.st_size,
        last_modified=datetime.fromtimestamp(result.st_mtime, tz=UTC),
    )
