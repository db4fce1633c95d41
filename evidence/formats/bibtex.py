"""BibTeX and biblatex files (Zotero, JabRef, Mendeley, Better BibTeX, hand-written), read and
written.

Reading. bibtexparser splits the file into blocks and keeps going past a broken one, so an
entry with unbalanced braces, a duplicate key or a field given twice becomes a
:class:`BrokenRecord` and the entries around it are still read. Field names are compared in
lower case (JabRef 2 wrote ``Author``). LaTeX is decoded with pylatexenc, field by field:
titles, journals, abstracts, keywords and names are LaTeX (``{\\"u}`` is ü, ``\\&`` is &,
``{MRI}`` is MRI, ``--`` is an en dash), while DOIs, URLs, PMIDs and notes are verbatim text
where only backslash escapes are undone: a DOI may hold ``_`` or ``--``. Exporters are not
strict LaTeX writers, so a bare ``%`` is a percent sign (not a comment that would swallow the
rest of an abstract), a bare ``&`` is an ampersand, and ``$`` starts math only where pandoc's
rule says so (``$\\beta$`` is β, "costs $5 and $10" is money).

Where things are found: the title (with a biblatex ``subtitle``); ``author`` split by BibTeX's
own rules (von and Jr parts stay with the family name: "van der Berg, Jan"; "and others" is
dropped; ``editor`` when there is no author, as BibTeX styles do); ``journal``, biblatex
``journaltitle`` or, for chapters and proceedings, ``booktitle``; ``year``, else biblatex
``date``; ``doi`` (bare or as a URL); ``pmid``, or ``eprint`` with ``eprinttype`` pubmed/pmid;
``pmcid``, or ``eprint`` with ``eprinttype`` pmc; ``DOI:``/``PMID:``/``PMCID:`` lines in
``note``, where Zotero puts its Extra field; a doi.org, PubMed or PMC ``url`` when nothing else
names the paper; ``abstract``; ``keywords`` (comma- or semicolon-separated); and the
publication types in ``pubtype``.

Writing. One ``@article`` per paper (``@book`` when a publication type says Book), UTF-8 kept
as it is: biber/biblatex, JabRef, Zotero and BibTeX with ``inputenc`` read it, and encoding
to LaTeX accents would be lossy for every script LaTeX has no macro for. LaTeX's special
characters are escaped, TeX ligatures (``--``, ``''``) are broken with ``{}`` so they read
back as typed, and every title word holding a capital is braced so that styles do not
lower-case "MRI" or "Parkinson". Publication types go in ``pubtype``, the field JabRef's
PubMed importer fills, separated by semicolons because PubMed's own types hold commas
("Research Support, Non-U.S. Gov't"); BibTeX styles and biber ignore the field. A BibTeX
file cannot carry retraction notices (only a "Retracted Publication" publication type).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    BlockMiddleware,
    NameParts,
    SeparateCoAuthors,
    SplitNameParts,
    default_parse_stack,
)
from bibtexparser.middlewares.names import InvalidNameError
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    Preamble,
    String,
)

from evidence.domain.identifiers import IdKind, parse_identifier
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.bibtex_writer import citation_keys, join_keywords, write_bibtex
from evidence.formats.citations import (
    BrokenRecord,
    Record,
    author_name,
    citation,
    clean,
)
from evidence.formats.latex_text import decode_latex, verbatim

__all__ = [
    "citation_keys",
    "identifiers_in_note",
    "join_keywords",
    "read_bibtex",
    "split_keywords",
    "write_bibtex",
]

# --- reading -------------------------------------------------------------------------------

_NAME_FIELDS = ("author", "editor")
# blocks that are no paper: biblatex's @xdata (shared fields) and @set (a group of entries)
_NOT_PAPERS = {"xdata", "set"}
_NOT_ENTRIES = re.compile(r"@\s*(?:string|preamble|comment|xdata|set)\b", re.IGNORECASE)
_RAW_KEY = re.compile(r"@\s*\w*\s*[{(]\s*([^\s,{}()=]+)\s*,")
# Zotero's Extra field ("PMID: 123" lines), written into note by Zotero and older exports
_NOTE_IDS = {
    IdKind.doi: re.compile(r"(?<![A-Za-z])DOI:\s*(10\.\S+?)[.,;]?(?=\s|$)", re.IGNORECASE),
    IdKind.pmid: re.compile(r"(?<![A-Za-z])PMID:\s*(\d+)\b", re.IGNORECASE),
    IdKind.pmcid: re.compile(r"(?<![A-Za-z])PMCID:\s*(PMC\d+)\b", re.IGNORECASE),
}
_NEW_BLOCK = "(where a new @ block starts)"
_EPRINT_TYPES = {
    "pubmed": IdKind.pmid,
    "pmid": IdKind.pmid,
    "pmc": IdKind.pmcid,
    "pmcid": IdKind.pmcid,
}
# The second halves of PubMed types that hold a comma, for a comma-separated ``pubtype``
# (JabRef's PubMed importer joins the types with ", ").
_TYPE_TAILS = {
    "american recovery and reinvestment act",
    "extramural",
    "intramural",
    "n.i.h.",
    "non-p.h.s.",
    "non-u.s. gov't",
    "p.h.s.",
    "phase i",
    "phase ii",
    "phase iii",
    "phase iv",
    "u.s. gov't",
    "veterinary",
}

# bibtexparser logs a warning for every block it gives up on; the caller hears of it as a
# BrokenRecord, so the log line (printed on stderr when logging is not configured) is noise.
_PARSING: ContextVar[bool] = ContextVar("evidence_bibtex_parsing", default=False)


class _WhileWeParse(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _PARSING.get()


logging.getLogger("bibtexparser.splitter").addFilter(_WhileWeParse())


class _LowerCaseFieldKeys(BlockMiddleware):
    """Field names in lower case; ``Title`` next to ``title`` is a field given twice.

    (bibtexparser's NormalizeFieldKeys would keep the last of the two without a word.)
    """

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True, allow_parallel_execution=True)

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        seen: set[str] = set()
        twice: set[str] = set()
        for field in entry.fields:
            key = field.key.lower()
            if key in seen:
                twice.add(key)
            seen.add(key)
            field.key = key
        return DuplicateFieldKeyBlock(twice, entry) if twice else entry


def _parse(text: str) -> Library:
    stack = [
        *default_parse_stack(),  # @string references resolved, then the outer braces removed
        _LowerCaseFieldKeys(),
        SeparateCoAuthors(name_fields=_NAME_FIELDS),
        SplitNameParts(name_fields=_NAME_FIELDS),
    ]
    token = _PARSING.set(True)
    try:
        return bibtexparser.parse_string(text, parse_stack=stack)
    finally:
        _PARSING.reset(token)


def identifiers_in_note(note: str | None) -> dict[IdKind, str]:
    """The identifiers in ``PMID: …``, ``PMCID: …`` and ``DOI: …`` lines of a free-text note,
    where Zotero's Extra field puts them (BibTeX ``note``, CSL-JSON ``note``)."""
    found = {kind: pattern.search(note or "") for kind, pattern in _NOTE_IDS.items()}
    return {kind: match.group(1) for kind, match in found.items() if match}


def split_keywords(text: str | None) -> list[str]:
    """Keywords separated by semicolons if there is one, else by commas."""
    if not text:
        return []
    return text.split(";") if ";" in text else text.split(",")


def _split_types(text: str | None) -> list[str]:
    if not text or ";" in text:
        return split_keywords(text)
    types: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if types and part.casefold() in _TYPE_TAILS:
            types[-1] = f"{types[-1]}, {part}"
        else:
            types.append(part)
    return types


def _concatenated(value: str, strings: dict[str, str]) -> str:
    """``"Proc. " # conf`` as BibTeX reads it (bibtexparser leaves it unresolved)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    out = []
    for part in (p.strip() for p in parts):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        else:
            out.append(strings.get(part.lower(), part))
    return "".join(out)


def _names(value: object) -> list[str]:
    names = []
    for parts in value if isinstance(value, list) else ():
        if not isinstance(parts, NameParts):
            continue
        if parts.last == ["others"] and not (parts.first or parts.von or parts.jr):
            continue  # "and others": BibTeX's "et al."
        family = " ".join(decode_latex(p) or "" for p in (*parts.von, *parts.last, *parts.jr))
        given = " ".join(decode_latex(p) or "" for p in parts.first)
        name = author_name(family, given)
        if name:
            names.append(name)
    return names


def _citation(entry: Entry, position: int, strings: dict[str, str]) -> Record:
    fields = {field.key: field for field in entry.fields}

    def raw(key: str) -> str | None:
        field = fields.get(key)
        if field is None or not isinstance(field.value, str):
            return None
        value = field.value
        if field.enclosing == "no-enclosing" and "#" in value:
            value = _concatenated(value, strings)
        return value.strip() or None

    def text(key: str) -> str | None:
        return clean(decode_latex(raw(key)))

    ids: dict[IdKind, str | None] = {
        IdKind.doi: verbatim(raw("doi")),
        IdKind.pmid: verbatim(raw("pmid")),
        IdKind.pmcid: verbatim(raw("pmcid")),
    }
    eprint_kind = _EPRINT_TYPES.get((raw("eprinttype") or "").strip().lower())
    if eprint_kind and not ids[eprint_kind]:
        ids[eprint_kind] = verbatim(raw("eprint"))
    for kind, value in identifiers_in_note(verbatim(raw("note"))).items():
        ids[kind] = ids[kind] or value
    if not any(ids.values()):
        try:  # a doi.org, PubMed or PMC link names the paper; any other URL does not
            from_url = parse_identifier(verbatim(raw("url")) or "")
            ids[from_url.kind] = from_url.value
        except InvalidIdentifier:
            pass

    title = text("title")
    subtitle = text("subtitle")
    if title and subtitle:
        title = f"{title}: {subtitle}"
    abstract = decode_latex(raw("abstract"))
    if abstract:  # exporters wrap long abstracts; paragraphs (blank lines) are kept
        abstract = "\n".join(line.strip(" \t") for line in abstract.split("\n"))
    return citation(
        position=position,
        line=entry.start_line + 1 if entry.start_line is not None else None,
        label=entry.key,
        doi=ids[IdKind.doi],
        pmid=ids[IdKind.pmid],
        pmcid=ids[IdKind.pmcid],
        title=title,
        authors=_names(fields["author"].value if "author" in fields else None)
        or _names(fields["editor"].value if "editor" in fields else None),
        journal=text("journal") or text("journaltitle") or text("booktitle"),
        year=raw("year") or raw("date"),
        abstract=abstract,
        publication_types=_split_types(text("pubtype")),
        keywords=split_keywords(text("keywords")),
    )


def _is_entry(block: Block) -> bool:
    if isinstance(block, Entry):
        return block.entry_type not in _NOT_PAPERS
    if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, MiddlewareErrorBlock)):
        return isinstance(block.ignore_error_block, Entry)
    if isinstance(block, ParsingFailedBlock):  # a broken @string or @comment is no paper
        return not _NOT_ENTRIES.match((block.raw or "").lstrip())
    return False


def _label(block: Block) -> str | None:
    inner = getattr(block, "ignore_error_block", None) or block
    if isinstance(inner, Entry):
        return inner.key or None
    found = _RAW_KEY.match((block.raw or "").lstrip())
    return found.group(1) if found else None


def _problem(block: ParsingFailedBlock, next_line: int | None) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        if not block.key:
            return "the entry has no key"
        earlier = block.previous_block.start_line
        where = f"line {earlier + 1}" if earlier is not None else "an earlier entry"
        return f"duplicate key {block.key!r}: the entry on {where} has it too"
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ", ".join(sorted(block.duplicate_keys))
        return f"a field given twice ({names}): which value is meant?"
    if isinstance(block, MiddlewareErrorBlock):
        error = block.error
        if isinstance(error, InvalidNameError):
            return f"cannot read the names: {error.reason} in {error.name!r}"
        return f"cannot read the entry: {error}"
    error = block.error
    reason = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    if reason.startswith("Unexpected block start"):
        kind = "quotes" if '`"`' in reason else "braces"
        where = f"line {next_line}" if next_line else "the next block"
        return f"unbalanced {kind}: the entry does not close before {where} {_NEW_BLOCK}"
    if reason.startswith("Unexpectedly reached end of file"):
        return "unbalanced braces or quotes: the entry does not close before the end of the file"
    if reason.startswith("Expected comma after entry key"):
        return "the entry has no key (an entry starts @type{key, ...)"
    return f"not valid BibTeX: {reason.strip()}"


def _nothing_found(library: Library) -> str:
    kinds = {String: "@string", Preamble: "@preamble", ExplicitComment: "@comment"}
    found = sorted({kinds[type(b)] for b in library.blocks if type(b) in kinds})
    if found:
        return f"no BibTeX entries (only {', '.join(found)} blocks)"
    return "no BibTeX entries (an entry starts with @article{key, or @book{key, ...)"


def read_bibtex(text: str, *, name: str) -> Iterator[Record]:
    """Yield one record per BibTeX entry, in file order.

    A broken entry is a :class:`BrokenRecord` naming its line and key; the entries before and
    after it are still read. ``@string``, ``@preamble``, ``@comment`` and biblatex's
    ``@xdata`` and ``@set`` blocks are not records, nor counted in the positions. Raises
    :class:`InvalidRecord` if the text holds no entry at all.
    """
    library = _parse(text)
    blocks = library.blocks
    if not any(_is_entry(b) for b in blocks):
        raise InvalidRecord(name, None, _nothing_found(library))
    strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
    position = 0
    for index, block in enumerate(blocks):
        if not _is_entry(block):
            continue
        position += 1
        line = block.start_line + 1 if block.start_line is not None else None
        if isinstance(block, Entry) and block.key:
            yield _citation(block, position, strings)
        elif isinstance(block, Entry):
            yield BrokenRecord(position, "the entry has no key", line=line)
        else:
            assert isinstance(block, ParsingFailedBlock)
            after = (b.start_line for b in blocks[index + 1 :] if b.start_line is not None)
            following = next(after, None)
            next_line = following + 1 if following is not None else None
            problem = _problem(block, next_line)
            yield BrokenRecord(position, problem, line=line, label=_label(block))
