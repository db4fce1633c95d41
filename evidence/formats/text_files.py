"""Text files as the readers want them: decoded, one kind of line ending, or a clear error.

Exports come as UTF-8 (with or without a byte-order mark), UTF-16 from some Windows tools,
or a legacy code page from old EndNote versions. We never guess a code page: a file that is
not what it says gets an error naming the line and the byte, and ``encoding`` reads it as
the user says it is.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from evidence.errors import InvalidRecord

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff(data: bytes, name: str, encoding: str | None = None) -> None:
    """Refuse what is not text at all, before any reader tries to make sense of it."""
    if not data.strip():
        raise InvalidRecord(name, None, "the file is empty")
    wide = (
        data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or "16" in (encoding or "")
        or "32" in (encoding or "")
    )  # UTF-16 and UTF-32 text is full of zero bytes
    if not wide and b"\x00" in data[:8192]:
        raise InvalidRecord(name, None, "a binary file, not a bibliography or PubMed export")


def unmark(data: bytes) -> tuple[bytes, str | None]:
    """The bytes without their byte-order mark, and the encoding the mark names."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :], codec
    return data, None


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The file's text with a BOM removed and every line ending made ``\\n``."""
    sniff(data, name, encoding)
    data, marked = unmark(data)
    chosen = encoding or marked
    try:
        text = data.decode(chosen or "utf-8")
    except LookupError as exc:
        raise InvalidRecord(name, None, f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        raise not_decodable(
            data,
            exc,
            name,
            chosen or "UTF-8",
            "save the file as UTF-8 or give its encoding with --encoding (e.g. cp1252)",
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def not_decodable(
    data: bytes, exc: UnicodeDecodeError, name: str, encoding: str, advice: str
) -> InvalidRecord:
    """The error for bytes that are not text in ``encoding``: it names the line and byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    return InvalidRecord(
        name,
        None,
        f"line {line} is not {encoding} text "
        f"(byte 0x{data[exc.start]:02x} at offset {exc.start}); {advice}",
    )


def read_text(path: str | Path, encoding: str | None = None) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRecord(str(path), None, f"cannot read it ({exc.strerror or exc})") from exc
    return decode(data, str(path), encoding)
