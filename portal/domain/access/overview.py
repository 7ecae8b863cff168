"""The access overview (explain-access): per person, their part and what they can do now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain.access.documents import may_download
from portal.domain.access.facts import CaseFacts, Part
from portal.domain.cases import PURPOSES_BY_PHASE
from portal.domain.consents import Consent
from portal.domain.documents import Document
from portal.domain.grants import GrantEnd
from portal.domain.partijen import Actor
from portal.domain.retention import Regime, timeline
from portal.domain.rules import Rule


@dataclass(frozen=True, kw_only=True)
class Explanation:
    """Whether a user can download a document now, and why: the download's own decision."""

    can_download: bool
    needs_justification: bool
    """Allowed once the user states a justification (police and OM documents, art. 8)."""
    rule: Rule
    reason: str
    loses_access_at_afschaling: bool
    part: Part
    ends_at: datetime | None
    """When the person's part ends or ended (a grant's computed end, the hand-over window,
    the admission's end, the end of the six months of art. 11.2a)."""
    ended_by: GrantEnd | None
    """For a grant: what ends it, so a grant ended at afschaling does not look active."""


def _part(actor: Actor, facts: CaseFacts) -> tuple[Part, datetime | None, GrantEnd | None]:  # noqa: PLR0911 - one early return per rule of the protocol
    case = facts.case
    restricted_until = timeline(case.decided_at).archived_from if case.decided_at else None
    if facts.is_procesregisseur(actor):
        return Part.PROCESREGISSEUR, restricted_until, None
    if facts.is_aanmelder(actor):
        return Part.AANMELDER, case.decided_at, None
    handover = facts.handover_to(actor)
    if handover is not None:
        return Part.HANDOVER, handover.window_ends_at, None
    grants = [g for g in facts.grants if g.user_id == actor.user_id]
    if grants:
        latest = max(grants, key=lambda g: g.granted_at)
        return Part.GRANT, latest.ends_at(case), latest.ended_by(case)
    admissions = [a for a in facts.admissions if a.user_id == actor.user_id]
    if admissions:
        return Part.ARCHIVE, max(a.ends_at() for a in admissions), None
    if facts.is_administratief(actor):
        return Part.ADMINISTRATIEF, restricted_until, None
    return Part.NONE, None, None


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
    part, ends_at, ended_by = _part(actor, facts)
    return Explanation(
        can_download=can,
        needs_justification=needs_justification,
        rule=verdict.rule,
        reason=verdict.reason,
        # Art. 11.2a: at afschaling everyone but the case's procesregisseurs loses access.
        loses_access_at_afschaling=can
        and facts.regime(now=now) is Regime.OPEN
        and part is not Part.PROCESREGISSEUR,
        part=part,
        ends_at=ends_at,
        ended_by=ended_by,
    )
