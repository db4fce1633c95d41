"""A source document's text, read from a file: plain text, Markdown or HTML.

Plain text and Markdown are kept as they are, character for character (a quote is shown
and found in what the curator read). HTML is reduced to the text a reader sees by
html-text (lxml underneath): scripts, styles and comments go, entities are decoded, block
elements become line breaks. Regular expressions cannot do that safely.

Refused, before anything is stored: a file that cannot be read, an empty one, a binary one
(a zero byte, or bytes that are not UTF-8), and one over ``MAX_BYTES``.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from evidence.errors import InvalidRecord
from evidence.formats.text_files import not_decodable

# A long guideline is 1-2 MB of text; a file ten times that is not one document's text
MAX_BYTES = 10 * 1024 * 1024


class TextFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"


_BY_SUFFIX = {
    ".txt": TextFormat.text,
    ".text": TextFormat.text,
    ".md": TextFormat.markdown,
    ".markdown": TextFormat.markdown,
    ".html": TextFormat.html,
    ".htm": TextFormat.html,
    ".xhtml": TextFormat.html,
}


@dataclass(frozen=True)
class DocumentText:
    text: str
    format: TextFormat

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


def format_of(path: Path, data: bytes) -> TextFormat:
    """By the file's suffix; a file with another one is HTML if it starts like HTML."""
    known = _BY_SUFFIX.get(path.suffix.lower())
    if known is not None:
        return known
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return TextFormat.html
    return TextFormat.text


def read_document(path: str | Path) -> DocumentText:
    """The file's text as it is stored with its source, or an error naming the file."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidRecord(
                name,
                None,
                f"{size / 1024 / 1024:.1f} MB is more than the {MAX_BYTES // 1024 // 1024} MB "
                "a source's text may be; store the part that asserts the claims",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRecord(name, None, f"cannot read it ({exc.strerror or exc})") from exc
    return document_text(data, name=name, kind=format_of(path, data))


def document_text(data: bytes, *, name: str, kind: TextFormat) -> DocumentText:
    if len(data) > MAX_BYTES:
        raise InvalidRecord(name, None, f"more than {MAX_BYTES // 1024 // 1024} MB of text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        raise InvalidRecord(
            name, None, "a binary file, not text (save the document as text, Markdown or HTML)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_decodable(data, exc, name, "UTF-8", "save the document as UTF-8") from exc
    if kind is TextFormat.html:
        text = _html_text(text)
    if not text.strip():
        raise InvalidRecord(name, None, "the file has no text")
    return DocumentText(text, kind)


def _html_text(html: str) -> str:
    import html_text  # lxml and its cleaner: imported only when HTML comes

    return str(html_text.extract_text(html, guess_layout=True))
