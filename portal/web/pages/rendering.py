"""One way to answer with a page: the template, plus what the layout needs on every page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template

from portal.domain.sign_in import SessionStage
from portal.web.pages.state import PageDeps

_UNSET: Any = object()


def page(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    cookies: Sequence[Cookie] = (),
    headers: dict[str, str] | None = None,
    errors: Sequence[tuple[str, str]] = (),
    csrf_token: str | None = _UNSET,
    signed_in_as: str | None = _UNSET,
    **context: Any,
) -> Template:
    """``errors`` are (field id, Dutch message) pairs: the summary at the top links each
    to its field. The session's CSRF token and name come from the request's session
    unless given (a page that has just started a new session gives the new one's)."""
    live = request.state.get("live_session")
    if csrf_token is _UNSET:
        csrf_token = live.session.csrf_secret if live else None
    if signed_in_as is _UNSET:
        signed_in = live is not None and live.session.stage is SessionStage.SIGNED_IN
        signed_in_as = live.actor.username if signed_in else None
    return Template(
        template_name=template,
        context={
            "title": title,
            "theme_class": pages.theme_class,
            "vendor_css": pages.vendor_css,
            "csrf_token": csrf_token,
            "signed_in_as": signed_in_as,
            "errors": list(errors),
            "error_fields": {field for field, _ in errors},
            **context,
        },
        status_code=status_code,
        cookies=list(cookies),
        headers=headers or {},
    )
