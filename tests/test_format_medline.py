"""MEDLINE (.nbib): PubMed's own export read field by field, authors paired, notices the same
as PubMed XML gives, broken records next to good ones."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from evidence.domain.metadata import Notice
from evidence.domain.vocab import Retraction
from evidence.errors import InvalidRecord
from evidence.formats.citations import BrokenRecord, Citation, Record
from evidence.formats.medline import read_medline
from evidence.formats.pubmed_xml import PubmedRecord, read_pubmed_xml
from evidence.formats.text_files import read_text
from tests.support.expected_records import summary as record_summary

# As PubMed's "Send to: Citation manager" writes it: a blank first line, tags padded to four
# characters, values wrapped at 80 columns with a trailing space (written "~" here) and a
# six-space indent.
NBIB = """
PMID- 90000201
OWN - NLM
STAT- MEDLINE
DCOM- 20241217
IS  - 0000-0003 (Electronic)
VI  - 20
IP  - 12
DP  - 2024 Dec
TI  - Calf stretching for plantar heel pain: a randomised trial with a title long~
      enough to wrap.
PG  - 20240472
LID - 10.5555/SYNTH.2024.0472 [doi]
LID - 20240472
AB  - BACKGROUND: Heel pain is common. METHODS: We randomised 120 adults to calf~
      stretching or sham. RESULTS: Pain fell.
CI  - Copyright © 2024 The Authors.
FAU - Smith, John Adam
AU  - Smith JA
AUID- ORCID: 0000-0000-0000-0000
AD  - Department of Synthetic Podiatry, Example University, Example City,~
      Exampleland.
FAU - Müller, Hans
AU  - Müller H
CN  - PEDro Collaboration
FAU - O'Neill, Mary-Kate
AU  - O'Neill MK
LA  - eng
PT  - Journal Article
PT  - Randomized Controlled Trial
DEP - 20241218
PL  - England
TA  - J Synth Foot Res
JT  - Journal of synthetic foot research
JID - 101247722
SB  - IM
MH  - Humans
MH  - *Fasciitis, Plantar/therapy
PMC - PMC90000201
OTO - NOTNLM
OT  - heel pain
OT  - stretching
COIS- None declared.
EDAT- 2024/12/18 00:22
PHST- 2024/12/18 00:22 [pubmed]
AID - synth20240472 [pii]
AID - 10.5555/synth.2024.0472 [doi]
PST - ppublish
SO  - J Synth Foot Res. 2024 Dec;20(12):20240472. doi: 10.5555/synth.2024.0472. Epub 2024~
      Dec 18.

PMID- 90000202
OWN - NLM
STAT- Publisher
DP  - 2006 Aug 7
TI  - Orthoses for plantar fasciitis.
AU  - Jones AB
AU  - Doe J
PT  - Letter
TA  - Synth Podiatry
AID - 10.5555/synth.2006.3532 [doi]
SO  - Synth Podiatry. 2006 Aug 7;273(1596):1849-55.
""".replace("~\n", " \n")


def read(text: str) -> list[Record]:
    return list(read_medline(text, name="pubmed.nbib"))


def only(text: str) -> Citation:
    (record,) = read(text)
    assert isinstance(record, Citation), record
    return record


def test_pubmed_export() -> None:
    first, second = read(NBIB)
    assert isinstance(first, Citation) and isinstance(second, Citation)
    assert (first.position, first.line, first.label) == (1, 2, "90000201")
    assert first.pmid == "90000201"
    assert first.title == (
        "Calf stretching for plantar heel pain: a randomised trial with a title long "
        "enough to wrap."
    )
    assert first.abstract == (
        "BACKGROUND: Heel pain is common. METHODS: We randomised 120 adults to calf "
        "stretching or sham. RESULTS: Pain fell."
    )
    assert first.authors == (
        "Smith, John Adam",
        "Müller, Hans",
        "PEDro Collaboration",
        "O'Neill, Mary-Kate",
    )
    assert first.journal == "Journal of synthetic foot research"  # JT over TA
    assert first.year == 2024
    assert first.doi == "10.5555/synth.2024.0472"  # LID [doi], not the bare LID
    assert first.pmcid == "PMC90000201"
    assert first.publication_types == ("Journal Article", "Randomized Controlled Trial")
    assert first.keywords == ("heel pain", "stretching")  # OT, not MeSH
    assert first.notices == ()
    assert (second.position, second.line, second.label) == (2, 52, "90000202")
    assert second.authors == ("Jones AB", "Doe J")  # AU alone, as older records have
    assert second.journal == "Synth Podiatry"  # TA when there is no JT
    assert second.doi == "10.5555/synth.2006.3532"  # AID [doi] when there is no LID
    assert (second.year, second.publication_types) == (2006, ("Letter",))


@pytest.mark.parametrize(
    ("lines", "authors"),
    [
        # an AU without its FAU keeps its own name; the FAU before it is an author too
        (
            "FAU - Wang, Qiang\nAU  - Wang H\nFAU - Li, Wei\nAU  - Li W\n",
            ("Wang, Qiang", "Wang H", "Li, Wei"),
        ),
        ("AU  - Smith JA\nFAU - Doe, Jane\nAU  - Doe J\n", ("Smith JA", "Doe, Jane")),
        ("FAU - Doe, Jane\nFAU - Roe, Richard\nAU  - Roe R\n", ("Doe, Jane", "Roe, Richard")),
        ("FAU - Doe, J A\nAU  - Doe JA\n", ("Doe JA",)),
        ("FAU - Álvarez-Parra, Sergio\nAU  - Alvarez-Parra S\n", ("Álvarez-Parra, Sergio",)),
        (
            "FAU - Pérez-de la Fuente, Ricardo\nAU  - Pérez-de la Fuente R\n",
            ("Pérez-de la Fuente, Ricardo",),
        ),
        (
            "CN  - Group A\nFAU - Doe, Jane\nAU  - Doe J\nCN  - Group B\n",
            ("Group A", "Doe, Jane", "Group B"),
        ),
        ("FAU - Doe, Jane\nAUID- ORCID: 0\nAD  - Somewhere\nAU  - Doe J\n", ("Doe, Jane",)),
        ("FED - Editor, Ed\nED  - Editor E\nFIR - Investigator, Ian\nIR  - Investigator I\n", ()),
    ],
)
def test_authors_are_paired_by_person(lines: str, authors: tuple[str, ...]) -> None:
    assert only(f"PMID- 90000203\nTI  - T\n{lines}").authors == authors


def test_titles_and_journals_of_book_records() -> None:
    record = only("PMID- 90000204\nBTI - Synthetic Handbook of Feet\nDP  - 2020\n")
    assert (record.title, record.journal, record.year) == (
        "Synthetic Handbook of Feet",
        "Synthetic Handbook of Feet",
        2020,
    )


NOTICES_NBIB = """\
PMID- 90000205
TI  - A retracted trial.
PT  - Journal Article
PT  - Retracted Publication
CIN - Synth Podiatry. 2023. PMID: 90000206
RIN - Synth Podiatry. 2025 Jan;21(1):1. doi: 10.5555/x. PMID: 90000207.
ECI - Synth Podiatry. 2024 Jun;20(6):2. PMID: 90000208
EIN - Synth Podiatry. 2024 Feb;20(2):3. PMID: 90000209
RRI - Synth Podiatry. 2025 Mar;21(3):4. PMID: 90000210
ROF - Synth Podiatry. 2020. PMID: 90000211
"""

NOTICES_XML = b"""<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>90000205</PMID>
<Article><ArticleTitle>A retracted trial.</ArticleTitle><PublicationTypeList>
<PublicationType>Journal Article</PublicationType>
<PublicationType>Retracted Publication</PublicationType></PublicationTypeList></Article>
<CommentsCorrectionsList>
<CommentsCorrections RefType="CommentIn"><RefSource>x</RefSource><PMID>90000206</PMID>
</CommentsCorrections>
<CommentsCorrections RefType="RetractionIn"><RefSource>x</RefSource><PMID>90000207</PMID>
</CommentsCorrections>
<CommentsCorrections RefType="ExpressionOfConcernIn"><RefSource>x</RefSource>
<PMID>90000208</PMID></CommentsCorrections>
<CommentsCorrections RefType="ErratumIn"><RefSource>x</RefSource><PMID>90000209</PMID>
</CommentsCorrections>
<CommentsCorrections RefType="RetractedandRepublishedIn"><RefSource>x</RefSource>
<PMID>90000210</PMID></CommentsCorrections>
<CommentsCorrections RefType="RetractionOf"><RefSource>x</RefSource><PMID>90000211</PMID>
</CommentsCorrections>
</CommentsCorrectionsList></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">90000205</ArticleId></ArticleIdList>
</PubmedData></PubmedArticle></PubmedArticleSet>"""


def test_notices_are_those_pubmed_xml_gives() -> None:
    record = only(NOTICES_NBIB)
    assert record.notices == (
        Notice(Retraction.retracted, "pubmed", "RetractionIn", "PMID 90000207"),
        Notice(
            Retraction.expression_of_concern, "pubmed", "ExpressionOfConcernIn", "PMID 90000208"
        ),
        Notice(Retraction.corrected, "pubmed", "ErratumIn", "PMID 90000209"),
        Notice(
            Retraction.retracted_and_republished,
            "pubmed",
            "RetractedandRepublishedIn",
            "PMID 90000210",
        ),
        Notice(Retraction.retracted, "pubmed", "Retracted Publication"),
    )
    (article,) = read_pubmed_xml(io.BytesIO(NOTICES_XML))
    assert isinstance(article, PubmedRecord)
    assert record.notices == article.to_metadata().notices
    assert record.retraction is Retraction.retracted_and_republished


def test_a_notice_without_a_pmid_keeps_its_citation() -> None:
    record = only("PMID- 90000212\nTI  - T\nEIN - Synth Podiatry. 2024 Feb;20(2):3.\n")
    assert record.notices == (
        Notice(Retraction.corrected, "pubmed", "ErratumIn", "Synth Podiatry. 2024 Feb;20(2):3."),
    )


def test_broken_records_name_their_pmid_and_line_and_the_rest_are_read() -> None:
    text = (
        "PMID- 90000213\nTI  - Good.\n\n"  # lines 1-3
        "PMID- 9000x214\nTI  - Bad PMID.\n\n"  # lines 4-6
        "PMID- 90000215\nTI  - Bad DOI.\nLID - not/a/doi [doi]\n\n"  # lines 7-10
        "TI  - A record that lost its PMID line.\n\n"  # lines 11-12
        "PMID- 90000216\nTI  - Good again.\n"  # lines 13-14
    )
    good, bad_pmid, bad_doi, no_pmid, last = read(text)
    assert isinstance(good, Citation) and isinstance(last, Citation)
    assert (last.position, last.line, last.title) == (5, 13, "Good again.")
    assert isinstance(bad_pmid, BrokenRecord)
    assert (bad_pmid.position, bad_pmid.line, bad_pmid.label) == (2, 4, "9000x214")
    assert "9000x214" in bad_pmid.problem
    assert isinstance(bad_doi, BrokenRecord)
    assert (bad_doi.position, bad_doi.line, bad_doi.label) == (3, 7, "90000215")
    assert "not/a/doi" in bad_doi.problem
    assert no_pmid == BrokenRecord(
        4, "no PMID line: the record starting at line 11 lacks 'PMID- '", line=11
    )


def test_records_run_together_without_a_blank_line() -> None:
    first, second = read("PMID- 90000217\nTI  - One.\nPMID- 90000218\nTI  - Two.\n")
    assert isinstance(first, Citation) and isinstance(second, Citation)
    assert [(r.pmid, r.line) for r in (first, second)] == [("90000217", 1), ("90000218", 3)]


def test_windows_line_endings_and_missing_values() -> None:
    record = only("PMID- 90000219\r\nTI  - Title.\r\nAB  -\r\nDP  - 2021 Spring\r\n")
    assert (record.title, record.abstract, record.year) == ("Title.", None, 2021)


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - RIS, not MEDLINE\nER  - \n",
        "TI  - no PMID anywhere\n",
        "Some text mentioning PMID: 90000220.\n",
    ],
)
def test_text_without_a_pmid_line_is_not_medline(text: str) -> None:
    with pytest.raises(InvalidRecord) as error:
        read_medline(text, name="notes.txt")
    assert (error.value.location, error.value.record) == ("notes.txt", None)
    assert error.value.problem.startswith("no MEDLINE records")


# --- the shared fixtures (tests/fixtures/imports, expected values in EXPECTED.json) ---------

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
EXPECTED = json.loads((FIXTURES / "EXPECTED.json").read_text(encoding="utf-8"))


def from_file(file: str) -> list[Record]:
    path = FIXTURES / file
    return list(read_medline(read_text(path), name=str(path)))


def summary(record: Record) -> dict[str, object]:
    assert isinstance(record, Citation), record
    retraction = next((n for n in record.notices if n.detail == "RetractionIn"), None)
    found: dict[str, object] = {
        **record_summary(record),
        "publication_types": list(record.publication_types),
        "retracted": record.retraction is Retraction.retracted,
    }
    if retraction is not None:
        found["retraction_notice_pmid"] = (retraction.notice or "").removeprefix("PMID ")
    return found


def test_fixture_pubmed_export() -> None:
    keys = (
        *("position", "doi", "pmid", "pmcid", "title", "first_author_family", "year"),
        *("journal", "keywords", "publication_types", "retracted", "retraction_notice_pmid"),
    )
    expected = [{k: e[k] for k in keys if k in e} for e in EXPECTED["pubmed.nbib"]]
    assert [summary(r) for r in from_file("pubmed.nbib")] == expected


def test_fixture_broken_record() -> None:
    expected = EXPECTED["broken_record.nbib"]
    records = from_file("broken_record.nbib")
    broken = [r for r in records if isinstance(r, BrokenRecord)]
    assert [r.position for r in broken] == expected["broken_positions"]
    assert [r.pmid for r in records if isinstance(r, Citation)] == expected["good_pmids"]
    assert (broken[0].label, broken[0].line) == ("90100302", 39)
    assert "not-a-doi" in broken[0].problem


def test_a_byte_order_mark_left_in_the_text_is_ignored() -> None:
    assert only("\ufeffPMID- 90000221\nTI  - T.\n").pmid == "90000221"
