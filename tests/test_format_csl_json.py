"""CSL-JSON: what Zotero, Mendeley and citeproc write, read back; broken items next to good
ones; and files we write read back the same."""

from __future__ import annotations

import json

import pytest

from evidence.errors import InvalidRecord
from evidence.formats.citations import BrokenRecord, Citation, Record
from evidence.formats.csl_json import read_csl_json, write_csl_json
from tests.test_format_bibtex import (
    AWKWARD,
    AWKWARD_PIECES,
    expected,
    fixture_text,
    matches_expected,
    random_papers,
    same_fields,
)

ZOTERO = """[
  {
    "id": "http://zotero.org/users/local/AbC123/items/QWE7RTY8",
    "type": "article-journal",
    "abstract": "BACKGROUND: Synthetic.\\n\\nRESULTS: Synthetic results.",
    "container-title": "Journal of Synthetic Foot Research",
    "DOI": "10.5555/SYNTH.2019.01",
    "ISSN": "0000-0000",
    "issue": "3",
    "journalAbbreviation": "J Synth Foot Res",
    "language": "en",
    "note": "PMID: 90000101\\nPMCID: PMC90000101",
    "page": "1-10",
    "source": "PubMed",
    "title": "Calf stretching for <i>plantar</i> pain: a <span class=\\"nocase\\">pH</span> trial",
    "volume": "12",
    "author": [
      {"family": "Smith", "given": "John A."},
      {"family": "Müller", "given": "Hans"},
      {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
      {"literal": "Synthetic Trials Group"}
    ],
    "accessed": {"date-parts": [["2024", 1, 1]]},
    "issued": {"date-parts": [["2019", 3, 1]]}
  },
  {
    "id": "http://zotero.org/users/local/AbC123/items/ZXC9VBN0",
    "type": "chapter",
    "container-title": "Synthetic Handbook of Feet",
    "title": "Heel pain",
    "editor": [{"family": "García", "given": "Ana"}],
    "issued": {"date-parts": [["2020"]]},
    "URL": "https://doi.org/10.5555/synth.2020.02"
  }
]
"""

CITEPROC = """{"items": [
  {"id": "jones2018", "type": "article-journal", "title": "Orthoses",
   "author": [{"family": "Jones", "given": "A. B."}, {"family": "Doe", "given": "J"}],
   "container-title-short": "Synth Podiatry", "issued": {"raw": "2018-05"},
   "pmid": 90000103, "keyword": ["orthoses", "plantar fasciitis"]}
]}"""


def read(text: str) -> list[Record]:
    return list(read_csl_json(text, name="test.json"))


def good(item: dict) -> Citation:
    (record,) = read(json.dumps([item]))
    assert isinstance(record, Citation), record
    return record


# --- what exporters write ------------------------------------------------------------------


def test_a_zotero_export() -> None:
    article, chapter = read(ZOTERO)
    assert isinstance(article, Citation) and isinstance(chapter, Citation)
    assert (article.position, article.line) == (1, 2)
    assert article.label == "http://zotero.org/users/local/AbC123/items/QWE7RTY8"
    assert article.title == "Calf stretching for plantar pain: a pH trial"
    assert article.authors == (
        "Smith, John A.",
        "Müller, Hans",
        "van der Berg, Jan",
        "Synthetic Trials Group",
    )
    assert (article.journal, article.year) == ("Journal of Synthetic Foot Research", 2019)
    assert (article.doi, article.pmid, article.pmcid) == (
        "10.5555/synth.2019.01",
        "90000101",
        "PMC90000101",
    )
    assert article.abstract == "BACKGROUND: Synthetic.\n\nRESULTS: Synthetic results."
    assert (chapter.position, chapter.line) == (2, 26)
    assert chapter.authors == ("García, Ana",)  # the editor, when there is no author
    assert (chapter.journal, chapter.year) == ("Synthetic Handbook of Feet", 2020)
    assert chapter.doi == "10.5555/synth.2020.02"  # from a doi.org URL


def test_an_items_object_from_citeproc() -> None:
    (record,) = read(CITEPROC)
    assert isinstance(record, Citation)
    assert (record.position, record.line, record.label) == (1, None, "jones2018")
    assert record.authors == ("Jones AB", "Doe J")
    assert (record.journal, record.year, record.pmid) == ("Synth Podiatry", 2018, "90000103")
    assert record.keywords == ("orthoses", "plantar fasciitis")


def test_a_single_item() -> None:
    (record,) = read('\n\n{"id": "one", "title": "Alone", "DOI": "10.5555/one"}')
    assert isinstance(record, Citation)
    assert (record.line, record.label, record.doi) == (3, "one", "10.5555/one")


# --- fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "year"),
    [
        ({"date-parts": [[2019, 3, 1]]}, 2019),
        ({"date-parts": [["2019"]]}, 2019),
        ({"date-parts": [[2019], [2020]]}, 2019),  # a range: its start
        ({"raw": "2019-03-01"}, 2019),
        ({"literal": "Spring 2019"}, 2019),
        ({"edtf": "2019-03"}, 2019),
        ("2019-03-01", 2019),
        ({"date-parts": [[]]}, None),
        ({"season": "Spring"}, None),
        (None, None),
    ],
)
def test_dates(issued: object, year: int | None) -> None:
    assert good({"id": "x", "title": "t", "issued": issued}).year == year


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ([{"family": "Smith", "given": "John"}], ("Smith, John",)),
        (
            [{"family": "Smith", "given": "J. A."}, {"family": "Doe", "given": "JA"}],
            ("Smith JA", "Doe JA"),
        ),
        (
            [{"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}],
            ("van der Berg, Jan",),
        ),
        (
            [{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}],
            ("van Beethoven, Ludwig",),
        ),
        (
            [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}],
            ("King Jr., Martin Luther",),
        ),
        ([{"literal": "World Health Organization"}], ("World Health Organization",)),
        ([{"family": "Madonna"}, {"given": "Cher"}], ("Madonna", "Cher")),
        (["Smith, John", "PEDro Collaboration"], ("Smith, John", "PEDro Collaboration")),
        ([{}], ()),
    ],
)
def test_names(author: list, names: tuple[str, ...]) -> None:
    assert good({"id": "x", "title": "t", "author": author}).authors == names


def test_containers() -> None:
    assert good({"id": "x", "title": "t", "container-title": "J", "journalAbbreviation": "A"})
    assert good({"id": "x", "title": "t", "journalAbbreviation": "J Abbr"}).journal == "J Abbr"
    series = {"id": "x", "title": "t", "collection-title": "Series"}
    assert good({**series, "type": "book"}).journal == "Series"
    assert good({**series, "type": "article-journal"}).journal is None


def test_identifiers_in_any_case_as_numbers_or_in_the_note() -> None:
    upper = good({"id": "x", "title": "t", "DOI": "10.5555/A", "PMID": "90000201"})
    assert (upper.doi, upper.pmid) == ("10.5555/a", "90000201")
    lower = good({"id": "x", "title": "t", "doi": "10.5555/b", "pmcid": "PMC90000202"})
    assert (lower.doi, lower.pmcid) == ("10.5555/b", "PMC90000202")
    assert good({"id": "x", "title": "t", "PMID": 90000203}).pmid == "90000203"
    noted = good({"id": "x", "title": "t", "note": "Read me.\nPMID: 90000204\nDOI: 10.5555/c"})
    assert (noted.pmid, noted.doi) == ("90000204", "10.5555/c")
    key_wins = good({"id": "x", "title": "t", "PMID": "90000205", "note": "PMID: 90000999"})
    assert key_wins.pmid == "90000205"
    assert good({"id": "x", "title": "t", "URL": "https://example.org/1"}).doi is None


def test_keywords_types_and_markup() -> None:
    assert good({"id": "x", "title": "t", "keyword": "a, b"}).keywords == ("a", "b")
    assert good({"id": "x", "title": "t", "keyword": "a, b; c"}).keywords == ("a, b", "c")
    typed = good({"id": "x", "title": "t", "custom": {"publication-types": ["Review", "Letter"]}})
    assert typed.publication_types == ("Review", "Letter")
    marked = good({"id": "x", "title": "H<sub>2</sub>O at <b>5</b> <sup>o</sup>C, age <65"})
    assert marked.title == "H2O at 5 oC, age <65"


# --- broken items next to good ones ---------------------------------------------------------


def test_broken_items_do_not_hide_the_good_ones() -> None:
    items = [
        {"id": "first", "title": "First"},
        "not an item",
        {"id": "names", "title": "T", "author": "Smith, John"},
        {"id": "doi", "title": "T", "DOI": "11.5555/x"},
        {"id": 5, "type": "article-journal"},
        {"id": "title", "title": {"text": "T"}},
        {"id": "date", "title": "T", "issued": [2019]},
        {"id": "last", "title": "Last"},
    ]
    records = read(json.dumps(items, indent=1))
    assert [(type(r).__name__, r.position, r.label) for r in records] == [
        ("Citation", 1, "first"),
        ("BrokenRecord", 2, None),
        ("BrokenRecord", 3, "names"),
        ("BrokenRecord", 4, "doi"),
        ("BrokenRecord", 5, "5"),
        ("BrokenRecord", 6, "title"),
        ("BrokenRecord", 7, "date"),
        ("Citation", 8, "last"),
    ]
    assert [r.line for r in records] == [2, 6, 7, 12, 17, 21, 27, 34]
    problems = [r.problem for r in records if isinstance(r, BrokenRecord)]
    assert problems[0] == "not a CSL item: a string where an object belongs"
    assert problems[1] == "author: expected a list of names, got a string"
    assert "11.5555/x" in problems[2] and "DOI" in problems[2]
    assert problems[3] == "no DOI, PMID, PMCID or title"
    assert problems[4] == "title: expected text, got an object"
    assert problems[5] == "issued: expected a date object, got a list"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ('[\n  {"id": "a",\n   "title": "x",}\n]', "line 3", "not valid JSON: Expecting"),
        ("TY  - JOUR\nER  -\n", "line 1", "not valid JSON"),
        ('{"data": [1, 2]}', None, 'not CSL-JSON: an object with no "items" and no CSL fields'),
        ('[{"foo": 1}, {"bar": 2}]', None, "not CSL-JSON: no item has a CSL field"),
        ("[1, 2]", None, "not CSL-JSON: no item has a CSL field"),
        ('"text"', None, "not CSL-JSON: a string, not a list of items"),
        ("[]", None, "no CSL-JSON items (the list is empty)"),
        ('{"items": []}', None, "no CSL-JSON items"),
    ],
)
def test_files_that_are_not_csl_json(text: str, where: str | None, problem: str) -> None:
    with pytest.raises(InvalidRecord) as raised:
        read(text)
    assert (raised.value.location, raised.value.record) == ("test.json", where)
    assert raised.value.problem.startswith(problem)


# --- writing ---------------------------------------------------------------------------------


def test_what_is_written() -> None:
    text = "".join(write_csl_json(AWKWARD))
    assert "Müller" in text  # UTF-8, not \\u escapes
    items = json.loads(text)
    assert [item["id"] for item in items] == [
        "smith2019effect",
        "pedrocollaborationrd",
        "no",
        "pmid90000104",
        "garcia2022",
    ]
    first = items[0]
    assert first == {
        "id": "smith2019effect",
        "type": "article-journal",
        "title": "Effect of {MRI} on {{DNA}} repair in Parkinson's disease",
        "author": [
            {"family": "Smith", "given": "J. A."},
            {"family": "Müller", "given": "Hans"},
            {"family": "O'Brien", "given": "Mary-Kate"},
            {"family": "van der Berg", "given": "Jan"},
        ],
        "container-title": "Journal of Synthetic Foot Research",
        "issued": {"date-parts": [[2019]]},
        "DOI": "10.5555/synth_2019--01",
        "PMID": "90000101",
        "PMCID": "PMC90000101",
        "abstract": AWKWARD[0].abstract,
        "keyword": "heel pain, stretching",
        "custom": {"publication-types": ["Journal Article", "Randomized Controlled Trial"]},
    }
    assert items[1]["author"][0] == {"literal": "PEDro Collaboration"}
    assert items[1]["keyword"] == "Neoplasms, Experimental;"
    assert items[3] == {"id": "pmid90000104", "type": "article-journal", "PMID": "90000104"}
    assert items[4]["type"] == "book"


def test_chunks() -> None:
    chunks = list(write_csl_json(AWKWARD[:2]))
    assert len(chunks) == 3 and chunks[0].startswith("[\n  {") and chunks[-1] == "\n]\n"
    assert "".join(write_csl_json([])) == "[]\n"


@pytest.mark.parametrize("paper", AWKWARD[:4], ids=lambda c: f"paper{c.position}")
def test_one_paper_round_trips(paper: Citation) -> None:
    (back,) = read("".join(write_csl_json([paper])))
    same_fields(paper, back)


def test_a_file_of_papers_round_trips() -> None:
    papers = AWKWARD[:4] + AWKWARD[:4]
    back = read("".join(write_csl_json(papers)))
    assert [r.label for r in back] == [
        "smith2019effect",
        "pedrocollaborationrd",
        "no",
        "pmid90000104",
        "smith2019effecta",
        "pedrocollaborationrda",
        "noa",
        "pmid90000104a",
    ]
    for paper, record in zip(papers, back, strict=True):
        same_fields(paper, record)


def test_random_awkward_papers_round_trip() -> None:
    # "<" is left out: citeproc reads <i>, <b> ... in any text as markup
    pieces = [p for p in AWKWARD_PIECES if "<" not in p]
    papers = random_papers(300, seed=2025, pieces=pieces)
    back = read("".join(write_csl_json(papers)))
    for paper, record in zip(papers, back, strict=True):
        same_fields(paper, record)


def test_the_import_fixture() -> None:
    records = read_csl_json(fixture_text("zotero_csl.json"), name="zotero_csl.json")
    want = expected("zotero_csl.json")
    for record, wanted in zip(records, want, strict=True):
        matches_expected(record, wanted)
