"""The access overview (explain-access) and supervision (audit scope, withdrawal)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.domain import access
from portal.domain.access import AuditScope, CaseFacts, Part
from portal.domain.cases import Phase
from portal.domain.grants import GrantEnd
from portal.domain.partijen import Actor, PartijKind
from portal.domain.retention import add_months
from portal.domain.rules import Decision
from tests.unit import cast

NOW = cast.OPEN_NOW
ALICE = cast.ALICE
ARCHIVED_NOW = add_months(cast.AFSCHALING, 7)


def decided(decision: Decision) -> tuple[bool, str]:
    assert decision.reason
    return decision.allowed, decision.rule


# --- the access overview ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "stage", "expected"),
    [
        pytest.param(
            cast.BOB,
            "rto",
            (True, False, True, Part.GRANT, None, None),
            id="art9.6-granted-participant",
        ),
        pytest.param(
            ALICE,
            "rto",
            (True, False, False, Part.PROCESREGISSEUR, None, None),
            id="art11.2a-keeps-access",
        ),
        pytest.param(
            cast.ANNA, "rto", (True, False, True, Part.AANMELDER, None, None), id="art9.6-aanmelder"
        ),
        pytest.param(
            cast.FIEN,
            "rto",
            (False, False, False, Part.NONE, None, None),
            id="art24.4-fg-never-reads",
        ),
        pytest.param(
            cast.EVE,
            "rto",
            (False, False, False, Part.GRANT, cast.ENDED, GrantEnd.UNTIL),
            id="expired-grant-shown-ended",
        ),
        pytest.param(
            cast.BOB,
            "restricted",
            (False, False, False, Part.GRANT, cast.AFSCHALING, GrantEnd.AFSCHALING),
            id="art11.2a-grant-ended-at-afschaling",
        ),
        pytest.param(
            cast.CARLA,
            "restricted",
            (True, False, False, Part.HANDOVER, cast.HANDOVER_ENDS, None),
            id="bijlage2-hand-over-recipient",
        ),
        pytest.param(
            ALICE,
            "restricted",
            (True, False, False, Part.PROCESREGISSEUR, cast.ARCHIVED_FROM, None),
            id="art11.2a-procesregisseur-until-archive",
        ),
        pytest.param(
            cast.ADA,
            "restricted",
            (True, False, False, Part.ADMINISTRATIEF, cast.ARCHIVED_FROM, None),
            id="art11.2a-administratief",
        ),
        pytest.param(
            cast.ANNA,
            "restricted",
            (False, False, False, Part.AANMELDER, cast.AFSCHALING, None),
            id="art11.2a-aanmelder-ends",
        ),
        pytest.param(
            cast.ADAM,
            "archived",
            (True, False, False, Part.ARCHIVE, add_months(cast.AFSCHALING, 11), None),
            id="art11.2b-admitted",
        ),
    ],
)
def test_the_access_overview(who: Actor, stage: str, expected: tuple[object, ...]) -> None:
    now = {"rto": NOW, "restricted": cast.AFSCHALING + timedelta(days=2), "archived": ARCHIVED_NOW}[
        stage
    ]
    the_case = (
        cast.case(Phase.RTO)
        if stage == "rto"
        else cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING)
    )
    f = CaseFacts(
        case=the_case,
        grants=(cast.grant(cast.BOB), cast.grant(cast.EVE, until=cast.ENDED)),
        admissions=(cast.admission(cast.ADAM),),
        handover=cast.handover() if stage != "rto" else None,
    )
    doc = cast.document()
    explained = access.explain_download(who, doc, f, consent=None, now=now)
    got = (
        explained.can_download,
        explained.needs_justification,
        explained.loses_access_at_afschaling,
        explained.part,
        explained.ends_at,
        explained.ended_by,
    )
    assert got == expected, explained.reason
    assert (
        who.user_id in f.people()
        or explained.part is Part.NONE
        or explained.part is Part.ADMINISTRATIEF
    )


def test_the_overview_asks_for_a_justification_on_police_documents_art8() -> None:
    f = CaseFacts(case=cast.case(Phase.RTO), grants=(cast.grant(cast.BOB),))
    explained = access.explain_download(
        cast.BOB, cast.document(provider_kind=PartijKind.POLITIE), f, consent=None, now=NOW
    )
    assert (explained.can_download, explained.needs_justification) == (True, True)


def test_the_overview_lists_everyone_with_a_part() -> None:
    f = CaseFacts(
        case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING),
        assignments=(cast.assignment(cast.PAULA),),
        grants=(cast.grant(cast.BOB),),
        admissions=(cast.admission(cast.ADAM),),
        handover=cast.handover(),
    )
    people = {cast.ALICE, cast.PAULA, cast.ANNA, cast.BOB, cast.ADAM, cast.CARLA}
    assert f.people() == {p.user_id for p in people}
    assert CaseFacts(case=cast.case()).people() == {cast.ALICE.user_id, cast.ANNA.user_id}


# --- supervision (art. 24.4, 24.6, 27.3) -----------------------------------------------------

OWN = AuditScope(actor_partij=cast.RECLASSERING, provider_partij=cast.GGZ)
RECEIVED = AuditScope(actor_partij=cast.ZVH, recipient_partij=cast.GGZ)
FOREIGN = AuditScope(actor_partij=cast.VENLO, provider_partij=cast.POLITIE)


@pytest.mark.parametrize(
    ("who", "record", "expected"),
    [
        pytest.param(cast.FIEN, OWN, (True, "audit:read:fg"), id="art24.4-fg-its-partij-provides"),
        pytest.param(
            cast.FIEN, RECEIVED, (True, "audit:read:fg"), id="art24.4-fg-its-partij-receives"
        ),
        pytest.param(
            cast.FIEN,
            AuditScope(actor_partij=cast.GGZ),
            (True, "audit:read:fg"),
            id="art24.4-fg-its-partij-acts",
        ),
        pytest.param(
            cast.FIEN, FOREIGN, (False, "audit:read:scope"), id="art24.4-fg-not-other-partijen"
        ),
        pytest.param(cast.ZOE, FOREIGN, (True, "audit:read:fg-zvh"), id="art24.4-zvh-fg-reads-all"),
        pytest.param(
            cast.MARIA, FOREIGN, (True, "audit:read:manager"), id="art24.6-manager-reads-all"
        ),
        pytest.param(
            ALICE, OWN, (False, "audit:read:role"), id="art24.4-procesregisseur-asks-the-fg"
        ),
    ],
)
def test_who_reads_which_audit_record(
    who: Actor, record: AuditScope, expected: tuple[bool, str]
) -> None:
    assert decided(access.may_read_audit_record(who, record)) == expected


@pytest.mark.parametrize(
    ("who", "read", "withdraw"),
    [
        pytest.param(cast.MARIA, True, True, id="art27.3-manager"),
        pytest.param(cast.FIEN, True, False, id="art24.4-fg"),
        pytest.param(ALICE, False, False, id="procesregisseur"),
    ],
)
def test_audit_log_and_partij_withdrawal_roles(who: Actor, read: bool, withdraw: bool) -> None:
    assert access.may_read_audit_log(who).allowed is read
    assert access.may_withdraw_partij(who).allowed is withdraw
