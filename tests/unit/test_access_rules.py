"""The case rules beyond the matrix, table by table, each with the article it enforces."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import ClosingReason, Phase, Purpose
from portal.domain.partijen import Actor, Partij, PartijKind, PartijStatus, Role
from portal.domain.retention import add_months
from portal.domain.rules import Decision
from tests.unit import cast

NOW = cast.OPEN_NOW
ALICE = cast.ALICE

VENLO = Partij(
    id=cast.VENLO, name="Gemeente Venlo", kind=PartijKind.COLLEGE, status=PartijStatus.ACTIVE
)


def facts(phase: Phase = Phase.RTO, **kwargs: object) -> CaseFacts:
    return CaseFacts(case=cast.case(phase), **kwargs)  # type: ignore[arg-type]  # test-only keyword pass-through


def decided(decision: Decision) -> tuple[bool, str]:
    assert decision.reason
    return decision.allowed, decision.rule


@pytest.mark.parametrize(
    ("who", "rule"),
    [
        pytest.param(
            cast.actor(Role.PROCESREGISSEUR, screened=False),
            "access:screening",
            id="art13.1-13.3-no-vog",
        ),
        pytest.param(
            cast.actor(Role.PROCESREGISSEUR, active=False),
            "access:account",
            id="deactivated-account",
        ),
        pytest.param(
            cast.actor(Role.PROCESREGISSEUR, partij_status=PartijStatus.WITHDRAWN),
            "access:partij-withdrawn",
            id="art27.3-partij-withdrawn",
        ),
        pytest.param(cast.ROGUE, "access:zvh-role", id="art1.22-zvh-role-held-elsewhere"),
        pytest.param(
            cast.actor(Role.MANAGER, partij=(cast.GGZ, PartijKind.GGZ)),
            "access:zvh-role",
            id="art1.24-manager-held-elsewhere",
        ),
    ],
)
def test_standing_is_checked_before_every_rule(who: Actor, rule: str) -> None:
    f = facts()
    doc = cast.document()
    checks = [
        access.may_register_case(who, reported_by=VENLO, aanmelder=cast.ANNA),
        access.may_see_case(who, f, now=NOW),
        access.may_see_register_entry(who, f, now=NOW),
        access.may_see_document(who, doc, f, now=NOW),
        access.may_upload(who, f, phase=Phase.RTO, now=NOW),
        access.may_download(
            who, doc, f, purpose=Purpose.MONITORING, consent=None, justification=None, now=NOW
        ),
        access.may_grant(who, cast.CHARLIE, f, until=None, documents=None, now=NOW),
        access.may_revoke_grant(who, cast.grant(who), f, now=NOW),
        access.may_change_phase(who, f, to=Phase.AFSCHALING, decided_at=NOW, now=NOW),
        access.may_close_case(who, f, reason=ClosingReason.ELDERS_BELEGD, decided_at=NOW, now=NOW),
        access.may_assign_procesregisseur(
            who, cast.PETER, f, reason="overname tijdens verlof", now=NOW
        ),
        access.may_hand_over(who, cast.CARLA, f, documents=frozenset({cast.DOCUMENT_ID}), now=NOW),
        access.may_approve(
            who, doc, f, phase=Phase.RTO, purposes=frozenset({Purpose.MONITORING}), now=NOW
        ),
        access.may_record_consent(who),
        access.may_withdraw_consent(who, cast.consent()),
        access.may_admit_to_archive(
            who, cast.CHARLIE, f, reason="inzageverzoek", until=NOW, now=NOW
        ),
        access.may_revoke_admission(who, cast.admission(cast.ADAM), now=NOW),
        access.may_request_further_use(who, doc, f, now=NOW),
        access.may_decide_further_use(who, doc),
        access.may_explain_access(who, f, now=NOW),
        access.may_withdraw_partij(who),
        access.may_read_audit_log(who),
        access.may_read_audit_record(who, access.AuditScope(actor_partij=who.partij_id)),
    ]
    assert {decided(d) for d in checks} == {(False, rule)}


@pytest.mark.parametrize(
    ("who", "reporter", "aanmelder", "expected"),
    [
        pytest.param(
            ALICE, VENLO, cast.ANNA, (True, "case:register:role"), id="art1.22-procesregisseur"
        ),
        pytest.param(
            cast.ANNA, VENLO, cast.ANNA, (False, "case:register:role"), id="art1.22-partner"
        ),
        pytest.param(
            ALICE,
            cast.replace(VENLO, status=PartijStatus.WITHDRAWN),
            cast.ANNA,
            (False, "case:reporter-withdrawn"),
            id="art27.3-withdrawn-reporter",
        ),
        pytest.param(
            ALICE,
            VENLO,
            cast.GINA,
            (False, "case:aanmelder"),
            id="art1.18-aanmelder-of-another-partij",
        ),
        pytest.param(
            ALICE,
            VENLO,
            cast.actor(Role.PARTNER, partij=cast.VENLO_KIND, screened=False),
            (False, "case:aanmelder"),
            id="art13.3-unscreened-aanmelder",
        ),
    ],
)
def test_registering_a_case(
    who: Actor, reporter: Partij, aanmelder: Actor, expected: tuple[bool, str]
) -> None:
    assert (
        decided(access.may_register_case(who, reported_by=reporter, aanmelder=aanmelder))
        == expected
    )


def test_a_destroyed_case_is_closed_to_everyone_even_the_manager() -> None:
    gone = CaseFacts(case=cast.replace(cast.case(), destroyed_at=NOW))
    assert decided(access.may_see_case(cast.MARIA, gone, now=NOW)) == (False, "case:destroyed")
    assert decided(access.may_see_register_entry(cast.MARIA, gone, now=NOW)) == (
        False,
        "case:destroyed",
    )


def test_a_grant_counts_only_from_triage_art1_18() -> None:
    f = facts(Phase.AANMELDING, grants=(cast.grant(cast.BOB),))
    assert decided(access.may_see_case(cast.BOB, f, now=NOW)) == (False, "case:see:none")


def test_uploads_are_for_the_current_phase_only_art3_5a() -> None:
    assert decided(access.may_upload(ALICE, facts(Phase.RTO), phase=Phase.TRIAGE, now=NOW)) == (
        False,
        "document:upload:phase",
    )


@pytest.mark.parametrize(
    ("grant_kwargs", "decided_at", "closed", "words"),
    [
        pytest.param({"revoked_at": cast.ENDED}, None, None, "revoked", id="revoked"),
        pytest.param({"until": cast.ENDED}, None, None, "expired", id="expired"),
        pytest.param(
            {}, cast.ENDED, None, "ended at afschaling", id="art11.2a-ended-at-afschaling"
        ),
        pytest.param(
            {},
            cast.ENDED,
            ClosingReason.NIET_TOEGELATEN,
            "when the case was closed",
            id="art1.21-ended-at-closing",
        ),
    ],
)
def test_an_ended_grant_says_how_it_ended(
    grant_kwargs: dict[str, datetime],
    decided_at: datetime | None,
    closed: ClosingReason | None,
    words: str,
) -> None:
    the_case = cast.case(Phase.RTO, decided_at=decided_at, closed_reason=closed)
    ended = cast.grant(
        cast.BOB, until=grant_kwargs.get("until"), revoked_at=grant_kwargs.get("revoked_at")
    )
    assert words in access.ended_reason(ended, the_case, now=NOW)
    decision = access.may_see_case(cast.BOB, CaseFacts(case=the_case, grants=(ended,)), now=NOW)
    assert decided(decision) == (False, "grant:ended")
    assert words in decision.reason


def test_a_grant_that_has_not_started_is_not_active() -> None:
    f = CaseFacts(case=cast.case(Phase.RTO), grants=(cast.grant(cast.BOB),))
    early = access.may_see_case(cast.BOB, f, now=cast.CREATED)
    assert decided(early) == (False, "grant:ended")
    assert "not started" in early.reason
    assert access.may_see_case(cast.BOB, f, now=NOW).allowed


@pytest.mark.parametrize(
    ("role", "current", "to", "decided_at", "expected"),
    [
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AANMELDING,
            Phase.TRIAGE,
            None,
            (True, "case:phase"),
            id="art1.18-forward",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AANMELDING,
            Phase.RTO,
            None,
            (False, "case:phase:order"),
            id="art1.18-skip",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.TRIAGE,
            None,
            (False, "case:phase:order"),
            id="art1.18-backwards",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AFSCHALING,
            Phase.AFSCHALING,
            NOW,
            (False, "case:phase:final"),
            id="art1.21-final",
        ),
        pytest.param(
            Role.DEELNEMER,
            Phase.RTO,
            Phase.AFSCHALING,
            NOW,
            (False, "case:phase:role"),
            id="art1.22-not-procesregisseur",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.AFSCHALING,
            NOW,
            (True, "case:phase"),
            id="art11.2-afschaling-dated",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.AFSCHALING,
            None,
            (False, "case:decided-at"),
            id="art11.2-afschaling-undated",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.AFSCHALING,
            NOW + timedelta(days=1),
            (False, "case:decided-at"),
            id="art11.2-decided-in-the-future",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.AFSCHALING,
            cast.CREATED - timedelta(days=1),
            (False, "case:decided-at"),
            id="art1.21-decided-before-the-rto",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AANMELDING,
            Phase.TRIAGE,
            NOW,
            (False, "case:decided-at"),
            id="art1.21-only-afschaling-is-dated",
        ),
    ],
)
def test_phase_changes(
    role: Role, current: Phase, to: Phase, decided_at: datetime | None, expected: tuple[bool, str]
) -> None:
    who = ALICE if role is Role.PROCESREGISSEUR else cast.BOB
    decision = access.may_change_phase(who, facts(current), to=to, decided_at=decided_at, now=NOW)
    assert decided(decision) == expected


def test_only_a_procesregisseur_of_the_case_moves_it_art1_22() -> None:
    decision = access.may_change_phase(
        cast.PETER, facts(Phase.TRIAGE), to=Phase.RTO, decided_at=None, now=NOW
    )
    assert decided(decision) == (False, "case:not-assigned")
    assigned = facts(Phase.TRIAGE, assignments=(cast.assignment(cast.PETER),))
    assert access.may_change_phase(
        cast.PETER, assigned, to=Phase.RTO, decided_at=None, now=NOW
    ).allowed


@pytest.mark.parametrize(
    ("the_case", "decided_at", "expected"),
    [
        pytest.param(
            cast.case(Phase.AANMELDING), NOW, (True, "case:close"), id="art1.18-not-admitted"
        ),
        pytest.param(
            cast.case(Phase.TRIAGE), NOW, (True, "case:close"), id="art1.19-routed-elsewhere"
        ),
        pytest.param(
            cast.case(Phase.RTO),
            NOW,
            (False, "case:close:phase"),
            id="art1.21-rto-ends-by-afschaling",
        ),
        pytest.param(
            cast.case(
                Phase.TRIAGE, decided_at=cast.ENDED, closed_reason=ClosingReason.ELDERS_BELEGD
            ),
            NOW,
            (False, "case:closed"),
            id="closed-already",
        ),
        pytest.param(
            cast.case(Phase.TRIAGE), None, (False, "case:decided-at"), id="art11.2-undated"
        ),
        pytest.param(
            cast.case(Phase.TRIAGE, phase_changed_at=NOW),
            cast.ENDED,
            (False, "case:decided-at"),
            id="art1.21-before-the-phase",
        ),
    ],
)
def test_closing_a_case_without_rto(
    the_case: object, decided_at: datetime | None, expected: tuple[bool, str]
) -> None:
    f = CaseFacts(case=the_case)  # type: ignore[arg-type]  # a Case from the table
    decision = access.may_close_case(
        ALICE, f, reason=ClosingReason.ELDERS_BELEGD, decided_at=decided_at, now=NOW
    )
    assert decided(decision) == expected


def test_only_a_procesregisseur_of_the_case_closes_it_art1_22() -> None:
    f = facts(Phase.TRIAGE)
    for who, rule in ((cast.PETER, "case:not-assigned"), (cast.ANNA, "case:phase:role")):
        decision = access.may_close_case(
            who, f, reason=ClosingReason.NIET_TOEGELATEN, decided_at=NOW, now=NOW
        )
        assert decided(decision) == (False, rule)


def test_a_closed_case_moves_no_further() -> None:
    closed = CaseFacts(
        case=cast.case(
            Phase.TRIAGE, decided_at=cast.ENDED, closed_reason=ClosingReason.NIET_TOEGELATEN
        )
    )
    decision = access.may_change_phase(ALICE, closed, to=Phase.RTO, decided_at=None, now=NOW)
    assert decided(decision) == (False, "case:closed")


RESTRICTED_NOW = add_months(cast.AFSCHALING, 1)
ARCHIVED_NOW = add_months(cast.AFSCHALING, 7)
REASON = "overname tijdens verlof"


@pytest.mark.parametrize(
    ("who", "assignee", "reason", "now", "expected"),
    [
        pytest.param(
            ALICE,
            cast.PETER,
            REASON,
            NOW,
            (True, "case:assign"),
            id="art1.22-by-its-procesregisseur",
        ),
        pytest.param(
            cast.MARIA,
            cast.PETER,
            REASON,
            RESTRICTED_NOW,
            (True, "case:assign"),
            id="art1.24-by-the-manager",
        ),
        pytest.param(
            cast.PETER,
            cast.PETER,
            REASON,
            NOW,
            (False, "case:assign:role"),
            id="art1.22-not-by-a-colleague",
        ),
        pytest.param(
            ALICE,
            cast.PETER,
            REASON,
            ARCHIVED_NOW,
            (False, "case:assign:regime"),
            id="art11.2b-not-in-the-archive",
        ),
        pytest.param(
            ALICE, cast.PETER, "", NOW, (False, "case:assign:reason"), id="on-record-with-a-reason"
        ),
        pytest.param(
            ALICE,
            cast.ROGUE,
            REASON,
            NOW,
            (False, "case:assign:assignee"),
            id="art1.22-zvh-role-elsewhere",
        ),
        pytest.param(
            ALICE,
            cast.ADA,
            REASON,
            NOW,
            (False, "case:assign:assignee"),
            id="art1.22-not-a-procesregisseur",
        ),
        pytest.param(
            ALICE, cast.PAULA, REASON, NOW, (False, "case:assign:duplicate"), id="assigned-already"
        ),
    ],
)
def test_assigning_a_procesregisseur(
    who: Actor, assignee: Actor, reason: str, now: datetime, expected: tuple[bool, str]
) -> None:
    decided_at = None if now == NOW else cast.AFSCHALING
    f = CaseFacts(
        case=cast.case(
            Phase.RTO if decided_at is None else Phase.AFSCHALING, decided_at=decided_at
        ),
        assignments=(cast.assignment(cast.PAULA),),
    )
    assert (
        decided(access.may_assign_procesregisseur(who, assignee, f, reason=reason, now=now))
        == expected
    )


@pytest.mark.parametrize(
    ("who", "now", "expected"),
    [
        pytest.param(
            ALICE, RESTRICTED_NOW, (True, "access:explain"), id="art11.2a-procesregisseur"
        ),
        pytest.param(
            ALICE,
            ARCHIVED_NOW,
            (False, "access:explain:role"),
            id="art11.2b-procesregisseur-archived",
        ),
        pytest.param(cast.MARIA, ARCHIVED_NOW, (True, "access:explain"), id="art1.24-manager"),
        pytest.param(
            cast.PETER, RESTRICTED_NOW, (False, "access:explain:role"), id="art9.6-unassigned"
        ),
        pytest.param(
            cast.MARIA,
            add_months(cast.AFSCHALING, 13),
            (False, "case:destroyed"),
            id="art11.2c-destroyed",
        ),
    ],
)
def test_who_sees_who_has_access(who: Actor, now: datetime, expected: tuple[bool, str]) -> None:
    f = CaseFacts(case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING))
    assert decided(access.may_explain_access(who, f, now=now)) == expected
