"""BibTeX and biblatex: what Zotero, JabRef and Better BibLaTeX write, read back; broken
entries next to good ones; and files we write read back the same."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from typing import Any

import bibtexparser
import pytest

from evidence.errors import InvalidRecord
from evidence.formats.bibtex import citation_keys, read_bibtex, write_bibtex
from evidence.formats.citations import (
    BrokenRecord,
    Citation,
    Record,
    author_name,
    citation,
    clean,
    family_name,
)
from evidence.formats.text_files import read_text

FIXTURES = Path(__file__).parent / "fixtures" / "imports"

ZOTERO = r"""
@article{smith_calf_2019,
	title = {Calf stretching for {Plantar} heel pain: a {\"U}ber--trial of {MRI}-guided care},
	volume = {12},
	issn = {0000-0000},
	url = {https://example.org/article/1},
	doi = {10.5555/synth_2019--01},
	abstract = {Background: 50\% of patients \& carers were enrolled.
Results: pain fell by 30\% ($p < 0.05$).},
	language = {en},
	number = {3},
	urldate = {2024-01-01},
	journal = {Journal of Synthetic Foot Research},
	author = {Smith, John A. and M{\"u}ller, Hans and van der Berg, Jan and {Trials Group}},
	month = mar,
	year = {2019},
	note = {PMID: 90000101
PMCID: PMC90000101},
	keywords = {heel pain, stretching},
	pages = {1--10},
	file = {Full Text:/tmp/smith.pdf:application/pdf},
}

@incollection{oneill_chapter_2020,
	address = {Synthetic City},
	title = {Heel pain in {O}'{Neill}'s clinic},
	booktitle = {Synthetic {Handbook} of {Feet}},
	publisher = {Synthetic Press},
	author = {O'Neill, Mary-Kate},
	year = {2020},
	note = {DOI: 10.5555/synth.2020.02},
}
"""

JABREF = r"""% Encoding: UTF-8

@Article{Jones2018,
  Author    = {Jones, A. B. and Doe, J.},
  Title     = {Orthoses for plantar fasciitis},
  Journal   = {Synthetic Podiatry},
  Year      = {2018},
  Pmid      = {90000103},
  Keywords  = {orthoses; plantar fasciitis},
  Pubtype   = {Journal Article, Randomized Controlled Trial, Research Support, Non-U.S. Gov't},
  Owner     = {tester},
  Timestamp = {2024.01.01},
}

@Comment{jabref-meta: databaseType:bibtex;}
"""

BIBLATEX = r"""
@string{jsfr = {Journal of Synthetic Foot Research}}

@article{lee2021,
  author = {Lee, Min-jun and Park, Ji-woo and others},
  title = {Night splints},
  subtitle = {A synthetic cohort},
  journaltitle = jsfr,
  date = {2021-03-01},
  eprint = {90000104},
  eprinttype = {pmid},
  doi = {https://doi.org/10.5555/SYNTH.2021.04},
}

@book{garcia2022,
  editor = {Garc{\'\i}a, Ana},
  title = {Feet},
  date = {2022},
  eprinttype = {pmc},
  eprint = {PMC90000105},
}
"""


def read(text: str) -> list[Record]:
    return list(read_bibtex(text, name="test.bib"))


def good(text: str) -> Citation:
    (record,) = read(text)
    assert isinstance(record, Citation), record
    return record


def entry(**fields: str) -> str:
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
    return "@article{key2020,\n" + body + "\n}\n"


# --- what exporters write ------------------------------------------------------------------


def test_a_zotero_export() -> None:
    smith, chapter = read(ZOTERO)
    assert isinstance(smith, Citation) and isinstance(chapter, Citation)
    assert (smith.position, smith.line, smith.label) == (1, 2, "smith_calf_2019")
    assert smith.title == "Calf stretching for Plantar heel pain: a Über–trial of MRI-guided care"
    assert smith.authors == (
        "Smith, John A.",
        "Müller, Hans",
        "van der Berg, Jan",
        "Trials Group",
    )
    assert (smith.journal, smith.year) == ("Journal of Synthetic Foot Research", 2019)
    assert (smith.doi, smith.pmid, smith.pmcid) == (
        "10.5555/synth_2019--01",
        "90000101",
        "PMC90000101",
    )
    assert smith.abstract == (
        "Background: 50% of patients & carers were enrolled.\nResults: pain fell by 30% (p < 0.05)."
    )
    assert smith.keywords == ("heel pain", "stretching")
    assert (chapter.position, chapter.line, chapter.label) == (2, 24, "oneill_chapter_2020")
    assert chapter.title == "Heel pain in O'Neill's clinic"
    assert chapter.journal == "Synthetic Handbook of Feet"  # a chapter's book
    assert chapter.authors == ("O'Neill, Mary-Kate",)
    assert chapter.doi == "10.5555/synth.2020.02"  # from Zotero's Extra, in note


def test_a_jabref_export() -> None:
    record = good(JABREF)
    assert (record.line, record.label) == (3, "Jones2018")
    assert record.authors == ("Jones AB", "Doe J")  # initials stored the PubMed way
    assert (record.title, record.journal, record.year) == (
        "Orthoses for plantar fasciitis",
        "Synthetic Podiatry",
        2018,
    )
    assert record.pmid == "90000103"
    assert record.keywords == ("orthoses", "plantar fasciitis")
    # JabRef joins PubMed's types with commas, and one of them holds a comma itself
    assert record.publication_types == (
        "Journal Article",
        "Randomized Controlled Trial",
        "Research Support, Non-U.S. Gov't",
    )


def test_a_biblatex_export() -> None:
    lee, garcia = read(BIBLATEX)
    assert isinstance(lee, Citation) and isinstance(garcia, Citation)
    assert (lee.position, garcia.position) == (1, 2)  # @string is no entry
    assert lee.title == "Night splints: A synthetic cohort"
    assert lee.authors == ("Lee, Min-jun", "Park, Ji-woo")  # "and others" dropped
    assert (lee.journal, lee.year) == ("Journal of Synthetic Foot Research", 2021)
    assert (lee.pmid, lee.doi) == ("90000104", "10.5555/synth.2021.04")
    assert garcia.authors == ("García, Ana",)  # the editor, when there is no author
    assert (garcia.year, garcia.pmcid, garcia.journal) == (2022, "PMC90000105", None)


# --- LaTeX where it is LaTeX, verbatim where it is not --------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"U}ber M{\"{u}}ller", "Über Müller"),
        (r"{{MRI}} in {Parkinson}'s disease", "MRI in Parkinson's disease"),
        (r"R\&D and R&D", "R&D and R&D"),
        ("50% of patients, 20% of carers", "50% of patients, 20% of carers"),
        (r"50\% of patients", "50% of patients"),
        ("pages 1--10, a---b", "pages 1–10, a—b"),
        (r"$\beta$-blockers and $\alpha$", "β-blockers and α"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("$5-$10 a day", "$5-$10 a day"),  # a closing $ is never followed by a digit
        (r"\c c and \v S, {\em in vivo} and {so \em on}", "ç and Š, in vivo and so on"),
        (r"\textit{Escherichia coli} in \emph{vivo}", "Escherichia coli in vivo"),
        ("Jan~van Dijk", "Jan van Dijk"),
        (r"\'{e}t\'e \c{c}a {\o} \ss{} \L{}\'od\'z", "été ça ø ß Łódź"),
        (r"\textless{}5 \textgreater{}6 \textasciicircum{} \textbackslash{}", "<5 >6 ^ \\"),
        (
            r"a \href{https://example.org}{link} and \url{https://example.org}",
            "a link and https://example.org",
        ),
        ("Ärzte und Öl", "Ärzte und Öl"),  # UTF-8 as it is
    ],
)
def test_latex_in_titles_is_decoded(latex: str, text: str) -> None:
    assert good(entry(title=latex, journal=latex)).title == text
    assert good(entry(title="t", journal=latex)).journal == text


@pytest.mark.parametrize(
    ("written", "doi"),
    [
        ("10.5555/a_b--c", "10.5555/a_b--c"),
        (r"10.5555/a\_b", "10.5555/a_b"),
        (r"10.5555/a{\_}b", "10.5555/a_b"),  # Mendeley
        ("https://doi.org/10.5555/ABC", "10.5555/abc"),
        (r"\url{https://doi.org/10.5555/x--y}", "10.5555/x--y"),
        ("doi:10.5555/x", "10.5555/x"),
    ],
)
def test_dois_are_not_latex(written: str, doi: str) -> None:
    assert good(entry(title="t", doi=written)).doi == doi


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Smith, John and Doe, Jane", ("Smith, John", "Doe, Jane")),
        ("John Smith and Jane Doe", ("Smith, John", "Doe, Jane")),
        ("van der Berg, Jan", ("van der Berg, Jan",)),
        ("Jan van der Berg", ("van der Berg, Jan",)),
        ("Smith, J. A. and Doe, J.A.", ("Smith JA", "Doe JA")),
        (r"M{\"u}ller, Hans and O'Brien, Mary", ("Müller, Hans", "O'Brien, Mary")),
        ("{World Health Organization}", ("World Health Organization",)),
        ("{Barnes and Noble} and Smith, J.", ("Barnes and Noble", "Smith J")),
        ("King, Jr., Martin Luther", ("King Jr., Martin Luther",)),
        ("Smith, John and others", ("Smith, John",)),
        ("de~la Cruz, Ana", ("de la Cruz, Ana",)),
    ],
)
def test_names(author: str, names: tuple[str, ...]) -> None:
    assert good(entry(title="t", author=author)).authors == names


def test_identifiers_from_every_place_exporters_put_them() -> None:
    assert good(entry(title="t", pmid="90000201", pmcid="PMC90000201")).pmcid == "PMC90000201"
    pubmed = good(entry(title="t", eprint="90000202", eprinttype="pubmed"))
    assert pubmed.pmid == "90000202"
    noted = good(entry(title="t", note="Some words.\nPMID: 90000203\nPMCID: PMC90000203"))
    assert (noted.pmid, noted.pmcid) == ("90000203", "PMC90000203")
    sentence = good(entry(title="t", note="See PMID: 90000207. Also DOI: 10.5555/n.1, here."))
    assert (sentence.pmid, sentence.doi) == ("90000207", "10.5555/n.1")
    field_wins = good(entry(title="t", pmid="90000204", note="PMID: 90000999"))
    assert field_wins.pmid == "90000204"
    linked = good(entry(title="t", url="https://pubmed.ncbi.nlm.nih.gov/90000205/"))
    assert linked.pmid == "90000205"
    assert good(entry(title="t", url="https://example.org/90000206")).pmid is None
    assert good(entry(title="t", eprint="2101.00001", eprinttype="arxiv")).pmid is None


def test_years_journals_keywords_and_types() -> None:
    assert good(entry(title="t", date="2019-03-01")).year == 2019
    assert good(entry(title="t", year="2019", date="2018")).year == 2019
    assert good(entry(title="t", year="in press")).year is None
    assert good(entry(title="t")).year is None
    both = good(entry(title="t", journal="J", journaltitle="JT", booktitle="B"))
    assert both.journal == "J"
    assert good(entry(title="t", keywords="a; b, c")).keywords == ("a", "b, c")
    assert good(entry(title="t", keywords="a, b ,c")).keywords == ("a", "b", "c")
    typed = good(entry(title="t", pubtype="Review; Clinical Trial, Phase III"))
    assert typed.publication_types == ("Review", "Clinical Trial, Phase III")
    phases = good(entry(title="t", pubtype="Clinical Trial, Phase III, Review"))
    assert phases.publication_types == ("Clinical Trial, Phase III", "Review")


def test_multi_paragraph_and_wrapped_abstracts() -> None:
    record = good(entry(title="t", abstract="First line\n    wrapped.\n\nSecond paragraph."))
    assert record.abstract == "First line\nwrapped.\n\nSecond paragraph."


def test_strings_concatenation_and_parenthesised_entries() -> None:
    text = '@string{proc = "Proceedings of "}\n@inproceedings(c1, title = "A" # " talk", ' + (
        "booktitle = proc # {Synthetic Feet}, year = 2020)\n"
    )
    record = good(text)
    assert (record.title, record.journal, record.year) == (
        "A talk",
        "Proceedings of Synthetic Feet",
        2020,
    )


# --- broken entries next to good ones -------------------------------------------------------

MIXED = """@article{first, title = {First}, year = {2001}}

@string{s = {x}}
@xdata{shared, journal = {J}}

@article{unclosed, title = {Unclosed {brace},
  year = {2002},
}

@comment{a comment is no entry}

@article{after, title = {After}, year = {2003}}
@article{after, title = {Again}}
@article{twice, title = {One}, Title = {Two}}
@article{baddoi, title = {T}, doi = {11.5555/x}}
@article{bare, year = {2004}}
@article{names, title = {T}, author = {Smith, John,}}
@article{, title = {No key}}
@article{title = {No key either}}
@article{last, title = {Last}}
"""


def test_broken_entries_do_not_hide_the_good_ones() -> None:
    records = read(MIXED)
    assert [(type(r).__name__, r.position, r.line, r.label) for r in records] == [
        ("Citation", 1, 1, "first"),
        ("BrokenRecord", 2, 6, "unclosed"),
        ("Citation", 3, 12, "after"),
        ("BrokenRecord", 4, 13, "after"),
        ("BrokenRecord", 5, 14, "twice"),
        ("BrokenRecord", 6, 15, "baddoi"),
        ("BrokenRecord", 7, 16, "bare"),
        ("BrokenRecord", 8, 17, "names"),
        ("BrokenRecord", 9, 18, None),
        ("BrokenRecord", 10, 19, None),
        ("Citation", 11, 20, "last"),
    ]
    assert [r.title for r in records if isinstance(r, Citation)] == ["First", "After", "Last"]
    problems = [r.problem for r in records if isinstance(r, BrokenRecord)]
    assert problems[0] == (
        "unbalanced braces: the entry does not close before line 10 (where a new @ block starts)"
    )
    assert problems[1] == "duplicate key 'after': the entry on line 12 has it too"
    assert problems[2] == "a field given twice (title): which value is meant?"
    assert "11.5555/x" in problems[3] and "DOI" in problems[3]
    assert problems[4] == "no DOI, PMID, PMCID or title"
    assert problems[5] == "cannot read the names: Trailing comma at end of name in 'Smith, John,'"
    assert problems[6] == "the entry has no key"
    assert problems[7].startswith("the entry has no key")


def test_an_entry_left_open_at_the_end_of_the_file() -> None:
    first, broken = read('@article{ok, title = {OK}}\n@article{open, title = {Open "quote}\n')
    assert isinstance(first, Citation) and first.title == "OK"
    assert isinstance(broken, BrokenRecord) and (broken.line, broken.label) == (2, "open")
    assert broken.problem == (
        "unbalanced braces or quotes: the entry does not close before the end of the file"
    )


def test_unbalanced_quotes_are_named() -> None:
    broken, after = read('@article{q, title = "Open}\n@article{after, title = {After}}\n')
    assert isinstance(broken, BrokenRecord) and isinstance(after, Citation)
    assert broken.problem.startswith("unbalanced quotes: the entry does not close before line 2")


def test_the_parser_log_stays_quiet_while_we_report_the_problem(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        read(MIXED)
        assert not [r for r in caplog.records if r.name.startswith("bibtexparser")]
        bibtexparser.parse_string("@article{open, title = {x}\n@article{b, title={y}}")
    assert [r for r in caplog.records if r.name == "bibtexparser.splitter"]  # others still hear it


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no BibTeX entries (an entry starts with @article{key, or @book{key, ...)"),
        ("Just some notes about papers.\n", "no BibTeX entries"),
        ('[{"title": "CSL-JSON"}]', "no BibTeX entries"),
        ("@string{a = {b}}\n@comment{c}\n", "no BibTeX entries (only @comment, @string blocks)"),
        ("@preamble{x}", "no BibTeX entries (only @preamble blocks)"),
    ],
)
def test_text_without_entries_is_refused(text: str, problem: str) -> None:
    with pytest.raises(InvalidRecord) as raised:
        read(text)
    assert raised.value.location == "test.bib" and raised.value.record is None
    assert raised.value.problem.startswith(problem)


# --- writing ---------------------------------------------------------------------------------

# Awkward papers: the round trip through a file must give each of them back unchanged.
AWKWARD = [
    Citation(
        1,
        title="Effect of {MRI} on {{DNA}} repair in Parkinson's disease",
        authors=("Smith JA", "Müller, Hans", "O'Brien, Mary-Kate", "van der Berg, Jan"),
        journal="Journal of Synthetic Foot Research",
        year=2019,
        doi="10.5555/synth_2019--01",
        pmid="90000101",
        pmcid="PMC90000101",
        abstract="BACKGROUND: 50% of patients & carers.\n\nRESULTS: costs $5 and $10; p < 0.05.",
        keywords=("heel pain", "stretching"),
        publication_types=("Journal Article", "Randomized Controlled Trial"),
    ),
    Citation(
        2,
        title="R&D #1: 100% of a_b ~ c^d \\ e -- f --- g ``quoted'' don''t ¡sí! ?` !`",
        authors=(
            "PEDro Collaboration",
            "Tobacco and Health Group",
            "King Jr, Martin Luther",
            "Smith, John, Jr.",
            "Jones and Sons, Bob",
        ),
        journal="Ärzte & Öl: {Acta} 50%",
        abstract="Line one\nline two with $\\beta$\n@home (a line starting with @)\n\nThird.",
        keywords=("Neoplasms, Experimental",),
        publication_types=("Research Support, Non-U.S. Gov't", "Clinical Trial, Phase III"),
    ),
    Citation(3, title="No year and no authors: αβγ 中文 – “quotes”"),
    Citation(4, pmid="90000104"),
    Citation(
        5,
        label="garcía 2022",
        title="A book",
        authors=("Aristotle",),
        journal="Synthetic Series",
        year=2022,
        publication_types=("Book",),
        keywords=("a; b",),
    ),
]
FIELDS = (
    "title",
    "authors",
    "journal",
    "year",
    "doi",
    "pmid",
    "pmcid",
    "abstract",
    "keywords",
    "publication_types",
)


def same_fields(written: Citation, read_back: Record) -> None:
    assert isinstance(read_back, Citation), read_back
    for field in FIELDS:
        assert getattr(read_back, field) == getattr(written, field), field


@pytest.mark.parametrize("paper", AWKWARD[:4], ids=lambda c: f"paper{c.position}")
def test_one_paper_round_trips(paper: Citation) -> None:
    (back,) = read("".join(write_bibtex([paper])))
    same_fields(paper, back)


def test_a_file_of_papers_round_trips() -> None:
    papers = AWKWARD[:4] + AWKWARD[:4]  # the same papers twice: keys must still be unique
    back = read("".join(write_bibtex(papers)))
    assert len(back) == len(papers)
    for paper, record in zip(papers, back, strict=True):
        same_fields(paper, record)


# Characters and pieces that mean something to BibTeX, LaTeX or the name splitter.
AWKWARD_PIECES = [
    *"abcXYZ019 ",
    *"\\{}%&#_$~^'\"`-!?@,;:<>()[]=/.*+|",
    *["ü", "中", "ß", "\u00a0", "--", "''", "``", "$x$", "\\textbf{", "@article{", " and "],
    *['{\\"u}', "\\\\", "{{", "}}"],
]


def random_papers(count: int, *, seed: int, pieces: list[str] = AWKWARD_PIECES) -> list[Citation]:
    """Papers made of awkward pieces at random, in the form every reader stores them."""
    rng = random.Random(seed)

    def text(n: int, *, ban: str = "", lines: bool = False) -> str:
        extra = ["\n", "\n\n", "\n@x{", "\n @y("] if lines else []
        return "".join(c for c in "".join(rng.choices(pieces + extra, k=n)) if c not in ban)

    papers = []
    while len(papers) < count:
        paper = citation(
            position=len(papers) + 1,
            title=text(12),
            authors=[
                author_name(text(4, ban=","), text(3, ban=",")),
                clean(text(5, ban=",")),
            ],
            journal=text(8),
            year=rng.choice([None, 1999, 2024]),
            # line ends are not kept: exporters wrap abstracts and indent the next line
            abstract="\n".join(line.strip(" \t") for line in text(30, lines=True).split("\n")),
            keywords=[text(4, ban=";"), text(3, ban=";")],  # a keyword may not hold ";"
            publication_types=[text(4, ban=";")],
        )
        if isinstance(paper, Citation):
            papers.append(paper)
    return papers


def test_random_awkward_papers_round_trip() -> None:
    papers = random_papers(300, seed=2024)
    back = read("".join(write_bibtex(papers)))
    for paper, record in zip(papers, back, strict=True):
        same_fields(paper, record)


def test_what_a_keyword_with_a_semicolon_cannot_carry() -> None:
    (back,) = read("".join(write_bibtex([AWKWARD[4]])))
    assert isinstance(back, Citation)
    assert back.keywords == ("a", "b")  # keywords are split at semicolons
    assert (back.title, back.authors, back.year) == ("A book", ("Aristotle",), 2022)


def test_the_file_is_plain_bibtex_any_parser_reads() -> None:
    text = "".join(write_bibtex(AWKWARD))
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert [e.entry_type for e in library.entries] == ["article"] * 4 + ["book"]
    first = library.entries[0].fields_dict
    assert first["title"].value == (
        r"{Effect} of {{\{MRI\}}} on {{\{\{DNA\}\}}} repair in {Parkinson's} disease"
    )
    assert first["author"].value == (
        "Smith, J. A. and Müller, Hans and O'Brien, Mary-Kate and van der Berg, Jan"
    )
    assert first["pubtype"].value == "Journal Article; Randomized Controlled Trial"
    second = library.entries[1].fields_dict
    assert second["author"].value == (
        "{PEDro Collaboration} and {Tobacco and Health Group} and King Jr, Martin Luther"
        " and Smith, {John, Jr.} and {Jones and Sons}, Bob"
    )
    assert second["journal"].value == r"Ärzte \& Öl: \{Acta\} 50\%"  # UTF-8 kept
    assert "\n{@}home" in second["abstract"].value
    assert library.entries[4].fields_dict["booktitle"].value == "Synthetic Series"


def test_one_entry_per_chunk() -> None:
    chunks = list(write_bibtex(AWKWARD))
    assert len(chunks) == len(AWKWARD)
    assert all(c.startswith("@") and c.endswith("}\n\n") for c in chunks)
    assert list(write_bibtex([])) == []


def test_keys() -> None:
    papers = [
        Citation(1, title="The effect of heat", authors=("Müller, Hans",), year=2019),
        Citation(2, title="The effect of cold", authors=("Müller H",), year=2019),
        Citation(3, label="Muller2019Effect", title="x"),
        Citation(4, label="smith, 2020 {x}", title="x"),
        Citation(5, title="Sólo", year=2020),
        Citation(6, pmid="90000106"),
        Citation(7, doi="10.5555/x"),
        Citation(8, title="A study", authors=("World Health Organization",)),
    ]
    assert [key for key, _ in citation_keys(papers)] == [
        "muller2019effect",
        "muller2019effecta",
        "Muller2019Effectb",  # keys differing only in case clash in BibTeX
        "smith2020x",
        "2020solo",
        "pmid90000106",
        "ref",
        "worldhealthorganizationstudy",
    ]
    many = [key for key, _ in citation_keys([Citation(i, title="Same") for i in range(30)])]
    assert many[:3] == ["same", "samea", "sameb"] and many[27:] == ["sameaa", "sameab", "sameac"]
    assert len(set(many)) == 30


# --- the fixture files of the import tests --------------------------------------------------


def fixture_text(name: str) -> str:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} is not there yet")
    return read_text(path)  # decoded as the import decodes it (jabref.bib has CRLF)


def expected(name: str) -> Any:
    return json.loads((FIXTURES / "EXPECTED.json").read_text(encoding="utf-8"))[name]


def matches_expected(record: Record, want: dict[str, Any]) -> None:
    """A record against its EXPECTED.json entry (the fields every reader must get right)."""
    assert isinstance(record, Citation), record
    first = family_name(record.authors[0]) if record.authors else None
    assert (record.position, record.doi, record.pmid, record.pmcid) == (
        want["position"],
        want["doi"],
        want["pmid"],
        want["pmcid"],
    )
    assert (record.title, first, record.year) == (
        want["title"],
        want["first_author_family"],
        want["year"],
    )
    # EXPECTED.json keeps a chapter's book title apart ("container_title", journal null);
    # Citation has one field for where a paper appeared, and a chapter's is its book
    assert record.journal == (want["journal"] or want.get("container_title"))
    assert list(record.keywords) == want["keywords"]
    if "authors" in want:
        assert list(record.authors) == want["authors"]
    if "key" in want:
        assert record.label == want["key"]


@pytest.mark.parametrize("name", ["zotero.bib", "jabref.bib"])
def test_the_import_fixtures(name: str) -> None:
    records = list(read_bibtex(fixture_text(name), name=name))
    want = expected(name)
    assert len(records) == len(want)
    for record, wanted in zip(records, want, strict=True):
        matches_expected(record, wanted)


def test_the_unbalanced_fixture() -> None:
    records = list(read_bibtex(fixture_text("unbalanced.bib"), name="unbalanced.bib"))
    want = expected("unbalanced.bib")
    broken = [r.position for r in records if isinstance(r, BrokenRecord)]
    assert broken == want["broken_positions"]
    assert [r.label for r in records if isinstance(r, Citation)] == want["good_keys"]
    assert records[1].label == "nilsen_plantar_2020" and records[1].line == 12
    assert records[1].problem.startswith(
        "unbalanced braces: the entry does not close before line 21"
    )


def test_the_empty_fixture() -> None:
    path = FIXTURES / "empty.bib"
    if not path.exists():
        pytest.skip(f"{path} is not there yet")
    assert expected("empty.bib")["file_error"] is True
    with pytest.raises(InvalidRecord, match="empty"):
        read_text(path)  # the import stops here, before any reader
    with pytest.raises(InvalidRecord, match="no BibTeX entries"):
        list(read_bibtex(path.read_text(encoding="utf-8"), name="empty.bib"))
