"""The cells of the CSV audit export: formulas stay text, times are Amsterdam's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.domain.actions import Action, Outcome
from portal.domain.audit import AuditEntry
from portal.domain.audit_chain import StoredRecord, entry_fields
from portal.domain.register import ProcessingActivity
from portal.services.audit_reports import logboek_span
from portal.services.audit_sealing import DESTROYED
from portal.web.audit_export import local_time, neutralised

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("curl/8 =1", "curl/8 =1"),
        ("document:download", "document:download"),
        ("", ""),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "inside", "code", "empty"],
)
def test_a_cell_that_starts_a_formula_gets_an_apostrophe(cell: str, written: str) -> None:
    assert neutralised(cell) == written


@pytest.mark.parametrize(
    ("utc", "amsterdam"),
    [
        ("2026-01-15T12:00:00.000000+00:00", "2026-01-15T13:00:00+01:00"),
        ("2026-07-15T12:00:00.250000+00:00", "2026-07-15T14:00:00.250000+02:00"),
    ],
    ids=["winter-time", "summer-time"],
)
def test_times_are_written_in_amsterdam_time_with_their_offset(utc: str, amsterdam: str) -> None:
    assert local_time(utc) == amsterdam


def _span_subject(data_subject_ref: str | None) -> tuple[object, object, object]:
    record = entry_fields(
        AuditEntry(
            started_at=T0, ended_at=T0, action=Action.DOCUMENT_DOWNLOAD, outcome=Outcome.PERMIT,
            processing_activity=ProcessingActivity.DOCUMENT_EXCHANGE,
            data_subject_ref=data_subject_ref,
        )
    )  # fmt: skip
    attributes = logboek_span(StoredRecord(seq=1, prev_hash="0", hash="1", fields=record))
    assert isinstance(attributes["attributes"], dict)
    values = attributes["attributes"]
    return (
        values.get("dpl.core.data_subject_id"),
        values.get("dpl.core.data_subject_id_type"),
        values.get("portal.data_subject_ref"),
    )


def test_a_logboek_span_names_a_live_subject_by_pseudonym_and_a_destroyed_one_not_at_all() -> None:
    assert _span_subject("ab" * 32) == ("ab" * 32, "pseudonym", "ab" * 32)
    assert _span_subject(DESTROYED) == (None, None, DESTROYED)
    assert _span_subject(None) == (None, None, None)
