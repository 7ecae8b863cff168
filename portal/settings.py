"""One frozen settings struct, built once from ``PORTAL_*`` environment variables.

Nothing else in the project reads ``os.environ``. Secrets may also come from a file named
by ``<NAME>_FILE`` (the way container orchestrators mount them), so they need not sit in
the process environment.

Without any variable set the portal runs as the *embedded default*: SQLite, a local
directory object store and a generated master key, all under one data directory. In
production (``PORTAL_ENV=production``) it refuses to start unless the master key, the
database and the object store are set explicitly: a silently generated key or a local
SQLite file would lose or strand documents once a second app process starts.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path

import msgspec

GIB = 1024**3


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(Exception):
    """The environment does not describe a portal that may start; the message says why."""


class S3Settings(msgspec.Struct, frozen=True, kw_only=True):
    endpoint: str
    access_key: str
    secret_key: str = msgspec.field()
    bucket: str
    secure: bool
    region: str | None = None

    def __repr__(self) -> str:  # never print the secret key in logs or tracebacks
        return (
            f"S3Settings(endpoint={self.endpoint!r}, bucket={self.bucket!r}, secure={self.secure})"
        )


class OperatorToken(msgspec.Struct, frozen=True):
    """A shared secret for operator-only answers (``/health/ready`` details)."""

    value: str

    def __repr__(self) -> str:  # never print the token in logs or tracebacks
        return "OperatorToken(***)"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment
    data_dir: Path
    database_url: str | None
    """PostgreSQL URL; None means the embedded SQLite file in the data directory."""
    s3: S3Settings | None
    """MinIO/S3 object store; None means the local directory store in the data directory."""
    master_key_file: Path | None
    """Explicit master key file; None means ``<data_dir>/master.key``, generated on first start."""
    host: str
    port: int
    max_upload_bytes: int
    log_level: str
    audit_checkpoint_seconds: int = 60
    """The head of the audit chain is signed at least this often while it grows
    (``PORTAL_AUDIT_CHECKPOINT_SECONDS``); see ``audit_checkpoint_records``."""
    handover_days: int = 14
    """How long the casusregisseur may fetch the documents handed over at afschaling
    (``PORTAL_HANDOVER_DAYS``, Bijlage 2 "overdracht")."""
    vog_max_age_days: int | None = None
    """Art. 13.3: a VOG older than this many days is no screening (``PORTAL_VOG_MAX_AGE_DAYS``);
    None: any VOG on record counts."""

    max_header_bytes: int = 8192
    """The largest request header line, name and value (``PORTAL_MAX_HEADER_BYTES``); all
    headers together may be four times that. Larger requests get 431."""
    login_failure_window_seconds: int = 60
    """Refused tokens are counted per client address per window of this many seconds
    (``PORTAL_LOGIN_FAILURE_WINDOW_SECONDS``)."""
    login_failures_recorded: int = 5
    """The first this many refusals in a window get one audit record each, the rest one
    summary record (``PORTAL_LOGIN_FAILURES_RECORDED``)."""
    login_failures_block_after: int = 20
    """This many refusals in a window block the address (``PORTAL_LOGIN_FAILURES_BLOCK_AFTER``)."""
    login_block_seconds: int = 300
    """A blocked address is answered 429 for this long (``PORTAL_LOGIN_BLOCK_SECONDS``)."""
    trusted_proxies: tuple[str, ...] = ()
    """Proxy addresses or networks whose ``X-Forwarded-For``/``-Proto`` are believed
    (``PORTAL_TRUSTED_PROXIES``, comma-separated); none by default."""
    health_token: OperatorToken | None = None
    """Shows the per-dependency details of ``/health/ready`` to whoever sends it as a
    bearer token (``PORTAL_HEALTH_TOKEN`` or ``PORTAL_HEALTH_TOKEN_FILE``); None: nobody."""

    upload_expiry_seconds: int = 86400
    """A resumable upload with no bytes for this long is swept away, its stage with it
    (``PORTAL_UPLOAD_EXPIRY_SECONDS``); a finished one's outcome is kept as long."""
    upload_idle_seconds: int = 60
    """A resumable upload's PATCH that receives nothing for this long ends, keeping what
    arrived (``PORTAL_UPLOAD_IDLE_SECONDS``): uvicorn itself never times out a body."""
    upload_finalise_claim_seconds: int = 600
    """How long one process may take to finalise an upload before another takes the job
    over (``PORTAL_UPLOAD_FINALISE_CLAIM_SECONDS``)."""
    stale_upload_seconds: int = 6 * 3600
    """The retention sweep aborts incomplete multipart uploads (and a directory store's
    temporary files) begun longer ago than this (``PORTAL_STALE_UPLOAD_SECONDS``): what a
    crash of MinIO or the portal mid-upload leaves. An upload still running must never be
    aborted, so this must exceed the longest plausible upload: the largest document
    (2 GiB by default) over a slow 1 Mbit/s link takes about 5 h, hence 6 h."""
    retention_sweep_seconds: int | None = 3600
    """Each app process runs the whole retention sweep (as ``portal retention sweep``) this
    often, first this long after it starts (``PORTAL_RETENTION_SWEEP_SECONDS``; ``off``:
    never, for a deployment that runs the command from cron instead). On by default: a
    case past +12 months must go (art. 11.2c) even where nobody set up that cron job.
    Processes take turns on the sweep's database lock."""
    key_cache_sweep_seconds: int = 60
    """Each app process forgets the keys its GnuPG home caches for destroyed cases (their
    key row gone) this often (``PORTAL_KEY_CACHE_SWEEP_SECONDS``): how long a copy of a
    destroyed case's key may outlive the destruction in another process's home."""
    # --- the audit log's write-once checkpoints (issue "Hardening", point 5) ---
    audit_checkpoint_records: int = 100
    """The head is also signed every this many records, before the interval is up
    (``PORTAL_AUDIT_CHECKPOINT_RECORDS``): records after the newest checkpoint are the
    ones that can be deleted unnoticed, so this and the interval bound how many."""
    audit_worm_bucket: str | None = None
    """S3 bucket, created with object lock and a COMPLIANCE default retention, that keeps a
    write-once copy of every checkpoint (``PORTAL_AUDIT_WORM_BUCKET``), on the
    ``PORTAL_S3_*`` endpoint with its credentials. None: the directory
    ``<data_dir>/audit-worm``, which is NOT write-once. Required in production."""
    audit_worm_retention_days: int = 1827
    """How long each copy is locked (``PORTAL_AUDIT_WORM_RETENTION_DAYS``): five years,
    as long as the audit records themselves are kept."""
    cookie_secure: bool = False
    """The web pages' cookies are ``Secure`` and named ``__Host-...`` (``PORTAL_COOKIE_SECURE``):
    default true in production, where it may not be turned off, false in the embedded
    default, which a browser reaches over plain http://127.0.0.1."""
    session_idle_minutes: int = 15
    """A web session ends after this long without a request (``PORTAL_SESSION_IDLE_MINUTES``)."""
    session_max_hours: int = 8
    """A web session ends this long after sign-in, however busy (``PORTAL_SESSION_MAX_HOURS``)."""
    signin_slow_after: int = 3
    """After this many failed sign-ins for one account name, each next attempt must wait,
    twice as long each time (``PORTAL_SIGNIN_SLOW_AFTER``)."""
    signin_lock_after: int = 5
    """This many failed sign-ins lock the account name (``PORTAL_SIGNIN_LOCK_AFTER``)."""
    signin_lock_minutes: int = 15
    """How long a locked account name stays locked; failures older than this are
    forgotten (``PORTAL_SIGNIN_LOCK_MINUTES``)."""
    enrolment_link_hours: int = 72
    """How long a one-time enrolment link printed by ``portal user add`` stays usable
    (``PORTAL_ENROLMENT_LINK_HOURS``)."""
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach the portal, for the links the command line prints
    (``PORTAL_PUBLIC_URL``; default ``http://<PORTAL_HOST>:<PORTAL_PORT>``)."""
    theme_css: Path | None = None
    """A ZVH's own theme: a CSS file served as ``/static/theme.css`` instead of the portal's
    (``PORTAL_THEME_CSS``); its custom properties hang under ``theme_class``."""
    theme_class: str = "rto-theme"
    """The class on ``<html>`` that carries the theme's design tokens (``PORTAL_THEME_CLASS``)."""

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "portal.sqlite3"

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def gnupg_home(self) -> Path:
        return self.data_dir / "gnupg"

    @property
    def audit_worm_dir(self) -> Path:
        return self.data_dir / "audit-worm"

    @property
    def effective_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    def describe(self) -> str:
        """One line for the operator's log: which database and store, never a secret."""
        database = "PostgreSQL" if self.database_url else f"SQLite at {self.sqlite_path}"
        store = (
            f"S3 {self.s3.endpoint}/{self.s3.bucket}"
            if self.s3
            else f"directory {self.objects_dir}"
        )
        return f"env={self.env} database={database} objects={store}"


def _read(environ: Mapping[str, str], name: str) -> str | None:
    """A variable's value, or the contents of the file ``<name>_FILE`` points at."""
    value = environ.get(name)
    file_name = environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise SettingsError(f"set {name} or {name}_FILE, not both")
    if file_name is not None:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE={file_name} cannot be read: {exc.strerror}") from exc
    return value if value else None


def _flag(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _integer(environ: Mapping[str, str], name: str, *, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


THEME_CLASS = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def _public_url(environ: Mapping[str, str], host: str, port: int) -> str:
    raw = environ.get("PORTAL_PUBLIC_URL") or f"http://{host}:{port}"
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"PORTAL_PUBLIC_URL must start with http:// or https://, not {raw!r}")
    return raw.rstrip("/")


def _theme(environ: Mapping[str, str]) -> tuple[Path | None, str]:
    raw_css = environ.get("PORTAL_THEME_CSS")
    css = Path(raw_css).absolute() if raw_css else None
    if css is not None and not css.is_file():
        raise SettingsError(f"PORTAL_THEME_CSS={raw_css} is not a file")
    theme_class = environ.get("PORTAL_THEME_CLASS") or "rto-theme"
    if not THEME_CLASS.match(theme_class):
        raise SettingsError(
            f"PORTAL_THEME_CLASS must be a CSS class name of a-z, 0-9 and '-', not {theme_class!r}"
        )
    return css, theme_class


def _interval_or_off(environ: Mapping[str, str], name: str, *, default: int) -> int | None:
    if (environ.get(name) or "").lower() == "off":
        return None
    return _integer(environ, name, default=default)


def _optional_integer(environ: Mapping[str, str], name: str) -> int | None:
    if not environ.get(name):
        return None
    return _integer(environ, name, default=0)


def _trusted_proxies(environ: Mapping[str, str]) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in (environ.get("PORTAL_TRUSTED_PROXIES") or "").split(","))
    for entry in entries:
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"PORTAL_TRUSTED_PROXIES must list IP addresses or networks, not {entry!r}"
            ) from None
    return tuple(e for e in entries if e)


def _s3(environ: Mapping[str, str]) -> S3Settings | None:
    endpoint = _read(environ, "PORTAL_S3_ENDPOINT")
    if endpoint is None:
        return None
    missing = [
        name
        for name in ("PORTAL_S3_ACCESS_KEY", "PORTAL_S3_SECRET_KEY", "PORTAL_S3_BUCKET")
        if _read(environ, name) is None
    ]
    if missing:
        raise SettingsError(f"PORTAL_S3_ENDPOINT is set but {', '.join(missing)} not")
    return S3Settings(
        endpoint=endpoint,
        access_key=_read(environ, "PORTAL_S3_ACCESS_KEY") or "",
        secret_key=_read(environ, "PORTAL_S3_SECRET_KEY") or "",
        bucket=_read(environ, "PORTAL_S3_BUCKET") or "",
        secure=_flag(environ, "PORTAL_S3_SECURE", default=True),
        region=_read(environ, "PORTAL_S3_REGION"),
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``environ`` (default: the process environment)."""
    env_vars = os.environ if environ is None else environ
    raw_env = env_vars.get("PORTAL_ENV", Environment.DEVELOPMENT.value)
    try:
        env = Environment(raw_env)
    except ValueError:
        choices = ", ".join(e.value for e in Environment)
        raise SettingsError(f"PORTAL_ENV must be one of {choices}, not {raw_env!r}") from None
    master_key_file = _read(env_vars, "PORTAL_MASTER_KEY_FILE")
    host = env_vars.get("PORTAL_HOST") or "127.0.0.1"
    port = _integer(env_vars, "PORTAL_PORT", default=8000)
    theme_css, theme_class = _theme(env_vars)
    settings = Settings(
        env=env,
        data_dir=Path(env_vars.get("PORTAL_DATA_DIR") or "var").absolute(),
        database_url=_read(env_vars, "PORTAL_DATABASE_URL"),
        s3=_s3(env_vars),
        master_key_file=Path(master_key_file) if master_key_file else None,
        host=host,
        port=port,
        max_upload_bytes=_integer(env_vars, "PORTAL_MAX_UPLOAD_BYTES", default=2 * GIB),
        log_level=(env_vars.get("PORTAL_LOG_LEVEL") or "info").lower(),
        audit_checkpoint_seconds=_integer(env_vars, "PORTAL_AUDIT_CHECKPOINT_SECONDS", default=60),
        handover_days=_integer(env_vars, "PORTAL_HANDOVER_DAYS", default=14),
        vog_max_age_days=_optional_integer(env_vars, "PORTAL_VOG_MAX_AGE_DAYS"),
        max_header_bytes=_integer(env_vars, "PORTAL_MAX_HEADER_BYTES", default=8192),
        login_failure_window_seconds=_integer(
            env_vars, "PORTAL_LOGIN_FAILURE_WINDOW_SECONDS", default=60
        ),
        login_failures_recorded=_integer(env_vars, "PORTAL_LOGIN_FAILURES_RECORDED", default=5),
        login_failures_block_after=_integer(
            env_vars, "PORTAL_LOGIN_FAILURES_BLOCK_AFTER", default=20
        ),
        login_block_seconds=_integer(env_vars, "PORTAL_LOGIN_BLOCK_SECONDS", default=300),
        trusted_proxies=_trusted_proxies(env_vars),
        upload_expiry_seconds=_integer(env_vars, "PORTAL_UPLOAD_EXPIRY_SECONDS", default=86400),
        upload_idle_seconds=_integer(env_vars, "PORTAL_UPLOAD_IDLE_SECONDS", default=60),
        upload_finalise_claim_seconds=_integer(
            env_vars, "PORTAL_UPLOAD_FINALISE_CLAIM_SECONDS", default=600
        ),
        stale_upload_seconds=_integer(env_vars, "PORTAL_STALE_UPLOAD_SECONDS", default=6 * 3600),
        retention_sweep_seconds=_interval_or_off(
            env_vars, "PORTAL_RETENTION_SWEEP_SECONDS", default=3600
        ),
        key_cache_sweep_seconds=_integer(env_vars, "PORTAL_KEY_CACHE_SWEEP_SECONDS", default=60),
        health_token=OperatorToken(token)
        if (token := _read(env_vars, "PORTAL_HEALTH_TOKEN"))
        else None,
        audit_checkpoint_records=_integer(env_vars, "PORTAL_AUDIT_CHECKPOINT_RECORDS", default=100),
        audit_worm_bucket=_read(env_vars, "PORTAL_AUDIT_WORM_BUCKET"),
        audit_worm_retention_days=_integer(
            env_vars, "PORTAL_AUDIT_WORM_RETENTION_DAYS", default=1827
        ),
        cookie_secure=_flag(
            env_vars, "PORTAL_COOKIE_SECURE", default=env is Environment.PRODUCTION
        ),
        session_idle_minutes=_integer(env_vars, "PORTAL_SESSION_IDLE_MINUTES", default=15),
        session_max_hours=_integer(env_vars, "PORTAL_SESSION_MAX_HOURS", default=8),
        signin_slow_after=_integer(env_vars, "PORTAL_SIGNIN_SLOW_AFTER", default=3),
        signin_lock_after=_integer(env_vars, "PORTAL_SIGNIN_LOCK_AFTER", default=5),
        signin_lock_minutes=_integer(env_vars, "PORTAL_SIGNIN_LOCK_MINUTES", default=15),
        enrolment_link_hours=_integer(env_vars, "PORTAL_ENROLMENT_LINK_HOURS", default=72),
        public_url=_public_url(env_vars, host, port),
        theme_css=theme_css,
        theme_class=theme_class,
    )
    if settings.audit_worm_bucket is not None and (
        settings.s3 is None or settings.audit_worm_bucket == settings.s3.bucket
    ):
        raise SettingsError(
            "PORTAL_AUDIT_WORM_BUCKET needs PORTAL_S3_ENDPOINT and must name a bucket of "
            "its own, not PORTAL_S3_BUCKET"
        )
    if settings.database_url is not None and not settings.database_url.startswith(
        ("postgres://", "postgresql://")
    ):
        raise SettingsError("PORTAL_DATABASE_URL must be a postgresql:// URL")
    if settings.login_failures_block_after <= settings.login_failures_recorded:
        raise SettingsError(
            "PORTAL_LOGIN_FAILURES_BLOCK_AFTER must be larger than PORTAL_LOGIN_FAILURES_RECORDED"
        )
    if settings.signin_lock_after <= settings.signin_slow_after:
        raise SettingsError("PORTAL_SIGNIN_LOCK_AFTER must be larger than PORTAL_SIGNIN_SLOW_AFTER")
    if settings.is_production:
        _refuse_unsafe_production(settings)
    return settings


def _refuse_unsafe_production(settings: Settings) -> None:
    missing = []
    if settings.master_key_file is None:
        missing.append("PORTAL_MASTER_KEY_FILE (the master key protecting every case key)")
    if settings.database_url is None:
        missing.append("PORTAL_DATABASE_URL (PostgreSQL shared by all app processes)")
    if settings.s3 is None:
        missing.append("PORTAL_S3_ENDPOINT with its access key, secret key and bucket")
    if settings.audit_worm_bucket is None:
        missing.append(
            "PORTAL_AUDIT_WORM_BUCKET (an object-locked bucket for the audit checkpoints)"
        )
    if not settings.cookie_secure:
        # A session cookie sent over plain HTTP can be read on the way: production has TLS.
        missing.append("PORTAL_COOKIE_SECURE (it may not be false)")
    if missing:
        raise SettingsError("PORTAL_ENV=production refuses to start without: " + "; ".join(missing))
