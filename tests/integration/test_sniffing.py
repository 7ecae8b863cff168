"""Real libmagic on real samples, through the intake policy: what is stored and what is not.

The samples are built here, byte by byte, so the test shows what each one is. The media
types asserted are what libmagic 5.44 returns; a libmagic upgrade that renames one fails
here, before it silently changes what the allow-list lets through.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import struct
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import magic
import pytest

from portal.adapters import sniffing
from portal.adapters.sniffing import SNIFF_BYTES, SniffingFailed, sniff_media_type
from portal.domain.intake import MediaTypeRefused, check_media_type

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def minimal_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)  # 2x2, 8-bit RGB
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_header() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif() -> bytes:
    screen = b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00"
    palette = b"\x00\x00\x00\xff\xff\xff"
    image = b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00"
    return screen + palette + image + b";"


def tiff_header() -> bytes:
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + b"\x00\x00\x00\x00"


def webp_header() -> bytes:
    body = b"WEBPVP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


_OOXML_MAIN_PART = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def ooxml(kind: str, *, extra_overrides: int = 0, stored: bool = False) -> bytes:
    """An Office Open XML package in the member order Word, Excel and PowerPoint write."""
    part, content_type = _OOXML_MAIN_PART[kind]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(extra_overrides)
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{content_type}"/>'
        f"{overrides}</Types>"
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{part}"/></Relationships>'
    )
    members = {"[Content_Types].xml": types, "_rels/.rels": relationships, part: "<x/>"}
    return _zip(members, stored=stored)


def odf(kind: str) -> bytes:
    """An OpenDocument package: the uncompressed ``mimetype`` member first, as ODF 1.2 §3.3."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            f"application/vnd.oasis.opendocument.{kind}",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _zip(members: dict[str, str], *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, text in members.items():
            # A fixed timestamp keeps the bytes, and so libmagic's verdict, reproducible.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def elf_head() -> bytes:
    ls = Path("/bin/ls")
    if not ls.exists():
        pytest.skip("no /bin/ls to take an ELF header from")
    return ls.read_bytes()[:SNIFF_BYTES]


def pe_executable() -> bytes:
    dos = bytearray(b"MZ" + b"\x00" * 0x7E)
    struct.pack_into("<I", dos, 0x3C, 0x80)  # e_lfanew: where the PE header starts
    coff = struct.pack("<HHIIIHH", 0x14C, 0, 0, 0, 0, 0xE0, 0x0102)  # i386, executable
    optional = struct.pack("<H", 0x10B) + b"\x00" * (0xE0 - 2)  # PE32
    return bytes(dos) + b"PE\x00\x00" + coff + optional


def dos_stub() -> bytes:
    return b"MZ" + b"\x00" * 62 + b"This program cannot be run in DOS mode.\r\n$"


def mach_o() -> bytes:
    # MH_MAGIC_64, CPU_TYPE_X86_64, MH_EXECUTE
    return struct.pack("<IIII", 0xFEEDFACF, 0x01000007, 3, 2) + b"\x00" * 16


def tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        member = tarfile.TarInfo("brief.txt")
        member.size = 5
        archive.addfile(member, io.BytesIO(b"hallo"))
    return buffer.getvalue()


def constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


TEXT = b"Verslag van het overleg.\nDe casus is besproken en de vervolgstappen zijn gemaakt.\n"
CSV = b"name,role,organisation\nAlice,procesregisseur,ZVH\nBob,deelnemer,GGZ\n"
SEMICOLON_CSV = b"naam;rol;organisatie\nAlice;procesregisseur;ZVH\nBob;deelnemer;GGZ\n"
EMAIL = (
    b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Overleg\r\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMessage-ID: <1@example.org>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHoi Bob,\r\n"
)
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">'
    b"<script>alert(document.cookie)</script></svg>\n"
)


@pytest.mark.parametrize(
    ("build", "file_name", "expected"),
    [
        pytest.param(minimal_pdf, "verslag.pdf", "application/pdf", id="pdf"),
        pytest.param(png, "foto.png", "image/png", id="png"),
        pytest.param(jpeg_header, "foto.jpg", "image/jpeg", id="jpeg"),
        pytest.param(gif, "foto.gif", "image/gif", id="gif"),
        pytest.param(tiff_header, "scan.tiff", "image/tiff", id="tiff"),
        pytest.param(webp_header, "foto.webp", "image/webp", id="webp"),
        pytest.param(lambda: ooxml("docx"), "plan.docx", DOCX, id="docx"),
        pytest.param(lambda: ooxml("xlsx"), "overzicht.xlsx", XLSX, id="xlsx"),
        pytest.param(lambda: ooxml("pptx"), "overleg.pptx", PPTX, id="pptx"),
        pytest.param(
            lambda: odf("text"), "plan.odt", "application/vnd.oasis.opendocument.text", id="odt"
        ),
        pytest.param(
            lambda: odf("spreadsheet"),
            "overzicht.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            id="ods",
        ),
        pytest.param(
            lambda: odf("presentation"),
            "overleg.odp",
            "application/vnd.oasis.opendocument.presentation",
            id="odp",
        ),
        pytest.param(constant(TEXT), "notities.txt", "text/plain", id="text"),
        pytest.param(constant(CSV), "export.csv", "text/csv", id="comma-csv"),
        pytest.param(constant(EMAIL), "melding.eml", "message/rfc822", id="email"),
    ],
)
def test_accepted_samples_pass_sniffing_and_policy(
    build: Callable[[], bytes], file_name: str, expected: str
) -> None:
    sniffed = sniff_media_type(build())
    assert sniffed == expected
    assert check_media_type(sniffed=sniffed, declared=expected, file_name=file_name) == expected


def test_semicolon_csv_sniffs_as_plain_text_and_is_recorded_as_csv() -> None:
    sniffed = sniff_media_type(SEMICOLON_CSV)
    assert sniffed == "text/plain"
    recorded = check_media_type(sniffed=sniffed, declared="text/csv", file_name="export.csv")
    assert recorded == "text/csv"


def test_prose_with_enough_commas_sniffs_as_csv_and_is_recorded_as_text() -> None:
    prose = b"Dear Bob, thanks, Alice\nWe agreed, to meet, again\nCharlie, Dana, will attend\n"
    sniffed = sniff_media_type(prose)
    assert sniffed == "text/csv"
    recorded = check_media_type(sniffed=sniffed, declared="text/plain", file_name="brief.txt")
    assert recorded == "text/plain"


@pytest.mark.parametrize(
    ("build", "declared", "file_name", "expected"),
    [
        pytest.param(
            elf_head,
            "application/octet-stream",
            "ls",
            # /bin/ls is position-independent; in its first 8 KiB libmagic cannot see the
            # PIE flag, so it says shared library. Any of the three is refused.
            {"application/x-sharedlib", "application/x-pie-executable", "application/x-executable"},
            id="elf-executable",
        ),
        pytest.param(
            pe_executable,
            "application/x-msdownload",
            "setup.exe",
            {"application/vnd.microsoft.portable-executable"},
            id="windows-pe-executable",
        ),
        pytest.param(
            dos_stub, "application/x-msdownload", "setup.exe", {"application/x-dosexec"}, id="mz"
        ),
        pytest.param(
            mach_o, "application/x-mach-binary", "app", {"application/x-mach-binary"}, id="mach-o"
        ),
        pytest.param(
            constant(b'#!/bin/sh\nrm -rf "$HOME"\n'),
            "text/plain",
            "notities.txt",
            {"text/x-shellscript"},
            id="shell-script-named-txt",
        ),
        pytest.param(
            constant(b"#!/usr/bin/env python3\nimport os\nos.system('id')\n"),
            "text/plain",
            "notities.txt",
            {"text/x-script.python"},
            id="python-script-named-txt",
        ),
        pytest.param(constant(HTML), "text/html", "pagina.html", {"text/html"}, id="html-xss"),
        pytest.param(
            constant(HTML), "text/plain", "notities.txt", {"text/html"}, id="html-named-txt"
        ),
        pytest.param(constant(SVG), "image/svg+xml", "logo.svg", {"image/svg+xml"}, id="svg-xss"),
        pytest.param(constant(SVG), "image/png", "logo.png", {"image/svg+xml"}, id="svg-named-png"),
        pytest.param(
            lambda: _zip({"brief.txt": "hallo"}),
            "application/zip",
            "stukken.zip",
            {"application/zip"},
            id="zip",
        ),
        pytest.param(
            lambda: _zip({"brief.txt": "hallo"}),
            DOCX,
            "stukken.docx",
            {"application/zip"},
            id="zip-named-docx",
        ),
        pytest.param(
            lambda: gzip.compress(b"hallo"),
            "application/gzip",
            "a.gz",
            {"application/gzip"},
            id="gzip",
        ),
        pytest.param(tar, "application/x-tar", "a.tar", {"application/x-tar"}, id="tar"),
        pytest.param(
            lambda: bz2.compress(b"hallo" * 10),
            "application/x-bzip2",
            "a.bz2",
            {"application/x-bzip2"},
            id="bzip2",
        ),
        pytest.param(
            lambda: lzma.compress(b"hallo"),
            "application/x-xz",
            "a.xz",
            {"application/x-xz"},
            id="xz",
        ),
        pytest.param(constant(b""), "text/plain", "leeg.txt", {"application/x-empty"}, id="empty"),
    ],
)
def test_refused_samples_are_refused_whatever_they_claim(
    build: Callable[[], bytes], declared: str, file_name: str, expected: set[str]
) -> None:
    sniffed = sniff_media_type(build())
    assert sniffed in expected
    with pytest.raises(
        MediaTypeRefused, match=re.escape(f"files of type {sniffed} are not accepted")
    ):
        check_media_type(sniffed=sniffed, declared=declared, file_name=file_name)


@pytest.mark.parametrize(
    ("build", "declared", "file_name", "message"),
    [
        pytest.param(minimal_pdf, "application/pdf", "report.docx", "extension", id="pdf-as-docx"),
        pytest.param(
            minimal_pdf, "application/pdf", "factuur.pdf.exe", "extension", id="double-extension"
        ),
        pytest.param(png, "image/jpeg", "foto.jpg", "declared as image/jpeg", id="png-as-jpeg"),
        pytest.param(
            minimal_pdf, "application/octet-stream", "verslag.pdf", "did not declare", id="octet"
        ),
        pytest.param(minimal_pdf, None, "verslag.pdf", "did not declare", id="undeclared"),
    ],
)
def test_accepted_content_is_refused_when_name_or_declaration_disagree(
    build: Callable[[], bytes], declared: str | None, file_name: str, message: str
) -> None:
    with pytest.raises(MediaTypeRefused, match=message):
        check_media_type(sniffed=sniff_media_type(build()), declared=declared, file_name=file_name)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n", id="top"),
        pytest.param(
            b"<html>\n%PDF-1.4\n<script>alert(document.cookie)</script></html>\n", id="2nd"
        ),
    ],
)
def test_html_with_a_pdf_header_sniffs_as_pdf_so_magic_alone_is_no_defence(page: bytes) -> None:
    # The limit this test pins down is why downloads go out as attachments with nosniff:
    # the allow-list admits this page, and only the response headers keep it from running.
    sniffed = sniff_media_type(page)
    assert sniffed == "application/pdf"
    assert check_media_type(sniffed=sniffed, declared="application/pdf", file_name="x.pdf") == (
        "application/pdf"
    )


def test_an_xlsx_with_a_large_content_types_part_needs_the_full_8_kib() -> None:
    # 40 worksheet overrides stored uncompressed push the second member past 2 KiB;
    # libmagic only calls the package a spreadsheet once it can see that member.
    workbook = ooxml("xlsx", extra_overrides=40, stored=True)
    assert 2048 < len(workbook) <= SNIFF_BYTES
    assert sniff_media_type(workbook[:2048]) == "application/zip"
    assert sniff_media_type(workbook[:SNIFF_BYTES]) == XLSX


def test_ooxml_detection_depends_on_member_order_so_some_genuine_files_are_refused() -> None:
    # libmagic looks for word/, xl/ or ppt/ only in the first few members, by scanning for
    # the next local header: with three docProps parts ahead of word/document.xml even the
    # whole file is "application/zip" (with one part, it depends on the parts' sizes).
    # Such a document is refused; the uploader has to re-save it from Word or LibreOffice.
    reordered = _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": "<Relationships/>",
            "docProps/app.xml": "<x/>",
            "docProps/core.xml": "<x/>",
            "docProps/custom.xml": "<x/>",
            "word/document.xml": "<x/>",
        }
    )
    assert sniff_media_type(reordered) == "application/zip"


def test_only_the_first_8_kib_are_read() -> None:
    tail = b"\x7fELF" + b"\x00" * 100
    assert sniff_media_type(TEXT * 200 + tail) == sniff_media_type((TEXT * 200)[:SNIFF_BYTES])


def test_each_thread_sniffs_with_its_own_libmagic_cookie() -> None:
    samples = {"application/pdf": minimal_pdf(), "image/png": png(), "text/plain": TEXT * 90}
    failures: list[str] = []
    # Held, not just their ids, so that no cookie is freed and its id reused mid-test.
    cookies: list[object] = []
    all_started = threading.Barrier(len(samples) * 2)

    def sniff_repeatedly(expected: str, data: bytes) -> None:
        cookies.append(sniffing._per_thread.mime)
        all_started.wait(timeout=10)
        for _ in range(50):
            got = sniff_media_type(data)
            if got != expected:
                failures.append(f"{expected}: {got}")

    threads = [
        threading.Thread(target=sniff_repeatedly, args=item) for item in list(samples.items()) * 2
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({id(cookie) for cookie in cookies}) == len(threads)


class _BrokenMagic:
    def from_buffer(self, _buffer: bytes) -> str:
        raise magic.MagicException(b"could not find any valid magic files!")


def test_a_libmagic_failure_is_an_operator_error_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sniffing._per_thread, "mime", _BrokenMagic())
    with pytest.raises(SniffingFailed, match="could not find any valid magic files"):
        sniff_media_type(minimal_pdf())
