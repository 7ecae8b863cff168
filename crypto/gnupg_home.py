"""One GnuPG home directory, used by the portal as a cache of case keys, never as truth."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import gnupg

from crypto.errors import GnuPGUnavailable

if TYPE_CHECKING:
    from collections.abc import Iterator

# The agent's socket (S.gpg-agent, S.gpg-agent.browser, ...) lives inside the home when
# /run/user/<uid> does not exist, and a Unix socket path is capped at 108 bytes; past
# about 100 characters key generation fails with an opaque "No agent running".
MAX_HOME_PATH_LENGTH: Final = 80

# 64 parallel decrypts made a quarter fail with "Cannot allocate memory" in the agent's
# secure memory even with auto-expand-secmem; 8 keeps the agent far from that edge.
DEFAULT_MAX_CONCURRENT_OPERATIONS: Final = 8

# python-gnupg's default is 16 KiB; 256 KiB cuts the Python-side reads and writes per
# megabyte sixteenfold while keeping the data in flight per operation at a quarter MiB.
_BUFFER_SIZE: Final = 256 * 1024

_MIN_GPG_VERSION: Final = (2, 2)
_HOME_MODE: Final = 0o700

_AGENT_CONF: Final = """\
# Written by crypto.GnuPGHome at every start: this home is a cache of the database.
# Never cache a passphrase: a wrong secret must fail even right after a good one.
default-cache-ttl 0
max-cache-ttl 0
ignore-cache-for-signing
no-allow-external-cache
# Passphrases come from the master key through a pipe, never from a person.
allow-loopback-pinentry
# Parallel decrypts otherwise exhaust the agent's fixed secure memory.
auto-expand-secmem
# Cheap S2K is safe only because every passphrase is 256 bits from the master key;
# the default calibration costs ~0.3 s per secret-key operation, serialised in the agent.
s2k-count 65536
# A server has no smartcards; one daemon fewer to start and to fail.
disable-scdaemon
"""

_GPG_CONF: Final = """\
# Written by crypto.GnuPGHome at every start: this home is a cache of the database.
no-greeting
no-emit-version
no-comments
# Never prompt: fail instead of waiting for a pinentry that a server cannot show.
pinentry-mode loopback
# No network, ever: keys come only from the portal's database.
disable-dirmngr
no-auto-key-retrieve
no-auto-key-import
auto-key-locate local
# Which keys may read a document is decided by the portal (grants in the database), not
# by a web of trust; and a read-only listing must not rewrite trustdb.gpg under
# concurrent processes.
trust-model always
no-auto-check-trustdb
personal-cipher-preferences AES256
personal-digest-preferences SHA512 SHA256
personal-compress-preferences Uncompressed
default-preference-list AES256 AES192 AES SHA512 SHA384 SHA256 Uncompressed
cert-digest-algo SHA512
# Documents are mostly PDFs and images: compressing costs 7x throughput for nothing.
compress-algo none
no-symkey-cache
# libgcrypt seeds from getrandom(); a shared seed file is only write contention.
no-random-seed-file
"""


class GnuPGHome:
    """A GnuPG home directory that only caches keys; any instance can rebuild it from the DB.

    Creating one makes the directory (mode 0700) and (re)writes ``gpg.conf`` and
    ``gpg-agent.conf``. Every gpg call gets its own ``gnupg.GPG`` instance, because the
    streaming hook ``on_data`` lives on the instance.

    Three limits hold for every operation:

    * at most ``max_concurrent_operations`` gpg processes run at once against this home
      (per ``GnuPGHome`` object);
    * keyring writes (generate, import, delete) run one at a time, across threads (a lock)
      and across processes sharing the home (``flock`` on ``.keyring.lock``), because gpg
      corrupts or rejects parallel writes to one keybox;
    * no gpg reads the keyring while another writes it: an operation holds a shared
      ``flock`` on the same file while gpg looks keys up, a write holds it exclusively.
      gpg replaces ``pubring.kbx`` by renaming it away and a new file in, and a reader in
      that gap fails with "keydb_search failed: No such file or directory" (seen as one
      decrypt in 150 while case keys were being created).
    """

    def __init__(
        self,
        path: Path,
        *,
        gpg_binary: str = "gpg",
        max_concurrent_operations: int = DEFAULT_MAX_CONCURRENT_OPERATIONS,
    ) -> None:
        path = path.absolute()
        if len(str(path)) > MAX_HOME_PATH_LENGTH:
            raise GnuPGUnavailable(
                f"GnuPG home path is {len(str(path))} characters, over the limit of "
                f"{MAX_HOME_PATH_LENGTH}: gpg-agent's socket in it would exceed the Unix "
                "socket path limit; choose a shorter path such as /var/lib/portal/gnupg"
            )
        if max_concurrent_operations < 1:
            raise ValueError("max_concurrent_operations must be at least 1")
        self._path = path
        self._gpg_binary = gpg_binary
        self._operations = threading.BoundedSemaphore(max_concurrent_operations)
        self._write_lock = threading.Lock()
        self._held = threading.local()
        self._prepare_directory()

    @property
    def path(self) -> Path:
        return self._path

    def _prepare_directory(self) -> None:
        try:
            self._path.mkdir(mode=_HOME_MODE, parents=True, exist_ok=True)
            info = self._path.stat()
            if info.st_uid != os.getuid():
                raise GnuPGUnavailable(f"GnuPG home {self._path} belongs to another user")
            if stat.S_IMODE(info.st_mode) != _HOME_MODE:
                # Others able to list or write here could read the cached (protected)
                # secret keys or plant a gpg.conf; gpg itself only warns about it.
                self._path.chmod(_HOME_MODE)
            _write_if_changed(self._path / "gpg.conf", _GPG_CONF)
            agent_changed = _write_if_changed(self._path / "gpg-agent.conf", _AGENT_CONF)
        except OSError as exc:
            raise GnuPGUnavailable(f"cannot prepare GnuPG home {self._path}: {exc}") from exc
        if agent_changed:
            # An agent already running for this home would keep its old cache settings.
            self._gpgconf("--reload", "gpg-agent")

    @contextlib.contextmanager
    def operation(self) -> Iterator[KeyringRead]:
        """A slot under this home's concurrency cap, holding the keyring against writers.

        Hold it while any gpg call runs. A long streaming call ends the keyring hold early
        (``KeyringRead.done``) once gpg has looked up its keys, so that a download of
        several GB does not keep new case keys waiting.
        """
        with self._operations:
            hold = KeyringRead(self._lock_path())
            self._held.read = hold
            try:
                yield hold
            finally:
                self._held.read = None
                hold.done()

    def new_gpg(self) -> Any:
        """A fresh ``gnupg.GPG`` bound to this home: one per gpg call, for its own hooks."""
        try:
            gpg: Any = gnupg.GPG(gpgbinary=self._gpg_binary, gnupghome=str(self._path))
        except (OSError, ValueError) as exc:
            raise GnuPGUnavailable(f"gpg ({self._gpg_binary}) is not usable: {exc}") from exc
        gpg.buffer_size = _BUFFER_SIZE
        return gpg

    @contextlib.contextmanager
    def keyring_write(self) -> Iterator[None]:
        """Hold the exclusive right to change this home's keyring, in every process.

        Inside ``operation`` the thread's shared hold is set aside first: waiting for the
        thread lock while holding it would deadlock against a writer waiting for readers.
        """
        read: KeyringRead | None = getattr(self._held, "read", None)
        reading = read is not None and read.suspend()
        try:
            with self._write_lock:
                # A fresh open file description per acquisition: flock on a shared
                # descriptor would not exclude another thread of this process.
                fd = os.open(self._lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    with _turnstile(self._lock_path()):
                        fcntl.flock(fd, fcntl.LOCK_EX)
                    yield
                finally:
                    os.close(fd)  # closing releases the flock
        finally:
            if reading and read is not None:
                read.resume()

    def _lock_path(self) -> Path:
        return self._path / ".keyring.lock"

    def check(self) -> None:
        """Raise ``GnuPGUnavailable`` unless gpg runs, is recent enough and can use this home."""
        with self.operation():
            gpg = self.new_gpg()
            version: tuple[int, ...] | None = gpg.version
            if version is None or version < _MIN_GPG_VERSION:
                raise GnuPGUnavailable(
                    f"gpg {version} is too old: need {'.'.join(map(str, _MIN_GPG_VERSION))}+"
                )
            keys = gpg.list_keys()
            if keys.returncode != 0:
                raise GnuPGUnavailable(
                    f"gpg cannot read the keyring in {self._path} (exit {keys.returncode})"
                )
        self._gpgconf("--launch", "gpg-agent")

    def stop_agent(self) -> None:
        """Stop this home's gpg-agent (tests, shutdown); the next operation starts a new one."""
        self._gpgconf("--kill", "gpg-agent")

    def _gpgconf(self, *args: str) -> None:
        gpgconf = _gpgconf_binary(self._gpg_binary)
        try:
            completed = subprocess.run(
                [gpgconf, "--homedir", str(self._path), *args],
                capture_output=True,
                check=False,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GnuPGUnavailable(f"gpgconf {' '.join(args)} failed: {exc}") from exc
        if completed.returncode != 0:
            message = completed.stderr.decode("utf-8", "replace").strip()
            raise GnuPGUnavailable(f"gpgconf {' '.join(args)} failed: {message}")

    def __repr__(self) -> str:
        return f"GnuPGHome({str(self._path)!r})"


class KeyringRead:
    """A shared ``flock`` on a home's keyring lock: writers wait while it is held.

    ``done`` may come from another thread (python-gnupg's output reader) and more than
    once; after it, ``suspend`` and ``resume`` do nothing.
    """

    def __init__(self, lock_path: Path) -> None:
        self._lock = threading.Lock()
        # Through the turnstile first: a writer waiting there stops new readers, so a
        # steady stream of overlapping reads cannot keep it out for good.
        with _turnstile(lock_path):
            self._fd: int | None = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_SH)
            except OSError:
                os.close(self._fd)
                raise

    def done(self) -> None:
        """gpg has looked up its keys: let writers in."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)  # closing releases the flock
                self._fd = None

    def suspend(self) -> bool:
        """Let go of the shared lock for a moment; False if the hold has ended."""
        with self._lock:
            if self._fd is None:
                return False
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            return True

    def resume(self) -> None:
        with self._lock:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_SH)


@contextlib.contextmanager
def _turnstile(lock_path: Path) -> Iterator[None]:
    """Pass through the gate in front of ``lock_path``, one thread or process at a time."""
    fd = os.open(lock_path.with_name(".keyring.turnstile"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _gpgconf_binary(gpg_binary: str) -> str:
    # gpgconf must belong to the same GnuPG installation as gpg, or it talks to
    # another agent: look next to gpg first.
    resolved = shutil.which(gpg_binary)
    if resolved is not None:
        sibling = Path(resolved).with_name("gpgconf")
        if sibling.exists():
            return str(sibling)
    found = shutil.which("gpgconf")
    if found is None:
        raise GnuPGUnavailable("gpgconf not found next to gpg or on PATH")
    return found


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    # Several processes may start at once on one home: replace atomically, never leave a
    # half-written config for a concurrently starting gpg to read.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)
    return True
