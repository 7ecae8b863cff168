"""A resumable upload's stage is whole only if its parts, in order, make up the file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.resumable import StagedPart, expiry_after, stage_problem


def _parts(*spans: tuple[int, int]) -> list[StagedPart]:
    return [StagedPart(start=start, size=size) for start, size in spans]


@pytest.mark.parametrize(
    ("parts", "length", "problem"),
    [
        pytest.param(_parts((0, 4), (4, 6)), 10, None, id="whole"),
        pytest.param(_parts((0, 4)), 10, "holds 4 of 10", id="short"),
        pytest.param(_parts((0, 4), (4, 6), (10, 1)), 10, "holds 11 of 10", id="too-long"),
        pytest.param(_parts((0, 4), (5, 5)), 10, "at 5 where 4", id="gap"),
        pytest.param(_parts((0, 4), (0, 4), (4, 6)), 10, "at 0 where 4", id="doubled"),
        pytest.param(_parts((4, 6), (0, 4)), 10, "at 4 where 0", id="out-of-order"),
        pytest.param(_parts((0, 0), (0, 10)), 10, "empty", id="empty-part"),
        pytest.param([], 10, "holds 0 of 10", id="nothing"),
    ],
)
def test_a_stage_is_whole_only_when_its_parts_make_up_the_file(
    parts: list[StagedPart], length: int, problem: str | None
) -> None:
    found = stage_problem(parts, length=length)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_an_upload_expires_its_ttl_after_its_last_activity() -> None:
    last = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert expiry_after(last, ttl=timedelta(hours=24)) == datetime(2026, 12, 2, 12, tzinfo=UTC)
