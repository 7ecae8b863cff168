"""The retention sweep: every case brought to where its timeline says (art. 9.4, 11.2c).

At +12 months after the afschaling or closing decision a case's personal data is
destroyed. :func:`destroy_case` does it in an order chosen so that a kill at any point
leaves nothing readable and the next run finishes the job:

1. **Mark** the case (``destroyed_at``): from that commit every access rule refuses it, in
   every app process, since each decision starts from the case row. Nothing of it is
   shown while the rest happens, whatever state a crash leaves the rest in.
2. **Shred the keys**: delete the ``case_key`` row and forget the cached key, and in the
   same transaction destroy the case's audit key (``portal.services.audit_sealing``), so
   a crash leaves both keys or neither. This is the step that makes every copy of the
   ciphertext useless, backups included, and the personal fields of the case's audit
   records unreadable, exports included; so it comes before anything that depends on the
   object store being reachable.
3. **Delete every object version** of the case's documents (and anything left under
   ``cases/<id>/``). The document rows still name the keys, so this comes before them.
4. **Erase the rows** in one transaction with the ``case:destroy`` record: documents,
   approvals, further-use requests, grants, admissions, assignments, the hand-over and the
   consent records only the case's documents named; the reference becomes a tombstone.
5. **Clear the deleted rows** from disk (VACUUM on PostgreSQL, the WAL on SQLite).

A case under a legal hold (``portal.services.legal_holds``) is left alone and reported as
held; :func:`destroy_early` is the same destruction, decided by the case's procesregisseur
before +12 months (art. 9.4, 11.2), and refused while the case is held.

Every run also aborts the object store's stale incomplete uploads (those begun more than
``stale_upload_age`` before ``now``): a crash of the store or of the portal mid-upload
leaves their ciphertext parts behind, with no row that names them.

The case row stays, as a tombstone: its id, reporting partij, phase and dates, nothing a
person can be recognised by. The audit trail's case ids then still resolve (to
"destroyed"), the id is never reused, the access rules keep answering "destroyed" rather
than "no such case", and the dates are the non-personal figures art. 11.3 allows to keep.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from crypto import CaseKeys
from portal.db import cases as cases_db
from portal.db import retention as retention_db
from portal.db.transactions import write_transaction
from portal.domain import access, retention
from portal.domain.actions import Action
from portal.domain.cases import Case, CaseId
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.case_keys import destroy_case_key
from portal.services.cases import case_facts, facts_of
from portal.services.clock import Clock
from portal.services.errors import Conflict
from storage import ObjectStore

logger = logging.getLogger(__name__)

DEFAULT_STALE_UPLOAD_AGE = timedelta(hours=6)
"""As ``Settings.stale_upload_seconds``: longer than any upload still running."""


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
    held: list[retention.HeldBack] = field(default_factory=list)
    """Due, but under a legal hold: left alone, reported with since when, never why."""
    stale_uploads: int = 0
    """Incomplete uploads aborted (with ``dry_run``: that would be)."""


async def sweep(
    *,
    now: datetime,
    dry_run: bool,
    store: ObjectStore,
    keys: CaseKeys,
    audit: AuditLog,
    operator: str,
    stale_upload_age: timedelta = DEFAULT_STALE_UPLOAD_AGE,
) -> SweepResult:
    """Plan the destructions due at ``now`` and, unless ``dry_run``, carry them out.

    Holds the sweep's lock from the plan to the last destruction, so two sweeps started
    at once destroy each case once: the second one plans after the first has finished.
    """
    if now.tzinfo is None:
        raise ValueError("the sweep's time must carry a time zone")
    async with retention_db.sweep_lock():
        cases = await cases_db.all_cases()
        steps = retention.plan(cases, now=now)
        held = retention.held_back(cases, now=now)
        before = now - stale_upload_age
        if dry_run:
            stale = await abort_stale_uploads(store, before=before, dry_run=True)
            return SweepResult(plan=steps, done=[], held=held, stale_uploads=stale)
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
        # Last: a store that fails here must not keep the keys above from being shredded.
        stale = await abort_stale_uploads(store, before=before, dry_run=False)
    return SweepResult(plan=steps, done=done, held=held, stale_uploads=stale)


async def abort_stale_uploads(store: ObjectStore, *, before: datetime, dry_run: bool) -> int:
    """Abort the store's incomplete uploads begun before ``before``; one log line a run."""
    count = await asyncio.to_thread(store.abort_stale_uploads, before=before, dry_run=dry_run)
    logger.info(
        "retention sweep: %s %d incomplete upload(s) begun before %s",
        "would abort" if dry_run else "aborted",
        count,
        before.isoformat(),
    )
    return count


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
    None also when a legal hold was placed after the plan was made: the hold wins.
    """
    async with write_transaction():
        await retention_db.lock_case_row(step.case_id)
        case = await cases_db.case_by_id(step.case_id)
        # Asked again under the row lock: a hold placed after the plan was made wins (11.1).
        if case is None or not retention.plan([case], now=now):
            return None
        began = await retention_db.mark_destroying(step.case_id, now=now)
    if began is None:
        return None

    async def record(case: Case, destruction: Destruction) -> None:
        await audit.by_operator(
            Action.CASE_DESTROY,
            f"{step.reason}; {destruction.describe()}",
            operator=operator,
            at=began,
            ended_at=now,
            case=case,
        )

    return await _complete_destruction(
        step.case_id, store=store, keys=keys, audit=audit, now=now, record=record
    )


RecordDestruction = Callable[[Case, Destruction], Awaitable[None]]


async def _complete_destruction(
    case_id: CaseId,
    *,
    store: ObjectStore,
    keys: CaseKeys,
    audit: AuditLog,
    now: datetime,
    record: RecordDestruction,
) -> Destruction | None:
    """Steps 2 to 4 of the module docstring, for a case marked already; None if another
    run finished it in between (nothing is then recorded twice)."""
    async with write_transaction():
        # One transaction: a kill leaves the documents' key and the audit key both or
        # neither, and the rerun shreds what is left.
        await audit.destroy_case_audit_key(str(case_id), now=now)
        key_destroyed = await destroy_case_key(case_id=case_id, keys=keys)
    object_keys = await retention_db.object_keys_of_case(case_id)
    objects, versions = await asyncio.to_thread(_delete_objects, store, case_id, object_keys)
    async with write_transaction():
        # A sweep and an early destruction of the same case meet here: the second waits
        # for the first to commit and then finds the tombstone.
        await retention_db.lock_case_row(case_id)
        case = await cases_db.case_by_id(case_id)
        if case is None or retention.destruction_finished(case):
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
        await record(case, destruction)
    return destruction


async def destroy_early(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    reason: str,
    store: ObjectStore,
    keys: CaseKeys,
    audit: AuditLog,
    clock: Clock,
) -> Destruction:
    """The case's procesregisseur destroys a decided case before +12 months (art. 9.4, 11.2).

    The decision and the mark commit together, with the ``case:destroy-early`` record: from
    then on the case is refused everywhere, and a kill before the end is finished by the
    next sweep. The ``case:destroy`` record with the counts follows, as for the sweep.
    """
    now = clock()
    facts = await facts_of(case_id)
    record = audit.about(context, at=now, case=facts.case)
    sight = access.may_see_register_entry(context.actor, facts, now=now)
    if not sight.allowed:
        raise await record.hide(Action.CASE_READ_DENIED, sight, f"case {case_id}")
    decision: Decision
    async with write_transaction():
        await retention_db.lock_case_row(case_id)
        facts = await facts_of(case_id)
        decision = access.may_destroy_early(context.actor, facts, reason=reason, now=now)
        if decision.allowed:
            await retention_db.mark_destroying(case_id, now=now)
            await record.succeed(Action.CASE_DESTROY_EARLY, f"{decision.reason}: {reason.strip()}")
    if not decision.allowed:
        raise await record.refuse(Action.CASE_DESTROY_EARLY_DENIED, decision)

    async def record_done(case: Case, destruction: Destruction) -> None:
        await audit.about(context, at=now, case=case).succeed(
            Action.CASE_DESTROY,
            f"destroyed before +12 months on the procesregisseur's decision (art. 9.4, 11.2); "
            f"{destruction.describe()}",
            ended_at=clock(),
        )

    destruction = await _complete_destruction(
        facts.case.id, store=store, keys=keys, audit=audit, now=now, record=record_done
    )
    await retention_db.clear_deleted_rows()
    if destruction is None:  # pragma: no cover - a sweep finished it at the same moment
        raise Conflict("the case was destroyed meanwhile by the retention sweep")
    return destruction


# --- the calendar (art. 9.4) -------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in UTC: ``until`` a date includes that whole day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


async def retention_calendar(
    context: RequestContext, *, until: date | None, clock: Clock
) -> list[retention.CalendarEntry]:
    """The cases the actor oversees, next event first (art. 9.4).

    As the case list: only what the actor may oversee, and nothing recorded for the rest;
    every case on it is one whose register entry the actor sees already.
    """
    now = clock()
    overseen = []
    for case in await cases_db.all_cases():
        if not retention.on_calendar(case, now=now):
            continue  # a tombstone: its facts (five queries) would be loaded for nothing
        facts = await case_facts(case)
        if access.may_oversee_retention(context.actor, facts, now=now).allowed:
            overseen.append(case)
    return retention.calendar(overseen, now=now, until=end_of_day(until) if until else None)


async def operator_calendar(*, now: datetime, until: date | None) -> list[retention.CalendarEntry]:
    """Every case's next event, for the operator's shell (``portal retention calendar``)."""
    cases = await cases_db.all_cases()
    return retention.calendar(cases, now=now, until=end_of_day(until) if until else None)


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
