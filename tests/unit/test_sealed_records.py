"""Sealed records of a resumable upload's stage: AES-256-GCM bound to upload and offset."""

from __future__ import annotations

import pytest

from crypto import (
    DecryptionFailed,
    new_data_key,
    open_record,
    seal_record,
    unwrap_data_key,
    wrap_data_key,
)

UPLOAD = "0b9d3c4e-7a51-4f7e-9a43-1c2d3e4f5a6b"
OTHER = "5f2e1d0c-7a51-4f7e-9a43-1c2d3e4f5a6b"
PLAINTEXT = b"verslag huisbezoek: BSN 123456782 " * 100


def test_a_sealed_record_opens_at_its_own_upload_and_offset_and_hides_its_plaintext() -> None:
    key = new_data_key()
    sealed = seal_record(key, upload_id=UPLOAD, offset=4096, plaintext=PLAINTEXT)
    assert b"123456782" not in sealed
    assert open_record(key, upload_id=UPLOAD, offset=4096, sealed=sealed) == PLAINTEXT


def test_each_sealing_has_its_own_nonce() -> None:
    key = new_data_key()
    first = seal_record(key, upload_id=UPLOAD, offset=0, plaintext=PLAINTEXT)
    second = seal_record(key, upload_id=UPLOAD, offset=0, plaintext=PLAINTEXT)
    assert first[:12] != second[:12]
    assert first != second


@pytest.mark.parametrize(
    ("upload_id", "offset", "tamper"),
    [
        pytest.param(UPLOAD, 0, False, id="moved-to-another-offset"),
        pytest.param(OTHER, 4096, False, id="moved-to-another-upload"),
        pytest.param(UPLOAD, 4096, True, id="one-bit-flipped"),
    ],
)
def test_a_record_out_of_place_or_tampered_does_not_open(
    upload_id: str, offset: int, tamper: bool
) -> None:
    key = new_data_key()
    sealed = bytearray(seal_record(key, upload_id=UPLOAD, offset=4096, plaintext=PLAINTEXT))
    if tamper:
        sealed[40] ^= 1
    with pytest.raises(DecryptionFailed):
        open_record(key, upload_id=upload_id, offset=offset, sealed=bytes(sealed))


def test_a_truncated_record_or_another_key_does_not_open() -> None:
    key = new_data_key()
    sealed = seal_record(key, upload_id=UPLOAD, offset=0, plaintext=PLAINTEXT)
    with pytest.raises(DecryptionFailed):
        open_record(key, upload_id=UPLOAD, offset=0, sealed=sealed[:20])
    with pytest.raises(DecryptionFailed):
        open_record(new_data_key(), upload_id=UPLOAD, offset=0, sealed=sealed)


def test_a_wrapped_data_key_unwraps_only_for_its_upload_with_its_wrapping_key() -> None:
    wrapping, data_key = new_data_key(), new_data_key()
    wrapped = wrap_data_key(wrapping, upload_id=UPLOAD, data_key=data_key)
    assert data_key not in wrapped
    assert unwrap_data_key(wrapping, upload_id=UPLOAD, wrapped=wrapped) == data_key
    with pytest.raises(DecryptionFailed):
        unwrap_data_key(wrapping, upload_id=OTHER, wrapped=wrapped)
    with pytest.raises(DecryptionFailed):
        unwrap_data_key(new_data_key(), upload_id=UPLOAD, wrapped=wrapped)


def test_keys_of_the_wrong_length_and_negative_offsets_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        seal_record(b"short", upload_id=UPLOAD, offset=0, plaintext=b"x")
    with pytest.raises(ValueError, match="negative"):
        seal_record(new_data_key(), upload_id=UPLOAD, offset=-1, plaintext=b"x")
