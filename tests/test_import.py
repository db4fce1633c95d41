"""`evidence import`: matching, merging without overwriting, the report, --strict, --dry-run,
--claim, streamed and broken PubMed XML, on SQLite and PostgreSQL. The per-format readers
have their own tests (test_format_*.py); the real-export fixtures are in test_import_files.py.

Every identifier here is synthetic: DOIs under 10.5555/, PMIDs above 90000000."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evidence.domain.models import Reference
from evidence.services.records.references import store_reference
from evidence.store.engine import Store
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.snapshot import rows


def article(
    pmid: int,
    *,
    doi: str | None = None,
    title: str = "Synthetic heel study",
    year: int = 2019,
    authors: tuple[tuple[str, str], ...] = (("Synthetic", "AB"),),
    types: tuple[str, ...] = ("Journal Article",),
    abstract: str | None = "Synthetic abstract.",
    keywords: tuple[str, ...] = (),
    retraction_in: int | None = None,
) -> str:
    names = "".join(
        f"<Author><LastName>{last}</LastName><Initials>{ini}</Initials></Author>"
        for last, ini in authors
    )
    comments = (
        f'<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        f"<RefSource>Synthetic notice</RefSource><PMID>{retraction_in}</PMID>"
        f"</CommentsCorrections></CommentsCorrectionsList>"
        if retraction_in
        else ""
    )
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<Journal><JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
        f"<Title>Journal of Synthetic Studies</Title></Journal>"
        f"<ArticleTitle>{title}</ArticleTitle>"
        + (f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else "")
        + f"<AuthorList>{names}</AuthorList><PublicationTypeList>"
        + "".join(f"<PublicationType>{t}</PublicationType>" for t in types)
        + "</PublicationTypeList></Article>"
        + comments
        + (
            "<KeywordList>"
            + "".join(f"<Keyword>{k}</Keyword>" for k in keywords)
            + "</KeywordList>"
            if keywords
            else ""
        )
        + '</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">'
        + f"{pmid}</ArticleId>"
        + (f'<ArticleId IdType="doi">{doi}</ArticleId>' if doi else "")
        + "</ArticleIdList></PubmedData></PubmedArticle>"
    )


def xml_file(path: Path, *articles: str, tail: str = "", packed: bool = False) -> Path:
    body = ("<?xml version='1.0'?>\n<PubmedArticleSet>" + "\n".join(articles) + tail).encode()
    if not tail:
        body += b"</PubmedArticleSet>\n"
    path.write_bytes(gzip.compress(body) if packed else body)
    return path


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


def imported(cli: Cli, path: Path, *options: str) -> dict:
    return json.loads(ok(cli("import", str(path), "--json", *options)))


def refs(cli: Cli) -> dict[str, dict]:
    return {r["key"]: r for r in json.loads(ok(cli("refs", "list", "--json")))}


def test_pubmed_xml_fills_every_field_and_reads_designs_and_retractions(
    cli: Cli, tmp_path: Path
) -> None:
    path = xml_file(
        tmp_path / "efetch.xml",
        article(
            90001001,
            doi="10.5555/Heel.1",
            title="Calf <i>stretching</i> for heel pain",
            authors=(("Synthetic", "AB"), ("Example", "C")),
            types=("Journal Article", "Randomized Controlled Trial"),
            keywords=("heel", "calf"),
        ),
        article(
            90001002, types=("Journal Article", "Retracted Publication"), retraction_in=90001999
        ),
    )
    report = imported(cli, path)
    assert (report["format"], report["imported"], report["merged"], report["skipped"]) == (
        "pubmed-xml",
        2,
        0,
        0,
    )
    stored = refs(cli)
    first = stored["pmid:90001001"]
    assert first["doi"] == "10.5555/heel.1"
    assert first["title"] == "Calf stretching for heel pain"
    assert first["authors"] == ["Synthetic AB", "Example C"]
    assert first["year"] == 2019 and first["journal"] == "Journal of Synthetic Studies"
    assert first["suggested_design"] == "rct" and first["design"] is None
    assert first["keywords"] == ["heel", "calf"]
    assert first["abstract"] == "Synthetic abstract."
    assert stored["pmid:90001002"]["retraction"] == "retracted"


def test_a_duplicate_fills_empty_fields_and_overwrites_nothing(cli: Cli, tmp_path: Path) -> None:
    ok(cli("ref", "add", "10.5555/merge.1"))
    ok(
        cli(
            "ref",
            "edit",
            "10.5555/merge.1",
            "--title",
            "The curator's title",
            "--design",
            "cohort",
            "--year",
            "2018",
        )
    )
    path = xml_file(
        tmp_path / "dup.xml",
        article(
            90002001,
            doi="10.5555/MERGE.1",
            title="PubMed's title",
            year=2019,
            types=("Journal Article", "Randomized Controlled Trial"),
        ),
    )
    report = imported(cli, path)
    assert (report["imported"], report["merged"]) == (0, 1)
    merged = report["merged_records"][0]
    assert merged["reference"] == "doi:10.5555/merge.1"
    assert merged["detail"] == (
        "filled pmid, journal, abstract, authors, publication types, suggested design"
    )
    ref = refs(cli)["doi:10.5555/merge.1"]
    assert ref["title"] == "The curator's title" and ref["year"] == 2018
    assert ref["design"] == "cohort" and ref["pmid"] == "90002001"
    history = json.loads(ok(cli("history", "--json", "--limit", "1")))[0]
    assert history["key"] == "doi:10.5555/merge.1"
    assert history["reason"].startswith(f"merged from {path} record 1 (PMID 90002001): filled")
    again = imported(cli, path)
    assert again["merged_records"][0]["detail"] == "nothing new"


def test_a_paper_with_no_shared_identifier_is_found_by_title_year_and_first_author(
    db_url: str, cli: Cli, tmp_path: Path
) -> None:
    store = Store.open(db_url)
    with store.transaction() as session:  # a paper from a reference manager: a DOI, no PMID
        store_reference(
            session,
            Reference(
                key="muller-2019-plantar",
                doi="10.5555/title.match",
                title="Plantar fascia thickness: a cross-sectional study",
                year=2019,
                authors=["Müller, Johann"],
            ),
            actor="tester",
        )
    store.close()
    same = xml_file(
        tmp_path / "b.xml",
        article(
            90003009,
            title="PLANTAR FASCIA THICKNESS — A CROSS SECTIONAL STUDY.",
            authors=(("Muller", "JA"),),
        ),
    )
    report = imported(cli, same)
    assert report["merged"] == 1, report
    assert report["merged_records"][0]["reference"] == "muller-2019-plantar"
    assert refs(cli)["muller-2019-plantar"]["pmid"] == "90003009"
    other_year = xml_file(
        tmp_path / "c.xml",
        article(
            90003010,
            title="Plantar fascia thickness: a cross-sectional study",
            year=2020,
            authors=(("Müller", "J"),),
        ),
    )
    assert imported(cli, other_year)["imported"] == 1
    other_doi = xml_file(  # same title, year and author, but another DOI: another paper
        tmp_path / "d.xml",
        article(
            90003011,
            doi="10.5555/another",
            title="Plantar fascia thickness: a cross-sectional study",
            authors=(("Müller", "J"),),
        ),
    )
    assert imported(cli, other_doi)["imported"] == 1


def test_duplicates_within_one_file_are_one_paper(cli: Cli, tmp_path: Path) -> None:
    path = xml_file(
        tmp_path / "twice.xml",
        article(90004001, doi="10.5555/twice", abstract=None),
        article(90004001, doi="10.5555/twice", abstract="Now with an abstract."),
    )
    report = imported(cli, path)
    assert (report["imported"], report["merged"]) == (1, 1)
    assert report["merged_records"][0]["detail"] == "same paper as record 1 of this file"
    assert refs(cli)["pmid:90004001"]["abstract"] == "Now with an abstract."


def test_a_retraction_notice_merged_into_a_paper_with_none_marks_it_retracted(
    cli: Cli, tmp_path: Path
) -> None:
    ok(cli("ref", "add", "10.5555/merge.2"))
    path = xml_file(
        tmp_path / "retracted.xml",
        article(90002002, doi="10.5555/merge.2", retraction_in=90002999),
    )
    report = imported(cli, path)
    assert (report["imported"], report["merged"]) == (0, 1)
    assert "retraction" in report["merged_records"][0]["detail"]
    assert refs(cli)["doi:10.5555/merge.2"]["retraction"] == "retracted"


def test_identifiers_of_two_stored_papers_are_skipped_with_the_reason(
    cli: Cli, tmp_path: Path
) -> None:
    ok(cli("ref", "add", "10.5555/one", "90005002"))
    path = xml_file(
        tmp_path / "clash.xml",
        article(90005002, doi="10.5555/one"),
        article(90005003, doi="10.5555/fine"),
    )
    report = imported(cli, path)
    assert (report["imported"], report["skipped"]) == (1, 1)
    skipped = report["skipped_records"][0]
    assert skipped["where"] == "record 1 (PMID 90005002)"
    assert (
        "belong to different stored papers ('doi:10.5555/one', 'pmid:90005002')"
        in (skipped["detail"])
    )
    result = cli("import", str(path), "--strict")
    assert result.exit_code == 2
    assert "--strict is on, so nothing was written: record 1 (PMID 90005002)" in result.stderr


def test_a_matched_paper_with_another_doi_is_skipped(cli: Cli, tmp_path: Path) -> None:
    ok(cli("ref", "add", "90006001"))
    ok(cli("ref", "edit", "90006001", "--doi", "10.5555/stored"))
    path = xml_file(tmp_path / "x.xml", article(90006001, doi="10.5555/other"))
    report = imported(cli, path)
    assert report["skipped_records"][0]["detail"] == (
        "matches 'pmid:90006001' but its DOI is 10.5555/other, the stored paper's is 10.5555/stored"
    )


def test_strict_writes_nothing_when_one_record_is_broken(
    db_url: str, cli: Cli, tmp_path: Path
) -> None:
    truncated = xml_file(
        tmp_path / "cut.xml.gz",
        article(90007001),
        article(90007002),
        tail="<PubmedArticle><MedlineCitation><PMID>9000",
        packed=True,
    )
    before = rows(db_url)
    result = cli("import", str(truncated), "--strict")
    assert result.exit_code == 2
    assert str(truncated) in result.stderr and "record 3" in result.stderr
    assert rows(db_url) == before
    report = imported(cli, truncated)
    assert (report["imported"], report["skipped"]) == (2, 1)
    assert report["skipped_records"][0]["where"] == "record 3"
    assert "broken XML" in report["skipped_records"][0]["detail"]


def test_a_gzip_stream_cut_short_keeps_the_records_before_the_cut(cli: Cli, tmp_path: Path) -> None:
    whole = xml_file(
        tmp_path / "whole.xml.gz", *[article(90008000 + i) for i in range(1, 200)], packed=True
    )
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    report = imported(cli, cut)
    assert report["imported"] > 50 and report["skipped"] == 1
    assert report["imported"] + report["skipped"] == report["records"]


def test_deleted_citations_are_reported_and_stored_papers_kept(cli: Cli, tmp_path: Path) -> None:
    ok(cli("ref", "add", "90009001"))
    path = xml_file(
        tmp_path / "update.xml",
        article(90009002),
        tail='<DeleteCitation><PMID Version="1">90009001</PMID><PMID Version="1">90009003</PMID>'
        "</DeleteCitation></PubmedArticleSet>",
    )
    report = imported(cli, path)
    assert report["deleted_citations"] == [
        "PubMed deleted PMID 90009001 (record 2): stored paper 'pmid:90009001' is kept; check it",
        "PubMed deleted PMID 90009003 (record 2): not stored here",
    ]
    assert "pmid:90009001" in refs(cli)


def test_dry_run_reports_and_writes_nothing(db_url: str, cli: Cli, tmp_path: Path) -> None:
    path = xml_file(tmp_path / "a.xml", article(90010001), article(90010002))
    before = rows(db_url)
    said = ok(cli("import", str(path), "--dry-run"))
    assert said.startswith("Dry run, nothing written: would import 2, merge 0, skip 0 of 2")
    assert rows(db_url) == before


def test_claim_links_every_paper_and_keeps_an_existing_judgement(cli: Cli, tmp_path: Path) -> None:
    ok(
        cli(
            "claim",
            "add",
            "synthetic-import-claim",
            "--statement",
            "Synthetic.",
            "--type",
            "treatment",
        )
    )
    ok(cli("ref", "add", "90011001"))
    ok(
        cli(
            "link",
            "synthetic-import-claim",
            "90011001",
            "--stance",
            "refutes",
            "--rationale",
            "The curator's reading.",
        )
    )
    path = xml_file(
        tmp_path / "rcts.xml",
        article(90011001, types=("Randomized Controlled Trial",)),
        article(90011002, types=("Randomized Controlled Trial",)),
    )
    report = imported(
        cli,
        path,
        "--claim",
        "synthetic-import-claim",
        "--stance",
        "supports",
        "--rationale",
        "Synthetic trials found by the import.",
    )
    assert (report["linked"], report["already_linked"]) == (1, 1)
    shown = json.loads(ok(cli("claim", "show", "synthetic-import-claim", "--json")))
    stances = {e["reference"]["key"]: e["stance"] for e in shown["evidence"]}
    assert stances == {"pmid:90011001": "refutes", "pmid:90011002": "supports"}
    assert shown["verdict"] == "contested"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--claim", "no-such-claim", "--stance", "supports", "--rationale", "x"), "unknown claim"),
        (("--claim", "c"), "missing --stance and --rationale"),
        (("--stance", "supports"), "missing --claim"),
        (("--format", "endnote-xml"), "invalid format 'endnote-xml'"),
    ],
)
def test_bad_options_fail_before_anything_is_written(
    db_url: str, cli: Cli, tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    path = xml_file(tmp_path / "a.xml", article(90012001))
    before = rows(db_url)
    result = cli("import", str(path), *options)
    assert result.exit_code in (2, 3) and message in result.stderr, result.stderr
    assert rows(db_url) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        (b"<?xml version='1.0'?><rss><channel/></rss>", "not PubMed XML (root element <rss>"),
        (b"<PubmedArticleSet><PubmedArticle><Medline", "broken XML"),
        (b"just some words\nwith no format\n", "cannot tell its format"),
    ],
)
def test_files_that_cannot_be_read_name_the_file(
    db_url: str, cli: Cli, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    before = rows(db_url)
    result = cli("import", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(f"error: {path}") and message in result.stderr
    assert rows(db_url) == before


def test_a_missing_file_is_named(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nowhere.ris"))
    assert result.exit_code == 2 and "nowhere.ris: no such file" in result.stderr


def test_the_report_file_has_every_record(cli: Cli, tmp_path: Path) -> None:
    path = xml_file(tmp_path / "a.xml", article(90013001), article(90013001), article(90013002))
    out = tmp_path / "report.jsonl"
    ok(cli("import", str(path), "--report", str(out)))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["position"], r["action"], r["reference"]) for r in lines] == [
        (1, "imported", "pmid:90013001"),
        (2, "merged", "pmid:90013001"),
        (3, "imported", "pmid:90013002"),
    ]


def test_history_names_the_file_and_record_of_each_new_paper(cli: Cli, tmp_path: Path) -> None:
    path = xml_file(tmp_path / "a.xml", article(90014001))
    ok(cli("import", str(path), user="curator-ann"))
    entry = json.loads(ok(cli("history", "--json", "--limit", "1")))[0]
    assert (entry["actor"], entry["action"], entry["key"]) == (
        "curator-ann",
        "create",
        "pmid:90014001",
    )
    assert entry["reason"] == f"imported from {path}, record 1"


def test_a_large_file_is_imported_in_batches(db_url: str, cli: Cli, tmp_path: Path) -> None:
    """More records than one batch, duplicates across the batch boundary included."""
    articles = [article(90015000 + i, doi=f"10.5555/batch.{i}") for i in range(1, 1201)]
    articles.append(article(90015001, doi="10.5555/batch.1"))  # record 1201 repeats record 1
    report = imported(cli, xml_file(tmp_path / "big.xml.gz", *articles, packed=True))
    assert (report["imported"], report["merged"]) == (1200, 1)
    assert len(rows(db_url)["reference"]) == 1200


def test_a_bad_stance_fails_even_when_every_paper_is_already_linked(
    db_url: str, cli: Cli, tmp_path: Path
) -> None:
    ok(cli("claim", "add", "synthetic-linked", "--statement", "Synthetic.", "--type", "causal"))
    path = xml_file(tmp_path / "a.xml", article(90016001))
    ok(
        cli(
            "import",
            str(path),
            "--claim",
            "synthetic-linked",
            "--stance",
            "supports",
            "--rationale",
            "Synthetic.",
        )
    )
    before = rows(db_url)
    for options in (("--stance", "maybe"), ("--stance", "supports", "--downgrade", "badness")):
        result = cli(
            "import", str(path), "--claim", "synthetic-linked", "--rationale", "x", *options
        )
        assert result.exit_code == 2, result.stderr
    said = ok(
        cli(
            "import",
            str(path),
            "--claim",
            "synthetic-linked",
            "--stance",
            "refutes",
            "--rationale",
            "Synthetic.",
        )
    )
    assert "1 already linked to it: their recorded stance and judgements were kept" in said
    assert rows(db_url)["evidence"] == before["evidence"]


def test_the_report_may_not_overwrite_the_file_imported(cli: Cli, tmp_path: Path) -> None:
    path = xml_file(tmp_path / "a.xml", article(90017001))
    kept = path.read_bytes()
    result = cli("import", str(path), "--report", str(path))
    assert result.exit_code == 2 and "would overwrite the file imported" in result.stderr
    assert path.read_bytes() == kept


def test_an_article_that_is_not_pubmeds_is_skipped_and_the_rest_read(
    cli: Cli, tmp_path: Path
) -> None:
    path = xml_file(
        tmp_path / "mid.xml",
        article(90018001),
        "<PubmedArticle><PubmedData/></PubmedArticle>",
        article(90018002),
        article(90018003),
    )
    report = imported(cli, path)
    assert (report["imported"], report["skipped"]) == (3, 1)
    assert report["skipped_records"][0]["position"] == 2
    assert "without MedlineCitation" in report["skipped_records"][0]["detail"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.json", b'\xef\xbb\xbf[{"title": "Synthetic BOM", "DOI": "10.5555/bom1"}]'),
        (
            "bom.txt",
            b"\xef\xbb\xbfTY  - JOUR\r\nTI  - Synthetic BOM\r\nDO  - 10.5555/bom1\r\nER  - \r\n",
        ),
        (
            "utf16.ris",
            "TY  - JOUR\r\nTI  - Synthetic BOM\r\nDO  - 10.5555/bom1\r\nER  - \r\n".encode(
                "utf-16"
            ),
        ),
    ],
)
def test_a_byte_order_mark_does_not_hide_the_format(
    cli: Cli, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = imported(cli, path)
    assert report["imported"] == 1, report
    assert refs(cli)["doi:10.5555/bom1"]["title"] == "Synthetic BOM"


def test_control_characters_and_lone_surrogates_are_dropped(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(
        '[{"title": "Synthetic\\u0000 odd\\ud800 title", "DOI": "10.5555/odd",'
        ' "abstract": "Line one\\u0007\\nline two"}]',
        encoding="utf-8",
    )
    assert imported(cli, path)["imported"] == 1
    ref = refs(cli)["doi:10.5555/odd"]
    assert ref["title"] == "Synthetic odd title"
    assert ref["abstract"] == "Line one\nline two"


def test_dotted_initials_find_the_same_first_author(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "names.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Synthetic initials\nAU  - Smith, J.A.\nPY  - 2020\n"
        "DO  - 10.5555/initials\nER  - \n\n"
        "TY  - JOUR\nTI  - Synthetic initials.\nAU  - Smith J.A.\nPY  - 2020\nER  - \n",
        encoding="utf-8",
    )
    report = imported(cli, path)
    assert (report["imported"], report["merged"]) == (1, 1), report


def test_an_unknown_encoding_is_named(cli: Cli, tmp_path: Path) -> None:
    path = xml_file(tmp_path / "a.xml", article(90019001))
    result = cli("import", str(path), "--encoding", "nonsense")
    assert result.exit_code == 2 and "invalid encoding 'nonsense'" in result.stderr
