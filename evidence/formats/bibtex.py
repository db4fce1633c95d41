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
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import cache

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    BlockMiddleware,
    NameParts,
    SeparateCoAuthors,
    SplitNameParts,
    default_parse_stack,
    default_unparse_stack,
)
from bibtexparser.middlewares.names import InvalidNameError
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    Preamble,
    String,
)
from pylatexenc import latexwalker, macrospec
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)

from evidence.domain.identifiers import IdKind, parse_identifier
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.citations import (
    BrokenRecord,
    Citation,
    Record,
    author_name,
    citation,
    clean,
    split_name,
)

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
# A macro (\% and the like are mere escapes) or math: the pieces pylatexenc must read
_MACRO_OR_MATH = re.compile(r"\\[^%&_#${}]|(?<!\\)\$")
_ESCAPED = re.compile(r"\\([%&_#${}])")
# TeX's ligatures, and the tie, which is a space (a real no-break space stays one)
_LIGATURES = (
    ("---", "—"),
    ("--", "–"),
    ("``", "“"),
    ("''", "”"),
    ("!`", "¡"),
    ("?`", "¿"),
    ("~", " "),
)
_OPENING = re.compile(r"(?<!\\)\{")
_CLOSING = re.compile(r"(?<!\\)\}")
_DOLLAR = re.compile(r"(?<!\\)\$")
_CONTROL_WORD_AT_END = re.compile(r"\\[A-Za-z]+$")
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


@cache
def _decoder() -> tuple[LatexNodes2Text, object]:
    text_context = get_default_latex_context_db()
    text_context.add_context_category(
        "evidence-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),  # not "<url>"
            MacroTextSpec("href", simplify_repl="%(2)s"),
            MacroTextSpec("mbox", simplify_repl="%s"),
            MacroTextSpec("noopsort", simplify_repl=""),  # BibTeX's sorting trick
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("textless", simplify_repl="<"),
            MacroTextSpec("textgreater", simplify_repl=">"),
            MacroTextSpec("textbar", simplify_repl="|"),
            MacroTextSpec("textbraceleft", simplify_repl="{"),
            MacroTextSpec("textbraceright", simplify_repl="}"),
            MacroTextSpec("textunderscore", simplify_repl="_"),
            MacroTextSpec("textquotedbl", simplify_repl='"'),
            MacroTextSpec("copyright", simplify_repl="©"),
            MacroTextSpec("S", simplify_repl="§"),
            MacroTextSpec("par", simplify_repl="\n\n"),
            MacroTextSpec("newline", simplify_repl="\n"),
        ],
        specials=[
            SpecialsTextSpec("&", "&"),  # an alignment tab in LaTeX, an ampersand in a title
            SpecialsTextSpec("~", " "),  # a tie is a space; a real no-break space stays one
        ],
    )
    parse_context = latexwalker.get_default_latex_context_db()
    parse_context.add_context_category(
        "evidence-bibtex", prepend=True, macros=[macrospec.std_macro("href", False, 2)]
    )
    to_text = LatexNodes2Text(
        latex_context=text_context,
        math_mode="text",
        keep_braced_groups=False,
        strict_latex_spaces=True,
    )
    return to_text, parse_context


def _literal_dollars(text: str) -> str:
    """``$`` escaped where it cannot be a math delimiter, by pandoc's rule: an opening ``$``
    is followed by a non-space, the next ``$`` closes it if it follows a non-space and is not
    followed by a digit. So ``$\\beta$`` is math and "costs $5 and $10" is money."""
    marks = [m.start() for m in re.finditer(r"(?<!\\)\$", text)]
    literal: list[int] = []
    i = 0
    while i < len(marks):
        start = marks[i]
        end = marks[i + 1] if i + 1 < len(marks) else None
        if (
            end is not None
            and not text[start + 1].isspace()
            and not text[end - 1].isspace()
            and not text[end + 1 : end + 2].isdigit()
        ):
            i += 2
        else:
            literal.append(start)
            i += 1
    for index in reversed(literal):
        text = text[:index] + "\\" + text[index:]
    return text


def _chunks(latex: str) -> Iterator[str]:
    """The text cut at its spaces, except inside braces, math or a macro's reach, so that
    each piece reads the same alone as in the whole."""
    words = re.split(r"(\s+)", latex)
    current = words[0]
    for space, word in zip(words[1::2], words[2::2], strict=True):
        still_open = ("{" in current or "$" in current or "\\" in current) and (
            len(_OPENING.findall(current)) > len(_CLOSING.findall(current))
            or len(_DOLLAR.findall(current)) % 2
            or _CONTROL_WORD_AT_END.search(current)
        )
        if still_open:
            current += space + word
        else:
            yield current
            yield space
            current = word
    yield current


def _decode(value: str | None) -> str | None:
    """The text a LaTeX field value shows.

    pylatexenc is slow (milliseconds for an abstract), so it only reads the pieces that hold
    a macro or math; {protected} words, escapes like ``\\%``, ligatures and ties are plain
    text with a few marks, read here. A file of thousands of entries reads in seconds."""
    if not value:
        return None
    latex = _literal_dollars(re.sub(r"(?<!\\)%", r"\\%", value))
    if not _MACRO_OR_MATH.search(latex):
        return _plain(latex)
    out, plain = [], []
    for chunk in _chunks(latex):
        if ("\\" in chunk or "$" in chunk) and _MACRO_OR_MATH.search(chunk):
            out += [_plain("".join(plain)), _latex_to_text(chunk)]
            plain = []
        else:
            plain.append(chunk)
    return "".join([*out, _plain("".join(plain))])


def _plain(latex: str) -> str:
    for ligature, char in _LIGATURES:
        latex = latex.replace(ligature, char)
    # braces only after the ligatures: our own writer breaks "--" as "-{}-"
    return _ESCAPED.sub(r"\1", _OPENING.sub("", _CLOSING.sub("", latex)))


def _latex_to_text(latex: str) -> str:
    to_text, parse_context = _decoder()
    try:
        walker = latexwalker.LatexWalker(latex, latex_context=parse_context, tolerant_parsing=True)
        return to_text.nodelist_to_text(walker.get_latex_nodes()[0])
    except Exception:  # pylatexenc is tolerant, but a macro it half-knows can still trip it
        return latex.replace("{", "").replace("}", "")


def _verbatim(value: str | None) -> str | None:
    """A DOI, URL or note as written: ``\\url{}`` unwrapped, ``\\_`` and friends unescaped,
    protective braces dropped, and nothing else touched."""
    if not value:
        return None
    value = value.strip()
    wrapped = re.fullmatch(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\s*\{.*\})?", value, re.DOTALL)
    if wrapped:
        value = wrapped.group(1)
    value = re.sub(r"(?<!\\)[{}]", "", value)
    return re.sub(r"\\([_%&#$~{}])", r"\1", value) or None


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
        family = " ".join(_decode(p) or "" for p in (*parts.von, *parts.last, *parts.jr))
        given = " ".join(_decode(p) or "" for p in parts.first)
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
        return clean(_decode(raw(key)))

    ids: dict[IdKind, str | None] = {
        IdKind.doi: _verbatim(raw("doi")),
        IdKind.pmid: _verbatim(raw("pmid")),
        IdKind.pmcid: _verbatim(raw("pmcid")),
    }
    eprint_kind = _EPRINT_TYPES.get((raw("eprinttype") or "").strip().lower())
    if eprint_kind and not ids[eprint_kind]:
        ids[eprint_kind] = _verbatim(raw("eprint"))
    for kind, value in identifiers_in_note(_verbatim(raw("note"))).items():
        ids[kind] = ids[kind] or value
    if not any(ids.values()):
        try:  # a doi.org, PubMed or PMC link names the paper; any other URL does not
            from_url = parse_identifier(_verbatim(raw("url")) or "")
            ids[from_url.kind] = from_url.value
        except InvalidIdentifier:
            pass

    title = text("title")
    subtitle = text("subtitle")
    if title and subtitle:
        title = f"{title}: {subtitle}"
    abstract = _decode(raw("abstract"))
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


# --- writing -------------------------------------------------------------------------------

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[!?](?=`))")
_STOP_WORDS = {"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"}


def _escape(text: str) -> str:
    out = "".join(_SPECIAL.get(char, char) for char in text)
    out = _LIGATURE.sub(r"\1{}", out)
    # a line starting with @ would look like the start of the next entry
    return re.sub(r"\n([ \t]*)@", r"\n\1{@}", out)


def _protected_title(title: str) -> str:
    words = []
    for word in _escape(title).split(" "):
        if any(char.isupper() for char in word):
            word = f"{{{{{word}}}}}" if word.startswith("\\") else f"{{{word}}}"
        words.append(word)
    return " ".join(words)


def _name_part(part: str) -> str:
    escaped = _escape(part)
    # A comma or a lone "and" would split the name (or the list of names) in two, and
    # bibtexparser loses a word made only of escapes (\%) before " and ": braces keep them.
    if "," in part or "\\" in escaped or re.search(r"\band\b", part, re.IGNORECASE):
        return f"{{{escaped}}}"
    return escaped


def _bibtex_name(name: str) -> str:
    family, given = split_name(name)
    if not given:
        return f"{{{_escape(family)}}}"  # one name: a collective author is not split
    return f"{_name_part(family)}, {_name_part(given)}"


def join_keywords(values: Iterable[str], *, semicolons: bool = False) -> str:
    """Keywords as :func:`split_keywords` reads them back: "a, b", or "a; b, c" when one of
    them holds a comma (a single one then ends in ";")."""
    values = list(values)
    commas = any("," in v for v in values)
    text = "; ".join(values) if semicolons or commas else ", ".join(values)
    return text + ";" if commas and ";" not in text else text


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def _generated_key(item: Citation) -> str:
    family = _ascii(split_name(item.authors[0])[0])[:24] if item.authors else ""
    words = [_ascii(w) for w in (item.title or "").split()]
    first = next((w for w in words if w and w not in _STOP_WORDS), "")
    key = f"{family}{item.year or ''}{first[:20]}"
    if key:
        return key
    return f"pmid{item.pmid}" if item.pmid else "ref"


def _label_key(label: str | None) -> str:
    folded = unicodedata.normalize("NFKD", label or "")
    return re.sub(r"[^A-Za-z0-9_:./+-]", "", folded)


def _suffixes() -> Iterator[str]:
    yield ""
    width = 1
    while True:
        for number in range(26**width):
            letters = ""
            for _ in range(width):
                number, digit = divmod(number, 26)
                letters = chr(ord("a") + digit) + letters
            yield letters
        width += 1


def citation_keys(citations: Iterable[Citation]) -> Iterator[tuple[str, Citation]]:
    """Each citation with a key unique in the file (case aside, suffixed a, b, ... aa):
    its label where it has one usable as a BibTeX key, else first author's family name +
    year + first title word that is not "the", "a", "of" ..., in lower-case ASCII."""
    used: set[str] = set()
    for item in citations:
        base = _label_key(item.label) or _generated_key(item)
        key = next(base + s for s in _suffixes() if (base + s).casefold() not in used)
        used.add(key.casefold())
        yield key, item


def _is_book(item: Citation) -> bool:
    return any(t.casefold() == "book" for t in item.publication_types)


def _fields(item: Citation) -> list[Field]:
    book = _is_book(item)
    values = [
        ("title", _protected_title(item.title) if item.title else None),
        ("author", " and ".join(_bibtex_name(a) for a in item.authors) or None),
        ("booktitle" if book else "journal", _escape(item.journal) if item.journal else None),
        ("year", str(item.year) if item.year is not None else None),
        ("doi", re.sub(r"([{}])", r"\\\1", item.doi) if item.doi else None),
        ("pmid", item.pmid),
        ("pmcid", item.pmcid),
        ("abstract", _escape(item.abstract) if item.abstract else None),
        ("keywords", _escape(join_keywords(item.keywords)) if item.keywords else None),
        (
            "pubtype",
            _escape(join_keywords(item.publication_types, semicolons=True))
            if item.publication_types
            else None,
        ),
    ]
    return [Field(key, value) for key, value in values if value]


def write_bibtex(citations: Iterable[Citation]) -> Iterator[str]:
    """Yield a BibTeX file, one entry per chunk; see the module docstring for the fields."""
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    for key, item in citation_keys(citations):
        entry = Entry("book" if _is_book(item) else "article", key, _fields(item))
        yield (
            bibtexparser.write_string(
                Library([entry]),
                unparse_stack=default_unparse_stack(allow_inplace_modification=True),
                bibtex_format=layout,
            )
            + "\n"
        )
