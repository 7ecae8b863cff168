"""The access matrix: person x stage x action (x document approval, for downloads).

One case with its fixed cast (tests/unit/cast.py): every person has the part their name
says. The expected decision and rule of every cell come from the oracle below, which
restates the issue's model and the protocol as tables per stage, never calling the
implementation. Each test id starts with the articles the cell enforces.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import PURPOSES_BY_PHASE, ClosingReason, Phase
from portal.domain.retention import add_months
from tests.unit import cast

Expected = tuple[bool, str]

# --- the dimensions ------------------------------------------------------------------------

PEOPLE = list(cast.CAST)
STAGES = [
    "aanmelding",
    "triage",
    "rto",
    "restricted-early",  # within the hand-over window
    "restricted",  # after it
    "closed",  # closed at triage without an RTO, within six months of that decision
    "archived",
    "destroyed",
]
DOCUMENTS = ["approved", "unapproved"]  # re-approved for every later phase, or never

STAGE_NOW = {
    "aanmelding": cast.OPEN_NOW,
    "triage": cast.OPEN_NOW,
    "rto": cast.OPEN_NOW,
    "restricted-early": cast.AFSCHALING + timedelta(days=7),
    "restricted": add_months(cast.AFSCHALING, 1),
    "closed": add_months(cast.AFSCHALING, 1),
    "archived": add_months(cast.AFSCHALING, 7),
    "destroyed": add_months(cast.AFSCHALING, 13),
}
OPEN = {"aanmelding", "triage", "rto"}
GRANT_STAGES = {"triage", "rto"}
RESTRICTED = {"restricted-early", "restricted", "closed"}
ARTICLES = {
    "aanmelding": "art1.18-9.2-9.6",
    "triage": "art1.19-9.6",
    "rto": "art1.20-9.3-9.6",
    "restricted-early": "art11.2a-bijlage2",
    "restricted": "art11.2a",
    "closed": "art1.21-11.2a",
    "archived": "art11.2b",
    "destroyed": "art11.2c",
}


def facts(stage: str) -> CaseFacts:
    """The one case at ``stage``: every person's part recorded at once."""
    decided = None if stage in OPEN else cast.AFSCHALING
    phase = {"aanmelding": Phase.AANMELDING, "triage": Phase.TRIAGE, "rto": Phase.RTO}.get(
        stage, Phase.AFSCHALING
    )
    closed = ClosingReason.ELDERS_BELEGD if stage == "closed" else None
    if closed is not None:
        phase = Phase.TRIAGE
    edge = cast.ARCHIVED_FROM + timedelta(days=10)
    return CaseFacts(
        case=cast.case(phase, decided_at=decided, closed_reason=closed),
        assignments=(cast.assignment(cast.PAULA),),
        grants=(
            cast.grant(cast.BOB),
            cast.grant(cast.EVE, until=cast.ENDED),
            cast.grant(cast.RITA, revoked_at=cast.ENDED),
            cast.grant(cast.LIM, documents=frozenset({cast.OTHER_DOCUMENT_ID})),
        ),
        admissions=(
            cast.admission(cast.ADAM),
            cast.admission(cast.EDITH, until=edge),
            cast.admission(cast.RONALD, revoked_at=edge),
        ),
        handover=None if stage in OPEN or closed else cast.handover(),
        document_ids=frozenset({cast.DOCUMENT_ID, cast.OTHER_DOCUMENT_ID}),
    )


# --- the oracle: the model as tables ---------------------------------------------------------

ROGUE: Expected = (False, "access:zvh-role")  # art. 1.22: a ZVH role outside the ZVH
DESTROYED: Expected = (False, "case:destroyed")
ENDED: Expected = (False, "grant:ended")
GRANTEES_ENDED = {"eve": ENDED, "rita": ENDED}
# Art. 11.2a: at afschaling (or closing) every grant ends at once, active ones included.
ALL_GRANTS_ENDED = {"bob": ENDED, "eve": ENDED, "rita": ENDED, "lim": ENDED}


def _table(default: Expected, **cells: Expected) -> dict[str, Expected]:
    return {person: cells.get(person, default) for person in PEOPLE} | {"rogue": ROGUE}


PROCESREGISSEUR_SEES: Expected = (True, "case:see:procesregisseur")
SEE_CASE: dict[str, dict[str, Expected]] = {
    "aanmelding": _table(
        (False, "case:see:none"),
        alice=PROCESREGISSEUR_SEES,
        paula=PROCESREGISSEUR_SEES,
        anna=(True, "case:see:aanmelder"),
        **GRANTEES_ENDED,
    ),
    **{
        stage: _table(
            (False, "case:see:none"),
            alice=PROCESREGISSEUR_SEES,
            paula=PROCESREGISSEUR_SEES,
            anna=(True, "case:see:aanmelder"),
            bob=(True, "case:see:grant"),
            lim=(True, "case:see:grant"),
            **GRANTEES_ENDED,
        )
        for stage in GRANT_STAGES
    },
    **{
        stage: _table(
            (False, "case:restricted"),
            alice=(True, "case:restricted"),
            paula=(True, "case:restricted"),
            ada=(True, "case:restricted"),
            **ALL_GRANTS_ENDED,
        )
        for stage in RESTRICTED
    },
    "archived": _table(
        (False, "case:archived"),
        adam=(True, "case:archived"),
        edith=(False, "archive:ended"),
        ronald=(False, "archive:ended"),
    ),
    "destroyed": _table(DESTROYED),
}


def expected_register_entry(person: str, stage: str) -> Expected:
    seen = SEE_CASE[stage][person]
    if seen[0] or stage == "destroyed" or person == "rogue":
        return seen
    if person in {"alice", "paula", "peter"}:
        return (True, "case:register-entry:procesregisseur")
    if person == "maria":
        return (True, "case:register-entry:manager")
    return seen


def expected_see_document(person: str, stage: str) -> Expected:
    seen = SEE_CASE[stage][person]
    if stage == "destroyed" or person == "rogue":
        return seen
    if seen[0] and person != "lim":
        return seen
    if person == "gert":
        return (True, "document:see:uploader")
    if person in {"gina", "greg"}:  # not fien: the FG is no controller (art. 24.4)
        return (True, "document:see:provider")
    if person == "carla" and stage == "restricted-early":
        return (True, "document:see:handover")
    if seen[0]:  # lim: the grant is limited to the other document
        return (False, "document:see:none")
    return seen


UPLOAD_ROLE: Expected = (False, "document:upload:role")


def expected_upload(person: str, stage: str) -> Expected:
    if person == "rogue":
        return ROGUE
    if stage not in OPEN:
        return (False, "document:upload:afschaling")
    table = _table(
        (False, "document:upload:no-part"),
        maria=UPLOAD_ROLE,
        ada=UPLOAD_ROLE,
        zoe=UPLOAD_ROLE,
        fien=UPLOAD_ROLE,
        alice=(True, "document:upload:procesregisseur"),
        paula=(True, "document:upload:procesregisseur"),
        anna=(True, "document:upload:aanmelder"),
    )
    if stage in GRANT_STAGES:
        table |= {"bob": (True, "document:upload:grant"), "lim": (True, "document:upload:grant")}
    return table[person]


def expected_grant(person: str, stage: str) -> Expected:
    """The person grants charlie (a screened deelnemer with nothing) access."""
    if person == "rogue":
        return ROGUE
    if person == "peter":
        return (False, "case:not-assigned")
    if person not in {"alice", "paula"}:
        return (False, "grant:role")
    if stage not in OPEN:
        return (False, "grant:afschaling")
    if stage == "aanmelding":
        return (False, "grant:before-triage")
    return (True, "grant:create")


def _download_path(person: str, stage: str, document: str) -> Expected:
    if person == "rogue":
        return ROGUE
    if stage == "destroyed":
        return DESTROYED
    if stage in RESTRICTED:
        if person in {"alice", "paula", "ada"}:
            return (True, "case:restricted")
        if person == "carla" and stage == "restricted-early":
            approved = document == "approved"
            return (
                (True, "document:download:handover") if approved else (False, "handover:approval")
            )
        if person == "carla" and stage == "restricted":
            return (False, "handover:window")
        return SEE_CASE[stage][person]
    if stage == "archived":
        return SEE_CASE[stage][person]
    open_paths: dict[str, Expected] = {
        "alice": (True, "document:download:procesregisseur"),
        "paula": (True, "document:download:procesregisseur"),
        "anna": (True, "document:download:aanmelder"),
        "eve": ENDED,
        "rita": ENDED,
        # Art. 2.1, 3.5c against 9.6: controller of the document, no part in the case.
        "gert": (False, "document:download:controller-only"),
        "gina": (False, "document:download:controller-only"),
        "greg": (False, "document:download:controller-only"),
    }
    if stage in GRANT_STAGES:
        open_paths |= {
            "bob": (True, "document:download:grant"),
            "lim": (False, "document:download:grant-limit"),
        }
    return open_paths.get(person, (False, "document:download:no-part"))


def expected_download(person: str, stage: str, document: str) -> Expected:
    path = _download_path(person, stage, document)
    # Art. 3.5b: the document was provided at aanmelding; later phases need re-approval.
    if path[0] and stage != "aanmelding" and document == "unapproved":
        return (False, "document:download:reapproval")
    return path


# --- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    person: str
    stage: str
    document: str = "approved"


CELLS = [Cell(p, s) for p, s in itertools.product(PEOPLE, STAGES)]
DOWNLOAD_CELLS = [Cell(p, s, d) for p, s, d in itertools.product(PEOPLE, STAGES, DOCUMENTS)]


def _ids(action: str) -> Callable[[Cell], str]:
    def name(c: Cell) -> str:
        document = f"-{c.document}" if action == "download" else ""
        return f"{ARTICLES[c.stage]}-{action}-{c.person}-{c.stage}{document}"

    return name


@pytest.mark.parametrize("cell", CELLS, ids=_ids("see-case"))
def test_see_case(cell: Cell) -> None:
    decision = access.may_see_case(
        cast.CAST[cell.person], facts(cell.stage), now=STAGE_NOW[cell.stage]
    )
    assert (decision.allowed, decision.rule) == SEE_CASE[cell.stage][cell.person], decision.reason


@pytest.mark.parametrize("cell", CELLS, ids=_ids("see-register-entry"))
def test_see_register_entry(cell: Cell) -> None:
    decision = access.may_see_register_entry(
        cast.CAST[cell.person], facts(cell.stage), now=STAGE_NOW[cell.stage]
    )
    expected = expected_register_entry(cell.person, cell.stage)
    assert (decision.allowed, decision.rule) == expected, decision.reason


@pytest.mark.parametrize("cell", CELLS, ids=_ids("see-document"))
def test_see_document(cell: Cell) -> None:
    decision = access.may_see_document(
        cast.CAST[cell.person], cast.document(), facts(cell.stage), now=STAGE_NOW[cell.stage]
    )
    expected = expected_see_document(cell.person, cell.stage)
    assert (decision.allowed, decision.rule) == expected, decision.reason


@pytest.mark.parametrize("cell", CELLS, ids=_ids("upload"))
def test_upload(cell: Cell) -> None:
    f = facts(cell.stage)
    decision = access.may_upload(
        cast.CAST[cell.person], f, phase=f.case.phase, now=STAGE_NOW[cell.stage]
    )
    assert (decision.allowed, decision.rule) == expected_upload(cell.person, cell.stage)


@pytest.mark.parametrize("cell", CELLS, ids=_ids("grant"))
def test_grant(cell: Cell) -> None:
    decision = access.may_grant(
        cast.CAST[cell.person],
        cast.CHARLIE,
        facts(cell.stage),
        until=None,
        documents=None,
        now=STAGE_NOW[cell.stage],
    )
    assert (decision.allowed, decision.rule) == expected_grant(cell.person, cell.stage)


@pytest.mark.parametrize("cell", DOWNLOAD_CELLS, ids=_ids("download"))
def test_download(cell: Cell) -> None:
    f = facts(cell.stage)
    approved_for = (
        () if cell.document == "unapproved" else (Phase.TRIAGE, Phase.RTO, Phase.AFSCHALING)
    )
    decision = access.may_download(
        cast.CAST[cell.person],
        cast.document(approved_for=approved_for),
        f,
        purpose=sorted(PURPOSES_BY_PHASE[f.case.phase])[0],
        consent=None,
        justification=None,
        now=STAGE_NOW[cell.stage],
    )
    expected = expected_download(cell.person, cell.stage, cell.document)
    assert (decision.allowed, decision.rule) == expected, decision.reason
    assert decision.reason


def test_the_matrix_covers_every_person_and_stage() -> None:
    assert len(CELLS) * 5 + len(DOWNLOAD_CELLS) >= 1000
