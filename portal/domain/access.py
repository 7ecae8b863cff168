"""May this actor do this, now? Each rule returns a decision with the rule and the reason.

These are the privacy protocol's access rules. Every entry point (API, pages, CLI) asks
them; none decides on its own. Denial is the default: a permit names the path that led
to it (procesregisseur, provider, grant, archive admission).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain.cases import PURPOSES_BY_PHASE, Case, Phase, Purpose
from portal.domain.consents import Consent
from portal.domain.documents import Document, LegalBasis
from portal.domain.grants import ArchiveAdmission, Grant
from portal.domain.partijen import Actor, PartijId, PartijKind, PartijStatus, Role
from portal.domain.retention import Regime, regime
from portal.domain.rules import Decision, Rule, deny, permit

UPLOADING_ROLES = frozenset(
    {Role.PROCESREGISSEUR, Role.PARTNER, Role.CASUSREGISSEUR, Role.DEELNEMER}
)
# RTO participants and partner case workers; an FG supervises and never reads contents
# (art. 24.4), a manager decides on archives, not on live cases.
GRANTABLE_ROLES = frozenset({Role.DEELNEMER, Role.CASUSREGISSEUR, Role.PARTNER})
CONSENT_ROLES = frozenset({Role.PARTNER, Role.CASUSREGISSEUR, Role.DEELNEMER})
# Art. 11.2a: the only roles with access in the six months after afschaling.
KEEPS_ACCESS_AFTER_AFSCHALING = frozenset({Role.PROCESREGISSEUR, Role.ADMINISTRATIEF})
# Art. 8: police and OM document every individual provision with its justification.
JUSTIFICATION_REQUIRED = frozenset({PartijKind.POLITIE, PartijKind.OM})
MIN_JUSTIFICATION_LENGTH = 10

# A grantee or admittee who lacks standing is refused under its own rule, naming which.
GRANTEE_UNFIT: dict[Rule, Rule] = {
    Rule.ACCESS_ACCOUNT: Rule.GRANT_ACCESS_ACCOUNT,
    Rule.ACCESS_PARTIJ_WITHDRAWN: Rule.GRANT_ACCESS_PARTIJ_WITHDRAWN,
    Rule.ACCESS_SCREENING: Rule.GRANT_ACCESS_SCREENING,
}
ADMITTEE_UNFIT: dict[Rule, Rule] = {
    Rule.ACCESS_ACCOUNT: Rule.ARCHIVE_ACCESS_ACCOUNT,
    Rule.ACCESS_PARTIJ_WITHDRAWN: Rule.ARCHIVE_ACCESS_PARTIJ_WITHDRAWN,
    Rule.ACCESS_SCREENING: Rule.ARCHIVE_ACCESS_SCREENING,
}

NEXT_PHASE: dict[Phase, Phase] = {
    Phase.AANMELDING: Phase.TRIAGE,
    Phase.TRIAGE: Phase.RTO,
    Phase.RTO: Phase.AFSCHALING,
}


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """What the rules need to know about one case, loaded together."""

    case: Case
    providers: frozenset[PartijId] = frozenset()
    grants: tuple[Grant, ...] = ()
    admissions: tuple[ArchiveAdmission, ...] = ()

    def active_grant(self, actor: Actor, *, now: datetime) -> Grant | None:
        for grant in self.grants:
            if grant.user_id == actor.user_id and grant.active(self.case, now=now):
                return grant
        return None

    def ended_grant(self, actor: Actor, *, now: datetime) -> Grant | None:
        for grant in self.grants:
            if grant.user_id == actor.user_id and not grant.active(self.case, now=now):
                return grant
        return None

    def admitted(self, actor: Actor) -> ArchiveAdmission | None:
        for admission in self.admissions:
            if admission.user_id == actor.user_id:
                return admission
        return None


def _standing(actor: Actor) -> Decision | None:
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
    return None


def _regime_gate(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision | None:
    """After afschaling the regime alone decides who may come near the case (art. 11.2)."""
    current = regime(facts.case, now=now)
    if current is Regime.DESTROYED:
        return deny(Rule.CASE_DESTROYED, "the case's personal data is destroyed (art. 11.2c)")
    if current is Regime.RESTRICTED:
        if actor.roles & KEEPS_ACCESS_AFTER_AFSCHALING:
            return permit(
                Rule.CASE_RESTRICTED, "within six months of afschaling: procesregisseur or "
                "administratief medewerker (art. 11.2a)"
            )  # fmt: skip
        return deny(
            Rule.CASE_RESTRICTED,
            "after afschaling only the procesregisseur and administratief medewerker have "
            "access for six months (art. 11.2a)",
        )
    if current is Regime.ARCHIVED:
        if facts.admitted(actor):
            return permit(Rule.CASE_ARCHIVED, "admitted to the archive by the manager (art. 11.2b)")
        return deny(
            Rule.CASE_ARCHIVED,
            "the case is archived; only users the manager admits have access (art. 11.2b)",
        )
    return None


def may_register_case(actor: Actor) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    # Art. 1.16, 1.22: the procesregisseur registers cases.
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.CASE_REGISTER_ROLE, "only a procesregisseur registers cases")
    return permit(Rule.CASE_REGISTER_ROLE, "procesregisseur registers the case")


def may_see_case(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:
    """Whether the actor may know the case exists: its metadata and document list."""
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.has(Role.MANAGER) and regime(facts.case, now=now) is not Regime.DESTROYED:
        # Art. 1.24, 11.2b: the manager oversees the house and decides on archives.
        return permit(Rule.CASE_SEE_MANAGER, "the manager oversees every case")
    if (gate := _regime_gate(actor, facts, now=now)) is not None:
        return gate
    case = facts.case
    if actor.has(Role.PROCESREGISSEUR):
        return permit(Rule.CASE_SEE_PROCESREGISSEUR, "procesregisseur oversees every case")
    if actor.partij_id == case.reported_by:
        return permit(Rule.CASE_SEE_REPORTER, "the actor's partij reported the case")
    if actor.partij_id in facts.providers:
        return permit(Rule.CASE_SEE_PROVIDER, "the actor's partij provided documents to the case")
    if facts.active_grant(actor, now=now):
        return permit(Rule.CASE_SEE_GRANT, "granted access to the case by the procesregisseur")
    ended = facts.ended_grant(actor, now=now)
    if ended is not None:
        return deny(Rule.GRANT_ENDED, _ended_reason(ended, case, now=now))
    return deny(Rule.CASE_SEE_NONE, "the actor's partij has no part in this case")


def may_upload(actor: Actor, facts: CaseFacts, *, phase: Phase, now: datetime) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    case = facts.case
    if regime(case, now=now) is not Regime.OPEN:
        return deny(Rule.DOCUMENT_UPLOAD_AFSCHALING, "after afschaling no documents are provided")
    if not actor.roles & UPLOADING_ROLES:
        return deny(Rule.DOCUMENT_UPLOAD_ROLE, "the user's role does not provide documents")
    # Art. 3.5a: a document is provided for one case and one phase: the current one.
    if phase is not case.phase:
        return deny(
            Rule.DOCUMENT_UPLOAD_PHASE,
            f"the case is in phase {case.phase}; documents are accepted for that phase only",
        )
    if actor.has(Role.PROCESREGISSEUR):
        return permit(Rule.DOCUMENT_UPLOAD_PROCESREGISSEUR, "procesregisseur of the case")
    if actor.partij_id == case.reported_by:
        return permit(Rule.DOCUMENT_UPLOAD_REPORTER, "the actor's partij reported the case")
    if facts.active_grant(actor, now=now):
        return permit(Rule.DOCUMENT_UPLOAD_GRANT, "granted access to the case")
    return deny(
        Rule.DOCUMENT_UPLOAD_NO_PART,
        "only the reporting partij and participants granted access provide documents",
    )


def _download_path(
    actor: Actor, document: Document, facts: CaseFacts, *, now: datetime
) -> Decision:
    """Who the actor is to this document: the first half of a download decision."""
    if (gate := _regime_gate(actor, facts, now=now)) is not None:
        return gate
    if actor.has(Role.PROCESREGISSEUR):
        return permit(Rule.DOCUMENT_DOWNLOAD_PROCESREGISSEUR, "procesregisseur of the case")
    # Art. 2.1, 3.5c: the provider stays controller of what it provided.
    if actor.partij_id == document.provider_id:
        return permit(Rule.DOCUMENT_DOWNLOAD_PROVIDER, "the actor's partij provided the document")
    if facts.active_grant(actor, now=now):
        return permit(Rule.DOCUMENT_DOWNLOAD_GRANT, "granted access as RTO participant")
    ended = facts.ended_grant(actor, now=now)
    if ended is not None:
        return deny(Rule.GRANT_ENDED, _ended_reason(ended, facts.case, now=now))
    return deny(Rule.DOCUMENT_DOWNLOAD_NO_GRANT, "no access to this case has been granted")


def _ended_reason(grant: Grant, case: Case, *, now: datetime) -> str:
    if grant.granted_at > now:
        return "the grant has not started yet"
    if grant.revoked_at is not None and grant.revoked_at == grant.ends_at(case):
        return f"the grant was revoked on {grant.revoked_at:%Y-%m-%d}"
    if case.afschaling_at is not None and case.afschaling_at == grant.ends_at(case):
        return f"the grant ended at afschaling on {case.afschaling_at:%Y-%m-%d}"
    return f"the grant expired on {grant.until:%Y-%m-%d}"


def may_download(
    actor: Actor,
    document: Document,
    facts: CaseFacts,
    *,
    purpose: Purpose,
    consent: Consent | None,
    justification: str | None,
    now: datetime,
) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    path = _download_path(actor, document, facts, now=now)
    if not path.allowed:
        return path
    phase = facts.case.phase
    # Art. 3.5a, Bijlage 2: a purpose of the case's current phase, and no other.
    if purpose not in PURPOSES_BY_PHASE[phase]:
        return deny(
            Rule.DOCUMENT_DOWNLOAD_PURPOSE_PHASE,
            f"purpose {purpose} does not belong to phase {phase}; "
            f"allowed: {', '.join(sorted(PURPOSES_BY_PHASE[phase]))}",
        )
    allowed = document.purposes_in(phase)
    if not allowed:
        # Art. 3.5b, c: earlier documents wait for their provider's re-approval.
        return deny(
            Rule.DOCUMENT_DOWNLOAD_REAPPROVAL,
            f"the document was provided for phase {document.phase}; its provider has not "
            f"approved it for phase {phase} (art. 3.5b)",
        )
    if purpose not in allowed:
        return deny(
            Rule.DOCUMENT_DOWNLOAD_PURPOSE,
            f"purpose {purpose} is not allowed for this document; its provider allowed: "
            f"{', '.join(sorted(allowed))}",
        )
    # Art. 7.2d, 13.7: once consent is withdrawn, no further provision.
    if document.restrictions.legal_basis is LegalBasis.TOESTEMMING and (
        consent is None or not consent.in_force(now=now)
    ):
        return deny(
            Rule.DOCUMENT_DOWNLOAD_CONSENT,
            "the consent this document was provided on has been withdrawn (art. 7.2d, 13.7)",
        )
    if document.provider_kind in JUSTIFICATION_REQUIRED and (
        justification is None or len(justification.strip()) < MIN_JUSTIFICATION_LENGTH
    ):
        return deny(
            Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION,
            f"documents of the {document.provider_kind} are disclosed only with a "
            "justification (art. 8): say why you need it, as justification=... "
            f"(at least {MIN_JUSTIFICATION_LENGTH} characters)",
        )
    return permit(path.rule, f"{path.reason}; purpose {purpose}")


@dataclass(frozen=True, kw_only=True)
class Explanation:
    """Whether a user can download a document now, and why: the download's own decision."""

    can_download: bool
    needs_justification: bool
    """Allowed once the user states a justification (police and OM documents, art. 8)."""
    rule: Rule
    reason: str
    loses_access_at_afschaling: bool


def explain_download(
    actor: Actor, document: Document, facts: CaseFacts, *, consent: Consent | None, now: datetime
) -> Explanation:
    """The decision ``may_download`` makes for the most favourable purpose available now."""
    phase = facts.case.phase
    purpose = sorted(document.purposes_in(phase) or PURPOSES_BY_PHASE[phase])[0]
    verdict = may_download(
        actor, document, facts, purpose=purpose, consent=consent, justification=None, now=now
    )
    needs_justification = verdict.rule is Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION
    can = verdict.allowed or needs_justification
    return Explanation(
        can_download=can,
        needs_justification=needs_justification,
        rule=verdict.rule,
        reason=verdict.reason,
        loses_access_at_afschaling=can and not actor.roles & KEEPS_ACCESS_AFTER_AFSCHALING,
    )


def may_grant(
    actor: Actor, grantee: Actor, facts: CaseFacts, *, until: datetime | None, now: datetime
) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.GRANT_ROLE, "only the procesregisseur grants access (art. 9.6)")
    if regime(facts.case, now=now) is not Regime.OPEN:
        return deny(Rule.GRANT_AFSCHALING, "after afschaling no access is granted (art. 11.2)")
    if (unfit := _standing(grantee)) is not None:
        return deny(GRANTEE_UNFIT[unfit.rule], f"{grantee.username}: {unfit.reason}")
    if not grantee.roles & GRANTABLE_ROLES:
        return deny(
            Rule.GRANT_GRANTEE_ROLE,
            f"{grantee.username} is not a participant or partner case worker",
        )
    if until is not None and until <= now:
        return deny(Rule.GRANT_UNTIL, "a grant's end must lie in the future")
    if facts.active_grant(grantee, now=now):
        return deny(Rule.GRANT_DUPLICATE, f"{grantee.username} already has access to this case")
    return permit(Rule.GRANT_CREATE, f"procesregisseur grants {grantee.username} access")


def may_revoke_grant(actor: Actor, grant: Grant, facts: CaseFacts, *, now: datetime) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.GRANT_ROLE, "only the procesregisseur revokes access")
    if not grant.active(facts.case, now=now):
        return deny(Rule.GRANT_ENDED, "the grant has ended already")
    return permit(Rule.GRANT_REVOKE, "procesregisseur revokes the grant")


def may_change_phase(actor: Actor, case: Case, *, to: Phase) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.CASE_PHASE_ROLE, "only the procesregisseur moves a case to its next phase")
    if case.phase is Phase.AFSCHALING:
        return deny(Rule.CASE_PHASE_FINAL, "afschaling is final")
    if to is not NEXT_PHASE[case.phase]:
        return deny(
            Rule.CASE_PHASE_ORDER,
            f"a case moves one phase at a time: from {case.phase} only to {NEXT_PHASE[case.phase]}",
        )
    return permit(Rule.CASE_PHASE, f"from {case.phase} to {to}")


def may_approve(
    actor: Actor,
    document: Document,
    facts: CaseFacts,
    *,
    phase: Phase,
    purposes: frozenset[Purpose],
    now: datetime,
) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    # Art. 3.5c: the provider keeps the say over further use of what it provided.
    if actor.partij_id != document.provider_id:
        return deny(
            Rule.DOCUMENT_APPROVE_PROVIDER, "only the providing partij approves its document"
        )
    if regime(facts.case, now=now) is Regime.DESTROYED:
        return deny(Rule.CASE_DESTROYED, "the case's personal data is destroyed (art. 11.2c)")
    if phase is not facts.case.phase:
        return deny(
            Rule.DOCUMENT_APPROVE_PHASE,
            f"the case is in phase {facts.case.phase}; approve the document for that phase",
        )
    if phase is document.phase:
        return deny(Rule.DOCUMENT_APPROVE_SAME_PHASE, "the document was provided for this phase")
    foreign = purposes - PURPOSES_BY_PHASE[phase]
    if not purposes or foreign:
        return deny(
            Rule.DOCUMENT_APPROVE_PURPOSES,
            f"name purposes of phase {phase}: {', '.join(sorted(PURPOSES_BY_PHASE[phase]))}",
        )
    return permit(Rule.DOCUMENT_APPROVE, f"provider approves the document for phase {phase}")


def may_record_consent(actor: Actor) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.roles & CONSENT_ROLES:
        return deny(Rule.CONSENT_ROLE, "consent is recorded by the partner that obtained it")
    return permit(Rule.CONSENT_RECORD, "the providing partij records the consent it obtained")


def may_withdraw_consent(actor: Actor, consent: Consent) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.partij_id != consent.partij_id:
        return deny(Rule.CONSENT_PARTIJ, "only the partij that recorded the consent withdraws it")
    return permit(Rule.CONSENT_WITHDRAW, "the partij that obtained the consent withdraws it")


def may_admit_to_archive(
    actor: Actor, grantee: Actor, facts: CaseFacts, *, now: datetime
) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.ARCHIVE_ROLE, "only the manager decides access to archived cases (11.2b)")
    if regime(facts.case, now=now) not in {Regime.RESTRICTED, Regime.ARCHIVED}:
        return deny(
            Rule.ARCHIVE_REGIME, "only a case after afschaling, not yet destroyed, has an archive"
        )
    if (unfit := _standing(grantee)) is not None:
        return deny(ADMITTEE_UNFIT[unfit.rule], f"{grantee.username}: {unfit.reason}")
    return permit(Rule.ARCHIVE_ADMIT, f"the manager admits {grantee.username} (art. 11.2b)")


def may_request_further_use(
    actor: Actor, document: Document, facts: CaseFacts, *, now: datetime
) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.partij_id == document.provider_id:
        return deny(Rule.FURTHER_USE_OWN, "a partij needs no approval to use its own document")
    if facts.active_grant(actor, now=now) is None:
        return deny(
            Rule.FURTHER_USE_NO_GRANT, "only a participant with access asks for further use"
        )
    return permit(Rule.FURTHER_USE_REQUEST, "a participant asks the provider (art. 3.5d)")


def may_decide_further_use(actor: Actor, document: Document) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.partij_id != document.provider_id:
        return deny(Rule.FURTHER_USE_PROVIDER, "only the providing partij decides (art. 3.5d)")
    return permit(Rule.FURTHER_USE_DECIDE, "the providing partij decides (art. 3.5d)")


def may_explain_access(actor: Actor) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.roles & {Role.PROCESREGISSEUR, Role.MANAGER}:
        return deny(
            Rule.ACCESS_EXPLAIN_ROLE, "only the procesregisseur and manager see who has access"
        )
    return permit(Rule.ACCESS_EXPLAIN, "overview of access for the procesregisseur or manager")


def may_withdraw_partij(actor: Actor) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.PARTIJ_WITHDRAW_ROLE, "only the manager records a partij's withdrawal")
    return permit(Rule.PARTIJ_WITHDRAW, "the manager records the partij's withdrawal (art. 27.3)")


# --- the audit log (issue 5) ------------------------------------------------------------


def may_read_audit_log(actor: Actor) -> Decision:
    """Who may read and export the audit log: the manager and the FG (art. 24.4, 24.6).

    Never the document contents: the log holds none. A procesregisseur or partner does not
    read the log; a partij asks its FG or the manager for its disclosure record.
    """
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.has(Role.MANAGER):
        return permit(Rule.AUDIT_READ_MANAGER, "the manager keeps the register and the log")
    if actor.has(Role.FG):
        return permit(
            Rule.AUDIT_READ_FG, "the functionaris gegevensbescherming supervises (art. 24.4)"
        )
    return deny(Rule.AUDIT_READ_ROLE, "only the manager and the FG read the audit log")
