"""The stable, machine-readable codes of the portal's refusals: why a request was refused.

Every error answer of the API carries one (``code``, next to the English ``detail``), so a
page or a partner system can explain the refusal in its own words and say whom to ask,
without parsing a sentence that may change. A code is stable: it is part of the API, so a
code is renamed or removed only with a new API version. Adding one is fine.

Refusals by the access rules take the code of the :class:`~portal.domain.rules.Rule` that
refused (:data:`CODE_OF_RULE`): several rules that a reader would explain the same way
share a code (every "only the procesregisseur does this" is ``role-not-allowed``). A
refusal of sight is not coded by its rule at all: it is answered ``not-found``, because
saying why would say that the case or document exists (art. 9.6).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from portal.domain.rules import Decision, Rule


class RefusalCode(enum.StrEnum):
    """Why the portal refused (or could not do) what a request asked for."""

    # --- the caller's own standing (art. 13, 27.3) -----------------------------------------
    NOT_AUTHENTICATED = "not-authenticated"
    ACCOUNT_DEACTIVATED = "account-deactivated"
    PARTIJ_WITHDRAWN = "partij-withdrawn"
    SCREENING_MISSING = "screening-missing"
    ZVH_ROLE_ELSEWHERE = "zvh-role-elsewhere"
    TOO_MANY_REQUESTS = "too-many-requests"

    # --- who may do what (art. 9.6, 11.2, 24.4) --------------------------------------------
    NOT_ALLOWED = "not-allowed"
    ROLE_NOT_ALLOWED = "role-not-allowed"
    NOT_ASSIGNED = "not-assigned"
    NO_PART_IN_CASE = "no-part-in-case"
    CONTROLLER_ONLY = "controller-only"
    DOCUMENT_NOT_IN_GRANT = "document-not-in-grant"
    NOT_PROVIDER = "not-provider"
    OWN_DOCUMENT = "own-document"
    OUTSIDE_SUPERVISION = "outside-supervision"
    GRANT_ENDED = "grant-ended"
    ADMISSION_ENDED = "admission-ended"

    # --- the case's state and timeline (art. 1.18-1.21, 11.2) ------------------------------
    CASE_RESTRICTED = "case-restricted"
    CASE_ARCHIVED = "case-archived"
    CASE_DESTROYED = "case-destroyed"
    CASE_HELD = "case-held"
    CASE_STILL_OPEN = "case-still-open"
    DESTRUCTION_DUE = "destruction-due"
    NO_HOLD = "no-hold"
    CASE_KEY_DESTROYED = "case-key-destroyed"
    CASE_CLOSED = "case-closed"
    CASE_NOT_CLOSABLE = "case-not-closable"
    CASE_NOT_ARCHIVED = "case-not-archived"
    CASE_ARCHIVED_NO_ASSIGNMENT = "case-archived-no-assignment"
    AFTER_AFSCHALING = "after-afschaling"
    BEFORE_TRIAGE = "before-triage"
    PHASE_FINAL = "phase-final"
    PHASE_ORDER = "phase-order"
    WRONG_PHASE = "wrong-phase"
    NOT_CURRENT_PHASE = "not-current-phase"
    REPORTING_PARTIJ_WITHDRAWN = "reporting-partij-withdrawn"
    SELF_ADMISSION = "self-admission"

    # --- using a document (art. 3.5, 7.2, 8) -----------------------------------------------
    PURPOSE_NOT_ALLOWED = "purpose-not-allowed"
    PURPOSES_NOT_OF_PHASE = "purposes-not-of-phase"
    REAPPROVAL_REQUIRED = "reapproval-required"
    PROVIDED_FOR_THIS_PHASE = "provided-for-this-phase"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    CONSENT_NOT_USABLE = "consent-not-usable"
    JUSTIFICATION_REQUIRED = "justification-required"
    JUSTIFICATION_IN_URL = "justification-in-url"
    HANDOVER_WINDOW_CLOSED = "handover-window-closed"
    HANDOVER_NOT_APPROVED = "handover-not-approved"
    OPENPGP_KEY_MISSING = "openpgp-key-missing"
    OPENPGP_KEY_UNUSABLE = "openpgp-key-unusable"
    OPENPGP_KEY_INVALID = "openpgp-key-invalid"

    # --- what a document declares and is (art. 6.4, Bijlage 4, Bijlage 3) ------------------
    RESTRICTIONS_INVALID = "restrictions-invalid"
    LEGAL_BASIS_NOT_ALLOWED = "legal-basis-not-allowed"
    DATA_CATEGORY_NOT_ALLOWED = "data-category-not-allowed"
    FILE_TYPE_NOT_ALLOWED = "file-type-not-allowed"
    FILE_NAME_NOT_ALLOWED = "file-name-not-allowed"
    TOO_LARGE = "too-large"
    MALFORMED_UPLOAD = "malformed-upload"

    # --- what the request names or says -----------------------------------------------------
    VALIDATION_FAILED = "validation-failed"
    NUL_CHARACTER = "nul-character"
    TEXT_NOT_ACCEPTED = "text-not-accepted"
    REASON_REQUIRED = "reason-required"
    INVALID_DATE = "invalid-date"
    UNKNOWN_USER = "unknown-user"
    UNKNOWN_PARTIJ = "unknown-partij"
    PERSON_NOT_ELIGIBLE = "person-not-eligible"
    DOCUMENTS_NOT_IN_CASE = "documents-not-in-case"
    ROLE_ZVH_ONLY = "role-zvh-only"
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADERS_TOO_LARGE = "headers-too-large"
    BAD_REQUEST = "bad-request"

    # --- the state changed, or exists already ------------------------------------------------
    CONFLICT = "conflict"
    ALREADY_EXISTS = "already-exists"
    ALREADY_DECIDED = "already-decided"
    BUSY = "busy"
    TIMED_OUT = "timed-out"

    # --- the portal's own failure, not a refusal: nothing was done ---------------------------
    SERVICE_UNAVAILABLE = "service-unavailable"
    STORE_FULL = "store-full"
    AUDIT_UNAVAILABLE = "audit-unavailable"
    INTERNAL_ERROR = "internal-error"


# Grouped by code, so one reads which rules a page explains the same way. Every rule is
# listed exactly once (the unit tests hold that), so a new rule cannot land uncoded.
RULES_BY_CODE: Final[Mapping[RefusalCode, tuple[Rule, ...]]] = {
    RefusalCode.ACCOUNT_DEACTIVATED: (Rule.ACCESS_ACCOUNT,),
    RefusalCode.PARTIJ_WITHDRAWN: (Rule.ACCESS_PARTIJ_WITHDRAWN,),
    RefusalCode.SCREENING_MISSING: (Rule.ACCESS_SCREENING,),
    RefusalCode.ZVH_ROLE_ELSEWHERE: (Rule.ACCESS_ZVH_ROLE,),
    RefusalCode.ROLE_NOT_ALLOWED: (
        Rule.ACCESS_EXPLAIN_ROLE,
        Rule.ARCHIVE_ROLE,
        Rule.AUDIT_READ_ROLE,
        Rule.CASE_ASSIGN_ROLE,
        Rule.CASE_PHASE_ROLE,
        Rule.CASE_REGISTER_ROLE,
        Rule.CONSENT_ROLE,
        Rule.DOCUMENT_UPLOAD_ROLE,
        Rule.GRANT_ROLE,
        Rule.PARTIJ_WITHDRAW_ROLE,
        Rule.RETENTION_FIGURES_ROLE,
        Rule.RETENTION_HOLD_ROLE,
        Rule.RETENTION_OVERSEE_ROLE,
        Rule.RETENTION_REPORT_ROLE,
    ),
    RefusalCode.NOT_ASSIGNED: (Rule.CASE_NOT_ASSIGNED,),
    RefusalCode.NO_PART_IN_CASE: (
        Rule.CASE_SEE_NONE,
        Rule.DOCUMENT_DOWNLOAD_NO_PART,
        Rule.DOCUMENT_SEE_NONE,
        Rule.DOCUMENT_UPLOAD_RESUME_OTHER,
        Rule.DOCUMENT_UPLOAD_NO_PART,
        Rule.FURTHER_USE_NO_PART,
    ),
    RefusalCode.CONTROLLER_ONLY: (Rule.DOCUMENT_DOWNLOAD_CONTROLLER_ONLY,),
    RefusalCode.DOCUMENT_NOT_IN_GRANT: (Rule.DOCUMENT_DOWNLOAD_GRANT_LIMIT,),
    RefusalCode.NOT_PROVIDER: (
        Rule.CONSENT_PARTIJ,
        Rule.DOCUMENT_APPROVE_PROVIDER,
        Rule.FURTHER_USE_PROVIDER,
        Rule.DOCUMENT_REMOVE_PROVIDER,
    ),
    RefusalCode.OWN_DOCUMENT: (Rule.FURTHER_USE_OWN,),
    RefusalCode.OUTSIDE_SUPERVISION: (Rule.AUDIT_READ_SCOPE,),
    RefusalCode.GRANT_ENDED: (Rule.GRANT_ENDED,),
    RefusalCode.ADMISSION_ENDED: (Rule.ARCHIVE_ENDED,),
    RefusalCode.CASE_RESTRICTED: (Rule.CASE_RESTRICTED,),
    RefusalCode.CASE_ARCHIVED: (Rule.CASE_ARCHIVED,),
    RefusalCode.CASE_DESTROYED: (Rule.CASE_DESTROYED,),
    RefusalCode.CASE_HELD: (Rule.RETENTION_DESTROY_HELD, Rule.DOCUMENT_REMOVE_HELD),
    RefusalCode.CASE_STILL_OPEN: (Rule.RETENTION_DESTROY_OPEN,),
    RefusalCode.DESTRUCTION_DUE: (Rule.RETENTION_HOLD_DESTROYED,),
    RefusalCode.NO_HOLD: (Rule.RETENTION_LIFT_NONE,),
    RefusalCode.CASE_CLOSED: (Rule.CASE_CLOSED,),
    RefusalCode.CASE_NOT_CLOSABLE: (Rule.CASE_CLOSE_PHASE,),
    RefusalCode.CASE_NOT_ARCHIVED: (Rule.ARCHIVE_REGIME,),
    RefusalCode.CASE_ARCHIVED_NO_ASSIGNMENT: (Rule.CASE_ASSIGN_REGIME,),
    RefusalCode.AFTER_AFSCHALING: (Rule.DOCUMENT_UPLOAD_AFSCHALING, Rule.GRANT_AFSCHALING),
    RefusalCode.BEFORE_TRIAGE: (Rule.GRANT_BEFORE_TRIAGE,),
    RefusalCode.PHASE_FINAL: (Rule.CASE_PHASE_FINAL,),
    RefusalCode.PHASE_ORDER: (Rule.CASE_PHASE_ORDER,),
    RefusalCode.WRONG_PHASE: (Rule.DOCUMENT_APPROVE_PHASE, Rule.HANDOVER_PHASE),
    RefusalCode.NOT_CURRENT_PHASE: (Rule.DOCUMENT_UPLOAD_PHASE,),
    RefusalCode.REPORTING_PARTIJ_WITHDRAWN: (Rule.CASE_REPORTER_WITHDRAWN,),
    RefusalCode.SELF_ADMISSION: (Rule.ARCHIVE_SELF,),
    RefusalCode.PURPOSE_NOT_ALLOWED: (
        Rule.DOCUMENT_DOWNLOAD_PURPOSE,
        Rule.DOCUMENT_DOWNLOAD_PURPOSE_PHASE,
    ),
    RefusalCode.PURPOSES_NOT_OF_PHASE: (Rule.DOCUMENT_APPROVE_PURPOSES,),
    RefusalCode.REAPPROVAL_REQUIRED: (Rule.DOCUMENT_DOWNLOAD_REAPPROVAL,),
    RefusalCode.PROVIDED_FOR_THIS_PHASE: (Rule.DOCUMENT_APPROVE_SAME_PHASE,),
    RefusalCode.CONSENT_WITHDRAWN: (Rule.DOCUMENT_DOWNLOAD_CONSENT,),
    RefusalCode.JUSTIFICATION_REQUIRED: (Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION,),
    RefusalCode.HANDOVER_WINDOW_CLOSED: (Rule.HANDOVER_WINDOW,),
    RefusalCode.HANDOVER_NOT_APPROVED: (Rule.HANDOVER_APPROVAL,),
    RefusalCode.LEGAL_BASIS_NOT_ALLOWED: (Rule.PROVISION_LEGAL_BASIS,),
    RefusalCode.DATA_CATEGORY_NOT_ALLOWED: (Rule.PROVISION_CATEGORY,),
    RefusalCode.REASON_REQUIRED: (
        Rule.ARCHIVE_REASON,
        Rule.CASE_ASSIGN_REASON,
        Rule.DOCUMENT_REMOVE_REASON,
        Rule.RETENTION_DESTROY_REASON,
        Rule.RETENTION_HOLD_REASON,
        Rule.RETENTION_LIFT_REASON,
    ),
    RefusalCode.INVALID_DATE: (Rule.ARCHIVE_UNTIL, Rule.CASE_DECIDED_AT, Rule.GRANT_UNTIL),
    RefusalCode.PERSON_NOT_ELIGIBLE: (
        Rule.ARCHIVE_ACCESS_ACCOUNT,
        Rule.ARCHIVE_ACCESS_PARTIJ_WITHDRAWN,
        Rule.ARCHIVE_ACCESS_SCREENING,
        Rule.ARCHIVE_ACCESS_ZVH_ROLE,
        Rule.ARCHIVE_ADMITTEE_ROLE,
        Rule.CASE_AANMELDER,
        Rule.CASE_ASSIGN_ASSIGNEE,
        Rule.GRANT_ACCESS_ACCOUNT,
        Rule.GRANT_ACCESS_PARTIJ_WITHDRAWN,
        Rule.GRANT_ACCESS_SCREENING,
        Rule.GRANT_ACCESS_ZVH_ROLE,
        Rule.GRANT_GRANTEE_ROLE,
        Rule.HANDOVER_RECIPIENT,
    ),
    RefusalCode.DOCUMENTS_NOT_IN_CASE: (Rule.GRANT_DOCUMENTS, Rule.HANDOVER_DOCUMENTS),
    RefusalCode.ROLE_ZVH_ONLY: (Rule.USER_ROLE_ZVH_ONLY,),
    RefusalCode.ALREADY_EXISTS: (
        Rule.ARCHIVE_DUPLICATE,
        Rule.CASE_ASSIGN_DUPLICATE,
        Rule.GRANT_DUPLICATE,
        Rule.PARTIJ_ZVH_EXISTS,
        Rule.RETENTION_HOLD_DUPLICATE,
    ),
    # The rules that name why something is allowed: they decide permits, and should one
    # ever refuse, the plain "you may not" is all a page could say about it.
    RefusalCode.NOT_ALLOWED: (
        Rule.ACCESS_EXPLAIN,
        Rule.ARCHIVE_ADMIT,
        Rule.ARCHIVE_REVOKE,
        Rule.AUDIT_READ_FG,
        Rule.AUDIT_READ_FG_ZVH,
        Rule.AUDIT_READ_MANAGER,
        Rule.CASE_ASSIGN,
        Rule.CASE_CLOSE,
        Rule.CASE_PHASE,
        Rule.CASE_REGISTER_ENTRY_MANAGER,
        Rule.CASE_REGISTER_ENTRY_PROCESREGISSEUR,
        Rule.CASE_SEE_AANMELDER,
        Rule.CASE_SEE_GRANT,
        Rule.CASE_SEE_PROCESREGISSEUR,
        Rule.CONSENT_RECORD,
        Rule.CONSENT_WITHDRAW,
        Rule.DOCUMENT_APPROVE,
        Rule.DOCUMENT_DOWNLOAD_AANMELDER,
        Rule.DOCUMENT_DOWNLOAD_GRANT,
        Rule.DOCUMENT_DOWNLOAD_HANDOVER,
        Rule.DOCUMENT_DOWNLOAD_PROCESREGISSEUR,
        Rule.DOCUMENT_SEE_HANDOVER,
        Rule.DOCUMENT_SEE_PROVIDER,
        Rule.DOCUMENT_SEE_UPLOADER,
        Rule.DOCUMENT_UPLOAD_RESUME,
        Rule.DOCUMENT_UPLOAD_AANMELDER,
        Rule.DOCUMENT_UPLOAD_GRANT,
        Rule.DOCUMENT_UPLOAD_PROCESREGISSEUR,
        Rule.FURTHER_USE_DECIDE,
        Rule.FURTHER_USE_REQUEST,
        Rule.GRANT_CREATE,
        Rule.GRANT_REVOKE,
        Rule.HANDOVER_NAME,
        Rule.PARTIJ_ADD,
        Rule.PARTIJ_WITHDRAW,
        Rule.PROVISION,
        Rule.USER_ROLE,
        Rule.DOCUMENT_REMOVE,
        Rule.RETENTION_DESTROY_EARLY,
        Rule.RETENTION_FIGURES,
        Rule.RETENTION_HOLD,
        Rule.RETENTION_LIFT,
        Rule.RETENTION_OVERSEE,
        Rule.RETENTION_REPORT,
        Rule.RETENTION_TOMBSTONE,
    ),
}

CODE_OF_RULE: Final[Mapping[Rule, RefusalCode]] = {
    rule: code for code, rules in RULES_BY_CODE.items() for rule in rules
}
"""The refusal code of every rule: what a refusal by that rule tells the caller."""


def code_of(decision: Decision) -> RefusalCode:
    """The refusal code of a refused ``decision``: its rule's (:data:`CODE_OF_RULE`)."""
    return CODE_OF_RULE[decision.rule]
