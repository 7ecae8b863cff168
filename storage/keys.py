"""Object keys: one rule for every backend, so a key accepted by one is accepted by all.

A key is a relative path of ``/``-separated segments made of ``[A-Za-z0-9._-]``, at most
512 characters in all and 255 per segment. The rule is narrow on purpose: it maps onto a
file path without escaping (no ``..``, no absolute paths, no empty segments) and onto an
S3 object name without URL-encoding surprises. The local store relies on it: names with
any other character (``~`` above all) can never be keys, so it uses them for its
temporary files.
"""

from __future__ import annotations

import re

from storage.errors import InvalidKey

MAX_KEY_LENGTH = 512
# NAME_MAX of common filesystems: the local store turns every segment into a file name.
MAX_SEGMENT_LENGTH = 255

_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a valid object key, else raise :class:`InvalidKey`."""
    if not key:
        raise InvalidKey(key, "empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(key[:40] + "...", f"longer than {MAX_KEY_LENGTH} characters")
    if key.startswith("/"):
        raise InvalidKey(key, "absolute; keys are relative")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKey(key, "empty segment (leading, trailing or double '/')")
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise InvalidKey(key, f"a segment is longer than {MAX_SEGMENT_LENGTH} characters")
        if segment in {".", ".."}:
            raise InvalidKey(key, f"segment {segment!r} is not allowed")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey(key, "only A-Z a-z 0-9 . _ - and '/' between segments")
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it is empty, a valid key, or a valid key followed by ``/``."""
    if prefix:
        validate_key(prefix.removesuffix("/"))
    return prefix


def is_key_segment(name: str) -> bool:
    """Whether a single path component could be part of a key (temporary files cannot)."""
    return name not in {".", ".."} and _SEGMENT.fullmatch(name) is not None
