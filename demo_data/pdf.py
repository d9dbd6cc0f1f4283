"""A one-page PDF of plain text lines, written by hand (PDF 1.4, ISO 32000-1).

The runtime has no PDF library, and a letter needs little: one A4 page, the standard Helvetica
font (every reader has it, nothing is embedded) in WinAnsiEncoding so German umlauts and ß print,
lines wrapped at a fixed width. The output is deterministic (no creation date, no random file
id), so the same seed gives the same bytes.
"""

from __future__ import annotations

import textwrap
import unicodedata

__all__ = ["MAX_LINES", "text_pdf"]

_WIDTH_CHARS = 92
_FONT_SIZE = 10
_LEADING = 13
_TOP = 800
_LEFT = 56
MAX_LINES = 56


# Letters outside cp1252 that names carry, and the letter a German letterhead writes instead.
_LATIN = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "ø": "o"})


def _winansi(char: str) -> bytes:
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        # A letter with an accent cp1252 lacks (ş, ć, ğ) keeps its base letter.
        base = unicodedata.normalize("NFKD", char.translate(_LATIN))[:1]
        return base.encode("cp1252", errors="replace")


def _escape(line: str) -> bytes:
    """A PDF literal string body in WinAnsi: backslash and parentheses escaped; a letter outside
    cp1252 as its base letter, anything else as '?'."""
    raw = b"".join(_winansi(char) for char in line)
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines():
        out.extend(textwrap.wrap(paragraph, _WIDTH_CHARS) or [""])
    if len(out) > MAX_LINES:
        out = [*out[: MAX_LINES - 1], "[…]"]
    return out


def text_pdf(text: str, title: str) -> bytes:
    """A valid one-page PDF showing ``text`` (longer text is cut with a mark)."""
    stream = bytearray(b"BT\n/F1 %d Tf\n%d TL\n%d %d Td\n" % (_FONT_SIZE, _LEADING, _LEFT, _TOP))
    for line in _lines(text):
        stream += b"(" + _escape(line) + b") '\n"
    stream += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + bytes(stream) + b"endstream",
        b"<< /Title (" + _escape(title) + b") /Producer (MEDI:CUS demo data) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
