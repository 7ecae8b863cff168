"""The audit log's personal fields, sealed per case so that destroying the case shreds them.

The log keeps every record for good: its hash chain must verify after a case is destroyed,
so nothing in it can be deleted or rewritten. What is personal in a record about a case
(:data:`SEALED_FIELDS`: the reason, the justification, the subject's pseudonym) is
therefore stored sealed (``crypto.sealed_fields``) under the case's own *audit key*, and
the chain hashes that stored form. Destroying the case destroys the key: the records that
remain still say who did what, when, on which phase, document and legal basis, about a
case that no longer exists, and a copy of their sealed fields taken earlier (an export, a
backup) no longer opens.

Why these choices:

- **One random key per case, in the database**, wrapped under a key derived from the
  master key (:data:`AUDIT_KEY_PURPOSE`). Derived keys could not be destroyed (the master
  key would re-derive them); a random key can. Held in the database, every app process
  seals and opens with the same key, and a destruction in one is seen by all.
- **Created on the case's first record** (its ``case:create``), and for a case older than
  sealing, on its first record since. Two processes that race insert one row between
  them; the loser uses the winner's key.
- **A tombstone, not a deletion.** Destruction empties the row's key in the same
  transaction that deletes the case's OpenPGP key (step 2 of
  ``portal.services.retention.destroy_case``), so a crash leaves both or neither. The row
  stays so that a record written about the case afterwards (the ``case:destroy`` record
  itself, a refused request) creates no fresh key: it is written with its reason in
  clear, the portal's own words, and with its justification and pseudonym replaced by
  :data:`DESTROYED`, since the person they would be about is gone.
- **The sealed form is fixed before the append**, outside the chain lock: sealing costs
  a few microseconds of AES-GCM per record, a primary-key read the first time a process
  seals for a case, and the lock is held no longer than before.
- **The database row is the truth, the caches only spare round trips and unwraps.**
  Every page of records read looks the key rows up; the cache of opened keys is keyed by
  the wrapped key read, so it never opens anything for a row that is gone. A seal uses
  the key this process last sealed with unread, and the append checks the row still
  holds it in the statement that takes the chain lock (no extra round trip); if not,
  the entry is sealed again from the row. A destruction committed between that check and
  the append's commit leaves one record sealed under the key just destroyed: unreadable
  to everyone, which is what destruction means anyway.
- **Records without a case** keep their fields in clear, with one exception: an audit
  read about a subject's pseudonym (an inzage overview) names the person of a case, so
  it is sealed under that case's key; once the case is destroyed, such a read keeps
  :data:`DESTROYED` instead of the pseudonym.
- **Finding records by subject.** A sealed pseudonym cannot be compared. Each sealed
  record carries a *blind index* of its pseudonym under the case's key (an unhashed
  column, ``data_subject_index``); a search for a pseudonym computes the index under the
  key of each live case whose pseudonym it is. After destruction nobody can compute it,
  so the index links no record to the pseudonym. Records from before sealing are found
  by their clear pseudonym as before.
- **Readers never fail on a destroyed key**: a field whose key is gone reads
  :data:`DESTROYED`, one that does not open (changed in the database) :data:`UNREADABLE`;
  ``portal audit verify`` reports the change itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from crypto import (
    DecryptionFailed,
    blind_index,
    new_field_key,
    open_field,
    seal_field,
    sealed_owner,
    unwrap_field_key,
    wrap_field_key,
)
from portal.db import audit_keys as audit_keys_db
from portal.domain.audit import AuditEntry
from portal.domain.audit_chain import StoredRecord

AUDIT_KEY_PURPOSE: Final = "audit-case-keys"
"""The name under which the master key derives the key wrapping each case's audit key."""

SEALED_FIELDS: Final = ("reason", "justification", "data_subject_ref")
"""The personal fields of a record about a case, stored sealed."""

GONE_WITH_THE_CASE: Final = ("justification", "data_subject_ref")
"""What a record written after its case's destruction keeps as :data:`DESTROYED`."""

DESTROYED: Final = "[vernietigd]"
"""What a reader sees of a sealed field whose case was destroyed."""
UNREADABLE: Final = "[onleesbaar]"
"""What a reader sees of a sealed field that does not open: it was changed."""

SUBJECT_FIELD: Final = "data_subject_ref"
_CACHE_LIMIT: Final = 4096


@dataclass(frozen=True, kw_only=True, slots=True)
class Sealed:
    """An entry as it is to be stored, and what its append needs besides."""

    entry: AuditEntry
    subject_index: str | None = None
    with_key: tuple[str, str] | None = None
    """(case id, wrapped key) the fields were sealed under: the append checks the row."""


class AuditSealer:
    """Seals the personal fields of records as they are appended and opens them for readers
    (see the module docstring); one per process, built with the wrapping key."""

    def __init__(self, wrapping_key: bytes) -> None:
        if len(wrapping_key) != 32:  # noqa: PLR2004 - AES-256, as crypto.sealed_fields needs
            raise ValueError("the audit sealer needs a 256-bit wrapping key")
        self._wrapping_key = wrapping_key
        # (case id, wrapped key as read) -> field key: a hit needs the row read just now.
        self._unwrapped: dict[tuple[str, str], bytes] = {}
        # case id -> (wrapped key, field key) last sealed with: used without reading the
        # row, because the append checks the row still holds it (``sealed_with``).
        self._sealing: dict[str, tuple[str, bytes]] = {}

    def __repr__(self) -> str:
        return "AuditSealer(<redacted>)"

    # --- keys ----------------------------------------------------------------------------

    def _field_key(self, case_id: str, wrapped: str) -> bytes:
        cached = self._unwrapped.get((case_id, wrapped))
        if cached is not None:
            return cached
        key = unwrap_field_key(self._wrapping_key, owner=case_id, wrapped=wrapped)
        if len(self._unwrapped) >= _CACHE_LIMIT:
            self._unwrapped.clear()
        self._unwrapped[(case_id, wrapped)] = key
        return key

    async def _key_for_sealing(
        self, case_id: str, *, create: bool, now: datetime, fresh: bool
    ) -> tuple[str, bytes] | None:
        """The case's live key (wrapped and open), made now if it has none and ``create``
        says so; None for a case without a key otherwise. Raises ``LookupError`` for a
        destroyed case. Unless ``fresh``, the key last sealed with is taken unread: the
        append checks it against the row."""
        if not fresh and (known := self._sealing.get(case_id)) is not None:
            return known
        row = await audit_keys_db.audit_key(case_id)
        if row is None:
            if not create:
                return None
            wrapped = wrap_field_key(self._wrapping_key, owner=case_id, field_key=new_field_key())
            row = await audit_keys_db.insert_audit_key(
                case_id=case_id, wrapped_key=wrapped, now=now
            )
        if row.wrapped_key is None:
            self._sealing.pop(case_id, None)
            raise LookupError(case_id)
        known = (row.wrapped_key, self._field_key(case_id, row.wrapped_key))
        if len(self._sealing) >= _CACHE_LIMIT:
            self._sealing.clear()
        self._sealing[case_id] = known
        return known

    def forget(self, case_id: str) -> None:
        """Drop this process's unwrapped copies of the case's key (after destroying it)."""
        for cached in [cached for cached in self._unwrapped if cached[0] == case_id]:
            del self._unwrapped[cached]
        self._sealing.pop(case_id, None)

    async def destroy(self, case_id: str, *, now: datetime) -> bool:
        """Destroy the case's audit key, leaving a tombstone; True if a live key went.

        Call inside the transaction that deletes the case's OpenPGP key."""
        destroyed = await audit_keys_db.destroy_audit_key(case_id, now=now)
        self.forget(case_id)
        return destroyed

    # --- writing -------------------------------------------------------------------------

    async def seal(
        self, entry: AuditEntry, *, subject_case: str | None, fresh: bool = False
    ) -> Sealed:
        """The entry as it is stored, the blind index of its pseudonym, and the key used.

        ``subject_case`` is the case whose pseudonym a record without a case names
        (:meth:`cases_of_pseudonym`), if any. ``fresh`` reads the key's row even when this
        process sealed with the key before (after the append found it gone).
        """
        owner = entry.case_id or subject_case
        if owner is None:
            return Sealed(entry=entry)
        try:
            found = await self._key_for_sealing(
                owner, create=entry.case_id is not None, now=entry.ended_at, fresh=fresh
            )
        except LookupError:
            gone: dict[str, Any] = {
                name: DESTROYED for name in GONE_WITH_THE_CASE if getattr(entry, name)
            }
            return Sealed(entry=replace(entry, **gone))
        if found is None:
            return Sealed(entry=entry)
        wrapped, key = found
        sealed: dict[str, Any] = {
            name: seal_field(key, owner=owner, name=name, text=value)
            for name in SEALED_FIELDS
            if isinstance(value := getattr(entry, name), str) and value
        }
        index = (
            blind_index(key, name=SUBJECT_FIELD, text=entry.data_subject_ref)
            if entry.data_subject_ref
            else None
        )
        return Sealed(
            entry=replace(entry, **sealed), subject_index=index, with_key=(owner, wrapped)
        )

    # --- reading -------------------------------------------------------------------------

    async def opened(self, rows: Sequence[StoredRecord]) -> list[StoredRecord]:
        """The records as a reader with the right sees them: sealed fields opened where
        their case's key lives, :data:`DESTROYED` where it does not. One key lookup per
        call, so a key destroyed by any process stops opening at the next page."""
        opened = await self.opened_columns([row.fields for row in rows])
        return [
            row if fields is row.fields else replace(row, fields=fields)
            for row, fields in zip(rows, opened, strict=True)
        ]

    async def opened_columns(
        self, rows: Sequence[Mapping[str, object]]
    ) -> list[Mapping[str, object]]:
        """:meth:`opened` for rows as the table holds them (an operator's tool, a test);
        a row with nothing sealed comes back as it was."""
        owners = {
            owner
            for row in rows
            for name in SEALED_FIELDS
            if isinstance(value := row.get(name), str) and (owner := sealed_owner(value))
        }
        if not owners:
            return list(rows)
        keys: dict[str, bytes | None] = {}
        for case_id, key_row in (await audit_keys_db.audit_keys(owners)).items():
            if key_row.wrapped_key is not None:
                try:
                    keys[case_id] = self._field_key(case_id, key_row.wrapped_key)
                except DecryptionFailed:
                    keys[case_id] = None  # wrapped under another master key
        return [self._opened_fields(row, keys) for row in rows]

    def _opened_fields(
        self, row: Mapping[str, object], keys: Mapping[str, bytes | None]
    ) -> Mapping[str, object]:
        changes: dict[str, object] = {}
        for name in SEALED_FIELDS:
            value = row.get(name)
            if not isinstance(value, str) or (owner := sealed_owner(value)) is None:
                continue
            if owner not in keys:
                changes[name] = DESTROYED
                continue
            changes[name] = _opened_or_unreadable(keys[owner], owner, name, value)
        if not changes:
            return row
        return {**row, **changes}

    async def cases_of_pseudonym(
        self, pseudonym: str, pseudonym_of_case: Callable[[str], str]
    ) -> list[str]:
        """The cases with an audit key, live or destroyed, whose subject has ``pseudonym``:
        at most one, unless someone found an HMAC collision."""
        cases = await audit_keys_db.audit_case_ids()
        return [case_id for case_id in cases if pseudonym_of_case(case_id) == pseudonym]

    async def subject_indexes(self, pseudonym: str, case_ids: Iterable[str]) -> frozenset[str]:
        """The blind indexes under which records about ``pseudonym`` in ``case_ids`` are
        found, for the cases whose key still lives."""
        indexes = set()
        for case_id, key_row in (await audit_keys_db.audit_keys(case_ids)).items():
            if key_row.wrapped_key is None:
                continue
            key = self._field_key(case_id, key_row.wrapped_key)
            indexes.add(blind_index(key, name=SUBJECT_FIELD, text=pseudonym))
        return frozenset(indexes)


def _opened_or_unreadable(key: bytes | None, owner: str, name: str, sealed: str) -> str:
    if key is None:
        return UNREADABLE
    try:
        return open_field(key, owner=owner, name=name, sealed=sealed)
    except DecryptionFailed:
        return UNREADABLE
