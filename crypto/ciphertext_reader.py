"""Pull-style encryption: a readable file of ciphertext, for APIs that want ``put(source)``."""

from __future__ import annotations

import contextlib
import io
import os
import threading
from typing import TYPE_CHECKING, BinaryIO

from crypto.errors import CryptoError, DecryptionFailed, EncryptionFailed, EncryptionInterrupted

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from crypto.case_keys import CaseKeyMaterial, CaseKeys, Recipient, Source


class _CiphertextPipe(io.RawIOBase):
    """The read end of a pipe that a worker thread fills by encrypting into it.

    End of file is reported only after the worker has finished successfully; if
    encryption failed, ``read`` raises instead. An uploader that took a plain EOF for
    the end would otherwise store a truncated ciphertext as if it were the document.
    """

    def __init__(
        self,
        read_fd: int,
        worker: threading.Thread,
        failure: list[BaseException],
        error: Callable[[], CryptoError],
    ) -> None:
        super().__init__()
        self._fd = read_fd
        self._worker = worker
        self._failure = failure
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]  # io's WriteableBuffer is wider than what BufferedReader ever passes
        view = memoryview(buffer).cast("B")
        data = os.read(self._fd, len(view))
        if not data:
            self._worker.join()
            if self._failure:
                cause = self._failure[0]
                if isinstance(cause, EncryptionInterrupted):
                    raise cause  # says more than the generic error: trying again may work
                raise self._error() from cause
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            # Closing the read end makes the worker's next write fail (EPIPE), which stops gpg.
            os.close(self._fd)
            self._worker.join()
        super().close()


@contextlib.contextmanager
def open_ciphertext_for_case(
    keys: CaseKeys, recipients: Sequence[Recipient], plaintext: Source
) -> Iterator[BinaryIO]:
    """Yield a binary file whose ``read`` produces ``plaintext`` encrypted to ``recipients``.

    gpg runs in a worker thread writing into an ``os.pipe``; memory stays bounded by the
    pipe and gpg's buffers. ``read`` raises ``EncryptionFailed`` (never a silent EOF) if
    encryption failed. Leaving the block early stops the worker.
    """
    with _piped(
        lambda sink: keys.encrypt_for_case(recipients, plaintext, sink),
        name="open_ciphertext_for_case",
        error=lambda: EncryptionFailed("encryption failed; the ciphertext is incomplete"),
    ) as reader:
        yield reader


@contextlib.contextmanager
def open_plaintext_for_case(
    keys: CaseKeys, material: CaseKeyMaterial, secret: str, ciphertext: Source
) -> Iterator[BinaryIO]:
    """Yield a binary file whose ``read`` produces the decryption of ``ciphertext``.

    The pull-style twin of :meth:`CaseKeys.decrypt_for_case`, for chaining gpg into gpg
    (re-encrypting a document to a recipient's own key) without a plaintext file. ``read``
    raises ``DecryptionFailed`` at the end, never a clean EOF, if decryption failed: a
    tampered ciphertext must not pass on as a complete document.
    """
    with _piped(
        lambda sink: keys.decrypt_for_case(material, secret, ciphertext, sink),
        name="open_plaintext_for_case",
        error=lambda: DecryptionFailed("decryption failed; the plaintext is incomplete"),
    ) as reader:
        yield reader


@contextlib.contextmanager
def _piped(
    produce: Callable[[Callable[[bytes], object]], None],
    *,
    name: str,
    error: Callable[[], CryptoError],
) -> Iterator[BinaryIO]:
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def work() -> None:
        pipe = os.fdopen(write_fd, "wb", buffering=0)
        try:
            produce(pipe.write)
        except BaseException as exc:  # noqa: BLE001 -- handed to the reading thread, which raises it
            # Recorded before the write end closes, so the reader never sees EOF first.
            failure.append(exc)
        finally:
            with contextlib.suppress(OSError):
                pipe.close()

    worker = threading.Thread(target=work, name=name, daemon=True)
    raw = _CiphertextPipe(read_fd, worker, failure, error)
    worker.start()
    with io.BufferedReader(raw) as reader:
        yield reader
