"""Sign-in as people do it, in Chromium against a served portal on PostgreSQL and MinIO.

Issue "The web portal in Dutch", done when: no page without sign-in, the start page
redirects to the Dutch sign-in page, TOTP enrolment by QR code, and a locked account after
repeated failures; every page passes axe (no serious or critical violation).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import httpx
import pyotp
from playwright.sync_api import Page, expect

from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.browser.conftest import Pages
from tests.web.live import LivePortal


def sign_in(page: Page, live: LivePortal, username: str, password: str) -> None:
    page.goto(f"{live.base_url}/aanmelden")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", password)
    page.click("#aanmelden-knop")


def test_the_start_page_sends_a_visitor_to_the_dutch_sign_in_page(
    page: Page, live: LivePortal, pages: Pages
) -> None:
    page.goto(f"{live.base_url}/")

    assert urlsplit(page.url).path == "/aanmelden"
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("Aanmelden")
    pages.check(page, "sign-in page")


def test_a_demo_user_signs_in_with_password_and_code_and_out_again(
    page: Page, live: LivePortal, pages: Pages
) -> None:
    sign_in(page, live, "carol", DEMO_PASSWORD)
    expect(page.locator("#tweede-factor-formulier")).to_be_visible()
    pages.check(page, "second factor")

    page.fill("#code", pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.click("#bevestigen-knop")

    expect(page.locator("h1")).to_have_text("Mijn casussen")
    assert urlsplit(page.url).path == "/"
    pages.check(page, "my cases")
    page.click("#afmelden-knop")
    expect(page.locator("#afgemeld-melding")).to_be_visible()
    page.goto(f"{live.base_url}/")
    assert urlsplit(page.url).path == "/aanmelden"  # the session is gone


def test_a_new_user_enrols_with_the_link_a_qr_code_and_recovery_codes(
    page: Page, live: LivePortal, pages: Pages
) -> None:
    added = live.cli(
        "user", "add", "nina", "--partij", "Gemeente Venlo", "--role", "casusregisseur",
        "--vog", "--geheimhouding", "--enrolment-link",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = re.search(r"/welkom\?t=(\S+)", added.stdout)
    assert token is not None, added.stdout

    page.goto(f"{live.base_url}/welkom?t={token.group(1)}")
    pages.check(page, "choose a password")
    page.fill("#nieuw-wachtwoord", "een lang en goed wachtwoord voor nina")
    page.fill("#wachtwoord-herhalen", "een lang en goed wachtwoord voor nina")
    page.click("#wachtwoord-knop")

    expect(page.locator("#inrichten-formulier")).to_be_visible()
    qr = page.locator("img#qr-code")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0  # the SVG loaded from the portal
    pages.check(page, "enrol totp")
    secret = re.sub(r"\s", "", page.locator("code#totp-geheim").inner_text())
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("#inrichten-knop")

    codes = page.locator("ol#herstelcodes li")
    expect(codes).to_have_count(10)
    pages.check(page, "recovery codes")
    page.click("#verder")
    expect(page.locator("h1")).to_have_text("Mijn casussen")

    # The link was good once: a second use is refused.
    page.click("#afmelden-knop")
    page.goto(f"{live.base_url}/welkom?t={token.group(1)}")
    expect(page.locator("#link-ongeldig")).to_be_visible()


def test_repeated_failures_lock_the_account_and_the_lock_is_on_record(
    page: Page, live: LivePortal, pages: Pages
) -> None:
    # The default policy: from the fourth failure each attempt waits, the fifth locks.
    locked = False
    for _ in range(12):
        sign_in(page, live, "grace", "niet het wachtwoord")
        summary = page.locator("#foutmeldingen").inner_text()
        if "geblokkeerd" in summary:
            locked = True
            break
        wait = re.search(r"Wacht (\d+) seconden", summary)
        if wait is not None:
            time.sleep(int(wait.group(1)) + 0.2)
    assert locked, "five failures did not lock the account"
    pages.check(page, "locked")

    # Now even the right password is refused, without a word about whether it was right.
    sign_in(page, live, "grace", DEMO_PASSWORD)
    expect(page.locator("#foutmeldingen")).to_contain_text("geblokkeerd")
    expect(page.locator("#tweede-factor-formulier")).to_have_count(0)

    audit = httpx.get(
        f"{live.base_url}/api/v1/audit",
        params={"action": "auth:lock"},
        headers=live.auth("erin"),
        timeout=30,
    )
    assert audit.status_code == 200, audit.text
    assert len(audit.json()["records"]) == 1
