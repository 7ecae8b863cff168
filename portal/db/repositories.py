"""Translate between Piccolo rows and domain values; the only module that queries tables.

Integrity errors differ between sqlite3 and asyncpg; :func:`is_unique_violation` maps
them in one place so services can answer "already exists" the same way on both.
"""

from __future__ import annotations

import enum
import sqlite3
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from crypto import CaseKeyMaterial, SigningKeyMaterial
from portal.db.tables import (
    ApiToken,
    Approval,
    ArchiveAdmission,
    AuditCheckpoint,
    AuditEvent,
    CaseKey,
    Casus,
    Consent,
    Document,
    FurtherUseRequest,
    Grant,
    Partij,
    SigningKey,
    User,
)
from portal.domain import cases, documents, grants, partijen
from portal.domain.audit import FIELD_NAMES, AuditEntry, AuditQuery
from portal.domain.audit_chain import GENESIS_HASH, chain_hash
from portal.domain.consents import Consent as ConsentRecord


def is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


def _partij(row: dict[str, Any]) -> partijen.Partij:
    return partijen.Partij(
        id=partijen.PartijId(UUID(str(row["id"]))),
        name=row["name"],
        kind=partijen.PartijKind(row["kind"]),
        status=partijen.PartijStatus(row["status"]),
    )


def _user(row: dict[str, Any]) -> partijen.User:
    return partijen.User(
        id=partijen.UserId(UUID(str(row["id"]))),
        username=row["username"],
        partij_id=partijen.PartijId(UUID(str(row["partij"]))),
        roles=frozenset(partijen.Role(code) for code in row["roles"]),
        vog_recorded_at=row["vog_recorded_at"],
        geheimhouding_recorded_at=row["geheimhouding_recorded_at"],
        active=bool(row["active"]),
    )


async def insert_partij(*, name: str, kind: partijen.PartijKind, now: datetime) -> partijen.Partij:
    rows = await Partij.insert(Partij(name=name, kind=kind.value, created_at=now)).returning(
        *Partij.all_columns()
    )
    return _partij(rows[0])


async def partij_by_name(name: str) -> partijen.Partij | None:
    row = await Partij.select().where(Partij.name == name).first()
    return _partij(row) if row else None


async def all_partijen() -> list[partijen.Partij]:
    return [_partij(row) for row in await Partij.select().order_by(Partij.name)]


async def insert_user(
    *,
    username: str,
    partij_id: partijen.PartijId,
    roles: frozenset[partijen.Role],
    vog_recorded_at: datetime | None,
    geheimhouding_recorded_at: datetime | None,
    now: datetime,
) -> partijen.User:
    rows = await User.insert(
        User(
            username=username,
            partij=partij_id,
            roles=sorted(role.value for role in roles),
            vog_recorded_at=vog_recorded_at,
            geheimhouding_recorded_at=geheimhouding_recorded_at,
            created_at=now,
        )
    ).returning(*User.all_columns())
    return await _reload_user(rows[0]["id"])


async def _reload_user(user_id: object) -> partijen.User:
    row = await User.select().where(User.id == user_id).output(load_json=True).first()
    if row is None:  # pragma: no cover - the row was inserted in the same call
        raise LookupError(user_id)
    return _user(row)


async def user_by_username(username: str) -> partijen.User | None:
    row = await User.select().where(User.username == username).output(load_json=True).first()
    return _user(row) if row else None


async def insert_api_token(
    *, user_id: partijen.UserId, token_hash: str, label: str, now: datetime
) -> None:
    await ApiToken.insert(
        ApiToken(user=user_id, token_hash=token_hash, label=label, created_at=now)
    )


async def revoke_api_tokens(*, user_id: partijen.UserId, label: str, now: datetime) -> int:
    revoked = await (
        ApiToken.update({ApiToken.revoked_at: now})
        .where(
            (ApiToken.user == user_id) & (ApiToken.label == label) & (ApiToken.revoked_at.is_null())
        )
        .returning(ApiToken.id)
    )
    return len(revoked)


async def insert_case_key(*, case_id: UUID, material: CaseKeyMaterial, now: datetime) -> None:
    await CaseKey.insert(
        CaseKey(
            casus=case_id,
            fingerprint=material.fingerprint,
            public_key=material.public_key,
            protected_secret_key=material.protected_secret_key,
            created_at=now,
        )
    )


async def case_key(case_id: UUID) -> CaseKeyMaterial | None:
    row = await CaseKey.select().where(CaseKey.casus == case_id).first()
    if row is None:
        return None
    return CaseKeyMaterial(
        fingerprint=row["fingerprint"],
        public_key=row["public_key"],
        protected_secret_key=row["protected_secret_key"],
    )


async def delete_case_key(case_id: UUID) -> str | None:
    """Delete a case's key row; return its fingerprint, or None if there was none."""
    rows = await CaseKey.delete().where(CaseKey.casus == case_id).returning(CaseKey.fingerprint)
    return str(rows[0]["fingerprint"]) if rows else None


# --- authentication ---------------------------------------------------------------------

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


async def actor_by_token_hash(token_hash: str, *, now: datetime) -> partijen.Actor | None:
    """The actor a live token belongs to; its last-used time is kept to the minute."""
    token = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where((ApiToken.token_hash == token_hash) & (ApiToken.revoked_at.is_null()))
        .first()
    )
    if token is None:
        return None
    last_used = token["last_used_at"]
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token["id"])
    return await actor_by_user_id(token["user"])


async def actor_by_user_id(user_id: object) -> partijen.Actor | None:
    found = await _actors(User.id == user_id)
    return found[0] if found else None


async def _actors(where: Any) -> list[partijen.Actor]:
    """Users with their partij's standing, in one query (never one query per user)."""
    rows = (
        await User.select(
            *User.all_columns(),
            User.partij.kind.as_alias("partij_kind"),
            User.partij.status.as_alias("partij_status"),
        )
        .where(where)
        .order_by(User.username)
        .output(load_json=True)
    )
    return [_actor(row) for row in rows]


def _actor(row: dict[str, Any]) -> partijen.Actor:
    user = _user(row)
    return partijen.Actor(
        user_id=user.id,
        username=user.username,
        partij_id=user.partij_id,
        partij_kind=partijen.PartijKind(row["partij_kind"]),
        partij_status=partijen.PartijStatus(row["partij_status"]),
        roles=user.roles,
        screened=user.screened,
        active=user.active,
        openpgp_public_key=row["openpgp_public_key"],
    )


async def set_user_public_key(*, user_id: partijen.UserId, armored: str | None) -> None:
    await User.update({User.openpgp_public_key: armored}).where(User.id == user_id)


async def partij_public_key(partij_id: partijen.PartijId) -> str | None:
    row = await Partij.select(Partij.openpgp_public_key).where(Partij.id == partij_id).first()
    return None if row is None else row["openpgp_public_key"]


# --- cases --------------------------------------------------------------------------------


def _case(row: dict[str, Any]) -> cases.Case:
    return cases.Case(
        id=cases.CaseId(UUID(str(row["id"]))),
        reference=row["reference"],
        reported_by=partijen.PartijId(UUID(str(row["reported_by"]))),
        phase=cases.Phase(row["phase"]),
        created_at=row["created_at"],
        afschaling_at=row["afschaling_at"],
        destroyed_at=row["destroyed_at"],
    )


async def insert_case(
    *, case_id: cases.CaseId, reference: str, reported_by: UUID, now: datetime
) -> cases.Case:
    rows = await Casus.insert(
        Casus(id=case_id, reference=reference, reported_by=reported_by, created_at=now)
    ).returning(*Casus.all_columns())
    return _case(rows[0])


async def case_by_id(case_id: UUID) -> cases.Case | None:
    row = await Casus.select().where(Casus.id == case_id).first()
    return _case(row) if row else None


async def case_by_reference(reference: str) -> cases.Case | None:
    row = await Casus.select().where(Casus.reference == reference).first()
    return _case(row) if row else None


async def all_cases() -> list[cases.Case]:
    return [_case(row) for row in await Casus.select().order_by(Casus.created_at)]


async def providers_of(case_id: UUID) -> frozenset[partijen.PartijId]:
    rows = await Document.select(Document.provider).where(Document.casus == case_id).distinct()
    return frozenset(partijen.PartijId(UUID(str(row["provider"]))) for row in rows)


async def partij_by_id(partij_id: UUID) -> partijen.Partij | None:
    row = await Partij.select().where(Partij.id == partij_id).first()
    return _partij(row) if row else None


# --- documents ----------------------------------------------------------------------------


def _document(
    row: dict[str, Any], approvals: tuple[documents.Approval, ...] = ()
) -> documents.Document:
    consent = row["consent"]
    return documents.Document(
        id=documents.DocumentId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        phase=cases.Phase(row["phase"]),
        provider_id=partijen.PartijId(UUID(str(row["provider"]))),
        provider_kind=partijen.PartijKind(row["provider_kind"]),
        uploaded_by=partijen.UserId(UUID(str(row["uploaded_by"]))),
        file_name=row["file_name"],
        media_type=row["media_type"],
        size=int(row["size"]),
        sha256=row["sha256"],
        object_key=row["object_key"],
        restrictions=documents.Restrictions(
            purposes=frozenset(cases.Purpose(code) for code in row["purposes"]),
            data_categories=frozenset(documents.DataCategory(c) for c in row["data_categories"]),
            legal_basis=documents.LegalBasis(row["legal_basis"]),
            consent_id=documents.ConsentId(UUID(str(consent))) if consent else None,
        ),
        description=row["description"],
        created_at=row["created_at"],
        approvals=approvals,
    )


def _document_query() -> Any:
    return Document.select(
        *Document.all_columns(), Document.provider.kind.as_alias("provider_kind")
    ).output(load_json=True)


async def _approvals_of(document_ids: list[UUID]) -> dict[str, tuple[documents.Approval, ...]]:
    if not document_ids:
        return {}
    rows = (
        await Approval.select()
        .where(Approval.document.is_in(document_ids))
        .order_by(Approval.approved_at)
        .output(load_json=True)
    )
    found: dict[str, list[documents.Approval]] = {}
    for row in rows:
        found.setdefault(str(row["document"]), []).append(
            documents.Approval(
                phase=cases.Phase(row["phase"]),
                purposes=frozenset(cases.Purpose(p) for p in row["purposes"]),
                approved_at=row["approved_at"],
            )
        )
    return {key: tuple(value) for key, value in found.items()}


def document_row(document: documents.Document) -> Document:
    restrictions = document.restrictions
    return Document(
        id=document.id,
        casus=document.case_id,
        phase=document.phase.value,
        provider=document.provider_id,
        uploaded_by=document.uploaded_by,
        file_name=document.file_name,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        object_key=document.object_key,
        purposes=sorted(p.value for p in restrictions.purposes),
        data_categories=sorted(c.value for c in restrictions.data_categories),
        legal_basis=restrictions.legal_basis.value,
        consent=restrictions.consent_id,
        description=document.description,
        created_at=document.created_at,
    )


async def insert_document(document: documents.Document) -> None:
    await Document.insert(document_row(document))


async def document_by_id(document_id: UUID) -> documents.Document | None:
    row = await _document_query().where(Document.id == document_id).first()
    if row is None:
        return None
    approvals = await _approvals_of([document_id])
    return _document(row, approvals.get(str(document_id), ()))


async def documents_of_case(case_id: UUID) -> list[documents.Document]:
    rows = await _document_query().where(Document.casus == case_id).order_by(Document.created_at)
    approvals = await _approvals_of([row["id"] for row in rows])
    return [_document(row, approvals.get(str(row["id"]), ())) for row in rows]


async def consent_usable_by(consent_id: UUID, partij_id: partijen.PartijId) -> str | None:
    """None when the consent is the partij's own and not withdrawn, else why not."""
    row = await Consent.select().where(Consent.id == consent_id).first()
    if row is None or UUID(str(row["partij"])) != partij_id:
        return "no consent record of the providing partij with that id"
    if row["withdrawn_at"] is not None:
        return "the consent was withdrawn"
    return None


# --- audit --------------------------------------------------------------------------------

# One lock for the whole audit chain on PostgreSQL: appends are serialised so that every
# record names its true predecessor. A constant key, chosen once, never reused elsewhere.
AUDIT_CHAIN_LOCK = 7_513_2024


def write_transaction() -> Any:
    """A transaction for read-then-write work, joining one already open.

    On SQLite it starts IMMEDIATE: a deferred transaction that reads first and writes
    later fails with "database is locked" when another writer got there in between.
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def append_audit(entry: AuditEntry) -> int:
    """Append one record to the hash chain; return its sequence number.

    Runs in its own transaction (immediate on SQLite, advisory-locked on PostgreSQL) so
    concurrent writers keep one consistent chain. Raises whatever the database raises:
    the caller must not go ahead with the action it records if this fails.
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, PostgresEngine):
        return await _append_audit_postgres(engine, entry)
    async with write_transaction():
        last = (
            await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .order_by(AuditEvent.seq, ascending=False)
            .first()
        )
        seq = 1 if last is None else int(last["seq"]) + 1
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        await AuditEvent.insert(
            AuditEvent(
                seq=seq,
                prev_hash=prev_hash,
                hash=chain_hash(seq, entry, prev_hash),
                **_audit_columns(entry),
            )
        )
    return seq


_AUDIT_INSERT_COLUMNS = ("seq", "prev_hash", "hash", *FIELD_NAMES)
_AUDIT_INSERT = (
    f"INSERT INTO audit_event ({', '.join(_AUDIT_INSERT_COLUMNS)}) "  # noqa: S608 - column names are our own constants
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_AUDIT_INSERT_COLUMNS) + 1))})"
)


async def _append_audit_postgres(engine: PostgresEngine, entry: AuditEntry) -> int:
    """The PostgreSQL append on the transaction's own connection, as prepared statements.

    The chain lock is held from the head read to the commit, so the time spent inside it
    bounds how many records per second the whole deployment can append; Piccolo's query
    building there cost more than the database did. Lock and head read stay separate
    statements: read in the same statement, the head could predate the lock.
    """
    async with engine.transaction():
        transaction = engine.current_transaction.get()
        if transaction is None:  # pragma: no cover - entered on the line above
            raise RuntimeError("no transaction to append the audit record in")
        connection = transaction.connection
        await connection.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_CHAIN_LOCK)
        last = await connection.fetchrow(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
        )
        seq = 1 if last is None else int(last["seq"]) + 1
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        columns = _audit_columns(entry)
        await connection.execute(
            _AUDIT_INSERT,
            seq,
            prev_hash,
            chain_hash(seq, entry, prev_hash),
            *(columns[name] for name in FIELD_NAMES),
        )
    return seq


# --- access: grants, admissions, approvals, consent, further use -------------------------


def _grant(row: dict[str, Any]) -> grants.Grant:
    return grants.Grant(
        id=grants.GrantId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        user_id=partijen.UserId(UUID(str(row["user"]))),
        granted_at=row["granted_at"],
        until=row["until"],
        revoked_at=row["revoked_at"],
    )


async def grants_of_case(case_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await Grant.select().where(Grant.casus == case_id).order_by(Grant.granted_at)
    return tuple(_grant(row) for row in rows)


async def grant_by_id(grant_id: UUID) -> grants.Grant | None:
    row = await Grant.select().where(Grant.id == grant_id).first()
    return _grant(row) if row else None


async def grants_of_user(user_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await Grant.select().where(Grant.user == user_id)
    return tuple(_grant(row) for row in rows)


async def insert_grant(
    *, case_id: UUID, user_id: UUID, granted_by: UUID, until: datetime | None, now: datetime
) -> grants.Grant:
    rows = await Grant.insert(
        Grant(casus=case_id, user=user_id, granted_by=granted_by, granted_at=now, until=until)
    ).returning(*Grant.all_columns())
    return _grant(rows[0])


async def revoke_grant(
    *, grant_id: UUID, revoked_by: UUID | None, reason: str, now: datetime
) -> None:
    await Grant.update(
        {Grant.revoked_at: now, Grant.revoked_by: revoked_by, Grant.revoke_reason: reason}
    ).where((Grant.id == grant_id) & (Grant.revoked_at.is_null()))


async def admissions_of_case(case_id: UUID) -> tuple[grants.ArchiveAdmission, ...]:
    rows = await ArchiveAdmission.select().where(ArchiveAdmission.casus == case_id)
    return tuple(
        grants.ArchiveAdmission(
            case_id=cases.CaseId(UUID(str(row["casus"]))),
            user_id=partijen.UserId(UUID(str(row["user"]))),
            admitted_at=row["admitted_at"],
            reason=row["reason"],
        )
        for row in rows
    )


async def insert_admission(
    *, case_id: UUID, user_id: UUID, admitted_by: UUID, reason: str, now: datetime
) -> None:
    await ArchiveAdmission.insert(
        ArchiveAdmission(
            casus=case_id, user=user_id, admitted_by=admitted_by, reason=reason, admitted_at=now
        )
    )


async def set_phase(*, case_id: UUID, phase: cases.Phase, afschaling_at: datetime | None) -> None:
    values: dict[Any, Any] = {Casus.phase: phase.value}
    if afschaling_at is not None:
        values[Casus.afschaling_at] = afschaling_at
    await Casus.update(values).where(Casus.id == case_id)


async def insert_approval(
    *,
    document_id: UUID,
    phase: cases.Phase,
    purposes: frozenset[cases.Purpose],
    approved_by: UUID,
    now: datetime,
) -> None:
    await Approval.insert(
        Approval(
            document=document_id,
            phase=phase.value,
            purposes=sorted(p.value for p in purposes),
            approved_by=approved_by,
            approved_at=now,
        )
    )


def _audit_columns(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in FIELD_NAMES}
    return {
        name: (value.value if isinstance(value, enum.Enum) else value)
        for name, value in values.items()
    }


# --- audit log: reading, checkpoints, the portal's signing key ------------------------------


async def lock_audit_chain() -> None:
    """Inside ``write_transaction()``: hold the chain's lock until the transaction ends.

    On SQLite the immediate transaction already excludes every other writer.
    """
    if not isinstance(AuditEvent._meta.db, SQLiteEngine):
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", AUDIT_CHAIN_LOCK)


async def audit_head() -> tuple[int, str] | None:
    """Sequence number and hash of the newest record, or None for an empty log."""
    last = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return None if last is None else (int(last["seq"]), str(last["hash"]))


async def audit_rows_after(after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` records after ``after_seq``, in order: one batch of a full scan."""
    engine = AuditEvent._meta.db
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        # A million-record verify spends its time here and in hashing: plain asyncpg
        # rows cost a fraction of Piccolo's per-row conversion.
        async with engine.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT * FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2",
                after_seq,
                limit,
            )
        return [dict(row) for row in rows]
    return list(
        await AuditEvent.select()
        .where(AuditEvent.seq > after_seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    )


async def audit_page(query: AuditQuery, *, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Records matching ``query``, in sequence order, after ``after_seq`` (keyset paging)."""
    select = AuditEvent.select().where(AuditEvent.seq > after_seq)
    if query.case_id is not None:
        select = select.where(AuditEvent.case_id == query.case_id)
    if query.partij_id is not None:
        select = select.where(
            (AuditEvent.actor_partij_id == query.partij_id)
            | (AuditEvent.provider_partij_id == query.partij_id)
        )
    if query.provider_partij_id is not None:
        select = select.where(AuditEvent.provider_partij_id == query.provider_partij_id)
    if query.user is not None:
        select = select.where(
            (AuditEvent.actor_user_id == query.user) | (AuditEvent.actor_username == query.user)
        )
    if query.actions:
        select = select.where(AuditEvent.action.is_in(list(query.actions)))
    if query.data_subject_ref is not None:
        select = select.where(AuditEvent.data_subject_ref == query.data_subject_ref)
    if query.since is not None:
        select = select.where(AuditEvent.started_at >= query.since)
    if query.until is not None:
        select = select.where(AuditEvent.started_at < query.until)
    return list(await select.order_by(AuditEvent.seq).limit(limit))


async def audit_checkpoint_rows() -> list[dict[str, Any]]:
    return list(await AuditCheckpoint.select().order_by(AuditCheckpoint.number))


async def last_audit_checkpoint() -> dict[str, Any] | None:
    row = await AuditCheckpoint.select().order_by(AuditCheckpoint.number, ascending=False).first()
    return None if row is None else dict(row)


async def audit_checkpoint(number: int) -> dict[str, Any] | None:
    row = await AuditCheckpoint.select().where(AuditCheckpoint.number == number).first()
    return None if row is None else dict(row)


async def insert_audit_checkpoint(
    *,
    number: int,
    seq: int,
    head_hash: str,
    statement: str,
    signature: str,
    key_fingerprint: str,
    signed_at: datetime,
) -> None:
    await AuditCheckpoint.insert(
        AuditCheckpoint(
            number=number,
            seq=seq,
            head_hash=head_hash,
            statement=statement,
            signature=signature,
            key_fingerprint=key_fingerprint,
            signed_at=signed_at,
        )
    )


def _consent(row: dict[str, Any]) -> ConsentRecord:
    return ConsentRecord(
        id=documents.ConsentId(UUID(str(row["id"]))),
        partij_id=partijen.PartijId(UUID(str(row["partij"]))),
        subject_pseudonym=row["subject_pseudonym"],
        scope=row["scope"],
        obtained_by=row["obtained_by"],
        obtained_at=row["obtained_at"],
        withdrawn_at=row["withdrawn_at"],
    )


async def consent_by_id(consent_id: UUID) -> ConsentRecord | None:
    row = await Consent.select().where(Consent.id == consent_id).first()
    return _consent(row) if row else None


async def insert_consent(
    *,
    partij_id: UUID,
    subject_pseudonym: str,
    scope: str,
    obtained_by: str,
    obtained_at: datetime,
    recorded_by: UUID,
    now: datetime,
) -> ConsentRecord:
    rows = await Consent.insert(
        Consent(
            partij=partij_id,
            subject_pseudonym=subject_pseudonym,
            scope=scope,
            obtained_by=obtained_by,
            obtained_at=obtained_at,
            recorded_by=recorded_by,
            recorded_at=now,
        )
    ).returning(*Consent.all_columns())
    return _consent(rows[0])


async def withdraw_consent(*, consent_id: UUID, reason: str, now: datetime) -> None:
    await Consent.update({Consent.withdrawn_at: now, Consent.withdrawn_reason: reason}).where(
        (Consent.id == consent_id) & (Consent.withdrawn_at.is_null())
    )


async def insert_further_use_request(
    *, document_id: UUID, actor: partijen.Actor, description: str, now: datetime
) -> UUID:
    rows = await FurtherUseRequest.insert(
        FurtherUseRequest(
            document=document_id,
            requested_by=actor.user_id,
            requesting_partij=actor.partij_id,
            purpose_description=description,
            requested_at=now,
        )
    ).returning(FurtherUseRequest.id)
    return UUID(str(rows[0]["id"]))


async def further_use_request(request_id: UUID) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await FurtherUseRequest.select().where(FurtherUseRequest.id == request_id).first()
    )
    return row


async def decide_further_use(
    *, request_id: UUID, approved: bool, decided_by: UUID, reason: str, now: datetime
) -> None:
    await FurtherUseRequest.update(
        {
            FurtherUseRequest.approved: approved,
            FurtherUseRequest.decided_by: decided_by,
            FurtherUseRequest.decided_at: now,
            FurtherUseRequest.decision_reason: reason,
        }
    ).where(FurtherUseRequest.id == request_id)


async def withdraw_partij(*, partij_id: UUID, now: datetime) -> None:
    await Partij.update(
        {Partij.status: partijen.PartijStatus.WITHDRAWN.value, Partij.withdrawn_at: now}
    ).where(Partij.id == partij_id)


async def users_of_partij(partij_id: UUID) -> list[partijen.Actor]:
    return await _actors(User.partij == partij_id)


async def all_actors() -> list[partijen.Actor]:
    return await _actors(User.id.is_not_null())


async def actor_by_username(username: str) -> partijen.Actor | None:
    found = await _actors(User.username == username)
    return found[0] if found else None


async def signing_key(purpose: str) -> SigningKeyMaterial | None:
    row = await SigningKey.select().where(SigningKey.purpose == purpose).first()
    if row is None:
        return None
    return SigningKeyMaterial(
        fingerprint=row["fingerprint"],
        public_key=row["public_key"],
        protected_secret_key=row["protected_secret_key"],
    )


async def insert_signing_key(*, purpose: str, material: SigningKeyMaterial, now: datetime) -> None:
    await SigningKey.insert(
        SigningKey(
            purpose=purpose,
            fingerprint=material.fingerprint,
            public_key=material.public_key,
            protected_secret_key=material.protected_secret_key,
            created_at=now,
        )
    )
