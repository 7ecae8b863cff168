"""May this actor do this, now? Each rule returns a decision with the rule and the reason.

These are the privacy protocol's access rules. Every entry point (API, pages, CLI) asks
them; none decides on its own. Denial is the default: a permit names the path that led
to it. Access is per person and per case (art. 9.6): a case's people are its
procesregisseurs, its aanmelder, participants with a grant, each document's uploader,
the hand-over recipient and the users admitted to its archive.

By capability:
- ``facts``: ``CaseFacts``, the one value loaded per case, and the standing check;
- ``cases``: register, see, move, close, assign, explain access;
- ``documents``: see one document, upload, download, approve, consent, further use;
- ``grants``: grants, archive admissions, the hand-over;
- ``overview``: the access overview (``explain_download``);
- ``retention``: legal holds, early destruction, the retention calendar, removing a document;
- ``supervision``: the audit log's readers and scope, a partij's withdrawal.
"""

from __future__ import annotations

from portal.domain.access.cases import (
    NEXT_PHASE,
    ended_reason,
    may_assign_procesregisseur,
    may_change_phase,
    may_close_case,
    may_explain_access,
    may_register_case,
    may_see_case,
    may_see_register_entry,
)
from portal.domain.access.documents import (
    is_controller,
    may_approve,
    may_decide_further_use,
    may_download,
    may_record_consent,
    may_request_further_use,
    may_resume_upload,
    may_see_document,
    may_upload,
    may_withdraw_consent,
)
from portal.domain.access.facts import CaseFacts, Part, standing
from portal.domain.access.grants import (
    may_admit_to_archive,
    may_grant,
    may_hand_over,
    may_revoke_admission,
    may_revoke_grant,
)
from portal.domain.access.overview import Explanation, explain_download
from portal.domain.access.retention import (
    may_destroy_early,
    may_lift_hold,
    may_oversee_retention,
    may_place_hold,
    may_read_destruction_report,
    may_read_figures,
    may_remove_document,
    may_see_retention_of,
)
from portal.domain.access.supervision import (
    AuditScope,
    may_read_audit_log,
    may_read_audit_record,
    may_withdraw_partij,
    supervised_partij,
)

__all__ = [
    "NEXT_PHASE",
    "AuditScope",
    "CaseFacts",
    "Explanation",
    "Part",
    "ended_reason",
    "explain_download",
    "is_controller",
    "may_admit_to_archive",
    "may_approve",
    "may_assign_procesregisseur",
    "may_change_phase",
    "may_close_case",
    "may_decide_further_use",
    "may_destroy_early",
    "may_download",
    "may_explain_access",
    "may_grant",
    "may_hand_over",
    "may_lift_hold",
    "may_oversee_retention",
    "may_place_hold",
    "may_read_audit_log",
    "may_read_audit_record",
    "may_read_destruction_report",
    "may_read_figures",
    "may_record_consent",
    "may_register_case",
    "may_remove_document",
    "may_request_further_use",
    "may_resume_upload",
    "may_revoke_admission",
    "may_revoke_grant",
    "may_see_case",
    "may_see_document",
    "may_see_register_entry",
    "may_see_retention_of",
    "may_upload",
    "may_withdraw_consent",
    "may_withdraw_partij",
    "standing",
    "supervised_partij",
]
