"""Objects as files under one directory: for development, tests and single-host installs.

Layout: the key ``cases/7/doc`` is the file ``<root>/cases/7/doc``. Directories are made
0700 and files 0600 because the directory holds (encrypted) case documents of other
people; nobody but the service account has business listing them.

A put writes a temporary file next to its target, fsyncs it and renames it into place, so
readers see the old object or the complete new one, never a partial file, and a crash
leaves at worst a stray temporary file. Temporary names start with ``~``, a character no
key may contain, so listing never mistakes them for objects; ``abort_stale_uploads``
removes the strays once they are older than any put could still be running.

Unlike S3, a filesystem cannot hold both ``a`` and ``a/b``: storing one while the other
exists raises :class:`StorageError`. Keys in the portal are never prefixes of one another.
Directories emptied by ``delete`` are left in place (removing them would race with a put
creating a file in them).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from storage.contract import ObjectInfo
from storage.errors import ObjectNotFound, StorageError, StoreFull, StoreUnavailable
from storage.keys import is_key_segment, validate_key, validate_prefix

if TYPE_CHECKING:
    from collections.abc import Iterator

_CHUNK = 1024 * 1024
_TEMP_PREFIX = "~put-"


class LocalObjectStore:
    """An :class:`~storage.contract.ObjectStore` over the directory ``root``.

    ``root`` must exist: creating it is a deployment step, and a missing root more likely
    means an unmounted volume than a fresh install.
    """

    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root

    def put(self, key: str, source: BinaryIO) -> ObjectInfo:
        path = self._path(key)
        self._make_parents(key, path)
        try:
            fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
        except OSError as exc:
            raise translate_os_error(exc, key, "store") from exc
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(_CHUNK):
                    _write(out, chunk, key)
                _sync(out.fileno(), key)
            _replace(temp, path, key)
        except BaseException:
            # The source failed, the disk filled, or the caller was cancelled: a partial
            # file must not survive under any name.
            temp.unlink(missing_ok=True)
            raise
        sync_directory(path.parent, key)
        return self.stat(key)

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        path = self._path(key)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise translate_os_error(exc, key, "read") from exc
        with stream:
            yield stream

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            result = path.stat()
        except OSError as exc:
            raise translate_os_error(exc, key, "stat") from exc
        if not stat.S_ISREG(result.st_mode):
            raise ObjectNotFound(key)
        return _info(key, result)

    def delete(self, key: str) -> int:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return 0
        except OSError as exc:
            raise translate_os_error(exc, key, "delete") from exc
        # Deletion is destruction of a document: make it survive a crash too.
        sync_directory(path.parent, key)
        return 1

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        # Walk only the deepest directory the prefix names in full.
        start = self._root.joinpath(*prefix.split("/")[:-1])
        found = []
        for directory, dirnames, filenames in os.walk(start):
            dirnames[:] = [name for name in dirnames if is_key_segment(name)]
            base = Path(directory)
            for name in filenames:
                if not is_key_segment(name):
                    continue
                key = (base / name).relative_to(self._root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        for key in sorted(found):
            try:
                yield self.stat(key)
            except ObjectNotFound:
                continue  # deleted while we were listing

    def abort_stale_uploads(self, *, before: datetime, dry_run: bool = False) -> int:
        """Remove the temporary files of puts killed midway, last written before ``before``.

        A running put writes its temporary file chunk by chunk, so its modification time
        stays recent: only a file nobody has written to since ``before`` is removed.
        """
        stale = [temp for temp in _temp_files(self._root) if _modified(temp) < before]
        if not dry_run:
            for temp in stale:
                temp.unlink(missing_ok=True)
        return len(stale)

    def check(self) -> None:
        if not self._root.is_dir():
            raise StoreUnavailable(f"storage root {self._root} is not a directory")
        try:
            fd, probe = tempfile.mkstemp(dir=self._root, prefix="~check-")
            os.close(fd)
            Path(probe).unlink()
        except OSError as exc:
            raise StoreUnavailable(
                f"storage root {self._root} is not writable: {exc.strerror}"
            ) from exc

    def _path(self, key: str) -> Path:
        # validate_key admits no '..', no absolute path and no empty segment, so the
        # result stays under root.
        return self._root.joinpath(*validate_key(key).split("/"))

    def _make_parents(self, key: str, path: Path) -> None:
        if not self._root.is_dir():
            raise StoreUnavailable(f"storage root {self._root} is not a directory")
        directory = self._root
        # One level at a time: os.makedirs(mode=...) applies the mode to the leaf only.
        for name in path.parent.relative_to(self._root).parts:
            directory = directory / name
            try:
                directory.mkdir(mode=0o700)
            except FileExistsError:
                if not directory.is_dir():
                    raise StorageError(
                        f"cannot store {key!r}: an object already exists at "
                        f"{directory.relative_to(self._root).as_posix()!r}"
                    ) from None
            except OSError as exc:
                raise translate_os_error(exc, key, "store") from exc


def _write(out: BinaryIO, chunk: bytes, key: str) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        raise translate_os_error(exc, key, "store") from exc


def _sync(fd: int, key: str) -> None:
    try:
        os.fsync(fd)
    except OSError as exc:
        raise translate_os_error(exc, key, "store") from exc


def _replace(temp: Path, path: Path, key: str) -> None:
    try:
        temp.replace(path)
    except OSError as exc:
        raise translate_os_error(exc, key, "store") from exc


def sync_directory(directory: Path, key: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise translate_os_error(exc, key, "sync") from exc


def translate_os_error(exc: OSError, key: str, action: str) -> StorageError:
    if exc.errno in {errno.ENOENT, errno.ENOTDIR, errno.EISDIR} and action != "store":
        return ObjectNotFound(key)
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        return StoreFull(f"cannot {action} {key!r}: {exc.strerror}")
    if exc.errno in {errno.ENOENT, errno.EACCES, errno.EROFS, errno.EPERM}:
        return StoreUnavailable(f"cannot {action} {key!r}: {exc.strerror}")
    return StorageError(f"cannot {action} {key!r}: {exc.strerror}")


def _temp_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if is_key_segment(name)]
        base = Path(directory)
        found.extend(base / name for name in filenames if name.startswith(_TEMP_PREFIX))
    return sorted(found)


def _modified(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except FileNotFoundError:
        return datetime.max.replace(tzinfo=UTC)  # finished or removed meanwhile: not stale


def _info(key: str, result: os.stat_result) -> ObjectInfo:
    return ObjectInfo(
        key=key,
        size=result.st_size,
        last_modified=datetime.fromtimestamp(result.st_mtime, tz=UTC),
    )
