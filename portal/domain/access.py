"""May this actor do this, now? Each rule returns a decision with the reason behind it.

The foundation of the access rules: who may register cases, upload to them, and read or
download a case's documents. Phases, grants per RTO participant, consent and the
afschaling regimes refine these rules (next issue); until then a case's documents are
open to the procesregisseur and the partij that provided them, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.cases import Case, Phase, Purpose
from portal.domain.documents import Document
from portal.domain.parties import Actor, PartijId, PartijStatus, Role

UPLOADING_ROLES = frozenset(
    {Role.PROCESREGISSEUR, Role.PARTNER, Role.CASUSREGISSEUR, Role.DEELNEMER}
)


@dataclass(frozen=True, kw_only=True)
class Decision:
    allowed: bool
    rule: str
    """The rule that decided, a stable code for the audit log (``access:screening``)."""
    reason: str
    """Why, in words fit for the audit log and the caller."""


def _permit(rule: str, reason: str) -> Decision:
    return Decision(allowed=True, rule=rule, reason=reason)


def _deny(rule: str, reason: str) -> Decision:
    return Decision(allowed=False, rule=rule, reason=reason)


def _standing(actor: Actor) -> Decision | None:
    """The preconditions for any access at all, or None when they hold."""
    if not actor.active:
        return _deny("access:account", "the account is deactivated")
    # Art. 27.3: a partij that left the covenant loses all access at once.
    if actor.partij_status is not PartijStatus.ACTIVE:
        return _deny("access:partij-withdrawn", "the user's partij has withdrawn from the covenant")
    # Art. 13.1, 13.3: no access without VOG and confidentiality statement on record.
    if not actor.screened:
        return _deny(
            "access:screening",
            "no VOG and signed confidentiality statement on record for this user (art. 13.1, 13.3)",
        )
    return None


def may_register_case(actor: Actor) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    # Art. 1.16, 1.22: the procesregisseur registers cases.
    if not actor.has(Role.PROCESREGISSEUR):
        return _deny("case:register:role", "only a procesregisseur registers cases")
    return _permit("case:register:role", "procesregisseur registers the case")


def may_see_case(actor: Actor, case: Case, *, providers: frozenset[PartijId]) -> Decision:
    """Whether the actor may know the case exists: its metadata and document list."""
    if (denied := _standing(actor)) is not None:
        return denied
    if case.destroyed_at is not None:
        return _deny("case:destroyed", "the case has been destroyed")
    if actor.has(Role.PROCESREGISSEUR):
        return _permit("case:see:procesregisseur", "procesregisseur oversees every case")
    if actor.partij_id == case.reported_by:
        return _permit("case:see:reporter", "the actor's partij reported the case")
    if actor.partij_id in providers:
        return _permit("case:see:provider", "the actor's partij provided documents to the case")
    return _deny("case:see:none", "the actor's partij has no part in this case")


def may_upload(actor: Actor, case: Case, *, phase: Phase) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if case.destroyed_at is not None:
        return _deny("case:destroyed", "the case has been destroyed")
    if not actor.roles & UPLOADING_ROLES:
        return _deny("document:upload:role", "the user's role does not provide documents")
    # Art. 3.5: a document is provided for one case and one phase: the current one.
    if phase is not case.phase:
        return _deny(
            "document:upload:phase",
            f"the case is in phase {case.phase}; documents are accepted for that phase only",
        )
    return _permit("document:upload", "a screened partner provides a document for its phase")


def may_download(actor: Actor, document: Document, case: Case, *, purpose: Purpose) -> Decision:
    if (denied := _standing(actor)) is not None:
        return denied
    if case.destroyed_at is not None:
        return _deny("case:destroyed", "the case has been destroyed")
    # Art. 3.5: data is used only for the purposes its provider allowed.
    if purpose not in document.restrictions.purposes:
        allowed = ", ".join(sorted(document.restrictions.purposes))
        return _deny(
            "document:download:purpose",
            f"purpose {purpose} is not allowed for this document; its provider allowed: {allowed}",
        )
    if actor.has(Role.PROCESREGISSEUR):
        return _permit("document:download:procesregisseur", "procesregisseur of the case")
    # Art. 2.1: the provider stays controller of what it provided.
    if actor.partij_id == document.provider_id:
        return _permit("document:download:provider", "the actor's partij provided the document")
    return _deny("document:download:none", "no access to this document has been granted")


# --- the audit log (issue 5) ------------------------------------------------------------


def may_read_audit_log(actor: Actor) -> Decision:
    """Who may read and export the audit log: the manager and the FG (art. 24.4, 24.6).

    Never the document contents: the log holds none. A procesregisseur or partner does not
    read the log; a partij asks its FG or the manager for its disclosure record.
    """
    if (denied := _standing(actor)) is not None:
        return denied
    if actor.has(Role.MANAGER):
        return _permit("audit:read:manager", "the manager keeps the register and the log")
    if actor.has(Role.FG):
        return _permit(
            "audit:read:fg", "the functionaris gegevensbescherming supervises (art. 24.4)"
        )
    return _deny("audit:read:role", "only the manager and the FG read the audit log")
