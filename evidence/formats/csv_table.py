"""Bibliographies as CSV tables: Rayyan, Covidence, PubMed, Excel, and our own export.

There is no standard, so columns are found by header name, without regard to case, through
the aliases each tool uses (see :data:`_ALIASES`), and the delimiter (comma, semicolon as
European Excel writes, tab) is read off the header line. Lists share one cell, and tools join
them differently: ";" (Covidence, Scopus, Excel, us), " and " between "Family, Given" names
(Rayyan), ", " between "Family INITIALS" names (PubMed). Covidence's "Tags" column holds the
reviewers' own labels ("Included", "RCT"), not the paper's keywords, and is not read.

Quotes are parsed strictly: a quote left open makes the rows it swallowed one
:class:`BrokenRecord` naming their lines, where lenient parsing would glue them into one
plausible-looking cell.

:func:`write_csv` writes RFC 4180 CSV (CRLF, minimal quoting). Its list cells join items with
"; " and escape a ";" inside an item as "\\;" (and "\\" as "\\\\"), so an author whose name
holds a ";" survives. Spreadsheets run a cell that starts with =, +, -, @, tab or CR as a
formula: free-text cells (and the extra columns) that would start so get a leading "'",
which spreadsheets show as text, and :func:`read_csv` removes exactly one such "'" again, so
the round trip is exact. The table carries every :class:`Citation` field but the notices.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from evidence.errors import InvalidRecord
from evidence.formats.citations import (
    FIELDS,
    BrokenRecord,
    Citation,
    Record,
    citation,
    clean,
    literal_name,
    read_year,
)

CSV_COLUMNS: tuple[str, ...] = ("key", *FIELDS)

# header (case-folded, "_" read as a space, spaces collapsed) -> field
_ALIASES: dict[str, str] = {
    "key": "key",
    "label": "key",
    "citation key": "key",
    "covidence #": "key",
    "title": "title",
    "article title": "title",
    "document title": "title",
    "authors": "authors",
    "author": "authors",
    "author(s)": "authors",
    "journal": "journal",
    "journal title": "journal",
    "journal/book": "journal",
    "source title": "journal",
    "publication title": "journal",
    "secondary title": "journal",
    "year": "year",
    "published year": "year",
    "publication year": "year",
    "py": "year",
    "doi": "doi",
    "pmid": "pmid",
    "pubmed id": "pmid",
    "pubmedid": "pmid",
    "accession number": "accession",
    "pmcid": "pmcid",
    "pmc id": "pmcid",
    "abstract": "abstract",
    "abstract note": "abstract",
    "keywords": "keywords",
    "author keywords": "keywords",
    "publication types": "publication_types",
    "publication type": "publication_types",
    "extra": "extra",  # Zotero: "PMID: ..." / "PMCID: ..." lines
}
_IDENTIFYING = ("title", "doi", "pmid", "pmcid", "accession")
_DELIMITERS = (",", ";", "\t")
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"^'+[=+\-@\t\r]")
# Rayyan's Embase imports leak RIS lines into cells: "10.1038/x     LK  - https://..."
_LEAKED_RIS = re.compile(r"\s+[A-Z][A-Z0-9]  - .*$", re.DOTALL)
_INITIALS_NAME = re.compile(r"^(\S.*?) ((?:[A-Z]\.?){1,4})$")
_EXTRA_PMID = re.compile(r"^\s*PMID:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_EXTRA_PMCID = re.compile(r"^\s*PMCID:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_NEWLINES = re.compile(r"\r\n|\r")
_SEPARATOR_HINT = re.compile(r"^sep=(.)$")


class _Reader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def read_csv(text: str, *, name: str) -> Iterator[Record]:
    """One :class:`Citation` or :class:`BrokenRecord` per data row, in file order.

    ``position`` is the data row's number (blank rows are skipped), ``line`` the physical
    line it starts on (a quoted cell may span lines), ``label`` its key column. Raises
    :class:`InvalidRecord` at once when the header names no title and no identifier column.
    """
    text = _NEWLINES.sub("\n", text.removeprefix("\ufeff"))
    first_line = text.split("\n", 1)[0]
    hint = _SEPARATOR_HINT.match(first_line)
    source = io.StringIO(text, newline="")
    skipped = 0
    if hint:  # Excel's "sep=;" line names the delimiter and precedes the header
        delimiter = hint.group(1)
        next(source, None)
        skipped = 1
    else:
        delimiter = _delimiter(first_line)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    where = f"line {1 + skipped}"
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidRecord(name, where, f"unreadable CSV header: {exc}") from exc
    if not header or not any(cell.strip() for cell in header):
        raise InvalidRecord(name, where, "not a bibliography CSV: no header row")
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        found = _ALIASES.get(_normal(heading))
        if found and found not in columns:
            columns[found] = index
    if not any(f in columns for f in _IDENTIFYING):
        listed = ", ".join(h.strip() for h in header if h.strip())
        raise InvalidRecord(
            name, where, f"not a bibliography CSV: no title, DOI or PMID column (columns: {listed})"
        )
    return _rows(reader, columns, len(header), skipped)


def _normal(heading: str) -> str:
    return " ".join(heading.replace("_", " ").casefold().split())


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header most often, outside quotes; comma on a tie."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(_DELIMITERS, key=lambda d: (counts[d], d == ","))


def _rows(reader: _Reader, columns: dict[str, int], width: int, skipped: int) -> Iterator[Record]:
    position = 0
    while True:
        start = reader.line_num + 1 + skipped
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # strict mode: the rows swallowed by a quote that is never closed become one broken
            # record, where lenient parsing would glue them into one plausible-looking cell
            position += 1
            end = reader.line_num + skipped
            span = f"lines {start}-{end}" if end > start else f"line {start}"
            yield BrokenRecord(position, f"not valid CSV at {span}: {exc}", line=start)
            continue
        if not any(cell.strip() for cell in row):
            continue
        position += 1
        end = reader.line_num + skipped
        if len(row) > width and not any(cell.strip() for cell in row[width:]):
            row = row[:width]  # Excel's trailing empty cells
        if len(row) != width:
            span = f"lines {start}-{end}" if end > start else f"line {start}"
            yield BrokenRecord(
                position,
                f"the row at {span} has {len(row)} fields, the header has {width}",
                line=start,
                label=_cell(row, columns, "key"),
            )
            continue
        yield _citation(row, columns, position, start)


def _cell(row: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    if index is None or index >= len(row):
        return None
    value = row[index]
    if _UNGUARD.match(value):
        value = value[1:]
    return value if value.strip() else None


def _identifier(row: list[str], columns: dict[str, int], name: str) -> str | None:
    value = _cell(row, columns, name)
    return _LEAKED_RIS.sub("", value.strip()) if value else None


def _citation(row: list[str], columns: dict[str, int], position: int, line: int) -> Record:
    pmid = _identifier(row, columns, "pmid")
    pmcid = _identifier(row, columns, "pmcid")
    extra = _cell(row, columns, "extra") or ""
    # Covidence's "Accession Number" is not read as a PMID: it does not say which database
    # gave it (CINAHL's and Embase's are digits too), and a wrong PMID, once resolved, would
    # describe another paper
    if pmid is None and (found := _EXTRA_PMID.search(extra)):
        pmid = found.group(1)
    if pmcid is None and (found := _EXTRA_PMCID.search(extra)):
        pmcid = found.group(1)
    return citation(
        position=position,
        line=line,
        label=_cell(row, columns, "key"),
        doi=_identifier(row, columns, "doi"),
        pmid=pmid,
        pmcid=pmcid,
        title=_cell(row, columns, "title"),
        authors=_authors(_cell(row, columns, "authors")),
        journal=_cell(row, columns, "journal"),
        year=read_year(_cell(row, columns, "year")),
        abstract=_cell(row, columns, "abstract"),
        publication_types=_split(_cell(row, columns, "publication_types")),
        keywords=_split(_cell(row, columns, "keywords")),
    )


def _authors(cell: str | None) -> list[str | None]:
    if not cell:
        return []
    if ";" in cell:
        return [_author(name) for name in _split(cell)]
    rayyan = [part.strip() for part in cell.split(" and ")]
    if len(rayyan) > 1 and all("," in part for part in rayyan):
        return [_author(name) for name in rayyan]
    pubmed = [part.strip().rstrip(".") for part in cell.split(",")]
    if len(pubmed) > 1 and all(_INITIALS_NAME.match(part) for part in pubmed):
        return [_author(name) for name in pubmed]
    return [_author(cell)]


def _author(text: str) -> str | None:
    """'Smith, John' and 'Smith JA' as stored; 'Smith J.A.' (PubMed's CSV) as 'Smith JA'."""
    name = clean(text)
    if not name or "," in name:
        return literal_name(name)
    match = _INITIALS_NAME.match(name)
    return f"{match.group(1)} {match.group(2).replace('.', '')}" if match else name


def _split(cell: str | None) -> list[str]:
    """Items of a list cell: split at each ";" not escaped as "\\;", then unescaped."""
    if not cell:
        return []
    items, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following in (";", "\\"):
                current.append(following)
            else:
                current.append(char + following)
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _joined(items: Iterable[str]) -> str:
    return "; ".join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)


def _guarded(value: str) -> str:
    return "'" + value if _FORMULA.match(value) else value


def write_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Any table as RFC 4180 CSV, every cell guarded against formulas like the paper table."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_guarded("" if v is None else str(v)) for v in row])
    return buffer.getvalue()


def write_csv(
    rows: Iterable[tuple[Citation, Mapping[str, str]]], extra_columns: Sequence[str] = ()
) -> Iterator[str]:
    """The header, then one row per citation: :data:`CSV_COLUMNS` then ``extra_columns``.

    ``key`` is the citation's label; lists are joined with "; " (see the module docstring for
    the escaping and the formula guard). Each yielded string is one CRLF-terminated row.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def flushed() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow([*CSV_COLUMNS, *extra_columns])
    yield flushed()
    for item, extra in rows:
        free_text = [
            item.label or "",
            item.title or "",
            _joined(item.authors),
            item.journal or "",
            item.abstract or "",
            _joined(item.keywords),
            _joined(item.publication_types),
            *(extra.get(column, "") or "" for column in extra_columns),
        ]
        key, title, authors, journal, abstract, keywords, types, *extras = map(_guarded, free_text)
        writer.writerow(
            [
                key,
                item.doi or "",
                item.pmid or "",
                item.pmcid or "",
                title,
                authors,
                journal,
                "" if item.year is None else str(item.year),
                abstract,
                keywords,
                types,
                *extras,
            ]
        )
        yield flushed()
