"""The headers every answer carries, whatever route (or none) produced it.

Every answer of the portal may be personal (a case, a document, an audit page, even a
401 names the reason), so none may be cached by a browser or a proxy on the way
(``Cache-Control: no-store``), sniffed into something executable (``nosniff``), framed by
another site (``frame-ancestors``, ``X-Frame-Options``), leak its URL to the next site
(``Referrer-Policy``) or load anything at all (``default-src 'none'``: the API serves
JSON and files, and ``/schema`` serves only ``openapi.json``, because Litestar's HTML
schema pages load their scripts from a CDN). The Dutch web pages (any ``text/html``
answer) may load their own stylesheets, images and scripts from the portal itself, and
nothing inline: no ``'unsafe-inline'``, so an injected ``<script>`` or ``style=`` does
nothing; forms post only back to the portal. HSTS goes only on answers
that travelled over TLS, as far as this process can tell: its own scheme, or a trusted
proxy's ``X-Forwarded-Proto`` (``portal.web.forwarded``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from portal.web.forwarded import TrustedProxies, origin

ALWAYS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def over_tls(scope: Scope, trusted_proxies: TrustedProxies) -> bool:
    headers = dict(scope.get("headers", ()))
    client = scope.get("client")

    def header(name: bytes) -> str | None:
        value = headers.get(name)
        return value.decode("latin-1") if value is not None else None

    seen = origin(
        peer=client[0] if client else None,
        scheme=str(scope.get("scheme", "http")),
        forwarded_for=header(b"x-forwarded-for"),
        forwarded_proto=header(b"x-forwarded-proto"),
        trusted=trusted_proxies,
    )
    return seen.scheme == "https"


def add_security_headers(
    trusted_proxies: TrustedProxies,
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A Litestar ``before_send`` hook: it sees every response start, 404s and errors too."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in ALWAYS:
            headers[name] = value
        if (headers.get("content-type") or "").startswith("text/html"):
            headers["Content-Security-Policy"] = PAGE_CSP
        if over_tls(scope, trusted_proxies):
            headers[HSTS[0]] = HSTS[1]

    return before_send
