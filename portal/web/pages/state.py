"""What the page handlers and their guard receive from the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from portal.services.audit import AuditLog
from portal.services.clock import Clock
from portal.services.sign_in import SignIn
from portal.services.vault import Vault
from portal.web.forwarded import NO_PROXIES, TrustedProxies


@dataclass(frozen=True, kw_only=True)
class PageDeps:
    sign_in: SignIn
    clock: Clock
    vault: Vault
    """Where the case page's downloads are decrypted from, as the API's."""
    audit: AuditLog
    signin_csrf_key: bytes
    """Signs the pre-session CSRF token of the sign-in forms (``MasterKey.key_for``), the
    same in every app process."""
    cookie_secure: bool
    """``Secure`` cookies with the ``__Host-`` prefix (``PORTAL_COOKIE_SECURE``)."""
    theme_class: str
    theme_css: bytes
    """The theme served as ``/static/theme.css``: the portal's own or a ZVH's."""
    vendor_css: bool
    """Whether the NL Design System component CSS is installed (``deploy/lib.sh``)."""
    trusted_proxies: TrustedProxies = NO_PROXIES

    @property
    def session_cookie(self) -> str:
        # __Host-: only ever set by this origin over https, for Path=/, never a subdomain.
        return "__Host-portal_session" if self.cookie_secure else "portal_session"

    @property
    def signin_cookie(self) -> str:
        return "__Host-portal_signin" if self.cookie_secure else "portal_signin"
