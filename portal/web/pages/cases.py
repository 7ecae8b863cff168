"""The start page, "Mijn casussen": the register entries the signed-in user may see."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.services import cases
from portal.web.auth import request_caller
from portal.web.dutch import PHASES
from portal.web.pages.guard import live_session
from portal.web.pages.rendering import page
from portal.web.pages.state import PageDeps


@get("/", name="page:start")
async def my_cases(request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]) -> Template:
    live = live_session(request)
    context = request_caller(request, pages.trusted_proxies).context(live.actor)
    entries = await cases.visible_cases(context, clock=pages.clock)
    rows = [
        {
            "id": str(entry.case.id),
            "reference": entry.case.reference,
            "phase": PHASES[entry.case.phase],
            "closed": entry.case.closed,
            "since": entry.case.phase_changed_at.strftime("%d-%m-%Y"),
        }
        for entry in sorted(entries, key=lambda entry: entry.case.reference)
    ]
    return page(request, pages, "mijn_casussen.html", title="Mijn casussen", cases=rows)
