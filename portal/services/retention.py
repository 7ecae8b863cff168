"""The retention sweep: every case brought to where its timeline says (art. 9.4, 11.2c).

At +12 months after the afschaling or closing decision a case's personal data is
destroyed. :func:`destroy_case` does it in an order chosen so that a kill at any point
leaves nothing readable and the next run finishes the job:

1. **Mark** the case (``destroyed_at``): from that commit every access rule refuses it, in
   every app process, since each decision starts from the case row. Nothing of it is
   shown while the rest happens, whatever state a crash leaves the rest in.
2. **Shred the key**: delete the ``case_key`` row and forget the cached key. This is the
   step that makes every copy of the ciphertext useless, backups included, so it comes
   before anything that depends on the object store being reachable.
3. **Delete every object version** of the case's documents (and anything left under
   ``cases/<id>/``). The document rows still name the keys, so this comes before them.
4. **Erase the rows** in one transaction with the ``case:destroy`` record: documents,
   approvals, further-use requests, grants, admissions, assignments, the hand-over and the
   consent records only the case's documents named; the reference becomes a tombstone.
5. **Clear the deleted rows** from disk (VACUUM on PostgreSQL, the WAL on SQLite).

The case row stays, as a tombstone: its id, reporting partij, phase and dates, nothing a
person can be recognised by. The audit trail's case ids then still resolve (to
"destroyed"), the id is never reused, the access rules keep answering "destroyed" rather
than "no such case", and the dates are the non-personal figures art. 11.3 allows to keep.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from crypto import CaseKeys
from portal.db import cases as cases_db
from portal.db import retention as retention_db
from portal.db.transactions import write_transaction
from portal.domain import retention
from portal.domain.actions import Action
from portal.domain.cases import CaseId
from portal.services.audit import AuditLog
from portal.services.case_keys import destroy_case_key
from storage import ObjectStore


@dataclass(frozen=True, kw_only=True)
class Destruction:
    """What one destruction removed: counts only, never what the case held."""

    case_id: CaseId
    objects: int
    versions: int
    rows: dict[str, int]
    key_destroyed: bool

    def describe(self) -> str:
        rows = ", ".join(f"{table} {count}" for table, count in sorted(self.rows.items()))
        return (
            f"objects {self.objects}, versions {self.versions}, "
            f"case key {'destroyed' if self.key_destroyed else 'already gone'}, "
            f"rows: {rows or 'none'}"
        )


@dataclass(frozen=True, kw_only=True)
class SweepResult:
    plan: list[retention.Step]
    done: list[Destruction]


async def sweep(
    *,
    now: datetime,
    dry_run: bool,
    store: ObjectStore,
    keys: CaseKeys,
    audit: AuditLog,
    operator: str,
) -> SweepResult:
    """Plan the destructions due at ``now`` and, unless ``dry_run``, carry them out.

    Holds the sweep's lock from the plan to the last destruction, so two sweeps started
    at once destroy each case once: the second one plans after the first has finished.
    """
    if now.tzinfo is None:
        raise ValueError("the sweep's time must carry a time zone")
    async with retention_db.sweep_lock():
        steps = retention.plan(await cases_db.all_cases(), now=now)
        if dry_run:
            return SweepResult(plan=steps, done=[])
        done = []
        for step in steps:
            destruction = await destroy_case(
                step, now=now, store=store, keys=keys, audit=audit, operator=operator
            )
            if destruction is not None:
                done.append(destruction)
        # Every real run, not only one that destroyed something: a run killed after its
        # rows were erased left them on disk, and the next run has nothing else to redo.
        await retention_db.clear_deleted_rows()
    return SweepResult(plan=steps, done=done)


async def destroy_case(
    step: retention.Step,
    *,
    now: datetime,
    store: ObjectStore,
    keys: CaseKeys,
    audit: AuditLog,
    operator: str,
) -> Destruction | None:
    """Destroy one case in the order of the module docstring; None if it was done already.

    Every step is idempotent, so a rerun after a kill anywhere completes the destruction.
    """
    case_id = step.case_id
    began = await retention_db.mark_destroying(case_id, now=now)
    if began is None:
        return None
    key_destroyed = await destroy_case_key(case_id=case_id, keys=keys)
    object_keys = await retention_db.object_keys_of_case(case_id)
    objects, versions = await asyncio.to_thread(_delete_objects, store, case_id, object_keys)
    async with write_transaction():
        case = await cases_db.case_by_id(case_id)
        if case is None or retention.destruction_finished(case):
            # Another sweep on SQLite finished it in between: nothing left to do or record.
            return None
        rows = await retention_db.erase_case_rows(
            case_id, tombstone=retention.tombstone_reference(case_id)
        )
        destruction = Destruction(
            case_id=case_id,
            objects=objects,
            versions=versions,
            rows=rows,
            key_destroyed=key_destroyed or "case_key" in rows,
        )
        await audit.by_operator(
            Action.CASE_DESTROY,
            f"{step.reason}; {destruction.describe()}",
            operator=operator,
            at=began,
            ended_at=now,
            case=case,
        )
    return destruction


def _delete_objects(store: ObjectStore, case_id: CaseId, object_keys: list[str]) -> tuple[int, int]:
    """Every version of the documents' objects and of anything else under the case's prefix.

    Returns (objects that had versions, versions removed).
    """
    # Objects no row names (a crashed upload) are the case's too: the prefix catches them.
    listed = {info.key for info in store.list(f"cases/{case_id}/")}
    objects = versions = 0
    for key in sorted({*object_keys, *listed}):
        removed = store.delete(key)
        if removed:
            objects += 1
            versions += removed
    return objects, versions
