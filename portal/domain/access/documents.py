"""One document: who sees its metadata, provides, downloads, re-approves it, and who asks
for or decides its further use; and the consent it may rest on."""

from __future__ import annotations

from datetime import datetime

from portal.domain.access.cases import may_see_case, no_part
from portal.domain.access.facts import CONTROLLER_ROLES, CaseFacts, Part, destroyed, standing
from portal.domain.cases import PURPOSES_BY_PHASE, Phase, Purpose
from portal.domain.consents import Consent
from portal.domain.documents import Document, LegalBasis
from portal.domain.grants import Handover
from portal.domain.partijen import Actor, PartijKind, Role, UserId
from portal.domain.retention import Regime
from portal.domain.rules import Decision, Rule, deny, permit

UPLOADING_ROLES = frozenset(
    {Role.PROCESREGISSEUR, Role.PARTNER, Role.CASUSREGISSEUR, Role.DEELNEMER}
)
CONSENT_ROLES = frozenset({Role.PARTNER, Role.CASUSREGISSEUR, Role.DEELNEMER})
# Art. 8: police and OM document every individual provision with its justification.
JUSTIFICATION_REQUIRED = frozenset({PartijKind.POLITIE, PartijKind.OM})
MIN_JUSTIFICATION_LENGTH = 10
UPLOAD_BY_PART: dict[Part, tuple[Rule, str]] = {
    Part.PROCESREGISSEUR: (Rule.DOCUMENT_UPLOAD_PROCESREGISSEUR, "procesregisseur of the case"),
    Part.AANMELDER: (Rule.DOCUMENT_UPLOAD_AANMELDER, "reported the case (aanmelder)"),
    Part.GRANT: (Rule.DOCUMENT_UPLOAD_GRANT, "granted access to the case"),
}


def may_resume_upload(actor: Actor, *, uploaded_by: UserId, what: str) -> Decision:
    """A resumable upload is its uploader's alone: its bytes are not a document yet, and
    whether someone else has one under way is not for others to learn (art. 9.6)."""
    if actor.user_id != uploaded_by:
        return deny(
            Rule.DOCUMENT_UPLOAD_RESUME_OTHER, f"{what} of a resumable upload another user made"
        )
    return permit(Rule.DOCUMENT_UPLOAD_RESUME, f"{what} of the uploader's own resumable upload")


def needs_justification(document: Document) -> bool:
    """Art. 8: a police or OM document is disclosed only with a justification."""
    return document.provider_kind in JUSTIFICATION_REQUIRED


def is_controller(actor: Actor, document: Document) -> bool:
    """Art. 2.1, 3.5c: the uploader, or a partner or casusregisseur of the providing partij."""
    if actor.partij_id != document.provider_id:
        return False
    return actor.user_id == document.uploaded_by or bool(actor.roles & CONTROLLER_ROLES)


def may_see_document(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor, document: Document, facts: CaseFacts, *, now: datetime
) -> Decision:
    """Whether the actor may see this one document's metadata. Denied means 404."""
    if (denied := standing(actor)) is not None:
        return denied
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    seen = may_see_case(actor, facts, now=now)
    grant = facts.grant_of(actor, now=now)
    # Art. 9.6: a grant limited to listed documents shows those, not the rest.
    limited_away = grant is not None and not grant.covers(document.id)
    if seen.allowed and not (seen.rule is Rule.CASE_SEE_GRANT and limited_away):
        return seen
    # Art. 9.6: whoever provided a document keeps sight of its own metadata.
    if actor.user_id == document.uploaded_by:
        return permit(Rule.DOCUMENT_SEE_UPLOADER, "uploaded this document")
    # Art. 2.1, 3.5c: the provider stays controller, and sees what it controls.
    if is_controller(actor, document):
        return permit(
            Rule.DOCUMENT_SEE_PROVIDER, "a case worker of the providing partij (art. 3.5c)"
        )
    handover = facts.handover_to(actor)
    if (
        handover is not None
        and document.id in handover.documents
        and handover.open(now=now)
        and facts.regime(now=now) is Regime.RESTRICTED
    ):
        return permit(Rule.DOCUMENT_SEE_HANDOVER, "named for the hand-over (Bijlage 2)")
    if seen.allowed:
        return deny(Rule.DOCUMENT_SEE_NONE, "the grant does not extend to this document")
    return seen


def may_upload(actor: Actor, facts: CaseFacts, *, phase: Phase, now: datetime) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    case = facts.case
    if facts.regime(now=now) is not Regime.OPEN:
        return deny(
            Rule.DOCUMENT_UPLOAD_AFSCHALING,
            "after the afschaling or closing decision no documents are provided",
        )
    if not actor.roles & UPLOADING_ROLES:
        return deny(Rule.DOCUMENT_UPLOAD_ROLE, "the user's role does not provide documents")
    # Art. 3.5a: a document is provided for one case and one phase: the current one.
    if phase is not case.phase:
        return deny(
            Rule.DOCUMENT_UPLOAD_PHASE,
            f"the case is in phase {case.phase}; documents are accepted for that phase only",
        )
    if (part := facts.open_part(actor, now=now)) is not None:
        return permit(*UPLOAD_BY_PART[part])
    return deny(
        Rule.DOCUMENT_UPLOAD_NO_PART,
        "only the case's procesregisseurs, its aanmelder and participants granted access "
        "provide documents",
    )


def _handover_path(document: Document, handover: Handover, *, now: datetime) -> Decision:
    # Bijlage 2 "overdracht": a bounded window, and each document with its provider's say.
    if not handover.open(now=now):
        return deny(
            Rule.HANDOVER_WINDOW,
            f"the hand-over window closed on {handover.window_ends_at:%Y-%m-%d}",
        )
    if Purpose.OVERDRACHT not in document.purposes_in(Phase.AFSCHALING):
        return deny(
            Rule.HANDOVER_APPROVAL,
            "the providing partij has not approved this document for overdracht (art. 3.5c)",
        )
    return permit(Rule.DOCUMENT_DOWNLOAD_HANDOVER, "named casusregisseur for the hand-over")


def _download_path(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor, document: Document, facts: CaseFacts, *, now: datetime
) -> Decision:
    """Who the actor is to this document: the first half of a download decision."""
    current = facts.regime(now=now)
    if current is Regime.RESTRICTED:
        handover = facts.handover_to(actor)
        if handover is not None and document.id in handover.documents:
            return _handover_path(document, handover, now=now)
    if current is not Regime.OPEN:
        return may_see_case(actor, facts, now=now)
    if facts.is_procesregisseur(actor):
        return permit(Rule.DOCUMENT_DOWNLOAD_PROCESREGISSEUR, "procesregisseur of the case")
    if facts.is_aanmelder(actor):
        return permit(Rule.DOCUMENT_DOWNLOAD_AANMELDER, "reported the case (aanmelder)")
    grant = facts.grant_of(actor, now=now)
    if grant is not None:
        if grant.covers(document.id):
            return permit(Rule.DOCUMENT_DOWNLOAD_GRANT, "granted access as RTO participant")
        return deny(Rule.DOCUMENT_DOWNLOAD_GRANT_LIMIT, "the grant is limited to other documents")
    # Art. 2.1, 3.5c against 9.6: controlling a document is not a part in the case.
    controller_only = deny(
        Rule.DOCUMENT_DOWNLOAD_CONTROLLER_ONLY,
        "the providing partij stays controller of its document, but reading its contents "
        "needs a part in the case (art. 9.6)",
    )
    refused = (
        controller_only
        if is_controller(actor, document)
        else deny(Rule.DOCUMENT_DOWNLOAD_NO_PART, "the actor has no part in this case")
    )
    return no_part(actor, facts, refused, now=now)


def may_download(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor,
    document: Document,
    facts: CaseFacts,
    *,
    purpose: Purpose,
    consent: Consent | None,
    justification: str | None,
    now: datetime,
) -> Decision:
    if (denied := standing(actor)) is not None:
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
    if needs_justification(document) and (
        justification is None or len(justification.strip()) < MIN_JUSTIFICATION_LENGTH
    ):
        return deny(
            Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION,
            f"documents of the {document.provider_kind} are disclosed only with a "
            "justification (art. 8): say why you need it, as justification=... "
            f"(at least {MIN_JUSTIFICATION_LENGTH} characters)",
        )
    return permit(path.rule, f"{path.reason}; purpose {purpose}")


def may_approve(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor,
    document: Document,
    facts: CaseFacts,
    *,
    phase: Phase,
    purposes: frozenset[Purpose],
    now: datetime,
) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    # Art. 3.5c: the provider keeps the say over further use of what it provided.
    if not is_controller(actor, document):
        return deny(
            Rule.DOCUMENT_APPROVE_PROVIDER,
            "only the uploader or a partner or casusregisseur of the providing partij "
            "approves its document",
        )
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
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
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.roles & CONSENT_ROLES:
        return deny(Rule.CONSENT_ROLE, "consent is recorded by the partner that obtained it")
    return permit(Rule.CONSENT_RECORD, "the providing partij records the consent it obtained")


def may_withdraw_consent(actor: Actor, consent: Consent) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if actor.partij_id != consent.partij_id:
        return deny(Rule.CONSENT_PARTIJ, "only the partij that recorded the consent withdraws it")
    # Art. 7.2c-d: the partij's case workers act for it; its FG supervises and does not.
    if not actor.roles & CONSENT_ROLES:
        return deny(Rule.CONSENT_ROLE, "consent is withdrawn by the partij's case workers")
    return permit(Rule.CONSENT_WITHDRAW, "the partij that obtained the consent withdraws it")


def may_request_further_use(
    actor: Actor, document: Document, facts: CaseFacts, *, now: datetime
) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if actor.partij_id == document.provider_id:
        return deny(Rule.FURTHER_USE_OWN, "a partij needs no approval to use its own document")
    grant = facts.grant_of(actor, now=now)
    has_part = facts.regime(now=now) is Regime.OPEN and (
        facts.is_aanmelder(actor) or (grant is not None and grant.covers(document.id))
    )
    if not has_part:
        return deny(
            Rule.FURTHER_USE_NO_PART,
            "only the aanmelder or a participant with access to the document asks for further use",
        )
    return permit(Rule.FURTHER_USE_REQUEST, "a participant asks the provider (art. 3.5d)")


def may_decide_further_use(actor: Actor, document: Document) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if not is_controller(actor, document):
        return deny(Rule.FURTHER_USE_PROVIDER, "only the providing partij decides (art. 3.5d)")
    return permit(Rule.FURTHER_USE_DECIDE, "the providing partij decides (art. 3.5d)")
