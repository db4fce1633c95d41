"""Build seeds/ from the hand-curated corpus in ../shared/literature/ (run from the repo root).

    python seeds/build_from_literature.py [../shared/literature]

The seeds are a faithful re-shaping of that corpus into this project's seed format: no
identifier, title or quote is added or changed here; a claim the curators listed under
``claims_without_evidence`` becomes a recorded search with no hits, since that is what the
corpus says happened (its query and date were not recorded, and the seed says so).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

FORMAT = "evidence-seed/1"
HEADER = (
    "# Starter content built from shared/literature/ by seeds/build_from_literature.py.\n"
    "# Do not edit by hand: change the corpus and rebuild. Format: {fmt} (see seeds/README.md).\n"
)


def build(literature: Path, out: Path) -> None:
    def load(name: str) -> dict:
        return yaml.safe_load((literature / name).read_text(encoding="utf-8"))

    sources, claims, refs, evidence = (
        load("sources.yaml"),
        load("claims.yaml"),
        load("references.yaml"),
        load("evidence.yaml"),
    )
    write(
        out / "sources.yaml",
        {
            "format": FORMAT,
            "sources": [
                {
                    "key": s["file"],
                    "title": s["title"],
                    "kind": s["kind"],
                    "origin": s.get("origin"),
                    "conflicts_of_interest": s.get("conflicts_of_interest"),
                    "credibility_notes": s.get("credibility_notes"),
                    "text_file": f"sources/{s['file']}",
                }
                for s in sources["sources"]
            ],
        },
    )
    # the documents themselves, byte for byte
    (out / "sources").mkdir(exist_ok=True)
    for s in sources["sources"]:
        shutil.copyfile(literature / "sources" / s["file"], out / "sources" / s["file"])
    write(
        out / "claims.yaml",
        {
            "format": FORMAT,
            "claims": [
                {
                    "id": c["id"],
                    "statement": c["statement"],
                    "type": c["type"],
                    "tags": c.get("tags") or [],
                    "assertions": [
                        {"source": a["source"], "quote": a["quote"]}
                        for a in c.get("asserted_by") or []
                    ],
                }
                for c in claims["claims"]
            ],
            "claim_links": [
                {
                    "from": link["from_claim"],
                    "to": link["to_claim"],
                    "relation": link["relation"],
                    "source": link.get("asserted_by"),
                }
                for link in claims.get("chain_links") or []
            ],
            "searches": [
                {
                    "claim": claim_id,
                    "database": "stored copies of public web pages, searched for this corpus",
                    "query": "not recorded by the curators",
                    "date": None,
                    "hits": 0,
                    "notes": "Listed under claims_without_evidence in "
                    "shared/literature/evidence.yaml: no paper bearing on this claim was found.",
                }
                for claim_id in evidence.get("claims_without_evidence") or []
            ],
        },
    )
    write(
        out / "references.yaml",
        {
            "format": FORMAT,
            "references": [
                {
                    "key": r["key"],
                    "doi": r.get("doi"),
                    "pmid": str(r["pmid"]) if r.get("pmid") else None,
                    "pmcid": r.get("pmcid"),
                    "title": r.get("title"),
                    "authors": [r["first_author"]] if r.get("first_author") else [],
                    "journal": r.get("journal"),
                    "year": r.get("year"),
                    "design": r.get("design"),
                    "review_of": r.get("review_of"),
                    "sample_size": r.get("n"),
                    "summary": r.get("summary"),
                    "notes": r.get("notes"),
                    "seen_at": r.get("seen_at") or [],
                }
                for r in refs["references"]
            ],
        },
    )
    write(
        out / "evidence.yaml",
        {
            "format": FORMAT,
            "links": [
                {
                    "claim": e["claim"],
                    "reference": e["reference"],
                    "stance": e["stance"],
                    "downgrades": e.get("downgrades") or [],
                    "upgrades": e.get("upgrades") or [],
                    "rationale": e["rationale"],
                }
                for e in evidence["links"]
            ],
        },
    )


def write(path: Path, data: dict) -> None:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(HEADER.format(fmt=FORMAT) + body, encoding="utf-8")


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    source = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent.parent / "shared" / "literature"
    )
    build(source, here)
    print(f"seeds written to {here} from {source}")
