"""The audit log from a shell: sign its head, export a checkpoint, verify the chain."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.cli.running import run_with_adapters, run_with_database
from portal.services.clock import system_clock

if TYPE_CHECKING:
    from portal.app import Adapters
    from portal.domain.audit_chain import Verdict


@click.group()
def audit() -> None:
    """The audit log: sign its head, export a checkpoint, verify the whole chain."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the audit chain with the portal's key now."""
    from portal.services.audit_chain import sign_checkpoint

    async def run(adapters: Adapters) -> None:
        checkpoint = await sign_checkpoint(adapters.signer, clock=system_clock, worm=adapters.worm)
        if checkpoint is None:
            click.echo("nothing to sign: the log is empty or its head is signed already")
            return
        click.echo(
            f"checkpoint {checkpoint.number} signed: record {checkpoint.seq}, "
            f"head {checkpoint.head_hash}, key {checkpoint.key_fingerprint}"
        )
        if checkpoint.worm_key is None:
            click.echo("its WORM copy could not be stored (see the log above)", err=True)
        else:
            click.echo(f"WORM copy {checkpoint.worm_key} in {adapters.worm.store.describe()}")

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
    """Recompute the chain, check every checkpoint and its WORM copy; exit 1 at a break.

    \b
    The WORM copies (PORTAL_AUDIT_WORM_BUCKET, else the directory audit-worm in the data
    directory, which is NOT write-once) show a tail deleted together with its
    checkpoints. Records newer than the newest copy are not covered yet.
    """
    import time

    from portal.services.audit_chain import verify_log
    from storage import StorageError, StoreUnavailable

    pinned = public_key.read_text() if public_key else None
    started = time.monotonic()
    warnings: list[str] = []

    async def run(adapters: Adapters) -> tuple[Verdict, str]:
        store = adapters.worm.store
        try:
            await asyncio.to_thread(store.check)
        except StoreUnavailable as exc:
            warnings.append(f"WARNING: {exc}")
        try:
            verdict = await verify_log(adapters.signer, worm=store, pinned_public_key=pinned)
        except StorageError as exc:
            raise click.ClickException(f"cannot read the WORM copies: {exc}") from exc
        return verdict, store.describe()

    verdict, described = run_with_adapters(run)
    elapsed = time.monotonic() - started
    for warning in warnings:
        click.echo(warning, err=True)
    if not verdict.intact:
        where = f" at record {verdict.broken_seq}" if verdict.broken_seq is not None else ""
        click.echo(f"audit log BROKEN{where}: {verdict.kind} ({verdict.detail})", err=True)
        sys.exit(1)
    click.echo(
        f"audit log intact: {verdict.records} records, {verdict.checkpoints} signed "
        f"checkpoints ({elapsed:.1f} s)"
    )
    covered = (
        f"; they cover records up to {verdict.worm_seq}" if verdict.worm_seq is not None else ""
    )
    click.echo(f"WORM copies: {verdict.worm_checkpoints} in {described}{covered}")
    newest = verdict.worm_seq or 0
    if verdict.records > newest:
        click.echo(
            f"not yet covered by a WORM copy: records {newest + 1} to {verdict.records} "
            "(they can still be deleted unnoticed until the next checkpoint)"
        )
    if verdict.without_worm_copy:
        numbers = ", ".join(str(number) for number in verdict.without_worm_copy)
        click.echo(f"checkpoints without a WORM copy (the copy failed): {numbers}")
