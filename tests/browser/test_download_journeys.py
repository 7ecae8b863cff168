"""Downloads as a participant does them, in Chromium against a served portal.

Issue "The web portal in Dutch", point 3: from "Mijn casussen" to the case page, a
document granted to the participant downloaded with its purpose (the bytes are the ones
uploaded), and a police document without a justification refused in plain Dutch. Bob
signs in here; test_sign_in_journeys uses carol, grace and nina, so no TOTP code is
replayed within one 30-second window.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.domain.refusal_codes import RefusalCode
from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.web.dutch import REFUSALS
from tests.browser.conftest import Pages
from tests.web.live import LivePortal
from tests.web.live_api import POLICE_REPORT, RTO_UPLOAD, LiveApi
from tests.web.portal_client import pdf_bytes

REPORT = pdf_bytes(b"gezamenlijk toestandsbeeld voor het RTO")


@pytest.fixture(scope="module")
def api(live: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=live.base_url, timeout=120) as http:
        yield LiveApi(live=live, http=http)


def _case_in_rto(api: LiveApi) -> tuple[dict[str, str], str, str]:
    """Carol's case in the RTO, Bob and Dave granted; Alice's report and Dave's pv."""
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    case_id = str(case["id"])
    api.move_through(case_id, "triage")
    for user in ("bob", "dave"):
        api.granted(case_id, user)
    api.move_through(case_id, "rto")
    report = api.uploaded(
        case_id, user="alice", metadata=RTO_UPLOAD, file_name="beeld.pdf", content=REPORT
    )
    police = api.uploaded(case_id, user="dave", metadata=POLICE_REPORT, file_name="pv.pdf")
    return case, report, police


def sign_in(page: Page, live: LivePortal, username: str) -> None:
    page.goto(f"{live.base_url}/aanmelden")
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", DEMO_PASSWORD)
    page.click("#aanmelden-knop")
    page.fill("#code", pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.click("#bevestigen-knop")
    expect(page.locator("h1")).to_have_text("Mijn casussen")


def test_a_participant_downloads_a_granted_document_and_is_told_why_not_another(
    page: Page, live: LivePortal, api: LiveApi, pages: Pages
) -> None:
    case, report, police = _case_in_rto(api)
    sign_in(page, live, "bob")
    pages.check(page, "my cases")

    page.click(f"a[href='/casussen/{case['id']}']")
    expect(page.locator("h1")).to_have_text(f"Casus {case['reference']}")
    expect(page.locator("#toegang")).to_contain_text("U heeft toegang tot deze casus")
    pages.check(page, "case page")

    page.select_option(f"#doel-{report}", "toestandsbeeld")
    with page.expect_download() as started:
        page.click(f"#downloaden-{report}")
    download = started.value
    assert download.suggested_filename == "beeld.pdf"
    assert Path(download.path()).read_bytes() == REPORT

    page.click(f"#downloaden-{police}")  # no justification for a police document
    text = REFUSALS[RefusalCode.JUSTIFICATION_REQUIRED]
    summary = page.locator("#foutmeldingen")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(text.explanation)
    expect(summary).to_contain_text(text.whom_to_contact)
    assert "justification" not in html.unescape(summary.inner_text())
    assert "justification" not in urlsplit(page.url).query
    pages.check(page, "refused download")
