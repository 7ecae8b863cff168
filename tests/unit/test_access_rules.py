"""The access rules beyond the matrix, table by table, each with the article it enforces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import Phase, Purpose
from portal.domain.documents import (
    Approval,
    LegalBasis,
    RestrictionsRefused,
    check_restrictions,
)
from portal.domain.partijen import Actor, PartijKind, PartijStatus, Role
from portal.domain.retention import Regime, add_months, regime, timeline
from portal.domain.rules import Decision
from tests.unit import cast

NOW = cast.OPEN_NOW


def facts(phase: Phase = Phase.RTO, **kwargs: object) -> CaseFacts:
    return CaseFacts(case=cast.case(phase), providers=frozenset({cast.GGZ}), **kwargs)  # type: ignore[arg-type]  # test-only keyword pass-through


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
    ],
)
def test_standing_is_checked_before_every_rule(who: Actor, rule: str) -> None:
    f = facts()
    doc = cast.document()
    consent = cast.consent()
    checks = [
        access.may_register_case(who),
        access.may_see_case(who, f, now=NOW),
        access.may_upload(who, f, phase=Phase.RTO, now=NOW),
        access.may_download(
            who, doc, f, purpose=Purpose.MONITORING, consent=None, justification=None, now=NOW
        ),
        access.may_grant(who, cast.actor(Role.DEELNEMER), f, until=None, now=NOW),
        access.may_revoke_grant(who, cast.grant(who), f, now=NOW),
        access.may_change_phase(who, f.case, to=Phase.AFSCHALING),
        access.may_approve(
            who, doc, f, phase=Phase.RTO, purposes=frozenset({Purpose.MONITORING}), now=NOW
        ),
        access.may_record_consent(who),
        access.may_withdraw_consent(who, consent),
        access.may_admit_to_archive(who, cast.actor(Role.DEELNEMER), f, now=NOW),
        access.may_request_further_use(who, doc, f, now=NOW),
        access.may_decide_further_use(who, doc),
        access.may_explain_access(who),
        access.may_withdraw_partij(who),
    ]
    assert {decided(d) for d in checks} == {(False, rule)}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param(
            Role.PROCESREGISSEUR, (True, "case:register:role"), id="art1.22-procesregisseur"
        ),
        pytest.param(Role.PARTNER, (False, "case:register:role"), id="art1.22-partner"),
    ],
)
def test_only_a_procesregisseur_registers_cases(role: Role, expected: tuple[bool, str]) -> None:
    assert decided(access.may_register_case(cast.actor(role))) == expected


def test_a_destroyed_case_is_closed_to_everyone_even_the_manager() -> None:
    destroyed = CaseFacts(case=cast.replace(cast.case(), destroyed_at=NOW))
    assert decided(access.may_see_case(cast.actor(Role.MANAGER), destroyed, now=NOW)) == (
        False,
        "case:destroyed",
    )


def test_uploads_are_for_the_current_phase_only_art3_5a() -> None:
    who = cast.actor(Role.PROCESREGISSEUR)
    assert decided(access.may_upload(who, facts(Phase.RTO), phase=Phase.TRIAGE, now=NOW)) == (
        False,
        "document:upload:phase",
    )


@pytest.mark.parametrize(
    ("purpose", "approved_for", "expected"),
    [
        pytest.param(
            Purpose.SCREENING,
            (Phase.RTO,),
            (False, "document:download:purpose-phase"),
            id="art3.5a-purpose-of-another-phase",
        ),
        pytest.param(
            Purpose.MONITORING,
            (),
            (False, "document:download:reapproval"),
            id="art3.5b-not-reapproved",
        ),
        pytest.param(
            Purpose.MONITORING,
            (Phase.RTO,),
            (True, "document:download:procesregisseur"),
            id="art3.5c-reapproved",
        ),
    ],
)
def test_purpose_and_phase_binding(
    purpose: Purpose, approved_for: tuple[Phase, ...], expected: tuple[bool, str]
) -> None:
    doc = cast.document(approved_for=approved_for)
    decision = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        doc,
        facts(Phase.RTO),
        purpose=purpose,
        consent=None,
        justification=None,
        now=NOW,
    )
    assert decided(decision) == expected


def test_a_purpose_the_provider_did_not_allow_is_refused_art3_5() -> None:
    doc = cast.document(approved_for=())
    decision = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        doc,
        facts(Phase.AANMELDING),
        purpose=Purpose.SCREENING,
        consent=None,
        justification=None,
        now=NOW,
    )
    assert decision.allowed
    narrowed = cast.replace(doc, restrictions=cast.replace(doc.restrictions, purposes=frozenset()))
    refused = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        narrowed,
        facts(Phase.AANMELDING),
        purpose=Purpose.SCREENING,
        consent=None,
        justification=None,
        now=NOW,
    )
    assert decided(refused) == (False, "document:download:reapproval")
    approved_other = cast.document(approved_for=(Phase.RTO,))
    only_monitoring = cast.replace(
        approved_other,
        approvals=(
            Approval(phase=Phase.RTO, purposes=frozenset({Purpose.MONITORING}), approved_at=NOW),
        ),
    )
    other = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        only_monitoring,
        facts(Phase.RTO),
        purpose=Purpose.PLAN_VAN_AANPAK,
        consent=None,
        justification=None,
        now=NOW,
    )
    assert decided(other) == (False, "document:download:purpose")


@pytest.mark.parametrize(
    ("justification", "expected"),
    [
        pytest.param(None, (False, "document:download:justification"), id="art8-no-justification"),
        pytest.param("kort", (False, "document:download:justification"), id="art8-too-short"),
        pytest.param(
            "voor het plan van aanpak nodig",
            (True, "document:download:procesregisseur"),
            id="art8-justified",
        ),
    ],
)
def test_police_documents_need_a_justification(
    justification: str | None, expected: tuple[bool, str]
) -> None:
    doc = cast.document(provider_kind=PartijKind.POLITIE)
    decision = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        doc,
        facts(Phase.RTO),
        purpose=Purpose.MONITORING,
        consent=None,
        justification=justification,
        now=NOW,
    )
    assert decided(decision) == expected
    if not decision.allowed:
        assert "justification" in decision.reason


def test_consent_basis_without_a_consent_record_is_refused_art7_2() -> None:
    doc = cast.document(legal_basis=LegalBasis.TOESTEMMING)
    decision = access.may_download(
        cast.actor(Role.PROCESREGISSEUR),
        doc,
        facts(Phase.RTO),
        purpose=Purpose.MONITORING,
        consent=None,
        justification=None,
        now=NOW,
    )
    assert decided(decision) == (False, "document:download:consent")


@pytest.mark.parametrize(
    ("grant_kwargs", "afschaling", "words"),
    [
        pytest.param({"revoked_at": cast.ENDED}, None, "revoked", id="revoked"),
        pytest.param({"until": cast.ENDED}, None, "expired", id="expired"),
        pytest.param({}, cast.ENDED, "ended at afschaling", id="art11.2-ended-at-afschaling"),
    ],
)
def test_an_ended_grant_says_how_it_ended(
    grant_kwargs: dict[str, datetime], afschaling: datetime | None, words: str
) -> None:
    bob = cast.actor(Role.DEELNEMER)
    the_case = cast.case(Phase.RTO, afschaling_at=afschaling)
    ended = cast.grant(bob, **grant_kwargs)
    # After afschaling the regime gate answers first; the wording is still what the
    # access overview shows, so it is checked on its own.
    assert words in access._ended_reason(ended, the_case, now=NOW)
    if afschaling is None:
        f = CaseFacts(case=the_case, grants=(ended,))
        decision = access._download_path(bob, cast.document(), f, now=NOW)
        assert decided(decision) == (False, "grant:ended")
        assert words in decision.reason


def test_a_grant_that_has_not_started_is_not_active() -> None:
    bob = cast.actor(Role.DEELNEMER)
    early = cast.grant(bob)
    f = CaseFacts(case=cast.case(Phase.RTO), grants=(early,))
    decision = access._download_path(bob, cast.document(), f, now=cast.CREATED)
    assert decided(decision) == (False, "grant:ended")
    assert "not started" in decision.reason


def test_a_grant_ends_at_afschaling_whatever_its_until() -> None:
    bob = cast.actor(Role.DEELNEMER)
    g = cast.grant(bob, until=datetime(2027, 1, 1, tzinfo=UTC))
    the_case = cast.case(Phase.AFSCHALING, afschaling_at=cast.AFSCHALING)
    assert g.ends_at(the_case) == cast.AFSCHALING
    assert not g.active(the_case, now=cast.AFSCHALING)
    assert g.active(the_case, now=cast.AFSCHALING - timedelta(seconds=1))
    assert cast.grant(bob).ends_at(cast.case()) is None


@pytest.mark.parametrize(
    ("grantee", "until", "rule"),
    [
        pytest.param(
            cast.actor(Role.DEELNEMER, screened=False),
            None,
            "grant:access:screening",
            id="art13.1-13.3-unscreened-grantee",
        ),
        pytest.param(
            cast.actor(Role.DEELNEMER, partij_status=PartijStatus.WITHDRAWN),
            None,
            "grant:access:partij-withdrawn",
            id="art27.3-withdrawn-grantee",
        ),
        pytest.param(cast.actor(Role.FG), None, "grant:grantee-role", id="art24.4-fg-never-reads"),
        pytest.param(
            cast.actor(Role.DEELNEMER),
            NOW - timedelta(days=1),
            "grant:until",
            id="until-in-the-past",
        ),
    ],
)
def test_who_cannot_be_granted(grantee: Actor, until: datetime | None, rule: str) -> None:
    decision = access.may_grant(
        cast.actor(Role.PROCESREGISSEUR), grantee, facts(), until=until, now=NOW
    )
    assert decided(decision) == (False, rule)


def test_revoking_a_grant() -> None:
    alice = cast.actor(Role.PROCESREGISSEUR)
    bob = cast.actor(Role.DEELNEMER)
    live = cast.grant(bob)
    f = facts(grants=(live,))
    assert decided(access.may_revoke_grant(alice, live, f, now=NOW)) == (True, "grant:revoke")
    assert decided(access.may_revoke_grant(bob, live, f, now=NOW)) == (False, "grant:role")
    ended = cast.grant(bob, revoked_at=cast.ENDED)
    assert decided(access.may_revoke_grant(alice, ended, f, now=NOW)) == (False, "grant:ended")


@pytest.mark.parametrize(
    ("role", "current", "to", "expected"),
    [
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AANMELDING,
            Phase.TRIAGE,
            (True, "case:phase"),
            id="art1.18-forward",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AANMELDING,
            Phase.RTO,
            (False, "case:phase:order"),
            id="art1.18-skip",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.RTO,
            Phase.TRIAGE,
            (False, "case:phase:order"),
            id="art1.18-backwards",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            Phase.AFSCHALING,
            Phase.AFSCHALING,
            (False, "case:phase:final"),
            id="art1.21-final",
        ),
        pytest.param(
            Role.DEELNEMER,
            Phase.RTO,
            Phase.AFSCHALING,
            (False, "case:phase:role"),
            id="art1.22-not-procesregisseur",
        ),
    ],
)
def test_phase_changes(role: Role, current: Phase, to: Phase, expected: tuple[bool, str]) -> None:
    assert decided(access.may_change_phase(cast.actor(role), cast.case(current), to=to)) == expected


@pytest.mark.parametrize(
    ("who", "phase", "purposes", "case_phase", "expected"),
    [
        pytest.param(
            "provider",
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (True, "document:approve"),
            id="art3.5c-provider-approves",
        ),
        pytest.param(
            "other",
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (False, "document:approve:provider"),
            id="art3.5c-only-the-provider",
        ),
        pytest.param(
            "provider",
            Phase.TRIAGE,
            {Purpose.ROUTERING},
            Phase.RTO,
            (False, "document:approve:phase"),
            id="art3.5b-current-phase-only",
        ),
        pytest.param(
            "provider",
            Phase.AANMELDING,
            {Purpose.SCREENING},
            Phase.AANMELDING,
            (False, "document:approve:same-phase"),
            id="art3.5b-its-own-phase",
        ),
        pytest.param(
            "provider",
            Phase.RTO,
            {Purpose.SCREENING},
            Phase.RTO,
            (False, "document:approve:purposes"),
            id="bijlage2-foreign-purpose",
        ),
        pytest.param(
            "provider",
            Phase.RTO,
            set(),
            Phase.RTO,
            (False, "document:approve:purposes"),
            id="bijlage2-no-purpose",
        ),
    ],
)
def test_reapproval(
    who: str, phase: Phase, purposes: set[Purpose], case_phase: Phase, expected: tuple[bool, str]
) -> None:
    actor = cast.provider_actor() if who == "provider" else cast.actor(Role.PARTNER)
    decision = access.may_approve(
        actor,
        cast.document(approved_for=()),
        facts(case_phase),
        phase=phase,
        purposes=frozenset(purposes),
        now=NOW,
    )
    assert decided(decision) == expected


def test_no_approval_for_a_destroyed_case() -> None:
    f = CaseFacts(case=cast.case(Phase.AFSCHALING, afschaling_at=cast.AFSCHALING))
    late = add_months(cast.AFSCHALING, 13)
    decision = access.may_approve(
        cast.provider_actor(),
        cast.document(approved_for=()),
        f,
        phase=Phase.AFSCHALING,
        purposes=frozenset({Purpose.OVERDRACHT}),
        now=late,
    )
    assert decided(decision) == (False, "case:destroyed")


def test_consent_is_recorded_and_withdrawn_by_its_own_partij_art7_2() -> None:
    assert decided(access.may_record_consent(cast.provider_actor())) == (True, "consent:record")
    assert decided(access.may_record_consent(cast.actor(Role.MANAGER))) == (False, "consent:role")
    consent = cast.consent()
    assert decided(access.may_withdraw_consent(cast.provider_actor(), consent)) == (
        True,
        "consent:withdraw",
    )
    assert decided(access.may_withdraw_consent(cast.actor(Role.PARTNER), consent)) == (
        False,
        "consent:partij",
    )
    assert consent.in_force(now=NOW)
    assert not cast.consent(withdrawn_at=cast.ENDED).in_force(now=NOW)


@pytest.mark.parametrize(
    ("who", "stage_now", "afschaling", "expected"),
    [
        pytest.param(
            Role.MANAGER,
            add_months(cast.AFSCHALING, 7),
            cast.AFSCHALING,
            (True, "archive:admit"),
            id="art11.2b-manager-admits",
        ),
        pytest.param(
            Role.PROCESREGISSEUR,
            add_months(cast.AFSCHALING, 7),
            cast.AFSCHALING,
            (False, "archive:role"),
            id="art11.2b-only-the-manager",
        ),
        pytest.param(
            Role.MANAGER,
            NOW,
            None,
            (False, "archive:regime"),
            id="art11.2b-no-archive-before-afschaling",
        ),
    ],
)
def test_archive_admissions(
    who: Role, stage_now: datetime, afschaling: datetime | None, expected: tuple[bool, str]
) -> None:
    f = CaseFacts(
        case=cast.case(Phase.AFSCHALING if afschaling else Phase.RTO, afschaling_at=afschaling)
    )
    decision = access.may_admit_to_archive(
        cast.actor(who), cast.actor(Role.DEELNEMER), f, now=stage_now
    )
    assert decided(decision) == expected


def test_an_unscreened_user_is_not_admitted_to_the_archive_art13_3() -> None:
    f = CaseFacts(case=cast.case(Phase.AFSCHALING, afschaling_at=cast.AFSCHALING))
    decision = access.may_admit_to_archive(
        cast.actor(Role.MANAGER),
        cast.actor(Role.DEELNEMER, screened=False),
        f,
        now=add_months(cast.AFSCHALING, 7),
    )
    assert decided(decision) == (False, "archive:access:screening")


def test_further_use_is_asked_of_and_decided_by_the_provider_art3_5d() -> None:
    bob = cast.actor(Role.DEELNEMER)
    doc = cast.document()
    assert decided(
        access.may_request_further_use(bob, doc, facts(grants=(cast.grant(bob),)), now=NOW)
    ) == (True, "further-use:request")
    assert decided(access.may_request_further_use(bob, doc, facts(), now=NOW)) == (
        False,
        "further-use:no-grant",
    )
    assert decided(
        access.may_request_further_use(cast.provider_actor(), doc, facts(), now=NOW)
    ) == (False, "further-use:own")
    assert decided(access.may_decide_further_use(cast.provider_actor(), doc)) == (
        True,
        "further-use:decide",
    )
    assert decided(access.may_decide_further_use(bob, doc)) == (False, "further-use:provider")


@pytest.mark.parametrize(
    ("role", "explain", "withdraw"),
    [
        pytest.param(Role.PROCESREGISSEUR, True, False, id="procesregisseur"),
        pytest.param(Role.MANAGER, True, True, id="art27.3-manager"),
        pytest.param(Role.DEELNEMER, False, False, id="deelnemer"),
    ],
)
def test_overview_and_partij_withdrawal_roles(role: Role, explain: bool, withdraw: bool) -> None:
    who = cast.actor(role)
    assert access.may_explain_access(who).allowed is explain
    assert access.may_withdraw_partij(who).allowed is withdraw


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 1, tzinfo=UTC), 6, datetime(2026, 9, 1, tzinfo=UTC), id="plain"
        ),
        pytest.param(
            datetime(2026, 8, 31, tzinfo=UTC),
            6,
            datetime(2027, 2, 28, tzinfo=UTC),
            id="short-month",
        ),
        pytest.param(
            datetime(2027, 8, 31, tzinfo=UTC), 6, datetime(2028, 2, 29, tzinfo=UTC), id="leap-year"
        ),
        pytest.param(
            datetime(2026, 12, 15, tzinfo=UTC),
            12,
            datetime(2027, 12, 15, tzinfo=UTC),
            id="year-end",
        ),
    ],
)
def test_months_are_calendar_months(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("months_after", "expected"),
    [
        pytest.param(0, Regime.RESTRICTED, id="art11.2a-at-afschaling"),
        pytest.param(5, Regime.RESTRICTED, id="art11.2a-month-5"),
        pytest.param(6, Regime.ARCHIVED, id="art11.2b-month-6"),
        pytest.param(11, Regime.ARCHIVED, id="art11.2b-month-11"),
        pytest.param(12, Regime.DESTROYED, id="art11.2c-month-12"),
    ],
)
def test_the_timeline_after_afschaling(months_after: int, expected: Regime) -> None:
    the_case = cast.case(Phase.AFSCHALING, afschaling_at=cast.AFSCHALING)
    assert regime(the_case, now=add_months(cast.AFSCHALING, months_after)) is expected
    dates = timeline(cast.AFSCHALING)
    assert dates.destroy_at == add_months(cast.AFSCHALING, 12)
    assert regime(cast.case(Phase.RTO), now=NOW) is Regime.OPEN


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"purposes": frozenset()}, "at least one purpose", id="art3.5-no-purpose"),
        pytest.param(
            {"purposes": frozenset({Purpose.MONITORING})},
            "do not belong to phase",
            id="bijlage2-foreign-purpose",
        ),
        pytest.param({"data_categories": frozenset()}, "data category", id="bijlage4-no-category"),
        pytest.param(
            {"legal_basis": LegalBasis.TOESTEMMING, "consent_id": None},
            "requires a consent_id",
            id="art7.2-consent-unnamed",
        ),
        pytest.param(
            {"consent_id": cast.CONSENT_ID},
            "only given with legal basis toestemming",
            id="art7.2-consent-without-basis",
        ),
    ],
)
def test_restrictions_must_fit_the_phase(changes: dict[str, object], message: str) -> None:
    restrictions = cast.replace(cast.document().restrictions, **changes)  # type: ignore[arg-type]  # a table of field changes
    with pytest.raises(RestrictionsRefused, match=message):
        check_restrictions(phase=Phase.AANMELDING, restrictions=restrictions)
    check_restrictions(phase=Phase.AANMELDING, restrictions=cast.document().restrictions)


@pytest.mark.parametrize(
    ("who", "provider_kind", "approved_for", "expected"),
    [
        pytest.param(
            "granted",
            PartijKind.GGZ,
            (Phase.RTO,),
            (True, False, True),
            id="art9.6-granted-participant",
        ),
        pytest.param(
            "granted",
            PartijKind.POLITIE,
            (Phase.RTO,),
            (True, True, True),
            id="art8-on-justification",
        ),
        pytest.param(
            "procesregisseur",
            PartijKind.GGZ,
            (Phase.RTO,),
            (True, False, False),
            id="art11.2a-keeps-access",
        ),
        pytest.param(
            "fg", PartijKind.GGZ, (Phase.RTO,), (False, False, False), id="art24.4-fg-never-reads"
        ),
        pytest.param(
            "granted", PartijKind.GGZ, (), (False, False, False), id="art3.5b-not-reapproved"
        ),
    ],
)
def test_explaining_access_gives_the_downloads_own_decision(
    who: str,
    provider_kind: PartijKind,
    approved_for: tuple[Phase, ...],
    expected: tuple[bool, bool, bool],
) -> None:
    actor = {
        "granted": cast.actor(Role.DEELNEMER),
        "procesregisseur": cast.actor(Role.PROCESREGISSEUR),
        "fg": cast.actor(Role.FG),
    }[who]
    # Only the participant holds a grant: an FG is never granted (may_grant refuses it).
    f = facts(Phase.RTO, grants=(cast.grant(actor),) if who == "granted" else ())
    doc = cast.document(provider_kind=provider_kind, approved_for=approved_for)
    explained = access.explain_download(actor, doc, f, consent=None, now=NOW)
    assert (
        explained.can_download,
        explained.needs_justification,
        explained.loses_access_at_afschaling,
    ) == expected
    assert explained.reason
