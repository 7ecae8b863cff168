"""Destroying a case (art. 11.2c) on SQLite and PostgreSQL, with real gpg and stored objects.

Every personal row of the case goes, its key row goes (crypto-shredding), every object of
it goes; the case row stays as a tombstone. A destruction interrupted at any step is
finished by the next sweep, and two sweeps at once destroy and record a case only once.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from piccolo.table import Table

from crypto import CaseKeys, GnuPGHome, MasterKey, SigningKeys
from portal.db import cases as cases_db
from portal.db import retention as retention_db
from portal.db.tables import (
    Approval,
    ArchiveAdmission,
    AuditCaseKey,
    AuditEvent,
    CaseAssignment,
    CaseFiguresRow,
    CaseKey,
    Casus,
    Consent,
    DestructionReport,
    Document,
    FurtherUseRequest,
    Grant,
    Handover,
    Partij,
    User,
)
from portal.domain.actions import Action
from portal.domain.audit import AuditQuery
from portal.domain.audit_chain import StoredRecord, canonical_fields
from portal.domain.cases import CaseId
from portal.domain.retention import add_months, tombstone_reference
from portal.services.audit import AuditLog, RequestContext
from portal.services.audit_chain import AuditSigner, sign_checkpoint, verify_log
from portal.services.audit_reports import overview_of_subject, read_audit_log
from portal.services.audit_sealing import DESTROYED
from portal.services.case_keys import create_case_key, destroy_case_key
from portal.services.retention import SweepResult, sweep
from storage import LocalObjectStore, ObjectStore
from tests.servers.s3 import S3Endpoint
from tests.unit.cast import MARIA

DECIDED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DUE = add_months(DECIDED, 12)
# Text a person could be recognised by: none of it may survive on disk (secure_delete).
REFERENCE = "ZVH-MARKER-4b1d9e"
FILE_NAME = "huisbezoek-MARKER-4b1d9e.pdf"
PSEUDONYM = "subject-MARKER-4b1d9e"


@pytest.fixture
def keys() -> Iterator[CaseKeys]:
    home = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))  # short: GnuPG sockets
    yield CaseKeys(GnuPGHome(home))
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, check=False
    )
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def store(tmp_path: Path) -> ObjectStore:
    root = tmp_path / "objects"
    root.mkdir(mode=0o700)
    return LocalObjectStore(root)


AUDIT = AuditLog(pseudonym_key=b"k" * 32, sealing_key=b"s" * 32)
MASTER_KEY = MasterKey.generate()


def signer_of(keys: CaseKeys) -> AuditSigner:
    """The portal's signing key over the same GnuPG home as the case keys, as deployed."""
    return AuditSigner(keys=SigningKeys(keys.home), master_key=MASTER_KEY)


async def _insert(table: type[Table], **values: Any) -> UUID:
    rows = await table.insert(table(**values)).returning(table._meta.primary_key)
    return UUID(str(rows[0]["id"]))


async def _a_decided_case(keys: CaseKeys, store: ObjectStore, *, reference: str) -> UUID:
    """A case in afschaling with a document, its object, and every kind of row around it."""
    partij = await Partij.select(Partij.id).where(Partij.name == "Gemeente Venlo").first()
    partij_id = (
        UUID(str(partij["id"]))
        if partij
        else await _insert(Partij, name="Gemeente Venlo", kind="college", created_at=DECIDED)
    )
    alice = await _insert(User, username=f"alice-{uuid4().hex[:6]}", partij=partij_id,
                          created_at=DECIDED)  # fmt: skip
    case_id = await _insert(
        Casus,
        reference=reference,
        reported_by=partij_id,
        registered_by=alice,
        aanmelder=alice,
        phase="afschaling",
        created_at=DECIDED,
        decided_at=DECIDED,
        closing_explanation=f"toelichting bij {reference}",
    )
    material = await create_case_key(
        case_id=case_id, keys=keys, master_key=MasterKey.generate(), clock=lambda: DECIDED
    )
    consent = await _insert(
        Consent, partij=partij_id, subject_pseudonym=PSEUDONYM, scope="verslag",
        obtained_by="Anna", obtained_at=DECIDED, recorded_by=alice, recorded_at=DECIDED,
    )  # fmt: skip
    document_id = uuid4()
    object_key = f"cases/{case_id}/{document_id}.pgp"
    ciphertext = io.BytesIO()
    keys.encrypt_for_case([material], io.BytesIO(b"verslag huisbezoek"), ciphertext.write)
    ciphertext.seek(0)
    store.put(object_key, ciphertext)
    await Document.insert(
        Document(
            id=document_id, casus=case_id, phase="rto", provider=partij_id, uploaded_by=alice,
            file_name=FILE_NAME, media_type="application/pdf", size=18, sha256="0" * 64,
            object_key=object_key, legal_basis="toestemming", consent=consent,
            description="verslag van het huisbezoek", created_at=DECIDED,
        )
    )  # fmt: skip
    # A stray object no row names, as a crashed upload may leave: the case's all the same.
    store.put(f"cases/{case_id}/stray.pgp", io.BytesIO(b"stray"))
    await _insert(Approval, document=document_id, phase="afschaling", approved_by=alice,
                  approved_at=DECIDED)  # fmt: skip
    await _insert(FurtherUseRequest, document=document_id, requested_by=alice,
                  requesting_partij=partij_id, purpose_description="eigen taak",
                  requested_at=DECIDED)  # fmt: skip
    await _insert(Grant, casus=case_id, user=alice, granted_by=alice, granted_at=DECIDED)
    await _insert(ArchiveAdmission, casus=case_id, user=alice, admitted_by=alice,
                  reason="dossiervraag", admitted_at=DECIDED)  # fmt: skip
    await _insert(CaseAssignment, casus=case_id, user=alice, assigned_by=alice,
                  assigned_at=DECIDED, reason="vervanging")  # fmt: skip
    await _insert(Handover, casus=case_id, casusregisseur=alice, named_by=alice,
                  named_at=DECIDED, window_ends_at=DECIDED)  # fmt: skip
    return case_id


async def _sweep(
    keys: CaseKeys, store: ObjectStore, *, now: datetime = DUE, dry_run: bool = False
) -> SweepResult:
    return await sweep(
        now=now,
        dry_run=dry_run,
        store=store,
        keys=keys,
        signer=signer_of(keys),
        audit=AUDIT,
        operator="beheer",
    )


async def _rows_of(case_id: UUID) -> dict[str, int]:
    documents = Document.select(Document.id).where(Document.casus == case_id)
    return {
        "document": await Document.count().where(Document.casus == case_id),
        "approval": await Approval.count().where(Approval.document.is_in(documents)),
        "further_use": await FurtherUseRequest.count(),
        "grant": await Grant.count().where(Grant.casus == case_id),
        "admission": await ArchiveAdmission.count().where(ArchiveAdmission.casus == case_id),
        "assignment": await CaseAssignment.count().where(CaseAssignment.casus == case_id),
        "handover": await Handover.count().where(Handover.casus == case_id),
        "case_key": await CaseKey.count().where(CaseKey.casus == case_id),
        "consent": await Consent.count(),
    }


async def _destroy_records(case_id: UUID) -> list[dict[str, Any]]:
    return list(
        await AuditEvent.select().where(
            (AuditEvent.action == "case:destroy") & (AuditEvent.case_id == str(case_id))
        )
    )


def _files_holding(directory: Path, marker: bytes) -> list[str]:
    return [path.name for path in directory.glob("portal.sqlite3*") if marker in path.read_bytes()]


async def test_art11_2c_a_case_12_months_past_its_decision_is_destroyed(
    database: str, keys: CaseKeys, store: ObjectStore, tmp_path: Path
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)

    early = await _sweep(keys, store, now=DUE - timedelta(seconds=1))
    assert early.plan == []
    dry = await _sweep(keys, store, dry_run=True)
    assert [step.case_id for step in dry.plan] == [case_id]
    assert dry.done == []
    assert (await _rows_of(case_id))["document"] == 1, "a dry run changes nothing"
    assert len(list(store.list(f"cases/{case_id}/"))) == 2

    if database == "sqlite":
        # The check after the sweep means something only if the text was on disk before.
        assert await asyncio.to_thread(_files_holding, tmp_path, b"MARKER-4b1d9e") != []

    result = await _sweep(keys, store)

    [done] = result.done
    assert (done.objects, done.versions, done.key_destroyed) == (2, 2, True)
    assert list(store.list(f"cases/{case_id}/")) == []
    assert set((await _rows_of(case_id)).values()) == {0}
    tombstone = await Casus.select().where(Casus.id == case_id).first()
    assert tombstone is not None
    assert tombstone["reference"] == tombstone_reference(CaseId(case_id))
    assert tombstone["destroyed_at"] == DUE
    assert (tombstone["aanmelder"], tombstone["closing_explanation"]) == (None, None)
    [record] = await _destroy_records(case_id)
    assert record["actor_username"] == "operator:beheer"
    assert "versions 2" in record["reason"]
    assert REFERENCE not in record["reason"]
    assert (await _sweep(keys, store, now=DUE + timedelta(days=30))).plan == []
    if database == "sqlite":
        # Deleted rows are zeroed, not left in free pages (secure_delete; Debian's build has
        # it on by default, the destruction sets it everywhere), nor in the WAL.
        assert await asyncio.to_thread(_files_holding, tmp_path, b"MARKER-4b1d9e") == []


async def test_a_consent_another_case_still_names_is_kept(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    other = await _a_decided_case(keys, store, reference="ZVH-ANDER")
    consent = await Document.select(Document.consent).where(Document.casus == case_id).first()
    assert consent is not None
    await Document.update({Document.consent: consent["consent"]}).where(Document.casus == other)
    await Casus.update({Casus.decided_at: DUE}).where(Casus.id == other)

    await _sweep(keys, store)

    assert await Consent.count().where(Consent.id == consent["consent"]) == 1
    assert await Document.count().where(Document.casus == other) == 1


@pytest.mark.parametrize("killed_after", ["mark", "key", "objects"])
async def test_a_destruction_killed_at_any_step_is_finished_by_the_next_sweep(
    database: str, keys: CaseKeys, store: ObjectStore, killed_after: str
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    # The steps of ``destroy_case`` up to the kill, as a killed sweep leaves them.
    await retention_db.mark_destroying(case_id, now=DUE)
    if killed_after in {"key", "objects"}:
        await destroy_case_key(case_id=case_id, keys=keys)
    if killed_after == "objects":
        for info in list(store.list(f"cases/{case_id}/")):
            store.delete(info.key)

    # The next run, whatever its clock, finishes what was begun.
    result = await _sweep(keys, store, now=DECIDED + timedelta(days=1))

    assert [d.case_id for d in result.done] == [case_id]
    assert list(store.list(f"cases/{case_id}/")) == []
    assert set((await _rows_of(case_id)).values()) == {0}
    assert len(await _destroy_records(case_id)) == 1
    # Art. 11.3: the figures and the report are written once, however many runs it took.
    assert (await CaseFiguresRow.count(), await DestructionReport.count()) == (1, 1)


async def test_two_sweeps_at_once_destroy_and_record_a_case_once(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)

    results = await asyncio.gather(_sweep(keys, store), _sweep(keys, store))

    assert sum(len(result.done) for result in results) == 1
    assert len(await _destroy_records(case_id)) == 1
    assert (await CaseFiguresRow.count(), await DestructionReport.count()) == (1, 1)
    assert set((await _rows_of(case_id)).values()) == {0}


async def test_the_sweep_aborts_incomplete_multipart_uploads_older_than_the_age(
    database: str, keys: CaseKeys, minio_endpoint: S3Endpoint
) -> None:
    """What MinIO or the portal dying mid-upload leaves goes with the next sweep; an upload
    begun less than the age ago may still be running and stays (tests/fault/README.md)."""
    bucket = f"sweep-{uuid4().hex[:20]}"
    store = minio_endpoint.store(bucket)
    store.ensure_bucket(versioning=True)
    client: Any = minio_endpoint.client()  # minio's private multipart API, as the adapter
    old = client._create_multipart_upload(bucket, "cases/1/crashed.gpg", {})
    await asyncio.sleep(2)
    fresh = client._create_multipart_upload(bucket, "cases/2/running.gpg", {})
    initiated = {u.upload_id: u.initiated_time for u in _uploads(client, bucket)}
    age = timedelta(hours=6)
    # The cut-off falls between the two: the old one is past the age, the fresh one not.
    now = initiated[old] + (initiated[fresh] - initiated[old]) / 2 + age

    async def swept(*, dry_run: bool) -> int:
        result = await sweep(
            now=now,
            dry_run=dry_run,
            store=store,
            keys=keys,
            signer=signer_of(keys),
            audit=AUDIT,
            operator="beheer",
            stale_upload_age=age,
        )
        return result.stale_uploads

    assert await swept(dry_run=True) == 1
    assert {u.upload_id for u in _uploads(client, bucket)} == {old, fresh}

    assert await swept(dry_run=False) == 1
    assert {u.upload_id for u in _uploads(client, bucket)} == {fresh}
    client._abort_multipart_upload(bucket, "cases/2/running.gpg", fresh)
    client.remove_bucket(bucket_name=bucket)


def _uploads(client: Any, bucket: str) -> list[Any]:
    uploads: list[Any] = client._list_multipart_uploads(bucket_name=bucket).uploads
    return uploads


# --- the audit log's personal fields (issue #10.3) ----------------------------------------------

JUSTIFICATION = "nodig voor het plan van aanpak: JUSTIFICATION-MARKER-7c2f"
READER = RequestContext(actor=MARIA)


@pytest.fixture
def signer() -> Iterator[AuditSigner]:
    home = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))  # short: GnuPG sockets
    # The sweep's signer (signer_of) opens the same stored signing key: one master key.
    yield AuditSigner(keys=SigningKeys(GnuPGHome(home)), master_key=MASTER_KEY)
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, check=False
    )
    shutil.rmtree(home, ignore_errors=True)


async def _verified(signer: AuditSigner) -> bool:
    await sign_checkpoint(signer, clock=lambda: DUE)
    return (await verify_log(signer)).intact


async def _read(query: AuditQuery) -> list[Mapping[str, object]]:
    page = await read_audit_log(READER, query, after=0, limit=1000, audit=AUDIT, clock=lambda: DUE)
    return list(page.records)


async def test_art11_2c_a_records_personal_fields_are_sealed_and_go_with_the_case(
    database: str, keys: CaseKeys, store: ObjectStore, signer: AuditSigner, tmp_path: Path
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    case = await cases_db.case_by_id(case_id)
    assert case is not None
    await AUDIT.about(READER, at=DECIDED, case=case).permit(
        Action.DOCUMENT_DOWNLOAD, f"for {REFERENCE}", justification=JUSTIFICATION
    )
    pseudonym = AUDIT.pseudonym_of_case(str(case_id))

    # Stored sealed: the row holds neither the justification, the reason nor the pseudonym.
    [row] = await AuditEvent.select().where(
        (AuditEvent.case_id == str(case_id)) & (AuditEvent.action == "document:download")
    )
    for name in ("reason", "justification", "data_subject_ref"):
        assert str(row[name]).startswith(f"sealed:v1:{case_id}:"), name
    assert "MARKER" not in repr(row)
    assert pseudonym not in repr(row)
    if database == "sqlite":
        assert await asyncio.to_thread(_files_holding, tmp_path, b"JUSTIFICATION-MARKER") == []
    copy = StoredRecord(
        seq=row["seq"], prev_hash=row["prev_hash"], hash=row["hash"], fields=canonical_fields(row)
    )

    # A reader with the right sees them opened, and finds the record by the subject.
    [read] = await _read(AuditQuery(case_id=str(case_id), actions=frozenset({"document:download"})))
    assert (read["justification"], read["reason"]) == (JUSTIFICATION, f"for {REFERENCE}")
    assert read["data_subject_ref"] == pseudonym
    by_subject = await _read(AuditQuery(data_subject_ref=pseudonym))
    assert row["seq"] in {record["seq"] for record in by_subject}
    overview = await overview_of_subject(
        READER, data_subject_ref=None, case_id=str(case_id), audit=AUDIT, clock=lambda: DUE
    )
    assert overview.records >= 1
    assert await _verified(signer)

    await _sweep(keys, store)

    # The chain verifies; what remains says who did what, when, about a destroyed case.
    assert await _verified(signer)
    [read] = await _read(AuditQuery(case_id=str(case_id), actions=frozenset({"document:download"})))
    assert read["justification"] == read["reason"] == read["data_subject_ref"] == DESTROYED
    assert (read["actor_username"], read["action"], read["case_id"]) == (
        MARIA.username,
        "document:download",
        str(case_id),
    )
    [done] = await _read(AuditQuery(case_id=str(case_id), actions=frozenset({"case:destroy"})))
    assert "versions 2" in str(done["reason"])
    assert done["data_subject_ref"] == DESTROYED
    # A copy of the sealed fields taken before no longer opens: the key row is a tombstone.
    assert (await AUDIT.opened([copy]))[0].fields["justification"] == DESTROYED
    [key_row] = await AuditCaseKey.select().where(AuditCaseKey.case_id == str(case_id))
    assert key_row["wrapped_key"] is None
    # Nor does anything link the records to the pseudonym any more.
    assert (
        await AUDIT.subject_query(AuditQuery(data_subject_ref=pseudonym))
    ).data_subject_indexes == frozenset()
    assert await _read(AuditQuery(data_subject_ref=pseudonym)) == []
    after = await overview_of_subject(
        READER, data_subject_ref=pseudonym, case_id=None, audit=AUDIT, clock=lambda: DUE
    )
    assert after.records == 0
    assert await AuditEvent.count().where(AuditEvent.data_subject_ref == pseudonym) == 0


async def test_a_record_without_a_case_keeps_its_fields_in_clear(database: str) -> None:
    await AUDIT.failed_login(
        reason="unknown token", client_address="192.0.2.7", user_agent="curl/8",
        trace_id=None, span_id=None, at=DECIDED,
    )  # fmt: skip
    [row] = await AuditEvent.select().where(AuditEvent.action == "auth:login:failed")
    assert row["reason"] == "unknown token"
    assert await AuditCaseKey.count() == 0


async def test_another_process_seals_nothing_under_a_key_destroyed_since_it_last_used_it(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    case = await cases_db.case_by_id(case_id)
    assert case is not None
    # Another app process: same keys, its own cache, which holds the case's key now.
    other = AuditLog(pseudonym_key=b"k" * 32, sealing_key=b"s" * 32)
    await other.about(READER, at=DECIDED, case=case).succeed(Action.CASE_ASSIGN, "before")

    await _sweep(keys, store)
    await other.about(READER, at=DUE, case=case).deny(
        Action.CASE_READ_DENIED, "the case was destroyed", code=None
    )

    [row] = await AuditEvent.select().where(
        (AuditEvent.case_id == str(case_id)) & (AuditEvent.action == "case:read:denied")
    )
    assert row["reason"] == "the case was destroyed", "written in clear, no key to seal with"
    assert row["data_subject_ref"] == DESTROYED
    assert row["data_subject_index"] is None
