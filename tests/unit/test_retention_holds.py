"""Legal holds, early destruction, the retention calendar and removing one's own document
(art. 9.4, 11), table by table, each with its article."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import Case, CaseId, ClosingReason, Phase
from portal.domain.partijen import Actor, Role
from portal.domain.retention import (
    Event,
    HeldBack,
    HoldId,
    LegalHold,
    Regime,
    Step,
    add_months,
    calendar,
    held_back,
    plan,
    regime,
    tombstone_reference,
)
from portal.domain.rules import Decision
from tests.unit import cast

DECIDED = cast.AFSCHALING
RESTRICTED_NOW = add_months(DECIDED, 1)
ARCHIVED_NOW = add_months(DECIDED, 7)
DUE = add_months(DECIDED, 12)
HELD = add_months(DECIDED, 2)
REASON = "inzageverzoek van betrokkene loopt (art. 18)"


def decided(decision: Decision) -> tuple[bool, str]:
    assert decision.reason
    return decision.allowed, decision.rule


def _case(
    *,
    decided_at: datetime | None = DECIDED,
    held_since: datetime | None = None,
    destroyed_at: datetime | None = None,
    number: int = 100,
    reference: str | None = None,
) -> Case:
    case_id = CaseId(UUID(int=number))
    return replace(
        cast.case(Phase.AFSCHALING if decided_at else Phase.RTO, decided_at=decided_at),
        id=case_id,
        reference=reference or f"ZVH-{number}",
        held_since=held_since,
        destroyed_at=destroyed_at,
    )


def facts(**kwargs: object) -> CaseFacts:
    return CaseFacts(case=_case(**kwargs))  # type: ignore[arg-type]  # test-only keyword pass-through


# --- the timeline with a hold (art. 11.2) ---------------------------------------------------


@pytest.mark.parametrize(
    ("case", "now", "expected"),
    [
        pytest.param(_case(), DUE, Regime.DESTROYED, id="art11_2c-unheld-past-12-months"),
        pytest.param(
            _case(held_since=HELD), DUE, Regime.ARCHIVED, id="art11_2b-held-stays-archived"
        ),
        pytest.param(
            _case(held_since=HELD), RESTRICTED_NOW, Regime.RESTRICTED, id="art11_2a-held-early"
        ),
        pytest.param(
            _case(held_since=HELD, destroyed_at=DUE),
            DUE,
            Regime.DESTROYED,
            id="art11_2c-destroyed-whatever-the-hold",
        ),
        pytest.param(
            _case(held_since=DUE + timedelta(days=9)),
            DUE,
            Regime.ARCHIVED,
            id="art11_2b-a-hold-counts-whatever-now-the-sweep-is-run-for",
        ),
    ],
)
def test_art11_2_a_held_case_keeps_its_regime_past_12_months(
    case: Case, now: datetime, expected: Regime
) -> None:
    assert regime(case, now=now) is expected


def test_art11_2c_the_sweep_skips_a_held_case_and_reports_it_held() -> None:
    held = _case(number=1, held_since=HELD)
    unheld = _case(number=2)
    not_due = _case(number=3, decided_at=DECIDED + timedelta(days=1), held_since=HELD)
    cases = [held, unheld, not_due]

    assert plan(cases, now=DUE) == [Step(case_id=unheld.id, due_at=DUE, resuming=False)]
    assert held_back(cases, now=DUE) == [HeldBack(case_id=held.id, due_at=DUE, held_since=HELD)]


def test_art11_2c_a_lifted_hold_puts_the_case_in_the_next_plan() -> None:
    lifted = _case(number=4)

    assert plan([lifted], now=DUE + timedelta(days=30)) == [
        Step(case_id=lifted.id, due_at=DUE, resuming=False)
    ]
    assert held_back([lifted], now=DUE + timedelta(days=30)) == []


def test_art11_2c_a_begun_destruction_resumes_and_is_never_reported_held() -> None:
    begun = _case(number=5, held_since=HELD, destroyed_at=DUE)

    assert [step.resuming for step in plan([begun], now=DECIDED)] == [True]
    assert held_back([begun], now=DUE) == []


def test_held_back_lists_the_oldest_due_first_and_leaves_out_open_and_finished_cases() -> None:
    later = _case(number=6, decided_at=DECIDED + timedelta(days=2), held_since=HELD)
    earlier = _case(number=7, held_since=HELD)
    still_open = _case(number=8, decided_at=None, held_since=HELD)
    finished = replace(
        _case(number=9, held_since=HELD, destroyed_at=DUE),
        reference=tombstone_reference(CaseId(UUID(int=9))),
    )

    listed = held_back([later, earlier, still_open, finished], now=DUE + timedelta(days=3))

    assert [item.case_id for item in listed] == [earlier.id, later.id]


def test_a_hold_is_open_until_it_is_lifted() -> None:
    hold = LegalHold(
        id=HoldId(UUID(int=700)),
        case_id=cast.CASE_ID,
        placed_by=cast.MARIA.user_id,
        placed_at=HELD,
        reason=REASON,
    )
    assert hold.open
    assert not replace(hold, lifted_at=DUE, lifted_by=cast.MARIA.user_id, lift_reason="x").open


# --- the calendar (art. 9.4) -----------------------------------------------------------------


def test_art9_4_the_calendar_lists_next_event_first_and_open_cases_last() -> None:
    restricted = _case(number=11, decided_at=ARCHIVED_NOW - timedelta(days=10))
    archived = _case(number=12)
    held_past_due = _case(number=13, decided_at=DECIDED - timedelta(days=400), held_since=HELD)
    still_open = _case(number=14, decided_at=None)
    destroyed = _case(number=15, destroyed_at=ARCHIVED_NOW)
    overdue = _case(number=16, decided_at=DECIDED - timedelta(days=400))

    entries = calendar(
        [still_open, archived, restricted, held_past_due, destroyed, overdue], now=ARCHIVED_NOW
    )

    assert [entry.case_id for entry in entries] == [
        held_past_due.id,
        archived.id,
        restricted.id,
        still_open.id,
    ]
    first, second, third, last = entries
    assert (first.regime, first.next_event, first.held_since) == (
        Regime.ARCHIVED,
        Event.DESTROY,
        HELD,
    )
    assert (second.regime, second.next_event, second.next_event_at) == (
        Regime.ARCHIVED,
        Event.DESTROY,
        DUE,
    )
    assert (second.decided_at, second.archived_from) == (DECIDED, add_months(DECIDED, 6))
    assert (third.regime, third.next_event) == (Regime.RESTRICTED, Event.ARCHIVE)
    assert third.next_event_at == third.archived_from
    assert (last.regime, last.next_event, last.next_event_at, last.destroy_at) == (
        Regime.OPEN,
        None,
        None,
        None,
    )


def test_art9_4_until_keeps_the_cases_whose_next_event_falls_by_then() -> None:
    archived = _case(number=21)
    restricted = _case(number=22, decided_at=ARCHIVED_NOW - timedelta(days=10))
    still_open = _case(number=23, decided_at=None)

    entries = calendar([archived, restricted, still_open], now=ARCHIVED_NOW, until=DUE)

    assert [entry.case_id for entry in entries] == [archived.id]


# --- who holds, lifts, destroys early, oversees (art. 1.24, 9.4, 11) ---------------------------


@pytest.mark.parametrize(
    ("who", "case_facts", "reason", "now", "expected"),
    [
        pytest.param(
            cast.MARIA, facts(), REASON, ARCHIVED_NOW, (True, "retention:hold"),
            id="art1.24-manager-holds-an-archived-case",
        ),
        pytest.param(
            cast.MARIA, facts(decided_at=None), REASON, ARCHIVED_NOW, (True, "retention:hold"),
            id="art11.1-manager-holds-an-open-case",
        ),
        pytest.param(
            cast.ALICE, facts(), REASON, ARCHIVED_NOW, (False, "retention:hold:role"),
            id="art1.24-procesregisseur-does-not-hold",
        ),
        pytest.param(
            cast.ZOE, facts(), REASON, ARCHIVED_NOW, (False, "retention:hold:role"),
            id="art24.4-fg-does-not-hold",
        ),
        pytest.param(
            cast.actor(Role.MANAGER, screened=False), facts(), REASON, ARCHIVED_NOW,
            (False, "access:screening"), id="art13.3-unscreened-manager",
        ),
        pytest.param(
            cast.MARIA, facts(destroyed_at=ARCHIVED_NOW), REASON, ARCHIVED_NOW,
            (False, "retention:hold:destroyed"), id="art11.2c-destroyed-case-is-not-held",
        ),
        pytest.param(
            cast.MARIA, facts(), REASON, DUE, (False, "retention:hold:destroyed"),
            id="art11.2c-case-past-due-is-not-held",
        ),
        pytest.param(
            cast.MARIA, facts(held_since=HELD), REASON, ARCHIVED_NOW,
            (False, "retention:hold:duplicate"), id="one-open-hold-per-case",
        ),
        pytest.param(
            cast.MARIA, facts(), "omdat", ARCHIVED_NOW, (False, "retention:hold:reason"),
            id="art11.1-hold-says-why",
        ),
    ],
)  # fmt: skip
def test_art11_only_the_manager_holds_a_case_with_a_reason(
    who: Actor, case_facts: CaseFacts, reason: str, now: datetime, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_place_hold(who, case_facts, reason=reason, now=now)) == expected


def test_art11_2c_a_hold_on_a_destroyed_case_says_when_it_was_destroyed() -> None:
    refused = access.may_place_hold(
        cast.MARIA, facts(destroyed_at=ARCHIVED_NOW), reason=REASON, now=ARCHIVED_NOW
    )
    assert f"destroyed on {ARCHIVED_NOW:%Y-%m-%d}" in refused.reason


@pytest.mark.parametrize(
    ("who", "case_facts", "reason", "now", "expected"),
    [
        pytest.param(
            cast.MARIA, facts(held_since=HELD), REASON, ARCHIVED_NOW, (True, "retention:lift"),
            id="art1.24-manager-lifts",
        ),
        pytest.param(
            cast.MARIA, facts(held_since=HELD), REASON, DUE, (True, "retention:lift"),
            id="art11.2c-lifted-past-due-goes-with-the-next-sweep",
        ),
        pytest.param(
            cast.MARIA, facts(decided_at=None, held_since=HELD), REASON, DUE,
            (True, "retention:lift"), id="art11.1-lift-on-an-open-case",
        ),
        pytest.param(
            cast.ALICE, facts(held_since=HELD), REASON, ARCHIVED_NOW,
            (False, "retention:hold:role"), id="art1.24-procesregisseur-does-not-lift",
        ),
        pytest.param(
            cast.actor(Role.MANAGER, active=False), facts(held_since=HELD), REASON,
            ARCHIVED_NOW, (False, "access:account"), id="deactivated-manager",
        ),
        pytest.param(
            cast.MARIA, facts(), REASON, ARCHIVED_NOW, (False, "retention:lift:none"),
            id="nothing-to-lift",
        ),
        pytest.param(
            cast.MARIA, facts(held_since=HELD), " ", ARCHIVED_NOW,
            (False, "retention:lift:reason"), id="art11.1-lift-says-why",
        ),
    ],
)  # fmt: skip
def test_art11_only_the_manager_lifts_a_hold_with_a_reason(
    who: Actor, case_facts: CaseFacts, reason: str, now: datetime, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_lift_hold(who, case_facts, reason=reason, now=now)) == expected


def test_art11_2c_lifting_past_due_says_the_next_sweep_destroys_it() -> None:
    lifted = access.may_lift_hold(cast.MARIA, facts(held_since=HELD), reason=REASON, now=DUE)
    assert "next sweep" in lifted.reason


CLOSED = CaseFacts(
    case=replace(
        cast.case(Phase.TRIAGE, decided_at=DECIDED, closed_reason=ClosingReason.ELDERS_BELEGD),
        reference="ZVH-closed",
    )
)


@pytest.mark.parametrize(
    ("who", "case_facts", "reason", "now", "expected"),
    [
        pytest.param(
            cast.ALICE, facts(), REASON, RESTRICTED_NOW, (True, "retention:destroy-early"),
            id="art9.4-procesregisseur-destroys-after-afschaling",
        ),
        pytest.param(
            cast.ALICE, facts(), REASON, ARCHIVED_NOW, (True, "retention:destroy-early"),
            id="art9.4-procesregisseur-destroys-an-archived-case",
        ),
        pytest.param(
            cast.ALICE, CLOSED, REASON, RESTRICTED_NOW, (True, "retention:destroy-early"),
            id="art11.2-procesregisseur-destroys-a-case-closed-before-rto",
        ),
        pytest.param(
            cast.PETER, facts(), REASON, RESTRICTED_NOW, (False, "case:not-assigned"),
            id="art9.4-procesregisseur-of-another-case",
        ),
        pytest.param(
            cast.MARIA, facts(), REASON, RESTRICTED_NOW, (False, "case:phase:role"),
            id="art9.4-manager-does-not-destroy-early",
        ),
        pytest.param(
            cast.actor(Role.PROCESREGISSEUR, screened=False), facts(), REASON,
            RESTRICTED_NOW, (False, "access:screening"), id="art13.3-unscreened",
        ),
        pytest.param(
            cast.ALICE, facts(), REASON, DUE, (False, "case:destroyed"),
            id="art11.2c-destroyed-already",
        ),
        pytest.param(
            cast.ALICE, facts(decided_at=None), REASON, RESTRICTED_NOW,
            (False, "retention:destroy-early:open"), id="art11.2-open-case-still-needed",
        ),
        pytest.param(
            cast.ALICE, facts(held_since=HELD), REASON, RESTRICTED_NOW,
            (False, "retention:destroy-early:held"), id="art11.1-held-case-is-kept",
        ),
        pytest.param(
            cast.ALICE, facts(held_since=HELD), REASON, DUE,
            (False, "retention:destroy-early:held"), id="art11.1-held-past-due-is-kept",
        ),
        pytest.param(
            cast.ALICE, facts(), "weg", RESTRICTED_NOW,
            (False, "retention:destroy-early:reason"), id="art11.1-destruction-says-why",
        ),
    ],
)  # fmt: skip
def test_art9_4_the_procesregisseur_destroys_a_decided_unheld_case_early(
    who: Actor, case_facts: CaseFacts, reason: str, now: datetime, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_destroy_early(who, case_facts, reason=reason, now=now)) == expected


@pytest.mark.parametrize(
    ("who", "now", "expected"),
    [
        pytest.param(cast.ALICE, RESTRICTED_NOW, (True, "retention:oversee"),
                     id="art9.4-procesregisseur-of-the-case"),
        pytest.param(cast.ALICE, ARCHIVED_NOW, (True, "retention:oversee"),
                     id="art9.4-procesregisseur-also-once-archived"),
        pytest.param(cast.MARIA, ARCHIVED_NOW, (True, "retention:oversee"),
                     id="art1.24-manager"),
        pytest.param(cast.PETER, RESTRICTED_NOW, (False, "retention:oversee:role"),
                     id="art9.6-procesregisseur-of-another-case"),
        pytest.param(cast.BOB, RESTRICTED_NOW, (False, "retention:oversee:role"),
                     id="art9.6-deelnemer"),
        pytest.param(cast.ZOE, RESTRICTED_NOW, (False, "retention:oversee:role"),
                     id="art24.4-fg-supervises-through-the-audit-log"),
        pytest.param(cast.ADA, RESTRICTED_NOW, (False, "retention:oversee:role"),
                     id="art11.2a-administratief-reads-but-does-not-oversee"),
        pytest.param(cast.MARIA, DUE, (False, "case:destroyed"), id="art11.2c-destroyed"),
        pytest.param(cast.actor(Role.MANAGER, active=False), ARCHIVED_NOW,
                     (False, "access:account"), id="deactivated-manager"),
    ],
)  # fmt: skip
def test_art9_4_the_calendar_is_for_who_oversees_destruction(
    who: Actor, now: datetime, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_oversee_retention(who, facts(), now=now)) == expected


@pytest.mark.parametrize(
    ("who", "case_facts", "now", "expected"),
    [
        pytest.param(cast.MARIA, facts(destroyed_at=DUE), DUE, (True, "retention:tombstone"),
                     id="art1.24-manager-is-told-a-destroyed-case-is-gone"),
        pytest.param(cast.ALICE, facts(destroyed_at=DUE), DUE, (False, "case:destroyed"),
                     id="art11.2c-procesregisseur-finds-no-destroyed-case"),
        pytest.param(cast.MARIA, facts(), ARCHIVED_NOW, (True, "case:register-entry:manager"),
                     id="art1.24-manager-sees-the-register-entry"),
        pytest.param(cast.BOB, facts(), RESTRICTED_NOW, (False, "case:restricted"),
                     id="art9.6-deelnemer-finds-no-case"),
    ],
)  # fmt: skip
def test_art9_6_who_may_know_of_a_case_for_a_retention_action(
    who: Actor, case_facts: CaseFacts, now: datetime, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_see_retention_of(who, case_facts, now=now)) == expected


# --- removing one's own document (art. 2.1, 3.5c, 11.1) ---------------------------------------

RTO = CaseFacts(case=cast.case(Phase.RTO))


@pytest.mark.parametrize(
    ("who", "case_facts", "reason", "now", "expected"),
    [
        pytest.param(cast.GERT, RTO, REASON, cast.OPEN_NOW, (True, "document:remove"),
                     id="art2.1-uploader-removes"),
        pytest.param(cast.GINA, RTO, REASON, cast.OPEN_NOW, (True, "document:remove"),
                     id="art3.5c-provider-partner-removes"),
        pytest.param(cast.GINA, facts(), REASON, ARCHIVED_NOW, (True, "document:remove"),
                     id="art11.1-provider-removes-after-afschaling"),
        pytest.param(cast.FIEN, RTO, REASON, cast.OPEN_NOW,
                     (False, "document:remove:provider"), id="art24.4-provider-fg-does-not"),
        pytest.param(cast.ALICE, RTO, REASON, cast.OPEN_NOW,
                     (False, "document:remove:provider"),
                     id="art2.1-procesregisseur-does-not-remove-anothers-document"),
        pytest.param(cast.actor(Role.PARTNER, partij=cast.GGZ_KIND, screened=False), RTO,
                     REASON, cast.OPEN_NOW, (False, "access:screening"), id="art13.3-unscreened"),
        pytest.param(cast.GINA, facts(destroyed_at=ARCHIVED_NOW), REASON, ARCHIVED_NOW,
                     (False, "case:destroyed"), id="art11.2c-destroyed"),
        pytest.param(cast.GINA, facts(held_since=HELD), REASON, ARCHIVED_NOW,
                     (False, "document:remove:held"), id="art11.1-held-case-keeps-documents"),
        pytest.param(cast.GINA, RTO, "", cast.OPEN_NOW, (False, "document:remove:reason"),
                     id="art11.1-removal-says-why"),
    ],
)  # fmt: skip
def test_art2_1_the_provider_removes_its_own_document_unless_the_case_is_held(
    who: Actor, case_facts: CaseFacts, reason: str, now: datetime, expected: tuple[bool, str]
) -> None:
    decision = access.may_remove_document(who, cast.document(), case_facts, reason=reason, now=now)
    assert decided(decision) == expected
