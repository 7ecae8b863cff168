"""The web pages' sign-in (art. 12, Bijlage 3): password plus TOTP or a recovery code,
sessions in the database, CSRF on every form, locks, and every step on record.

The cast: Alice the procesregisseur and Bob a deelnemer, both with the demo password and
TOTP seed; Nina, a new case worker at Gemeente Venlo who enrols with a link.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from crypto import MasterKey, SecretBox
from portal.app import create_app
from portal.db.tables import AuditEvent, LoginFailureWindow, SignInFailure, WebSession
from portal.domain.actions import Action
from portal.domain.login_throttle import ThrottlePolicy
from portal.domain.partijen import Role
from portal.domain.sign_in import SessionPolicy, SignInPolicy
from portal.services import users
from portal.services.audit import PSEUDONYM_KEY_PURPOSE, AuditLog
from portal.services.audit_sealing import AUDIT_KEY_PURPOSE
from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from portal.services.sign_in import (
    CREDENTIAL_KEY_PURPOSE,
    NAME_KEY_PURPOSE,
    Forgotten,
    SignIn,
    give_demo_sign_in,
)
from portal.settings import Settings, load_settings
from portal.web import pages
from portal.web.pages.guard import ACCESS, PageAccess
from portal.web.security_headers import PAGE_CSP
from tests.web.conftest import MovableClock

COOKIE = "portal_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    http: httpx.AsyncClient
    app: Litestar
    settings: Settings
    clock: MovableClock
    tokens: dict[str, str]

    def operator(self) -> SignIn:
        """The sign-in service as `portal user ...` builds it: same keys, same database."""
        master = MasterKey.load(self.settings.effective_master_key_file)
        return SignIn(
            audit=AuditLog(
                pseudonym_key=master.key_for(PSEUDONYM_KEY_PURPOSE),
                sealing_key=master.key_for(AUDIT_KEY_PURPOSE),
            ),
            clock=self.clock,
            box=SecretBox(master.key_for(CREDENTIAL_KEY_PURPOSE)),
            name_key=master.key_for(NAME_KEY_PURPOSE),
            policy=SignInPolicy(),
            sessions=SessionPolicy(),
            throttle=ThrottlePolicy(),
        )


async def open_site(
    data_dir: Path, clock: MovableClock, base_url: str = "http://testserver.local", **env: str
) -> AsyncIterator[Site]:
    settings = load_settings({"PORTAL_DATA_DIR": str(data_dir), **env})
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app=app, timeout=60, base_url=base_url) as http:
        http.follow_redirects = False  # the redirects are what is tested
        demo = await load_demo(clock=clock)
        master = MasterKey.load(settings.effective_master_key_file)
        box = SecretBox(master.key_for(CREDENTIAL_KEY_PURPOSE))
        for name in ("alice", "bob"):
            await give_demo_sign_in(
                name, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET, box=box, clock=clock
            )
        yield Site(
            http=http,
            app=app,
            settings=settings,
            clock=clock,
            tokens={login.username: login.token for login in demo.logins},
        )


@pytest.fixture
async def site(data_dir: Path, clock: MovableClock) -> AsyncIterator[Site]:
    async for opened in open_site(data_dir, clock):
        yield opened


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return html.unescape(found.group(1))


def code_now(clock: MovableClock, secret: str = DEMO_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(clock.now)


async def post_form(
    http: httpx.AsyncClient, path: str, fields: dict[str, str], *, from_page: str
) -> httpx.Response:
    """Post a form with the CSRF token of the page it is on, as a browser does."""
    page = await http.get(from_page)
    return await http.post(path, data={**fields, "csrf_token": csrf_of(page)})


async def with_password(
    http: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD
) -> httpx.Response:
    return await post_form(
        http, "/aanmelden", {"username": username, "password": password}, from_page="/aanmelden"
    )


async def sign_in(site: Site, username: str = "alice") -> None:
    first = await with_password(site.http, username)
    assert (first.status_code, first.headers["location"]) == (303, "/tweede-factor"), first.text
    second = await post_form(
        site.http, "/tweede-factor", {"code": code_now(site.clock)}, from_page="/tweede-factor"
    )
    assert (second.status_code, second.headers["location"]) == (303, "/"), second.text


async def records(action: Action) -> list[dict[str, Any]]:
    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)


def without_tokens(text: str) -> str:
    return CSRF.sub('name="csrf_token" value=""', text)


async def test_the_start_page_sends_a_signed_out_visitor_to_sign_in(site: Site) -> None:
    answer = await site.http.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/aanmelden")


async def test_the_sign_in_page_is_dutch_labelled_and_allows_no_inline_script(site: Site) -> None:
    page = await site.http.get("/aanmelden")
    assert page.status_code == 200
    assert '<html lang="nl" class="rto-theme">' in page.text
    assert (
        '<label class="utrecht-form-label" for="gebruikersnaam">Gebruikersnaam</label>' in page.text
    )
    assert '<label class="utrecht-form-label" for="wachtwoord">Wachtwoord</label>' in page.text
    assert 'href="#inhoud">Direct naar de inhoud</a>' in page.text
    assert "<script" not in page.text
    assert " style=" not in page.text
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert page.headers["cache-control"] == "no-store"


async def test_every_page_has_the_page_csp_without_unsafe_inline(site: Site) -> None:
    signed_out = await site.http.get("/aanmelden")
    await sign_in(site)
    start = await site.http.get("/")
    api = await site.http.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {site.tokens['alice']}"}
    )
    for page in (signed_out, start):
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == PAGE_CSP
        assert "unsafe-inline" not in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
    # The API keeps its own policy: it loads nothing at all.
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_a_wrong_password_and_an_unknown_name_look_the_same(site: Site) -> None:
    wrong = await with_password(site.http, "alice", "niet-het-wachtwoord")
    unknown = await with_password(site.http, "alicia", "niet-het-wachtwoord")
    assert wrong.status_code == unknown.status_code == 401
    assert "De combinatie van gebruikersnaam en wachtwoord klopt niet." in wrong.text
    assert without_tokens(wrong.text).replace("alice", "NAAM") == without_tokens(
        unknown.text
    ).replace("alicia", "NAAM")
    assert COOKIE not in site.http.cookies
    failed = await records(Action.AUTH_SIGNIN_FAILED)
    assert [(r["actor_username"], r["reason"]) for r in failed] == [
        ("alice", "wrong account name or password"),
        (None, "wrong account name or password"),
    ]
    assert not any("niet-het-wachtwoord" in str(r) or "alicia" in str(r) for r in failed)


async def test_five_failures_lock_the_account_for_15_minutes_on_record(site: Site) -> None:
    for attempt in range(5):
        site.clock.advance(seconds=10)  # past each slow-down wait
        answer = await with_password(site.http, "alice", f"fout-{attempt}-wachtwoord")
    assert answer.status_code == 429
    assert "geblokkeerd" in answer.text
    site.clock.advance(seconds=10)
    locked = await with_password(site.http, "alice")  # the right password, but locked
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 800
    assert COOKIE not in site.http.cookies
    lock = await records(Action.AUTH_LOCK)
    assert [(r["actor_username"], r["reason"]) for r in lock] == [
        ("alice", "5 failed sign-ins: locked for 15 minutes")
    ]
    # One by one the first five from this address; the attempt while locked is counted
    # into the address's window, for its summary record (portal.domain.login_throttle).
    failed = [r["reason"] for r in await records(Action.AUTH_SIGNIN_FAILED)]
    assert failed == ["wrong account name or password"] * 5
    window = await LoginFailureWindow.select().first()
    assert window is not None
    assert (window["failures"], window["unrecorded"]) == (6, 1)
    site.clock.advance(minutes=15)
    await sign_in(site)


async def test_failures_slow_down_before_the_lock(site: Site) -> None:
    for attempt in range(3):
        await with_password(site.http, "alice", f"fout-{attempt}-wachtwoord")
    too_soon = await with_password(site.http, "alice")
    assert too_soon.status_code == 429
    assert "Wacht 2 seconden" in too_soon.text
    site.clock.advance(seconds=2)
    assert (await with_password(site.http, "alice")).status_code == 303


async def test_enrolment_with_a_link_sets_up_totp_end_to_end(site: Site) -> None:
    secret, codes = await enrol_nina(site)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    start = await site.http.get("/")
    assert start.status_code == 200
    assert "Aangemeld als <strong>nina</strong>" in start.text
    assert [(r["actor_username"], r["outcome"]) for r in await records(Action.AUTH_TOTP_ENROL)] == [
        ("nina", "failure"),  # the wrong first code
        ("nina", "success"),
    ]
    assert [r["actor_username"] for r in await records(Action.AUTH_PASSWORD_SET)] == ["nina"]
    assert len(await records(Action.AUTH_ENROLMENT_LINK)) == 1
    # The seed works for a later sign-in, with a code of a later time step.
    await site.http.post("/afmelden", data={"csrf_token": csrf_of(start)})
    site.clock.advance(seconds=30)
    await with_password(site.http, "nina", NINA_PASSWORD)
    second = await post_form(
        site.http,
        "/tweede-factor",
        {"code": code_now(site.clock, secret)},
        from_page="/tweede-factor",
    )
    assert second.headers["location"] == "/"


NINA_PASSWORD = "een lange zin als wachtwoord"


async def enrol_nina(site: Site) -> tuple[str, list[str]]:
    """Nina is added, follows her enrolment link, chooses a password, scans the QR code and
    confirms with her first code; she sees her recovery codes once."""
    await users.add_user(
        username="nina",
        partij_name="Gemeente Venlo",
        roles=frozenset({Role.PARTNER}),
        vog=True,
        geheimhouding=True,
        clock=site.clock,
    )
    token = await site.operator().issue_enrolment_link("nina", operator="beheer")
    welcome = await site.http.get("/welkom", params={"t": token})
    assert welcome.status_code == 200
    assert 'id="wachtwoord-formulier"' in welcome.text
    chosen = await site.http.post(
        "/welkom",
        data={
            "token": token,
            "password": NINA_PASSWORD,
            "password_repeat": NINA_PASSWORD,
            "csrf_token": csrf_of(welcome),
        },
    )
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/inrichten"), chosen.text
    enrol = await site.http.get("/inrichten")
    assert '<label class="utrecht-form-label" for="code">Code uit de app</label>' in enrol.text
    assert 'inputmode="numeric"' in enrol.text
    assert '<img id="qr-code" src="/inrichten/qr.svg"' in enrol.text
    found = re.search(r'<code id="totp-geheim"[^>]*>([A-Z2-7 ]+)</code>', enrol.text)
    assert found, enrol.text
    secret = found.group(1).replace(" ", "")
    qr = await site.http.get("/inrichten/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.content.lstrip().startswith(b"<svg")
    assert secret.encode() not in qr.content  # the seed is in the picture, not its text
    wrong = await site.http.post(
        "/inrichten", data={"code": "000000", "csrf_token": csrf_of(enrol)}
    )
    assert wrong.status_code == 400
    done = await site.http.post(
        "/inrichten", data={"code": code_now(site.clock, secret), "csrf_token": csrf_of(enrol)}
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code class=\"utrecht-code\">([A-Z2-7-]+)</code></li>", done.text)
    # The link is used up.
    again = await site.http.get("/welkom", params={"t": token})
    assert again.status_code == 400
    assert 'id="link-ongeldig"' in again.text
    return secret, codes


async def test_a_totp_code_is_refused_when_replayed(site: Site) -> None:
    await sign_in(site)
    start = await site.http.get("/")
    await site.http.post("/afmelden", data={"csrf_token": csrf_of(start)})
    await with_password(site.http, "alice")
    replay = await post_form(
        site.http, "/tweede-factor", {"code": code_now(site.clock)}, from_page="/tweede-factor"
    )
    assert replay.status_code == 401
    assert "De code klopt niet of is al gebruikt." in replay.text
    assert (await site.http.get("/")).status_code == 303
    site.clock.advance(seconds=30)
    fresh = await post_form(
        site.http, "/tweede-factor", {"code": code_now(site.clock)}, from_page="/tweede-factor"
    )
    assert fresh.headers["location"] == "/"


async def test_a_recovery_code_signs_in_once(site: Site) -> None:
    _, codes = await enrol_nina(site)
    start = await site.http.get("/")
    await site.http.post("/afmelden", data={"csrf_token": csrf_of(start)})
    for expected in (303, 401):
        await with_password(site.http, "nina", NINA_PASSWORD)
        answer = await post_form(
            site.http, "/tweede-factor", {"code": codes[3].lower()}, from_page="/tweede-factor"
        )
        assert answer.status_code == expected, answer.text
        if expected == 303:
            start = await site.http.get("/")
            await site.http.post("/afmelden", data={"csrf_token": csrf_of(start)})
    used = await records(Action.AUTH_RECOVERY_CODE)
    assert [(r["actor_username"], r["reason"]) for r in used] == [
        ("nina", "a recovery code was used up; 9 left")
    ]


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    await sign_in(site)
    refused = await site.http.post("/afmelden", data={})
    assert refused.status_code == 403
    assert '<html lang="nl"' in refused.text
    assert "Verzoek geweigerd" in refused.text
    wrong = await site.http.post("/afmelden", data={"csrf_token": "geraden"})
    assert wrong.status_code == 403
    assert (await site.http.get("/")).status_code == 200  # still signed in
    assert await WebSession.count() == 1
    denied = await records(Action.AUTH_CSRF_DENIED)
    assert [r["actor_username"] for r in denied] == ["alice", "alice"]


async def test_a_forged_sign_in_without_the_pre_session_token_is_refused(site: Site) -> None:
    forged = await site.http.post("/aanmelden", data={"username": "bob", "password": DEMO_PASSWORD})
    assert forged.status_code == 403
    # A token from another browser's cookie does not fit this one's.
    other = await site.http.get("/aanmelden")
    site.http.cookies.clear()
    replayed = await site.http.post(
        "/aanmelden",
        data={"username": "bob", "password": DEMO_PASSWORD, "csrf_token": csrf_of(other)},
    )
    assert replayed.status_code == 403
    assert await WebSession.count() == 0
    assert len(await records(Action.AUTH_CSRF_DENIED)) == 2
    assert await records(Action.AUTH_SIGNIN_FAILED) == []


async def test_a_session_ends_after_15_idle_minutes(site: Site) -> None:
    await sign_in(site)
    for _ in range(3):
        site.clock.advance(minutes=14)
        assert (await site.http.get("/")).status_code == 200
    site.clock.advance(minutes=15)
    ended = await site.http.get("/")
    assert (ended.status_code, ended.headers["location"]) == (303, "/aanmelden")
    assert await WebSession.count() == 0


async def test_a_busy_session_still_ends_8_hours_after_sign_in(site: Site) -> None:
    await sign_in(site)
    for _ in range(8 * 6 - 1):
        site.clock.advance(minutes=10)
        assert (await site.http.get("/")).status_code == 200
    site.clock.advance(minutes=10)
    assert (await site.http.get("/")).status_code == 303


async def test_the_sweep_forgets_ended_sessions_counts_and_windows_but_not_live_ones(
    site: Site,
) -> None:
    await sign_in(site)  # a session that will run idle
    site.http.cookies.clear()  # the rest from other browsers
    for attempt in range(5):  # bob locked; his address's window counts a 6th unrecorded
        site.clock.advance(seconds=5)
        await with_password(site.http, "bob", f"fout-{attempt}-wachtwoord")
    site.clock.advance(seconds=5)
    assert (await with_password(site.http, "bob")).status_code == 429
    nothing = Forgotten(sessions=0, sign_in_failures=0, refusal_windows=0, enrolment_links=0)
    assert await site.operator().forget_expired() == nothing

    site.clock.advance(minutes=16)  # alice idle, bob's lock over, the window long ended
    await sign_in(site)  # a live session beside the ended one
    summaries_before = len(await records(Action.AUTH_LOGIN_FAILED))
    assert await site.operator().forget_expired() == Forgotten(
        sessions=1, sign_in_failures=1, refusal_windows=1, enrolment_links=0
    )
    assert await WebSession.count() == 1
    assert (await site.http.get("/")).status_code == 200  # the live one still works
    assert await SignInFailure.count() == 0
    assert await LoginFailureWindow.count() == 0
    owed = (await records(Action.AUTH_LOGIN_FAILED))[summaries_before:]
    assert [r["reason"] for r in owed] == [
        "1 more refused API tokens or sign-ins from this address, counted, not recorded one by one"
    ]
    assert await site.operator().forget_expired() == nothing  # and again: nothing more


async def test_sign_out_deletes_the_session(site: Site) -> None:
    await sign_in(site)
    cookie = site.http.cookies[COOKIE]
    start = await site.http.get("/")
    out = await site.http.post("/afmelden", data={"csrf_token": csrf_of(start)})
    assert (out.status_code, out.headers["location"]) == (303, "/aanmelden?afgemeld=1")
    assert "U bent afgemeld." in (await site.http.get(out.headers["location"])).text
    assert await WebSession.count() == 0
    site.http.cookies.set(COOKIE, cookie, domain="testserver.local")  # kept by someone
    assert (await site.http.get("/")).status_code == 303
    assert [r["actor_username"] for r in await records(Action.AUTH_SIGNOUT)] == ["alice"]


async def test_each_step_gets_a_new_session_id(site: Site) -> None:
    site.http.cookies.set(
        COOKIE, "planted-by-someone-else-0123456789abcdefghij", domain="testserver.local"
    )
    await with_password(site.http, "alice")
    after_password = site.http.cookies[COOKIE]
    assert after_password != "planted-by-someone-else-0123456789abcdefghij"
    await post_form(
        site.http, "/tweede-factor", {"code": code_now(site.clock)}, from_page="/tweede-factor"
    )
    assert site.http.cookies[COOKIE] != after_password
    assert await WebSession.count() == 1
    assert [r["actor_username"] for r in await records(Action.AUTH_SIGNIN)] == ["alice"]


async def test_the_session_cookie_is_httponly_strict_and_secure_when_set(
    data_dir: Path, clock: MovableClock
) -> None:
    secure = open_site(data_dir, clock, "https://testserver.local", PORTAL_COOKIE_SECURE="true")
    async for site in secure:
        answer = await with_password(site.http, "alice")
        cookie = next(
            value
            for name, value in answer.headers.multi_items()
            if name == "set-cookie" and value.startswith("__Host-portal_session=")
        )
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "secure", "path=/", "samesite=strict"} <= attributes
        assert not any(part.startswith("domain") for part in attributes)


async def test_a_session_made_by_one_app_process_works_in_another(
    site: Site, data_dir: Path, clock: MovableClock
) -> None:
    await sign_in(site)
    cookie = site.http.cookies[COOKIE]
    other = create_app(site.settings, clock=clock)
    async with AsyncTestClient(app=other, timeout=60) as second:
        second.follow_redirects = False
        second.cookies.set(COOKIE, cookie)
        start = await second.get("/")
        assert start.status_code == 200
        assert '<h1 class="utrecht-heading-1">Mijn casussen</h1>' in start.text
        out = await second.post("/afmelden", data={"csrf_token": csrf_of(start)})
        assert out.status_code == 303
    assert (await site.http.get("/")).status_code == 303  # signed out there, here too


def page_routes(app: Litestar) -> list[tuple[str, str, PageAccess]]:
    found: list[tuple[str, str, PageAccess]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not isinstance(handler, HTTPRouteHandler) or not handler.opt.get(
                "exclude_from_auth"
            ):
                continue
            access = PageAccess(handler.opt.get(ACCESS, PageAccess.SIGNED_IN))
            found.extend((method, route.path, access) for method in sorted(handler.http_methods))
    return found


def concrete(path: str) -> str:
    """A route's path with each parameter filled in, so routing reaches the guard."""
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def test_no_page_but_sign_in_enrolment_and_assets_is_reachable_without_a_session(
    site: Site,
) -> None:
    routes = page_routes(site.app)
    guarded = [(method, path) for method, path, access in routes if access is not PageAccess.PUBLIC]
    assert ("GET", "/") in guarded
    assert ("POST", "/afmelden") in guarded
    public = {path for _, path, access in routes if access is PageAccess.PUBLIC}
    assert {"/aanmelden", "/welkom", "/static/theme.css"} <= public
    for method, path in guarded:
        answer = await site.http.request(method, concrete(path))
        assert (answer.status_code, answer.headers.get("location")) == (303, "/aanmelden"), path
    # A half-done sign-in (password only) reaches the second-factor page and nothing else.
    await with_password(site.http, "alice")
    for method, path in guarded:
        if path in {"/tweede-factor", "/afmelden"}:
            continue
        answer = await site.http.request(method, concrete(path))
        assert answer.status_code == 303, path


async def test_the_start_page_lists_the_cases_the_user_may_see(site: Site) -> None:
    partijen = (await site.http.get("/api/v1/partijen", headers=auth(site, "alice"))).json()
    venlo = next(p["id"] for p in partijen if p["name"] == "Gemeente Venlo")
    created = await site.http.post(
        "/api/v1/cases",
        json={"reference": "ZVH-2026-017", "reported_by": venlo, "aanmelder": "carol"},
        headers=auth(site, "alice"),
    )
    assert created.status_code == 201, created.text
    await sign_in(site, "bob")
    nothing = await site.http.get("/")
    assert 'id="geen-casussen"' in nothing.text
    assert "ZVH-2026-017" not in nothing.text
    await site.http.post("/afmelden", data={"csrf_token": csrf_of(nothing)})
    site.clock.advance(seconds=30)
    await sign_in(site, "alice")
    start = await site.http.get("/")
    row = re.search(r'<table id="casussen".*?</table>', start.text, re.DOTALL)
    assert row, start.text
    assert "ZVH-2026-017" in row.group(0)
    assert "Aanmelding" in row.group(0)


def auth(site: Site, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.tokens[user]}"}


async def test_the_api_still_takes_only_bearer_tokens(site: Site) -> None:
    await sign_in(site)
    assert (await site.http.get("/api/v1/me")).status_code == 401  # a session is no token
    assert (await site.http.get("/api/v1/me", headers=auth(site, "alice"))).status_code == 200


async def test_the_theme_and_stylesheets_come_from_the_portal_itself(site: Site) -> None:
    page = await site.http.get("/aanmelden")
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert "/static/theme.css" in links
    assert all(link.startswith("/static/") for link in links)
    theme = await site.http.get("/static/theme.css")
    assert theme.headers["content-type"].startswith("text/css")
    assert ".rto-theme {" in theme.text
    assert (await site.http.get("/static/portal/portal.css")).status_code == 200


async def test_a_zvh_can_swap_in_its_own_theme(
    data_dir: Path, clock: MovableClock, tmp_path: Path
) -> None:
    theme = tmp_path / "venlo.css"
    theme.write_text(".venlo-theme { --utrecht-document-color: #222; }\n")
    own = open_site(data_dir, clock, PORTAL_THEME_CSS=str(theme), PORTAL_THEME_CLASS="venlo-theme")
    async for site in own:
        page = await site.http.get("/aanmelden")
        assert '<html lang="nl" class="venlo-theme">' in page.text
        assert (await site.http.get("/static/theme.css")).text == theme.read_text()


def test_without_the_component_css_the_server_says_once_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pages, "VENDOR", tmp_path)
    assert pages.vendor_css_installed() is False
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "ensure_web_assets" in warnings[0].getMessage()
    (tmp_path / pages.VENDOR_CSS).write_text("/* utrecht */")
    assert pages.vendor_css_installed() is True


async def test_a_first_password_from_the_operator_leads_to_totp_enrolment(site: Site) -> None:
    await users.add_user(
        username="nina",
        partij_name="Gemeente Venlo",
        roles=frozenset({Role.PARTNER}),
        vog=True,
        geheimhouding=True,
        clock=site.clock,
    )
    await site.operator().set_password("nina", NINA_PASSWORD, operator="beheer")
    first = await with_password(site.http, "nina", NINA_PASSWORD)
    assert (first.status_code, first.headers["location"]) == (303, "/inrichten")
    assert (await site.http.get("/")).status_code == 303  # not signed in before TOTP is set up
    assert 'id="inrichten-formulier"' in (await site.http.get("/inrichten")).text
    set_by = await records(Action.AUTH_PASSWORD_SET)
    assert [r["actor_username"] for r in set_by] == ["operator:beheer"]
