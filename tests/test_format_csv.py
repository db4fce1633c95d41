"""CSV: Rayyan, Covidence, PubMed and Excel tables read by their headers; broken rows next to
good ones; and the tables we write read back the same, formula guard included."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from evidence.errors import InvalidRecord
from evidence.formats.citations import FIELDS, BrokenRecord, Citation, Record
from evidence.formats.csv_table import CSV_COLUMNS, read_csv, write_csv
from evidence.formats.text_files import read_text
from tests.support.expected_records import summary, wanted

# Rayyan's export: lower-case headers, authors joined with " and ", keywords with ";",
# pubmed_id / pmc_id, reviewer decisions in notes, and (for Embase imports) RIS lines leaked
# into the url and doi cells.
RAYYAN = """\
key,title,year,month,day,journal,issn,volume,issue,pages,authors,url,language,publisher,\
location,abstract,notes,doi,keywords,pubmed_id,pmc_id
rayyan-90000301,Calf stretching for plantar heel pain,2019,,,J Synth Foot Res,0000-0000,12,3,1-10,\
"Smith, J.A. and Müller, Hans and van der Berg, J.",https://example.org/1     U2  - L0000000001,\
English,,,"Background: common.
Methods: randomised.","RAYYAN-INCLUSION: {""Ana""=>""Included""}",\
10.5555/SYNTH.2019.001     LK  - https://example.org/link,stretching;heel pain,90000301,\
PMC90000301
rayyan-90000302,"Orthoses, insoles and ""sham"" devices",2018,,,Synth Podiatry,,,,,\
"Jones, A.",,,,,,"",,,90000302,
"""

# Covidence's "Export references" CSV: title-case headers, authors joined with "; ",
# the PubMed accession number, the Covidence number, reviewers' tags.
COVIDENCE = """\
Title,Authors,Abstract,Published Year,Published Month,Journal,Volume,Issue,Pages,\
Accession Number,DOI,Ref,Covidence #,Study,Notes,Tags
Calf stretching for plantar heel pain,"Smith, J. A.; Müller, H.; PEDro Collaboration",\
Heel pain is common.,2019,,Journal of Synthetic Foot Research,12,3,1-10,90000303,\
10.5555/synth.2019.001,,#1,Smith 2019,"",RCT; Included
Orthoses for plantar fasciitis,"Jones, A.",,2018,,Synthetic Podiatry,,,,L2030246463,,,#2,\
Jones 2018,"",""
"""

# PubMed's "Save: CSV": authors as "Family INITIALS" joined with ", ", ending in a period.
PUBMED = """\
PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,\
NIHMS ID,DOI
"90000304","Time lapse","Griffin DK, O'Connor RE, Pérez-de la Fuente R.","Synth. 2020.",\
"Griffin DK","Eur J Synth","2020","2019/03/30","PMC90000304","","10.5555/synth.2020.1"
"90000305","A single author","Brownstein CD.","Synth. 2024.","Brownstein CD","BMC Synth",\
"2024","2024/01/01","","",""
"""


def read(text: str) -> list[Record]:
    return list(read_csv(text, name="test.csv"))


def citations(text: str) -> list[Citation]:
    records = read(text)
    assert all(isinstance(r, Citation) for r in records), records
    return records  # type: ignore[return-value]


def test_rayyan_export() -> None:
    first, second = citations(RAYYAN)
    assert (first.position, first.line, first.label) == (1, 2, "rayyan-90000301")
    assert first.title == "Calf stretching for plantar heel pain"
    assert first.authors == ("Smith JA", "Müller, Hans", "van der Berg J")
    assert first.journal == "J Synth Foot Res"
    assert first.year == 2019
    assert first.doi == "10.5555/synth.2019.001"  # the leaked "LK  - ..." cut off
    assert (first.pmid, first.pmcid) == ("90000301", "PMC90000301")
    assert first.abstract == "Background: common.\nMethods: randomised."
    assert first.keywords == ("stretching", "heel pain")
    assert (second.position, second.line) == (2, 4)  # the abstract above spans two lines
    assert second.title == 'Orthoses, insoles and "sham" devices'
    assert second.authors == ("Jones A",)
    assert (second.pmid, second.pmcid, second.doi) == ("90000302", None, None)


def test_covidence_export() -> None:
    first, second = citations(COVIDENCE)
    assert first.label == "#1"
    assert first.authors == ("Smith JA", "Müller H", "PEDro Collaboration")
    assert first.year == 2019
    assert first.pmid is None  # an accession number does not say which database gave it
    assert first.keywords == ()  # Tags are the reviewers' labels, not the paper's keywords
    assert first.abstract == "Heel pain is common."
    assert second.pmid is None  # "L2030246463" is Embase's accession number


def test_pubmed_csv_export() -> None:
    first, second = citations(PUBMED)
    assert first.authors == ("Griffin DK", "O'Connor RE", "Pérez-de la Fuente R")
    assert (first.pmid, first.pmcid, first.doi) == (
        "90000304",
        "PMC90000304",
        "10.5555/synth.2020.1",
    )
    assert (first.journal, first.year) == ("Eur J Synth", 2020)
    assert second.authors == ("Brownstein CD",)


@pytest.mark.parametrize(
    ("cell", "authors"),
    [
        ("Smith, John; Doe, Jane", ("Smith, John", "Doe, Jane")),
        ("Smith, John", ("Smith, John",)),  # one author, not two
        ("Smith J, Doe A", ("Smith J", "Doe A")),
        ("Smith J.A.", ("Smith JA",)),
        (
            "Heart Society, European Society of Cardiology",
            ("Heart Society, European Society of Cardiology",),
        ),
        ("Research and Development Group", ("Research and Development Group",)),
        ("Smith, J. and Doe, A.", ("Smith J", "Doe A")),
        ("Smith, J. and WHO Group", ("Smith, J. and WHO Group",)),  # not Rayyan's pattern
    ],
)
def test_author_cells(cell: str, authors: tuple[str, ...]) -> None:
    (record,) = citations(f'title,authors\nT,"{cell}"\n')
    assert record.authors == authors


@pytest.mark.parametrize(
    "header",
    [
        "Article Title,Source title,PY,PubMed ID,DOI",
        "TITLE,JOURNAL,YEAR,PMID,doi",
        "Document Title,Journal Title,Publication Year,pubmed_id,DOI",
        "Title,Publication Title,Published Year,PubMedID,DOI",
    ],
)
def test_header_aliases_without_regard_to_case(header: str) -> None:
    (record,) = citations(f"{header}\nA title,A journal,2017,90000306,10.5555/x\n")
    assert (record.title, record.journal, record.year, record.pmid, record.doi) == (
        "A title",
        "A journal",
        2017,
        "90000306",
        "10.5555/x",
    )


@pytest.mark.parametrize(
    "text",
    [
        "title;authors;year\nA title;Smith, John; Doe, Jane;2017\n".replace(
            "Smith, John; Doe, Jane", '"Smith, John; Doe, Jane"'
        ),
        'sep=;\ntitle;authors;year\nA title;"Smith, John; Doe, Jane";2017\n',
        "title\tauthors\tyear\nA title\tSmith, John; Doe, Jane\t2017\n",
        '"title","authors","year"\r\n"A title","Smith, John; Doe, Jane","2017"\r\n',
    ],
)
def test_delimiters(text: str) -> None:
    (record,) = citations(text)
    assert (record.title, record.authors, record.year) == (
        "A title",
        ("Smith, John", "Doe, Jane"),
        2017,
    )


def test_excel_sep_line_counts_in_line_numbers() -> None:
    (record,) = citations("sep=,\ntitle\nA title\n")
    assert record.line == 3


def test_zotero_extra_gives_identifiers() -> None:
    (record,) = citations('Title,Extra\nT,"PMID: 90000307\nPMCID: PMC90000307"\n')
    assert (record.pmid, record.pmcid) == ("90000307", "PMC90000307")


def test_a_row_with_the_wrong_number_of_fields_is_broken() -> None:
    good, short, long, last = read(
        "key,title,doi\n"
        "a,First,10.5555/a\n"
        "b,Second\n"
        "c,Third,10.5555/c,extra\n"
        "d,Fourth,10.5555/d,,\n"  # Excel's trailing empty cells are fine
    )
    assert isinstance(good, Citation) and isinstance(last, Citation)
    assert (last.position, last.line, last.title) == (4, 5, "Fourth")
    assert short == BrokenRecord(2, "the row at line 3 has 2 fields, the header has 3", 3, "b")
    assert long == BrokenRecord(3, "the row at line 4 has 4 fields, the header has 3", 4, "c")


def test_an_unclosed_quote_breaks_the_rows_it_swallows() -> None:
    first, broken, after, at_end = read(
        "title,doi\n"
        "First,10.5555/a\n"
        '"Unclosed,10.5555/b\n'
        "Third,10.5555/c\n"
        '"Fine",10.5555/d\n'
        "Last,10.5555/e\n"
        '"Unclosed at the end,10.5555/f\n'
    )
    assert isinstance(first, Citation) and isinstance(after, Citation)
    assert broken == BrokenRecord(2, "not valid CSV at lines 3-5: ',' expected after '\"'", line=3)
    assert (after.position, after.line, after.title) == (3, 6, "Last")
    assert at_end == BrokenRecord(4, "not valid CSV at line 7: unexpected end of data", line=7)


def test_blank_rows_are_skipped_and_not_counted() -> None:
    first, second = citations("title\n\nFirst\n,\n\nSecond\n")
    assert [(r.position, r.line, r.title) for r in (first, second)] == [
        (1, 3, "First"),
        (2, 6, "Second"),
    ]


def test_malformed_identifiers_break_their_row() -> None:
    good, bad = read("title,doi,pmid\nA,10.5555/a,\nB,not a doi,\n")
    assert isinstance(good, Citation)
    assert isinstance(bad, BrokenRecord)
    assert (bad.position, bad.line) == (2, 3)
    assert "not a doi" in bad.problem


def test_a_row_with_nothing_to_identify_it_is_broken() -> None:
    (record,) = read("title,journal\n,A journal\n")
    assert record == BrokenRecord(1, "no DOI, PMID, PMCID or title", line=2)


@pytest.mark.parametrize(
    "header", ["name,email,phone", "Tags,Notes,Journal", "authors,year,journal"]
)
def test_a_table_without_title_or_identifier_columns_is_not_a_bibliography(header: str) -> None:
    with pytest.raises(InvalidRecord) as error:
        read_csv(f"{header}\na,b,c\n", name="contacts.csv")
    assert (error.value.location, error.value.record) == ("contacts.csv", "line 1")
    assert error.value.problem == (
        "not a bibliography CSV: no title, DOI or PMID column (columns: "
        + header.replace(",", ", ")
        + ")"
    )


def test_an_empty_header_is_not_a_bibliography() -> None:
    with pytest.raises(InvalidRecord, match="no header row"):
        read_csv("\n\n", name="blank.csv")


# --- writing ---------------------------------------------------------------------------------

TRIAL = Citation(
    position=1,
    label="smith2019",
    doi="10.5555/synth.2019.001",
    pmid="90000301",
    pmcid="PMC90000301",
    title='Calf stretching, with commas and "quotes"',
    authors=("Smith, John Adam", "Smith JA", "PEDro Collaboration"),
    journal="Journal of Synthetic Foot Research",
    year=2019,
    abstract="Background: common.\n\nMethods: randomised.",
    publication_types=("Journal Article", "Research Support, Non-U.S. Gov't"),
    keywords=("heel pain", "Neoplasms, Experimental"),
)


def test_write_csv() -> None:
    text = "".join(
        write_csv([(TRIAL, {"design": "rct", "claims": "c1; c2"})], ["design", "claims"])
    )
    assert text == (
        "key,doi,pmid,pmcid,title,authors,journal,year,abstract,keywords,publication_types,"
        "design,claims\r\n"
        'smith2019,10.5555/synth.2019.001,90000301,PMC90000301,"Calf stretching, with commas '
        'and ""quotes""","Smith, John Adam; Smith JA; PEDro Collaboration",'
        'Journal of Synthetic Foot Research,2019,"Background: common.\n\nMethods: randomised.",'
        '"heel pain; Neoplasms, Experimental","Journal Article; Research Support, Non-U.S. '
        "Gov't\",rct,c1; c2\r\n"
    )
    assert CSV_COLUMNS[0] == "key" and len(CSV_COLUMNS) == 11
    assert sorted(CSV_COLUMNS) == sorted(("key", *FIELDS))


def test_write_yields_the_header_then_one_string_per_row() -> None:
    rows = list(write_csv([(TRIAL, {}), (TRIAL, {})]))
    assert len(rows) == 3
    assert rows[0] == ",".join(CSV_COLUMNS) + "\r\n"
    assert list(write_csv([])) == [",".join(CSV_COLUMNS) + "\r\n"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_formula_cells_are_guarded(start: str) -> None:
    item = Citation(
        position=1, title=f"{start}HYPERLINK(1)", label=f"{start}k", abstract=f"{start}a"
    )
    text = "".join(write_csv([(item, {"claims": f"{start}cmd"})], ["claims"]))
    row = next(iter(list(csv.reader(io.StringIO(text, newline="")))[1:]))
    assert row[0] == f"'{start}k"
    assert row[4] == f"'{start}HYPERLINK(1)"
    assert row[8] == f"'{start}a"
    assert row[-1] == f"'{start}cmd"
    (back,) = citations(text)
    # a reader trims the tab off; the other characters come back as they were
    assert (back.label, back.title, back.abstract) == (
        item.label.strip(),
        item.title.strip(),
        item.abstract.strip(),
    )


def test_identifiers_and_years_are_not_guarded() -> None:
    text = "".join(write_csv([(TRIAL, {})]))
    assert "'" not in text.split("\r\n")[1].split(",")[1]


AWKWARD = [
    TRIAL,
    Citation(
        position=2,
        label="muller-2020",
        doi="10.5555/ünïcode.2020(1)",
        title="Ångström-scale imaging of “Müller” cells — a résumé; 50% smaller?",
        authors=(
            "Müller, Hans-Jürgen",
            "O'Brien, Siobhán",
            "Ñúñez JA",
            "Group; with a semicolon",
            "Back\\slash, Ann",
            "Writing Committee for the ABC, DEF and GHI Trials",
        ),
        journal="Revista Española de Pies",
        year=2020,
        abstract="Fondo: ¿por qué?\r\nMétodos: 日本語.\n\n\nResultados: α < β;\tγ.",
        keywords=("a;b", "c\\;d", "Müller cells"),
        publication_types=("Review",),
    ),
    Citation(position=3, title="'=already quoted", authors=("-Dash, Dan",), label="'+k"),
    Citation(position=4, title="@mention", keywords=("=SUM(A1)",), publication_types=("-x",)),
    Citation(position=5, pmid="90000305"),
    Citation(position=6, title="No authors, no year, no journal", pmcid="PMC90000306"),
    Citation(position=7, title="Smith and Jones Group report", authors=("Smith and Jones Group",)),
]


def fields(record: Record) -> tuple[object, ...]:
    assert isinstance(record, Citation), record
    return (
        record.label,
        record.doi,
        record.pmid,
        record.pmcid,
        record.title,
        record.authors,
        record.journal,
        record.year,
        record.abstract,
        record.keywords,
        record.publication_types,
    )


def expected(item: Citation) -> tuple[object, ...]:
    # a reader gets decoded text: line endings inside a cell arrive as "\n"
    values = fields(item)
    abstract = item.abstract.replace("\r\n", "\n") if item.abstract else None
    return (*values[:8], abstract, *values[9:])


def test_round_trip() -> None:
    text = "".join(write_csv(((c, {"design": "rct"}) for c in AWKWARD), ["design"]))
    back = read(text)
    assert [fields(r) for r in back] == [expected(c) for c in AWKWARD]
    assert [r.position for r in back] == list(range(1, len(AWKWARD) + 1))


def test_round_trip_through_decoded_file() -> None:
    from evidence.formats.text_files import decode

    data = "".join(write_csv((c, {}) for c in AWKWARD)).encode("utf-8-sig")  # Excel's BOM
    back = read(decode(data, "export.csv"))
    assert [fields(r) for r in back] == [expected(c) for c in AWKWARD]


def test_line_numbers_count_the_lines_inside_quoted_cells() -> None:
    back = read("".join(write_csv((c, {}) for c in AWKWARD[:3])))
    assert [r.line for r in back] == [2, 5, 10]


def test_what_the_table_cannot_carry() -> None:
    from evidence.domain.metadata import Notice
    from evidence.domain.vocab import Retraction

    item = Citation(
        position=1,
        title="T",
        notices=(Notice(Retraction.retracted, "pubmed", "RetractionIn", "PMID 90000309"),),
    )
    (back,) = citations("".join(write_csv([(item, {})])))
    assert back.notices == ()


# --- the shared fixtures (tests/fixtures/imports, expected values in EXPECTED.json) ---------

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EXPECTED = json.loads((FIXTURES / "EXPECTED.json").read_text(encoding="utf-8"))

# Where this reader knowingly differs from EXPECTED.json: (file, position, field) -> value.
DIFFERENCES = {}


def from_file(file: str) -> list[Record]:
    path = FIXTURES / file
    return list(read_csv(read_text(path), name=str(path)))


@pytest.mark.parametrize("file", ["rayyan.csv", "covidence.csv"])
def test_fixture_exports(file: str) -> None:
    expected = [wanted(file, e, DIFFERENCES) for e in EXPECTED[file]]
    assert [summary(r) for r in from_file(file)] == expected


def test_fixture_labels() -> None:
    assert [r.label for r in from_file("rayyan.csv")] == [
        "rayyan-512300171",
        "rayyan-512300172",
        "rayyan-512300173",
        "rayyan-512300174",
    ]
    covidence = from_file("covidence.csv")
    assert [r.label for r in covidence] == [e["covidence_id"] for e in EXPECTED["covidence.csv"]]
    rayyan_last = from_file("rayyan.csv")[-1]
    assert isinstance(rayyan_last, Citation)
    assert rayyan_last.abstract == (
        'Background\nDancers often describe "first-step" pain.\nResults\n'
        "41% reported heel pain in the past year, mostly after rehearsals on sprung floors."
    )


def test_fixture_bad_doi() -> None:
    expected = EXPECTED["bad_doi.csv"]
    records = from_file("bad_doi.csv")
    broken = [r for r in records if isinstance(r, BrokenRecord)]
    assert [r.position for r in broken] == expected["broken_positions"]
    assert len(records) - len(broken) == expected["good_count"]
    assert (broken[0].line, broken[0].label) == (3, "#2")
    assert "10.5555heel.2021.003" in broken[0].problem


def test_a_byte_order_mark_left_in_the_text_is_ignored() -> None:
    (record,) = citations("\ufeffTitle,DOI\nT,10.5555/bom\n")
    assert (record.title, record.doi) == ("T", "10.5555/bom")
