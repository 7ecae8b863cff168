"""The audit log from a shell: sign its head, export a checkpoint, verify the chain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.cli.running import run_with_adapters, run_with_database
from portal.services.clock import system_clock

if TYPE_CHECKING:
    from portal.app import Adapters


@click.group()
def audit() -> None:
    """The audit log: sign its head, export a checkpoint, verify the whole chain."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the audit chain with the portal's key now."""
    from portal.services.audit_chain import sign_checkpoint

    async def run(adapters: Adapters) -> None:
        checkpoint = await sign_checkpoint(adapters.signer, clock=system_clock)
        if checkpoint is None:
            click.echo("nothing to sign: the log is empty or its head is signed already")
        else:
            click.echo(
                f"checkpoint {checkpoint.number} signed: record {checkpoint.seq}, "
                f"head {checkpoint.head_hash}, key {checkpoint.key_fingerprint}"
            )

    run_with_adapters(run)


@audit.command("export-checkpoint")
@click.argument("number", type=int, required=False)
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write statement.txt, statement.asc and key.asc into.",
)
def audit_export_checkpoint(number: int | None, directory: Path) -> None:
    """Write checkpoint NUMBER (default: the latest) for checking with gpg.

    \b
    Anyone can then check it without the portal:
      gpg --import key.asc
      gpg --verify statement.asc statement.txt
    """
    from portal.services.audit_chain import export_checkpoint

    exported = run_with_database(lambda: export_checkpoint(number))
    directory.mkdir(parents=True, exist_ok=True)
    checkpoint = exported.checkpoint
    (directory / "statement.txt").write_bytes(checkpoint.statement.encode())
    (directory / "statement.asc").write_text(checkpoint.signature)
    (directory / "key.asc").write_text(exported.public_key)
    click.echo(
        f"checkpoint {checkpoint.number} (record {checkpoint.seq}) written to {directory}; "
        f"signed by {checkpoint.key_fingerprint}"
    )


@audit.command("verify")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The portal's public key as exported earlier and kept apart (pins the signer).",
)
def audit_verify(public_key: Path | None) -> None:
    """Recompute the chain and check every checkpoint; exit 1 at the first break."""
    import time

    from portal.services.audit_chain import verify_log

    pinned = public_key.read_text() if public_key else None
    started = time.monotonic()
    verdict = run_with_adapters(
        lambda adapters: verify_log(adapters.signer, pinned_public_key=pinned)
    )
    elapsed = time.monotonic() - started
    if verdict.intact:
        click.echo(
            f"audit log intact: {verdict.records} records, {verdict.checkpoints} signed "
            f"checkpoints ({elapsed:.1f} s)"
        )
        return
    click.echo(
        f"audit log BROKEN at record {verdict.broken_seq}: {verdict.kind} ({verdict.detail})",
        err=True,
    )
    sys.exit(1)
