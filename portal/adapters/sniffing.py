"""libmagic's verdict on the first bytes of an upload; the decision is `portal.domain.intake`.

The verdict is one witness among three (content, declared type, extension) and not a
security control on its own: see the docstring of ``portal.domain.intake``.

Sniffing 8 KiB of text costs about 2 ms of libmagic's text heuristics (PDF, images and
archives take well under 0.1 ms), and the ctypes call releases the GIL: async callers
should run it with ``asyncio.to_thread``, which is why the function is safe to call from
any number of threads.
"""

from __future__ import annotations

import threading

import magic

# libmagic tells some OOXML files from a plain zip only once it sees the member after
# [Content_Types].xml: with a large content-types part an XLSX is application/zip at
# 2 KiB and a spreadsheet at 8 KiB (tests/integration/test_sniffing.py reproduces it).
SNIFF_BYTES = 8192


class SniffingFailed(Exception):
    """libmagic could not classify the bytes: an operator's problem, not the uploader's."""


class _PerThread(threading.local):
    def __init__(self) -> None:
        # A libmagic cookie (magic_t) keeps its scratch state in the cookie itself and is
        # not safe to share between threads. python-magic 0.4.27 serialises each Magic
        # object with a lock, so a shared one would be correct but make concurrent
        # uploads queue behind each other's text heuristics; one per thread is cheap
        # (opening one takes about 0.2 ms) and never waits.
        self.mime = magic.Magic(mime=True)


_per_thread = _PerThread()


def sniff_media_type(head: bytes) -> str:
    """Return libmagic's media type for the first `SNIFF_BYTES` of ``head``.

    For example ``"application/pdf"``, ``"text/plain"``, ``"application/x-empty"`` for no
    bytes at all. Bytes beyond `SNIFF_BYTES` are ignored, so the answer for a whole file
    and for its head is the same.
    """
    try:
        return _per_thread.mime.from_buffer(head[:SNIFF_BYTES])
    except magic.MagicException as error:
        raise SniffingFailed(f"libmagic could not classify the upload: {error}") from error
