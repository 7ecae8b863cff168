"""The load run's audit-gap check finds a transfer without its records (tests/bench/bench_load)."""

from __future__ import annotations

from tests.bench.bench_load import audit_gaps

DOWNLOAD = {"kind": "download", "trace_id": "t1", "document_id": "d1"}
UPLOAD = {"kind": "upload", "trace_id": "t2", "document_id": "d2"}


def rows(*lines: str) -> str:
    return "\n".join(lines)


def test_a_download_with_its_permit_and_completion_and_an_upload_with_its_record_are_no_gap() -> (
    None
):
    found = rows(
        "t1 document:download d1", "t1 document:download:complete d1", "t2 document:upload d2"
    )
    assert audit_gaps(lambda _: found, [DOWNLOAD, UPLOAD], wait=0) == []


def test_a_download_without_its_completion_record_is_a_gap() -> None:
    found = rows("t1 document:download d1", "t2 document:upload d2")
    assert audit_gaps(lambda _: found, [DOWNLOAD, UPLOAD], wait=0) == [
        "download t1: no document:download:complete"
    ]


def test_records_of_another_document_or_another_trace_do_not_count() -> None:
    found = rows(
        "t1 document:download d9", "t1 document:download:complete d9", "t3 document:upload d2"
    )
    assert audit_gaps(lambda _: found, [DOWNLOAD, UPLOAD], wait=0) == [
        "download t1: no document:download, document:download:complete",
        "upload t2: no document:upload",
    ]
