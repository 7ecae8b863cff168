"""Signing in to the web pages: password, second factor, sessions, enrolment.

The bearer tokens of the API are untouched by this; a browser signs in with a password
(argon2id) and a TOTP code (RFC 6238, 30 s, 6 digits) or one of ten one-time recovery
codes, and then holds a server-side session: a row in ``web_session``, found by the
SHA-256 of the cookie's 256-bit id, so every app process knows it and a database dump
holds no usable session id.

Answers never tell which account names exist: an unknown name is checked against a
dummy hash (the same work as a real one), counted and locked like a real name
(``portal.domain.sign_in``), and refused with the same words. Refusals also count in
the client address's window shared with refused API tokens
(``portal.services.login_throttle``), which records the first few one by one and the
rest as one summary, so that guessing cannot grow the audit log at will.

Every step on record: ``auth:signin``, ``auth:signin:failed``, ``auth:lock``,
``auth:signout``, ``auth:totp-enrol``, ``auth:recovery-code``, ``auth:password-set``,
``auth:enrolment-link``.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import functools
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crypto import SecretBox, SecretUnreadable
from portal.db import partijen as partijen_db
from portal.db import sign_in as sign_in_db
from portal.db.transactions import write_transaction
from portal.domain.actions import Action
from portal.domain.login_throttle import ThrottlePolicy
from portal.domain.partijen import Actor, User, UserId
from portal.domain.sign_in import (
    PasswordProblem,
    SecondFactor,
    SessionPolicy,
    SessionStage,
    SignInPolicy,
    WebSession,
    after_failure,
    failures_forgotten_before,
    must_wait,
    password_problem,
    second_factor_kind,
    session_alive,
    session_cutoffs,
    session_needs_touch,
    totp_step_usable,
)
from portal.services import login_throttle
from portal.services.audit import Account, AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.errors import InvalidInput, NotFound
from portal.services.users import USERNAME, hash_token

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
TOTP_DRIFT_STEPS = 1
"""A code of the step before or after now is accepted too: phones' clocks drift."""
TOTP_ISSUER = "RTO-portal"
RECOVERY_CODES = 10
CREDENTIAL_KEY_PURPOSE = "credential-secrets"
NAME_KEY_PURPOSE = "sign-in-names"
SIGNIN_CSRF_KEY_PURPOSE = "sign-in-csrf"
_NAME_LABEL = b"rto-portal:sign-in-name:v1\x00"


class Refused(enum.StrEnum):
    """Why a sign-in step was refused; the page says it in Dutch, the same for every name."""

    WRONG = "wrong"
    """Wrong name or password, or wrong second factor: which, is not said."""
    SLOW_DOWN = "slow-down"
    LOCKED = "locked"
    ADDRESS_BLOCKED = "address-blocked"


@dataclass(frozen=True, kw_only=True)
class Refusal:
    why: Refused
    wait_seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Where a request comes from, for the audit record; never what was typed."""

    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None

    def context(self, actor: Actor) -> RequestContext:
        return RequestContext(
            actor=actor,
            client_address=self.client_address,
            user_agent=self.user_agent,
            trace_id=self.trace_id,
            span_id=self.span_id,
        )

    def refused(self) -> login_throttle.RefusedToken:
        return login_throttle.RefusedToken(
            client_address=self.client_address,
            user_agent=self.user_agent,
            trace_id=self.trace_id,
            span_id=self.span_id,
        )


@dataclass(frozen=True, kw_only=True)
class StartedSession:
    """A new session: ``cookie_value`` goes to the browser and is never stored."""

    cookie_value: str
    stage: SessionStage
    csrf_secret: str


@dataclass(frozen=True, kw_only=True)
class LiveSession:
    """A session found by its cookie, alive, of an active user."""

    session: WebSession
    actor: Actor


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    """What the enrolment page shows: the seed in text and as an ``otpauth:`` URI."""

    secret: str
    uri: str


@dataclass(frozen=True, kw_only=True)
class Enrolled:
    """TOTP confirmed: the recovery codes, shown once, and the signed-in session."""

    recovery_codes: tuple[str, ...]
    session: StartedSession


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile)."""
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked for an unknown name, so that it costs what a real one costs."""
    return _hasher().hash(secrets.token_urlsafe(32))


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_recovery_code() -> str:
    """16 base32 characters (80 bits), shown in groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True, kw_only=True)
class Forgotten:
    """What :meth:`SignIn.forget_expired` deleted, per kind."""

    sessions: int
    sign_in_failures: int
    refusal_windows: int
    enrolment_links: int

    def describe(self) -> str:
        return (
            f"{self.sessions} ended sessions, {self.sign_in_failures} forgotten sign-in "
            f"failure counts, {self.refusal_windows} ended refusal windows, "
            f"{self.enrolment_links} used or expired enrolment links"
        )


class SignIn:
    """The sign-in use cases, with what they share: keys, policies, clock, audit log."""

    def __init__(
        self,
        *,
        audit: AuditLog,
        clock: Clock,
        box: SecretBox,
        name_key: bytes,
        policy: SignInPolicy,
        sessions: SessionPolicy,
        throttle: ThrottlePolicy,
        vog_max_age_days: int | None = None,
        enrolment_link_hours: int = 72,
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._box = box
        self._name_key = name_key
        self.policy = policy
        self.sessions = sessions
        self._throttle = throttle
        self._vog_max_age_days = vog_max_age_days
        self._enrolment_link_hours = enrolment_link_hours

    # --- the password step -------------------------------------------------------------

    async def with_password(
        self, username: str, password: str, *, caller: Caller, replacing: str | None = None
    ) -> StartedSession | Refusal:
        """Check name and password; on success a session awaiting the second factor (or
        its enrolment), replacing the browser's earlier session (no fixation)."""
        now = self._clock()
        name = username.strip().lower()[:200]
        if (blocked := await self._address_blocked(caller, now=now)) is not None:
            return blocked
        name_key = self._key_of(name)
        user = await partijen_db.user_by_username(name) if USERNAME.match(name) else None
        account = _account(user)
        if (waiting := await self._must_wait(name_key, account, caller, now=now)) is not None:
            return waiting
        credential = await sign_in_db.credential_of(user.id) if user else None
        known_hash = credential.password_hash if credential else None
        matches = await asyncio.to_thread(
            _verify_password, known_hash or _dummy_hash(), password[:1024]
        )
        if not (matches and user is not None and user.active and credential and known_hash):
            return await self._failed(
                name_key, account, caller, reason="wrong account name or password", now=now
            )
        if _hasher().check_needs_rehash(known_hash):
            new_hash = await asyncio.to_thread(_hasher().hash, password)
            await sign_in_db.set_password(user.id, new_hash, now=now)
        stage = SessionStage.SECOND_FACTOR if credential.totp_confirmed else SessionStage.ENROL
        return await self._start(user.id, stage, now=now, replacing=replacing)

    # --- the second factor -------------------------------------------------------------

    async def with_second_factor(
        self, live: LiveSession, entered: str, *, caller: Caller
    ) -> StartedSession | Refusal:
        """A TOTP code (usable once) or a recovery code (used up); on success the session
        is replaced by a signed-in one."""
        now = self._clock()
        actor = live.actor
        if live.session.stage is not SessionStage.SECOND_FACTOR:
            return Refusal(why=Refused.WRONG)
        if (blocked := await self._address_blocked(caller, now=now)) is not None:
            return blocked
        name_key = self._key_of(actor.username)
        account = Account(user_id=str(actor.user_id), username=actor.username)
        if (waiting := await self._must_wait(name_key, account, caller, now=now)) is not None:
            return waiting
        kind = second_factor_kind(entered[:100])
        how: str | None = None
        if kind is not None and kind[0] is SecondFactor.TOTP:
            if await self._claim_totp(actor.user_id, kind[1], now=now):
                how = "a TOTP code"
        elif kind is not None and await sign_in_db.use_recovery_code(
            actor.user_id, hash_token(kind[1]), now=now
        ):
            left = await sign_in_db.unused_recovery_codes(actor.user_id)
            await self._audit.about(caller.context(live.actor), at=now).succeed(
                Action.AUTH_RECOVERY_CODE, f"a recovery code was used up; {left} left"
            )
            how = "a recovery code"
        if how is None:
            return await self._failed(
                name_key, account, caller, reason="wrong or already used second factor", now=now
            )
        await sign_in_db.forget_failures(name_key)
        started = await self._start(
            actor.user_id, SessionStage.SIGNED_IN, now=now, replacing=live.session.id_hash
        )
        await self._audit.about(caller.context(live.actor), at=now).succeed(
            Action.AUTH_SIGNIN, f"signed in with password and {how}"
        )
        return started

    async def _claim_totp(self, user_id: UserId, code: str, *, now: datetime) -> bool:
        credential = await sign_in_db.credential_of(user_id)
        if credential is None or not credential.totp_confirmed:
            return False
        step = self._matching_step(user_id, credential.totp_secret_sealed, code, now=now)
        if step is None or not totp_step_usable(step, last_used_step=credential.totp_last_step):
            return False
        # The conditional update decides a race between two requests with the same code.
        return await sign_in_db.claim_totp_step(user_id, step)

    def _matching_step(
        self, user_id: UserId, sealed: str | None, code: str, *, now: datetime
    ) -> int | None:
        secret = self._open_secret(user_id, sealed)
        if secret is None:
            return None
        totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)
        step = int(now.timestamp()) // TOTP_STEP_SECONDS
        for candidate in range(step - TOTP_DRIFT_STEPS, step + TOTP_DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(candidate), code):
                return candidate
        return None

    def _open_secret(self, user_id: UserId, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        try:
            return self._box.open(sealed, bound_to=str(user_id)).decode("ascii")
        except SecretUnreadable:
            # A seed that does not open (another master key, a copied row) signs no one in.
            return None

    # --- enrolment ---------------------------------------------------------------------

    async def enrolment(self, live: LiveSession) -> Enrolment | None:
        """The seed being enrolled: the one waiting for its first code, else a new one.
        None for a session not in the enrolment stage or an account already enrolled."""
        if live.session.stage is not SessionStage.ENROL:
            return None
        user_id = live.actor.user_id
        credential = await sign_in_db.credential_of(user_id)
        if credential is None or credential.totp_confirmed:
            return None
        secret = self._open_secret(user_id, credential.totp_secret_sealed)
        if secret is None:
            secret = pyotp.random_base32()
            sealed = self._box.seal(secret.encode("ascii"), bound_to=str(user_id))
            await sign_in_db.set_unconfirmed_totp(user_id, sealed)
        uri = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).provisioning_uri(
            name=live.actor.username, issuer_name=TOTP_ISSUER
        )
        return Enrolment(secret=secret, uri=uri)

    async def enrolment_qr_svg(self, live: LiveSession) -> bytes | None:
        enrolment = await self.enrolment(live)
        if enrolment is None:
            return None
        buffer = io.BytesIO()
        segno.make(enrolment.uri, error="m").save(buffer, kind="svg", scale=6, xmldecl=False)
        return buffer.getvalue()

    async def confirm_enrolment(
        self, live: LiveSession, entered: str, *, caller: Caller
    ) -> Enrolled | None:
        """The first code confirms the seed; then ten recovery codes, shown once, and a
        signed-in session. None for a wrong code (recorded; nothing changes)."""
        now = self._clock()
        enrolment = await self.enrolment(live)
        kind = second_factor_kind(entered[:100])
        user_id = live.actor.user_id
        record = self._audit.about(caller.context(live.actor), at=now)
        if enrolment is None or kind is None or kind[0] is not SecondFactor.TOTP:
            await record.fail(Action.AUTH_TOTP_ENROL, "the first code was not a valid code")
            return None
        credential = await sign_in_db.credential_of(user_id)
        sealed = credential.totp_secret_sealed if credential else None
        step = self._matching_step(user_id, sealed, kind[1], now=now)
        codes = tuple(new_recovery_code() for _ in range(RECOVERY_CODES))
        async with write_transaction():
            if step is None or not await sign_in_db.confirm_totp(user_id, step=step, now=now):
                await record.fail(Action.AUTH_TOTP_ENROL, "the first code did not match")
                return None
            await sign_in_db.replace_recovery_codes(
                user_id, [hash_token(code.replace("-", "")) for code in codes], now=now
            )
            await record.succeed(
                Action.AUTH_TOTP_ENROL, f"TOTP set up; {RECOVERY_CODES} new recovery codes"
            )
        await sign_in_db.forget_failures(self._key_of(live.actor.username))
        started = await self._start(
            user_id, SessionStage.SIGNED_IN, now=now, replacing=live.session.id_hash
        )
        await record.succeed(Action.AUTH_SIGNIN, "signed in after setting up TOTP")
        return Enrolled(recovery_codes=codes, session=started)

    # --- sessions ----------------------------------------------------------------------

    async def session(self, cookie_value: str | None) -> LiveSession | None:
        """The live session behind a cookie, touched; an ended one is deleted."""
        if not cookie_value or len(cookie_value) > 100:  # noqa: PLR2004 - far above 43 chars
            return None
        now = self._clock()
        found = await sign_in_db.session_by_hash(hash_token(cookie_value))
        if found is None:
            return None
        actor = await partijen_db.actor_by_user_id(
            found.user_id, now=now, vog_max_age_days=self._vog_max_age_days
        )
        alive = session_alive(
            created_at=found.created_at,
            last_seen_at=found.last_seen_at,
            now=now,
            policy=self.sessions,
        )
        if not alive or actor is None or not actor.active:
            # Ended by time, or by deactivation of the account: gone from every process.
            await sign_in_db.delete_session(found.id_hash)
            return None
        if session_needs_touch(last_seen_at=found.last_seen_at, now=now):
            await sign_in_db.touch_session(found.id_hash, now=now)
        return LiveSession(session=found, actor=actor)

    async def sign_out(self, live: LiveSession, *, caller: Caller) -> None:
        now = self._clock()
        if await sign_in_db.delete_session(live.session.id_hash):
            await self._audit.about(caller.context(live.actor), at=now).succeed(
                Action.AUTH_SIGNOUT, f"signed out ({live.session.stage})"
            )

    async def _start(
        self, user_id: UserId, stage: SessionStage, *, now: datetime, replacing: str | None
    ) -> StartedSession:
        cookie_value, csrf_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        async with write_transaction():
            if replacing is not None:
                await sign_in_db.delete_session(replacing)
            await sign_in_db.insert_session(
                id_hash=hash_token(cookie_value),
                user_id=user_id,
                stage=stage,
                csrf_secret=csrf_secret,
                now=now,
            )
        return StartedSession(cookie_value=cookie_value, stage=stage, csrf_secret=csrf_secret)

    # --- forged forms ------------------------------------------------------------------

    async def refuse_forged_form(self, live: LiveSession | None, *, caller: Caller) -> None:
        """Record a form posted without its CSRF token. Without a session the refusal is
        counted in the address's window, as a refused sign-in is, so that anonymous
        posts cannot grow the log at will."""
        now = self._clock()
        reason = "a form was posted without a valid CSRF token; nothing was changed"
        if live is None:
            await login_throttle.refuse_token(
                caller.refused(),
                reason=reason,
                audit=self._audit,
                policy=self._throttle,
                now=now,
                action=Action.AUTH_CSRF_DENIED,
            )
            return
        await self._audit.about(caller.context(live.actor), at=now).deny(
            Action.AUTH_CSRF_DENIED, reason
        )

    # --- enrolment links and passwords -------------------------------------------------

    async def issue_enrolment_link(self, username: str, *, operator: str) -> str:
        """A one-time token for choosing a password and setting up TOTP; shown once, only
        its hash kept. Using it replaces the account's password and second factor."""
        user = await partijen_db.user_by_username(username)
        if user is None:
            raise NotFound(f"no user named {username!r}")
        now = self._clock()
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(hours=self._enrolment_link_hours)
        async with write_transaction():
            await sign_in_db.insert_enrolment_link(
                token_hash=hash_token(token), user_id=user.id, now=now, expires_at=expires_at
            )
            await self._audit.by_operator(
                Action.AUTH_ENROLMENT_LINK,
                f"enrolment link for {username} ({user.id}), "
                f"usable until {expires_at:%Y-%m-%d %H:%M} UTC",
                operator=operator,
                at=now,
            )
        return token

    async def enrolment_link_usable(self, token: str) -> bool:
        if not token or len(token) > 100:  # noqa: PLR2004 - far above 43 chars
            return False
        return (
            await sign_in_db.enrolment_link_user(hash_token(token), now=self._clock()) is not None
        )

    async def password_with_link(
        self, token: str, password: str, *, caller: Caller, replacing: str | None = None
    ) -> StartedSession | PasswordProblem | None:
        """Use up an enrolment link to choose a password; then the enrolment stage.
        A problem with the password leaves the link usable; None: the link is not."""
        now = self._clock()
        token_hash = hash_token(token[:100])
        user_id = await sign_in_db.enrolment_link_user(token_hash, now=now)
        actor = await partijen_db.actor_by_user_id(user_id) if user_id else None
        if actor is None or not actor.active:
            return None
        if (problem := password_problem(password, username=actor.username)) is not None:
            return problem
        password_hash = await asyncio.to_thread(_hasher().hash, password)
        async with write_transaction():
            if await sign_in_db.use_enrolment_link(token_hash, now=now) is None:
                return None
            await sign_in_db.set_password(actor.user_id, password_hash, now=now)
            await sign_in_db.set_unconfirmed_totp(actor.user_id, None)
            await sign_in_db.replace_recovery_codes(actor.user_id, [], now=now)
            # Whoever held the old password or seed is signed out everywhere.
            await sign_in_db.delete_sessions_of(actor.user_id)
            await self._audit.about(caller.context(actor), at=now).succeed(
                Action.AUTH_PASSWORD_SET, "password chosen with an enrolment link"
            )
        return await self._start(actor.user_id, SessionStage.ENROL, now=now, replacing=replacing)

    async def set_password(self, username: str, password: str, *, operator: str) -> None:
        """An operator gives a first password (``portal user add --password-file``); the
        user sets up TOTP at their first sign-in."""
        user = await self._user(username)
        if (problem := password_problem(password, username=user.username)) is not None:
            raise InvalidInput(f"password refused: {problem}")
        now = self._clock()
        password_hash = await asyncio.to_thread(_hasher().hash, password)
        async with write_transaction():
            await sign_in_db.set_password(user.id, password_hash, now=now)
            await sign_in_db.delete_sessions_of(user.id)
            await self._audit.by_operator(
                Action.AUTH_PASSWORD_SET,
                f"password for {username} ({user.id}) set by an operator",
                operator=operator,
                at=now,
            )

    # --- housekeeping ------------------------------------------------------------------

    async def forget_expired(self) -> Forgotten:
        """Delete what the rules no longer look at: ended sessions, forgotten failure
        counts, ended refusal windows (their owed summaries recorded), dead enrolment
        links. Run by the retention sweep; safe beside running app processes."""
        now = self._clock()
        return Forgotten(
            sessions=await sign_in_db.delete_ended_sessions(
                session_cutoffs(now=now, policy=self.sessions)
            ),
            sign_in_failures=await sign_in_db.delete_forgotten_failures(
                counted_before=failures_forgotten_before(now=now, policy=self.policy), now=now
            ),
            refusal_windows=await login_throttle.forget_ended_windows(
                audit=self._audit, policy=self._throttle, now=now
            ),
            enrolment_links=await sign_in_db.delete_dead_enrolment_links(now=now),
        )

    # --- the embedded demo -------------------------------------------------------------

    async def current_totp_code(self, username: str) -> str:
        """The code of now for a user's confirmed seed (``portal user totp-code``, demo)."""
        user = await self._user(username)
        credential = await sign_in_db.credential_of(user.id)
        secret = self._open_secret(user.id, credential.totp_secret_sealed if credential else None)
        if credential is None or not credential.totp_confirmed or secret is None:
            raise NotFound(f"{username} has no TOTP set up")
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).at(self._clock())

    # --- shared ------------------------------------------------------------------------

    async def _user(self, username: str) -> User:
        user = await partijen_db.user_by_username(username)
        if user is None:
            raise NotFound(f"no user named {username!r}")
        return user

    def _key_of(self, name: str) -> str:
        return hmac.new(self._name_key, _NAME_LABEL + name.encode(), hashlib.sha256).hexdigest()

    async def _address_blocked(self, caller: Caller, *, now: datetime) -> Refusal | None:
        wait = await login_throttle.seconds_blocked(caller.client_address, now=now)
        if wait is None:
            return None
        await self._count(caller, None, "too many refusals from this address", now=now)
        return Refusal(why=Refused.ADDRESS_BLOCKED, wait_seconds=wait)

    async def _must_wait(
        self, name_key: str, account: Account | None, caller: Caller, *, now: datetime
    ) -> Refusal | None:
        wait = must_wait(await sign_in_db.failures_of(name_key), now=now, policy=self.policy)
        if wait is None:
            return None
        reason = "account name locked" if wait.locked else "too soon after failed sign-ins"
        await self._count(caller, account, f"{reason}; not checked", now=now)
        why = Refused.LOCKED if wait.locked else Refused.SLOW_DOWN
        return Refusal(why=why, wait_seconds=wait.seconds)

    async def _failed(
        self, name_key: str, account: Account | None, caller: Caller, *, reason: str, now: datetime
    ) -> Refusal:
        async with sign_in_db.locked_failures(name_key, now=now) as state:
            failure = after_failure(state, now=now, policy=self.policy)
            await sign_in_db.save_failures(name_key, failure.state)
        await self._count(caller, account, reason, now=now)
        if failure.locked_now:
            minutes = self.policy.lock_seconds // 60
            await self._audit.failed_login(
                reason=f"{failure.state.failures} failed sign-ins: locked for {minutes} minutes",
                client_address=caller.client_address,
                user_agent=caller.user_agent,
                trace_id=caller.trace_id,
                span_id=caller.span_id,
                at=now,
                action=Action.AUTH_LOCK,
                account=account,
            )
            return Refusal(why=Refused.LOCKED, wait_seconds=self.policy.lock_seconds)
        return Refusal(why=Refused.WRONG)

    async def _count(
        self, caller: Caller, account: Account | None, reason: str, *, now: datetime
    ) -> None:
        await login_throttle.refuse_token(
            caller.refused(),
            reason=reason,
            audit=self._audit,
            policy=self._throttle,
            now=now,
            action=Action.AUTH_SIGNIN_FAILED,
            account=account,
        )


def _account(user: User | None) -> Account | None:
    return Account(user_id=str(user.id), username=user.username) if user else None


async def give_demo_sign_in(
    username: str, *, password: str, totp_secret: str, box: SecretBox, clock: Clock
) -> None:
    """A known password and TOTP seed, already confirmed: for the embedded demo only (the
    caller refuses production). Unchanged when both are set already, so reloading the demo
    costs no hashing."""
    user = await partijen_db.user_by_username(username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    now = clock()
    credential = await sign_in_db.credential_of(user.id)
    if (
        credential is not None
        and credential.password_hash
        and credential.totp_confirmed
        and _verify_password(credential.password_hash, password)
    ):
        return
    password_hash = await asyncio.to_thread(_hasher().hash, password)
    await sign_in_db.set_password(user.id, password_hash, now=now)
    sealed = box.seal(totp_secret.encode("ascii"), bound_to=str(user.id))
    await sign_in_db.set_unconfirmed_totp(user.id, sealed)
    await sign_in_db.confirm_totp(user.id, step=0, now=now)
