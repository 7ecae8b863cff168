"""The Dutch web pages: server-rendered, without script, behind one guard.

``router(deps)`` gives the page routes (``portal.web.pages.guard`` decides who reaches
each); ``asset_routers(deps)`` the stylesheets under ``/static``; ``template_config()``
the Jinja environment (autoescaped, strict about missing names). The NL Design System
component CSS is installed by ``deploy/lib.sh`` (``npm ci``) into ``static/vendor``;
without it the pages are plain HTML, and the server says so once at start
(``vendor_css_installed``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_403_FORBIDDEN
from litestar.template.config import TemplateConfig

from portal.web.pages import case_page, cases, sign_in
from portal.web.pages.guard import ACCESS, FormRefused, PageAccess, SignInRequired, page_guard
from portal.web.pages.state import PageDeps

log = logging.getLogger("portal.pages")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "portal"
VENDOR = HERE / "static" / "vendor"
VENDOR_CSS = "utrecht-components.css"
"""``@utrecht/component-library-css``'s ``dist/index.css``, copied here by ``deploy/lib.sh``."""
DEFAULT_THEME = HERE / "static" / "theme.css"
MAX_FORM_BYTES = 64 * 1024
"""Page forms hold a few short fields; anything larger is refused before it is read."""

# Not for the token middleware: pages authenticate by session (the guard), assets not at all.
NO_TOKEN = {"exclude_from_auth": True}
ASSET = {**NO_TOKEN, ACCESS: PageAccess.PUBLIC}


def vendor_css_installed() -> bool:
    """Whether the component CSS is there; without it, one warning for the operator."""
    if (VENDOR / VENDOR_CSS).is_file():
        return True
    log.warning(
        "The NL Design System stylesheet is not installed (%s is missing): the pages are "
        "served as plain HTML. Run the install step: bash deploy/run.sh, or "
        "`source deploy/lib.sh && ensure_web_assets`.",
        VENDOR / VENDOR_CSS,
    )
    return False


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def _to_sign_in(_: Request[Any, Any, Any], __: SignInRequired) -> Response[Any]:
    return Redirect(path="/aanmelden", status_code=303)


def router(deps: PageDeps) -> Router:
    """Every page route, each behind the guard; a handler that names no access needs a
    signed-in session (deny by default)."""

    def refused_form(request: Request[Any, Any, Any], _: FormRefused) -> Response[Any]:
        # Rendered here, not as a Template response: an exception handler's answer is
        # sent without the template step. The refusal is on record already (the guard).
        engine = request.app.template_engine
        if engine is None:  # pragma: no cover - create_app always sets one
            return Response(content="Geweigerd", status_code=HTTP_403_FORBIDDEN)
        html = engine.get_template("geweigerd.html").render(
            title="Verzoek geweigerd",
            theme_class=deps.theme_class,
            vendor_css=deps.vendor_css,
            csrf_token=None,
            signed_in_as=None,
            errors=[],
            error_fields=set(),
        )
        return Response(content=html, status_code=HTTP_403_FORBIDDEN, media_type="text/html")

    return Router(
        path="/",
        route_handlers=[cases.my_cases, *case_page.HANDLERS, *sign_in.HANDLERS],
        guards=[page_guard(deps)],
        dependencies={"pages": Provide(lambda: deps, use_cache=True, sync_to_thread=False)},
        exception_handlers={SignInRequired: _to_sign_in, FormRefused: refused_form},
        opt=dict(NO_TOKEN),
        include_in_schema=False,
        request_max_body_size=MAX_FORM_BYTES,
    )


def asset_routers(deps: PageDeps) -> list[Router]:
    """``/static/portal/...`` (the portal's own CSS), ``/static/theme.css`` (the theme in
    use), and ``/static/vendor/...`` when the component CSS is installed."""

    @get("/static/theme.css", media_type="text/css", opt=ASSET)
    async def theme() -> Response[bytes]:
        return Response(content=deps.theme_css, media_type="text/css")

    routers = [
        Router(path="/", route_handlers=[theme], include_in_schema=False),
        create_static_files_router(path="/static/portal", directories=[STATIC], opt=dict(ASSET)),
    ]
    if deps.vendor_css:
        routers.append(
            create_static_files_router(path="/static/vendor", directories=[VENDOR], opt=dict(ASSET))
        )
    return routers
