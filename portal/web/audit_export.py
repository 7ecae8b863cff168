"""The audit export written out: CSV that Dutch Excel opens in columns, or JSON lines.

CSV for Dutch Excel: a semicolon between cells (Excel with Dutch regional settings splits
on ``;``, since the comma is the decimal sign there), UTF-8 with a byte order mark (or
Excel reads it as Windows-1252 and garbles every ë), CRLF line ends, Dutch column
headers, times in ISO 8601 in Europe/Amsterdam with their UTC offset, yes/no as "ja" and
"nee". Field values are otherwise as the search answers them.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to a spreadsheet; free text in the log (a reason, a justification, a user agent)
comes from users and strangers, so such a cell gets a leading apostrophe and stays text
(CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from portal.domain.audit import FIELD_NAMES
from portal.domain.audit_chain import StoredRecord
from portal.services.audit_reports import ExportFormat, audit_record, logboek_span
from portal.web.dutch import AUDIT_COLUMNS

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
BOM: Final = "\ufeff".encode()
COLUMNS: Final = ("seq", *FIELD_NAMES, "prev_hash", "hash")
TIME_COLUMNS: Final = frozenset({"started_at", "ended_at"})
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
YES, NO = "ja", "nee"

# Litestar adds "; charset=utf-8" to a text/ type itself; a route media type would win.
MEDIA_TYPES: Final = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.JSONL: "application/jsonl",
    ExportFormat.RECORDS: "application/jsonl",
}
_SUFFIXES: Final = {
    ExportFormat.CSV: "csv",
    ExportFormat.JSONL: "logboek-dataverwerkingen.jsonl",
    ExportFormat.RECORDS: "jsonl",
}


def neutralised(cell: str) -> str:
    """The cell as inert text: a leading apostrophe where a spreadsheet sees a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def local_time(canonical: str) -> str:
    """A record's UTC time as ISO 8601 in Amsterdam time, its offset stated."""
    return datetime.fromisoformat(canonical).astimezone(AMSTERDAM).isoformat()


def csv_cells(row: StoredRecord) -> list[str]:
    values: dict[str, object] = {
        **row.fields,
        "seq": row.seq,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }
    cells = []
    for name in COLUMNS:
        value = values[name]
        if value is None:
            cells.append("")
        elif isinstance(value, bool):
            cells.append(YES if value else NO)
        elif name in TIME_COLUMNS:
            cells.append(local_time(str(value)))
        else:
            cells.append(neutralised(str(value)))
    return cells


def _csv_lines(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _json_lines(documents: Sequence[object]) -> bytes:
    return b"".join(
        json.dumps(document, ensure_ascii=False).encode() + b"\n" for document in documents
    )


async def export_body(
    batches: AsyncIterator[Sequence[StoredRecord]], export_format: ExportFormat
) -> AsyncIterator[bytes]:
    """The export's bytes, one chunk per batch of records as the service reads them."""
    if export_format is ExportFormat.CSV:
        yield BOM + _csv_lines([[AUDIT_COLUMNS[name] for name in COLUMNS]])
    async for batch in batches:
        if export_format is ExportFormat.CSV:
            yield _csv_lines([csv_cells(row) for row in batch])
        elif export_format is ExportFormat.RECORDS:
            yield _json_lines([audit_record(row) for row in batch])
        else:
            yield _json_lines([logboek_span(row) for row in batch])


def export_file_name(export_format: ExportFormat, now: datetime) -> str:
    """``rto-portal-logboek-20261202-1430.csv``: the portal, what, when (Amsterdam time)."""
    stamp = now.astimezone(AMSTERDAM).strftime("%Y%m%d-%H%M")
    return f"rto-portal-logboek-{stamp}.{_SUFFIXES[export_format]}"
