"""RIS: what EndNote, Zotero, NCBI's citation exporter and Scopus write, read back; broken
records next to good ones; and the files we write read back the same (by us and by rispy)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rispy

from evidence.errors import InvalidRecord
from evidence.formats.citations import BrokenRecord, Citation, Record
from evidence.formats.ris import read_ris, write_ris
from evidence.formats.text_files import read_text
from tests.support.expected_records import summary, wanted

# EndNote 20 "RefMan (RIS) Export" of a record its PubMed import filled: tags in alphabetical
# order, multi-valued fields as one tag with continuation lines, ID = record number.
ENDNOTE = """\
TY  - JOUR
AB  - Background: Heel pain is common.

Methods: We randomised 120 adults.
AD  - Department of Synthetic Podiatry, Example University
AN  - 90000101
AU  - Smith, John A.
AU  - Müller, H.
AU  - PEDro Collaboration
C2  - PMC90000101
DA  - Mar
DO  - 10.5555/SYNTH.2019.001
DP  - NLM
ET  - 2019/03/01
IS  - 3
J2  - J Synth Foot Res
KW  - Adult
Plantar Fasciitis/therapy
Randomized Controlled Trials as Topic
LA  - eng
M3  - Journal Article
Randomized Controlled Trial
N1  - 1234-5678
Smith, John A
PY  - 2019
SN  - 0000-0000 (Print)
0000-0000 (Linking)
SP  - 1-10
ST  - Calf stretching
T2  - Journal of Synthetic Foot Research
TI  - Calf stretching for plantar heel pain: a randomised trial
VL  - 12
ID  - 101
ER  - 


TY  - CHAP
A2  - Editor, Ed
AU  - O'Neill, Mary-Kate
PY  - 2020
SE  - 4
T2  - Synthetic Handbook of Feet
TI  - Heel pain in the clinic
ID  - 102
ER  - 


"""

# Zotero 7 export: Zotero's own order (TI, AU, T2, AB, DA, PY, DO ...), dates as
# "YYYY/MM/DD/", DOI sometimes as a URL, Extra's "PMID:" lines as notes, one KW per tag.
ZOTERO = """\
TY  - JOUR
TI  - Orthoses for plantar fasciitis
AU  - Jones, A. B.
AU  - van der Berg, Jan
T2  - Synthetic Podiatry
AB  - Orthoses were compared with sham insoles.
DA  - 2018/03/01/
PY  - 2018
DO  - https://doi.org/10.5555/synth.2018.7
SP  - 20
EP  - 29
J2  - Synth Podiatry
LA  - en
SN  - 0000-0001
UR  - https://example.org/orthoses
Y2  - 2024/01/01/10:00:00
N1  - PMID: 90000102
PMCID: PMC90000102
KW  - orthoses
KW  - heel pain; insoles
ER  - 

"""

# NCBI's Literature Citation Exporter (PubMed's own RIS): T1, Y1, JF / J2, AN + DB PubMed,
# U1 / U2 with bracketed id types, MeSH headings among the keywords.
NCBI = """\
TY  - JOUR
DB  - PubMed
AU  - Nakamura, Keiko
AU  - Okafor, Chidi E
T1  - A kinetic model of synthetic heel pain
LA  - eng
SN  - 0000-0002
Y1  - 2022/05/
ET  - 2022/03/31
AB  - Heel pain was modelled.
SP  - 101886
VL  - 298
AN  - 90000103
UR  - https://pubmed.ncbi.nlm.nih.gov/90000103
DO  - 10.5555/synth.2022.101886
U1  - 90000103[pmid]
U2  - PMC90000103[pmcid]
J2  - J Synth Chem
JF  - The Journal of synthetic chemistry
KW  - mathematical model
KW  - *Heel/pathology
ER  -
"""

# Scopus: the PubMed ID in C2 (DB Scopus), document type "Article" in M3.
SCOPUS = """\
TY  - JOUR
AU  - Wilson, L.N.
TI  - Global gradients in synthetic heel size
PY  - 2024
T2  - Synthetic Communications
DO  - 10.5555/synth.2024.2864
C2  - 90000104
J2  - Synth. Commun.
M3  - Article
DB  - Scopus
N1  - Export Date: 05 August 2024; Cited By: 2
ER  -
"""


def read(text: str) -> list[Record]:
    return list(read_ris(text, name="test.ris"))


def only(text: str) -> Citation:
    (record,) = read(text)
    assert isinstance(record, Citation), record
    return record


def test_endnote_export_of_a_pubmed_record() -> None:
    first, chapter = read(ENDNOTE)
    assert isinstance(first, Citation)
    assert (first.position, first.line, first.label) == (1, 1, "101")
    assert first.title == "Calf stretching for plantar heel pain: a randomised trial"
    assert first.authors == ("Smith, John A.", "Müller H", "PEDro Collaboration")
    assert first.journal == "Journal of Synthetic Foot Research"
    assert first.year == 2019
    assert (first.doi, first.pmid, first.pmcid) == (
        "10.5555/synth.2019.001",
        "90000101",
        "PMC90000101",
    )
    assert (
        first.abstract == "Background: Heel pain is common.\n\nMethods: We randomised 120 adults."
    )
    assert first.keywords == (
        "Adult",
        "Plantar Fasciitis/therapy",
        "Randomized Controlled Trials as Topic",
    )
    assert first.publication_types == ("Journal Article", "Randomized Controlled Trial")
    assert isinstance(chapter, Citation)
    assert (chapter.position, chapter.line, chapter.label) == (2, 37, "102")
    assert chapter.title == "Heel pain in the clinic"
    assert chapter.journal == "Synthetic Handbook of Feet"  # T2 of a chapter: the book
    assert chapter.authors == ("O'Neill, Mary-Kate",)  # A2 are editors


def test_zotero_export() -> None:
    record = only(ZOTERO)
    assert record.title == "Orthoses for plantar fasciitis"
    assert record.authors == ("Jones AB", "van der Berg, Jan")
    assert record.journal == "Synthetic Podiatry"  # T2, not the J2 abbreviation
    assert record.year == 2018
    assert record.doi == "10.5555/synth.2018.7"  # from the doi.org URL
    assert (record.pmid, record.pmcid) == ("90000102", "PMC90000102")  # Extra, via N1
    assert record.keywords == ("orthoses", "heel pain", "insoles")
    assert record.label is None


def test_ncbi_citation_exporter() -> None:
    record = only(NCBI)
    assert record.title == "A kinetic model of synthetic heel pain"  # T1
    assert record.journal == "The Journal of synthetic chemistry"  # JF over J2
    assert record.year == 2022  # Y1 "2022/05/"
    assert (record.pmid, record.pmcid) == ("90000103", "PMC90000103")
    assert record.authors == ("Nakamura, Keiko", "Okafor, Chidi E")
    assert record.keywords == ("mathematical model", "*Heel/pathology")


def test_scopus_pmid_in_c2_and_document_type_not_a_publication_type() -> None:
    record = only(SCOPUS)
    assert record.pmid == "90000104"
    assert record.pmcid is None
    assert record.publication_types == ()  # "Article" is Scopus's, not MEDLINE's
    assert record.authors == ("Wilson LN",)


def test_c2_is_not_a_pmid_outside_scopus() -> None:
    record = only("TY  - JOUR\nTI  - T\nC2  - 90000105\nDB  - EndNote\nER  - \n")
    assert record.pmid is None


@pytest.mark.parametrize(
    ("tags", "pmid"),
    [
        ("AN  - 90000106\nDB  - PubMed\n", "90000106"),
        ("AN  - 90000106\nDB  - Ovid MEDLINE(R) <1946 to Present>\n", "90000106"),
        ("AN  - 90000106\nDP  - NLM\n", "90000106"),
        ("AN  - PMID: 90000106\n", "90000106"),
        ("AN  - 90000106\n", None),  # whose accession number? not said
        ("AN  - 90000106\nDB  - Embase\n", None),
        ("AN  - 90000106\nDB  - Embase\nMedline\n", None),  # EndNote's Embase records
        ("AN  - 2030246463\nDB  - MEDLINE\n", None),  # too long to be a PMID
        ("AN  - L2030246463\nDB  - Medline\n", None),
        ("N1  - Export note\nPubMed PMID: 90000106\n", "90000106"),
        ("M2  - PMID: 90000106\n", "90000106"),
    ],
)
def test_accession_numbers_and_notes_give_a_pmid_only_when_they_say_so(
    tags: str, pmid: str | None
) -> None:
    assert only(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n").pmid == pmid


def test_ris_records_of_other_databases() -> None:
    record = only(
        "TY  - JOUR\nTI  - T\nDB  - Embase\nMedline\nM3  - Article in Press\n"
        "N1  - L2030246463\n2024-06-24\nER  - \n"
    )
    assert (record.pmid, record.pmcid, record.publication_types) == (None, None, ())


@pytest.mark.parametrize(
    ("tags", "journal"),
    [
        ("JF  - Full\nT2  - Secondary\nJO  - Abbr\n", "Full"),
        ("T2  - Secondary\nJO  - Abbr\nJ2  - Short\n", "Secondary"),
        ("JO  - Abbr\nJ2  - Short\n", "Abbr"),
        ("J2  - Short\nJA  - Std\n", "Short"),
        ("JA  - Std\n", "Std"),
    ],
)
def test_journal_prefers_the_full_name(tags: str, journal: str) -> None:
    assert only(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n").journal == journal


def test_books_and_chapters() -> None:
    book = only("TY  - BOOK\nBT  - The whole book\nT2  - A series\nER  - \n")
    assert (book.title, book.journal) == ("The whole book", "A series")
    chapter = only("TY  - CHAP\nT1  - A chapter\nBT  - The book\nER  - \n")
    assert (chapter.title, chapter.journal) == ("A chapter", "The book")


@pytest.mark.parametrize(
    ("tags", "year"),
    [
        ("PY  - 2019///\n", 2019),
        ("Y1  - 2019/03/01/\n", 2019),
        ("DA  - 2019/03/01/\n", 2019),
        ("PY  - \nDA  - Spring 2017\n", 2017),
        ("DA  - Mar\nY1  - 2015\n", 2015),
        ("DA  - Mar\n", None),
    ],
)
def test_years(tags: str, year: int | None) -> None:
    assert only(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n").year == year


def test_field_precedence_and_fallbacks() -> None:
    record = only(
        "TY  - JOUR\nT1  - Second choice\nTI  - First choice\nA1  - Ignored, When AU\n"
        "AU  - Kept, Author\nN2  - Old-style abstract\nM3  - doi:10.5555/legacy.m3\nER  - \n"
    )
    assert record.title == "First choice"
    assert record.authors == ("Kept, Author",)
    assert record.abstract == "Old-style abstract"
    assert record.doi == "10.5555/legacy.m3"  # EndNote's old DOI place, only if it is one
    assert only("TY  - JOUR\nT1  - T\nA1  - Baldwin,S.A.\nER  - \n").authors == ("Baldwin SA",)


def test_wrapped_values_continue_the_field_above() -> None:
    record = only(
        "TY  - JOUR\nTI  - A title that\n      wraps onto a second line\n"
        "AB  - First paragraph\nstill first.\n\nSecond paragraph.\nKW  - one; two\nthree\n"
        "ER  - \n"
    )
    assert record.title == "A title that wraps onto a second line"
    assert record.abstract == "First paragraph\nstill first.\n\nSecond paragraph."
    assert record.keywords == ("one", "two", "three")


def test_publication_types_only_from_medline_vocabulary() -> None:
    record = only(
        "TY  - JOUR\nTI  - T\nM3  - journal article; Research Support, Non-U.S. Gov't\n"
        "Original Research\nER  - \n"
    )
    assert record.publication_types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    assert only("TY  - JOUR\nTI  - T\nER  - \n").publication_types == ()  # TY is not a type


def test_variants_of_the_tag_line() -> None:
    text = (
        "Provider: Synthetic Database\r\nContent: text/plain; charset=UTF-8\r\n\r\n"
        "TY - JOUR\r\nTI - One space after the tag\r\nER  -\r\n"
    )
    record = only(text)
    assert (record.title, record.line) == ("One space after the tag", 4)


def test_a_record_without_er_is_broken_and_its_neighbours_are_read() -> None:
    text = (
        "TY  - JOUR\nTI  - First\nER  - \n\n"  # lines 1-4
        "TY  - JOUR\nTI  - Lost its end\nID  - lost\n\n"  # lines 5-8
        "TY  - JOUR\nTI  - Third\nER  - \n"  # lines 9-11
    )
    first, broken, third = read(text)
    assert isinstance(first, Citation) and first.title == "First"
    assert broken == BrokenRecord(
        2,
        "no ER line: the record starting at line 5 runs into the next TY at line 9",
        line=5,
        label="lost",
    )
    assert isinstance(third, Citation)
    assert (third.title, third.position, third.line) == ("Third", 3, 9)


def test_a_truncated_last_record_is_broken() -> None:
    first, broken = read("TY  - JOUR\nTI  - First\nER  - \nTY  - JOUR\nTI  - Cut off her")
    assert isinstance(first, Citation)
    assert broken == BrokenRecord(2, "file ends before the ER line: truncated?", line=4)


def test_tags_outside_any_record_are_reported() -> None:
    first, orphan, last = read(
        "TY  - JOUR\nTI  - A\nER  - \nTI  - Lost its TY\nER  - \nTY  - JOUR\nTI  - B\nER  - \n"
    )
    assert isinstance(orphan, BrokenRecord)
    assert (orphan.position, orphan.line) == (2, 4)
    assert "no TY line" in orphan.problem
    assert [first.position, last.position] == [1, 3]


def test_broken_identifiers_break_only_their_record() -> None:
    first, broken, last = read(
        "TY  - JOUR\nTI  - A\nER  - \n"
        "TY  - JOUR\nTI  - B\nDO  - not-a-doi\nID  - bad\nER  - \n"
        "TY  - JOUR\nTI  - C\nER  - \n"
    )
    assert isinstance(broken, BrokenRecord)
    assert (broken.position, broken.line, broken.label) == (2, 4, "bad")
    assert "not-a-doi" in broken.problem
    assert isinstance(first, Citation) and isinstance(last, Citation)


def test_a_record_with_nothing_to_identify_it_is_broken() -> None:
    (record,) = read("TY  - JOUR\nAU  - Nobody, Named\nER  - \n")
    assert isinstance(record, BrokenRecord)
    assert record.problem == "no DOI, PMID, PMCID or title"


@pytest.mark.parametrize(
    "text", ["PMID- 90000001\nTI  - MEDLINE, not RIS\n", "just words\n", "TI  - no TY\nER  - \n"]
)
def test_text_without_a_ty_line_is_not_ris(text: str) -> None:
    with pytest.raises(InvalidRecord) as error:
        read_ris(text, name="notes.txt")
    assert error.value.location == "notes.txt"
    assert error.value.record is None
    assert error.value.problem.startswith("no RIS records")


# --- writing ---------------------------------------------------------------------------------

TRIAL = Citation(
    position=1,
    label="smith2019",
    doi="10.5555/synth.2019.001",
    pmid="90000101",
    pmcid="PMC90000101",
    title="Calf stretching for plantar heel pain",
    authors=("Smith, John Adam", "Smith JA", "PEDro Collaboration"),
    journal="Journal of Synthetic Foot Research",
    year=2019,
    abstract="Background: common.\n\nMethods: randomised.",
    publication_types=("Journal Article", "Randomized Controlled Trial"),
    keywords=("heel pain", "stretching"),
)


def test_write_standard_ris() -> None:
    text = "".join(write_ris([TRIAL]))
    assert text == (
        "TY  - JOUR\r\n"
        "TI  - Calf stretching for plantar heel pain\r\n"
        "AU  - Smith, John Adam\r\n"
        "AU  - Smith, J. A.\r\n"
        "AU  - PEDro Collaboration\r\n"
        "T2  - Journal of Synthetic Foot Research\r\n"
        "PY  - 2019\r\n"
        "DO  - 10.5555/synth.2019.001\r\n"
        "AN  - 90000101\r\n"
        "DB  - PubMed\r\n"
        "C2  - PMC90000101\r\n"
        "AB  - Background: common.\r\n"
        "\r\n"
        "Methods: randomised.\r\n"
        "KW  - heel pain\r\n"
        "KW  - stretching\r\n"
        "M3  - Journal Article; Randomized Controlled Trial\r\n"
        "ID  - smith2019\r\n"
        "ER  - \r\n"
        "\r\n"
    )


def test_write_one_string_per_record_and_book_types() -> None:
    book = Citation(position=1, title="A book", journal="A series", publication_types=("Book",))
    chapter = Citation(
        position=2, title="A chapter", journal="The book", publication_types=("Book Chapter",)
    )
    written = list(write_ris([book, chapter]))
    assert len(written) == 2
    assert written[0].startswith("TY  - BOOK\r\n") and "JO  -" not in written[0]
    assert written[1].startswith("TY  - CHAP\r\n") and "T2  - The book\r\n" in written[1]


def test_an_abstract_line_that_looks_like_a_tag_stays_in_the_abstract() -> None:
    item = Citation(position=1, title="T", abstract="First.\nER  - not the end\nTY  - JOUR")
    text = "".join(write_ris([item]))
    assert "\r\n ER  - not the end\r\n TY  - JOUR\r\n" in text
    assert only(text).abstract == item.abstract


AWKWARD = [
    TRIAL,
    Citation(
        position=2,
        label="muller-2020",
        doi="10.5555/ünïcode.2020(1)",
        title="Ångström-scale imaging of “Müller” cells — a résumé: 50% smaller?",
        authors=("Müller, Hans-Jürgen", "O'Brien, Siobhán", "Ñúñez JA", "李, 小龍"),
        journal="Revista Española de Pies",
        year=2020,
        abstract="Fondo: ¿por qué?\nMétodos: 日本語のテキスト.\n\n\nResultados: α < β.",
        keywords=("Neoplasms, Experimental", "Müller cells"),
        publication_types=("Research Support, Non-U.S. Gov't", "Review"),
    ),
    Citation(
        position=3,
        title="Consensus statement on heel pain",
        authors=(
            "PEDro Collaboration",
            "Writing Committee for the ABC, DEF and GHI Trials",
            "Synthetic Study Group XYZ",
        ),
        doi="10.5555/consensus",
    ),
    Citation(position=4, title="No authors, no year, no journal"),
    Citation(position=5, pmid="90000105"),
    Citation(
        position=6,
        title="ER - looks like the end of a record",
        abstract="TY  - JOUR\nAU  - Not, An Author\nER  - done\nThe end.",
        authors=("Er, Tyler",),
    ),
    Citation(
        position=7,
        title="A whole book",
        journal="Series of books",
        year=1999,
        publication_types=("Book",),
        label="book",
    ),
    Citation(
        position=8,
        title="A chapter",
        journal="Handbook of feet",
        publication_types=("Book Chapter", "Review"),
        pmcid="PMC90000108",
    ),
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


def test_round_trip() -> None:
    back = read("".join(write_ris(AWKWARD)))
    assert [fields(r) for r in back] == [fields(c) for c in AWKWARD]
    assert [r.position for r in back] == list(range(1, len(AWKWARD) + 1))


def test_round_trip_through_decoded_file() -> None:
    from evidence.formats.text_files import decode

    data = "".join(write_ris(AWKWARD)).encode("utf-8-sig")  # EndNote likes a BOM
    back = read(decode(data, "export.ris"))
    assert [fields(r) for r in back] == [fields(c) for c in AWKWARD]


def test_what_ris_cannot_carry() -> None:
    item = Citation(
        position=1,
        title="T",
        keywords=("a;b",),
        publication_types=("Preprint", "Our own type"),
        abstract="  indented\nline  ",
    )
    back = only("".join(write_ris([item])))
    assert back.keywords == ("a", "b")  # split at the ";"
    assert back.publication_types == ("Preprint",)  # not a MEDLINE type: dropped
    assert back.abstract == "indented\nline"


def test_rispy_reads_what_we_write() -> None:
    """An independent RIS parser sees the same records (rispy drops the CR of our CRLF)."""
    entries = rispy.loads("".join(write_ris(AWKWARD)))
    assert len(entries) == len(AWKWARD)
    first = entries[0]
    assert first["type_of_reference"] == "JOUR"
    assert first["title"] == TRIAL.title
    assert first["authors"] == ["Smith, John Adam", "Smith, J. A.", "PEDro Collaboration"]
    assert first["secondary_title"] == TRIAL.journal and "journal_name" not in first
    assert (first["doi"], first["accession_number"], first["custom2"]) == (
        TRIAL.doi,
        TRIAL.pmid,
        TRIAL.pmcid,
    )
    assert first["keywords"] == list(TRIAL.keywords)
    assert entries[5]["title"] == "ER - looks like the end of a record"
    assert entries[6]["type_of_reference"] == "BOOK"


def test_writer_lines_are_all_tags_or_continuations() -> None:
    tag = re.compile(r"^[A-Z][A-Z0-9]  - ")
    lines = "".join(write_ris(AWKWARD)).split("\r\n")
    assert "\n" not in "".join(lines) and "\r" not in "".join(lines)
    starts = [i for i, line in enumerate(lines) if line.startswith("TY  - ")]
    ends = [i for i, line in enumerate(lines) if line == "ER  - "]
    assert len(starts) == len(ends) == len(AWKWARD)
    assert all(tag.match(lines[i]) for i in starts)


@pytest.mark.parametrize(
    ("tags", "pmid"),
    [
        ("AN  - 90000110\nDP  - PubMed\n", None),  # Zotero: catalogue + archive location
        ("C3  - PUBMED 90000110,EMBASE 643589775\n", "90000110"),  # Cochrane CENTRAL
        ("N1  - <p>PMID: 90000110<br/>PMCID: PMC90000110</p>\n", "90000110"),  # Zotero note
    ],
)
def test_more_places_a_pmid_is_or_is_not(tags: str, pmid: str | None) -> None:
    assert only(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n").pmid == pmid


def test_endnote_lists_pubmed_publication_types_in_its_notes() -> None:
    notes = "N1  - 0000-0000\nSmith, John A\nJournal Article\nReview\n"
    from_pubmed = only(f"TY  - JOUR\nTI  - T\nDP  - NLM\n{notes}ER  - \n")
    assert from_pubmed.publication_types == ("Journal Article", "Review")
    elsewhere = only(f"TY  - JOUR\nTI  - T\n{notes}ER  - \n")
    assert elsewhere.publication_types == ()  # a note saying "Review" is just a note


# --- the shared fixtures (tests/fixtures/imports, expected values in EXPECTED.json) ---------

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EXPECTED = json.loads((FIXTURES / "EXPECTED.json").read_text(encoding="utf-8"))

# Where this reader knowingly differs from EXPECTED.json: (file, position, field) -> value.
DIFFERENCES = {
    # EXPECTED keeps a chapter's book apart (container_title) and leaves journal null; a
    # Citation has one container field, and the BibTeX and PubMed XML readers put the book
    # there too, so the RIS reader does the same.
    ("endnote.ris", 5, "journal"): "Heel Pain: Differential Diagnosis and Management",
}


def from_file(file: str, encoding: str | None = None) -> list[Record]:
    path = FIXTURES / file
    return list(read_ris(read_text(path, encoding), name=str(path)))


@pytest.mark.parametrize("file", ["endnote.ris", "zotero.ris"])
def test_fixture_exports(file: str) -> None:
    expected = EXPECTED[file]
    assert [summary(r) for r in from_file(file)] == [wanted(file, e, DIFFERENCES) for e in expected]


def test_fixture_endnote_labels_and_types() -> None:
    records = from_file("endnote.ris")
    assert [r.label for r in records] == ["17", "18", "19", "20", "21"]
    first = records[0]
    assert isinstance(first, Citation)
    assert first.publication_types == ("Journal Article", "Randomized Controlled Trial")
    assert [r.publication_types for r in records[1:]] == [()] * 4  # "Article" is Embase's


@pytest.mark.parametrize("file", ["no_er.ris", "no_er_end.ris"])
def test_fixture_records_without_er(file: str) -> None:
    expected = EXPECTED[file]
    records = from_file(file)
    broken = [r.position for r in records if isinstance(r, BrokenRecord)]
    assert broken == expected["broken_positions"]
    assert len(records) - len(broken) == expected["good_count"]
    assert len(records) == expected["salvageable"]  # nothing merged, nothing dropped


def test_fixture_no_er_names_the_lines() -> None:
    (broken,) = [r for r in from_file("no_er.ris") if isinstance(r, BrokenRecord)]
    assert broken.problem == (
        "no ER line: the record starting at line 14 runs into the next TY at line 25"
    )
    last = from_file("no_er.ris")[-1]
    assert isinstance(last, Citation) and last.doi == "10.5555/heel.2022.703"


def test_fixture_cp1252_needs_its_encoding() -> None:
    with pytest.raises(InvalidRecord, match="not UTF-8"):
        from_file("cp1252.ris")
    expected = EXPECTED["cp1252.ris"]["decoded_as_cp1252"]
    records = from_file("cp1252.ris", "cp1252")
    assert [summary(r) for r in records] == [wanted("cp1252.ris", e, DIFFERENCES) for e in expected]


@pytest.mark.parametrize("file", ["blank.ris", "binary.ris"])
def test_fixture_files_that_are_not_ris(file: str) -> None:
    assert EXPECTED[file]["file_error"]
    with pytest.raises(InvalidRecord):
        from_file(file)
    data = (FIXTURES / file).read_bytes()
    text = data.decode("latin-1")  # even past the decoder's own check, no records appear
    with pytest.raises(InvalidRecord, match="no RIS records"):
        read_ris(text, name=file)


def test_a_byte_order_mark_left_in_the_text_is_ignored() -> None:
    assert only("\ufeffTY  - JOUR\nTI  - T\nER  - \n").line == 1
