"""Loading the starter content (seeds/) in one transaction, through the services.

Seeding adds what is missing and never overwrites: a claim a curator has edited keeps the
curator's version, and evidence a curator removed stays removed. Running it twice writes
nothing the second time. The files are read and checked whole first (seed_files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.models import (
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    History,
    Reference,
    Source,
)
from evidence.services.records.claim_links import link_claims
from evidence.services.records.claims import add_assertion, add_claim
from evidence.services.records.evidence import link_evidence
from evidence.services.records.references import store_reference
from evidence.services.records.searches import log_search
from evidence.services.records.sources import add_source, set_source_text
from evidence.services.transfer.seed_files import FILES, FORMAT, read_seeds
from evidence.store import verdicts

__all__ = ["FILES", "FORMAT", "SeedReport", "load_seeds", "read_seeds", "seed_if_empty"]


class _Who(TypedDict):
    """Who writes the seeds and why: passed to every service as ``**who``."""

    actor: str
    reason: str


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


def load_seeds(session: Session, *, folder: Path, actor: str) -> SeedReport:
    """Add every missing seed record through the services (so each is checked and written to
    the history like a curator's). The caller's transaction makes it all-or-nothing."""
    data = read_seeds(folder)
    verdicts.lock(session)  # the links it adds move verdicts: take turns with other writers
    report = SeedReport()
    reason = f"starter content from {folder.name}/"
    who: _Who = {"actor": actor, "reason": reason}

    stored_sources = {
        key: has_text
        for key, has_text in session.execute(select(Source.key, col(Source.text).is_not(None)))
    }
    for s in data.sources:
        created = s["key"] not in stored_sources
        if created:
            add_source(session, **s, **who)
        elif s["text"] is not None and not stored_sources[s["key"]]:
            # a source seeded before texts were kept gets its text: it was missing
            set_source_text(session, s["key"], s["text"], **who)
            report.count("source texts", True)
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
            # read_seeds found each quote in its source's text, where the source has one;
            # one without a text is recorded as unchecked, like --unverified
            added = add_assertion(
                session,
                claim_id=c["id"],
                source_key=a["source"],
                quote=a["quote"],
                unverified=True,
                **who,
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
            match = store_reference(
                session,
                Reference(**r, metadata_source="seed", metadata_at=stamp),
                actor=actor,
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
