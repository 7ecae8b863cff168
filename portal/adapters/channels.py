"""Byte channels between the event loop and worker threads, with back-pressure.

gpg and the object store client are blocking, so documents flow through worker threads
while the HTTP request and response live on the event loop. A channel holds at most a
few chunks: a slow reader slows the writer down instead of filling memory, whatever the
document's size. Either side can give up; the other side then gets an exception, never a
clean end of stream, so a cut-off document is never taken for a complete one.

The event-loop side never occupies a thread: it awaits an ``asyncio.Queue``, and only
the worker blocks, on a future from ``run_coroutine_threadsafe``. (Waiting for data in a
pool thread deadlocked once the pool was full of workers waiting for readers.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

CHANNEL_CHUNKS = 4
_POLL_SECONDS = 0.05

T = TypeVar("T")


class ChannelClosed(Exception):
    """The other side of the channel gave up."""


class _End:
    pass


_END = _End()
Item = bytes | BaseException | _End


class _Channel:
    def __init__(self, maxsize: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Item] = asyncio.Queue(maxsize)
        self._abandoned = threading.Event()

    def _in_loop(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the channel's loop and wait for it, from a worker thread."""
        if self._abandoned.is_set():
            coroutine.close()
            raise ChannelClosed("the other side stopped")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        while True:
            try:
                return future.result(timeout=_POLL_SECONDS)
            except concurrent.futures.TimeoutError:
                if self._abandoned.is_set():
                    future.cancel()
                    raise ChannelClosed("the other side stopped") from None

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return

    def abandon(self) -> None:
        """One side stops: the other gets ``ChannelClosed`` instead of waiting for ever."""
        self._abandoned.set()
        # Free any put that waits for room; on the loop, whichever thread asks.
        self._loop.call_soon_threadsafe(self._drain)


class InboundChannel(_Channel):
    """Event loop writes (a request body), a worker thread reads like a file."""

    def __init__(self, maxsize: int = CHANNEL_CHUNKS) -> None:
        super().__init__(maxsize)
        self._pending = b""
        self._ended = False

    async def _put(self, item: Item) -> None:
        if self._abandoned.is_set():
            raise ChannelClosed("the reading side stopped")
        await self._queue.put(item)

    async def send(self, chunk: bytes) -> None:
        if chunk:
            await self._put(chunk)

    async def close(self) -> None:
        await self._put(_END)

    async def fail(self, exc: BaseException) -> None:
        """The sending side broke off (client disconnect, size limit): the reader raises."""
        with contextlib.suppress(ChannelClosed):
            await self._put(exc)

    def read(self, size: int = -1, /) -> bytes:
        """File-like read for the worker thread; raises what the sender failed with."""
        while not self._pending and not self._ended:
            item = self._in_loop(self._queue.get())
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
            self._in_loop(self._queue.put(chunk if isinstance(chunk, bytes) else bytes(chunk)))

    def finish(self) -> None:
        self._in_loop(self._queue.put(_END))

    def fail(self, exc: BaseException) -> None:
        with contextlib.suppress(ChannelClosed):
            self._in_loop(self._queue.put(exc))

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, _End):
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # The client went away or we are done: let the worker stop writing.
            self._abandoned.set()
            self._drain()
