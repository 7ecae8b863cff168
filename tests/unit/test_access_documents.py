"""The document rules beyond the matrix, table by table, each with the article it enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import Phase, Purpose
from portal.domain.documents import Approval, LegalBasis
from portal.domain.partijen import Actor, PartijKind, Role
from portal.domain.retention import add_months
from portal.domain.rules import Decision
from tests.unit import cast

NOW = cast.OPEN_NOW
RESTRICTED_NOW = add_months(cast.AFSCHALING, 1)
ALICE = cast.ALICE


def facts(phase: Phase = Phase.RTO, **kwargs: object) -> CaseFacts:
    return CaseFacts(case=cast.case(phase), **kwargs)  # type: ignore[arg-type]  # test-only keyword pass-through


def decided(decision: Decision) -> tuple[bool, str]:
    assert decision.reason
    return decision.allowed, decision.rule


def _download(
    doc: object = None, *, who: Actor = ALICE, phase: Phase = Phase.RTO, purpose: Purpose = Purpose.MONITORING,
    justification: str | None = None, consent: object = None, f: CaseFacts | None = None,
) -> Decision:  # fmt: skip
    return access.may_download(
        who,
        doc or cast.document(),  # type: ignore[arg-type]  # a Document or the default
        f or facts(phase),
        purpose=purpose,
        consent=consent,  # type: ignore[arg-type]  # a Consent or None
        justification=justification,
        now=NOW,
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
    assert decided(_download(cast.document(approved_for=approved_for), purpose=purpose)) == expected


def test_a_purpose_the_provider_did_not_allow_is_refused_art3_5() -> None:
    doc = cast.document(approved_for=())
    assert _download(doc, phase=Phase.AANMELDING, purpose=Purpose.SCREENING).allowed
    narrowed = cast.replace(doc, restrictions=cast.replace(doc.restrictions, purposes=frozenset()))
    refused = _download(narrowed, phase=Phase.AANMELDING, purpose=Purpose.SCREENING)
    assert decided(refused) == (False, "document:download:reapproval")
    only_monitoring = cast.replace(
        doc,
        approvals=(
            Approval(phase=Phase.RTO, purposes=frozenset({Purpose.MONITORING}), approved_at=NOW),
        ),
    )
    other = _download(only_monitoring, purpose=Purpose.PLAN_VAN_AANPAK)
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
    decision = _download(
        cast.document(provider_kind=PartijKind.POLITIE), justification=justification
    )
    assert decided(decision) == expected
    if not decision.allowed:
        assert "justification" in decision.reason


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        pytest.param(None, (False, "document:download:consent"), id="art7.2-no-consent-record"),
        pytest.param(
            cast.consent(withdrawn_at=cast.ENDED),
            (False, "document:download:consent"),
            id="art7.2d-withdrawn",
        ),
        pytest.param(
            cast.consent(), (True, "document:download:procesregisseur"), id="art7.2c-in-force"
        ),
    ],
)
def test_consent_basis_needs_a_consent_in_force(
    consent: object, expected: tuple[bool, str]
) -> None:
    assert (
        decided(_download(cast.document(legal_basis=LegalBasis.TOESTEMMING), consent=consent))
        == expected
    )


@pytest.mark.parametrize(
    ("who", "phase", "purposes", "case_phase", "expected"),
    [
        pytest.param(
            cast.GINA,
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (True, "document:approve"),
            id="art3.5c-provider-partner-approves",
        ),
        pytest.param(
            cast.GREG,
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (True, "document:approve"),
            id="art3.5c-provider-casusregisseur-approves",
        ),
        pytest.param(
            cast.GERT,
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (True, "document:approve"),
            id="art3.5c-uploader-approves",
        ),
        pytest.param(
            cast.FIEN,
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (False, "document:approve:provider"),
            id="art24.4-provider-fg",
        ),
        pytest.param(
            cast.actor(Role.PARTNER),
            Phase.RTO,
            {Purpose.MONITORING},
            Phase.RTO,
            (False, "document:approve:provider"),
            id="art3.5c-only-the-provider",
        ),
        pytest.param(
            cast.GINA,
            Phase.TRIAGE,
            {Purpose.ROUTERING},
            Phase.RTO,
            (False, "document:approve:phase"),
            id="art3.5b-current-phase-only",
        ),
        pytest.param(
            cast.GINA,
            Phase.AANMELDING,
            {Purpose.SCREENING},
            Phase.AANMELDING,
            (False, "document:approve:same-phase"),
            id="art3.5b-its-own-phase",
        ),
        pytest.param(
            cast.GINA,
            Phase.RTO,
            {Purpose.SCREENING},
            Phase.RTO,
            (False, "document:approve:purposes"),
            id="bijlage2-foreign-purpose",
        ),
        pytest.param(
            cast.GINA,
            Phase.RTO,
            set(),
            Phase.RTO,
            (False, "document:approve:purposes"),
            id="bijlage2-no-purpose",
        ),
    ],
)
def test_reapproval(
    who: Actor, phase: Phase, purposes: set[Purpose], case_phase: Phase, expected: tuple[bool, str]
) -> None:
    decision = access.may_approve(
        who,
        cast.document(approved_for=()),
        facts(case_phase),
        phase=phase,
        purposes=frozenset(purposes),
        now=NOW,
    )
    assert decided(decision) == expected


def test_no_approval_for_a_destroyed_case() -> None:
    f = CaseFacts(case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING))
    decision = access.may_approve(
        cast.GINA,
        cast.document(approved_for=()),
        f,
        phase=Phase.AFSCHALING,
        purposes=frozenset({Purpose.OVERDRACHT}),
        now=add_months(cast.AFSCHALING, 13),
    )
    assert decided(decision) == (False, "case:destroyed")


@pytest.mark.parametrize(
    ("who", "record", "withdraw"),
    [
        pytest.param(
            cast.GINA,
            (True, "consent:record"),
            (True, "consent:withdraw"),
            id="art7.2c-provider-partner",
        ),
        pytest.param(
            cast.MARIA, (False, "consent:role"), (False, "consent:partij"), id="art7.2c-manager"
        ),
        pytest.param(
            cast.actor(Role.PARTNER),
            (True, "consent:record"),
            (False, "consent:partij"),
            id="art7.2c-another-partij",
        ),
        pytest.param(
            cast.FIEN, (False, "consent:role"), (False, "consent:role"), id="art24.4-provider-fg"
        ),
    ],
)
def test_consent_is_recorded_and_withdrawn_by_its_own_partij(
    who: Actor, record: tuple[bool, str], withdraw: tuple[bool, str]
) -> None:
    assert decided(access.may_record_consent(who)) == record
    assert decided(access.may_withdraw_consent(who, cast.consent())) == withdraw


@pytest.mark.parametrize(
    ("who", "f", "expected"),
    [
        pytest.param(
            cast.BOB,
            facts(grants=(cast.grant(cast.BOB),)),
            (True, "further-use:request"),
            id="art3.5d-participant",
        ),
        pytest.param(cast.ANNA, facts(), (True, "further-use:request"), id="art3.5d-aanmelder"),
        pytest.param(cast.BOB, facts(), (False, "further-use:no-part"), id="art3.5d-no-part"),
        pytest.param(
            cast.LIM,
            facts(grants=(cast.grant(cast.LIM, documents=frozenset({cast.OTHER_DOCUMENT_ID})),)),
            (False, "further-use:no-part"),
            id="art9.6-grant-limited-to-other-documents",
        ),
        pytest.param(
            cast.ANNA,
            CaseFacts(case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING)),
            (False, "further-use:no-part"),
            id="art11.2a-after-afschaling",
        ),
        pytest.param(cast.GINA, facts(), (False, "further-use:own"), id="art3.5d-own-document"),
    ],
)
def test_further_use_is_asked_by_a_party_to_the_case(
    who: Actor, f: CaseFacts, expected: tuple[bool, str]
) -> None:
    assert (
        decided(
            access.may_request_further_use(
                who, cast.document(), f, now=RESTRICTED_NOW if f.case.decided_at else NOW
            )
        )
        == expected
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param(cast.GINA, (True, "further-use:decide"), id="art3.5d-provider-partner"),
        pytest.param(cast.GERT, (True, "further-use:decide"), id="art3.5d-uploader"),
        pytest.param(cast.FIEN, (False, "further-use:provider"), id="art24.4-provider-fg"),
        pytest.param(cast.BOB, (False, "further-use:provider"), id="art3.5d-participant"),
    ],
)
def test_further_use_is_decided_by_the_provider(who: Actor, expected: tuple[bool, str]) -> None:
    assert decided(access.may_decide_further_use(who, cast.document())) == expected


def test_a_handed_over_document_shows_only_inside_the_window() -> None:
    f = CaseFacts(
        case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING), handover=cast.handover()
    )
    other = cast.document(document_id=cast.OTHER_DOCUMENT_ID)
    inside = cast.AFSCHALING + timedelta(days=1)
    assert decided(access.may_see_document(cast.CARLA, cast.document(), f, now=inside)) == (
        True,
        "document:see:handover",
    )
    assert decided(access.may_see_document(cast.CARLA, other, f, now=inside)) == (
        False,
        "case:restricted",
    )
    download = access.may_download(
        cast.CARLA,
        other,
        f,
        purpose=Purpose.OVERDRACHT,
        consent=None,
        justification=None,
        now=inside,
    )
    assert decided(download) == (False, "case:restricted")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param(cast.GERT, (True, "document:upload:resume"), id="art9.6-the-uploader"),
        pytest.param(cast.GINA, (False, "document:upload:resume:other"), id="art9.6-a-colleague"),
        pytest.param(ALICE, (False, "document:upload:resume:other"), id="art9.6-procesregisseur"),
    ],
)
def test_a_resumable_upload_is_its_uploaders_alone(who: Actor, expected: tuple[bool, str]) -> None:
    decision = access.may_resume_upload(who, uploaded_by=cast.GERT.user_id, what="PATCH")
    assert decided(decision) == expected
    assert decision.reason.startswith("PATCH of ")
