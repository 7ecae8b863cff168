"""The intake policy: which uploads are stored, and under which name."""

from __future__ import annotations

import pytest

from portal.domain.intake import (
    ACCEPTED_EXTENSIONS,
    MAX_FILE_NAME_LENGTH,
    REFUSED_REASONS,
    FileNameRefused,
    IntakeRefused,
    MediaTypeRefused,
    check_media_type,
    free_text_problem,
    normalise_file_name,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"


@pytest.mark.parametrize(
    ("media_type", "file_name"),
    [
        pytest.param("application/pdf", "verslag.pdf", id="pdf"),
        pytest.param("application/pdf", "VERSLAG.PDF", id="pdf-upper-case-extension"),
        pytest.param("image/png", "foto.png", id="png"),
        pytest.param("image/jpeg", "foto.jpg", id="jpeg-jpg"),
        pytest.param("image/jpeg", "foto.jpeg", id="jpeg-jpeg"),
        pytest.param("image/gif", "foto.gif", id="gif"),
        pytest.param("image/tiff", "scan.tif", id="tiff-tif"),
        pytest.param("image/tiff", "scan.tiff", id="tiff-tiff"),
        pytest.param("image/webp", "foto.webp", id="webp"),
        pytest.param(DOCX, "plan van aanpak.docx", id="docx"),
        pytest.param(XLSX, "overzicht.xlsx", id="xlsx"),
        pytest.param(PPTX, "overleg.pptx", id="pptx"),
        pytest.param(ODT, "plan.odt", id="odt"),
        pytest.param(ODS, "overzicht.ods", id="ods"),
        pytest.param(ODP, "overleg.odp", id="odp"),
        pytest.param("text/plain", "notities.txt", id="text"),
        pytest.param("text/csv", "export.csv", id="csv"),
        pytest.param("message/rfc822", "melding.eml", id="email"),
    ],
)
def test_accepted_type_with_its_extension_is_recorded_as_sniffed(
    media_type: str, file_name: str
) -> None:
    assert check_media_type(sniffed=media_type, declared=media_type, file_name=file_name) == (
        media_type
    )


def test_every_accepted_type_is_covered_by_the_table_above() -> None:
    assert set(ACCEPTED_EXTENSIONS) == {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/tiff",
        "image/webp",
        DOCX,
        XLSX,
        PPTX,
        ODT,
        ODS,
        ODP,
        "text/plain",
        "text/csv",
        "message/rfc822",
    }


@pytest.mark.parametrize(
    ("sniffed", "declared", "file_name", "recorded"),
    [
        pytest.param(
            "text/plain", "text/csv", "export.csv", "text/csv", id="semicolon-csv-is-plain"
        ),
        pytest.param("text/csv", "text/plain", "brief.txt", "text/plain", id="comma-prose-is-csv"),
        pytest.param("text/plain", "text/plain", "export.csv", "text/csv", id="csv-declared-plain"),
        pytest.param("text/csv", "text/csv", "notities.TXT", "text/plain", id="txt-sniffed-csv"),
    ],
)
def test_text_and_csv_are_one_family_and_the_extension_decides(
    sniffed: str, declared: str, file_name: str, recorded: str
) -> None:
    assert check_media_type(sniffed=sniffed, declared=declared, file_name=file_name) == recorded


@pytest.mark.parametrize(
    ("sniffed", "declared", "file_name"),
    [
        pytest.param("application/pdf", "application/pdf; name=x", "a.pdf", id="parameter"),
        pytest.param("text/plain", "Text/Plain; charset=UTF-8", "a.txt", id="case-and-charset"),
        pytest.param("image/jpeg", "image/jpg", "a.jpg", id="alias-image-jpg"),
        pytest.param("image/jpeg", "image/pjpeg", "a.jpg", id="alias-progressive-jpeg"),
        pytest.param("text/csv", "text/x-csv", "a.csv", id="alias-x-csv"),
        pytest.param("text/csv", "application/csv", "a.csv", id="alias-application-csv"),
        pytest.param("Application/PDF", "application/pdf", "a.pdf", id="sniffed-case"),
    ],
)
def test_declared_type_is_compared_without_parameters_case_or_alias(
    sniffed: str, declared: str, file_name: str
) -> None:
    recorded = check_media_type(sniffed=sniffed, declared=declared, file_name=file_name)
    assert recorded == sniffed.lower()


EXECUTABLE = "programs and scripts"
WEB_PAGE = "web pages can run script"
SVG = "SVG images can carry script"
ARCHIVE = "archives hide their contents"


@pytest.mark.parametrize(
    ("sniffed", "reason"),
    [
        pytest.param("application/x-executable", EXECUTABLE, id="elf-executable"),
        pytest.param("application/x-pie-executable", EXECUTABLE, id="elf-pie-executable"),
        pytest.param("application/x-sharedlib", EXECUTABLE, id="elf-shared-library"),
        pytest.param("application/x-dosexec", EXECUTABLE, id="dos-mz-executable"),
        pytest.param(
            "application/vnd.microsoft.portable-executable", EXECUTABLE, id="windows-pe-exe"
        ),
        pytest.param("application/x-mach-binary", EXECUTABLE, id="macos-mach-o"),
        pytest.param("text/x-shellscript", EXECUTABLE, id="shell-script"),
        pytest.param("text/x-python", EXECUTABLE, id="python-script"),
        pytest.param("text/x-script.python", EXECUTABLE, id="shebang-python-script"),
        pytest.param("text/x-script.node", EXECUTABLE, id="shebang-any-interpreter"),
        pytest.param("application/javascript", EXECUTABLE, id="javascript"),
        pytest.param("text/html", WEB_PAGE, id="html-stored-xss"),
        pytest.param("application/xhtml+xml", WEB_PAGE, id="xhtml-stored-xss"),
        pytest.param("image/svg+xml", SVG, id="svg-with-script"),
        pytest.param("application/zip", ARCHIVE, id="zip-hides-contents"),
        pytest.param("application/gzip", ARCHIVE, id="gzip-hides-contents"),
        pytest.param("application/x-tar", ARCHIVE, id="tar-hides-contents"),
        pytest.param("application/x-7z-compressed", ARCHIVE, id="7z-hides-contents"),
        pytest.param("application/x-rar", ARCHIVE, id="rar-hides-contents"),
        pytest.param("application/x-bzip2", ARCHIVE, id="bzip2-hides-contents"),
        pytest.param("application/x-xz", ARCHIVE, id="xz-hides-contents"),
        pytest.param("application/java-archive", ARCHIVE, id="jar-runs-on-a-jvm"),
        pytest.param("application/x-empty", "the file is empty", id="empty-file"),
    ],
)
def test_dangerous_types_are_refused_with_a_reason(sniffed: str, reason: str) -> None:
    with pytest.raises(MediaTypeRefused) as refused:
        check_media_type(sniffed=sniffed, declared=sniffed, file_name="bestand.pdf")
    message = str(refused.value)
    assert f"files of type {sniffed} are not accepted ({reason}" in message
    assert "accepted: PDF, images" in message


def test_every_explicit_refusal_has_a_reason_and_is_off_the_allow_list() -> None:
    assert all(REFUSED_REASONS.values())
    assert not set(REFUSED_REASONS) & set(ACCEPTED_EXTENSIONS)


@pytest.mark.parametrize(
    "sniffed",
    [
        pytest.param("application/msword", id="legacy-word-may-carry-macros"),
        pytest.param("application/vnd.ms-excel", id="legacy-excel-may-carry-macros"),
        pytest.param("application/CDFV2", id="ole-compound-document"),
        pytest.param("text/xml", id="bare-xml"),
        pytest.param("application/octet-stream", id="unrecognised-bytes"),
        pytest.param("image/x-ms-bmp", id="image-not-on-the-list"),
    ],
)
def test_anything_else_off_the_allow_list_is_refused_naming_the_type(sniffed: str) -> None:
    with pytest.raises(MediaTypeRefused, match="are not accepted; accepted: PDF") as refused:
        check_media_type(sniffed=sniffed, declared=sniffed, file_name="bestand.doc")
    assert f"files of type {sniffed.lower()} " in str(refused.value)


@pytest.mark.parametrize(
    "declared",
    [
        pytest.param(None, id="no-content-type"),
        pytest.param("", id="empty-content-type"),
        pytest.param("application/octet-stream", id="octet-stream-opts-out"),
        pytest.param("Application/Octet-Stream; x=y", id="octet-stream-with-parameter"),
    ],
)
def test_an_undeclared_type_is_refused_asking_the_client_to_declare_it(
    declared: str | None,
) -> None:
    with pytest.raises(MediaTypeRefused, match="did not declare its type") as refused:
        check_media_type(sniffed="application/pdf", declared=declared, file_name="verslag.pdf")
    assert "send the file with its Content-Type, here application/pdf" in str(refused.value)


@pytest.mark.parametrize(
    ("sniffed", "declared"),
    [
        pytest.param("application/pdf", "image/png", id="pdf-declared-as-image"),
        pytest.param("text/plain", "text/html", id="text-declared-as-html-for-rendering"),
        pytest.param(DOCX, XLSX, id="word-declared-as-excel"),
        pytest.param("message/rfc822", "text/plain", id="email-declared-as-text"),
        pytest.param("text/plain", "text/csvx", id="near-miss-of-csv"),
    ],
)
def test_declared_type_must_agree_with_the_content(sniffed: str, declared: str) -> None:
    extension = next(iter(sorted(ACCEPTED_EXTENSIONS[sniffed])))
    with pytest.raises(MediaTypeRefused) as refused:
        check_media_type(sniffed=sniffed, declared=declared, file_name=f"bestand.{extension}")
    assert str(refused.value) == (
        f"the file was declared as {declared} but its content is {sniffed}"
    )


@pytest.mark.parametrize(
    ("sniffed", "file_name", "expected"),
    [
        pytest.param("application/pdf", "report.docx", ".pdf", id="pdf-named-as-word"),
        pytest.param("application/pdf", "factuur.pdf.exe", ".pdf", id="double-extension-exe"),
        pytest.param("application/pdf", "factuur.exe", ".pdf", id="pdf-named-exe"),
        pytest.param("text/plain", "pagina.html", ".csv, .txt", id="text-named-html"),
        pytest.param("text/csv", "export.svg", ".csv, .txt", id="csv-named-svg"),
        pytest.param("image/jpeg", "foto", ".jpeg, .jpg", id="no-extension"),
        pytest.param("image/png", "foto.", ".png", id="empty-extension"),
        pytest.param("image/png", ".png", ".png", id="extension-only-hidden-file"),
        pytest.param(XLSX, "overzicht.ods", ".xlsx", id="ooxml-named-odf"),
        pytest.param("message/rfc822", "melding.msg", ".eml", id="email-named-outlook"),
    ],
)
def test_extension_must_be_one_the_sniffed_type_goes_by(
    sniffed: str, file_name: str, expected: str
) -> None:
    with pytest.raises(MediaTypeRefused) as refused:
        check_media_type(sniffed=sniffed, declared=sniffed, file_name=file_name)
    assert str(refused.value) == (
        f"the file name {file_name!r} does not end in an extension for {sniffed}; "
        f"expected {expected}"
    )


def test_html_behind_a_pdf_header_passes_as_pdf_which_is_why_downloads_are_attachments() -> None:
    # libmagic says application/pdf for "%PDF-" at the top of an HTML page (see
    # tests/integration/test_sniffing.py); the policy cannot see past that verdict.
    assert (
        check_media_type(sniffed="application/pdf", declared="application/pdf", file_name="x.pdf")
        == "application/pdf"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("verslag.pdf", "verslag.pdf", id="plain-name-unchanged"),
        pytest.param("../../etc/passwd", "passwd", id="path-traversal-unix"),
        pytest.param("C:\\Users\\x\\brief.pdf", "brief.pdf", id="windows-full-path-from-old-ie"),
        pytest.param("..\\..\\boot.ini", "boot.ini", id="path-traversal-windows"),
        pytest.param("a/b\\c/verslag.pdf", "verslag.pdf", id="mixed-separators"),
        pytest.param("evil\u202egpj.exe", "evilgpj.exe", id="bidi-override-hides-exe"),
        pytest.param("a\u2066b\u2067c\u2068d\u2069.pdf", "abcd.pdf", id="bidi-isolates"),
        pytest.param("\u200eleft\u200f.pdf", "left.pdf", id="bidi-marks"),
        pytest.param("ver\u200bslag\ufeff.pdf", "verslag.pdf", id="zero-width-lookalike"),
        pytest.param("rapport\x00.pdf.exe", "rapport.pdf.exe", id="nul-truncation"),
        pytest.param("a\x1b[31mb.pdf", "a[31mb.pdf", id="terminal-escape"),
        pytest.param("brief\r\nX-Injected: 1.pdf", "brief X-Injected: 1.pdf", id="header-split"),
        pytest.param("plan\tvan\t\taanpak.docx", "plan van aanpak.docx", id="tabs-collapse"),
        pytest.param("plan   van \u00a0 aanpak.docx", "plan van aanpak.docx", id="space-runs"),
        pytest.param("plan\u2028van.docx", "plan van.docx", id="line-separator"),
        pytest.param("a \u200b b.pdf", "a b.pdf", id="dropped-char-between-spaces"),
        pytest.param("  verslag.pdf  ", "verslag.pdf", id="surrounding-spaces"),
        pytest.param(".bashrc", "bashrc", id="leading-dot-hidden-file"),
        pytest.param("...verslag.pdf", "verslag.pdf", id="leading-dots"),
        pytest.param("verslag.pdf. . .", "verslag.pdf", id="trailing-dots-windows-strips"),
        pytest.param("cafe\u0301.pdf", "caf\u00e9.pdf", id="nfd-composed-to-nfc"),
        pytest.param("ab\udcff.pdf", "ab.pdf", id="lone-surrogate-from-bad-utf8"),
    ],
)
def test_file_names_are_normalised(raw: str, expected: str) -> None:
    assert normalise_file_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "a" * 300 + ".pdf",
            "a" * (MAX_FILE_NAME_LENGTH - 4) + ".pdf",
            id="long-name-keeps-extension",
        ),
        pytest.param(
            "a" * 193 + " . . .xyz.docx",
            "a" * 193 + ".docx",
            id="cut-stem-loses-trailing-dots-and-spaces",
        ),
        pytest.param("a" * 300, "a" * MAX_FILE_NAME_LENGTH, id="long-name-without-extension"),
        pytest.param(
            "a" * 10 + "." + "b" * 300,
            ("a" * 10 + "." + "b" * 300)[:MAX_FILE_NAME_LENGTH],
            id="overlong-suffix-is-not-an-extension",
        ),
        pytest.param(
            "a" * 199 + " .." + "b" * 300,
            "a" * 199,
            id="cut-without-extension-loses-trailing-dots",
        ),
    ],
)
def test_long_names_are_capped_keeping_the_extension(raw: str, expected: str) -> None:
    name = normalise_file_name(raw)
    assert name == expected
    assert len(name) <= MAX_FILE_NAME_LENGTH


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("../", id="directory-only"),
        pytest.param("..", id="parent-directory"),
        pytest.param("C:\\Users\\x\\", id="windows-directory-only"),
        pytest.param("\u202e", id="bidi-override-only"),
        pytest.param(" \t\u200b. . ", id="invisible-only"),
        pytest.param("\x00\x01", id="controls-only"),
    ],
)
def test_names_with_nothing_usable_are_refused(raw: str) -> None:
    with pytest.raises(FileNameRefused, match="has no usable characters"):
        normalise_file_name(raw)


def test_both_refusals_share_one_base_for_the_web_error_table() -> None:
    assert issubclass(MediaTypeRefused, IntakeRefused)
    assert issubclass(FileNameRefused, IntakeRefused)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("nodig voor het plan van aanpak", None, id="plain-text"),
        pytest.param("regel een\nregel twee\tmet tab", None, id="line-breaks-and-tabs"),
        pytest.param("x" * 41, "the justification is at most 40 characters", id="too-long"),
        pytest.param(
            "nul\x00byte",
            "the justification holds a control or format character (\\x00)",
            id="nul",
        ),
        pytest.param(
            "abc\u202edef",
            "the justification holds a control or format character (\\u202e)",
            id="bidi-override",
        ),
    ],
)
def test_free_text_is_plain_and_bounded(value: str, problem: str | None) -> None:
    assert free_text_problem("the justification", value, limit=40) == problem
