"""LaTeX in bibliography fields, read as the text it shows (pylatexenc, where it is needed).

Exporters are not strict LaTeX writers, so a bare ``%`` is a percent sign (not a comment that
would swallow the rest of an abstract), a bare ``&`` is an ampersand, and ``$`` starts math
only where pandoc's rule says so (``$\\beta$`` is β, "costs $5 and $10" is money). DOIs, URLs
and notes are verbatim text where only backslash escapes are undone: a DOI may hold ``_``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from pylatexenc import latexwalker, macrospec
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)

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


def decode_latex(value: str | None) -> str | None:
    """The text a LaTeX field value shows.

    pylatexenc is slow (milliseconds for an abstract), so it only reads the pieces that hold
    a macro or math; {protected} words, escapes like ``\\%``, ligatures and ties are plain
    text with a few marks, read here. A file of thousands of entries reads in seconds."""
    if not value:
        return None
    latex = _literal_dollars(re.sub(r"(?<!\\)%", r"\\%", value))
    if not _MACRO_OR_MATH.search(latex):
        return _plain(latex)
    out: list[str] = []
    plain: list[str] = []
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


def verbatim(value: str | None) -> str | None:
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
