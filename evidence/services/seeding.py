"""Loading the starter content (seeds/): checked whole first, then written in one transaction.

Seeding adds what is missing and never overwrites: a claim a curator has edited since keeps
the curator's version. Running it twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlmodel import Session

from evidence import clock
from evidence.domain.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from evidence.domain.models import (
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    History,
    Reference,
    Source,
)
from evidence.domain.vocab import (
    REVIEW_DESIGNS,
    ClaimType,
    Design,
    Downgrade,
    Relation,
    ReviewOf,
    SourceKind,
    Stance,
    Upgrade,
    parse,
)
from evidence.errors import EvidenceError, InvalidRecord
from evidence.services import history
from evidence.services.claim_links import link_claims
from evidence.services.claims import (
    add_assertion,
    add_claim,
    check_claim_id,
    check_quote,
    check_statement,
    normalize_tags,
)
from evidence.services.evidence import link_evidence
from evidence.services.references import reference_snapshot
from evidence.services.searches import log_search, parse_date
from evidence.services.sources import add_source

FORMAT = "evidence-seed/1"
FILES = ("sources.yaml", "claims.yaml", "references.yaml", "evidence.yaml")


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # deleted by a curator: not re-added

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.present
        target[kind] = target.get(kind, 0) + 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


@dataclass
class SeedData:
    sources: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    claim_links: list[dict[str, Any]]
    searches: list[dict[str, Any]]
    references: list[dict[str, Any]]
    links: list[dict[str, Any]]


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidRecord(str(path), None, "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(str(path), None, f"not readable YAML: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidRecord(str(path), None, f"not a seed file (expected format: {FORMAT})")
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidRecord(str(path), key, "expected a list of records")
    return items


def _checked(
    path: Path,
    items: list[dict[str, Any]],
    name: Callable[[int, dict], str],
    check: Callable[[dict], dict],
) -> list[dict[str, Any]]:
    out = []
    for index, item in enumerate(items, start=1):
        try:
            out.append(check(item))
        except EvidenceError as exc:
            raise InvalidRecord(str(path), name(index, item), str(exc)) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRecord(
                str(path), name(index, item), f"missing or malformed field {exc}"
            ) from None
    return out


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _source(s: dict) -> dict:
    if not str(s.get("title") or "").strip():
        raise ValueError("'title'")
    return {
        "key": str(s["key"]),
        "title": str(s["title"]),
        "kind": parse(SourceKind, s["kind"], field="source kind").value,
        "origin": _opt(s.get("origin")),
        "url": _opt(s.get("url")),
        "conflicts_of_interest": _opt(s.get("conflicts_of_interest")),
        "credibility_notes": _opt(s.get("credibility_notes")),
    }


def _claim(c: dict) -> dict:
    return {
        "id": check_claim_id(str(c["id"])),
        "statement": check_statement(c["statement"]),
        "type": parse(ClaimType, c["type"], field="claim type").value,
        "tags": normalize_tags(c.get("tags") or []),
        "assertions": [
            {"source": str(a["source"]), "quote": check_quote(a["quote"])}
            for a in c.get("assertions") or []
        ],
    }


def _claim_link(link: dict) -> dict:
    return {
        "from": str(link["from"]),
        "to": str(link["to"]),
        "relation": parse(Relation, link["relation"], field="relation").value,
        "source": _opt(link.get("source")),
    }


def _search(s: dict) -> dict:
    hits = s.get("hits")
    return {
        "claim": str(s["claim"]),
        "database": str(s["database"]),
        "query": str(s["query"]),
        "date": parse_date(s.get("date")),
        "hits": None if hits is None else int(hits),
        "notes": _opt(s.get("notes")),
    }


def _reference(r: dict) -> dict:
    design = parse(Design, r["design"], field="design") if r.get("design") else None
    review_of = parse(ReviewOf, r["review_of"], field="review_of") if r.get("review_of") else None
    if review_of and design not in REVIEW_DESIGNS:
        raise ValueError("'review_of' (only systematic reviews pool studies)")
    return {
        "key": str(r["key"]),
        "doi": normalize_doi(str(r["doi"])) if r.get("doi") else None,
        "pmid": normalize_pmid(str(r["pmid"])) if r.get("pmid") else None,
        "pmcid": normalize_pmcid(str(r["pmcid"])) if r.get("pmcid") else None,
        "title": _opt(r.get("title")),
        "authors": [str(a) for a in r.get("authors") or []],
        "journal": _opt(r.get("journal")),
        "year": int(r["year"]) if r.get("year") is not None else None,
        "design": design.value if design else None,
        "review_of": review_of.value if review_of else None,
        "sample_size": int(r["sample_size"]) if r.get("sample_size") is not None else None,
        "summary": _opt(r.get("summary")),
        "notes": _opt(r.get("notes")),
        "seen_at": [str(u) for u in r.get("seen_at") or []],
    }


def _link(e: dict) -> dict:
    if not str(e.get("rationale") or "").strip():
        raise ValueError("'rationale'")
    return {
        "claim": str(e["claim"]),
        "reference": str(e["reference"]),
        "stance": parse(Stance, e["stance"], field="stance").value,
        "downgrades": [
            d.value
            for d in Downgrade
            if d in {parse(Downgrade, x, field="downgrade") for x in e.get("downgrades") or []}
        ],
        "upgrades": [
            u.value
            for u in Upgrade
            if u in {parse(Upgrade, x, field="upgrade") for x in e.get("upgrades") or []}
        ],
        "rationale": " ".join(str(e["rationale"]).split()),
    }


def read_seeds(folder: Path) -> SeedData:
    """Read and check every seed record; raise :class:`InvalidRecord` at the first bad one."""
    p = {name: folder / name for name in FILES}
    by_key = lambda field_: lambda i, item: f"#{i} ({item.get(field_, '?')})"  # noqa: E731
    data = SeedData(
        sources=_checked(
            p["sources.yaml"], _read(p["sources.yaml"], "sources"), by_key("key"), _source
        ),
        claims=_checked(p["claims.yaml"], _read(p["claims.yaml"], "claims"), by_key("id"), _claim),
        claim_links=_checked(
            p["claims.yaml"],
            _read(p["claims.yaml"], "claim_links"),
            lambda i, x: f"claim_links #{i}",
            _claim_link,
        ),
        searches=_checked(
            p["claims.yaml"],
            _read(p["claims.yaml"], "searches"),
            lambda i, x: f"searches #{i}",
            _search,
        ),
        references=_checked(
            p["references.yaml"],
            _read(p["references.yaml"], "references"),
            by_key("key"),
            _reference,
        ),
        links=_checked(
            p["evidence.yaml"],
            _read(p["evidence.yaml"], "links"),
            lambda i, x: f"#{i} ({x.get('claim')} <- {x.get('reference')})",
            _link,
        ),
    )
    _check_cross_references(p, data)
    return data


def _check_cross_references(p: dict[str, Path], data: SeedData) -> None:
    def unique(path: Path, items: list[dict], key: str) -> set[str]:
        seen: set[str] = set()
        for item in items:
            if item[key] in seen:
                raise InvalidRecord(str(path), item[key], f"duplicate {key}")
            seen.add(item[key])
        return seen

    sources = unique(p["sources.yaml"], data.sources, "key")
    claims = unique(p["claims.yaml"], data.claims, "id")
    refs = unique(p["references.yaml"], data.references, "key")
    for kind in ("doi", "pmid", "pmcid"):
        unique(p["references.yaml"], [r for r in data.references if r[kind]], kind)
    for c in data.claims:
        for a in c["assertions"]:
            if a["source"] not in sources:
                raise InvalidRecord(
                    str(p["claims.yaml"]), c["id"], f"unknown source {a['source']!r}"
                )
    for i, link in enumerate(data.claim_links, start=1):
        for end in ("from", "to"):
            if link[end] not in claims:
                raise InvalidRecord(
                    str(p["claims.yaml"]), f"claim_links #{i}", f"unknown claim {link[end]!r}"
                )
        if link["source"] and link["source"] not in sources:
            raise InvalidRecord(
                str(p["claims.yaml"]), f"claim_links #{i}", f"unknown source {link['source']!r}"
            )
    for i, s in enumerate(data.searches, start=1):
        if s["claim"] not in claims:
            raise InvalidRecord(
                str(p["claims.yaml"]), f"searches #{i}", f"unknown claim {s['claim']!r}"
            )
    for i, e in enumerate(data.links, start=1):
        where = f"#{i} ({e['claim']} <- {e['reference']})"
        if e["claim"] not in claims:
            raise InvalidRecord(str(p["evidence.yaml"]), where, f"unknown claim {e['claim']!r}")
        if e["reference"] not in refs:
            raise InvalidRecord(
                str(p["evidence.yaml"]), where, f"unknown reference {e['reference']!r}"
            )


def load_seeds(session: Session, *, folder: Path, actor: str) -> SeedReport:
    """Add every missing seed record through the services (so each is checked and written to
    the history like a curator's). The caller's transaction makes it all-or-nothing."""
    data = read_seeds(folder)
    report = SeedReport()
    reason = f"starter content from {folder.name}/"
    who = {"actor": actor, "reason": reason}

    stored_sources = set(session.scalars(select(Source.key)))
    for s in data.sources:
        created = s["key"] not in stored_sources
        if created:
            add_source(session, **s, **who)
        report.count("sources", created)

    stored_claims = set(session.scalars(select(Claim.id)))
    for c in data.claims:
        created = c["id"] not in stored_claims
        if created:
            add_claim(
                session,
                claim_id=c["id"],
                statement=c["statement"],
                claim_type=c["type"],
                tags=c["tags"],
                **who,
            )
        report.count("claims", created)
    for c in data.claims:
        for a in c["assertions"]:
            added = add_assertion(
                session, claim_id=c["id"], source_key=a["source"], quote=a["quote"], **who
            )
            report.count("assertions", added is not None)

    refs = _seed_references(session, data.references, report, actor, reason)

    linked = {
        tuple(row) for row in session.execute(select(Evidence.claim_id, Evidence.reference_id))
    }
    # A link a curator removed stays removed: its deletion is in the history.
    removed = set(
        session.scalars(
            select(History.entity_key).where(
                History.entity == "evidence", History.action == "delete"
            )
        )
    )
    for e in data.links:
        ref = refs[e["reference"]]
        if f"{e['claim']}<-{ref.key}" in removed and (e["claim"], ref.id) not in linked:
            report.removed["evidence"] = report.removed.get("evidence", 0) + 1
            continue
        created = (e["claim"], ref.id) not in linked
        if created:  # a link a curator has re-graded since keeps the curator's judgement
            link_evidence(
                session,
                claim_id=e["claim"],
                ref=ref.key,
                stance=e["stance"],
                rationale=e["rationale"],
                downgrades=e["downgrades"],
                upgrades=e["upgrades"],
                **who,
            )
        report.count("evidence", created)

    chained = {
        tuple(row)
        for row in session.execute(
            select(ClaimLink.from_claim_id, ClaimLink.to_claim_id, ClaimLink.relation)
        )
    }
    for link in data.claim_links:
        created = (link["from"], link["to"], link["relation"]) not in chained
        if created:
            link_claims(
                session,
                from_claim=link["from"],
                to_claim=link["to"],
                relation=link["relation"],
                source_key=link["source"],
                **who,
            )
        report.count("claim_links", created)

    searched = {
        tuple(row)
        for row in session.execute(
            select(EvidenceSearch.claim_id, EvidenceSearch.database, EvidenceSearch.query)
        )
    }
    for s in data.searches:
        created = (s["claim"], s["database"], s["query"]) not in searched
        if created:
            log_search(
                session,
                claim_id=s["claim"],
                database=s["database"],
                query=s["query"],
                hits=s["hits"],
                searched_on=s["date"],
                notes=s["notes"],
                **who,
            )
        report.count("searches", created)
    session.flush()
    return report


def _seed_references(
    session: Session, records: list[dict], report: SeedReport, actor: str, reason: str
) -> dict[str, Reference]:
    """Match each seed paper to a stored one by key or any identifier; add the rest."""
    stored = list(session.scalars(select(Reference)))
    index: dict[tuple[str, str], Reference] = {}
    for ref in stored:
        index[("key", ref.key)] = ref
        for kind in ("doi", "pmid", "pmcid"):
            if getattr(ref, kind):
                index[(kind, getattr(ref, kind))] = ref
    out: dict[str, Reference] = {}
    stamp = clock.now()
    for r in records:
        match = next(
            (
                index[(k, r[k])]
                for k in ("key", "doi", "pmid", "pmcid")
                if r[k] and (k, r[k]) in index
            ),
            None,
        )
        report.count("references", match is None)
        if match is None:
            match = Reference(**r, metadata_source="seed", metadata_at=stamp)
            session.add(match)
            session.flush()
            history.record(
                session,
                entity="reference",
                key=match.key,
                claim_id=None,
                action="create",
                actor=actor,
                before=None,
                after=reference_snapshot(match),
                reason=reason,
            )
            for k in ("key", "doi", "pmid", "pmcid"):
                if r[k]:
                    index[(k, r[k])] = match
        out[r["key"]] = match
    return out


def seed_if_empty(session: Session, *, folder: Path, actor: str) -> SeedReport | None:
    """Load the seeds into a database that has no claim yet (the dashboard's first start)."""
    if session.scalar(select(Claim.id).limit(1)) is not None:
        return None
    return load_seeds(session, folder=folder, actor=actor)
