"""The server's scheduled sweep (``PORTAL_RETENTION_SWEEP_SECONDS``): a run that fails is
logged and the next one comes; the server is never brought down by it (issue #10, point 1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import pytest

from portal.services.retention import FullSweep, SweepResult, sweep_periodically

NOW = datetime(2027, 3, 2, 3, 0, tzinfo=UTC)


async def test_a_failed_scheduled_sweep_is_logged_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[datetime] = []
    done = asyncio.Event()

    async def run(now: datetime) -> FullSweep:
        runs.append(now)
        if len(runs) == 1:
            raise ConnectionError("the object store did not answer")
        done.set()
        return FullSweep(retention=SweepResult(plan=[], done=[]))

    with caplog.at_level(logging.INFO, logger="portal.services.retention"):
        task = asyncio.create_task(sweep_periodically(interval=0.01, clock=lambda: NOW, run=run))
        await asyncio.wait_for(done.wait(), timeout=5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert runs[:2] == [NOW, NOW]
    failed, succeeded = (r for r in caplog.records if "scheduled retention sweep" in r.message)
    assert failed.levelno == logging.ERROR
    assert "the next run" in failed.getMessage()
    assert failed.exc_info is not None
    assert "the object store did not answer" in str(failed.exc_info[1])
    assert succeeded.levelno == logging.INFO
    assert "destroyed 0 case(s)" in succeeded.getMessage()
