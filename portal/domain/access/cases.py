"""The case itself: who registers it, who sees its register entry or the case, who moves,
closes or takes it over, and who sees who has access."""

from __future__ import annotations

from datetime import datetime

from portal.domain.access.facts import CaseFacts, Part, destroyed, has_reason, standing
from portal.domain.cases import CLOSABLE_PHASES, Case, ClosingReason, Phase
from portal.domain.grants import Grant
from portal.domain.partijen import Actor, Partij, PartijStatus, Role
from portal.domain.retention import Regime
from portal.domain.rules import Decision, Rule, deny, permit

NEXT_PHASE: dict[Phase, Phase] = {
    Phase.AANMELDING: Phase.TRIAGE,
    Phase.TRIAGE: Phase.RTO,
    Phase.RTO: Phase.AFSCHALING,
}
SEE_BY_PART: dict[Part, tuple[Rule, str]] = {
    Part.PROCESREGISSEUR: (Rule.CASE_SEE_PROCESREGISSEUR, "procesregisseur of the case"),
    Part.AANMELDER: (Rule.CASE_SEE_AANMELDER, "reported the case (aanmelder)"),
    # Art. 1.18, 1.19, 9.2: from triage on, the participants the procesregisseur granted access.
    Part.GRANT: (Rule.CASE_SEE_GRANT, "granted access to the case by its procesregisseur"),
}
# Art. 11.2a: the procesregisseurs of a case keep their part for six months after the decision.
PROCESREGISSEUR_REGIMES = frozenset({Regime.OPEN, Regime.RESTRICTED})


def may_register_case(actor: Actor, *, reported_by: Partij, aanmelder: Actor) -> Decision:
    """A procesregisseur registers a case reported by ``aanmelder`` for ``reported_by``."""
    if (denied := standing(actor)) is not None:
        return denied
    # Art. 1.16, 1.22: the procesregisseur registers cases.
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.CASE_REGISTER_ROLE, "only a procesregisseur registers cases")
    # Art. 27.3: a partij that left the covenant reports no cases.
    if reported_by.status is not PartijStatus.ACTIVE:
        return deny(
            Rule.CASE_REPORTER_WITHDRAWN,
            f"{reported_by.name} has withdrawn from the covenant and reports no cases (art. 27.3)",
        )
    # Art. 1.18, 9.2, 9.6: the aanmelder is a named person of the reporting partij.
    if aanmelder.partij_id != reported_by.id:
        return deny(
            Rule.CASE_AANMELDER, f"{aanmelder.username} is not a user of {reported_by.name}"
        )
    if (unfit := standing(aanmelder)) is not None:
        return deny(Rule.CASE_AANMELDER, f"{aanmelder.username}: {unfit.reason}")
    return permit(Rule.CASE_REGISTER_ROLE, "procesregisseur registers the case")


def no_part(actor: Actor, facts: CaseFacts, otherwise: Decision, *, now: datetime) -> Decision:
    """A refusal that says how the actor's grant ended, if they had one."""
    ended = facts.ended_grant(actor, now=now)
    if ended is not None:
        return deny(Rule.GRANT_ENDED, ended_reason(ended, facts.case, now=now))
    return otherwise


def ended_reason(grant: Grant, case: Case, *, now: datetime) -> str:
    if grant.granted_at > now:
        return "the grant has not started yet"
    ends = grant.ends_at(case)
    if grant.revoked_at is not None and grant.revoked_at == ends:
        return f"the grant was revoked on {grant.revoked_at:%Y-%m-%d}"
    if case.decided_at is not None and case.decided_at == ends:
        how = "when the case was closed" if case.closed else "at afschaling"
        return f"the grant ended {how} on {case.decided_at:%Y-%m-%d} (art. 11.2a)"
    return f"the grant expired on {grant.until:%Y-%m-%d}"


def may_see_case(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:  # noqa: PLR0911 - one early return per rule of the protocol
    """Whether the actor may see the case: its document list, file names and grants.

    Denied means 404: the case does not exist for this actor (art. 9.6).
    """
    if (denied := standing(actor)) is not None:
        return denied
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    current = facts.regime(now=now)
    if current is Regime.RESTRICTED:
        # Art. 11.2a: only the procesregisseur and the administratief medewerker.
        if facts.is_procesregisseur(actor):
            return permit(
                Rule.CASE_RESTRICTED,
                "within six months of the decision: procesregisseur of the case (art. 11.2a)",
            )
        if facts.is_administratief(actor):
            return permit(
                Rule.CASE_RESTRICTED,
                "within six months of the decision: administratief medewerker (art. 11.2a)",
            )
        refused = deny(
            Rule.CASE_RESTRICTED,
            "after the decision only the case's procesregisseurs and the administratief "
            "medewerker have access for six months (art. 11.2a)",
        )
        return no_part(actor, facts, refused, now=now)
    if current is Regime.ARCHIVED:
        # Art. 11.2b: the manager decides who; nobody else, the manager included.
        if facts.admission_of(actor, now=now) is not None:
            return permit(Rule.CASE_ARCHIVED, "admitted to the archive by the manager (art. 11.2b)")
        if facts.ended_admission(actor, now=now) is not None:
            return deny(Rule.ARCHIVE_ENDED, "the admission to the archive has ended (art. 11.2b)")
        return deny(
            Rule.CASE_ARCHIVED,
            "the case is archived; only users the manager admits have access (art. 11.2b)",
        )
    # Art. 9.6: the case's own people, never a partij or a role as such.
    if (part := facts.open_part(actor, now=now)) is not None:
        return permit(*SEE_BY_PART[part])
    refused = deny(Rule.CASE_SEE_NONE, "the actor has no part in this case")
    return no_part(actor, facts, refused, now=now)


def may_see_register_entry(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:
    """Whether the actor may see the register entry: reference, phase, dates, assignees.

    Every procesregisseur sees it, so a colleague can take a case over by being assigned;
    the manager sees it in every regime (art. 1.22, 1.24, 11.2b). Denied means 404.
    """
    seen = may_see_case(actor, facts, now=now)
    if seen.allowed or standing(actor) is not None or seen.rule is Rule.CASE_DESTROYED:
        return seen
    if actor.has(Role.PROCESREGISSEUR):
        return permit(
            Rule.CASE_REGISTER_ENTRY_PROCESREGISSEUR,
            "a procesregisseur sees the register entry, not the case's documents",
        )
    if actor.has(Role.MANAGER):
        return permit(
            Rule.CASE_REGISTER_ENTRY_MANAGER,
            "the manager sees the register entry, not the case's documents (art. 1.24)",
        )
    return seen


def _decision_date(case: Case, decided_at: datetime | None, *, now: datetime) -> Decision | None:
    # Art. 1.21, 11.2: the timeline counts from the decision itself, so its date is checked.
    if decided_at is None:
        return deny(Rule.CASE_DECIDED_AT, "give the date of the decision (decided_at)")
    if decided_at > now:
        return deny(Rule.CASE_DECIDED_AT, "the decision's date (decided_at) is in the future")
    if decided_at < case.phase_changed_at:
        return deny(
            Rule.CASE_DECIDED_AT,
            f"the decision's date (decided_at) lies before the case entered phase "
            f"{case.phase} on {case.phase_changed_at:%Y-%m-%d}",
        )
    return None


def procesregisseur_of(actor: Actor, facts: CaseFacts, *, action: str) -> Decision | None:
    if not actor.has(Role.PROCESREGISSEUR):
        return deny(Rule.CASE_PHASE_ROLE, f"only the procesregisseur {action}")
    if not facts.is_procesregisseur(actor):
        return deny(
            Rule.CASE_NOT_ASSIGNED,
            f"only a procesregisseur of the case {action}; ask to be assigned to it",
        )
    return None


def may_change_phase(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor, facts: CaseFacts, *, to: Phase, decided_at: datetime | None, now: datetime
) -> Decision:
    """Move the case one phase on; afschaling carries the RTO's decision date."""
    if (denied := standing(actor)) is not None:
        return denied
    if (refused := procesregisseur_of(actor, facts, action="moves a case on")) is not None:
        return refused
    case = facts.case
    if case.closed:
        return deny(Rule.CASE_CLOSED, f"the case was closed ({case.closed_reason})")
    if case.phase is Phase.AFSCHALING:
        return deny(Rule.CASE_PHASE_FINAL, "afschaling is final")
    if to is not NEXT_PHASE[case.phase]:
        return deny(
            Rule.CASE_PHASE_ORDER,
            f"a case moves one phase at a time: from {case.phase} only to {NEXT_PHASE[case.phase]}",
        )
    if to is Phase.AFSCHALING:
        if (undated := _decision_date(case, decided_at, now=now)) is not None:
            return undated
    elif decided_at is not None:
        return deny(Rule.CASE_DECIDED_AT, "only the afschaling decision carries decided_at")
    return permit(Rule.CASE_PHASE, f"from {case.phase} to {to}")


def may_close_case(
    actor: Actor,
    facts: CaseFacts,
    *,
    reason: ClosingReason,
    decided_at: datetime | None,
    now: datetime,
) -> Decision:
    """Close a case before an RTO; it then follows the afschaling timeline (art. 1.21, 11.2)."""
    if (denied := standing(actor)) is not None:
        return denied
    if (refused := procesregisseur_of(actor, facts, action="closes a case")) is not None:
        return refused
    case = facts.case
    if case.closed:
        return deny(Rule.CASE_CLOSED, f"the case was closed already ({case.closed_reason})")
    if case.phase not in CLOSABLE_PHASES:
        return deny(
            Rule.CASE_CLOSE_PHASE,
            f"a case is closed at aanmelding or triage; in phase {case.phase} it ends by "
            "afschaling",
        )
    if (undated := _decision_date(case, decided_at, now=now)) is not None:
        return undated
    return permit(Rule.CASE_CLOSE, f"closed in phase {case.phase}: {reason}")


def may_assign_procesregisseur(  # noqa: PLR0911 - one early return per rule of the protocol
    actor: Actor, assignee: Actor, facts: CaseFacts, *, reason: str, now: datetime
) -> Decision:
    """Assign another procesregisseur to the case, on record (art. 1.22, 1.24)."""
    if (denied := standing(actor)) is not None:
        return denied
    if not (facts.is_procesregisseur(actor) or actor.has(Role.MANAGER)):
        return deny(
            Rule.CASE_ASSIGN_ROLE,
            "only a procesregisseur of the case or the manager assigns a procesregisseur",
        )
    if facts.regime(now=now) not in PROCESREGISSEUR_REGIMES:
        return deny(
            Rule.CASE_ASSIGN_REGIME,
            "an archived case is opened by the manager's admission, not by assignment (art. 11.2b)",
        )
    if not has_reason(reason):
        return deny(Rule.CASE_ASSIGN_REASON, "say why the procesregisseur is assigned")
    if (unfit := standing(assignee)) is not None:
        return deny(Rule.CASE_ASSIGN_ASSIGNEE, f"{assignee.username}: {unfit.reason}")
    if not assignee.has(Role.PROCESREGISSEUR):
        return deny(Rule.CASE_ASSIGN_ASSIGNEE, f"{assignee.username} is not a procesregisseur")
    if assignee.user_id in facts.procesregisseurs:
        return deny(
            Rule.CASE_ASSIGN_DUPLICATE, f"{assignee.username} is a procesregisseur of the case"
        )
    return permit(Rule.CASE_ASSIGN, f"{assignee.username} is assigned to the case")


def may_explain_access(actor: Actor, facts: CaseFacts, *, now: datetime) -> Decision:
    """Who sees who has access: the case's procesregisseurs while they have it, the manager."""
    if (denied := standing(actor)) is not None:
        return denied
    if (gone := destroyed(facts, now=now)) is not None:
        return gone
    if actor.has(Role.MANAGER):
        return permit(Rule.ACCESS_EXPLAIN, "overview of access for the manager (art. 1.24)")
    if facts.is_procesregisseur(actor) and facts.regime(now=now) in PROCESREGISSEUR_REGIMES:
        return permit(Rule.ACCESS_EXPLAIN, "overview of access for the case's procesregisseur")
    return deny(
        Rule.ACCESS_EXPLAIN_ROLE,
        "only the case's procesregisseurs and the manager see who has access",
    )
