"""The orphan a killed portal can leave, and the retention sweep with MinIO away.

A portal killed after an object is complete but before its row commits leaves ciphertext
no row names. Nothing removes it before its case is destroyed: the retention sweep lists
the case's whole prefix then. That sweep, run while MinIO is down, stops with an error
after shredding the case key, and the next run, with MinIO back, finishes the job.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.domain.retention import add_months
from tests.fault.conftest import Stack
from tests.fault.state import (
    case_state,
    chain_lock_held,
    new_case,
    report,
    waiting_for_the_chain,
)
from tests.fault.transfers import MIB, HeldUpload, pdf
from tests.servers import wait_until
from tests.web.live_api import AANMELDING_UPLOAD


def _orphan_of_a_killed_commit(stack: Stack, case_id: str) -> list[str]:
    """Kill the portal while its upload waits at the audit append, the object complete."""
    with chain_lock_held(stack):
        upload = HeldUpload(
            stack.live.base_url,
            case_id=case_id,
            token=stack.live.tokens["carol"],
            metadata=AANMELDING_UPLOAD,
            file_name="wees.pdf",
            content=pdf(2 * MIB, seed=31),
            hold_at=1 << 40,
        )
        wait_until(lambda: waiting_for_the_chain(stack), timeout=30, what="the upload's commit")
        stack.kill_portal()
    upload.result()
    stack.restart_portal()
    return case_state(stack, case_id).orphans


def test_an_orphan_of_a_killed_commit_goes_with_its_case_even_if_minio_fails_the_sweep(
    stack: Stack,
) -> None:
    case_id = new_case(stack)
    orphans = _orphan_of_a_killed_commit(stack, case_id)
    state = case_state(stack, case_id)
    report(
        "portal SIGKILLed between the object and its row",
        f"rows {state.documents}, records {state.actions}, orphans {len(orphans)}",
    )
    assert state.documents == {}
    assert "document:upload" not in state.actions
    assert len(orphans) == 1  # ciphertext only: tests/web checks no plaintext is stored

    stack.api.move_through(case_id, "triage", "rto")
    decided = datetime.now(UTC)
    moved = stack.api.move(case_id, "afschaling", decided_at=decided)
    assert moved.status_code in {200, 201}, moved.text
    due = (add_months(decided, 12) + timedelta(days=1)).isoformat()

    stack.minio.kill()
    failed = stack.live.cli("retention", "sweep", "--now", due)
    stack.minio.start()
    key_rows = stack.api.psql("SELECT count(*) FROM case_key WHERE casus = :'id';\n", id=case_id)
    between = case_state(stack, case_id)
    swept = stack.live.cli("retention", "sweep", "--now", due)
    after = case_state(stack, case_id)
    report(
        "MinIO down during the retention sweep",
        f"exit {failed.returncode}, {failed.stderr.strip().splitlines()[-1:]}; case keys left "
        f"{key_rows}, objects left {len(between.objects)}; next sweep exit {swept.returncode}, "
        f"objects {after.objects}, case:destroy x{after.actions.count('case:destroy')}",
    )
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    assert key_rows == "0"  # crypto-shredded before the store was needed
    assert "case:destroy" not in between.actions
    assert swept.returncode == 0, swept.stderr
    assert after.objects == []
    assert after.actions.count("case:destroy") == 1
