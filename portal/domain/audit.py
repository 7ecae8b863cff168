"""The audit log: the shape of a record, its hash chain, signed checkpoints, and the verifier.

Every decision about a document, permit or deny, and every state change leaves one
record. The chain (each record holds its predecessor's hash and its own, over a canonical
encoding that includes its sequence number) makes a changed, removed, inserted or moved
record detectable; checkpoints of the chain head, signed with the portal's own OpenPGP
key, make a rewritten chain or a cut-off tail detectable too. No document content ever
enters a record.

This module is pure: the verifier walks an iterable of stored records handed to it and
returns a :class:`Verdict`; reading rows and checking gpg signatures is the services' job.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Final

GENESIS_HASH = "0" * 64


class Action(enum.StrEnum):
    """``resource:action`` names of the events the portal records."""

    CASE_CREATE = "case:create"
    CASE_CREATE_DENIED = "case:create:denied"
    CASE_READ_DENIED = "case:read:denied"
    CASE_PHASE = "case:phase"
    CASE_PHASE_DENIED = "case:phase:denied"
    GRANT_CREATE = "grant:create"
    GRANT_CREATE_DENIED = "grant:create:denied"
    GRANT_REVOKE = "grant:revoke"
    GRANT_REVOKE_DENIED = "grant:revoke:denied"
    GRANT_END = "grant:end"
    ARCHIVE_ADMIT = "archive:admit"
    ARCHIVE_ADMIT_DENIED = "archive:admit:denied"
    CONSENT_RECORD = "consent:record"
    CONSENT_RECORD_DENIED = "consent:record:denied"
    CONSENT_WITHDRAW = "consent:withdraw"
    CONSENT_WITHDRAW_DENIED = "consent:withdraw:denied"
    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_DENIED = "document:approve:denied"
    FURTHER_USE_REQUEST = "further-use:request"
    FURTHER_USE_REQUEST_DENIED = "further-use:request:denied"
    FURTHER_USE_DECIDE = "further-use:decide"
    FURTHER_USE_DECIDE_DENIED = "further-use:decide:denied"
    PARTIJ_WITHDRAW = "partij:withdraw"
    PARTIJ_WITHDRAW_DENIED = "partij:withdraw:denied"
    ACCESS_EXPLAIN = "access:explain"
    ACCESS_EXPLAIN_DENIED = "access:explain:denied"
    DOCUMENT_UPLOAD = "document:upload"
    DOCUMENT_UPLOAD_DENIED = "document:upload:denied"
    DOCUMENT_UPLOAD_FAILED = "document:upload:failed"
    DOCUMENT_DOWNLOAD = "document:download"
    DOCUMENT_DOWNLOAD_DENIED = "document:download:denied"
    DOCUMENT_DOWNLOAD_COMPLETE = "document:download:complete"
    DOCUMENT_DOWNLOAD_FAILED = "document:download:failed"
    DOCUMENT_READ_DENIED = "document:read:denied"
    # A bearer token that is unknown or revoked. Successful authentication is not
    # recorded per request: every API call would add a record that says nothing the
    # record of the action itself does not (see docs/architecture.md, Audit log).
    AUTH_LOGIN_FAILED = "auth:login:failed"
    # Art. 24.4, 24.6: reading the log is itself processing of personal data.
    AUDIT_READ = "audit:read"
    AUDIT_READ_DENIED = "audit:read:denied"
    AUDIT_EXPORT = "audit:export"
    AUDIT_EXPORT_DENIED = "audit:export:denied"


class Outcome(enum.StrEnum):
    PERMIT = "permit"
    DENY = "deny"
    SUCCESS = "success"
    FAILURE = "failure"


# --- the register of processing activities (art. 24.3 a-h) ------------------------------


class ProcessingActivity(enum.StrEnum):
    """Ids of the register entries (:data:`REGISTER`) an audit record refers to."""

    CASE_REGISTRATION = "zvh-casusregistratie"
    ACCESS_MANAGEMENT = "zvh-toegangsbeheer"
    CONSENT_REGISTRATION = "zvh-toestemmingsregistratie"
    DOCUMENT_EXCHANGE = "zvh-documentuitwisseling"
    ACCOUNTABILITY = "zvh-verantwoording"


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    """One processing activity with the fields of art. 24.3 a-h of the protocol."""

    id: ProcessingActivity
    name: str
    controller: str
    """a. the controller(s) and how to reach them."""
    purposes: tuple[str, ...]
    """b. the purposes; purpose codes of Bijlage 2 where the activity serves a phase."""
    data_categories: tuple[str, ...]
    """c. the categories of personal data (codes of Bijlage 4)."""
    subject_categories: tuple[str, ...]
    """d. the categories of data subjects (Bijlage 4, categories 1-4)."""
    recipients: tuple[str, ...]
    """e. the categories of recipients."""
    third_country_transfers: str
    """f. transfers outside the EEA, if any."""
    retention: str
    """g. when the data is erased."""
    security_measures: tuple[str, ...]
    """h. the technical and organisational measures."""


_CONTROLLER: Final = (
    "Partijen van het convenant Zorg- en Veiligheidshuis Noord-Limburg, elk voor de "
    "gegevens die zij inbrengen (art. 2.1); gezamenlijk register bijgehouden door de "
    "Manager van het Zorg- en Veiligheidshuis (art. 24.2), beheergemeente Horst aan de Maas"
)
_SUBJECTS: Final = (
    "1: personen op wie het plan van aanpak is gericht",
    "2: gezinsleden en directe sociale contacten",
    "3: betrokken professionals",
    "4: medewerkers van derden",
)
_ALL_CATEGORIES: Final = (
    "personalia",
    "adres",
    "contact",
    "woonsituatie",
    "financieel",
    "relaties",
    "toezicht_handhaving",
    "politie_wpg_8_13",
    "gezondheid",
    "religie",
    "etniciteit",
    "seksueel",
    "strafrechtelijk",
    "strafvorderlijk",
    "tenuitvoerlegging",
)
_CASE_RETENTION: Final = (
    "na afschaling 6 maanden voor procesregisseur en administratief medewerker, daarna "
    "6 maanden archief op besluit van de Manager, na 12 maanden vernietigd (art. 11.2); "
    "documenten worden vernietigd door hun casussleutel te vernietigen"
)
_MEASURES: Final = (
    "versleuteling van elk document met een eigen OpenPGP-sleutel per casus (AES-256)",
    "casussleutels beschermd met een hoofdsleutel buiten de database",
    "toegang alleen met VOG en geheimhoudingsverklaring (art. 13.1, 13.3)",
    "toegang per casus, fase en doel beslist en vastgelegd (art. 3.5, 9.6)",
    "onweerlegbaar logboek: alleen toevoegen, hashketen, ondertekende controlepunten",
    "beveiligde verbindingen (TLS) en beleid van de beheergemeente (Bijlage 3)",
)

REGISTER: Final[Mapping[ProcessingActivity, RegisterEntry]] = {
    entry.id: entry
    for entry in (
        RegisterEntry(
            id=ProcessingActivity.CASE_REGISTRATION,
            name="Registratie en procesregie van casussen",
            controller=_CONTROLLER,
            purposes=(
                "screening",
                "routering",
                "voorbereiding_rto",
                "afschalen",
                "opschalen",
                "procesregie door de procesregisseur (art. 5.1)",
            ),
            data_categories=("personalia", "adres", "contact", "woonsituatie", "relaties"),
            subject_categories=_SUBJECTS[:2],
            recipients=("procesregisseur", "administratief medewerker", "Manager (archief)"),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.DOCUMENT_EXCHANGE,
            name="Uitwisseling van documenten tussen partijen per casus en fase",
            controller=_CONTROLLER,
            purposes=(
                "screening",
                "beeldvorming",
                "routering",
                "voorbereiding_rto",
                "toestandsbeeld",
                "plan_van_aanpak",
                "monitoring",
                "verdere_verstrekking",
                "afschalen",
                "opschalen",
                "overdracht",
            ),
            data_categories=_ALL_CATEGORIES,
            subject_categories=_SUBJECTS,
            recipients=(
                "deelnemers aan het Ronde Tafel Overleg, per casus toegelaten",
                "procesregisseur",
                "casusregisseur (bij afschaling)",
                "de verstrekkende partij zelf",
            ),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.ACCESS_MANAGEMENT,
            name="Beheer van accounts, toegang en aanmelding",
            controller=_CONTROLLER,
            purposes=(
                "toegang alleen voor gescreende medewerkers van partijen (art. 13)",
                "beveiliging tegen onbevoegde toegang (art. 12)",
            ),
            data_categories=("personalia", "contact"),
            subject_categories=_SUBJECTS[2:],
            recipients=("Manager", "functionaris gegevensbescherming"),
            third_country_transfers="geen",
            retention="zolang het account bestaat; logboekregels zoals de verantwoording",
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.CONSENT_REGISTRATION,
            name="Vastleggen en intrekken van toestemming van betrokkenen",
            controller=_CONTROLLER,
            purposes=(
                "gegevens onder beroepsgeheim alleen met uitdrukkelijke toestemming (art. 7.2)",
                "geen verdere verstrekking na intrekking (art. 7.2d, 13.7)",
            ),
            data_categories=("gepseudonimiseerde verwijzing naar betrokkene", "reikwijdte"),
            subject_categories=_SUBJECTS[:1],
            recipients=("de partij die de toestemming verkreeg", "procesregisseur"),
            third_country_transfers="geen",
            retention=_CASE_RETENTION,
            security_measures=_MEASURES,
        ),
        RegisterEntry(
            id=ProcessingActivity.ACCOUNTABILITY,
            name="Logboek van verwerkingen en toezicht daarop",
            controller=_CONTROLLER,
            purposes=(
                "verantwoording van elke verstrekking (NEN 7513; art. 8: art. 32 Wpg, 39j Wjsg)",
                "toezicht door de functionaris gegevensbescherming (art. 24.4, 24.6)",
                "inzage door betrokkenen (art. 18)",
            ),
            data_categories=("gepseudonimiseerde verwijzing naar betrokkene", "personalia"),
            subject_categories=_SUBJECTS,
            recipients=("Manager", "functionarissen gegevensbescherming van partijen"),
            third_country_transfers="geen",
            retention=(
                "logboekregels overleven de casus; verstrekkingen door OM en politie ten "
                "minste 4 jaar (art. 17.5); gegevens van de betrokkene staan er slechts "
                "gepseudonimiseerd in"
            ),
            security_measures=_MEASURES,
        ),
    )
}


# --- records and their hash ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """What the portal knows about one event when it records it; the store adds the chain."""

    started_at: datetime
    ended_at: datetime
    action: Action
    outcome: Outcome
    processing_activity: ProcessingActivity
    """The register entry this event is part of (art. 24.3): every record names one."""
    reason: str = ""
    actor_user_id: str | None = None
    actor_username: str | None = None
    actor_partij_id: str | None = None
    actor_role: str | None = None
    on_behalf_of: str | None = None
    case_id: str | None = None
    phase: str | None = None
    document_id: str | None = None
    document_sha256: str | None = None
    provider_partij_id: str | None = None
    """The partij that provided the document: whose disclosure record this is (art. 8)."""
    data_categories: str | None = None
    """The document's declared data categories, comma separated (Bijlage 4)."""
    purpose: str | None = None
    legal_basis: str | None = None
    consent_id: str | None = None
    justification: str | None = None
    emergency: bool = False
    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    data_subject_ref: str | None = None
    """The keyed pseudonym of the person the event is about (:func:`subject_pseudonym`)."""


FIELD_NAMES: Final[tuple[str, ...]] = tuple(field.name for field in fields(AuditEntry))
"""The columns a record's hash covers, besides ``seq`` and ``prev_hash``."""

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


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AuditQuery:
    """Which records a reader asks for; every field narrows the selection."""

    case_id: str | None = None
    partij_id: str | None = None
    """Records of events by this partij's users, or about documents it provided."""
    provider_partij_id: str | None = None
    user: str | None = None
    """A user id or username."""
    actions: frozenset[str] = frozenset()
    data_subject_ref: str | None = None
    since: datetime | None = None
    until: datetime | None = None


DISCLOSURE_ACTIONS: Final = frozenset(
    {
        Action.DOCUMENT_DOWNLOAD,
        Action.DOCUMENT_DOWNLOAD_COMPLETE,
        Action.DOCUMENT_DOWNLOAD_FAILED,
    }
)
"""The records that make a partij's disclosure record (art. 8: art. 32 Wpg, 39j Wjsg)."""


@dataclass(frozen=True, kw_only=True)
class SubjectOverview:
    """What an inzage request (art. 18.1) needs about one data subject, from the log."""

    data_subject_ref: str
    purposes: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    """Partij ids to which documents about the subject were disclosed."""
    sources: tuple[str, ...]
    """Partij ids that provided documents about the subject."""
    processing_activities: tuple[str, ...]
    first_at: str | None
    last_at: str | None
    records: int


def subject_overview(
    data_subject_ref: str, records: Iterable[Mapping[str, object]]
) -> SubjectOverview:
    """Summarise the records about one subject (canonical fields, as the log stores them)."""
    purposes: set[str] = set()
    categories: set[str] = set()
    recipients: set[str] = set()
    sources: set[str] = set()
    activities: set[str] = set()
    times: list[str] = []
    count = 0
    for record in records:
        count += 1
        times.append(str(record["started_at"]))
        activities.add(str(record["processing_activity"]))
        action = record["action"]
        if isinstance(record["data_categories"], str) and record["data_categories"]:
            categories.update(record["data_categories"].split(","))
        if action == Action.DOCUMENT_DOWNLOAD:
            if isinstance(record["purpose"], str):
                purposes.add(record["purpose"])
            if isinstance(record["actor_partij_id"], str):
                recipients.add(record["actor_partij_id"])
        if action == Action.DOCUMENT_UPLOAD and isinstance(record["provider_partij_id"], str):
            sources.add(record["provider_partij_id"])
    return SubjectOverview(
        data_subject_ref=data_subject_ref,
        purposes=tuple(sorted(purposes)),
        data_categories=tuple(sorted(categories)),
        recipients=tuple(sorted(recipients)),
        sources=tuple(sorted(sources)),
        processing_activities=tuple(sorted(activities)),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        records=count,
    )


# --- data-subject pseudonyms -----------------------------------------------------------------

_PSEUDONYM_LABEL: Final = b"rto-portal:data-subject:v1\x00"


def subject_pseudonym(key: bytes, subject_reference: str) -> str:
    """A keyed hash (HMAC-SHA256) of a data-subject reference, for the audit log.

    Without the key (derived from the master key, never stored) nobody can test a
    guessed reference (a BSN has only 10^9 values) against the log; with it, the portal
    finds every record about one person for an inzage request (art. 18.1).
    """
    if len(key) < 32:  # noqa: PLR2004 - 256 bits, the HMAC-SHA256 block of security
        raise ValueError("a pseudonym key has at least 32 bytes")
    if not subject_reference:
        raise ValueError("an empty subject reference has no pseudonym")
    message = _PSEUDONYM_LABEL + subject_reference.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def case_subject_reference(case_id: str) -> str:
    """The subject reference of a case: the person its plan of action is about (cat. 1).

    A case stands for one person (Bijlage 4, category 1), and the portal holds no BSN or
    name, so the case id is the reference; pseudonymised, it links the records about that
    person without naming the case to a reader of an export.
    """
    return f"casus:{case_id}"


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


@dataclass(frozen=True, kw_only=True)
class Verdict:
    records: int
    checkpoints: int
    broken_seq: int | None = None
    kind: BreakKind | None = None
    detail: str = ""

    @property
    def intact(self) -> bool:
        return self.kind is None


def verify_chain(
    records: Iterable[StoredRecord], checkpoints: Sequence[StoredCheckpoint]
) -> Verdict:
    """Walk the records in sequence order; report the first break and its kind.

    ``records`` is consumed once, as a stream (a million records need not fit in memory).
    Only after a break does the verifier read ahead, to tell a moved record from a
    changed one.
    """
    ordered = sorted(checkpoints, key=lambda checkpoint: (checkpoint.seq, checkpoint.number))
    counted = len(ordered)
    if (problem := _checkpoint_numbering(ordered)) is not None:
        seq, detail = problem
        return Verdict(
            records=0, checkpoints=counted, broken_seq=seq, kind=BreakKind.SIGNATURE, detail=detail
        )
    stream = iter(records)
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
        before_prev_hash = expected_prev
        prev = record
    if next_checkpoint < counted:
        last = 0 if prev is None else prev.seq
        checkpoint = ordered[next_checkpoint]
        return Verdict(
            records=count,
            checkpoints=counted,
            broken_seq=last + 1,
            kind=BreakKind.TRUNCATED,
            detail=(
                f"the log ends at record {last}, but signed checkpoint {checkpoint.number} "
                f"covers records up to {checkpoint.seq}: records from {last + 1} were cut off"
            ),
        )
    return Verdict(records=count, checkpoints=counted)


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
