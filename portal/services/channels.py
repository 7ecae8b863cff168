"""Byte channels between the event loop and worker threads, with back-pressure.

gpg and the object store client are blocking, so documents flow through worker threads
while the HTTP request and response live on the event loop. A channel holds at most a
few chunks: a slow reader slows the writer down instead of filling memory, whatever the
document's size. Either side can give up; the other side then gets an exception, never a
clean end of stream, so a cut-off document is never taken for a complete one.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator

CHANNEL_CHUNKS = 8
_POLL_SECONDS = 0.05


class ChannelClosed(Exception):
    """The other side of the channel gave up."""


class _End:
    pass


_END = _End()


class _Channel:
    def __init__(self, maxsize: int) -> None:
        self._queue: queue.Queue[bytes | BaseException | _End] = queue.Queue(maxsize)
        self._abandoned = threading.Event()

    def _put_blocking(self, item: bytes | BaseException | _End) -> None:
        while True:
            if self._abandoned.is_set():
                raise ChannelClosed("the reading side stopped")
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return

    def _get_blocking(self) -> bytes | BaseException | _End:
        # Polling rather than a plain get(): a side that gave up must not leave a thread
        # blocked here for ever.
        while True:
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._abandoned.is_set():
                    return ChannelClosed("the other side stopped")

    def abandon(self) -> None:
        """One side stops: the other gets ``ChannelClosed`` instead of blocking."""
        self._abandoned.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return


class InboundChannel(_Channel):
    """Event loop writes (a request body), a worker thread reads like a file."""

    def __init__(self, maxsize: int = CHANNEL_CHUNKS) -> None:
        super().__init__(maxsize)
        self._pending = b""
        self._ended = False

    async def send(self, chunk: bytes) -> None:
        if not chunk:
            return
        await self._put(chunk)

    async def close(self) -> None:
        await self._put(_END)

    async def fail(self, exc: BaseException) -> None:
        """The sending side broke off (client disconnect, size limit): the reader raises."""
        with contextlib.suppress(ChannelClosed):
            await self._put(exc)

    async def _put(self, item: bytes | BaseException | _End) -> None:
        if self._abandoned.is_set():
            raise ChannelClosed("the reading side stopped")
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            await asyncio.to_thread(self._put_blocking, item)

    def read(self, size: int = -1, /) -> bytes:
        """File-like read for the worker thread; raises what the sender failed with."""
        while not self._pending and not self._ended:
            item = self._get_blocking()
            if isinstance(item, _End):
                self._ended = True
            elif isinstance(item, BaseException):
                self._ended = True
                raise item
            else:
                self._pending = item
        if size < 0 or size >= len(self._pending):
            chunk, self._pending = self._pending, b""
        else:
            chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk


class OutboundChannel(_Channel):
    """A worker thread writes (a decrypted document), the event loop iterates."""

    def __init__(self, maxsize: int = CHANNEL_CHUNKS) -> None:
        super().__init__(maxsize)

    def write(self, chunk: bytes) -> None:
        if chunk:
            self._put_blocking(bytes(chunk))

    def finish(self) -> None:
        self._put_blocking(_END)

    def fail(self, exc: BaseException) -> None:
        with contextlib.suppress(ChannelClosed):
            self._put_blocking(exc)

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = await asyncio.to_thread(self._get_blocking)
                if isinstance(item, _End):
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # The client went away or we are done: let the worker stop writing.
            self.abandon()
