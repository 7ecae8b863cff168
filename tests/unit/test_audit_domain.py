"""The pure audit-log policy: canonical encoding, pseudonyms, checkpoints and the verifier.

The verifier runs here on chains built in memory, so every kind of break, and the words
it reports, is pinned down without a database; tests/integration/test_audit_chain.py
does the same tampering through the real stores.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from portal.domain import access
from portal.domain.actions import Action, Outcome
from portal.domain.audit import (
    FIELD_NAMES,
    RECORD_TEXT_LIMITS,
    AuditEntry,
    fit_entry,
    fit_for_record,
    subject_overview,
    subject_pseudonym,
)
from portal.domain.audit_chain import (
    GENESIS_HASH,
    BreakKind,
    StoredCheckpoint,
    StoredRecord,
    Verdict,
    WormCheckpoint,
    canonical_fields,
    canonical_time,
    checkpoint_statement,
    entry_fields,
    parse_checkpoint_statement,
    record_hash,
    verify_chain,
)
from portal.domain.partijen import Actor, PartijStatus, Role
from portal.domain.register import ProcessingActivity
from tests.unit import cast

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY_FINGERPRINT = "A" * 40
PSEUDONYM_KEY = bytes(range(32))


def entry(number: int, **changes: object) -> AuditEntry:
    base = AuditEntry(
        started_at=T0 + timedelta(minutes=number),
        ended_at=T0 + timedelta(minutes=number, seconds=1),
        action=Action.DOCUMENT_DOWNLOAD,
        outcome=Outcome.PERMIT,
        processing_activity=ProcessingActivity.DOCUMENT_EXCHANGE,
        reason=f"event {number}",
        actor_partij_id=str(cast.RECLASSERING),
        purpose="screening",
        data_subject_ref="ab" * 32,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]  # test-only keyword pass-through


def stored(seq: int, prev_hash: str, *, number: int | None = None) -> StoredRecord:
    """A record at ``seq`` chained to ``prev_hash``, hashed for exactly that place."""
    record_fields = entry_fields(entry(seq if number is None else number))
    return StoredRecord(
        seq=seq,
        prev_hash=prev_hash,
        hash=record_hash(seq, record_fields, prev_hash),
        fields=record_fields,
    )


def chain(count: int) -> list[StoredRecord]:
    """A valid chain of records 1..count, as the store would hand it to the verifier."""
    records: list[StoredRecord] = []
    prev_hash = GENESIS_HASH
    for seq in range(1, count + 1):
        records.append(stored(seq, prev_hash))
        prev_hash = records[-1].hash
    return records


def checkpoint(
    record: StoredRecord, *, number: int = 1, statement: str | None = None
) -> StoredCheckpoint:
    """A checkpoint of the chain head at ``record`` with a verified signature."""
    if statement is None:
        statement = checkpoint_statement(
            number=number,
            seq=record.seq,
            head_hash=record.hash,
            signed_at=T0 + timedelta(days=1),
            key_fingerprint=KEY_FINGERPRINT,
        )
    return StoredCheckpoint(
        number=number,
        seq=record.seq,
        head_hash=record.hash,
        statement=statement,
        signature_valid=True,
    )


def broken(verdict: Verdict) -> tuple[int | None, BreakKind | None, str]:
    return verdict.broken_seq, verdict.kind, verdict.detail


# --- canonical form --------------------------------------------------------------------


def test_a_naive_time_has_no_canonical_form() -> None:
    with pytest.raises(ValueError, match="audit times must be timezone-aware"):
        canonical_time(datetime(2026, 3, 1, 9, 0))  # noqa: DTZ001 - the naive time under test


def test_an_aware_time_is_canonical_in_utc_with_microseconds() -> None:
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=UTC) + timedelta(microseconds=5)
    assert canonical_time(moment) == "2026-03-01T10:00:00.000005+00:00"


@pytest.mark.parametrize(
    ("name", "value", "type_name"),
    [
        pytest.param("started_at", "2026-03-01T09:00:00+00:00", "str", id="started-at-string"),
        pytest.param("ended_at", None, "NoneType", id="ended-at-missing"),
    ],
)
def test_a_time_field_that_is_not_a_datetime_is_refused(
    name: str, value: object, type_name: str
) -> None:
    values = {field: getattr(entry(1), field) for field in FIELD_NAMES} | {name: value}

    with pytest.raises(TypeError, match=f"^{name} must be a datetime, not {type_name}$"):
        canonical_fields(values)


# --- the overview for an inzage request ------------------------------------------------


def test_a_download_without_purpose_or_recipient_adds_neither_to_the_overview() -> None:
    without = entry_fields(
        entry(1, purpose=None, actor_partij_id=None, data_categories="gezondheid")
    )
    with_both = entry_fields(entry(2))

    alone = subject_overview("ab" * 32, [without])
    both = subject_overview("ab" * 32, [without, with_both])

    assert (alone.purposes, alone.recipients, alone.records) == ((), (), 1)
    assert alone.data_categories == ("gezondheid",)
    assert (both.purposes, both.recipients, both.records) == (
        ("screening",),
        (str(cast.RECLASSERING),),
        2,
    )


# --- data-subject pseudonyms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "reference", "message"),
    [
        pytest.param(b"k" * 31, "casus:1", "a pseudonym key has at least 32 bytes", id="short-key"),
        pytest.param(b"", "casus:1", "a pseudonym key has at least 32 bytes", id="empty-key"),
        pytest.param(
            PSEUDONYM_KEY, "", "an empty subject reference has no pseudonym", id="empty-reference"
        ),
    ],
)
def test_a_pseudonym_needs_a_full_key_and_a_reference(
    key: bytes, reference: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        subject_pseudonym(key, reference)


def test_a_pseudonym_is_a_keyed_hash_stable_per_key() -> None:
    first = subject_pseudonym(PSEUDONYM_KEY, "casus:1")

    assert first == subject_pseudonym(PSEUDONYM_KEY, "casus:1")
    assert len(first) == 64
    assert first != subject_pseudonym(bytes(reversed(PSEUDONYM_KEY)), "casus:1")


# --- checkpoint statements ---------------------------------------------------------------

STATEMENT = checkpoint_statement(
    number=2, seq=7, head_hash="c" * 64, signed_at=T0, key_fingerprint=KEY_FINGERPRINT
)


def test_a_checkpoint_statement_parses_back_to_its_number_seq_and_head() -> None:
    assert parse_checkpoint_statement(STATEMENT) == (2, 7, "c" * 64)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(STATEMENT.replace("checkpoint\n", "snapshot\n", 1), id="wrong-header"),
        pytest.param("\n" + STATEMENT, id="header-not-first"),
        pytest.param(STATEMENT.replace("checkpoint: 2\n", ""), id="no-number"),
        pytest.param(STATEMENT.replace("seq: 7\n", ""), id="no-seq"),
        pytest.param(STATEMENT.replace(f"head_hash: {'c' * 64}\n", ""), id="no-head-hash"),
        pytest.param(
            STATEMENT.replace("checkpoint: 2", "checkpoint: two"), id="number-not-integer"
        ),
        pytest.param(STATEMENT.replace("seq: 7", "seq: 7.5"), id="seq-not-integer"),
    ],
)
def test_text_that_is_not_a_well_formed_statement_parses_to_none(text: str) -> None:
    assert parse_checkpoint_statement(text) is None


# --- the verifier: checkpoints ------------------------------------------------------------


def test_an_intact_chain_with_its_checkpoints_verifies() -> None:
    records = chain(5)

    verdict = verify_chain(
        records, [checkpoint(records[1], number=1), checkpoint(records[4], number=2)]
    )

    assert verdict == Verdict(records=5, checkpoints=2)
    assert verdict.intact


@pytest.mark.parametrize(
    ("numbers", "broken_seq", "position", "found"),
    [
        pytest.param((1, 3), 4, 2, 3, id="checkpoint-2-deleted"),
        pytest.param((2, 3), 2, 1, 2, id="checkpoint-1-deleted"),
        pytest.param((2, 1), 2, 1, 2, id="numbered-against-chain-order"),
    ],
)
def test_a_gap_in_the_checkpoint_numbering_is_a_signature_break_at_that_checkpoint(
    numbers: tuple[int, int], broken_seq: int, position: int, found: int
) -> None:
    records = chain(5)
    checkpoints = [
        checkpoint(records[1], number=numbers[0]),
        checkpoint(records[3], number=numbers[1]),
    ]

    verdict = verify_chain(records, checkpoints)

    assert broken(verdict) == (
        broken_seq,
        BreakKind.SIGNATURE,
        f"checkpoint {position} is missing or out of order (found checkpoint {found} in its place)",
    )
    assert (verdict.records, verdict.checkpoints) == (0, 2)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            checkpoint_statement(
                number=1, seq=2, head_hash="d" * 64, signed_at=T0, key_fingerprint=KEY_FINGERPRINT
            ),
            id="other-seq-and-head",
        ),
        pytest.param(
            checkpoint_statement(
                number=9, seq=3, head_hash="d" * 64, signed_at=T0, key_fingerprint=KEY_FINGERPRINT
            ),
            id="other-number",
        ),
        pytest.param("not a statement at all", id="not-a-statement"),
    ],
)
def test_a_checkpoint_whose_signed_statement_differs_from_its_row_is_a_signature_break(
    statement: str,
) -> None:
    records = chain(4)

    verdict = verify_chain(records, [checkpoint(records[2], statement=statement)])

    assert broken(verdict) == (
        3,
        BreakKind.SIGNATURE,
        "the signed statement of checkpoint 1 does not match its row",
    )


# --- the verifier: classifying a break ---------------------------------------------------


def test_a_record_rewritten_with_its_hash_recomputed_is_found_changed_at_that_record() -> None:
    records = chain(5)
    # Record 3 replaced by other content, hashed for its place: whole by itself, but
    # record 4 still points to the original.
    records[2] = stored(3, records[1].hash, number=77)

    verdict = verify_chain(records, [])

    assert broken(verdict) == (3, BreakKind.CHANGED, "record 3 was rewritten, its hash recomputed")
    assert verdict.records == 4


def test_a_first_record_chained_to_something_other_than_genesis_is_found_rewritten() -> None:
    records = [stored(1, "f" * 64)]

    verdict = verify_chain(records, [])

    assert broken(verdict) == (1, BreakKind.CHANGED, "record 1 was rewritten, its hash recomputed")


def test_a_record_the_chain_skips_is_found_inserted_at_that_record() -> None:
    records = chain(5)
    # A forged record put in at 3 without a valid hash or link; the rest moved up one,
    # so record 4 points past it to record 2.
    forged = dataclasses.replace(stored(3, "f" * 64, number=99), hash="e" * 64)
    moved = [dataclasses.replace(record, seq=record.seq + 1) for record in records[2:]]

    verdict = verify_chain([*records[:2], forged, *moved], [])

    assert broken(verdict) == (3, BreakKind.INSERTED, "record 3 was inserted: the chain skips it")


def test_a_first_record_the_chain_skips_is_found_inserted() -> None:
    records = chain(3)
    forged = StoredRecord(seq=1, prev_hash="f" * 64, hash="e" * 64, fields=records[0].fields)
    moved = [dataclasses.replace(record, seq=record.seq + 1) for record in records]

    verdict = verify_chain([forged, *moved], [])

    assert broken(verdict) == (1, BreakKind.INSERTED, "record 1 was inserted: the chain skips it")


@pytest.mark.parametrize(
    "prev_hash_of",
    [
        pytest.param(None, id="points-nowhere"),
        pytest.param(3, id="points-ahead-but-fits-no-place-there"),
    ],
)
def test_a_changed_record_that_points_elsewhere_and_fits_no_other_place_is_found_changed(
    prev_hash_of: int | None,
) -> None:
    records = chain(5)
    # Record 2's content and link both altered, its stored hash left alone: it is not a
    # moved record (it hashes at no place its link points to) and record 3 does not skip
    # it, so all the verifier can say is that it changed.
    prev_hash = "f" * 64 if prev_hash_of is None else records[prev_hash_of].hash
    altered = dict(records[1].fields) | {"reason": "altered"}
    records[1] = dataclasses.replace(records[1], prev_hash=prev_hash, fields=altered)

    verdict = verify_chain(records, [])

    assert broken(verdict) == (2, BreakKind.CHANGED, "record 2 was changed after it was written")
    assert verdict.records == 2


# --- who reads the log ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "rule"),
    [
        pytest.param(cast.actor(Role.MANAGER, screened=False), "access:screening", id="unscreened"),
        pytest.param(cast.actor(Role.FG, active=False), "access:account", id="deactivated"),
        pytest.param(
            cast.actor(Role.MANAGER, partij_status=PartijStatus.WITHDRAWN),
            "access:partij-withdrawn",
            id="partij-withdrawn",
        ),
    ],
)
def test_a_manager_or_fg_without_standing_may_not_read_the_audit_log(who: Actor, rule: str) -> None:
    decision = access.may_read_audit_log(who)

    assert (decision.allowed, decision.rule) == (False, rule)
    assert decision.reason


# --- a refusal is recorded whatever came in ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "limit", "kept"),
    [
        pytest.param("monitoring", 40, "monitoring", id="plain-text-kept-as-is"),
        pytest.param("scree\x00ning", 40, "scree\\x00ning", id="nul-escaped-visibly"),
        pytest.param("a\u202eb", 40, "a\\u202eb", id="bidi-override-escaped"),
        pytest.param("regel\neen", 40, "regel\\neen", id="line-break-escaped"),
        pytest.param("x" * 60, 40, "x" * 39 + "…", id="over-long-cut-with-an-ellipsis"),
        pytest.param("\x00" * 20, 40, "\\x00" * 9 + "\\x0…", id="escapes-count-towards-the-limit"),
    ],
)
def test_fit_for_record_escapes_and_shortens(raw: str, limit: int, kept: str) -> None:
    fitted = fit_for_record(raw, limit)
    assert fitted == kept
    assert len(fitted) <= limit


def test_fit_entry_fits_every_text_field_to_its_column() -> None:
    hostile = entry(1, purpose="p\x00" + "u" * 100, justification="j" * 5000, reason="ok")
    fitted = fit_entry(hostile)
    assert fitted.purpose is not None
    assert fitted.purpose.startswith("p\\x00u")
    assert len(fitted.purpose) == RECORD_TEXT_LIMITS["purpose"]
    assert fitted.justification is not None
    assert len(fitted.justification) == RECORD_TEXT_LIMITS["justification"]
    assert fitted.reason == "ok"
    assert fitted.case_id is None


# --- the verifier: write-once copies of the checkpoints -----------------------------------


def worm_copy(
    record: StoredRecord, *, number: int, valid: bool = True, statement: str | None = None
) -> WormCheckpoint:
    """The write-once copy of checkpoint ``number`` of the head at ``record``."""
    return WormCheckpoint(
        where=f"checkpoints/{number:012d}",
        statement=checkpoint(record, number=number).statement if statement is None else statement,
        signature_valid=valid,
    )


def test_a_chain_whose_checkpoints_all_have_write_once_copies_verifies() -> None:
    records = chain(6)
    checkpoints = [checkpoint(records[2], number=1), checkpoint(records[5], number=2)]

    verdict = verify_chain(
        records,
        checkpoints,
        [worm_copy(records[5], number=2), worm_copy(records[2], number=1)],
    )

    assert verdict == Verdict(records=6, checkpoints=2, worm_checkpoints=2, worm_seq=6)


def test_a_checkpoint_without_its_write_once_copy_is_noted_not_a_break() -> None:
    records = chain(6)
    checkpoints = [checkpoint(records[2], number=1), checkpoint(records[5], number=2)]

    verdict = verify_chain(records, checkpoints, [worm_copy(records[2], number=1)])

    assert verdict.intact
    assert (verdict.worm_seq, verdict.without_worm_copy) == (3, (2,))


def test_no_write_once_store_at_all_checks_and_notes_nothing() -> None:
    records = chain(3)

    verdict = verify_chain(records, [checkpoint(records[2])], None)

    assert verdict == Verdict(records=3, checkpoints=1)


@pytest.mark.parametrize(
    ("kept", "gap"),
    [
        pytest.param(5, "record 6 to 8", id="three-records"),
        pytest.param(7, "record 8", id="the-last-record"),
        pytest.param(0, "record 1 to 8", id="every-record"),
    ],
)
def test_a_tail_deleted_with_its_checkpoint_is_found_against_the_write_once_copy(
    kept: int, gap: str
) -> None:
    records = chain(8)
    # What a DBA leaves: records after ``kept`` gone, and the checkpoint that covered them.
    checkpoints = [checkpoint(records[2], number=1)] if kept >= 3 else []
    worm = [worm_copy(records[2], number=1), worm_copy(records[7], number=2)]

    verdict = verify_chain(records[:kept], checkpoints, worm)

    assert broken(verdict) == (
        kept + 1,
        BreakKind.TRUNCATED,
        (
            f"the log ends at record {kept}, but the WORM copy of checkpoint 2 covers records "
            f"up to 8: {gap} deleted from the database"
        ),
    )
    assert verdict.worm_seq == 8


def test_a_chain_rewritten_up_to_a_write_once_copy_is_found_changed_at_its_record() -> None:
    records = chain(5)
    rewritten = [*records[:1]]
    for seq in range(2, 6):
        rewritten.append(stored(seq, rewritten[-1].hash, number=70 + seq))

    # The rewriter cannot sign, so the database keeps no checkpoint; the copy remains.
    verdict = verify_chain(rewritten, [], [worm_copy(records[4], number=1)])

    assert broken(verdict) == (
        5,
        BreakKind.CHANGED,
        (
            "record 5 differs from the head signed in the WORM copy of checkpoint 1: "
            "the chain up to it was rewritten"
        ),
    )


@pytest.mark.parametrize(
    ("copy", "broken_seq", "detail"),
    [
        pytest.param(
            {"valid": False},
            4,
            "the WORM copy checkpoints/000000000001 does not verify with the portal's key: forged",
            id="bad-signature",
        ),
        pytest.param(
            {"valid": False, "statement": "garbage"},
            None,
            "the WORM copy checkpoints/000000000001 does not verify with the portal's key: forged",
            id="bad-signature-over-garbage",
        ),
        pytest.param(
            {"statement": "signed, but no checkpoint"},
            None,
            "the WORM copy checkpoints/000000000001 is not a checkpoint statement",
            id="not-a-statement",
        ),
    ],
)
def test_a_write_once_copy_that_does_not_hold_is_a_signature_break(
    copy: dict[str, object], broken_seq: int | None, detail: str
) -> None:
    records = chain(4)

    verdict = verify_chain(
        records,
        [checkpoint(records[3])],
        [worm_copy(records[3], number=1, **copy)],  # type: ignore[arg-type]  # test table
    )

    assert broken(verdict) == (broken_seq, BreakKind.SIGNATURE, detail)
    assert verdict.records == 0


def test_a_checkpoint_deleted_from_the_database_is_found_by_its_write_once_copy() -> None:
    records = chain(6)
    worm = [worm_copy(records[2], number=1), worm_copy(records[5], number=2)]

    verdict = verify_chain(records, [checkpoint(records[2], number=1)], worm)

    assert broken(verdict) == (
        6,
        BreakKind.CHECKPOINT_MISSING,
        "checkpoint 2 (record 6) has a WORM copy but is missing from the database: deleted",
    )
    assert verdict.records == 6


def test_a_checkpoint_the_database_holds_otherwise_than_its_copy_is_found_changed() -> None:
    records = chain(6)

    verdict = verify_chain(
        records, [checkpoint(records[2], number=1)], [worm_copy(records[5], number=1)]
    )

    assert broken(verdict) == (
        6,
        BreakKind.CHECKPOINT_CHANGED,
        (
            "checkpoint 1 in the database (record 3) is not the one in its WORM copy (record 6): "
            "the database's checkpoints were rewritten or rolled back"
        ),
    )
