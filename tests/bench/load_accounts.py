"""The load run's accounts: one per simulated user, each able to sign in to the web pages.

Run by ``bench_load`` as ``python -m tests.bench.load_accounts N`` with the server's
``PORTAL_*`` environment, the way ``portal demo`` is run: it adds ``load-01`` … ``load-NN``
as screened participants (VOG and confidentiality statement on record) spread over
partijen whose documents need no justification, gives each the demo password and TOTP
seed (embedded demo only, as ``portal demo`` does), and prints a JSON object of username
to API token on standard output.
"""

from __future__ import annotations

import json
import sys

from crypto import SecretBox
from portal.app import Adapters
from portal.cli.running import run_with_adapters
from portal.db import partijen as partijen_db
from portal.domain.partijen import Role
from portal.services import users
from portal.services.clock import system_clock
from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.services.sign_in import CREDENTIAL_KEY_PURPOSE, give_demo_sign_in

# Municipalities and care providers: their RTO contributions carry no police or medical
# restriction, so a participant downloads them with a purpose alone.
PARTIJEN = (
    "Gemeente Venlo",
    "Gemeente Venray",
    "MEE De Meent Groep",
    "Moveoo",
    "Pedagogisch Sociaal Werk",
)
TOKEN_LABEL = "load"


def username(number: int) -> str:
    return f"load-{number:02d}"


async def add_accounts(adapters: Adapters, count: int) -> dict[str, str]:
    box = SecretBox(adapters.master_key.key_for(CREDENTIAL_KEY_PURPOSE))
    tokens: dict[str, str] = {}
    for number in range(1, count + 1):
        name = username(number)
        if await partijen_db.user_by_username(name) is None:
            await users.add_user(
                username=name,
                partij_name=PARTIJEN[number % len(PARTIJEN)],
                roles=frozenset({Role.DEELNEMER}),
                vog=True,
                geheimhouding=True,
                clock=system_clock,
            )
        await give_demo_sign_in(
            name, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET, box=box, clock=system_clock
        )
        tokens[name] = await users.create_token(
            username=name, clock=system_clock, label=TOKEN_LABEL, replace_same_label=True
        )
    return tokens


def main(argv: list[str]) -> int:
    if adapters_refuse_production():
        return 2
    count = int(argv[0])
    tokens = run_with_adapters(lambda adapters: add_accounts(adapters, count))
    json.dump(tokens, sys.stdout)
    return 0


def adapters_refuse_production() -> bool:
    from portal.cli.running import settings

    if settings().is_production:
        print("load accounts are for a throwaway test portal, never production", file=sys.stderr)
        return True
    return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
