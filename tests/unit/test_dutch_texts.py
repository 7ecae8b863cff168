"""Every word a page shows has its Dutch text: a new refusal code, action or rule cannot
reach a page untranslated, and no two of them read alike."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

import pytest

from portal.domain.actions import Action, Outcome
from portal.domain.audit import FIELD_NAMES
from portal.domain.cases import ClosingReason, Phase, Purpose
from portal.domain.documents import DataCategory, LegalBasis
from portal.domain.partijen import PartijKind, Role
from portal.domain.refusal_codes import RefusalCode
from portal.domain.register import ProcessingActivity
from portal.domain.rules import Rule
from portal.web import dutch

LABELS: list[tuple[type[enum.Enum], Mapping[Any, str]]] = [
    (Action, dutch.ACTIONS),
    (Outcome, dutch.OUTCOMES),
    (ProcessingActivity, dutch.PROCESSING_ACTIVITIES),
    (Rule, dutch.RULES),
    (Phase, dutch.PHASES),
    (Purpose, dutch.PURPOSES),
    (DataCategory, dutch.DATA_CATEGORIES),
    (LegalBasis, dutch.LEGAL_BASES),
    (PartijKind, dutch.PARTIJ_KINDS),
    (Role, dutch.ROLES),
    (ClosingReason, dutch.CLOSING_REASONS),
    (dutch.Contact, dutch.CONTACTS),
]
# Informal address ("je", "jij", "jouw") where the portal addresses its users as "u".
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.IGNORECASE)


@pytest.mark.parametrize(("vocabulary", "labels"), LABELS, ids=[v.__name__ for v, _ in LABELS])
def test_every_member_of_a_vocabulary_has_its_dutch_label(
    vocabulary: type[enum.Enum], labels: Mapping[Any, str]
) -> None:
    assert set(labels) == set(vocabulary), sorted(map(str, set(vocabulary) ^ set(labels)))
    assert all(label.strip() for label in labels.values())


@pytest.mark.parametrize(("vocabulary", "labels"), LABELS, ids=[v.__name__ for v, _ in LABELS])
def test_no_two_members_share_a_label(
    vocabulary: type[enum.Enum], labels: Mapping[Any, str]
) -> None:
    seen: dict[str, object] = {}
    for member, label in labels.items():
        assert label.casefold() not in seen, (label, member, seen.get(label.casefold()))
        seen[label.casefold()] = member


def test_no_two_actions_share_a_dutch_label() -> None:
    """The audit pages name events by these: two alike would make the log ambiguous."""
    labels = [dutch.ACTIONS[action] for action in Action]
    assert len(set(labels)) == len(labels)


def test_every_refusal_code_is_explained_with_whom_to_contact() -> None:
    assert set(dutch.REFUSALS) == set(RefusalCode)
    for code, text in dutch.REFUSALS.items():
        assert text.explanation.endswith("."), code
        assert text.whom_to_contact == dutch.CONTACTS[text.contact]


def test_the_access_refusals_name_the_person_who_can_change_them() -> None:
    assert dutch.REFUSALS[RefusalCode.GRANT_ENDED].contact is dutch.Contact.PROCESREGISSEUR
    assert dutch.REFUSALS[RefusalCode.CONSENT_WITHDRAWN].contact is dutch.Contact.PROVIDER
    assert dutch.REFUSALS[RefusalCode.CASE_ARCHIVED].contact is dutch.Contact.MANAGER
    assert dutch.REFUSALS[RefusalCode.GRANT_ENDED].whom_to_contact == (
        "Neem contact op met de procesregisseur van deze casus."
    )


def test_every_audit_column_has_its_dutch_header() -> None:
    assert set(dutch.AUDIT_COLUMNS) == {"seq", *FIELD_NAMES, "prev_hash", "hash"}
    headers = list(dutch.AUDIT_COLUMNS.values())
    assert len(set(headers)) == len(headers)


def test_the_pages_address_their_readers_as_u() -> None:
    texts = [
        *(t.explanation for t in dutch.REFUSALS.values()),
        *dutch.CONTACTS.values(),
    ]
    informal = [text for text in texts if INFORMAL.search(text)]
    assert not informal
