"""What handlers receive from the composition root, injected as ``deps``."""

from __future__ import annotations

from dataclasses import dataclass

from portal.adapters.health import CachedReadiness
from portal.services.audit import AuditLog
from portal.services.audit_chain import AuditSigner
from portal.services.cases import CaseKeyring
from portal.services.clock import Clock
from portal.services.resumable_uploads import ResumableConfig
from portal.services.vault import Vault
from portal.web.forwarded import NO_PROXIES, TrustedProxies


@dataclass(frozen=True, kw_only=True)
class PortalDeps:
    clock: Clock
    readiness: CachedReadiness
    keyring: CaseKeyring
    vault: Vault
    signer: AuditSigner
    audit: AuditLog
    handover_days: int
    """The hand-over window at afschaling, in days (``PORTAL_HANDOVER_DAYS``)."""
    resumable: ResumableConfig
    """The resumable uploads' expiry, idle timeout and finalisation claim."""
    trusted_proxies: TrustedProxies = NO_PROXIES
    """Whose ``X-Forwarded-*`` headers are believed (``portal.web.forwarded``)."""
    health_token: str | None = None
    """Shows ``/health/ready``'s details (``PORTAL_HEALTH_TOKEN``); None: to nobody."""
