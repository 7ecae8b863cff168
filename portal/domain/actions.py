"""What the audit log records: the ``resource:action`` names of events and their outcomes.

Every decision about a document, permit or deny, and every state change leaves a record
named by one of these. Which entry of the register of processing activities (art. 24.3)
an action belongs to is decided once, in :mod:`portal.domain.register`.
"""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    """``resource:action`` names of the events the portal records."""

    CASE_CREATE = "case:create"
    CASE_CREATE_DENIED = "case:create:denied"
    CASE_READ_DENIED = "case:read:denied"
    CASE_PHASE = "case:phase"
    CASE_PHASE_DENIED = "case:phase:denied"
    CASE_CLOSE = "case:close"
    CASE_CLOSE_DENIED = "case:close:denied"
    CASE_DESTROY = "case:destroy"
    """Art. 11.2c: the retention sweep destroyed a case's personal data, keys and objects;
    the record ends with the id and SHA-256 of the signed destruction report."""
    CASE_ASSIGN = "case:assign"
    CASE_ASSIGN_DENIED = "case:assign:denied"
    CASE_HOLD = "case:hold"
    """The manager placed a legal hold: the case is not destroyed until it is lifted."""
    CASE_HOLD_DENIED = "case:hold:denied"
    CASE_RELEASE_HOLD = "case:release-hold"
    CASE_RELEASE_HOLD_DENIED = "case:release-hold:denied"
    CASE_DESTROY_EARLY = "case:destroy-early"
    """Art. 9.4, 11.2: the procesregisseur decided to destroy a closed case before +12 months;
    the ``case:destroy`` record follows when the destruction is complete."""
    CASE_DESTROY_EARLY_DENIED = "case:destroy-early:denied"
    # The signed report of a destruction and the figures kept (art. 11.3) hold nothing
    # personal: reading them is not recorded, a refusal is (who tried is the news).
    CASE_DESTRUCTION_REPORT_DENIED = "case:destruction-report:denied"
    FIGURES_READ_DENIED = "figures:read:denied"
    HANDOVER_NAME = "handover:name"
    GRANT_CREATE = "grant:create"
    GRANT_CREATE_DENIED = "grant:create:denied"
    GRANT_REVOKE = "grant:revoke"
    GRANT_REVOKE_DENIED = "grant:revoke:denied"
    GRANT_END = "grant:end"
    ARCHIVE_ADMIT = "archive:admit"
    ARCHIVE_ADMIT_DENIED = "archive:admit:denied"
    ARCHIVE_REVOKE = "archive:revoke"
    ARCHIVE_REVOKE_DENIED = "archive:revoke:denied"
    CONSENT_RECORD = "consent:record"
    CONSENT_RECORD_DENIED = "consent:record:denied"
    CONSENT_WITHDRAW = "consent:withdraw"
    CONSENT_WITHDRAW_DENIED = "consent:withdraw:denied"
    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_DENIED = "document:approve:denied"
    FURTHER_USE_REQUEST = "further-use:request"
    FURTHER_USE_REQUEST_DENIED = "further-use:request:denied"
    FURTHER_USE_DECIDE = "further-use:decide"
    FURTHER_USE_DECIDE_DENIED = "further-use:decide:denied"
    PARTIJ_WITHDRAW = "partij:withdraw"
    PARTIJ_WITHDRAW_DENIED = "partij:withdraw:denied"
    # Changes to who may do what, made by an operator on the command line (art. 13).
    USER_UPDATE = "user:update"
    TOKEN_REVOKE = "token:revoke"  # noqa: S105 - an event name, not a secret
    PARTIJ_REGISTER_KEY = "partij:register-key"
    USER_REGISTER_KEY = "user:register-key"
    USER_REGISTER_KEY_DENIED = "user:register-key:denied"
    ACCESS_EXPLAIN = "access:explain"
    ACCESS_EXPLAIN_DENIED = "access:explain:denied"
    DOCUMENT_UPLOAD = "document:upload"
    DOCUMENT_UPLOAD_DENIED = "document:upload:denied"
    DOCUMENT_UPLOAD_FAILED = "document:upload:failed"
    # Resumable (tus) uploads: created once admitted by the same rules as a direct upload
    # (refusals there are document:upload:denied); they end as document:upload or its
    # denial, or are terminated by their uploader or expire unfinished.
    UPLOAD_CREATE = "upload:create"
    UPLOAD_ACCESS_DENIED = "upload:access:denied"
    UPLOAD_TERMINATE = "upload:terminate"
    UPLOAD_EXPIRE = "upload:expire"
    DOCUMENT_DOWNLOAD = "document:download"
    DOCUMENT_DOWNLOAD_DENIED = "document:download:denied"
    DOCUMENT_DOWNLOAD_COMPLETE = "document:download:complete"
    DOCUMENT_DOWNLOAD_FAILED = "document:download:failed"
    DOCUMENT_READ_DENIED = "document:read:denied"
    DOCUMENT_REMOVE = "document:remove"
    """Art. 2.1, 11.1: the providing partij removed its own document, every stored version."""
    DOCUMENT_REMOVE_DENIED = "document:remove:denied"
    # A bearer token that is unknown or revoked. Successful authentication is not
    # recorded per request: every API call would add a record that says nothing the
    # record of the action itself does not (see docs/architecture.md, Audit log).
    AUTH_LOGIN_FAILED = "auth:login:failed"
    # The web pages' sign-in (art. 12, Bijlage 3): password and second factor. Each step,
    # success or failure, is recorded; the record names the account where one exists,
    # never what was typed.
    AUTH_SIGNIN = "auth:signin"
    AUTH_SIGNIN_FAILED = "auth:signin:failed"
    AUTH_LOCK = "auth:lock"
    AUTH_SIGNOUT = "auth:signout"
    AUTH_TOTP_ENROL = "auth:totp-enrol"
    AUTH_RECOVERY_CODE = "auth:recovery-code"
    AUTH_PASSWORD_SET = "auth:password-set"  # noqa: S105 - an event name, not a secret
    AUTH_ENROLMENT_LINK = "auth:enrolment-link"
    # A form posted without this session's CSRF token: a forged request, or a stale page.
    AUTH_CSRF_DENIED = "auth:csrf:denied"
    # Art. 24.4, 24.6: reading the log is itself processing of personal data.
    AUDIT_READ = "audit:read"
    AUDIT_READ_DENIED = "audit:read:denied"
    AUDIT_EXPORT = "audit:export"
    AUDIT_EXPORT_DENIED = "audit:export:denied"


class Outcome(enum.StrEnum):
    PERMIT = "permit"
    DENY = "deny"
    SUCCESS = "success"
    FAILURE = "failure"
