"""Giving and ending a person's part: grants, archive admissions and the hand-over."""

from __future__ import annotations

from datetime import datetime

from portal.domain.access.cases import procesregisseur_of
from portal.domain.access.facts import CaseFacts, fitness, has_reason, standing
from portal.domain.cases import Phase
from portal.domain.documents import DocumentId
from portal.domain.grants import ArchiveAdmission, Grant
from portal.domain.partijen import Actor, Role
from portal.domain.retention import Regime, timeline
from portal.domain.rules import Decision, Rule, deny, permit

# RTO participants and partner case workers; an FG supervises and never reads contents
# (art. 24.4), a manager decides on archives, not on live cases.
GRANTABLE_ROLES = frozenset({Role.DEELNEMER, Role.CASUSREGISSEUR, Role.PARTNER})

# A grantee, admittee or recipient who lacks standing is refused under its own rule.
GRANTEE_UNFIT: dict[Rule, Rule] = {
    Rule.ACCESS_ACCOUNT: Rule.GRANT_ACCESS_ACCOUNT,
    Rule.ACCESS_PARTIJ_WITHDRAWN: Rule.GRANT_ACCESS_PARTIJ_WITHDRAWN,
    Rule.ACCESS_SCREENING: Rule.GRANT_ACCESS_SCREENING,
    Rule.ACCESS_ZVH_ROLE: Rule.GRANT_ACCESS_ZVH_ROLE,
}
ADMITTEE_UNFIT: dict[Rule, Rule] = {
    Rule.ACCESS_ACCOUNT: Rule.ARCHIVE_ACCESS_ACCOUNT,
    Rule.ACCESS_PARTIJ_WITHDRAWN: Rule.ARCHIVE_ACCESS_PARTIJ_WITHDRAWN,
    Rule.ACCESS_SCREENING: Rule.ARCHIVE_ACCESS_SCREENING,
    Rule.ACCESS_ZVH_ROLE: Rule.ARCHIVE_ACCESS_ZVH_ROLE,
}
RECIPIENT_UNFIT = dict.fromkeys(GRANTEE_UNFIT, Rule.HANDOVER_RECIPIENT)


def may_grant(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor,
    grantee: Actor,
    facts: CaseFacts,
    *,
    until: datetime | None,
    documents: frozenset[DocumentId] | None,
    now: datetime,
) -> Decision:
    """A procesregisseur of the case grants a participant access, maybe to listed documents."""
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.GRANT_ROLE, "only the procesregisseur grants access (art. 9.6)")
    if (refused := procesregisseur_of(actor, facts, action="grants access")) is not None:
        return refused
    if facts.regime(now=now) is not Regime.OPEN:
        return deny(Rule.GRANT_AFSCHALING, "after afschaling no access is granted (art. 11.2)")
    # Art. 1.18, 1.19, 9.2: in aanmelding only the procesregisseur and the aanmelder see the case.
    if facts.case.phase is Phase.AANMELDING:
        return deny(
            Rule.GRANT_BEFORE_TRIAGE,
            "participants are granted access from triage on; the case is in aanmelding "
            "(art. 1.18, 1.19, 9.2)",
        )
    if (unfit := fitness(grantee, GRANTEE_UNFIT)) is not None:
        return unfit
    # Art. 24.4: the FG supervises and never reads contents, whatever else it holds.
    if grantee.has(Role.FG) or not grantee.roles & GRANTABLE_ROLES:
        return deny(
            Rule.GRANT_GRANTEE_ROLE,
            f"{grantee.username} is not a participant or partner case worker",
        )
    if until is not None and until <= now:
        return deny(Rule.GRANT_UNTIL, "a grant's end must lie in the future")
    if documents is not None and (not documents or documents - facts.document_ids):
        return deny(
            Rule.GRANT_DOCUMENTS, "a grant is limited to one or more of the case's documents"
        )
    if facts.grant_of(grantee, now=now) is not None:
        return deny(Rule.GRANT_DUPLICATE, f"{grantee.username} already has access to this case")
    return permit(Rule.GRANT_CREATE, f"procesregisseur grants {grantee.username} access")


def may_revoke_grant(actor: Actor, grant: Grant, facts: CaseFacts, *, now: datetime) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.GRANT_ROLE, "only the procesregisseur revokes access")
    if (refused := procesregisseur_of(actor, facts, action="revokes access")) is not None:
        return refused
    if not grant.active(facts.case, now=now):
        return deny(Rule.GRANT_ENDED, "the grant has ended already")
    return permit(Rule.GRANT_REVOKE, "procesregisseur revokes the grant")


def may_admit_to_archive(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor,
    admittee: Actor,
    facts: CaseFacts,
    *,
    reason: str,
    until: datetime,
    now: datetime,
) -> Decision:
    """The manager admits someone else to an archived case, with a reason and an end."""
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.ARCHIVE_ROLE, "only the manager decides access to archived cases (11.2b)")
    # Art. 11.2a, b: in the first six months "enkel" the procesregisseur and administratief
    # medewerker have access; the manager's say starts when the case is archived.
    decided = facts.case.decided_at
    if facts.regime(now=now) is not Regime.ARCHIVED or decided is None:
        return deny(
            Rule.ARCHIVE_REGIME,
            "only an archived case (six to twelve months after the decision) takes admissions",
        )
    # Art. 11.2b: the manager decides who has access, not that they have it themselves.
    if admittee.user_id == actor.user_id:
        return deny(Rule.ARCHIVE_SELF, "the manager does not admit themselves")
    if not has_reason(reason):
        return deny(Rule.ARCHIVE_REASON, "say why the user is admitted to the archive")
    destroy_at = timeline(decided).destroy_at
    if until <= now or until > destroy_at:
        return deny(
            Rule.ARCHIVE_UNTIL,
            f"an admission ends in the future and no later than the destruction on "
            f"{destroy_at:%Y-%m-%d} (art. 11.2c)",
        )
    if (unfit := fitness(admittee, ADMITTEE_UNFIT)) is not None:
        return unfit
    if admittee.has(Role.FG):
        return deny(
            Rule.ARCHIVE_ADMITTEE_ROLE, "the FG supervises and never reads contents (art. 24.4)"
        )
    if facts.admission_of(admittee, now=now) is not None:
        return deny(Rule.ARCHIVE_DUPLICATE, f"{admittee.username} is admitted already")
    return permit(Rule.ARCHIVE_ADMIT, f"the manager admits {admittee.username} (art. 11.2b)")


def may_revoke_admission(actor: Actor, admission: ArchiveAdmission, *, now: datetime) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.ARCHIVE_ROLE, "only the manager decides access to archived cases (11.2b)")
    if not admission.active(now=now):
        return deny(Rule.ARCHIVE_ENDED, "the admission has ended already")
    return permit(Rule.ARCHIVE_REVOKE, "the manager revokes the admission (art. 11.2b)")


def may_hand_over(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor,
    recipient: Actor,
    facts: CaseFacts,
    *,
    documents: frozenset[DocumentId],
    now: datetime,
) -> Decision:
    """With the afschaling decision, name the casusregisseur and the documents to hand over.

    Asked on the facts *before* the phase change. The providers' approvals for overdracht
    are not asked here: a provider can approve only for the current phase, so they come
    after the decision, and each download checks them (Bijlage 2, art. 3.5c).
    """
    if (denied := standing(actor)) is not None:
        return denied
    if (refused := procesregisseur_of(actor, facts, action="names a hand-over")) is not None:
        return refused
    if facts.case.phase is not Phase.RTO or facts.regime(now=now) is not Regime.OPEN:
        return deny(
            Rule.HANDOVER_PHASE, "a hand-over is named with the afschaling decision, from rto"
        )
    if (unfit := fitness(recipient, RECIPIENT_UNFIT)) is not None:
        return unfit
    # Art. 1.23, Bijlage 2: the casusregisseur receives what is needed at afschaling.
    if not recipient.has(Role.CASUSREGISSEUR):
        return deny(Rule.HANDOVER_RECIPIENT, f"{recipient.username} is not a casusregisseur")
    if not documents or documents - facts.document_ids:
        return deny(Rule.HANDOVER_DOCUMENTS, "name one or more of the case's documents")
    return permit(
        Rule.HANDOVER_NAME,
        f"{recipient.username} may fetch {len(documents)} document(s) for overdracht, "
        "each once its provider approves it for overdracht",
    )
