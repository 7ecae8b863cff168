"""Piccolo tables: the portal's data at rest, the same on SQLite and PostgreSQL.

Ids are random UUIDs so that a guessed or incremented id reveals nothing about other
cases. The audit table deliberately has no foreign keys: its records must outlive the
cases, documents and users they describe (destruction after 12 months, art. 11.2c).
Timestamps are always timezone-aware UTC.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.domain.cases import ClosingReason, Phase
from portal.domain.documents import LegalBasis
from portal.domain.partijen import PartijKind, PartijStatus
from portal.domain.resumable import UploadStatus
from portal.domain.sign_in import SessionStage


class Partij(Table, tablename="partij"):
    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=40, choices=PartijKind)
    status = Varchar(length=20, choices=PartijStatus, default=PartijStatus.ACTIVE)
    withdrawn_at = Timestamptz(null=True, default=None)
    # A partij may register its own OpenPGP key: its documents are then also encrypted to
    # it, so it stays able to read what it provided (it remains controller, art. 2.1).
    openpgp_public_key = Text(null=True, default=None)
    created_at = Timestamptz()


class User(Table, tablename="portal_user"):
    id = UUID(primary_key=True)
    username = Varchar(length=100, unique=True)
    partij = ForeignKey(references=Partij, on_delete=OnDelete.restrict)
    # Art. 13.3 and 13.1: no access without a positive VOG and a signed confidentiality
    # statement on record; the time they were recorded is kept with them.
    vog_recorded_at = Timestamptz(null=True, default=None)
    geheimhouding_recorded_at = Timestamptz(null=True, default=None)
    # Role codes (portal.domain.partijen.Role); a user may hold several.
    roles = JSON(default=[])
    openpgp_public_key = Text(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    # Only the SHA-256 of the token is stored: a database dump yields no usable token.
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=100, default="")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Casus(Table, tablename="casus"):
    id = UUID(primary_key=True)
    reference = Varchar(length=100, unique=True)
    reported_by = ForeignKey(references=Partij, on_delete=OnDelete.restrict)
    # A case's parties are people (art. 9.6): who registered it and who reported it. Null
    # only on cases registered before people were recorded: those have no such party.
    registered_by = ForeignKey(
        references=User, null=True, default=None, on_delete=OnDelete.restrict
    )
    aanmelder = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    phase = Varchar(length=20, choices=Phase, default=Phase.AANMELDING)
    created_at = Timestamptz()
    phase_changed_at = Timestamptz(null=True, default=None)
    # The afschaling or closing decision starts the retention timeline (art. 11.2, 1.21).
    decided_at = Timestamptz(null=True, default=None)
    closed_reason = Varchar(length=20, choices=ClosingReason, null=True, default=None)
    closing_explanation = Text(null=True, default=None)
    destroyed_at = Timestamptz(null=True, default=None)


class CaseAssignment(Table, tablename="case_assignment"):
    """A procesregisseur assigned to a case after its registration, with the reason (1.22)."""

    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    assigned_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    assigned_at = Timestamptz()
    reason = Text()


class Handover(Table, tablename="case_handover"):
    """Bijlage 2 "overdracht": who receives which documents at afschaling, until when."""

    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade, unique=True)
    casusregisseur = ForeignKey(references=User, on_delete=OnDelete.restrict)
    documents = JSON(default=[])
    named_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    named_at = Timestamptz()
    window_ends_at = Timestamptz()


class CaseKey(Table, tablename="case_key"):
    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade, unique=True)
    fingerprint = Varchar(length=64, unique=True)
    public_key = Text()
    # Armored secret key, protected by a passphrase derived from the master key: a
    # database dump without the master key opens no document. Deleting this row is the
    # crypto-shredding of the case.
    protected_secret_key = Text()
    created_at = Timestamptz()


class Consent(Table, tablename="consent"):
    id = UUID(primary_key=True)
    partij = ForeignKey(references=Partij, on_delete=OnDelete.restrict)
    subject_pseudonym = Varchar(length=128)
    scope = Text()
    obtained_by = Varchar(length=200)
    obtained_at = Timestamptz()
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    # Art. 7.2d, 13.7: once withdrawn, no further provision and recipients' use lapses.
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_reason = Text(null=True, default=None)


class Document(Table, tablename="document"):
    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    phase = Varchar(length=20, choices=Phase)
    provider = ForeignKey(references=Partij, on_delete=OnDelete.restrict)
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    file_name = Varchar(length=255)
    media_type = Varchar(length=100)
    size = BigInt()
    sha256 = Varchar(length=64)
    object_key = Varchar(length=200, unique=True)
    # The provider's restrictions: which purposes of its phase it allows, what the
    # document holds, and on which basis it is provided (art. 3.5, 7.2, Bijlage 4).
    purposes = JSON(default=[])
    data_categories = JSON(default=[])
    legal_basis = Varchar(length=20, choices=LegalBasis)
    consent = ForeignKey(references=Consent, null=True, default=None, on_delete=OnDelete.restrict)
    description = Text(default="")
    created_at = Timestamptz()


class Grant(Table, tablename="access_grant"):
    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    granted_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    granted_at = Timestamptz()
    until = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    revoke_reason = Text(null=True, default=None)
    # The documents the grant is limited to (art. 9.6); null for the whole case.
    documents = JSON(null=True, default=None)
    # Set once the grant can never be active again (revoked, expired and superseded, or
    # ended at afschaling). A partial unique index on (casus, user) where this is null
    # keeps one open grant per user per case, whatever concurrent requests do.
    closed_at = Timestamptz(null=True, default=None)


class Approval(Table, tablename="document_approval"):
    """A provider's re-approval of its document for a later phase (art. 3.5b, c)."""

    id = UUID(primary_key=True)
    document = ForeignKey(references=Document, on_delete=OnDelete.cascade)
    phase = Varchar(length=20, choices=Phase)
    purposes = JSON(default=[])
    approved_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    approved_at = Timestamptz()


class ArchiveAdmission(Table, tablename="archive_admission"):
    """The manager's admission of a user to an archived case, with its reason (11.2b)."""

    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    admitted_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    reason = Text()
    admitted_at = Timestamptz()
    until = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    revoke_reason = Text(null=True, default=None)


class FurtherUseRequest(Table, tablename="further_use_request"):
    """A participant's request to use another partij's document for its own tasks (3.5d)."""

    id = UUID(primary_key=True)
    document = ForeignKey(references=Document, on_delete=OnDelete.cascade)
    requested_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    requesting_partij = ForeignKey(references=Partij, on_delete=OnDelete.restrict)
    purpose_description = Text()
    requested_at = Timestamptz()
    approved = Boolean(null=True, default=None)
    decided_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """A record of the append-only, hash-chained audit log (NEN 7513, Logboek Dataverwerkingen)."""

    seq = BigSerial(primary_key=True)
    started_at = Timestamptz()
    ended_at = Timestamptz()
    action = Varchar(length=80)
    outcome = Varchar(length=20)
    reason = Text(default="")
    actor_user_id = Varchar(length=36, null=True, default=None)
    actor_username = Varchar(length=100, null=True, default=None)
    actor_partij_id = Varchar(length=36, null=True, default=None)
    # Every role the actor holds, comma-separated: a user may hold several.
    actor_role = Varchar(length=200, null=True, default=None)
    on_behalf_of = Varchar(length=100, null=True, default=None)
    case_id = Varchar(length=36, null=True, default=None)
    phase = Varchar(length=20, null=True, default=None)
    document_id = Varchar(length=36, null=True, default=None)
    document_sha256 = Varchar(length=64, null=True, default=None)
    # Whose disclosure record this is (art. 8), kept here because the document row is
    # destroyed with its case while this record must stay.
    provider_partij_id = Varchar(length=36, null=True, default=None)
    data_categories = Varchar(length=300, null=True, default=None)
    purpose = Varchar(length=40, null=True, default=None)
    legal_basis = Varchar(length=20, null=True, default=None)
    consent_id = Varchar(length=36, null=True, default=None)
    justification = Text(null=True, default=None)
    emergency = Boolean(default=False)
    client_address = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=300, null=True, default=None)
    trace_id = Varchar(length=32, null=True, default=None)
    span_id = Varchar(length=16, null=True, default=None)
    processing_activity = Varchar(length=80, null=True, default=None)
    # A pseudonym, or its sealed form (``crypto.sealed_fields``) in a record about a case.
    data_subject_ref = Varchar(length=200, null=True, default=None)
    # Not hashed: a lookup aid for the sealed pseudonym (``portal.services.audit_sealing``),
    # computable only while the case's audit key lives. Changing it can hide a record from
    # a search by subject, never change what a record says.
    data_subject_index = Varchar(length=64, null=True, default=None, index=True)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)


class AuditCaseKey(Table, tablename="audit_case_key"):
    """The key that seals a case's personal fields in the audit log (``crypto.sealed_fields``).

    Wrapped under a key derived from the master key. Destroying the case empties
    ``wrapped_key`` and keeps the row as a tombstone, so no later record about the case can
    create a fresh key for it. No foreign key: the audit log must be writable whatever the
    case row's state.
    """

    case_id = Varchar(length=36, primary_key=True)
    wrapped_key = Text(null=True, default=None)
    created_at = Timestamptz()
    destroyed_at = Timestamptz(null=True, default=None)


class SigningKey(Table, tablename="signing_key"):
    """The portal's own OpenPGP keys (one per purpose: ``audit``), held like case keys."""

    id = UUID(primary_key=True)
    purpose = Varchar(length=40, unique=True)
    fingerprint = Varchar(length=64, unique=True)
    public_key = Text()
    # Locked with a passphrase derived from the master key; the GnuPG home only caches it.
    protected_secret_key = Text()
    created_at = Timestamptz()


class AuditCheckpoint(Table, tablename="audit_checkpoint"):
    """A signed statement of the audit chain's head; append-only like the log itself."""

    number = BigSerial(primary_key=True)
    seq = BigInt()
    head_hash = Varchar(length=64)
    statement = Text()
    signature = Text()
    key_fingerprint = Varchar(length=64)
    signed_at = Timestamptz()


class LoginFailureWindow(Table, tablename="login_failure_window"):
    """Refused bearer tokens per client address (``portal.domain.login_throttle``): shared
    here, not in process memory, because every app process must see the same count."""

    client_address = Varchar(length=64, primary_key=True)
    started_at = Timestamptz()
    failures = BigInt()
    unrecorded = BigInt()
    blocked_until = Timestamptz(null=True, default=None)


class ResumableUpload(Table, tablename="resumable_upload"):
    """A tus upload on its way to becoming a document (``portal.domain.resumable``).

    Everything about it is here and in the object store, never in one process: any app
    process may take the next PATCH, and any may finish it.
    """

    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.cascade)
    # What the direct upload takes before the file's first byte (phase, restrictions,
    # description, file name, declared type), checked when the upload was created.
    upload = JSON()
    length = BigInt()
    # The tus Upload-Offset: bytes sealed into the stage and committed with their part.
    received = BigInt(default=0)
    status = Varchar(length=20, choices=UploadStatus, default=UploadStatus.PENDING)
    # The upload's data key, wrapped with a key derived from the master key: without the
    # master key the stage is unreadable, and nulling this shreds it.
    wrapped_key = Text(null=True, default=None)
    # One writer (a PATCH) or one finaliser at a time: a compare-and-set on this token,
    # which lapses at lease_until if its holder died.
    lease_token = Varchar(length=64, null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    attempts = BigInt(default=0)
    trace_id = Varchar(length=32, null=True, default=None)
    document = UUID(null=True, default=None)
    outcome = Text(null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class ResumableUploadPart(Table, tablename="resumable_upload_part"):
    """One sealed record of an upload's stage, stored as its own object."""

    id = UUID(primary_key=True)
    upload = ForeignKey(references=ResumableUpload, on_delete=OnDelete.cascade)
    start = BigInt()
    size = BigInt()
    object_key = Varchar(length=200)


class LegalHold(Table, tablename="legal_hold"):
    """The manager's hold on a case's destruction, placed and lifted with reasons (art. 11.1).

    At most one open hold per case: a partial unique index on ``casus`` where ``lifted_at``
    is null (``legal_hold_one_open``), so of two simultaneous holds one inserts. The rows
    go with the case's destruction: a reason may name the person the case is about.
    """

    id = UUID(primary_key=True)
    casus = ForeignKey(references=Casus, on_delete=OnDelete.cascade)
    placed_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    placed_at = Timestamptz()
    reason = Text()
    lifted_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    lifted_at = Timestamptz(null=True, default=None)
    lift_reason = Text(null=True, default=None)


class UserCredential(Table, tablename="user_credential"):
    """How a person signs in to the web pages: a password hash (argon2id) and a TOTP seed,
    sealed with a key derived from the master key (``crypto.SecretBox``), never in clear."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    password_hash = Text(null=True, default=None)
    password_set_at = Timestamptz(null=True, default=None)
    totp_secret_sealed = Text(null=True, default=None)
    totp_confirmed_at = Timestamptz(null=True, default=None)
    # The last RFC 6238 time step accepted: a code of that step or before is a replay.
    totp_last_step = BigInt(null=True, default=None)


class RecoveryCode(Table, tablename="recovery_code"):
    """One-time codes that stand in for the TOTP code; only their SHA-256 is kept."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SignInFailure(Table, tablename="sign_in_failure"):
    """Failed sign-ins per account name (``portal.domain.sign_in``), names that exist or
    not. Keyed by a keyed hash of the name: a password typed into the name field must not
    end up on disk in clear."""

    name_key = Varchar(length=64, primary_key=True)
    failures = BigInt()
    last_failed_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    """A signed-in browser: in the database, so every app process knows it. Only the
    SHA-256 of the cookie's 256-bit id is kept; the cookie alone opens the session."""

    id_hash = Varchar(length=64, primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    stage = Varchar(length=20, choices=SessionStage)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    csrf_secret = Varchar(length=64)


class EnrolmentLink(Table, tablename="enrolment_link"):
    """A one-time link to choose a password and set up TOTP; only its SHA-256 is kept."""

    token_hash = Varchar(length=64, primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class CaseFiguresRow(Table, tablename="case_figures"):
    """One destroyed case's non-personal figures (art. 11.3, ``portal.domain.figures``).

    Deliberately without the case's id, partijen or any timestamp: the month its
    destruction began is the finest date, so the row joins back to no tombstone or
    audit record. Written in the transaction that erases the case's rows, and only there.
    """

    id = UUID(primary_key=True)
    period = Varchar(length=7)
    rule = Varchar(length=20)
    outcome = Varchar(length=20)
    days_per_phase = JSON(default={})
    days_decided_to_destroyed = BigInt(null=True, default=None)
    partij_kinds = JSON(default=[])
    documents = BigInt()
    downloads = BigInt()
    grants = BigInt()


class DestructionReport(Table, tablename="destruction_report"):
    """The signed report of one case's destruction (art. 9.4, 11.2c): counts and dates,
    clear-signed with the portal's key; its ``case:destroy`` record names its id and hash."""

    id = UUID(primary_key=True)
    # One report per case: a rerun of an interrupted destruction cannot add a second.
    casus = UUID(unique=True)
    signed_text = Text()
    sha256 = Varchar(length=64)
    key_fingerprint = Varchar(length=64)
    created_at = Timestamptz()


ALL_TABLES: tuple[type[Table], ...] = (
    Partij,
    User,
    ApiToken,
    Casus,
    CaseAssignment,
    Handover,
    CaseKey,
    Consent,
    Document,
    Grant,
    Approval,
    ArchiveAdmission,
    FurtherUseRequest,
    AuditEvent,
    AuditCaseKey,
    SigningKey,
    AuditCheckpoint,
    LoginFailureWindow,
    ResumableUpload,
    ResumableUploadPart,
    LegalHold,
    UserCredential,
    RecoveryCode,
    SignInFailure,
    WebSession,
    EnrolmentLink,
    CaseFiguresRow,
    DestructionReport,
)
