"""Retention: who holds a case's destruction, who destroys it before its time, who sees
what comes next, and who removes a document of their own (art. 9.4, 11).

- The manager places and lifts a legal hold (art. 1.24; 11.1: data is kept while its
  processing is still needed). A held case is destroyed neither by the sweep nor earlier.
- The case's procesregisseur sees to it that data no longer needed is destroyed (9.4), and
  may destroy a decided case before +12 months: 11.2 says "zodra ... niet langer nodig,
  maar uiterlijk binnen 1 jaar". An open case is still needed, by definition.
- The retention calendar is for those who oversee destruction: the case's procesregisseurs
  (9.4) and the manager (1.24, 11.2b). The FG supervises through the audit log (24.4, 24.6),
  which holds every hold, lift and destruction; it does not get the list of cases.
- The providing partij stays controller of what it provided (2.1, 3.5c) and may remove its
  own document once it is no longer needed for the case (11.1).
"""

from __future__ import annotations

from datetime import datetime

from portal.domain.access.cases import may_see_register_entry, procesregisseur_of
from portal.domain.access.documents import is_controller
from portal.domain.access.facts import CaseFacts, destroyed, has_reason, standing
from portal.domain.documents import Document
from portal.domain.partijen import Actor, Role
from portal.domain.retention import Regime, timeline
from portal.domain.rules import Decision, Rule, deny, permit


def may_see_retention_of(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:
    """Whether the actor may know of the case for a retention action. Denied means 404.

    As the register entry (every procesregisseur, the manager), and one more: the manager
    is told plainly that a destroyed case is gone, rather than "no such case", so a hold
    asked for too late is refused with its reason (the tombstone holds no personal data).
    """
    seen = may_see_register_entry(actor, facts, now=now)
    if seen.rule is Rule.CASE_DESTROYED and actor.has(Role.MANAGER):
        return permit(
            Rule.RETENTION_TOMBSTONE, "the manager learns that a destroyed case is gone (art. 1.24)"
        )
    return seen


def _unholdable(facts: CaseFacts, *, now: datetime) -> Decision | None:
    case = facts.case
    if case.destroyed_at is not None:
        return deny(
            Rule.RETENTION_HOLD_DESTROYED,
            f"the case was destroyed on {case.destroyed_at:%Y-%m-%d}; there is nothing left to "
            "hold (art. 11.2c)",
        )
    if facts.regime(now=now) is Regime.DESTROYED and case.decided_at is not None:
        return deny(
            Rule.RETENTION_HOLD_DESTROYED,
            f"the case fell due for destruction on "
            f"{timeline(case.decided_at).destroy_at:%Y-%m-%d} and is destroyed by the next "
            "sweep; it can no longer be held (art. 11.2c)",
        )
    return None


def may_place_hold(actor: Actor, facts: CaseFacts, *, reason: str, now: datetime) -> Decision:
    """The manager holds the case's destruction, with the reason it is still needed."""
    if (denied := standing(actor)) is not None:
        return denied
    # Art. 1.24: the manager heads the house and answers for what it keeps.
    if not actor.has(Role.MANAGER):
        return deny(Rule.RETENTION_HOLD_ROLE, "only the manager places a legal hold (art. 1.24)")
    if (gone := _unholdable(facts, now=now)) is not None:
        return gone
    held_since = facts.case.held_since
    if held_since is not None:
        return deny(
            Rule.RETENTION_HOLD_DUPLICATE,
            f"the case is held already, since {held_since:%Y-%m-%d %H:%M} UTC",
        )
    # Art. 11.1: kept no longer than needed; the hold says why it still is.
    if not has_reason(reason):
        return deny(Rule.RETENTION_HOLD_REASON, "say why the case must be kept (art. 11.1)")
    return permit(Rule.RETENTION_HOLD, "the manager holds the case's destruction (art. 1.24, 11.1)")


def may_lift_hold(actor: Actor, facts: CaseFacts, *, reason: str, now: datetime) -> Decision:
    """The manager lifts the hold; the timeline then applies again, at once."""
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.RETENTION_HOLD_ROLE, "only the manager lifts a legal hold (art. 1.24)")
    if facts.case.held_since is None:
        return deny(Rule.RETENTION_LIFT_NONE, "the case is not under a legal hold")
    if not has_reason(reason):
        return deny(Rule.RETENTION_LIFT_REASON, "say why the case need no longer be kept")
    if _past_due(facts, now=now):
        return permit(
            Rule.RETENTION_LIFT,
            "the manager lifts the hold; the case is past +12 months and goes with the next "
            "sweep (art. 11.2c)",
        )
    return permit(Rule.RETENTION_LIFT, "the manager lifts the hold (art. 1.24)")


def _past_due(facts: CaseFacts, *, now: datetime) -> bool:
    decided = facts.case.decided_at
    return decided is not None and now >= timeline(decided).destroy_at


def may_destroy_early(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor, facts: CaseFacts, *, reason: str, now: datetime
) -> Decision:
    """The case's procesregisseur destroys a decided case before +12 months (9.4, 11.2)."""
    if (denied := standing(actor)) is not None:
        return denied
    if (refused := procesregisseur_of(actor, facts, action="destroys a case early")) is not None:
        return refused
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    case = facts.case
    # Art. 11.2: "niet langer nodig" is the afschaling or closing decision; before it, the
    # case is still being worked on.
    if facts.regime(now=now) is Regime.OPEN:
        return deny(
            Rule.RETENTION_DESTROY_OPEN,
            "a case is destroyed early only after the afschaling or closing decision "
            "(art. 11.2); this one is still open",
        )
    if case.held_since is not None:
        return deny(
            Rule.RETENTION_DESTROY_HELD,
            f"the case is under a legal hold since {case.held_since:%Y-%m-%d}; only once the "
            "manager lifts it can the case be destroyed",
        )
    if not has_reason(reason):
        return deny(
            Rule.RETENTION_DESTROY_REASON, "say why the data is no longer needed (art. 11.1)"
        )
    return permit(
        Rule.RETENTION_DESTROY_EARLY,
        "procesregisseur of the case: no longer needed, destroyed before +12 months "
        "(art. 9.4, 11.2)",
    )


def may_oversee_retention(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:
    """Whether the case is on the actor's retention calendar (art. 9.4)."""
    if (denied := standing(actor)) is not None:
        return denied
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    if actor.has(Role.MANAGER):
        return permit(Rule.RETENTION_OVERSEE, "the manager oversees what the house keeps (1.24)")
    # Art. 9.4: in every regime, also once the case is archived and no longer theirs to read.
    if facts.is_procesregisseur(actor):
        return permit(
            Rule.RETENTION_OVERSEE, "procesregisseur of the case oversees its destruction (9.4)"
        )
    return deny(
        Rule.RETENTION_OVERSEE_ROLE,
        "only the case's procesregisseurs and the manager oversee its retention (art. 9.4)",
    )


def may_remove_document(
    actor: Actor, document: Document, facts: CaseFacts, *, reason: str, now: datetime
) -> Decision:
    """The providing partij removes its own document from the case (art. 2.1, 3.5c, 11.1)."""
    if (denied := standing(actor)) is not None:
        return denied
    if not is_controller(actor, document):
        return deny(
            Rule.DOCUMENT_REMOVE_PROVIDER,
            "only the uploader or a partner or casusregisseur of the providing partij removes "
            "its document (art. 2.1, 3.5c)",
        )
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    held_since = facts.case.held_since
    if held_since is not None:
        return deny(
            Rule.DOCUMENT_REMOVE_HELD,
            f"the case is under a legal hold since {held_since:%Y-%m-%d}; nothing of it is "
            "removed until the manager lifts it",
        )
    if not has_reason(reason):
        return deny(Rule.DOCUMENT_REMOVE_REASON, "say why the document is no longer needed")
    return permit(
        Rule.DOCUMENT_REMOVE, "the providing partij removes its own document (art. 2.1, 11.1)"
    )


def may_read_figures(actor: Actor) -> Decision:
    """The management figures kept of destroyed cases (art. 11.3) are the manager's, who
    heads the house and answers for it (art. 1.24)."""
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(
            Rule.RETENTION_FIGURES_ROLE,
            "only the manager reads the management figures (art. 1.24, 11.3)",
        )
    return permit(Rule.RETENTION_FIGURES, "the manager reads the management figures (art. 11.3)")


def may_read_destruction_report(actor: Actor) -> Decision:
    """The signed report of a destruction: the manager and the procesregisseurs.

    Any procesregisseur, not only the case's: the destruction erased who its
    procesregisseurs were, and the report names nothing but the case's id and counts.
    They see to destruction (9.4); the manager answers for it (1.24).
    """
    if (denied := standing(actor)) is not None:
        return denied
    if actor.has(Role.MANAGER):
        return permit(Rule.RETENTION_REPORT, "the manager answers for destruction (art. 1.24)")
    if actor.has(Role.PROCESREGISSEUR):
        return permit(Rule.RETENTION_REPORT, "the procesregisseur sees to destruction (art. 9.4)")
    return deny(
        Rule.RETENTION_REPORT_ROLE,
        "only the manager and the procesregisseurs read destruction reports (art. 1.24, 9.4)",
    )
