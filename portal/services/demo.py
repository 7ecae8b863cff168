"""Demo data: the partijen of the Noord-Limburg covenant and one user per role.

Loading it twice changes nothing but the printed logins: existing partijen and users are
kept, and each demo user's earlier demo token is revoked and replaced, because only token
hashes are stored and a login that cannot be printed is no use to the person trying it.

For the web pages every demo user gets the same known password and TOTP seed
(``DEMO_PASSWORD``, ``DEMO_TOTP_SECRET``, named in the README): only in the embedded
demo, never in production (``portal demo`` refuses to give them there).
"""

from __future__ import annotations

from dataclasses import dataclass

from crypto import SecretBox
from portal.db import partijen as partijen_db
from portal.domain.partijen import PartijKind, Role
from portal.services import partijen, users
from portal.services.clock import Clock
from portal.services.sign_in import give_demo_sign_in

ZVH = "Zorg- en Veiligheidshuis Noord-Limburg"

# The signatories of the privacy protocol, with the kind that fixes their legal basis.
COVENANT_PARTIJEN: tuple[tuple[str, PartijKind], ...] = (
    (ZVH, PartijKind.ZVH),
    ("Gemeente Beesel", PartijKind.COLLEGE),
    ("Gemeente Bergen", PartijKind.COLLEGE),
    ("Gemeente Gennep", PartijKind.COLLEGE),
    ("Gemeente Horst aan de Maas", PartijKind.COLLEGE),
    ("Gemeente Mook en Middelaar", PartijKind.COLLEGE),
    ("Gemeente Peel en Maas", PartijKind.COLLEGE),
    ("Gemeente Venlo", PartijKind.COLLEGE),
    ("Gemeente Venray", PartijKind.COLLEGE),
    ("Politie Eenheid Limburg", PartijKind.POLITIE),
    ("Arrondissementsparket Limburg", PartijKind.OM),
    ("Raad voor de Kinderbescherming", PartijKind.RVDK),
    ("Reclassering Nederland", PartijKind.RECLASSERING),
    ("Bureau Jeugdzorg Limburg", PartijKind.GECERTIFICEERDE_INSTELLING),
    ("Veilig Thuis", PartijKind.VEILIG_THUIS),
    ("MEE De Meent Groep", PartijKind.ZORGAANBIEDER),
    ("Dienst Justitiële Inrichtingen Limburg", PartijKind.DJI),
    ("Vincent van Gogh voor geestelijke gezondheid", PartijKind.GGZ),
    ("Met GGZ", PartijKind.GGZ),
    ("De Rooyse Wissel", PartijKind.GGZ),
    ("Moveoo", PartijKind.ZORGAANBIEDER),
    ("William Schrikker Groep", PartijKind.GECERTIFICEERDE_INSTELLING),
    ("Pedagogisch Sociaal Werk", PartijKind.ZORGAANBIEDER),
    ("Stevig-Dichtbij", PartijKind.GGZ),
    ("Woonwenz", PartijKind.WONINGCORPORATIE),
    ("Antares", PartijKind.WONINGCORPORATIE),
    ("Wonen Limburg", PartijKind.WONINGCORPORATIE),
    ("Destion", PartijKind.WONINGCORPORATIE),
    ("Nester", PartijKind.WONINGCORPORATIE),
    ("Leger des Heils", PartijKind.ZORGAANBIEDER),
    ("Leger des Heils Jeugdbescherming en Reclassering", PartijKind.GECERTIFICEERDE_INSTELLING),
)

POLITIE = "Politie Eenheid Limburg"
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("alice", ZVH, Role.PROCESREGISSEUR),
    ("bob", "Vincent van Gogh voor geestelijke gezondheid", Role.DEELNEMER),
    ("carol", "Gemeente Venlo", Role.CASUSREGISSEUR),
    ("dave", POLITIE, Role.PARTNER),
    ("erin", ZVH, Role.MANAGER),
    ("frank", ZVH, Role.ADMINISTRATIEF),
    ("grace", "Gemeente Venlo", Role.FG),
    # A second procesregisseur on no case until assigned; the ZVH's own FG; a colleague
    # and the FG of the police, who see nothing of a case they have no part in (art. 9.6).
    ("henk", ZVH, Role.PROCESREGISSEUR),
    ("lisa", ZVH, Role.FG),
    ("jan", POLITIE, Role.PARTNER),
    ("ida", POLITIE, Role.FG),
    ("karin", "Woonwenz", Role.DEELNEMER),
)

DEMO_TOKEN_LABEL = "demo"  # noqa: S105 - a label for tokens, not a secret
DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - published in the README, embedded demo only
DEMO_TOTP_SECRET = "RTOPORTAALDEMOTOTPGEHEIMNIETECHT"  # noqa: S105 - as DEMO_PASSWORD


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    username: str
    role: Role
    partij: str
    token: str


@dataclass(frozen=True, kw_only=True)
class DemoResult:
    partijen_added: int
    users_added: int
    logins: tuple[DemoLogin, ...]


async def load_demo(*, clock: Clock, sign_in_box: SecretBox | None = None) -> DemoResult:
    """With ``sign_in_box`` (the TOTP seeds' key) every demo user can sign in to the web
    pages with ``DEMO_PASSWORD`` and ``DEMO_TOTP_SECRET``."""
    partijen_added = 0
    for name, kind in COVENANT_PARTIJEN:
        existing = await partijen_db.partij_by_name(name)
        if existing is None:
            await partijen.add_partij(name=name, kind=kind, clock=clock)
            partijen_added += 1
        elif existing.kind is not kind:
            # Demo data from before the ZVH was its own kind: the demo owns this row.
            await partijen_db.set_partij_kind(partij_id=existing.id, kind=kind)
    users_added = 0
    logins = []
    for username, partij_name, role in DEMO_USERS:
        if await partijen_db.user_by_username(username) is None:
            await users.add_user(
                username=username,
                partij_name=partij_name,
                roles=frozenset({role}),
                vog=True,
                geheimhouding=True,
                clock=clock,
            )
            users_added += 1
        token = await users.create_token(
            username=username, clock=clock, label=DEMO_TOKEN_LABEL, replace_same_label=True
        )
        logins.append(DemoLogin(username=username, role=role, partij=partij_name, token=token))
        if sign_in_box is not None:
            await give_demo_sign_in(
                username,
                password=DEMO_PASSWORD,
                totp_secret=DEMO_TOTP_SECRET,
                box=sign_in_box,
                clock=clock,
            )
    return DemoResult(partijen_added=partijen_added, users_added=users_added, logins=tuple(logins))
