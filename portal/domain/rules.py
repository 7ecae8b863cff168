"""The closed vocabulary of the access rules: every decision names one of these.

A rule code is stable: it goes into the audit record of the decision and into the access
matrix's test ids, so a code is renamed only with a migration of the records that carry it.
The grammar is ``resource:rule[:detail]``, as for actions (``document:download:purpose``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Rule(enum.StrEnum):
    ACCESS_ACCOUNT = "access:account"
    ACCESS_EXPLAIN = "access:explain"
    ACCESS_EXPLAIN_ROLE = "access:explain:role"
    ACCESS_PARTIJ_WITHDRAWN = "access:partij-withdrawn"
    ACCESS_SCREENING = "access:screening"

    ARCHIVE_ACCESS_ACCOUNT = "archive:access:account"
    ARCHIVE_ACCESS_PARTIJ_WITHDRAWN = "archive:access:partij-withdrawn"
    ARCHIVE_ACCESS_SCREENING = "archive:access:screening"
    ARCHIVE_ADMIT = "archive:admit"
    ARCHIVE_REGIME = "archive:regime"
    ARCHIVE_ROLE = "archive:role"

    AUDIT_READ_FG = "audit:read:fg"
    AUDIT_READ_MANAGER = "audit:read:manager"
    AUDIT_READ_ROLE = "audit:read:role"

    CASE_ARCHIVED = "case:archived"
    CASE_DESTROYED = "case:destroyed"
    CASE_PHASE = "case:phase"
    CASE_PHASE_FINAL = "case:phase:final"
    CASE_PHASE_ORDER = "case:phase:order"
    CASE_PHASE_ROLE = "case:phase:role"
    CASE_REGISTER_ROLE = "case:register:role"
    CASE_RESTRICTED = "case:restricted"
    CASE_SEE_GRANT = "case:see:grant"
    CASE_SEE_MANAGER = "case:see:manager"
    CASE_SEE_NONE = "case:see:none"
    CASE_SEE_PROCESREGISSEUR = "case:see:procesregisseur"
    CASE_SEE_PROVIDER = "case:see:provider"
    CASE_SEE_REPORTER = "case:see:reporter"

    CONSENT_PARTIJ = "consent:partij"
    CONSENT_RECORD = "consent:record"
    CONSENT_ROLE = "consent:role"
    CONSENT_WITHDRAW = "consent:withdraw"

    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_PHASE = "document:approve:phase"
    DOCUMENT_APPROVE_PROVIDER = "document:approve:provider"
    DOCUMENT_APPROVE_PURPOSES = "document:approve:purposes"
    DOCUMENT_APPROVE_SAME_PHASE = "document:approve:same-phase"
    DOCUMENT_DOWNLOAD_CONSENT = "document:download:consent"
    DOCUMENT_DOWNLOAD_GRANT = "document:download:grant"
    DOCUMENT_DOWNLOAD_JUSTIFICATION = "document:download:justification"
    DOCUMENT_DOWNLOAD_NO_GRANT = "document:download:no-grant"
    DOCUMENT_DOWNLOAD_PROCESREGISSEUR = "document:download:procesregisseur"
    DOCUMENT_DOWNLOAD_PROVIDER = "document:download:provider"
    DOCUMENT_DOWNLOAD_PURPOSE = "document:download:purpose"
    DOCUMENT_DOWNLOAD_PURPOSE_PHASE = "document:download:purpose-phase"
    DOCUMENT_DOWNLOAD_REAPPROVAL = "document:download:reapproval"
    DOCUMENT_UPLOAD_AFSCHALING = "document:upload:afschaling"
    DOCUMENT_UPLOAD_GRANT = "document:upload:grant"
    DOCUMENT_UPLOAD_NO_PART = "document:upload:no-part"
    DOCUMENT_UPLOAD_PHASE = "document:upload:phase"
    DOCUMENT_UPLOAD_PROCESREGISSEUR = "document:upload:procesregisseur"
    DOCUMENT_UPLOAD_REPORTER = "document:upload:reporter"
    DOCUMENT_UPLOAD_ROLE = "document:upload:role"

    FURTHER_USE_DECIDE = "further-use:decide"
    FURTHER_USE_NO_GRANT = "further-use:no-grant"
    FURTHER_USE_OWN = "further-use:own"
    FURTHER_USE_PROVIDER = "further-use:provider"
    FURTHER_USE_REQUEST = "further-use:request"

    GRANT_ACCESS_ACCOUNT = "grant:access:account"
    GRANT_ACCESS_PARTIJ_WITHDRAWN = "grant:access:partij-withdrawn"
    GRANT_ACCESS_SCREENING = "grant:access:screening"
    GRANT_AFSCHALING = "grant:afschaling"
    GRANT_CREATE = "grant:create"
    GRANT_DUPLICATE = "grant:duplicate"
    GRANT_ENDED = "grant:ended"
    GRANT_GRANTEE_ROLE = "grant:grantee-role"
    GRANT_REVOKE = "grant:revoke"
    GRANT_ROLE = "grant:role"
    GRANT_UNTIL = "grant:until"

    PARTIJ_WITHDRAW = "partij:withdraw"
    PARTIJ_WITHDRAW_ROLE = "partij:withdraw:role"


@dataclass(frozen=True, kw_only=True)
class Decision:
    allowed: bool
    rule: Rule
    """The rule that decided, a stable code for the audit log (``access:screening``)."""
    reason: str
    """Why, in words fit for the audit log and the caller."""


def permit(rule: Rule, reason: str) -> Decision:
    return Decision(allowed=True, rule=rule, reason=reason)


def deny(rule: Rule, reason: str) -> Decision:
    return Decision(allowed=False, rule=rule, reason=reason)
