"""The composition root: the one place that turns settings into adapters and an app.

``create_app(settings)`` builds the database engine, the object store, the GnuPG home and
the master key, and wires them into the Litestar app. Everything else receives them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp
from piccolo.engine.base import Engine

from crypto import CaseKeys, GnuPGHome, MasterKey, SecretBox, SigningKeys
from portal.adapters.health import CachedReadiness, Probe
from portal.adapters.sniffing import sniff_media_type
from portal.db.engine import (
    assert_schema_current,
    bind_engine,
    close_engine,
    migrate,
    open_engine,
    postgres_engine,
    sqlite_engine,
)
from portal.domain.login_throttle import ThrottlePolicy
from portal.domain.sign_in import SessionPolicy, SignInPolicy
from portal.services.audit import PSEUDONYM_KEY_PURPOSE, AuditLog
from portal.services.audit_chain import AuditSigner, Checkpointer, WormCopies
from portal.services.audit_sealing import AUDIT_KEY_PURPOSE
from portal.services.case_keys import forget_destroyed_case_keys_periodically
from portal.services.cases import CaseKeyring
from portal.services.clock import Clock, system_clock
from portal.services.errors import ServiceError
from portal.services.resumable_uploads import ResumableConfig, finalise_periodically
from portal.services.retention import FullSweep, run_sweep, sweep_periodically
from portal.services.sign_in import (
    CREDENTIAL_KEY_PURPOSE,
    NAME_KEY_PURPOSE,
    SIGNIN_CSRF_KEY_PURPOSE,
    SignIn,
)
from portal.services.vault import Vault
from portal.settings import Settings
from portal.web import health, pages
from portal.web.access_log import AccessLog
from portal.web.api import audit as api_audit
from portal.web.api import cases as api_cases
from portal.web.api import consents as api_consents
from portal.web.api import documents as api_documents
from portal.web.api import grants as api_grants
from portal.web.api import me as api_me
from portal.web.api import partijen as api_partijen
from portal.web.api import retention as api_retention
from portal.web.api import uploads as api_uploads
from portal.web.auth import TokenAuthentication, request_context
from portal.web.error_codes import JsonWithErrorCodes
from portal.web.errors import (
    http_error_response,
    internal_error_response,
    service_error_response,
    too_deeply_nested_response,
)
from portal.web.forwarded import TrustedProxies
from portal.web.limits import HeaderLimit, NoNulCharacters, NoRepeatedQueryParameters
from portal.web.pages.state import PageDeps
from portal.web.security_headers import add_security_headers
from portal.web.state import PortalDeps
from portal.web.tus import tus_resumable_header
from storage import (
    LocalObjectStore,
    LocalWormStore,
    ObjectStore,
    S3ObjectStore,
    S3WormStore,
    StoreUnavailable,
    WormStore,
)

log = logging.getLogger("portal")

# One thread per upload or download in flight, held for the whole transfer; beyond 32 at
# once, transfers queue for a thread. gpg itself runs at most 8 at once per GnuPG home
# (crypto.gnupg_home): a transfer past that holds its thread and waits there for gpg.
TRANSFER_THREADS = 32
# How often each process looks for resumable uploads whose finaliser died (their claim
# lapsed): a short query when there are none.
FINALISE_POLL_SECONDS = 30.0
# A signature and its WORM copy take well under a second; shutdown waits no longer than this.
CHECKPOINT_STOP_SECONDS = 10
# Who the scheduled sweep's records name as their actor (``operator:scheduled-sweep``): no
# shell account stands behind it, the server's own timer does.
SCHEDULED_SWEEP_OPERATOR = "scheduled-sweep"


class StartupRefused(Exception):
    """A security or consistency precondition for serving is not met; the message says which."""


@dataclass(frozen=True, kw_only=True)
class Adapters:
    settings: Settings
    engine: Engine[Any]
    object_store: ObjectStore
    case_keys: CaseKeys
    master_key: MasterKey
    signer: AuditSigner
    audit: AuditLog
    worm: WormCopies
    checkpointer: Checkpointer


def build_engine(settings: Settings) -> Engine[Any]:
    if settings.database_url is not None:
        return postgres_engine(settings.database_url)
    return sqlite_engine(settings.sqlite_path)


def build_object_store(settings: Settings) -> ObjectStore:
    if settings.s3 is not None:
        return S3ObjectStore(
            endpoint=settings.s3.endpoint,
            access_key=settings.s3.access_key,
            secret_key=settings.s3.secret_key,
            bucket=settings.s3.bucket,
            secure=settings.s3.secure,
            region=settings.s3.region,
        )
    settings.objects_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return LocalObjectStore(settings.objects_dir)


def build_worm_store(settings: Settings) -> WormStore:
    """Where the audit checkpoints' write-once copies go: never the documents' bucket."""
    if settings.audit_worm_bucket is not None and settings.s3 is not None:
        return S3WormStore(
            endpoint=settings.s3.endpoint,
            access_key=settings.s3.access_key,
            secret_key=settings.s3.secret_key,
            bucket=settings.audit_worm_bucket,
            secure=settings.s3.secure,
            region=settings.s3.region,
        )
    settings.audit_worm_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return LocalWormStore(settings.audit_worm_dir)


def prepare_worm_store(settings: Settings, store: WormStore) -> None:
    """Create a missing WORM bucket (object lock on); refuse one that does not lock.

    Production refuses to start unless the bucket locks in COMPLIANCE mode: a bucket
    without object lock, or in GOVERNANCE mode, lets privileged credentials delete the very
    copies that are to show a deleted tail. Elsewhere the gap is logged loudly.
    """
    try:
        if isinstance(store, S3WormStore):
            store.ensure_bucket(default_retention_days=settings.audit_worm_retention_days)
        store.check()
    except StoreUnavailable as exc:
        if settings.is_production:
            raise StartupRefused(f"the audit checkpoints' WORM store is not usable: {exc}") from exc
        log.warning("the audit checkpoints' WORM store is not usable: %s", exc)
        return
    if not store.enforced:
        log.warning(
            "audit checkpoints are copied to %s; set PORTAL_AUDIT_WORM_BUCKET in production",
            store.describe(),
        )


def load_master_key(settings: Settings) -> MasterKey:
    """The master key; in the embedded default it is generated on first start."""
    path = settings.effective_master_key_file
    if path.exists():
        return MasterKey.load(path)
    if settings.master_key_file is not None or settings.is_production:
        raise StartupRefused(f"master key file {path} does not exist")
    key = MasterKey.generate()
    key.write(path)
    log.warning(
        "GENERATED A NEW MASTER KEY at %s. It protects every case key: back it up, keep it "
        "off shared disks, and use PORTAL_MASTER_KEY_FILE with PORTAL_ENV=production in "
        "production. Losing it makes every stored document unreadable.",
        path,
    )
    return key


def build_adapters(settings: Settings, *, clock: Clock = system_clock) -> Adapters:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = build_engine(settings)
    bind_engine(engine)
    master_key = load_master_key(settings)
    home = GnuPGHome(settings.gnupg_home)
    signer = AuditSigner(keys=SigningKeys(home), master_key=master_key)
    worm = WormCopies(
        store=build_worm_store(settings),
        retain_for=timedelta(days=settings.audit_worm_retention_days),
    )
    checkpointer = Checkpointer(
        signer,
        worm=worm,
        every_records=settings.audit_checkpoint_records,
        every_seconds=settings.audit_checkpoint_seconds,
        clock=clock,
    )
    return Adapters(
        settings=settings,
        engine=engine,
        object_store=build_object_store(settings),
        case_keys=CaseKeys(home),
        master_key=master_key,
        signer=signer,
        # Every audit record about a case carries its subject's pseudonym, made with a key
        # derived from the master key (see portal.services.audit); its personal fields are
        # sealed under the case's audit key, wrapped under another derived key.
        audit=AuditLog(
            pseudonym_key=master_key.key_for(PSEUDONYM_KEY_PURPOSE),
            sealing_key=master_key.key_for(AUDIT_KEY_PURPOSE),
            on_appended=checkpointer.appended,
        ),
        worm=worm,
        checkpointer=checkpointer,
    )


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """Refused API tokens and refused sign-ins, per client address."""
    return ThrottlePolicy(
        window_seconds=settings.login_failure_window_seconds,
        recorded_per_window=settings.login_failures_recorded,
        block_after=settings.login_failures_block_after,
        block_seconds=settings.login_block_seconds,
    )


async def sweep_with(
    adapters: Adapters, *, now: datetime, dry_run: bool, sign_in: SignIn, operator: str
) -> FullSweep:
    """The retention sweep wired to ``adapters``: what the CLI and the server's schedule run."""
    return await run_sweep(
        now=now,
        dry_run=dry_run,
        store=adapters.object_store,
        keys=adapters.case_keys,
        signer=adapters.signer,
        audit=adapters.audit,
        sign_in=sign_in,
        operator=operator,
        stale_upload_age=timedelta(seconds=adapters.settings.stale_upload_seconds),
    )


def build_sign_in(adapters: Adapters, *, clock: Clock) -> SignIn:
    """The web pages' sign-in, with keys derived from the master key: the same in every
    app process, so a session, a lock or a sealed TOTP seed means the same everywhere."""
    settings = adapters.settings
    return SignIn(
        audit=adapters.audit,
        clock=clock,
        box=SecretBox(adapters.master_key.key_for(CREDENTIAL_KEY_PURPOSE)),
        name_key=adapters.master_key.key_for(NAME_KEY_PURPOSE),
        policy=SignInPolicy(
            slow_after=settings.signin_slow_after,
            lock_after=settings.signin_lock_after,
            lock_seconds=settings.signin_lock_minutes * 60,
        ),
        sessions=SessionPolicy(
            idle_seconds=settings.session_idle_minutes * 60,
            max_seconds=settings.session_max_hours * 3600,
        ),
        throttle=throttle_policy(settings),
        vog_max_age_days=settings.vog_max_age_days,
        enrolment_link_hours=settings.enrolment_link_hours,
    )


async def prepare_database(adapters: Adapters) -> None:
    """Embedded: migrate on start. Production: refuse a database that is behind the code.

    In production several app processes start at once; letting each of them migrate would
    race, so migrations there are an explicit ``portal db migrate`` step before rollout.
    """
    if adapters.settings.is_production:
        await assert_schema_current()
        return
    for line in await migrate():
        log.info("migration: %s", line)


def readiness_probes(adapters: Adapters) -> dict[str, Probe]:
    async def database() -> None:
        await adapters.engine.run_ddl("SELECT 1")

    async def object_store() -> None:
        await asyncio.to_thread(adapters.object_store.check)

    async def gpg() -> None:
        await asyncio.to_thread(adapters.case_keys.home.check)

    return {"database": database, "object_store": object_store, "gpg": gpg}


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    probes: Callable[[Adapters], Mapping[str, Probe]] = readiness_probes,
) -> Litestar:
    """The app; ``probes`` builds the readiness probes (tests count their calls)."""
    adapters = build_adapters(settings, clock=clock)
    deps = PortalDeps(
        clock=clock,
        readiness=CachedReadiness(probes(adapters)),
        keyring=CaseKeyring(keys=adapters.case_keys, master_key=adapters.master_key),
        vault=Vault(
            store=adapters.object_store,
            keys=adapters.case_keys,
            master_key=adapters.master_key,
            max_upload_bytes=settings.max_upload_bytes,
            sniff=sniff_media_type,
            transfers=ThreadPoolExecutor(
                max_workers=TRANSFER_THREADS, thread_name_prefix="portal-transfer"
            ),
        ),
        signer=adapters.signer,
        audit=adapters.audit,
        handover_days=settings.handover_days,
        resumable=ResumableConfig(
            expiry=timedelta(seconds=settings.upload_expiry_seconds),
            idle_seconds=settings.upload_idle_seconds,
            finalise_claim=timedelta(seconds=settings.upload_finalise_claim_seconds),
            vog_max_age_days=settings.vog_max_age_days,
        ),
        trusted_proxies=TrustedProxies(settings.trusted_proxies),
        health_token=settings.health_token.value if settings.health_token else None,
    )
    page_deps = PageDeps(
        sign_in=build_sign_in(adapters, clock=clock),
        clock=clock,
        vault=deps.vault,
        audit=adapters.audit,
        signin_csrf_key=adapters.master_key.key_for(SIGNIN_CSRF_KEY_PURPOSE),
        cookie_secure=settings.cookie_secure,
        theme_class=settings.theme_class,
        theme_css=(settings.theme_css or pages.DEFAULT_THEME).read_bytes(),
        vendor_css=pages.vendor_css_installed(),
        trusted_proxies=deps.trusted_proxies,
    )

    async def scheduled_sweep(now: datetime) -> FullSweep:
        return await sweep_with(
            adapters,
            now=now,
            dry_run=False,
            sign_in=page_deps.sign_in,
            operator=SCHEDULED_SWEEP_OPERATOR,
        )

    def background_tasks() -> list[asyncio.Task[None]]:
        tasks = [
            asyncio.create_task(
                finalise_periodically(
                    interval=FINALISE_POLL_SECONDS,
                    vault=deps.vault,
                    audit=adapters.audit,
                    clock=clock,
                    config=deps.resumable,
                )
            ),
            asyncio.create_task(
                forget_destroyed_case_keys_periodically(
                    interval=settings.key_cache_sweep_seconds, keys=adapters.case_keys
                )
            ),
        ]
        if settings.retention_sweep_seconds is not None:
            tasks.append(
                asyncio.create_task(
                    sweep_periodically(
                        interval=settings.retention_sweep_seconds,
                        clock=clock,
                        run=scheduled_sweep,
                    )
                )
            )
        return tasks

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await open_engine(adapters.engine)
        try:
            await prepare_database(adapters)
            if isinstance(adapters.object_store, S3ObjectStore):
                await asyncio.to_thread(adapters.object_store.ensure_bucket)
            await asyncio.to_thread(prepare_worm_store, settings, adapters.worm.store)
            log.info("portal ready: %s", settings.describe())
            checkpoints = asyncio.create_task(adapters.checkpointer.run())
            periodic = background_tasks()
            try:
                yield
            finally:
                adapters.checkpointer.stop()
                for task in periodic:
                    task.cancel()
                for task in periodic:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                try:
                    await asyncio.wait_for(checkpoints, timeout=CHECKPOINT_STOP_SECONDS)
                except TimeoutError:
                    log.warning("an audit checkpoint was still being signed at shutdown")
        finally:
            deps.vault.transfers.shutdown(wait=False, cancel_futures=True)
            await close_engine(adapters.engine)

    return Litestar(
        route_handlers=[
            health.router,
            api_cases.router,
            api_documents.router(max_upload_bytes=settings.max_upload_bytes),
            api_uploads.router(max_upload_bytes=settings.max_upload_bytes),
            api_grants.router,
            api_consents.router,
            api_partijen.router,
            api_me.router,
            api_audit.router,
            api_retention.router,
            pages.router(page_deps),
            *pages.asset_routers(page_deps),
        ],
        middleware=[
            NoNulCharacters(),
            NoRepeatedQueryParameters(),
            DefineMiddleware(
                TokenAuthentication,
                audit=adapters.audit,
                clock=clock,
                exclude=["^/health/", "^/schema"],
                throttle=throttle_policy(settings),
                trusted_proxies=deps.trusted_proxies,
                vog_max_age_days=settings.vog_max_age_days,
            ),
        ],
        dependencies={
            "deps": Provide(lambda: deps, use_cache=True, sync_to_thread=False),
            "context": Provide(request_context, sync_to_thread=False),
        },
        exception_handlers={
            ServiceError: service_error_response,
            HTTPException: http_error_response,
            RecursionError: too_deeply_nested_response,
            HTTP_500_INTERNAL_SERVER_ERROR: internal_error_response,
        },
        lifespan=[lifespan],
        template_config=pages.template_config(),
        before_send=[add_security_headers(deps.trusted_proxies), tus_resumable_header],
        openapi_config=OpenAPIConfig(
            title="RTO portal",
            version="0.1.0",
            description="Encrypted, consent-bound document exchange for Zorg- en Veiligheidshuizen",
            path="/schema",
            # Only the JSON: Litestar's HTML pages (Swagger, ReDoc, Scalar...) load their
            # scripts from a CDN, which the portal's CSP forbids and should not trust.
            render_plugins=[JsonWithErrorCodes()],
        ),
        debug=False,
    )


def app_from_environment() -> ASGIApp:
    """Entry point for uvicorn's factory mode: each worker process builds its own app.

    Wrapped in the header limit (``portal.web.limits``), then in the portal's own access
    log; ``portal serve`` turns uvicorn's off, because it prints query strings (see
    ``portal.web.access_log``).
    """
    from portal.settings import load_settings

    os.umask(0o077)  # see portal.cli: files the portal writes are for its own user only
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return AccessLog(HeaderLimit(create_app(settings), max_header_bytes=settings.max_header_bytes))
