"""Which format a file is in, and its records, read the way that format wants.

The content decides, the extension only breaks a tie: a PubMed search saved as ``.txt`` is
still MEDLINE, and a ``.bib`` that holds RIS is still RIS. PubMed XML is streamed from the
file (gzip or not) so memory stays flat; the text formats are decoded whole first, since a
bibliography that fits a reference manager fits in memory.
"""

from __future__ import annotations

import codecs
import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from evidence.errors import InvalidRecord, InvalidValue
from evidence.formats import text_files
from evidence.formats.citations import BrokenRecord, Record
from evidence.formats.pubmed_xml import DeletedCitations, PubmedRecord, read_pubmed_xml

FORMATS = ("bibtex", "ris", "medline", "pubmed-xml", "csl-json", "csv")

_EXTENSIONS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".nbib": "medline",
    ".medline": "medline",
    ".xml": "pubmed-xml",
    ".gz": "pubmed-xml",
    ".json": "csl-json",
    ".csljson": "csl-json",
    ".csv": "csv",
    ".tsv": "csv",
}

_SIGNATURES = (
    ("ris", re.compile(r"^TY  - ", re.MULTILINE)),
    ("medline", re.compile(r"^PMID- ?\d", re.MULTILINE)),
    ("bibtex", re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)),
)


def _head(path: Path) -> bytes:
    with path.open("rb") as raw:
        head = raw.read(65536)
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as unpacked:
                return b"<" if unpacked.read(4096).lstrip().startswith(b"<") else b"gzip"
        except (OSError, EOFError):
            return b"<"  # a broken gzip stream: the XML reader says what is wrong with it
    return head


def detect_format(path: Path, encoding: str | None = None) -> str:
    """The format of the file at ``path``, from its content first and its name second."""
    name = str(path)
    head = _head(path)
    text_files.sniff(head, name, encoding)
    head, marked = text_files.unmark(head)
    text = head.decode(marked or encoding or "utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "pubmed-xml"
    if stripped.startswith(("[", "{")):
        return "csl-json"
    for fmt, signature in _SIGNATURES:
        if signature.search(text):
            return fmt
    suffix = path.suffix.lower()
    if suffix in _EXTENSIONS and _EXTENSIONS[suffix] in ("csv", "bibtex", "ris", "medline"):
        return _EXTENSIONS[suffix]
    first = stripped.split("\n", 1)[0]
    if any(sep in first for sep in (",", ";", "\t")):
        return "csv"
    raise InvalidRecord(
        name,
        None,
        "cannot tell its format from its content: give --format (" + " | ".join(FORMATS) + ")",
    )


@dataclass
class OpenedFile:
    """A file's records, with how far through the file the reading has come."""

    name: str
    format: str
    records: Iterator[Record | DeletedCitations]
    total: int  # in the units of done(): bytes for PubMed XML, lines for the rest
    done: Callable[[], int]


def _text_records(fmt: str, text: str, name: str) -> OpenedFile:
    reader = _reader(fmt)
    lines = text.count("\n") + 1
    state = {"line": 0}

    def records() -> Iterator[Record]:
        for record in reader(text, name=name):
            if record.line:
                state["line"] = record.line
            yield record
        state["line"] = lines

    return OpenedFile(name, fmt, records(), lines, lambda: state["line"])


def _xml_records(path: Path, name: str) -> OpenedFile:
    total = path.stat().st_size
    opened: list[IO[bytes]] = []  # the file is opened when reading starts, and closed after

    def records() -> Iterator[Record | DeletedCitations]:
        raw = path.open("rb")
        opened.append(raw)
        packed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        # a GzipFile is a binary stream; typeshed does not call it IO[bytes]
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")) if packed else raw
        position = 0
        try:
            for item in read_pubmed_xml(stream, name=name, lenient=True):
                position = item.position
                if isinstance(item, PubmedRecord):
                    record = item.to_citation()
                    if not (record.pmid or record.doi or record.pmcid or record.title):
                        yield BrokenRecord(position, "no DOI, PMID, PMCID or title")
                        continue
                    yield record
                else:
                    yield item
        except InvalidRecord as exc:
            if not position:
                raise  # nothing read: the file as a whole is not PubMed XML
            yield BrokenRecord(position + 1, exc.problem)
        except (OSError, EOFError) as exc:  # a gzip stream cut short or corrupt
            if not position:
                raise InvalidRecord(name, None, f"not a readable gzip file ({exc})") from exc
            yield BrokenRecord(position + 1, f"the compressed file ends early ({exc})")
        finally:
            stream.close()
            raw.close()

    def done() -> int:
        if not opened:
            return 0
        return total if opened[0].closed else opened[0].tell()

    return OpenedFile(name, "pubmed-xml", records(), total, done)


def open_records(path: str | Path, fmt: str = "auto", encoding: str | None = None) -> OpenedFile:
    """The records of the file at ``path`` (``fmt`` 'auto' detects it)."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InvalidRecord(name, None, "no such file" if not path.exists() else "not a file")
    if fmt not in ("auto", *FORMATS):
        raise InvalidValue("format", fmt, ["auto", *FORMATS])
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InvalidValue("encoding", encoding, "one Python knows, e.g. cp1252") from exc
    if path.stat().st_size == 0:
        raise InvalidRecord(name, None, "the file is empty")
    chosen = detect_format(path, encoding) if fmt == "auto" else fmt
    if chosen == "pubmed-xml":
        return _xml_records(path, name)
    return _text_records(chosen, text_files.read_text(path, encoding), name)


def _reader(fmt: str) -> Callable[..., Iterator[Record]]:
    # imported here: each reader pulls in its own parser library, and an import needs one
    if fmt == "bibtex":
        from evidence.formats.bibtex import read_bibtex

        return read_bibtex
    if fmt == "ris":
        from evidence.formats.ris import read_ris

        return read_ris
    if fmt == "medline":
        from evidence.formats.medline import read_medline

        return read_medline
    if fmt == "csl-json":
        from evidence.formats.csl_json import read_csl_json

        return read_csl_json
    from evidence.formats.csv_table import read_csv

    return read_csv
