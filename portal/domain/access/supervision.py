"""Supervision: who reads the audit log and which of its records (art. 24.4, 24.6), and
who records a partij's withdrawal (art. 27.3)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.access.facts import standing
from portal.domain.partijen import Actor, PartijId, PartijKind, Role
from portal.domain.rules import Decision, Rule, deny, permit


@dataclass(frozen=True, kw_only=True)
class AuditScope:
    """The partijen one audit record concerns: who acted, who provided, who received."""

    actor_partij: PartijId | None
    provider_partij: PartijId | None = None
    recipient_partij: PartijId | None = None

    def concerns(self, partij: PartijId) -> bool:
        return partij in {self.actor_partij, self.provider_partij, self.recipient_partij}


def may_read_audit_log(actor: Actor) -> Decision:
    """Who may open the audit log at all: the manager and the FG (art. 24.4, 24.6).

    Never the document contents: the log holds none. Which records an FG reads is
    ``may_read_audit_record``'s to say.
    """
    if (denied := standing(actor)) is not None:
        return denied
    if actor.has(Role.MANAGER):
        return permit(Rule.AUDIT_READ_MANAGER, "the manager keeps the register and the log")
    if actor.has(Role.FG):
        return permit(
            Rule.AUDIT_READ_FG, "the functionaris gegevensbescherming supervises (art. 24.4)"
        )
    return deny(Rule.AUDIT_READ_ROLE, "only the manager and the FG read the audit log")


def may_read_audit_record(actor: Actor, record: AuditScope) -> Decision:
    """One record: the ZVH's FG and the manager read all; another FG its own partij's."""
    opened = may_read_audit_log(actor)
    if not opened.allowed:
        return opened
    if actor.has(Role.MANAGER):
        return opened
    # Art. 24.4: the house's FG supervises the house's processing as a whole.
    if actor.partij_kind is PartijKind.ZVH:
        return permit(Rule.AUDIT_READ_FG_ZVH, "the ZVH's FG supervises every processing")
    if record.concerns(actor.partij_id):
        return permit(
            Rule.AUDIT_READ_FG, "the record concerns the FG's own partij (art. 24.4, 24.6)"
        )
    return deny(
        Rule.AUDIT_READ_SCOPE,
        "an FG reads the records in which its own partij acts, provides or receives",
    )


def supervised_partij(actor: Actor) -> PartijId | None:
    """The partij whose records this reader is limited to, or None for those who read all
    (the manager and the ZVH's FG): the same scope as :func:`may_read_audit_record`."""
    if actor.has(Role.MANAGER) or actor.partij_kind is PartijKind.ZVH:
        return None
    return actor.partij_id


def may_withdraw_partij(actor: Actor) -> Decision:
    if (denied := standing(actor)) is not None:
        return denied
    if not actor.has(Role.MANAGER):
        return deny(Rule.PARTIJ_WITHDRAW_ROLE, "only the manager records a partij's withdrawal")
    return permit(Rule.PARTIJ_WITHDRAW, "the manager records the partij's withdrawal (art. 27.3)")
