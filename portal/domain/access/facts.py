"""What the rules know about one case and one actor: the case's parties and standing.

A case's parties are people (art. 9.6): its procesregisseurs, its aanmelder, the
participants with a grant, the hand-over recipient and the users admitted to its archive.
``CaseFacts`` is the one value the services load per case for every rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from portal.domain.cases import Assignment, Case, Phase
from portal.domain.documents import DocumentId
from portal.domain.grants import ArchiveAdmission, Grant, Handover
from portal.domain.partijen import Actor, PartijStatus, Role, UserId, may_hold_role
from portal.domain.retention import Regime, regime
from portal.domain.rules import Decision, Rule, deny

# Art. 1.18, 1.19, 9.2: participants join at triage; in aanmelding a grant gives nothing.
GRANT_PHASES = frozenset({Phase.TRIAGE, Phase.RTO})
# The provider's case workers who act as controller for its documents (art. 2.1, 3.5c).
CONTROLLER_ROLES = frozenset({Role.PARTNER, Role.CASUSREGISSEUR})
MIN_REASON_LENGTH = 10


class Part(enum.StrEnum):
    """Why a person is in the case (art. 9.6); ``none`` for anyone else."""

    PROCESREGISSEUR = "procesregisseur"
    AANMELDER = "aanmelder"
    GRANT = "grant"
    HANDOVER = "overdracht"
    ARCHIVE = "archive"
    ADMINISTRATIEF = "administratief"
    NONE = "none"


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """What the rules need to know about one case, loaded together.

    The services load, per case: the case row; its procesregisseur assignments; every grant
    of the case, ended ones included (their end is computed, so an ended grant still
    explains a refusal); every archive admission, revoked and ended ones included; the
    hand-over named at afschaling, if any; and the ids of the case's documents.
    """

    case: Case
    assignments: tuple[Assignment, ...] = ()
    grants: tuple[Grant, ...] = ()
    admissions: tuple[ArchiveAdmission, ...] = ()
    handover: Handover | None = None
    document_ids: frozenset[DocumentId] = frozenset()
    """The ids of the case's documents, to check a grant's limit or a hand-over's list."""

    @property
    def procesregisseurs(self) -> frozenset[UserId]:
        """Who registered the case, and everyone assigned to it since (art. 1.22)."""
        return frozenset({self.case.registered_by, *(a.user_id for a in self.assignments)})

    def is_procesregisseur(self, actor: Actor) -> bool:
        """The actor is a procesregisseur *of this case*, not merely one of the house."""
        return actor.has(Role.PROCESREGISSEUR) and actor.user_id in self.procesregisseurs

    def is_aanmelder(self, actor: Actor) -> bool:
        return actor.user_id == self.case.aanmelder and actor.partij_id == self.case.reported_by

    def is_administratief(self, actor: Actor) -> bool:
        return actor.has(Role.ADMINISTRATIEF)

    def open_part(self, actor: Actor, *, now: datetime) -> Part | None:
        """The actor's part while the case is open (art. 1.18, 9.2, 9.6), if any."""
        if self.is_procesregisseur(actor):
            return Part.PROCESREGISSEUR
        if self.is_aanmelder(actor):
            return Part.AANMELDER
        if self.grant_of(actor, now=now) is not None:
            return Part.GRANT
        return None

    def grant_of(self, actor: Actor, *, now: datetime) -> Grant | None:
        """The actor's active grant, counting only in triage and rto (art. 1.18, 1.19, 9.2)."""
        if self.case.phase not in GRANT_PHASES:
            return None
        for grant in self.grants:
            if grant.user_id == actor.user_id and grant.active(self.case, now=now):
                return grant
        return None

    def ended_grant(self, actor: Actor, *, now: datetime) -> Grant | None:
        for grant in self.grants:
            if grant.user_id == actor.user_id and not grant.active(self.case, now=now):
                return grant
        return None

    def admission_of(self, actor: Actor, *, now: datetime) -> ArchiveAdmission | None:
        for admission in self.admissions:
            if admission.user_id == actor.user_id and admission.active(now=now):
                return admission
        return None

    def ended_admission(self, actor: Actor, *, now: datetime) -> ArchiveAdmission | None:
        for admission in self.admissions:
            if admission.user_id == actor.user_id and not admission.active(now=now):
                return admission
        return None

    def handover_to(self, actor: Actor) -> Handover | None:
        handover = self.handover
        if handover is not None and handover.casusregisseur == actor.user_id:
            return handover
        return None

    def regime(self, *, now: datetime) -> Regime:
        return regime(self.case, now=now)

    def people(self) -> frozenset[UserId]:
        """Everyone who has or had a part in the case: whom an access overview lists."""
        handover = (self.handover.casusregisseur,) if self.handover else ()
        return frozenset(
            {
                *self.procesregisseurs,
                self.case.aanmelder,
                *(g.user_id for g in self.grants),
                *(a.user_id for a in self.admissions),
                *handover,
            }
        )


def standing(actor: Actor) -> Decision | None:
    """The preconditions for any access at all, or None when they hold."""
    if not actor.active:
        return deny(Rule.ACCESS_ACCOUNT, "the account is deactivated")
    # Art. 27.3: a partij that left the covenant loses all access at once.
    if actor.partij_status is not PartijStatus.ACTIVE:
        return deny(
            Rule.ACCESS_PARTIJ_WITHDRAWN, "the user's partij has withdrawn from the covenant"
        )
    # Art. 13.1, 13.3: no access without VOG and confidentiality statement on record.
    if not actor.screened:
        return deny(
            Rule.ACCESS_SCREENING,
            "no VOG and signed confidentiality statement on record for this user (art. 13.1, 13.3)",
        )
    # Art. 1.16, 1.22, 1.24: a ZVH role held elsewhere is a misconfigured account; it is
    # refused outright (defence in depth behind ``portal user add``), never half-honoured.
    for role in sorted(actor.roles):
        held = may_hold_role(actor.partij_kind, role)
        if not held.allowed:
            return deny(Rule.ACCESS_ZVH_ROLE, held.reason)
    return None


def fitness(person: Actor, unfit: dict[Rule, Rule]) -> Decision | None:
    """A grantee's or admittee's standing, refused under the caller's own rule codes."""
    if (refused := standing(person)) is not None:
        return deny(unfit[refused.rule], f"{person.username}: {refused.reason}")
    return None


def has_reason(reason: str) -> bool:
    return len(reason.strip()) >= MIN_REASON_LENGTH


def destroyed(facts: CaseFacts, *, now: datetime) -> Decision | None:
    if facts.regime(now=now) is Regime.DESTROYED:
        return deny(Rule.CASE_DESTROYED, "the case's personal data is destroyed (art. 11.2c)")
    return None
