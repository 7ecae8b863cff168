"""The sign-in pages: password, second factor, TOTP enrolment, enrolment link, sign-out.

Stable for the browser tests: the forms' ids and fields are named in each template and
listed in docs/architecture.md ("Web pages").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_429_TOO_MANY_REQUESTS,
)

from portal.domain.sign_in import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordProblem,
    SessionStage,
)
from portal.services.sign_in import Refusal, Refused, StartedSession
from portal.web.auth import request_caller
from portal.web.pages.guard import ACCESS, PageAccess, live_session, posted_form, presession
from portal.web.pages.rendering import page
from portal.web.pages.state import PageDeps

PUBLIC = {ACCESS: PageAccess.PUBLIC}

NEXT_PAGE = {
    SessionStage.SECOND_FACTOR: "/tweede-factor",
    SessionStage.ENROL: "/inrichten",
    SessionStage.SIGNED_IN: "/",
}

WRONG_PASSWORD = "De combinatie van gebruikersnaam en wachtwoord klopt niet."  # noqa: S105 - a message
WRONG_CODE = "De code klopt niet of is al gebruikt."


def _refusal_message(refusal: Refusal, wrong: str) -> str:
    minutes = max(1, -(-(refusal.wait_seconds or 0) // 60))
    if refusal.why is Refused.LOCKED:
        return (
            "Te veel mislukte pogingen. Aanmelden met deze gebruikersnaam is geblokkeerd; "
            f"probeer het over {minutes} minuten opnieuw."
        )
    if refusal.why is Refused.SLOW_DOWN:
        return (
            f"Te veel mislukte pogingen. Wacht {refusal.wait_seconds} seconden en "
            "probeer het dan opnieuw."
        )
    if refusal.why is Refused.ADDRESS_BLOCKED:
        return (
            "Te veel mislukte pogingen vanaf dit adres. "
            f"Probeer het over {minutes} minuten opnieuw."
        )
    return wrong


def _status(refusal: Refusal) -> int:
    return HTTP_401_UNAUTHORIZED if refusal.why is Refused.WRONG else HTTP_429_TOO_MANY_REQUESTS


def _retry_after(refusal: Refusal) -> dict[str, str]:
    return {"Retry-After": str(refusal.wait_seconds)} if refusal.wait_seconds else {}


def session_cookie(deps: PageDeps, value: str) -> Cookie:
    # No Max-Age: the cookie ends with the browser; the server ends the session anyway.
    return Cookie(
        key=deps.session_cookie,
        value=value,
        path="/",
        secure=deps.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def _expired(key: str, deps: PageDeps) -> Cookie:
    return Cookie(
        key=key,
        value="",
        path="/",
        secure=deps.cookie_secure,
        httponly=True,
        samesite="strict",
        max_age=0,
    )


def _onward(started: StartedSession, deps: PageDeps) -> Redirect:
    return Redirect(
        path=NEXT_PAGE[started.stage],
        status_code=303,
        cookies=[session_cookie(deps, started.cookie_value)],
    )


def _sign_in_page(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    *,
    username: str = "",
    errors: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    token, cookie = presession(request, pages)
    return page(
        request,
        pages,
        "aanmelden.html",
        title="Aanmelden",
        status_code=status_code,
        cookies=[cookie] if cookie else [],
        headers=headers,
        errors=errors,
        form_token=token,
        username=username,
        signed_out=request.query_params.get("afgemeld") == "1",
    )


@get("/aanmelden", opt=PUBLIC, name="page:sign-in")
async def sign_in_form(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    live = request.state.get("live_session")
    if live is not None and live.session.stage is SessionStage.SIGNED_IN:
        return Redirect(path="/", status_code=303)
    return _sign_in_page(request, pages)


@post("/aanmelden", opt=PUBLIC, status_code=303)
async def sign_in(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    form = await posted_form(request)
    username, password = form.get("username", ""), form.get("password", "")
    errors = [
        (field, message)
        for field, message, value in (
            ("gebruikersnaam", "Vul uw gebruikersnaam in.", username.strip()),
            ("wachtwoord", "Vul uw wachtwoord in.", password),
        )
        if not value
    ]
    if errors:
        return _sign_in_page(
            request, pages, username=username, errors=errors, status_code=HTTP_400_BAD_REQUEST
        )
    live = request.state.get("live_session")
    outcome = await pages.sign_in.with_password(
        username,
        password,
        caller=request_caller(request, pages.trusted_proxies),
        replacing=live.session.id_hash if live else None,
    )
    if isinstance(outcome, Refusal):
        return _sign_in_page(
            request,
            pages,
            username=username,
            errors=[("gebruikersnaam", _refusal_message(outcome, WRONG_PASSWORD))],
            status_code=_status(outcome),
            headers=_retry_after(outcome),
        )
    return _onward(outcome, pages)


@get("/tweede-factor", opt={ACCESS: PageAccess.SECOND_FACTOR})
async def second_factor_form(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template:
    return page(request, pages, "tweede_factor.html", title="Tweede stap")


@post("/tweede-factor", opt={ACCESS: PageAccess.SECOND_FACTOR}, status_code=303)
async def second_factor(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    code = (await posted_form(request)).get("code", "")
    if not code.strip():
        return page(
            request,
            pages,
            "tweede_factor.html",
            title="Tweede stap",
            status_code=HTTP_400_BAD_REQUEST,
            errors=[("code", "Vul de code uit uw app of een herstelcode in.")],
        )
    outcome = await pages.sign_in.with_second_factor(
        live_session(request), code, caller=request_caller(request, pages.trusted_proxies)
    )
    if isinstance(outcome, Refusal):
        return page(
            request,
            pages,
            "tweede_factor.html",
            title="Tweede stap",
            status_code=_status(outcome),
            headers=_retry_after(outcome),
            errors=[("code", _refusal_message(outcome, WRONG_CODE))],
        )
    return _onward(outcome, pages)


async def _enrolment_page(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    *,
    errors: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
) -> Template | Redirect:
    enrolment = await pages.sign_in.enrolment(live_session(request))
    if enrolment is None:  # pragma: no cover - an enrol-stage session of an enrolled account
        return Redirect(path="/aanmelden", status_code=303)
    return page(
        request,
        pages,
        "inrichten.html",
        title="Tweestapsverificatie instellen",
        status_code=status_code,
        errors=errors,
        secret=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
    )


@get("/inrichten", opt={ACCESS: PageAccess.ENROL})
async def enrolment_form(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    return await _enrolment_page(request, pages)


@get("/inrichten/qr.svg", opt={ACCESS: PageAccess.ENROL}, media_type="image/svg+xml")
async def enrolment_qr(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Response[bytes]:
    svg = await pages.sign_in.enrolment_qr_svg(live_session(request))
    if svg is None:  # pragma: no cover - as for the enrolment page
        return Response(content=b"", status_code=404)
    return Response(content=svg, media_type="image/svg+xml")


@post("/inrichten", opt={ACCESS: PageAccess.ENROL}, status_code=200)
async def confirm_enrolment(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    code = (await posted_form(request)).get("code", "")
    live = live_session(request)
    enrolled = await pages.sign_in.confirm_enrolment(
        live, code, caller=request_caller(request, pages.trusted_proxies)
    )
    if enrolled is None:
        return await _enrolment_page(
            request,
            pages,
            errors=[("code", "De code klopt niet. Vul de code in die uw app nu toont.")],
            status_code=HTTP_400_BAD_REQUEST,
        )
    # Shown once, in this answer only: nothing stores the codes themselves.
    return page(
        request,
        pages,
        "herstelcodes.html",
        title="Uw herstelcodes",
        cookies=[session_cookie(pages, enrolled.session.cookie_value)],
        csrf_token=enrolled.session.csrf_secret,
        signed_in_as=live.actor.username,
        recovery_codes=enrolled.recovery_codes,
    )


@get("/welkom", opt=PUBLIC)
async def enrolment_link_form(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template:
    token = request.query_params.get("t", "")
    usable = await pages.sign_in.enrolment_link_usable(token)
    return _welcome_page(request, pages, token=token if usable else None)


def _welcome_page(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    *,
    token: str | None,
    errors: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
) -> Template:
    form_token, cookie = presession(request, pages)
    return page(
        request,
        pages,
        "welkom.html",
        title="Welkom: kies uw wachtwoord",
        status_code=status_code if token is not None else HTTP_400_BAD_REQUEST,
        cookies=[cookie] if cookie else [],
        errors=errors,
        form_token=form_token,
        link_token=token,
        min_length=MIN_PASSWORD_LENGTH,
    )


PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.",
    PasswordProblem.TOO_LONG: f"Kies een wachtwoord van hoogstens {MAX_PASSWORD_LENGTH} tekens.",
    PasswordProblem.IS_USERNAME: "Kies een wachtwoord dat niet gelijk is aan uw gebruikersnaam.",
}


@post("/welkom", opt=PUBLIC, status_code=303)
async def choose_password(
    request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]
) -> Template | Redirect:
    form = await posted_form(request)
    token, password = form.get("token", ""), form.get("password", "")
    if password != form.get("password_repeat", ""):
        return _welcome_page(
            request,
            pages,
            token=token,
            errors=[("wachtwoord-herhalen", "De twee wachtwoorden zijn niet gelijk.")],
            status_code=HTTP_400_BAD_REQUEST,
        )
    live = request.state.get("live_session")
    outcome = await pages.sign_in.password_with_link(
        token,
        password,
        caller=request_caller(request, pages.trusted_proxies),
        replacing=live.session.id_hash if live else None,
    )
    if outcome is None:
        return _welcome_page(request, pages, token=None)
    if isinstance(outcome, PasswordProblem):
        return _welcome_page(
            request,
            pages,
            token=token,
            errors=[("nieuw-wachtwoord", PASSWORD_MESSAGES[outcome])],
            status_code=HTTP_400_BAD_REQUEST,
        )
    return _onward(outcome, pages)


@post("/afmelden", opt={ACCESS: PageAccess.ANY_SESSION}, status_code=303)
async def sign_out(request: Request[Any, Any, Any], pages: NamedDependency[PageDeps]) -> Redirect:
    await pages.sign_in.sign_out(
        live_session(request), caller=request_caller(request, pages.trusted_proxies)
    )
    return Redirect(
        path="/aanmelden?afgemeld=1",
        status_code=303,
        cookies=[_expired(pages.session_cookie, pages)],
    )


HANDLERS = [
    sign_in_form,
    sign_in,
    second_factor_form,
    second_factor,
    enrolment_form,
    enrolment_qr,
    confirm_enrolment,
    enrolment_link_form,
    choose_password,
    sign_out,
]
