"""The authorization matrix: role x action x phase x grant state x consent state.

Every cell is generated, and its expected decision and rule come from the oracle below,
which restates the protocol's rules as tables rather than calling the implementation.
Each test id names the articles it enforces.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import PURPOSES_BY_PHASE, Phase
from portal.domain.documents import LegalBasis
from portal.domain.partijen import Actor, Role
from portal.domain.retention import add_months
from tests.unit import cast

# --- the dimensions ------------------------------------------------------------------------

ACTORS = [*(role.value for role in Role), "provider"]
STAGES = ["aanmelding", "triage", "rto", "restricted", "archived", "destroyed"]
GRANTS = ["none", "active", "expired", "revoked", "admitted"]
CONSENTS = ["not-needed", "in-force", "withdrawn"]

STAGE_PHASE = {
    "aanmelding": Phase.AANMELDING,
    "triage": Phase.TRIAGE,
    "rto": Phase.RTO,
    "restricted": Phase.AFSCHALING,
    "archived": Phase.AFSCHALING,
    "destroyed": Phase.AFSCHALING,
}
STAGE_NOW = {
    "aanmelding": cast.OPEN_NOW,
    "triage": cast.OPEN_NOW,
    "rto": cast.OPEN_NOW,
    "restricted": add_months(cast.AFSCHALING, 1),
    "archived": add_months(cast.AFSCHALING, 7),
    "destroyed": add_months(cast.AFSCHALING, 13),
}
OPEN_STAGES = {"aanmelding", "triage", "rto"}
ARTICLES = {
    "aanmelding": "art3.5",
    "triage": "art3.5",
    "rto": "art3.5-9.6",
    "restricted": "art11.2a",
    "archived": "art11.2b",
    "destroyed": "art11.2c",
}


@dataclass(frozen=True)
class Cell:
    actor_name: str
    stage: str
    grant_state: str
    consent_state: str = "not-needed"


def _actor(name: str) -> Actor:
    return cast.provider_actor() if name == "provider" else cast.actor(Role(name), name=name)


def _facts(cell: Cell, who: Actor) -> CaseFacts:
    afschaling = None if cell.stage in OPEN_STAGES else cast.AFSCHALING
    the_case = cast.case(STAGE_PHASE[cell.stage], afschaling_at=afschaling)
    grants = {
        "none": (),
        "active": (cast.grant(who),),
        "expired": (cast.grant(who, until=cast.ENDED),),
        "revoked": (cast.grant(who, revoked_at=cast.ENDED),),
        "admitted": (),
    }[cell.grant_state]
    admissions = (cast.admission(who),) if cell.grant_state == "admitted" else ()
    return CaseFacts(
        case=the_case, providers=frozenset({cast.GGZ}), grants=grants, admissions=admissions
    )


# --- the oracle: the protocol's rules as tables ---------------------------------------------

Expected = tuple[bool, str]


def _gate(role: str, cell: Cell) -> Expected | None:
    if cell.stage == "destroyed":
        return (False, "case:destroyed")
    if cell.stage == "restricted":
        allowed = role in {"procesregisseur", "administratief"}
        return (allowed, "case:restricted")
    if cell.stage == "archived":
        return (cell.grant_state == "admitted", "case:archived")
    return None


def expected_download(cell: Cell) -> Expected:
    role = cell.actor_name
    gate = _gate(role, cell)
    if gate is not None and not gate[0]:
        return gate
    if gate is not None:
        path = gate
    elif role == "procesregisseur":
        path = (True, "document:download:procesregisseur")
    elif role == "provider":
        path = (True, "document:download:provider")
    elif cell.grant_state == "active":
        path = (True, "document:download:grant")
    elif cell.grant_state in {"expired", "revoked"}:
        return (False, "grant:ended")
    else:
        return (False, "document:download:no-grant")
    if cell.consent_state == "withdrawn":
        return (False, "document:download:consent")
    return path


def expected_see(cell: Cell) -> Expected:
    role = cell.actor_name
    if role == "manager":
        return (
            cell.stage != "destroyed",
            "case:see:manager" if cell.stage != "destroyed" else "case:destroyed",
        )
    gate = _gate(role, cell)
    if gate is not None:
        return gate
    if role == "procesregisseur":
        return (True, "case:see:procesregisseur")
    if role in {"casusregisseur", "fg"}:  # of Gemeente Venlo, which reported the case
        return (True, "case:see:reporter")
    if role == "provider":
        return (True, "case:see:provider")
    if cell.grant_state == "active":
        return (True, "case:see:grant")
    if cell.grant_state in {"expired", "revoked"}:
        return (False, "grant:ended")
    return (False, "case:see:none")


def expected_upload(cell: Cell) -> Expected:
    role = cell.actor_name
    if cell.stage not in OPEN_STAGES:
        return (False, "document:upload:afschaling")
    if role in {"manager", "administratief", "fg"}:
        return (False, "document:upload:role")
    if role == "procesregisseur":
        return (True, "document:upload:procesregisseur")
    if role == "casusregisseur":  # Gemeente Venlo reported the case
        return (True, "document:upload:reporter")
    if cell.grant_state == "active":
        return (True, "document:upload:grant")
    return (False, "document:upload:no-part")


def expected_grant(cell: Cell) -> Expected:
    """The cell's actor grants access to a screened deelnemer in the cell's grant state."""
    if cell.actor_name != "procesregisseur":
        return (False, "grant:role")
    if cell.stage not in OPEN_STAGES:
        return (False, "grant:afschaling")
    if cell.grant_state == "active":
        return (False, "grant:duplicate")
    return (True, "grant:create")


# --- the matrix ------------------------------------------------------------------------------


def _ids(action: str, cell: Cell) -> str:
    return f"{ARTICLES[cell.stage]}-{action}-{cell.actor_name}-{cell.stage}-{cell.grant_state}-{cell.consent_state}"


DOWNLOAD_CELLS = [
    Cell(a, s, g, c) for a, s, g, c in itertools.product(ACTORS, STAGES, GRANTS, CONSENTS)
]
OTHER_CELLS = [Cell(a, s, g) for a, s, g in itertools.product(ACTORS, STAGES, GRANTS)]


@pytest.mark.parametrize("cell", DOWNLOAD_CELLS, ids=lambda c: _ids("download", c))
def test_download(cell: Cell) -> None:
    who = _actor(cell.actor_name)
    facts = _facts(cell, who)
    basis = LegalBasis.AVG_6_1_E if cell.consent_state == "not-needed" else LegalBasis.TOESTEMMING
    consent = {
        "not-needed": None,
        "in-force": cast.consent(),
        "withdrawn": cast.consent(withdrawn_at=cast.ENDED),
    }[cell.consent_state]
    purpose = sorted(PURPOSES_BY_PHASE[facts.case.phase])[0]
    decision = access.may_download(
        who,
        cast.document(legal_basis=basis),
        facts,
        purpose=purpose,
        consent=consent,
        justification=None,
        now=STAGE_NOW[cell.stage],
    )
    assert (decision.allowed, decision.rule) == expected_download(cell), decision.reason
    assert decision.reason


@pytest.mark.parametrize("cell", OTHER_CELLS, ids=lambda c: _ids("see-case", c))
def test_see_case(cell: Cell) -> None:
    who = _actor(cell.actor_name)
    decision = access.may_see_case(who, _facts(cell, who), now=STAGE_NOW[cell.stage])
    assert (decision.allowed, decision.rule) == expected_see(cell), decision.reason


@pytest.mark.parametrize("cell", OTHER_CELLS, ids=lambda c: _ids("upload", c))
def test_upload(cell: Cell) -> None:
    who = _actor(cell.actor_name)
    facts = _facts(cell, who)
    decision = access.may_upload(who, facts, phase=facts.case.phase, now=STAGE_NOW[cell.stage])
    assert (decision.allowed, decision.rule) == expected_upload(cell), decision.reason


@pytest.mark.parametrize("cell", OTHER_CELLS, ids=lambda c: _ids("grant", c))
def test_grant(cell: Cell) -> None:
    who = _actor(cell.actor_name)
    grantee = cast.actor(Role.DEELNEMER, name="bob")
    facts = _facts(cell, grantee)
    decision = access.may_grant(who, grantee, facts, until=None, now=STAGE_NOW[cell.stage])
    assert (decision.allowed, decision.rule) == expected_grant(cell), decision.reason


def test_the_matrix_has_several_hundred_cells() -> None:
    assert len(DOWNLOAD_CELLS) + 3 * len(OTHER_CELLS) >= 500


def _at(stage: str) -> datetime:
    return STAGE_NOW[stage]
