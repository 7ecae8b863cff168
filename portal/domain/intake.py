"""What an upload may be: the media-type allow-list and the file-name rules.

Both checks are pure: the caller sniffs the first bytes (``portal.services.sniffing``) and
passes the verdict in as a string, so the policy can be read and tested without libmagic.

Errors::

    IntakeRefused          the upload is refused; the message is shown to the uploader
    ├── MediaTypeRefused   the content, declared type or extension is not acceptable (415)
    └── FileNameRefused    nothing usable is left of the file name (400)

Sniffing is not a security control on its own. libmagic reads an HTML page that starts
with ``%PDF-`` as ``application/pdf`` and prose with commas as ``text/csv``; it cannot see
intent. The allow-list narrows what we store; what keeps a smuggled page from running in a
reader's browser is that downloads are always served as attachments with
``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import unicodedata

_PLAIN_TEXT = "text/plain"
_CSV = "text/csv"
_OCTET_STREAM = "application/octet-stream"

# Cap in code points, below the 255 bytes most file systems allow, so that a recipient can
# save the download under the same name even after a few multi-byte characters.
MAX_FILE_NAME_LENGTH = 200
# A "suffix" longer than this is part of the name, not an extension worth preserving.
_MAX_EXTENSION_LENGTH = 16

ACCEPTED_EXTENSIONS: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    "image/png": frozenset({"png"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "image/gif": frozenset({"gif"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    "image/webp": frozenset({"webp"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": frozenset(
        {"pptx"}
    ),
    "application/vnd.oasis.opendocument.text": frozenset({"odt"}),
    "application/vnd.oasis.opendocument.spreadsheet": frozenset({"ods"}),
    "application/vnd.oasis.opendocument.presentation": frozenset({"odp"}),
    # libmagic calls a semicolon-separated export text/plain and a letter with enough commas
    # text/csv, so the two are one family: either extension is fine for either verdict.
    _PLAIN_TEXT: frozenset({"txt", "csv"}),
    _CSV: frozenset({"csv", "txt"}),
    "message/rfc822": frozenset({"eml"}),
}

ACCEPTED_SUMMARY = (
    "PDF, images (PNG, JPEG, GIF, TIFF, WebP), Word/Excel/PowerPoint (OOXML), "
    "OpenDocument, plain text, CSV, e-mail (message/rfc822)"
)

_EXECUTABLE = "programs and scripts can run on a recipient's machine"
_ACTIVE_PAGE = "web pages can run script in a recipient's browser"
_ACTIVE_IMAGE = "SVG images can carry script"
_ARCHIVE = "archives hide their contents from these checks; upload the files themselves"

# Refused with a reason the uploader can act on; anything else off the allow-list gets the
# generic message. The reason is not what enforces the refusal: the allow-list is.
REFUSED_REASONS: dict[str, str] = {
    "application/x-executable": _EXECUTABLE,
    "application/x-pie-executable": _EXECUTABLE,
    "application/x-sharedlib": _EXECUTABLE,
    "application/x-object": _EXECUTABLE,
    "application/x-mach-binary": _EXECUTABLE,
    "application/x-dosexec": _EXECUTABLE,
    "application/vnd.microsoft.portable-executable": _EXECUTABLE,
    "application/javascript": _EXECUTABLE,
    "text/javascript": _EXECUTABLE,
    "text/x-shellscript": _EXECUTABLE,
    "text/x-python": _EXECUTABLE,
    "text/x-perl": _EXECUTABLE,
    "text/x-ruby": _EXECUTABLE,
    "text/x-php": _EXECUTABLE,
    "text/x-msdos-batch": _EXECUTABLE,
    "text/html": _ACTIVE_PAGE,
    "application/xhtml+xml": _ACTIVE_PAGE,
    "image/svg+xml": _ACTIVE_IMAGE,
    "application/zip": _ARCHIVE,
    "application/gzip": _ARCHIVE,
    "application/x-gzip": _ARCHIVE,
    "application/x-tar": _ARCHIVE,
    "application/x-7z-compressed": _ARCHIVE,
    "application/x-rar": _ARCHIVE,
    "application/vnd.rar": _ARCHIVE,
    "application/x-bzip2": _ARCHIVE,
    "application/x-xz": _ARCHIVE,
    "application/java-archive": _ARCHIVE,
    "application/x-empty": "the file is empty",
}
# libmagic names interpreter scripts after their shebang: text/x-script.python, .node, ...
_SCRIPT_PREFIX = "text/x-script."

# Spellings clients send for a type we accept; the canonical name is what we compare.
_DECLARED_ALIASES: dict[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "text/x-csv": _CSV,
    "application/csv": _CSV,
}


class IntakeRefused(Exception):
    """An upload is refused before it is stored; the message is written for the uploader."""


class MediaTypeRefused(IntakeRefused):
    pass


class FileNameRefused(IntakeRefused):
    pass


def _bare_media_type(value: str) -> str:
    """``"Text/Plain; charset=UTF-8"`` -> ``"text/plain"``."""
    return value.split(";", 1)[0].strip().lower()


def _family(media_type: str) -> str:
    return _PLAIN_TEXT if media_type == _CSV else media_type


def _refusal_reason(media_type: str) -> str | None:
    if media_type.startswith(_SCRIPT_PREFIX):
        return _EXECUTABLE
    return REFUSED_REASONS.get(media_type)


def check_media_type(*, sniffed: str, declared: str | None, file_name: str) -> str:
    """Return the media type to record for an upload, or raise `MediaTypeRefused`.

    ``sniffed`` is libmagic's verdict on the first bytes; ``declared`` is the Content-Type
    of the multipart part (parameters allowed); ``file_name`` is the normalised name.

    Three witnesses must agree, because each alone is cheap to forge: the content must be
    on the allow-list, the client must declare the same type (``None`` and
    ``application/octet-stream`` are refused, so a client cannot opt out of the check),
    and the extension must be one that type goes by, so that the file opens in the
    expected program on the recipient's machine, not in whatever ``.exe`` or ``.html``
    would open in.

    The type recorded is the sniffed one, except in the text family, where libmagic
    cannot tell CSV from prose: there the extension decides.
    """
    sniffed_type = _bare_media_type(sniffed)
    extensions = ACCEPTED_EXTENSIONS.get(sniffed_type)
    if extensions is None:
        reason = _refusal_reason(sniffed_type)
        detail = f" ({reason})" if reason else ""
        raise MediaTypeRefused(
            f"files of type {sniffed_type} are not accepted{detail}; accepted: {ACCEPTED_SUMMARY}"
        )

    declared_type = _bare_media_type(declared or "")
    declared_type = _DECLARED_ALIASES.get(declared_type, declared_type)
    if declared_type in {"", _OCTET_STREAM}:
        raise MediaTypeRefused(
            f"the upload did not declare its type (got {declared_type or 'none'}); "
            f"send the file with its Content-Type, here {sniffed_type}"
        )
    if _family(declared_type) != _family(sniffed_type):
        raise MediaTypeRefused(
            f"the file was declared as {declared_type} but its content is {sniffed_type}"
        )

    stem, dot, extension = file_name.rpartition(".")
    extension = extension.lower()
    if not (dot and stem and extension in extensions):
        expected = ", ".join(f".{e}" for e in sorted(extensions))
        raise MediaTypeRefused(
            f"the file name {file_name!r} does not end in an extension for {sniffed_type}; "
            f"expected {expected}"
        )

    if _family(sniffed_type) == _PLAIN_TEXT:
        return _CSV if extension == "csv" else _PLAIN_TEXT
    return sniffed_type


# Cc: control characters (NUL, ESC, newlines in headers). Cf: format characters, among them
# the bidi overrides and isolates that show "evil\u202egpj.exe" as "evilexe.jpg", and the
# zero-width ones that make two names look alike. Cs: lone surrogates, which cannot be
# encoded as UTF-8 and would fail later, in a header or the database.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def normalise_file_name(raw: str) -> str:
    """Return a file name safe to store, show and offer as a download name.

    Keeps only the last path component, so no name carries a separator; composes to NFC,
    so one name has one spelling; drops invisible and control characters; collapses
    whitespace; strips leading and trailing dots and spaces, so no hidden files and no
    ``..``; and caps the length, keeping the extension. Raises `FileNameRefused` when
    nothing usable is left.
    """
    last = raw.replace("\\", "/").rsplit("/", 1)[-1]
    composed = unicodedata.normalize("NFC", last)
    # Whitespace is kept before the drop (tab and newline are Cc too) so that "a\tb" reads
    # "a b", not "ab"; split() then folds every run, NBSP and U+2028 included, to one space.
    kept = "".join(
        char
        for char in composed
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    name = " ".join(kept.split()).strip(" .")
    if len(name) > MAX_FILE_NAME_LENGTH:
        name = _shorten(name)
    if not name:
        raise FileNameRefused(f"the file name {raw!r} has no usable characters")
    return name


def _shorten(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > _MAX_EXTENSION_LENGTH:
        return name[:MAX_FILE_NAME_LENGTH].rstrip(" .")
    keep = MAX_FILE_NAME_LENGTH - len(extension) - 1
    return f"{stem[:keep].rstrip(' .')}.{extension}"


MAX_JUSTIFICATION_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 2000
MAX_REASON_LENGTH = 2000


def free_text_problem(name: str, value: str, *, limit: int) -> str | None:
    """Why a free-text field (a justification, a reason, a description) is refused, or None.

    Free text goes into the audit record and before people's eyes: it is plain text of at
    most ``limit`` characters, with no control characters (line breaks and tabs aside) and
    no bidirectional or other format characters that could make it read as something else.
    """
    if len(value) > limit:
        return f"{name} is at most {limit} characters"
    for ch in value:
        if ch in "\n\t":
            continue
        if unicodedata.category(ch) in _DROPPED_CATEGORIES:
            shown = ch.encode("unicode_escape").decode("ascii")
            return f"{name} holds a control or format character ({shown})"
    return None
