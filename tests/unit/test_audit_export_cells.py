"""The cells of the CSV audit export: formulas stay text, times are Amsterdam's."""

from __future__ import annotations

import pytest

from portal.web.audit_export import local_time, neutralised


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
