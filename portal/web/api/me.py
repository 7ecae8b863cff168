"""The caller's own account: who they are, what they hold, and their OpenPGP key."""

from __future__ import annotations

from litestar import Router, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from portal.services import me, users
from portal.services.audit import RequestContext
from portal.web.schemas import MeOut, PublicKeyIn, PublicKeyOut, me_out
from portal.web.state import PortalDeps

MAX_KEY_REQUEST_BYTES = 128 * 1024


@get(
    "/me",
    summary="Who I am: my partij, roles, standing, and my grants with their ends",
    tags=["me"],
)
async def get_me(
    context: NamedDependency[RequestContext], deps: NamedDependency[PortalDeps]
) -> MeOut:
    return me_out(await me.who_am_i(context, clock=deps.clock))


@put(
    "/me/openpgp-key",
    summary="Register my own OpenPGP public key, for delivery=pgp",
    description=(
        "The key must hold an encryption-capable (sub)key; a sign-only key or anything "
        "that is not one OpenPGP public key is refused with 400. It replaces an earlier one."
    ),
    tags=["me"],
    request_max_body_size=MAX_KEY_REQUEST_BYTES,
)
async def put_my_openpgp_key(
    context: NamedDependency[RequestContext],
    data: JSONBody[PublicKeyIn],
    deps: NamedDependency[PortalDeps],
) -> PublicKeyOut:
    fingerprint = await users.register_my_public_key(
        context, armored=data.public_key, keys=deps.vault.keys, audit=deps.audit, clock=deps.clock
    )
    return PublicKeyOut(fingerprint=fingerprint)


router = Router("/api/v1", route_handlers=[get_me, put_my_openpgp_key])
