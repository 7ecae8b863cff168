"""Who takes part: partij kinds and user roles, the codes the API and the data use."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NewType
from uuid import UUID

from portal.domain.rules import Decision, Rule, deny, permit

PartijId = NewType("PartijId", UUID)
UserId = NewType("UserId", UUID)
TokenId = NewType("TokenId", UUID)


class PartijKind(enum.StrEnum):
    """A partij's kind fixes its legal basis for providing data (art. 6.4 a-m)."""

    BURGEMEESTER = "burgemeester"
    COLLEGE = "college"
    OM = "om"
    POLITIE = "politie"
    RVDK = "rvdk"
    VEILIG_THUIS = "veilig_thuis"
    RECLASSERING = "reclassering"
    GECERTIFICEERDE_INSTELLING = "gecertificeerde_instelling"
    GGZ = "ggz"
    GGD = "ggd"
    DJI = "dji"
    SLACHTOFFERHULP = "slachtofferhulp"
    ZORGAANBIEDER = "zorgaanbieder"
    WONINGCORPORATIE = "woningcorporatie"
    OVERIG = "overig"
    # Art. 1.16, 1.22, 1.24: the house itself, where the procesregie is done; exactly one.
    ZVH = "zvh"


class Role(enum.StrEnum):
    PROCESREGISSEUR = "procesregisseur"
    CASUSREGISSEUR = "casusregisseur"
    DEELNEMER = "deelnemer"
    PARTNER = "partner"
    MANAGER = "manager"
    ADMINISTRATIEF = "administratief"
    FG = "fg"


# Art. 1.16, 1.22, 1.24, 11.2a: the house's own staff; no other partij's user holds these.
ZVH_ROLES = frozenset({Role.PROCESREGISSEUR, Role.MANAGER, Role.ADMINISTRATIEF})


def may_hold_role(kind: PartijKind, role: Role) -> Decision:
    """Whether a user of a partij of ``kind`` may hold ``role`` (``portal user add``)."""
    # Art. 1.16, 1.22, 1.24: procesregisseur, manager and administratief work for the ZVH.
    if role in ZVH_ROLES and kind is not PartijKind.ZVH:
        return deny(
            Rule.USER_ROLE_ZVH_ONLY,
            f"the role {role} exists only at the Zorg- en Veiligheidshuis (partij kind zvh), "
            f"not at a partij of kind {kind}",
        )
    return permit(Rule.USER_ROLE, f"a {kind} user may hold the role {role}")


def may_add_partij(kind: PartijKind, *, zvh_exists: bool) -> Decision:
    """Whether a partij of ``kind`` may be added: the house itself exists exactly once."""
    if kind is PartijKind.ZVH and zvh_exists:
        return deny(Rule.PARTIJ_ZVH_EXISTS, "there is exactly one Zorg- en Veiligheidshuis")
    return permit(Rule.PARTIJ_ADD, f"a partij of kind {kind} joins the covenant")


class PartijStatus(enum.StrEnum):
    ACTIVE = "active"
    # Art. 27.3: a partij that leaves the covenant loses all access at once.
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, kw_only=True)
class Partij:
    id: PartijId
    name: str
    kind: PartijKind
    status: PartijStatus


@dataclass(frozen=True, kw_only=True)
class User:
    id: UserId
    username: str
    partij_id: PartijId
    roles: frozenset[Role]
    vog_recorded_at: datetime | None
    geheimhouding_recorded_at: datetime | None
    active: bool

    @property
    def screened(self) -> bool:
        """Art. 13.1 and 13.3: both a VOG and a signed confidentiality statement on record."""
        return self.vog_recorded_at is not None and self.geheimhouding_recorded_at is not None


def vog_current(
    vog_recorded_at: datetime | None, *, now: datetime, max_age_days: int | None
) -> bool:
    """Art. 13.3: a VOG on record counts as screening while it is no older than the bound
    the covenant's partners agreed on; without a bound, any VOG on record counts."""
    if vog_recorded_at is None:
        return False
    return max_age_days is None or now - vog_recorded_at <= timedelta(days=max_age_days)


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who is asking: an authenticated user with their partij's standing."""

    user_id: UserId
    username: str
    partij_id: PartijId
    partij_kind: PartijKind
    partij_status: PartijStatus
    roles: frozenset[Role]
    screened: bool
    active: bool
    openpgp_public_key: str | None

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True, kw_only=True)
class ApiToken:
    """An API token as an operator sees it: never the token, only its hash is stored."""

    id: TokenId
    user_id: UserId
    username: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
