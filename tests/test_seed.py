"""Starter content: faithful to shared/literature, loaded idempotently, graded alike everywhere."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update
from sqlmodel import select

from evidence import paths
from evidence.domain.models import Assertion, Source
from evidence.errors import InvalidRecord
from evidence.services.transfer.seeding import FILES, load_seeds, read_seeds
from evidence.services.views.summaries import list_claims
from evidence.store.engine import Store
from tests.support.snapshot import rows

LITERATURE = Path(__file__).resolve().parents[2] / "shared" / "literature"


def test_seeding_twice_leaves_the_same_rows(seeded_url: str) -> None:
    before = rows(seeded_url)
    store = Store.open(seeded_url)
    try:
        with store.transaction() as s:
            report = load_seeds(s, folder=paths.seeds_dir(), actor="again")
    finally:
        store.close()
    assert report.total_created == 0
    assert report.present == {
        "sources": 5,
        "claims": 40,
        "assertions": 57,
        "references": 133,
        "evidence": 171,
        "claim_links": 22,
        "searches": 1,
    }
    assert rows(seeded_url) == before


def test_every_starter_claim_gets_a_verdict_and_an_explanation(seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        claims = list_claims(s)
    assert len(claims) == 40
    for c in claims:
        assert c["verdict"] and c["certainty"] and c["explanation"].strip(), c["id"]
    berlin = next(c for c in claims if c["id"] == "berlin-2023-tibial-compression-case-series")
    assert berlin["unproven_reason"] == "searched_nothing_found"


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_identical_verdicts(
    sqlite_factory,
    postgres_factory,  # noqa: ANN001
) -> None:
    outputs = []
    for factory in (sqlite_factory, postgres_factory):
        store = Store.open(factory.new(seeded=True))
        try:
            with store.reading() as s:
                outputs.append(json.dumps(list_claims(s), sort_keys=True))
        finally:
            store.close()
    assert outputs[0] == outputs[1]


@pytest.mark.skipif(not LITERATURE.is_dir(), reason="shared/literature is not beside the repo")
def test_seeds_are_the_curated_corpus_and_nothing_else() -> None:
    lit = {
        name: yaml.safe_load((LITERATURE / name).read_text())
        for name in ("sources.yaml", "claims.yaml", "references.yaml", "evidence.yaml")
    }
    data = read_seeds(paths.seeds_dir())
    curated = {r["key"]: r for r in lit["references.yaml"]["references"]}
    assert {r["key"] for r in data.references} == set(curated)
    for r in data.references:
        c = curated[r["key"]]
        assert r["doi"] == (c["doi"].lower() if c["doi"] else None), r["key"]
        assert r["pmid"] == (str(c["pmid"]) if c["pmid"] else None), r["key"]
        assert r["pmcid"] == c["pmcid"], r["key"]
        assert (r["title"], r["year"], r["design"]) == (c["title"], c["year"], c["design"])
    assert {c["id"] for c in data.claims} == {c["id"] for c in lit["claims.yaml"]["claims"]}
    assert len(data.links) == len(lit["evidence.yaml"]["links"])
    assert Counter(e["stance"] for e in data.links) == Counter(
        e["stance"] for e in lit["evidence.yaml"]["links"]
    )
    # every DOI or PMID anywhere in seeds/ is one of the curated papers
    known = (LITERATURE / "references.yaml").read_text().lower()
    for file in paths.seeds_dir().glob("*.yaml"):
        text = file.read_text()
        for doi in re.findall(r"\b10\.\d{4,9}/[^\s\"',;\]\)}>]+", text):
            assert doi.rstrip(".").lower() in known, (file.name, doi)
        for pmid in re.findall(r"pmid[\"']?\s*[:=]\s*[\"']?(\d{1,9})", text, re.I):
            assert re.search(rf"\b{pmid}\b", known), (file.name, pmid)


def test_the_source_documents_are_seeded_byte_for_byte(tmp_path: Path, db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.transaction() as s:
            load_seeds(s, folder=paths.seeds_dir(), actor="t")
        with store.reading() as s:
            stored = {
                src.key: (src.text, src.text_sha256, src.text_size, src.text_format)
                for src in s.scalars(select(Source))
            }
            matches = Counter(a.quote_match for a in s.scalars(select(Assertion)))
    finally:
        store.close()
    corpus = yaml.safe_load((LITERATURE / "sources.yaml").read_text())["sources"]
    assert sorted(stored) == sorted(c["file"] for c in corpus)
    for c in corpus:
        data = (LITERATURE / "sources" / c["file"]).read_bytes()
        text, sha256, size, text_format = stored[c["file"]]
        assert text is not None and text.encode() == data
        assert (sha256, size, text_format) == (hashlib.sha256(data).hexdigest(), len(data), "text")
    # every starter quote is found, verbatim once whitespace is normalised
    assert matches == {"exact": 57}


def test_a_source_seeded_without_its_text_gets_it_from_the_next_seed(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.transaction() as s:
            load_seeds(s, folder=paths.seeds_dir(), actor="t")
        with store.transaction() as s:  # as a database seeded before texts were kept
            s.execute(update(Source).values(text=None, text_sha256=None, text_size=None))
            s.execute(update(Assertion).values(quote_match="no_text", quote_start=None))
        with store.transaction() as s:
            report = load_seeds(s, folder=paths.seeds_dir(), actor="again")
        with store.reading() as s:
            assert all(src.text for src in s.scalars(select(Source)))
            assert {a.quote_match for a in s.scalars(select(Assertion))} == {"exact"}
    finally:
        store.close()
    assert report.created == {"source texts": 5}


def _broken_copy(tmp_path: Path, file: str, edit: Callable[[dict], None]) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in FILES:
        (folder / name).write_text((paths.seeds_dir() / name).read_text())
    shutil.copytree(paths.seeds_dir() / "sources", folder / "sources")
    data = yaml.safe_load((folder / file).read_text())
    edit(data)
    (folder / file).write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "claims.yaml",
            lambda d: d["claims"][1].update(type="hunch"),
            r"claims.yaml: record #2 \(lordosis-loss-alters-lumbar-mechanics\): invalid claim type",
        ),
        (
            "evidence.yaml",
            lambda d: d["links"][0].update(stance="agrees"),
            r"evidence.yaml: record #1 \(nmf-old-injury-lumbar-fibrosis <- "
            r".*invalid stance 'agrees'",
        ),
        (
            "evidence.yaml",
            lambda d: d["links"][2].update(reference="nobody-2020"),
            r"unknown reference 'nobody-2020'",
        ),
        (
            "references.yaml",
            lambda d: d["references"][0].update(doi="10.12/short"),
            r"references.yaml: record #1 \(ortega-santiago-2019-trp-php\): invalid identifier",
        ),
        (
            "references.yaml",
            lambda d: d["references"][1].update(doi=d["references"][0]["doi"]),
            r"duplicate doi",
        ),
        ("claims.yaml", lambda d: d["claims"].append(dict(d["claims"][0])), r"duplicate id"),
        ("sources.yaml", lambda d: d.update(format="other/9"), r"not a seed file"),
        ("claims.yaml", lambda d: d["claim_links"][0].update(to="nowhere"), r"unknown claim"),
        (
            "claims.yaml",
            lambda d: d["claims"][0].update(statement=2024),
            r"#1 \(nmf-old-injury-lumbar-fibrosis\): field 'statement' must be non-empty text",
        ),
        (
            "claims.yaml",
            lambda d: d["claims"][0].update(tags="plantar"),
            r"field 'tags' must be a list of text",
        ),
        (
            "references.yaml",
            lambda d: d["references"][0].update(authors="Smith J"),
            r"field 'authors' must be a list of text",
        ),
        (
            "references.yaml",
            lambda d: d["references"][0].update(year=True),
            r"field 'year' must be a whole number",
        ),
        ("references.yaml", lambda d: d["references"][0].update(year=20190), r"invalid year 20190"),
        (
            "references.yaml",
            lambda d: d["references"][0].update(sample_size=-40),
            r"invalid sample size -40",
        ),
        (
            "evidence.yaml",
            lambda d: d["links"].append(dict(d["links"][0])),
            r"evidence.yaml: record #172 .*duplicate evidence link",
        ),
        (
            "claims.yaml",
            lambda d: d["claim_links"].append(dict(d["claim_links"][0])),
            r"claim_links #23: duplicate claim link",
        ),
        (
            "claims.yaml",
            lambda d: d["claim_links"].append(
                {
                    "from": "lordosis-loss-alters-lumbar-mechanics",
                    "to": "nmf-old-injury-lumbar-fibrosis",
                    "relation": "leads_to",
                }
            ),
            r"claim_links #23: leads_to chain loops back on itself",
        ),
        ("claims.yaml", lambda d: d["searches"][0].update(hits=-1), r"searches #1: invalid hits"),
        (
            "claims.yaml",
            lambda d: d["searches"][0].update(date="2999-01-01"),
            r"searches #1: invalid date '2999-01-01'",
        ),
        (
            "sources.yaml",
            lambda d: d["sources"][1].update(text_file="sources/missing.txt"),
            r"sources.yaml: record #2 \(001_ed02f8b9311de79a.txt\): text_file "
            r"'sources/missing.txt': no such file",
        ),
        (
            "sources.yaml",
            lambda d: d["sources"][0].update(text_file="../../etc/passwd"),
            r"record #1 .*must name a file inside",
        ),
        (
            "claims.yaml",
            lambda d: d["claims"][0]["assertions"][0].update(
                quote="Old injuries cause trouble nobody in this deck ever wrote about at all."
            ),
            r"claims.yaml: record nmf-old-injury-lumbar-fibrosis: the quote 'Old injuries cause "
            r"trouble.*' is not in the text of source '000_b276ca4228422a67.txt'",
        ),
    ],
)
def test_a_bad_seed_record_is_named_and_nothing_is_written(
    tmp_path: Path, db_url: str, file: str, edit: Callable[[dict], None], message: str
) -> None:
    folder = _broken_copy(tmp_path, file, edit)
    before = rows(db_url)
    store = Store.open(db_url)
    try:
        with pytest.raises(InvalidRecord, match=message), store.transaction() as s:
            load_seeds(s, folder=folder, actor="t")
    finally:
        store.close()
    assert rows(db_url) == before


def test_unreadable_seed_files_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "sources.yaml").write_bytes(b"format: [unclosed\n")
    with pytest.raises(InvalidRecord, match="not readable YAML"):
        read_seeds(folder)
    (folder / "sources.yaml").unlink()
    with pytest.raises(InvalidRecord, match="file not found"):
        read_seeds(folder)


def test_evidence_a_curator_removed_stays_removed(seeded_url: str) -> None:
    from evidence.services.records.evidence import unlink_evidence

    store = Store.open(seeded_url)
    try:
        with store.transaction() as s:
            unlink_evidence(
                s,
                claim_id="calf-contracture-near-universal-chronic-pf",
                ref="irving-2007-cphp-case-control",
                actor="curator",
                reason="not about contracture prevalence",
            )
        with store.transaction() as s:
            report = load_seeds(s, folder=paths.seeds_dir(), actor="again")
        with store.reading() as s:
            claim = next(
                c for c in list_claims(s) if c["id"] == "calf-contracture-near-universal-chronic-pf"
            )
    finally:
        store.close()
    assert report.total_created == 0 and report.removed == {"evidence": 1}
    assert claim["verdict"] == "limited_support"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command",
    [
        ["claims", "list", "--json"],
        ["sources", "--json"],
        ["chain", "lumbar-root-lower-limb-neuropathy", "--json"],
        ["claim", "show", "foot-orthoses-reduce-back-pain", "--json"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_the_cli_prints_the_same_on_sqlite_and_postgresql(
    sqlite_factory,
    postgres_factory,
    command: list[str],  # noqa: ANN001
) -> None:
    from tests.conftest import Cli

    def strip_times(value):  # noqa: ANN001, ANN202 - creation times differ between the two loads
        if isinstance(value, dict):
            return {
                k: strip_times(v) for k, v in value.items() if k not in ("created_at", "updated_at")
            }
        if isinstance(value, list):
            return [strip_times(v) for v in value]
        return value

    outputs = []
    for factory in (sqlite_factory, postgres_factory):
        result = Cli(factory.new(seeded=True))(*command)
        assert result.exit_code == 0, result.stderr
        outputs.append(strip_times(json.loads(result.stdout)))
    assert outputs[0] == outputs[1]
