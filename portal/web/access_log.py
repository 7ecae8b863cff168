"""The server's access log: one line per request, without its query string or headers.

A query string can hold what the portal never wants in a log file (a purpose, a pseudonym,
a justification someone sent anyway), and headers hold bearer tokens. uvicorn's own access
log prints the full request line, so ``portal serve`` turns it off and wraps the app in
:class:`AccessLog` instead. It wraps the whole app, not one route, so that requests no
route answers (404, 405) are logged too.
"""

from __future__ import annotations

import logging
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("portal.access")

MAX_LOGGED_PATH = 300


class AccessLog:
    """ASGI middleware: ``METHOD /path STATUS DURATION ms CLIENT`` at INFO, once a
    response has ended (a streamed download is logged when its last byte is sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it starts a response

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            client = scope.get("client")
            log.info(
                "%s %s %d %.1f ms %s",
                scope["method"],
                _printable(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
                client[0] if client else "-",
            )


def _printable(path: str) -> str:
    """The path as one line: a percent-encoded newline must not forge a second log line."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in path)
    return shown[:MAX_LOGGED_PATH]
