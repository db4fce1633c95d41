"""PubMed XML, read incrementally: the article's own identifiers, designs and retractions."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from evidence.domain.publication_types import retraction_status, suggest_design
from evidence.domain.vocab import Design, Retraction
from evidence.errors import InvalidRecord
from evidence.formats.pubmed_xml import DeletedCitations, PubmedRecord, read_pubmed_xml

FIXTURE = Path(__file__).parent / "fixtures" / "pubmed_efetch_synthetic.xml"


def records() -> list[PubmedRecord | DeletedCitations]:
    return list(read_pubmed_xml(FIXTURE))


def test_an_article_is_read_with_its_own_identifiers_only() -> None:
    trial = records()[0]
    assert isinstance(trial, PubmedRecord)
    assert (trial.pmid, trial.doi, trial.pmcid) == (
        "90000101",
        "10.5555/synth.2023.101",
        "PMC9000101",
    )
    # the ReferenceList names 90000555 and 10.5555/cited.elsewhere: other papers' identifiers
    assert trial.title == "Calf stretching for plantar heel pain: a randomised trial."
    assert trial.authors == ("Example A", "Sample BJ", "Synthetic Trials Group")
    assert (trial.journal, trial.year) == ("Journal of Synthetic Foot Research", 2023)
    assert trial.abstract == "BACKGROUND: Synthetic background.\nRESULTS: Synthetic results."
    assert trial.keywords == ("plantar fasciitis", "stretching")
    assert trial.suggested_design is Design.rct
    assert trial.retraction is Retraction.corrected


def test_retractions_and_dates_given_as_ranges() -> None:
    review = records()[1]
    assert review.pmid == "90000102" and review.doi is None
    assert review.year == 1998  # "1998 Dec-1999 Jan"
    assert review.suggested_design is Design.systematic_review_meta_analysis
    assert review.retraction is Retraction.retracted  # graver than the expression of concern


def test_book_chapters_and_deleted_citations() -> None:
    book, deleted = records()[2:]
    assert book.is_book and book.pmid == "90000103"
    assert book.title == "Plantar Heel Pain (synthetic chapter)"
    assert (book.journal, book.year, book.authors) == (
        "Synthetic Clinical Reference",
        2024,
        ("Chapter C",),
    )
    assert book.suggested_design is Design.narrative_review
    assert deleted == DeletedCitations(4, ("90000998", "90000999"))


def test_gzip_files_and_streams_read_the_same(tmp_path: Path) -> None:
    packed = tmp_path / "pubmed26n0001.xml.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert list(read_pubmed_xml(packed)) == records()
    assert list(read_pubmed_xml(io.BytesIO(FIXTURE.read_bytes()))) == records()


def test_an_empty_set_is_no_records() -> None:
    assert list(read_pubmed_xml(io.BytesIO(b"<PubmedArticleSet></PubmedArticleSet>"))) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<eSearchResult><Count>0</Count></eSearchResult>", "not PubMed XML"),
        (FIXTURE.read_bytes()[:3000], "broken XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "broken XML"),
    ],
)
def test_bad_files_are_named_not_crashed_on(data: bytes, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"upload.xml.*{message}"):
        list(read_pubmed_xml(io.BytesIO(data), name="upload.xml"))


def test_a_broken_file_reports_how_far_it_got() -> None:
    cut = FIXTURE.read_bytes()
    cut = cut[: cut.index(b"<PubmedBookArticle>") + 40]
    with pytest.raises(InvalidRecord, match=r"cut.xml: record #3: broken XML"):
        list(read_pubmed_xml(io.BytesIO(cut), name="cut.xml"))


@pytest.mark.parametrize(
    ("types", "design"),
    [
        (["Journal Article", "Review", "Meta-Analysis"], Design.systematic_review_meta_analysis),
        (["Systematic Review", "Review"], Design.systematic_review),
        (["Randomized Controlled Trial"], Design.rct),
        (["Case Reports", "Review"], Design.case_report),
        (["Practice Guideline"], Design.narrative_review),
        (["Observational Study"], Design.cohort),
        (["Editorial"], Design.expert_opinion),
        (["Journal Article", "Comparative Study"], None),
        ([], None),
    ],
)
def test_publication_types_suggest_the_most_specific_design(types, design) -> None:  # noqa: ANN001
    assert suggest_design(types) is design


@pytest.mark.parametrize(
    ("types", "notices", "status"),
    [
        ([], [], None),
        (["Retracted Publication"], [], Retraction.retracted),
        ([], ["RetractionIn"], Retraction.retracted),
        ([], ["RetractedandRepublishedIn"], Retraction.retracted_and_republished),
        ([], ["ExpressionOfConcernIn"], Retraction.expression_of_concern),
        ([], ["ErratumIn"], Retraction.corrected),
        ([], ["ErratumIn", "ExpressionOfConcernIn"], Retraction.expression_of_concern),
        # the notices point the other way: this record IS the notice about another paper
        (["Retraction of Publication"], ["RetractionOf"], None),
        ([], ["CommentIn", "CommentOn"], None),
    ],
)
def test_retraction_status_from_types_and_notices(types, notices, status) -> None:  # noqa: ANN001
    assert retraction_status(types, notices) is status


def _article_with_dates(journal_date: str, article_date: str = "") -> bytes:
    """One PubmedArticle as efetch gives it, with the dates under test (a synthetic PMID)."""
    return f"""<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle>
    <MedlineCitation Status="MEDLINE" Owner="NLM">
        <PMID Version="1">90000201</PMID>
        <Article PubModel="Print-Electronic">
            <Journal>
                <ISSN IssnType="Electronic">5555-0001</ISSN>
                <JournalIssue CitedMedium="Internet">
                    <Volume>12</Volume><Issue>3</Issue>
                    <PubDate>{journal_date}</PubDate>
                </JournalIssue>
                <Title>Journal of Synthetic Foot Research</Title>
            </Journal>
            <ArticleTitle>Synthetic dates (synthetic record).</ArticleTitle>
            <Language>eng</Language>
            <PublicationTypeList>
                <PublicationType UI="D016428">Journal Article</PublicationType>
            </PublicationTypeList>
            {article_date}
        </Article>
    </MedlineCitation>
    <PubmedData>
        <PublicationStatus>ppublish</PublicationStatus>
        <ArticleIdList><ArticleId IdType="pubmed">90000201</ArticleId></ArticleIdList>
    </PubmedData>
</PubmedArticle>
</PubmedArticleSet>
""".encode()


ONLINE_2021 = (
    '<ArticleDate DateType="Electronic"><Year>2021</Year><Month>11</Month>'
    "<Day>02</Day></ArticleDate>"
)


@pytest.mark.parametrize(
    ("journal_date", "article_date", "year"),
    [
        ("<Year>2020</Year><Month>Jul</Month>", ONLINE_2021, 2020),
        # PubMed cites the issue: "2020 Jul-Sep", though the article was online in 2021
        ("<MedlineDate>2020 Jul-Sep</MedlineDate>", ONLINE_2021, 2020),
        ("<MedlineDate>1998 Dec-1999 Jan</MedlineDate>", "", 1998),
        ("<MedlineDate>Winter 2019-2020</MedlineDate>", "", 2019),
        ("<MedlineDate>Spring</MedlineDate>", ONLINE_2021, 2021),  # no year in the issue
        ("<Season>Spring</Season>", ONLINE_2021, 2021),
        ("<Season>Spring</Season>", "", None),
    ],
    ids=["year", "medline-range", "medline-two-years", "season-range", "no-year", "season", "none"],
)
def test_the_year_is_the_one_pubmed_cites(journal_date: str, article_date: str, year) -> None:
    (record,) = read_pubmed_xml(io.BytesIO(_article_with_dates(journal_date, article_date)))
    assert record.year == year
