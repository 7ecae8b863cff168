"""What goes over the wire: msgspec structs, the codes of portal.domain as plain strings.

Every ``*Out`` struct is filled from a domain or service value by :func:`to_wire`
(``msgspec.convert`` with ``from_attributes``): a field takes the attribute of the same
Python name, so a field renamed on the wire (``msgspec.field(name=...)``) still reads
its attribute. The values that are not a plain copy have their own function:
:func:`document_out`, :func:`case_out`, :func:`grant_out`.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from portal.domain.cases import ClosingReason, Phase, Purpose
from portal.domain.documents import DataCategory, Document, DocumentId, LegalBasis
from portal.domain.grants import GrantEnd
from portal.domain.partijen import PartijKind, PartijStatus, Role
from portal.domain.retention import CalendarEntry, Event, Regime
from portal.services.case_phases import HandoverRequest
from portal.services.cases import CaseEntry
from portal.services.grants import GrantView
from portal.services.me import Me

T = TypeVar("T")


def to_wire(value: object, shape: type[T]) -> T:
    """``value`` (a domain struct, a service result, or a list of them) as ``shape``."""
    return msgspec.convert(value, shape, from_attributes=True)


class Delivery(enum.StrEnum):
    PLAIN = "plain"
    PGP = "pgp"


class DownloadIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /documents/{id}/content``, as JSON or as a posted HTML form."""

    purpose: str
    justification: str | None = None
    """Art. 8: why this disclosure is needed; it goes in a body, never in a URL."""
    delivery: Delivery = Delivery.PLAIN


class RevokeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str


class CaseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reference: str
    reported_by: UUID
    aanmelder: str
    """The username of the user of ``reported_by`` who reports the case (art. 1.18)."""


class CaseOut(msgspec.Struct, frozen=True, kw_only=True):
    """A case's register entry: no documents, no file names, no grants."""

    id: UUID
    reference: str
    reported_by: UUID
    registered_by: UUID
    aanmelder: UUID
    phase: Phase
    created_at: datetime
    phase_changed_at: datetime
    decided_at: datetime | None
    """The afschaling or closing decision; the retention timeline counts from it."""
    closed_reason: ClosingReason | None
    procesregisseurs: list[UUID]
    held: bool = False
    """Under a legal hold: not destroyed until the manager lifts it (never why)."""
    held_since: datetime | None = None


def case_out(entry: CaseEntry) -> CaseOut:
    case = entry.case
    return CaseOut(
        id=case.id,
        reference=case.reference,
        reported_by=case.reported_by,
        registered_by=case.registered_by,
        aanmelder=case.aanmelder,
        phase=case.phase,
        created_at=case.created_at,
        phase_changed_at=case.phase_changed_at,
        decided_at=case.decided_at,
        closed_reason=case.closed_reason,
        procesregisseurs=sorted(entry.procesregisseurs),
        held=case.held_since is not None,
        held_since=case.held_since,
    )


class UploadMetadata(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The ``metadata`` part of an upload, sent before the ``file`` part."""

    phase: Phase
    purposes: list[Purpose]
    data_categories: list[DataCategory]
    legal_basis: LegalBasis
    consent_id: UUID | None = None
    description: str = msgspec.field(default="")


class DocumentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    phase: Phase
    provider_id: UUID = msgspec.field(name="provider")
    uploaded_by: UUID
    file_name: str
    media_type: str
    size: int
    sha256: str
    purposes: list[Purpose]
    data_categories: list[DataCategory]
    legal_basis: LegalBasis
    consent_id: UUID | None
    description: str
    created_at: datetime


class HandoverIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    casusregisseur: str
    """Username of the casusregisseur who receives the documents (Bijlage 2, overdracht)."""
    documents: list[UUID]

    def request(self) -> HandoverRequest:
        return HandoverRequest(
            casusregisseur=self.casusregisseur,
            documents=frozenset(DocumentId(d) for d in self.documents),
        )


class PhaseChangeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: Phase
    reason: str
    decided_at: datetime | None = None
    """The RTO's afschaling decision (required for afschaling); not in the future."""
    handover: HandoverIn | None = None


class CloseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: ClosingReason
    explanation: str
    decided_at: datetime


class AssignmentIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    reason: str


class GrantIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    """The username of the participant."""
    until: datetime | None = None
    """Optional earlier end; a grant never outlasts afschaling."""
    documents: list[UUID] | None = None
    """Limit the grant to these documents of the case (art. 9.6); omitted for all."""


class GrantOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    user_id: UUID
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None
    documents: list[UUID] | None
    """The documents the grant is limited to; null for the whole case."""
    ends_at: datetime | None
    """The computed end: the earliest of until, revocation and the afschaling decision."""
    ended_by: GrantEnd | None
    """What ended it (until, revoked, afschaling), once it has ended."""
    active: bool


def grant_out(view: GrantView) -> GrantOut:
    grant = view.grant
    return GrantOut(
        id=grant.id,
        case_id=grant.case_id,
        user_id=grant.user_id,
        granted_at=grant.granted_at,
        until=grant.until,
        revoked_at=grant.revoked_at,
        documents=sorted(grant.documents) if grant.documents is not None else None,
        ends_at=view.ends_at,
        ended_by=view.ended_by,
        active=view.active,
    )


class AdmissionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    reason: str
    until: datetime
    """When the admission ends; no later than the case's destruction (art. 11.2c)."""


class AdmissionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    user_id: UUID
    admitted_by: UUID
    admitted_at: datetime
    until: datetime
    reason: str
    revoked_at: datetime | None


class ApprovalIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    phase: Phase
    purposes: list[Purpose] | None = None
    """Which of the phase's purposes; all of them when left out."""


class ConsentIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    subject_pseudonym: str
    scope: str
    obtained_by: str
    obtained_at: datetime


class ConsentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partij_id: UUID
    subject_pseudonym: str
    scope: str
    obtained_by: str
    obtained_at: datetime
    withdrawn_at: datetime | None


class WithdrawalIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str = ""


class FurtherUseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: str


class FurtherUseDecisionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    approve: bool
    reason: str = ""


class PartijOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    kind: PartijKind
    status: PartijStatus


class PublicKeyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    public_key: str
    """ASCII-armored OpenPGP public key with an encryption-capable (sub)key."""


class PublicKeyOut(msgspec.Struct, frozen=True, kw_only=True):
    fingerprint: str


class MyGrantOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    case_reference: str
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None
    ends_at: datetime | None
    ended_by: GrantEnd | None
    active: bool


class MeOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    username: str
    partij: PartijOut
    roles: list[Role]
    screened: bool
    active: bool
    has_openpgp_key: bool
    cases: list[CaseOut]
    grants: list[MyGrantOut]


def me_out(me: Me) -> MeOut:
    """Computed: the actor's fields sit at the top, its key only as whether there is one."""
    actor = me.actor
    return MeOut(
        id=actor.user_id,
        username=actor.username,
        partij=to_wire(me.partij, PartijOut),
        roles=sorted(actor.roles),
        screened=actor.screened,
        active=actor.active,
        has_openpgp_key=actor.openpgp_public_key is not None,
        cases=[case_out(entry) for entry in me.cases],
        grants=to_wire(me.grants, list[MyGrantOut]),
    )


class AccessLineOut(msgspec.Struct, frozen=True, kw_only=True):
    document_id: UUID
    file_name: str
    username: str
    can_download: bool
    needs_justification: bool
    rule: str
    reason: str
    loses_access_at_afschaling: bool
    part: str
    ends_at: datetime | None
    ended_by: str | None


def document_out(document: Document) -> DocumentOut:
    """Computed: the wire is flat, so the restrictions' fields sit beside the document's
    own, their sets sorted so that the same document always reads the same."""
    restrictions = document.restrictions
    flat = SimpleNamespace(
        **{field.name: getattr(document, field.name) for field in dataclasses.fields(document)},
        purposes=sorted(restrictions.purposes),
        data_categories=sorted(restrictions.data_categories),
        legal_basis=restrictions.legal_basis,
        consent_id=restrictions.consent_id,
    )
    return to_wire(flat, DocumentOut)


class RegisterEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    """One processing activity with the fields of art. 24.3 a-h."""

    id: str
    name: str
    controller: str
    purposes: list[str]
    data_categories: list[str]
    subject_categories: list[str]
    recipients: list[str]
    third_country_transfers: str
    retention: str
    security_measures: list[str]


class AuditPageOut(msgspec.Struct, frozen=True, kw_only=True):
    records: list[dict[str, Any]]
    next_after: int | None
    """Ask again with ``after`` set to this for the next page; null on the last page."""


class SubjectOverviewOut(msgspec.Struct, frozen=True, kw_only=True):
    data_subject_ref: str = msgspec.field(name="data_subject_id")
    purposes: list[str]
    data_categories: list[str]
    recipients: list[str]
    sources: list[str]
    processing_activities: list[str]
    first_at: str | None
    last_at: str | None
    records: int


# --- retention: legal holds, early destruction, the calendar, removing a document ------------


class ReasonIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why: free text goes in a body, never in a URL."""

    reason: str


class LegalHoldOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    placed_by: UUID
    placed_at: datetime
    reason: str
    lifted_by: UUID | None
    lifted_at: datetime | None
    lift_reason: str | None


class DestructionOut(msgspec.Struct, frozen=True, kw_only=True):
    """What a destruction removed: counts only."""

    case_id: UUID
    objects: int
    versions: int
    key_destroyed: bool
    rows: dict[str, int]
    report_id: UUID
    """The signed destruction report: ``GET /cases/{id}/destruction-report``."""
    report_sha256: str


class DaysOut(msgspec.Struct, frozen=True, kw_only=True):
    """Whole days in a phase, over the period's cases that went through it."""

    cases: int
    mean: float
    median: float


class PeriodFiguresOut(msgspec.Struct, frozen=True, kw_only=True):
    """One period's figures of destroyed cases (art. 11.3): counts, never a case."""

    first_month: str
    last_month: str
    cases: int
    days_per_phase: dict[str, DaysOut]
    days_decided_to_destroyed: DaysOut | None
    documents: int
    downloads: int
    grants: int
    partij_kinds: dict[str, int]
    """Of how many of the period's cases a partij of each kind took part."""
    outcomes: dict[str, int]
    rules: dict[str, int]


class FiguresOut(msgspec.Struct, frozen=True, kw_only=True):
    periods: list[PeriodFiguresOut]
    withheld: bool
    """The selection had cases, but fewer than ``min_cases``: none is shown."""
    min_cases: int


class CalendarEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    case_id: UUID
    reference: str
    regime: Regime
    decided_at: datetime | None
    archived_from: datetime | None
    destroy_at: datetime | None
    held: bool
    held_since: datetime | None
    next_event: Event | None
    next_event_at: datetime | None


def calendar_entry_out(entry: CalendarEntry) -> CalendarEntryOut:
    return CalendarEntryOut(
        **{field.name: getattr(entry, field.name) for field in dataclasses.fields(entry)},
        held=entry.held_since is not None,
    )


class RemovalOut(msgspec.Struct, frozen=True, kw_only=True):
    document_id: UUID
    versions: int
    rows: dict[str, int]
