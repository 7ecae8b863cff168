"""Deny by default: the one guard of the page router, and the CSRF check of every form.

Every page handler says who may reach it (``opt={ACCESS: PageAccess....}``); one that
says nothing needs a signed-in session. Without the session its stage needs, a request is
sent to the sign-in page (303), before its handler runs.

Every POST carries a CSRF token, in the form field ``csrf_token`` or the header
``X-CSRF-Token``:

- with a session, the session's own secret (synchronizer token, kept in its row);
- on the sign-in forms, before any session exists, a signed double-submit token: the
  cookie ``portal_signin`` holds a random value and the form its HMAC under a key only
  the portal has, so a forged sign-in (login CSRF) is refused as well.

A POST without a valid token is refused with 403 and a Dutch page, changes nothing, and
is recorded (``auth:csrf:denied``).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler

from portal.domain.sign_in import SessionStage
from portal.services.sign_in import LiveSession
from portal.web.auth import request_caller
from portal.web.pages.state import PageDeps

ACCESS = "page_access"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
URL_ENCODED = "application/x-www-form-urlencoded"
_SIGNIN_LABEL = b"rto-portal:signin-csrf:v1\x00"


class PageAccess(enum.StrEnum):
    PUBLIC = "public"
    """Sign-in, enrolment link, assets: reachable without a session."""
    SECOND_FACTOR = "second_factor"
    ENROL = "enrol"
    ANY_SESSION = "any_session"
    """Sign-out: whatever stage the session is in."""
    SIGNED_IN = "signed_in"


_STAGE_OF: dict[PageAccess, SessionStage] = {
    PageAccess.SECOND_FACTOR: SessionStage.SECOND_FACTOR,
    PageAccess.ENROL: SessionStage.ENROL,
    PageAccess.SIGNED_IN: SessionStage.SIGNED_IN,
}


class SignInRequired(Exception):
    """No session in the stage the page needs: answered with a redirect to sign in."""


class FormRefused(Exception):
    """A POST without a valid CSRF token: answered 403, already on record."""


def fits(access: PageAccess, live: LiveSession | None) -> bool:
    if access is PageAccess.PUBLIC:
        return True
    if live is None:
        return False
    return access is PageAccess.ANY_SESSION or live.session.stage is _STAGE_OF[access]


def signin_token(key: bytes, cookie_value: str) -> str:
    return hmac.new(key, _SIGNIN_LABEL + cookie_value.encode(), hashlib.sha256).hexdigest()


def signin_cookie(deps: PageDeps, value: str) -> Cookie:
    return Cookie(
        key=deps.signin_cookie,
        value=value,
        path="/",
        secure=deps.cookie_secure,
        httponly=True,
        samesite="strict",
        max_age=3600,
    )


def presession(request: Request[Any, Any, Any], deps: PageDeps) -> tuple[str, Cookie | None]:
    """The sign-in form's CSRF token, and the cookie to set when the browser has none."""
    current = request.cookies.get(deps.signin_cookie)
    if current and 20 <= len(current) <= 100:  # noqa: PLR2004 - what token_urlsafe(32) gives
        return signin_token(deps.signin_csrf_key, current), None
    value = secrets.token_urlsafe(32)
    return signin_token(deps.signin_csrf_key, value), signin_cookie(deps, value)


async def posted_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The fields of a posted page form. Only URL-encoded forms are read: a multipart
    body would be spooled to a plaintext temporary file, which pages never need."""
    if request.content_type[0] != URL_ENCODED:
        return {}
    form = await request.form()
    return {name: str(form.get(name)) for name in form}


def live_session(request: Request[Any, Any, Any]) -> LiveSession:
    """The session the guard found; only called by handlers that require one."""
    live = request.state.get("live_session")
    if not isinstance(live, LiveSession):  # pragma: no cover - the guard ran first
        raise SignInRequired
    return live


def page_guard(deps: PageDeps) -> Any:
    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        access = PageAccess(handler.opt.get(ACCESS, PageAccess.SIGNED_IN))
        live = await deps.sign_in.session(connection.cookies.get(deps.session_cookie))
        connection.state["live_session"] = live
        if not fits(access, live):
            raise SignInRequired
        if not isinstance(connection, Request):  # pragma: no cover - pages are HTTP only
            raise FormRefused
        if connection.method != "POST":
            return
        sent = connection.headers.get(CSRF_HEADER) or (await posted_form(connection)).get(
            CSRF_FIELD, ""
        )
        if access is PageAccess.PUBLIC:
            cookie = connection.cookies.get(deps.signin_cookie, "")
            expected = signin_token(deps.signin_csrf_key, cookie) if cookie else ""
        else:
            expected = live.session.csrf_secret if live else ""
        if not (expected and sent and hmac.compare_digest(expected, sent)):
            caller = request_caller(connection, deps.trusted_proxies)
            await deps.sign_in.refuse_forged_form(
                live if access is not PageAccess.PUBLIC else None, caller=caller
            )
            raise FormRefused

    return guard
