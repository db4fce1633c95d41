"""`evidence import` on files shaped exactly like real Zotero, JabRef, EndNote, PubMed, Rayyan
and Covidence exports (tests/fixtures/imports/, described in its README.md; the values a
correct import gives are in EXPECTED.json); duplicates across files; bad files; and round
trips: import -> export -> import gives the same papers, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evidence.domain.names import family_name
from evidence.formats.citations import FIELDS
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.snapshot import rows

FOLDER = Path(__file__).parent / "fixtures" / "imports"
EXPECTED = json.loads((FOLDER / "EXPECTED.json").read_text(encoding="utf-8"))
GOOD = sorted(k for k, v in EXPECTED.items() if isinstance(v, list) and "." in k)
BAD = sorted(k for k, v in EXPECTED.items() if isinstance(v, dict) and "file_error" in v)
ROUND_TRIP_FIELDS = FIELDS


def imported(cli: Cli, path: Path, *options: str) -> dict:
    return json.loads(ok(cli("import", str(path), "--json", *options)))


def stored(cli: Cli) -> list[dict]:
    return json.loads(ok(cli("refs", "list", "--json")))


def find(refs: list[dict], record: dict) -> dict:
    for name in ("doi", "pmid", "pmcid"):
        if record.get(name):
            hits = [r for r in refs if r[name] == record[name]]
            assert hits, f"no stored paper has {name} {record[name]}"
            return hits[0]
    hits = [r for r in refs if r["title"] == record["title"]]
    assert len(hits) == 1, record["title"]
    return hits[0]


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.mark.parametrize("name", GOOD)
def test_each_real_export_imports_every_field(name: str, sqlite_factory) -> None:
    cli = Cli(sqlite_factory.new(seeded=False))
    expected = EXPECTED[name]
    report = imported(cli, FOLDER / name)
    assert report["skipped"] == 0, report["skipped_records"]
    assert report["imported"] + report["merged"] == len(expected)
    refs = stored(cli)
    for record in expected:
        ref = find(refs, record)
        where = f"{name} record {record['position']}"
        for field in ("doi", "pmid", "pmcid", "title", "year"):
            if field in record:
                assert ref[field] == record[field], (where, field, ref[field])
        # a chapter's container is its book: stored as the journal, as PubMed XML does
        chapter = record.get("type") in ("chapter", "CHAP", "incollection", "inbook")
        if "journal" in record and not (chapter and record["journal"] is None):
            assert ref["journal"] == record["journal"], (where, ref["journal"])
        if chapter and record.get("container_title"):
            assert ref["journal"] == record["container_title"], where
        if "keywords" in record:
            assert ref["keywords"] == record["keywords"], where
        if "publication_types" in record:
            assert ref["publication_types"] == record["publication_types"], where
        if record.get("first_author_family"):
            assert family_name(ref["authors"][0]) == record["first_author_family"], where
        if "authors" in record:
            assert ref["authors"] == record["authors"], where


@pytest.mark.parametrize("name", BAD)
def test_bad_files_name_the_file_and_record_and_strict_writes_nothing(
    name: str, sqlite_factory
) -> None:
    url = sqlite_factory.new(seeded=False)
    cli = Cli(url)
    expected = EXPECTED[name]
    path = FOLDER / name
    empty = rows(url)
    strict = cli("import", str(path), "--strict")
    assert strict.exit_code == 2, (strict.stdout, strict.stderr)
    assert strict.stderr.startswith(f"error: {path}"), strict.stderr
    assert rows(url) == empty
    if expected["file_error"] and not expected["broken_positions"]:  # nothing can be read
        result = cli("import", str(path))
        assert result.exit_code == 2 and result.stderr.startswith(f"error: {path}")
        assert rows(url) == empty
        return
    report = imported(cli, path)
    skipped = [r["position"] for r in report["skipped_records"]]
    assert skipped == expected["broken_positions"], report["skipped_records"]
    assert report["imported"] == expected["good_count"]
    assert report["records"] == expected["good_count"] + len(expected["broken_positions"])
    for record in report["skipped_records"]:
        assert record["where"].startswith(f"record {record['position']}")
        assert record["detail"]


def test_a_legacy_encoding_is_read_when_named(cli: Cli) -> None:
    path = FOLDER / "cp1252.ris"
    refused = cli("import", str(path))
    assert refused.exit_code == 2 and "--encoding" in refused.stderr and "line " in refused.stderr
    report = imported(cli, path, "--encoding", "cp1252")
    assert report["imported"] >= 1 and report["skipped"] == 0
    assert any("é" in (r["title"] or "") + "".join(r["authors"]) for r in stored(cli))


@pytest.mark.parametrize("pair", EXPECTED["duplicates"], ids=lambda p: p["by"])
def test_the_same_paper_in_two_files_is_stored_once(pair: dict, cli: Cli) -> None:
    first, second = pair["a"], pair["b"]
    imported(cli, FOLDER / first["file"])
    report = imported(cli, FOLDER / second["file"])
    merged = {r["position"]: r for r in report["merged_records"]}
    assert second["position"] in merged, report
    refs = stored(cli)
    before = len(refs)
    again = imported(cli, FOLDER / first["file"])
    assert again["imported"] == 0 and len(stored(cli)) == before


def _comparable(refs: list[dict]) -> list[dict]:
    return sorted(
        ({f: r[f] for f in ROUND_TRIP_FIELDS} for r in refs),
        key=lambda r: (r["doi"] or "", r["pmid"] or "", r["title"] or ""),
    )


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csv", "csl-json"])
def test_import_export_import_gives_the_same_papers(
    fmt: str, db_url: str, new_db, tmp_path: Path
) -> None:
    cli = Cli(db_url)
    for name in GOOD:
        imported(cli, FOLDER / name)
    original = stored(cli)
    out = tmp_path / f"export.{fmt}"
    result = cli("export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "note:" in result.stderr  # what the format cannot carry is said
    again = new_db()
    report = json.loads(ok(cli("import", str(out), "--json", url=again)))
    assert report["skipped"] == 0 and report["imported"] == len(original), report
    assert _comparable(stored(Cli(again))) == _comparable(original)


def test_exports_filter_by_claim_and_band(seeded_url: str, tmp_path: Path) -> None:
    cli = Cli(seeded_url)
    claims = json.loads(ok(cli("claims", "list", "--json", "--band", "disputed")))
    one = claims[0]["id"]
    detail = json.loads(ok(cli("claim", "show", one, "--json")))
    keys = {e["reference"]["key"] for e in detail["evidence"]}
    csv_text = ok(cli("export", "--format", "csv", "--claim", one))
    lines = csv_text.strip().splitlines()
    assert len(lines) == 1 + len(keys)
    assert all(one in line for line in lines[1:])
    markdown = ok(cli("export", "--format", "markdown", "--band", "disputed"))
    assert markdown.count("\n### ") == len(claims)  # one section a claim
    assert f"\n## Disputed ({len(claims)})\n" in markdown
    assert "| Paper | Design | Year | Stance | Certainty |" in markdown
    bad = cli("export", "--format", "csv", "--band", "maybe")
    assert bad.exit_code == 2 and "band" in bad.stderr


def test_papers_without_identifiers_or_year_come_back_to_themselves(
    cli: Cli, tmp_path: Path
) -> None:
    """Our own export carries each paper's key: re-importing it merges, even for a paper
    with no DOI, PMID, PMCID or year (a textbook chapter, a web page)."""
    bib = tmp_path / "plain.bib"
    bib.write_text(
        "@misc{statpearls_heel,\n  title = {Plantar Heel Pain},\n}\n"
        "@article{doe_study,\n  title = {A synthetic study without a year},\n"
        "  author = {Doe, Jane},\n}\n",
        encoding="utf-8",
    )
    assert imported(cli, bib)["imported"] == 2
    assert {r["key"] for r in stored(cli)} == {"statpearls_heel", "doe_study"}
    assert imported(cli, bib)["merged"] == 2
    for fmt in ("csv", "bibtex", "ris", "csl-json"):
        out = tmp_path / f"export.{fmt}"
        ok(cli("export", "--format", fmt, "-o", str(out)))
        report = imported(cli, out, "--format", fmt)
        assert (report["imported"], report["merged"]) == (0, 2), (fmt, report)
    assert len(stored(cli)) == 2


def test_markdown_shows_text_as_text(cli: Cli) -> None:
    statement = (
        "Synthetic <script>alert(1)</script> [click](javascript:alert(1)) *bold* | pipe "
        "see https://phish.example/x and www.phish.example"
    )
    ok(cli("claim", "add", "synthetic-markup", "--statement", statement, "--type", "causal"))
    markdown = ok(cli("export", "--format", "markdown", "--claim", "synthetic-markup"))
    assert "<script>" not in markdown and not re.search(r"(?<!\\)\]\(", markdown)
    assert "`https://phish.example/x` and `www.phish.example`" in markdown
    assert r"\<script\>alert(1)\</script\>" in markdown
    assert r"\[click\](javascript:alert(1))" in markdown and r"\*bold\* \| pipe" in markdown
