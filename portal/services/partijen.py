"""Partner organisations (partijen) of the covenant."""

from __future__ import annotations

from portal.db import repositories
from portal.domain.parties import Partij, PartijKind
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput

MAX_NAME_LENGTH = 200


async def add_partij(*, name: str, kind: PartijKind, clock: Clock) -> Partij:
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise InvalidInput(f"a partij name has 1 to {MAX_NAME_LENGTH} characters")
    if await repositories.partij_by_name(clean) is not None:
        raise Conflict(f"partij {clean!r} exists already")
    return await repositories.insert_partij(name=clean, kind=kind, now=clock())
