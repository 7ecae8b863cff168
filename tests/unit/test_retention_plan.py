"""The sweep's plan (art. 11.2c): which cases are due for destruction, and which resume."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from portal.domain.cases import Case, CaseId, Phase
from portal.domain.retention import Step, destruction_finished, plan, tombstone_reference
from tests.unit import cast

DECIDED = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
DUE = datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
BEGUN = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)


def _case(
    number: int,
    *,
    decided_at: datetime | None = DECIDED,
    destroyed_at: datetime | None = None,
    finished: bool = False,
) -> Case:
    case_id = CaseId(UUID(int=number))
    return replace(
        cast.case(Phase.AFSCHALING, decided_at=decided_at),
        id=case_id,
        reference=tombstone_reference(case_id) if finished else f"ZVH-{number}",
        destroyed_at=destroyed_at,
    )


@pytest.mark.parametrize(
    ("case", "now", "expected"),
    [
        pytest.param(_case(1, decided_at=None), DUE, [], id="art11_2-open-case-is-never-due"),
        pytest.param(_case(2), DUE - timedelta(seconds=1), [], id="art11_2b-archived-not-yet-due"),
        pytest.param(
            _case(3),
            DUE,
            [Step(case_id=CaseId(UUID(int=3)), due_at=DUE, resuming=False)],
            id="art11_2c-due-at-12-calendar-months",
        ),
        pytest.param(
            _case(4, destroyed_at=BEGUN),
            DECIDED,
            [Step(case_id=CaseId(UUID(int=4)), due_at=BEGUN, resuming=True)],
            id="art11_2c-begun-destruction-resumes-whatever-now",
        ),
        pytest.param(
            _case(5, destroyed_at=BEGUN, finished=True), BEGUN, [], id="destroyed-case-done"
        ),
    ],
)
def test_art11_2c_the_plan_destroys_what_the_timeline_says(
    case: Case, now: datetime, expected: list[Step]
) -> None:
    assert plan([case], now=now) == expected


def test_the_plan_takes_the_oldest_due_first() -> None:
    later = _case(6, decided_at=DECIDED + timedelta(days=1))
    earlier = _case(7)

    steps = plan([later, earlier], now=DUE + timedelta(days=2))

    assert [step.case_id for step in steps] == [earlier.id, later.id]


def test_a_step_says_why_in_its_reason() -> None:
    due = Step(case_id=CaseId(UUID(int=8)), due_at=DUE, resuming=False)
    resumed = replace(due, resuming=True)

    assert "12 months after the decision, due 2027-02-28 10:00 UTC" in due.reason
    assert "destruction begun 2027-02-28 10:00 UTC is finished" in resumed.reason


def test_only_the_tombstone_reference_marks_destruction_finished() -> None:
    assert destruction_finished(_case(9, finished=True))
    assert not destruction_finished(_case(9))
