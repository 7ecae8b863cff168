"""Limits on what a request may carry: header sizes, and NUL characters.

Request header limits are enforced before the app looks at a request.

uvicorn's httptools parser (what ``portal serve`` runs) accepts headers of any size, and
everything behind it (routing, the token lookup, the audit record of a refused token)
would then work on them. A header line is at most ``max_header_bytes``, all of them
together at most ``HEADER_LINES_ALLOWED`` times that; beyond, the answer is
431 Request Header Fields Too Large and nothing else runs. A reverse proxy in front should
refuse them even earlier (nginx ``large_client_header_buffers``): uvicorn has read the
header into memory by the time this runs.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from portal.domain.refusal_codes import RefusalCode
from portal.services.errors import InvalidInput
from portal.web.errors import error_body
from portal.web.security_headers import ALWAYS

HEADER_LINES_ALLOWED = 4
"""All headers together may take this many times the limit of one (cookies, traces, ...)."""


def headers_too_large(headers: list[tuple[bytes, bytes]], *, max_header_bytes: int) -> bool:
    total = 0
    for name, value in headers:
        size = len(name) + len(value)
        if size > max_header_bytes:
            return True
        total += size
    return total > HEADER_LINES_ALLOWED * max_header_bytes


class HeaderLimit:
    """ASGI middleware: 431 for a request whose headers are over the limit."""

    def __init__(self, app: ASGIApp, *, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and headers_too_large(
            list(scope["headers"]), max_header_bytes=self.max_header_bytes
        ):
            body = json.dumps(
                error_body(
                    HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE,
                    f"a request header is larger than {self.max_header_bytes} bytes",
                    RefusalCode.HEADERS_TOO_LARGE,
                )
            ).encode()
            start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *((n.lower().encode(), v.encode()) for n, v in ALWAYS),
                ],
            }
            await send(start)
            end: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": body,
                "more_body": False,
            }
            await send(end)
            return
        await self.app(scope, receive, send)


NUL_IN_QUERY = (b"%00", b"\x00")
NUL_IN_JSON = (b"\\u0000", b"\x00")
NUL_REFUSED = "the request contains a NUL character, which no field of the portal accepts"


def has_nul(data: bytes, needles: tuple[bytes, ...]) -> bool:
    lowered = data.lower()
    return any(needle in lowered for needle in needles)


DOWNLOAD_CONTENT = re.compile(r"^/api/v1/documents/[^/]+/content$")


class NoNulCharacters(ASGIMiddleware):
    """Litestar middleware, inside Litestar's error handling: a NUL in the query string or a
    JSON body is a 400 (``nul-character``). PostgreSQL text cannot hold one, so it used to
    fail deep inside a query (500) or, in a field that goes into the audit record, fail the
    record (503)."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """A download refuses a malformed purpose or justification itself, after recording
        the attempt (every download attempt is on record, art. 8): it must see the NUL."""
        return DOWNLOAD_CONTENT.match(scope["path"]) is not None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if has_nul(scope.get("query_string", b""), NUL_IN_QUERY):
            raise InvalidInput(NUL_REFUSED, code=RefusalCode.NUL_CHARACTER)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not content_type.lower().startswith(b"application/json"):
            await next_app(scope, receive, send)
            return
        tail = b""

        async def receive_checked() -> ReceiveMessage:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = tail + message.get("body", b"")
                if has_nul(chunk, NUL_IN_JSON):
                    raise InvalidInput(NUL_REFUSED, code=RefusalCode.NUL_CHARACTER)
                tail = chunk[-(len(NUL_IN_JSON[0]) - 1) :]
            return message

        await next_app(scope, receive_checked, send)


REPEATABLE_QUERY_PARAMETERS = frozenset({"action"})
"""The query parameters that are lists (``GET /api/v1/audit?action=a&action=b``): every
query parameter of type array in the OpenAPI document, which a test holds equal."""


class NoRepeatedQueryParameters(ASGIMiddleware):
    """Litestar middleware: a query naming a single-valued parameter twice is a 400.

    Litestar would take the last value and ignore the others, so ``?user=a&user=b`` asked
    about b while a proxy, a log or a reader of the URL saw a (parameter pollution).
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        seen: set[str] = set()
        for name, _ in parse_qsl(query, keep_blank_values=True):
            if name in seen and name not in REPEATABLE_QUERY_PARAMETERS:
                raise InvalidInput(f"the query names {name!r} more than once")
            seen.add(name)
        await next_app(scope, receive, send)
