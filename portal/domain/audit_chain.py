"""The audit log's hash chain, its signed checkpoints, and the verifier.

Each record holds its predecessor's hash and its own, over a canonical encoding that
includes its sequence number, so a changed, removed, inserted or moved record is
detectable; checkpoints of the chain head, signed with the portal's own OpenPGP key, make
a rewritten chain or a cut-off tail detectable too.

This module is pure: the verifier walks an iterable of stored records handed to it and
returns a :class:`Verdict`; reading rows and checking gpg signatures is the services' job.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from portal.domain.audit import FIELD_NAMES, AuditEntry

GENESIS_HASH = "0" * 64

_TIME_FIELDS: Final = frozenset({"started_at", "ended_at"})
_BOOL_FIELDS: Final = frozenset({"emergency"})


def canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_fields(values: Mapping[str, object]) -> dict[str, object]:
    """The hashed fields of a record as JSON values, from an entry or a stored row alike.

    Times become UTC ISO strings with microseconds, flags booleans, codes their strings:
    the same record gives the same bytes whichever engine stored it.
    """
    result: dict[str, object] = {}
    for name in FIELD_NAMES:
        value = values[name]
        if name in _TIME_FIELDS:
            if not isinstance(value, datetime):
                raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
            result[name] = canonical_time(value)
        elif name in _BOOL_FIELDS:
            result[name] = bool(value)
        elif isinstance(value, enum.Enum):
            result[name] = value.value
        else:
            result[name] = value
    return result


def entry_fields(entry: AuditEntry) -> dict[str, object]:
    return canonical_fields({name: getattr(entry, name) for name in FIELD_NAMES})


def canonical_encoding(seq: int, record_fields: Mapping[str, object], prev_hash: str) -> bytes:
    """Deterministic bytes of a record: sorted keys, no whitespace, UTF-8."""
    document = {**record_fields, "seq": seq, "prev_hash": prev_hash}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(seq: int, record_fields: Mapping[str, object], prev_hash: str) -> str:
    return hashlib.sha256(canonical_encoding(seq, record_fields, prev_hash)).hexdigest()


def chain_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
    return record_hash(seq, entry_fields(entry), prev_hash)


# --- checkpoints -------------------------------------------------------------------------

_STATEMENT_HEADER: Final = "RTO portal audit log checkpoint"


def checkpoint_statement(
    *, number: int, seq: int, head_hash: str, signed_at: datetime, key_fingerprint: str
) -> str:
    """The text the portal signs: readable by a person, parseable by the verifier."""
    return (
        f"{_STATEMENT_HEADER}\n"
        f"checkpoint: {number}\n"
        f"seq: {seq}\n"
        f"head_hash: {head_hash}\n"
        f"signed_at: {canonical_time(signed_at)}\n"
        f"key: {key_fingerprint}\n"
    )


def parse_checkpoint_statement(text: str) -> tuple[int, int, str] | None:
    """(checkpoint number, seq, head hash) of a statement, or None if it is not one."""
    lines = text.splitlines()
    if not lines or lines[0] != _STATEMENT_HEADER:
        return None
    values = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    try:
        return int(values["checkpoint"]), int(values["seq"]), values["head_hash"]
    except (KeyError, ValueError):
        return None


# --- verification ------------------------------------------------------------------------


class BreakKind(enum.StrEnum):
    CHANGED = "changed"
    """A record's content, or a record the next one was chained to, is not what was hashed."""
    MISSING = "missing"
    """A sequence number is absent: a record was deleted."""
    INSERTED = "inserted"
    """A record that the chain skips: it was put in between."""
    REORDERED = "reordered"
    """An intact record that belongs at another sequence number."""
    TRUNCATED = "truncated"
    """The log ends before a signed checkpoint it should contain."""
    SIGNATURE = "signature"
    """A checkpoint whose signature or statement does not hold."""
    CHECKPOINT_MISSING = "checkpoint missing"
    """A checkpoint kept in the write-once copy is gone from the database."""
    CHECKPOINT_CHANGED = "checkpoint changed"
    """A checkpoint in the database says something else than its write-once copy."""


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    seq: int
    prev_hash: str
    hash: str
    fields: Mapping[str, object]
    """The hashed fields in canonical form (:func:`canonical_fields`)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredCheckpoint:
    number: int
    seq: int
    head_hash: str
    statement: str
    signature_valid: bool
    """Whether the detached signature over ``statement`` verified with the portal's key."""


@dataclass(frozen=True, kw_only=True, slots=True)
class WormCheckpoint:
    """A checkpoint as its write-once copy outside the database holds it.

    Only the signed statement counts: its number, record and head hash are read from it,
    never from anything stored beside it.
    """

    where: str
    """Which copy (object and version), for the operator to find it."""
    statement: str
    signature_valid: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class _Anchor:
    number: int
    seq: int
    head_hash: str


@dataclass(frozen=True, kw_only=True)
class Verdict:
    records: int
    checkpoints: int
    broken_seq: int | None = None
    kind: BreakKind | None = None
    detail: str = ""
    worm_checkpoints: int = 0
    """How many write-once copies were checked against the chain."""
    worm_seq: int | None = None
    """The last record a write-once copy covers: records after it can still be deleted
    unnoticed by someone with database rights, until the next checkpoint."""
    without_worm_copy: tuple[int, ...] = ()
    """Checkpoints in the database that have no write-once copy (a failed copy)."""

    @property
    def intact(self) -> bool:
        return self.kind is None


def verify_chain(
    records: Iterable[StoredRecord],
    checkpoints: Sequence[StoredCheckpoint],
    worm: Sequence[WormCheckpoint] | None = None,
) -> Verdict:
    """Walk the records in sequence order; report the first break and its kind.

    ``records`` is consumed once, as a stream (a million records need not fit in memory).
    Only after a break does the verifier read ahead, to tell a moved record from a
    changed one.

    ``worm`` are the write-once copies of checkpoints, kept where database rights do not
    reach: each must verify, hold a record of the chain at its place, and be in the
    database's checkpoints too. A tail deleted together with its checkpoints, which the
    database alone cannot show, is found against them. None: there are no such copies.
    """
    ordered = sorted(checkpoints, key=lambda checkpoint: (checkpoint.seq, checkpoint.number))
    counted = len(ordered)
    if (problem := _checkpoint_numbering(ordered)) is not None:
        seq, detail = problem
        return Verdict(
            records=0, checkpoints=counted, broken_seq=seq, kind=BreakKind.SIGNATURE, detail=detail
        )
    if worm is None:
        return _walk(records, ordered, [])
    anchors, worm_problem = _worm_anchors(worm)
    if worm_problem is not None:
        where, detail = worm_problem
        verdict = Verdict(
            records=0,
            checkpoints=counted,
            broken_seq=where,
            kind=BreakKind.SIGNATURE,
            detail=detail,
        )
    else:
        verdict = _walk(records, ordered, anchors)
        if verdict.intact:
            verdict = _worm_against_database(anchors, ordered, records=verdict.records)
    in_worm = {anchor.number for anchor in anchors}
    return replace(
        verdict,
        worm_checkpoints=len(worm),
        worm_seq=max((anchor.seq for anchor in anchors), default=None),
        without_worm_copy=tuple(c.number for c in ordered if c.number not in in_worm),
    )


def _walk(
    records: Iterable[StoredRecord],
    ordered: Sequence[StoredCheckpoint],
    anchors: Sequence[_Anchor],
) -> Verdict:
    counted = len(ordered)
    stream = iter(records)
    next_anchor = 0
    prev: StoredRecord | None = None
    before_prev_hash = GENESIS_HASH
    count = 0
    next_checkpoint = 0
    for record in stream:
        count += 1
        expected_seq = 1 if prev is None else prev.seq + 1
        if record.seq != expected_seq:
            missing = (
                str(expected_seq)
                if record.seq == expected_seq + 1
                else f"{expected_seq} to {record.seq - 1}"
            )
            return Verdict(
                records=count,
                checkpoints=counted,
                broken_seq=expected_seq,
                kind=BreakKind.MISSING,
                detail=f"record {missing} is missing: deleted",
            )
        expected_prev = GENESIS_HASH if prev is None else prev.hash
        intact = record_hash(record.seq, record.fields, record.prev_hash) == record.hash
        if not intact or record.prev_hash != expected_prev:
            seq, kind, detail = _classify(
                record, prev, before_prev_hash, intact=intact, rest=stream
            )
            return Verdict(
                records=count, checkpoints=counted, broken_seq=seq, kind=kind, detail=detail
            )
        while next_checkpoint < counted and ordered[next_checkpoint].seq == record.seq:
            checkpoint = ordered[next_checkpoint]
            if (found := _checkpoint_problem(checkpoint, record)) is not None:
                return Verdict(
                    records=count,
                    checkpoints=counted,
                    broken_seq=record.seq,
                    kind=found[0],
                    detail=found[1],
                )
            next_checkpoint += 1
        while next_anchor < len(anchors) and anchors[next_anchor].seq == record.seq:
            if (rewritten := _anchor_problem(anchors[next_anchor], record)) is not None:
                return Verdict(
                    records=count,
                    checkpoints=counted,
                    broken_seq=record.seq,
                    kind=BreakKind.CHANGED,
                    detail=rewritten,
                )
            next_anchor += 1
        before_prev_hash = expected_prev
        prev = record
    last = 0 if prev is None else prev.seq
    if (cut := _cut_off(last, ordered[next_checkpoint:], anchors[next_anchor:])) is not None:
        return Verdict(
            records=count,
            checkpoints=counted,
            broken_seq=last + 1,
            kind=BreakKind.TRUNCATED,
            detail=cut,
        )
    return Verdict(records=count, checkpoints=counted)


def _anchor_problem(anchor: _Anchor, record: StoredRecord) -> str | None:
    if anchor.head_hash == record.hash:
        return None
    return (
        f"record {record.seq} differs from the head signed in the WORM copy of checkpoint "
        f"{anchor.number}: the chain up to it was rewritten"
    )


def _cut_off(
    last: int, checkpoints: Sequence[StoredCheckpoint], anchors: Sequence[_Anchor]
) -> str | None:
    """Why the log should go on after record ``last``, or None if nothing says it should."""
    if anchors:
        # The furthest copy names the whole gap: everything after ``last`` up to it.
        anchor = anchors[-1]
        gap = str(anchor.seq) if anchor.seq == last + 1 else f"{last + 1} to {anchor.seq}"
        return (
            f"the log ends at record {last}, but the WORM copy of checkpoint "
            f"{anchor.number} covers records up to {anchor.seq}: record {gap} "
            "deleted from the database"
        )
    if checkpoints:
        checkpoint = checkpoints[0]
        return (
            f"the log ends at record {last}, but signed checkpoint {checkpoint.number} "
            f"covers records up to {checkpoint.seq}: records from {last + 1} were cut off"
        )
    return None


def _worm_anchors(
    worm: Sequence[WormCheckpoint],
) -> tuple[list[_Anchor], tuple[int | None, str] | None]:
    """The copies' signed claims in chain order, or the first copy that does not hold."""
    anchors = []
    for copy in worm:
        parsed = parse_checkpoint_statement(copy.statement)
        if not copy.signature_valid:
            return [], (
                None if parsed is None else parsed[1],
                f"the WORM copy {copy.where} does not verify with the portal's key: forged",
            )
        if parsed is None:
            return [], (None, f"the WORM copy {copy.where} is not a checkpoint statement")
        number, seq, head_hash = parsed
        anchors.append(_Anchor(number=number, seq=seq, head_hash=head_hash))
    anchors.sort(key=lambda anchor: (anchor.seq, anchor.number))
    return anchors, None


def _worm_against_database(
    anchors: Sequence[_Anchor], ordered: Sequence[StoredCheckpoint], *, records: int
) -> Verdict:
    """Every write-once copy must still be one of the database's checkpoints, unchanged."""
    in_database = {checkpoint.number: checkpoint for checkpoint in ordered}
    for anchor in anchors:
        stored = in_database.get(anchor.number)
        if stored is None:
            return Verdict(
                records=records,
                checkpoints=len(ordered),
                broken_seq=anchor.seq,
                kind=BreakKind.CHECKPOINT_MISSING,
                detail=(
                    f"checkpoint {anchor.number} (record {anchor.seq}) has a WORM copy but "
                    "is missing from the database: deleted"
                ),
            )
        if (stored.seq, stored.head_hash) != (anchor.seq, anchor.head_hash):
            return Verdict(
                records=records,
                checkpoints=len(ordered),
                broken_seq=anchor.seq,
                kind=BreakKind.CHECKPOINT_CHANGED,
                detail=(
                    f"checkpoint {anchor.number} in the database (record {stored.seq}) is not "
                    f"the one in its WORM copy (record {anchor.seq}): the database's "
                    "checkpoints were rewritten or rolled back"
                ),
            )
    return Verdict(records=records, checkpoints=len(ordered))


def _checkpoint_numbering(ordered: Sequence[StoredCheckpoint]) -> tuple[int, str] | None:
    """Checkpoints are numbered 1, 2, ... in chain order: a gap hides a deleted one."""
    for position, checkpoint in enumerate(ordered, start=1):
        if checkpoint.number != position:
            return checkpoint.seq, (
                f"checkpoint {position} is missing or out of order "
                f"(found checkpoint {checkpoint.number} in its place)"
            )
    return None


def _checkpoint_problem(
    checkpoint: StoredCheckpoint, record: StoredRecord
) -> tuple[BreakKind, str] | None:
    if not checkpoint.signature_valid:
        return (
            BreakKind.SIGNATURE,
            f"the signature of checkpoint {checkpoint.number} does not verify",
        )
    parsed = parse_checkpoint_statement(checkpoint.statement)
    if parsed != (checkpoint.number, checkpoint.seq, checkpoint.head_hash):
        return (
            BreakKind.SIGNATURE,
            f"the signed statement of checkpoint {checkpoint.number} does not match its row",
        )
    if checkpoint.head_hash != record.hash:
        return (
            BreakKind.CHANGED,
            (
                f"record {record.seq} differs from the head signed in checkpoint "
                f"{checkpoint.number}: the chain up to it was rewritten"
            ),
        )
    return None


def _classify(
    record: StoredRecord,
    prev: StoredRecord | None,
    before_prev_hash: str,
    *,
    intact: bool,
    rest: Iterator[StoredRecord],
) -> tuple[int, BreakKind, str]:
    seq = record.seq
    if not intact and prev is not None and record.prev_hash == before_prev_hash:
        # The record was chained to the one before ``prev``: ``prev`` was put in between
        # (and the records after it renumbered to make room).
        return prev.seq, BreakKind.INSERTED, f"record {prev.seq} was inserted into the chain"
    if intact:
        # This record is whole where it stands, but its predecessor is not the record it
        # was chained to: the predecessor was rewritten, hash and all.
        where = prev.seq if prev is not None else seq
        return where, BreakKind.CHANGED, f"record {where} was rewritten, its hash recomputed"
    if record.prev_hash == (prev.hash if prev is not None else GENESIS_HASH):
        return seq, BreakKind.CHANGED, f"record {seq} was changed after it was written"
    following = next(rest, None)
    # A moved record is intact for the place its predecessor points to: find that one.
    candidates = [following] if following is not None else []
    for ahead in _chain(candidates, rest):
        if ahead.hash == record.prev_hash:
            for home in (ahead.seq, ahead.seq + 1):
                if (
                    home != seq
                    and record_hash(home, record.fields, record.prev_hash) == record.hash
                ):
                    return (
                        seq,
                        BreakKind.REORDERED,
                        f"record {seq} holds the record that belongs at {home}: moved",
                    )
            break
    expected_prev = GENESIS_HASH if prev is None else prev.hash
    if following is not None and following.prev_hash == expected_prev:
        return seq, BreakKind.INSERTED, f"record {seq} was inserted: the chain skips it"
    return seq, BreakKind.CHANGED, f"record {seq} was changed after it was written"


def _chain(first: list[StoredRecord], rest: Iterator[StoredRecord]) -> Iterator[StoredRecord]:
    yield from first
    yield from rest
