"""Sealed fields of the audit log: AES-256-GCM under a case's own key, bound to case and field."""

from __future__ import annotations

import base64

import pytest

from crypto import (
    SEALED_PREFIX,
    DecryptionFailed,
    blind_index,
    new_field_key,
    open_field,
    seal_field,
    sealed_owner,
    unwrap_field_key,
    wrap_field_key,
)

CASE = "0b9d3c4e-7a51-4f7e-9a43-1c2d3e4f5a6b"
OTHER = "5f2e1d0c-7a51-4f7e-9a43-1c2d3e4f5a6b"
TEXT = "nodig voor het plan van aanpak van Jan Jansen, Dorpsstraat 1 — ë"


def test_a_sealed_field_names_its_case_hides_its_text_and_opens_with_its_key() -> None:
    key = new_field_key()
    sealed = seal_field(key, owner=CASE, name="justification", text=TEXT)
    assert sealed.startswith(f"{SEALED_PREFIX}{CASE}:")
    assert "Jansen" not in sealed
    assert b"Jansen" not in base64.b64decode(sealed.rsplit(":", 1)[1])
    assert sealed_owner(sealed) == CASE
    assert open_field(key, owner=CASE, name="justification", sealed=sealed) == TEXT


def test_each_sealing_has_its_own_nonce() -> None:
    key = new_field_key()
    assert seal_field(key, owner=CASE, name="reason", text=TEXT) != seal_field(
        key, owner=CASE, name="reason", text=TEXT
    )


@pytest.mark.parametrize("value", ["", "plain reason", "sealed:v1:", "sealed:v1:nocolon"])
def test_a_value_that_is_not_sealed_has_no_owner(value: str) -> None:
    assert sealed_owner(value) is None


@pytest.mark.parametrize(
    ("owner", "name", "change"),
    [
        pytest.param(OTHER, "justification", None, id="claimed-by-another-case"),
        pytest.param(CASE, "reason", None, id="moved-to-another-field"),
        pytest.param(CASE, "justification", "flip", id="one-character-changed"),
        pytest.param(CASE, "justification", "cut", id="truncated"),
        pytest.param(CASE, "justification", "garble", id="not-base64"),
        pytest.param(CASE, "justification", "rekey", id="sealed-under-another-key"),
    ],
)
def test_a_field_out_of_place_changed_or_foreign_does_not_open(
    owner: str, name: str, change: str | None
) -> None:
    key = new_field_key()
    sealed = seal_field(key, owner=CASE, name="justification", text=TEXT)
    if change == "flip":
        at = len(sealed) - 5
        sealed = sealed[:at] + ("A" if sealed[at] != "A" else "B") + sealed[at + 1 :]
    elif change == "cut":
        sealed = f"{SEALED_PREFIX}{CASE}:" + base64.b64encode(b"short").decode()
    elif change == "garble":
        sealed = f"{SEALED_PREFIX}{CASE}:***"
    elif change == "rekey":
        key = new_field_key()
    with pytest.raises(DecryptionFailed):
        open_field(key, owner=owner, name=name, sealed=sealed)


def test_a_wrapped_key_opens_only_for_its_case_under_its_wrapping_key() -> None:
    wrapping, field_key = new_field_key(), new_field_key()
    wrapped = wrap_field_key(wrapping, owner=CASE, field_key=field_key)
    assert unwrap_field_key(wrapping, owner=CASE, wrapped=wrapped) == field_key
    with pytest.raises(DecryptionFailed):
        unwrap_field_key(wrapping, owner=OTHER, wrapped=wrapped)
    with pytest.raises(DecryptionFailed):
        unwrap_field_key(new_field_key(), owner=CASE, wrapped=wrapped)
    with pytest.raises(DecryptionFailed):
        unwrap_field_key(wrapping, owner=CASE, wrapped="not base64!")


def test_a_blind_index_is_equal_within_a_case_and_unrelated_across_cases() -> None:
    key = new_field_key()
    index = blind_index(key, name="data_subject_ref", text="ab" * 32)
    assert index == blind_index(key, name="data_subject_ref", text="ab" * 32)
    assert len(index) == 64
    assert index != blind_index(new_field_key(), name="data_subject_ref", text="ab" * 32)
    assert index != blind_index(key, name="data_subject_ref", text="cd" * 32)


@pytest.mark.parametrize(
    ("key", "owner", "name"),
    [
        pytest.param(b"short", CASE, "reason", id="short-key"),
        pytest.param(bytes(32), "", "reason", id="empty-owner"),
        pytest.param(bytes(32), "case:1", "reason", id="separator-in-owner"),
        pytest.param(bytes(32), CASE, "reason\x00", id="nul-in-name"),
        pytest.param(bytes(32), "x" * 65, "reason", id="owner-too-long"),
    ],
)
def test_a_malformed_key_owner_or_name_is_refused(key: bytes, owner: str, name: str) -> None:
    with pytest.raises(ValueError, match=r"must|may hold"):
        seal_field(key, owner=owner, name=name, text=TEXT)
