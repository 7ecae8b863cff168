"""What a document declares about itself: legal basis and data categories (Bijlage 4)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NewType
from uuid import UUID

from portal.domain.cases import PURPOSES_BY_PHASE, CaseId, Phase, Purpose
from portal.domain.partijen import PartijId, PartijKind, UserId
from portal.domain.rules import Decision, Rule, deny, permit


class LegalBasis(enum.StrEnum):
    AVG_6_1_E = "avg_6_1_e"
    TOESTEMMING = "toestemming"
    WPG_ART_20 = "wpg_art_20"
    WJSG_ART_8A = "wjsg_art_8a"
    WJSG_ART_39F = "wjsg_art_39f"
    WJSG_ART_51C = "wjsg_art_51c"


class DataCategory(enum.StrEnum):
    PERSONALIA = "personalia"
    ADRES = "adres"
    CONTACT = "contact"
    WOONSITUATIE = "woonsituatie"
    FINANCIEEL = "financieel"
    RELATIES = "relaties"
    TOEZICHT_HANDHAVING = "toezicht_handhaving"
    POLITIE_WPG_8_13 = "politie_wpg_8_13"
    # Special categories, art. 9 AVG.
    GEZONDHEID = "gezondheid"
    RELIGIE = "religie"
    ETNICITEIT = "etniciteit"
    SEKSUEEL = "seksueel"
    # Criminal data, art. 10 AVG.
    STRAFRECHTELIJK = "strafrechtelijk"
    STRAFVORDERLIJK = "strafvorderlijk"
    TENUITVOERLEGGING = "tenuitvoerlegging"


DocumentId = NewType("DocumentId", UUID)
ConsentId = NewType("ConsentId", UUID)


@dataclass(frozen=True, kw_only=True)
class Restrictions:
    """What the providing partij allows and declares (art. 3.5, 7.2, Bijlage 4)."""

    purposes: frozenset[Purpose]
    data_categories: frozenset[DataCategory]
    legal_basis: LegalBasis
    consent_id: ConsentId | None


@dataclass(frozen=True, kw_only=True)
class Approval:
    """The provider's re-approval of a document for a later phase (art. 3.5b, c)."""

    phase: Phase
    purposes: frozenset[Purpose]
    approved_at: datetime


@dataclass(frozen=True, kw_only=True)
class Document:
    id: DocumentId
    case_id: CaseId
    phase: Phase
    provider_id: PartijId
    provider_kind: PartijKind
    uploaded_by: UserId
    file_name: str
    media_type: str
    size: int
    sha256: str
    object_key: str
    restrictions: Restrictions
    description: str
    created_at: datetime
    approvals: tuple[Approval, ...] = ()

    def purposes_in(self, phase: Phase) -> frozenset[Purpose]:
        """What the provider allows the document for in ``phase``: nothing until approved."""
        if phase is self.phase:
            return self.restrictions.purposes
        allowed: frozenset[Purpose] = frozenset()
        for approval in self.approvals:
            if approval.phase is phase:
                allowed |= approval.purposes
        return allowed


# Art. 6.4: a partij's kind fixes its basis. Bases and categories not listed here are open
# to every kind; these belong to one kind alone.
# 6.4d: the police provides police data under art. 20 Wpg, and only art. 8 and 13 data.
# 6.4c: the OM provides justice data under art. 8a, 39f and 51c Wjsg.
PROVIDERS_OF_LEGAL_BASIS: dict[LegalBasis, frozenset[PartijKind]] = {
    LegalBasis.WPG_ART_20: frozenset({PartijKind.POLITIE}),
    LegalBasis.WJSG_ART_8A: frozenset({PartijKind.OM}),
    LegalBasis.WJSG_ART_39F: frozenset({PartijKind.OM}),
    LegalBasis.WJSG_ART_51C: frozenset({PartijKind.OM}),
}
PROVIDERS_OF_CATEGORY: dict[DataCategory, frozenset[PartijKind]] = {
    DataCategory.POLITIE_WPG_8_13: frozenset({PartijKind.POLITIE}),
}


def check_provision(kind: PartijKind, restrictions: Restrictions) -> Decision:
    """Whether a partij of ``kind`` may provide under this basis and these categories."""
    allowed = PROVIDERS_OF_LEGAL_BASIS.get(restrictions.legal_basis)
    if allowed is not None and kind not in allowed:
        return deny(
            Rule.PROVISION_LEGAL_BASIS,
            f"legal basis {restrictions.legal_basis} is for "
            f"{', '.join(sorted(allowed))} only, not for a partij of kind {kind} (art. 6.4)",
        )
    for category in sorted(restrictions.data_categories):
        providers = PROVIDERS_OF_CATEGORY.get(category)
        if providers is not None and kind not in providers:
            return deny(
                Rule.PROVISION_CATEGORY,
                f"data category {category} is provided by {', '.join(sorted(providers))} "
                f"only, not by a partij of kind {kind} (art. 6.4)",
            )
    return permit(Rule.PROVISION, f"a {kind} may provide on {restrictions.legal_basis}")


def object_key_for(case_id: CaseId, document_id: DocumentId) -> str:
    """Where a document's ciphertext lives: chosen by the server, never from the file name."""
    return f"cases/{case_id}/{document_id}.pgp"


def check_restrictions(
    *, phase: Phase, restrictions: Restrictions, provider_kind: PartijKind
) -> None:
    """Raise ``RestrictionsRefused`` unless the restrictions fit the phase and the provider's
    kind (art. 3.5, 6.4, 7.2)."""
    if not restrictions.purposes:
        raise RestrictionsRefused("name at least one purpose the document may be used for")
    # Bijlage 2: a document is provided for its phase's purposes only.
    foreign = sorted(restrictions.purposes - PURPOSES_BY_PHASE[phase])
    if foreign:
        allowed = ", ".join(sorted(PURPOSES_BY_PHASE[phase]))
        raise RestrictionsRefused(
            f"purposes {', '.join(foreign)} do not belong to phase {phase}; allowed: {allowed}"
        )
    if not restrictions.data_categories:
        raise RestrictionsRefused("declare at least one data category the document holds")
    # Art. 7.2: where consent is the basis, the consent record must be named.
    if restrictions.legal_basis is LegalBasis.TOESTEMMING and restrictions.consent_id is None:
        raise RestrictionsRefused("legal basis toestemming requires a consent_id")
    if restrictions.legal_basis is not LegalBasis.TOESTEMMING and restrictions.consent_id:
        raise RestrictionsRefused("a consent_id is only given with legal basis toestemming")
    provision = check_provision(provider_kind, restrictions)
    if not provision.allowed:
        raise RestrictionsRefused(provision.reason, rule=provision.rule)


class RestrictionsRefused(Exception):
    """The declared purposes, categories or basis do not fit; the message says why."""

    def __init__(self, message: str, *, rule: Rule | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        """The provision rule that refused (art. 6.4), when one did."""


def approval_purposes(phase: Phase, requested: frozenset[Purpose] | None) -> frozenset[Purpose]:
    """The purposes a re-approval covers: those named, or else every purpose of the phase.

    Art. 3.5b-c: the provider approves its document for the new phase; naming no purposes
    approves it for the phase's whole closed list (Bijlage 2), as it would have been had it
    been provided in that phase.
    """
    return requested if requested is not None else PURPOSES_BY_PHASE[phase]
