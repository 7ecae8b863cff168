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
    ACCESS_ZVH_ROLE = "access:zvh-role"

    ARCHIVE_ACCESS_ACCOUNT = "archive:access:account"
    ARCHIVE_ACCESS_PARTIJ_WITHDRAWN = "archive:access:partij-withdrawn"
    ARCHIVE_ACCESS_SCREENING = "archive:access:screening"
    ARCHIVE_ACCESS_ZVH_ROLE = "archive:access:zvh-role"
    ARCHIVE_ADMIT = "archive:admit"
    ARCHIVE_ADMITTEE_ROLE = "archive:admittee-role"
    ARCHIVE_DUPLICATE = "archive:duplicate"
    ARCHIVE_ENDED = "archive:ended"
    ARCHIVE_REASON = "archive:reason"
    ARCHIVE_REGIME = "archive:regime"
    ARCHIVE_REVOKE = "archive:revoke"
    ARCHIVE_ROLE = "archive:role"
    ARCHIVE_SELF = "archive:self"
    ARCHIVE_UNTIL = "archive:until"

    AUDIT_READ_FG = "audit:read:fg"
    AUDIT_READ_FG_ZVH = "audit:read:fg-zvh"
    AUDIT_READ_MANAGER = "audit:read:manager"
    AUDIT_READ_ROLE = "audit:read:role"
    AUDIT_READ_SCOPE = "audit:read:scope"

    CASE_AANMELDER = "case:aanmelder"
    CASE_ARCHIVED = "case:archived"
    CASE_ASSIGN = "case:assign"
    CASE_ASSIGN_ASSIGNEE = "case:assign:assignee"
    CASE_ASSIGN_DUPLICATE = "case:assign:duplicate"
    CASE_ASSIGN_REASON = "case:assign:reason"
    CASE_ASSIGN_REGIME = "case:assign:regime"
    CASE_ASSIGN_ROLE = "case:assign:role"
    CASE_CLOSE = "case:close"
    CASE_CLOSE_PHASE = "case:close:phase"
    CASE_CLOSED = "case:closed"
    CASE_DECIDED_AT = "case:decided-at"
    CASE_DESTROYED = "case:destroyed"
    CASE_NOT_ASSIGNED = "case:not-assigned"
    CASE_PHASE = "case:phase"
    CASE_PHASE_FINAL = "case:phase:final"
    CASE_PHASE_ORDER = "case:phase:order"
    CASE_PHASE_ROLE = "case:phase:role"
    CASE_REGISTER_ENTRY_MANAGER = "case:register-entry:manager"
    CASE_REGISTER_ENTRY_PROCESREGISSEUR = "case:register-entry:procesregisseur"
    CASE_REGISTER_ROLE = "case:register:role"
    CASE_REPORTER_WITHDRAWN = "case:reporter-withdrawn"
    CASE_RESTRICTED = "case:restricted"
    CASE_SEE_AANMELDER = "case:see:aanmelder"
    CASE_SEE_GRANT = "case:see:grant"
    CASE_SEE_NONE = "case:see:none"
    CASE_SEE_PROCESREGISSEUR = "case:see:procesregisseur"

    CONSENT_PARTIJ = "consent:partij"
    CONSENT_RECORD = "consent:record"
    CONSENT_ROLE = "consent:role"
    CONSENT_WITHDRAW = "consent:withdraw"

    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_PHASE = "document:approve:phase"
    DOCUMENT_APPROVE_PROVIDER = "document:approve:provider"
    DOCUMENT_APPROVE_PURPOSES = "document:approve:purposes"
    DOCUMENT_APPROVE_SAME_PHASE = "document:approve:same-phase"
    DOCUMENT_DOWNLOAD_AANMELDER = "document:download:aanmelder"
    DOCUMENT_DOWNLOAD_CONSENT = "document:download:consent"
    DOCUMENT_DOWNLOAD_CONTROLLER_ONLY = "document:download:controller-only"
    DOCUMENT_DOWNLOAD_GRANT = "document:download:grant"
    DOCUMENT_DOWNLOAD_GRANT_LIMIT = "document:download:grant-limit"
    DOCUMENT_DOWNLOAD_HANDOVER = "document:download:handover"
    DOCUMENT_DOWNLOAD_JUSTIFICATION = "document:download:justification"
    DOCUMENT_DOWNLOAD_NO_PART = "document:download:no-part"
    DOCUMENT_DOWNLOAD_PROCESREGISSEUR = "document:download:procesregisseur"
    DOCUMENT_DOWNLOAD_PURPOSE = "document:download:purpose"
    DOCUMENT_DOWNLOAD_PURPOSE_PHASE = "document:download:purpose-phase"
    DOCUMENT_DOWNLOAD_REAPPROVAL = "document:download:reapproval"
    DOCUMENT_SEE_HANDOVER = "document:see:handover"
    DOCUMENT_SEE_NONE = "document:see:none"
    DOCUMENT_SEE_PROVIDER = "document:see:provider"
    DOCUMENT_SEE_UPLOADER = "document:see:uploader"
    DOCUMENT_UPLOAD_AANMELDER = "document:upload:aanmelder"
    DOCUMENT_UPLOAD_AFSCHALING = "document:upload:afschaling"
    DOCUMENT_UPLOAD_GRANT = "document:upload:grant"
    DOCUMENT_UPLOAD_NO_PART = "document:upload:no-part"
    DOCUMENT_UPLOAD_PHASE = "document:upload:phase"
    DOCUMENT_UPLOAD_PROCESREGISSEUR = "document:upload:procesregisseur"
    DOCUMENT_UPLOAD_ROLE = "document:upload:role"
    DOCUMENT_UPLOAD_RESUME = "document:upload:resume"
    DOCUMENT_UPLOAD_RESUME_OTHER = "document:upload:resume:other"
    DOCUMENT_REMOVE = "document:remove"
    DOCUMENT_REMOVE_HELD = "document:remove:held"
    DOCUMENT_REMOVE_PROVIDER = "document:remove:provider"
    DOCUMENT_REMOVE_REASON = "document:remove:reason"

    FURTHER_USE_DECIDE = "further-use:decide"
    FURTHER_USE_NO_PART = "further-use:no-part"
    FURTHER_USE_OWN = "further-use:own"
    FURTHER_USE_PROVIDER = "further-use:provider"
    FURTHER_USE_REQUEST = "further-use:request"

    GRANT_ACCESS_ACCOUNT = "grant:access:account"
    GRANT_ACCESS_PARTIJ_WITHDRAWN = "grant:access:partij-withdrawn"
    GRANT_ACCESS_SCREENING = "grant:access:screening"
    GRANT_ACCESS_ZVH_ROLE = "grant:access:zvh-role"
    GRANT_AFSCHALING = "grant:afschaling"
    GRANT_BEFORE_TRIAGE = "grant:before-triage"
    GRANT_CREATE = "grant:create"
    GRANT_DOCUMENTS = "grant:documents"
    GRANT_DUPLICATE = "grant:duplicate"
    GRANT_ENDED = "grant:ended"
    GRANT_GRANTEE_ROLE = "grant:grantee-role"
    GRANT_REVOKE = "grant:revoke"
    GRANT_ROLE = "grant:role"
    GRANT_UNTIL = "grant:until"

    HANDOVER_APPROVAL = "handover:approval"
    HANDOVER_DOCUMENTS = "handover:documents"
    HANDOVER_NAME = "handover:name"
    HANDOVER_PHASE = "handover:phase"
    HANDOVER_RECIPIENT = "handover:recipient"
    HANDOVER_WINDOW = "handover:window"

    PARTIJ_ADD = "partij:add"
    PARTIJ_WITHDRAW = "partij:withdraw"
    PARTIJ_WITHDRAW_ROLE = "partij:withdraw:role"
    PARTIJ_ZVH_EXISTS = "partij:zvh-exists"

    PROVISION = "provision"
    PROVISION_CATEGORY = "provision:category"
    PROVISION_LEGAL_BASIS = "provision:legal-basis"

    RETENTION_DESTROY_EARLY = "retention:destroy-early"
    RETENTION_DESTROY_HELD = "retention:destroy-early:held"
    RETENTION_DESTROY_OPEN = "retention:destroy-early:open"
    RETENTION_DESTROY_REASON = "retention:destroy-early:reason"
    RETENTION_FIGURES = "retention:figures"
    RETENTION_FIGURES_ROLE = "retention:figures:role"
    RETENTION_HOLD = "retention:hold"
    RETENTION_HOLD_DESTROYED = "retention:hold:destroyed"
    RETENTION_HOLD_DUPLICATE = "retention:hold:duplicate"
    RETENTION_HOLD_REASON = "retention:hold:reason"
    RETENTION_HOLD_ROLE = "retention:hold:role"
    RETENTION_LIFT = "retention:lift"
    RETENTION_LIFT_NONE = "retention:lift:none"
    RETENTION_LIFT_REASON = "retention:lift:reason"
    RETENTION_OVERSEE = "retention:oversee"
    RETENTION_OVERSEE_ROLE = "retention:oversee:role"
    RETENTION_REPORT = "retention:report"
    RETENTION_REPORT_ROLE = "retention:report:role"
    RETENTION_TOMBSTONE = "retention:tombstone"

    USER_ROLE = "user:role"
    USER_ROLE_ZVH_ONLY = "user:role:zvh-only"


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


class Refusal(enum.StrEnum):
    """How a refusal is answered: the caller may not; the state forbids it now; or the
    request itself is wrong."""

    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    INVALID = "invalid"


# A refusal the caller can do nothing about but wait or pick another moment is a conflict
# with the state; one that names a wrong value is invalid input. Everything else is a
# plain "you may not". Whether a case exists is itself personal data: a denial of sight
# (may_see_case, may_see_register_entry, may_see_document) is answered as not found by
# the services, whatever its rule.
REFUSAL_OF: dict[Rule, Refusal] = {
    **dict.fromkeys(
        (
            Rule.GRANT_BEFORE_TRIAGE,
            Rule.GRANT_AFSCHALING,
            Rule.GRANT_DUPLICATE,
            Rule.GRANT_ENDED,
            Rule.CASE_PHASE_FINAL,
            Rule.CASE_CLOSED,
            Rule.CASE_CLOSE_PHASE,
            Rule.CASE_ASSIGN_REGIME,
            Rule.CASE_ASSIGN_DUPLICATE,
            Rule.CASE_REPORTER_WITHDRAWN,
            Rule.ARCHIVE_REGIME,
            Rule.ARCHIVE_DUPLICATE,
            Rule.ARCHIVE_ENDED,
            Rule.ARCHIVE_SELF,
            Rule.HANDOVER_PHASE,
            Rule.HANDOVER_APPROVAL,
            Rule.DOCUMENT_UPLOAD_AFSCHALING,
            Rule.DOCUMENT_APPROVE_PHASE,
            Rule.DOCUMENT_APPROVE_SAME_PHASE,
            Rule.PARTIJ_ZVH_EXISTS,
            Rule.RETENTION_HOLD_DESTROYED,
            Rule.RETENTION_HOLD_DUPLICATE,
            Rule.RETENTION_LIFT_NONE,
            Rule.RETENTION_DESTROY_OPEN,
            Rule.RETENTION_DESTROY_HELD,
            Rule.DOCUMENT_REMOVE_HELD,
        ),
        Refusal.CONFLICT,
    ),
    **dict.fromkeys(
        (
            Rule.CASE_PHASE_ORDER,
            Rule.CASE_DECIDED_AT,
            Rule.CASE_AANMELDER,
            Rule.CASE_ASSIGN_REASON,
            Rule.CASE_ASSIGN_ASSIGNEE,
            Rule.GRANT_UNTIL,
            Rule.GRANT_DOCUMENTS,
            Rule.GRANT_GRANTEE_ROLE,
            Rule.GRANT_ACCESS_ACCOUNT,
            Rule.GRANT_ACCESS_PARTIJ_WITHDRAWN,
            Rule.GRANT_ACCESS_SCREENING,
            Rule.GRANT_ACCESS_ZVH_ROLE,
            Rule.ARCHIVE_REASON,
            Rule.ARCHIVE_UNTIL,
            Rule.ARCHIVE_ADMITTEE_ROLE,
            Rule.ARCHIVE_ACCESS_ACCOUNT,
            Rule.ARCHIVE_ACCESS_PARTIJ_WITHDRAWN,
            Rule.ARCHIVE_ACCESS_SCREENING,
            Rule.ARCHIVE_ACCESS_ZVH_ROLE,
            Rule.HANDOVER_RECIPIENT,
            Rule.HANDOVER_DOCUMENTS,
            Rule.DOCUMENT_UPLOAD_PHASE,
            Rule.DOCUMENT_APPROVE_PURPOSES,
            Rule.PROVISION_LEGAL_BASIS,
            Rule.PROVISION_CATEGORY,
            Rule.USER_ROLE_ZVH_ONLY,
            Rule.RETENTION_HOLD_REASON,
            Rule.RETENTION_LIFT_REASON,
            Rule.RETENTION_DESTROY_REASON,
            Rule.DOCUMENT_REMOVE_REASON,
        ),
        Refusal.INVALID,
    ),
}


def refusal_of(decision: Decision) -> Refusal:
    """How the refusal ``decision`` is answered (see :data:`REFUSAL_OF`)."""
    return REFUSAL_OF.get(decision.rule, Refusal.FORBIDDEN)
