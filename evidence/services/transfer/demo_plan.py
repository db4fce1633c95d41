"""The synthetic ledger's plan: from the sizes and a seed, the rows of each table (the same
seed and sizes give the same rows, bar the timestamps). Pure: nothing is written here."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evidence import clock
from evidence.domain.models import (
    paper_row,
)
from evidence.domain.publication_types import suggest_design
from evidence.domain.vocab import (
    REVIEW_DESIGNS,
    ClaimType,
    Design,
    Relation,
    SourceKind,
    Verdict,
)
from evidence.errors import InvalidValue
from evidence.services.transfer.demo_vocabulary import (
    ANECDOTAL,
    CLAIM_TYPES,
    CONDITIONS,
    DATABASES,
    DEFAULT_SEED,
    DESIGNS,
    DOWNGRADES,
    FAMILIES,
    FINDINGS,
    INTERVENTIONS,
    JOURNALS,
    LIMITS,
    OBSERVATIONAL,
    OVERRIDE_REASONS,
    PROFILES,
    RATIONALES,
    REASON,
    REGIONS,
    REVIEW_OF,
    TAGS,
    TEMPLATES,
    TESTS,
    UNASSESSED_SHARE,
    UPGRADES,
)
from evidence.store import history


@dataclass(frozen=True)
class DemoSizes:
    claims: int = 20_000
    references: int = 100_000
    links: int = 200_000

    def check(self) -> DemoSizes:
        """Raise :class:`InvalidValue` (naming the option) for a size out of range."""
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidValue(f"--{name}", value, f"a whole number from {low:,} to {high:,}")
        most = self.claims * self.references
        if self.links > most:
            raise InvalidValue(
                "--links",
                self.links,
                f"at most one link per claim and reference: --claims × --references = {most:,}",
            )
        return self


def _weighted(rng: random.Random, pairs: Iterable[tuple[Any, int]], n: int) -> list[Any]:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=n)


def _spread(rng: random.Random, pairs: Sequence[tuple[Any, int]], n: int) -> list[Any]:
    """Like :func:`_weighted`, but every value appears at least once when ``n`` allows."""
    values = [v for v, _ in pairs]
    rng.shuffle(values)
    out = values[:n] + _weighted(rng, pairs, max(0, n - len(values)))
    rng.shuffle(out)
    return out


def _allocate(rng: random.Random, total: int, weights: list[float], cap: int) -> list[int]:
    """``total`` split across the claims in proportion to ``weights``, none above ``cap``."""
    whole = sum(weights) or 1.0
    counts = [min(cap, int(total * w / whole)) for w in weights]
    left = total - sum(counts)
    # the remainder, one at a time: weighted claims first, then (if need be) the others
    order = sorted(range(len(weights)), key=lambda i: (weights[i] == 0, rng.random()))
    while left > 0:
        for i in order:
            if counts[i] < cap:
                counts[i] += 1
                left -= 1
                if left == 0:
                    break
    return counts


@dataclass
class DemoPlan:
    """The shape of a synthetic ledger, and the rows of every table, from sizes and a seed."""

    sizes: DemoSizes
    seed: int = DEFAULT_SEED
    actor: str = "demo-data"
    now: datetime = field(default_factory=clock.now)

    def __post_init__(self) -> None:
        self.sizes.check()
        c, r = self.sizes.claims, self.sizes.references
        rng = self._rng("shape")
        self.claim_width = max(5, len(str(c)))
        self.ref_width = max(6, len(str(r)))
        self.claim_types: list[ClaimType] = _spread(rng, CLAIM_TYPES, c)
        self.designs: list[Design | None] = _spread(
            rng, [(d, spec[0]) for d, spec in DESIGNS.items()], r
        )
        self.pools = {
            "observational": [i for i, d in enumerate(self.designs) if d in OBSERVATIONAL],
            "anecdotal": [i for i, d in enumerate(self.designs) if d in ANECDOTAL],
        }
        # 1% retracted (at least one), and a few under an expression of concern or corrected
        shares = {"retracted": max(1, round(r * 0.01))}
        shares["expression_of_concern"] = shares["corrected"] = round(r * 0.003)
        noted = iter(rng.sample(range(r), sum(shares.values())))
        self.notices: dict[int, str] = {
            next(noted): status for status, n in shares.items() for _ in range(n)
        }

        unassessed = max(1, round(c * UNASSESSED_SHARE))
        profiles = _weighted(rng, ((p, spec[0]) for p, spec in PROFILES.items()), c)
        for i in rng.sample(range(c), unassessed):
            profiles[i] = None
        self.profiles: list[str | None] = profiles
        weights = [0.0 if p is None else rng.expovariate(1.0) + 0.1 for p in profiles]
        self.link_counts = _allocate(rng, self.sizes.links, weights, cap=r)

        self.source_count = min(50, max(5, c // 4))
        self.asserted_by = [
            rng.sample(range(self.source_count), rng.randint(1, min(3, self.source_count)))
            if rng.random() < 0.75
            else []
            for _ in range(c)
        ]
        # searches: half the claims without evidence ("searched, nothing found"), and a few
        # with evidence
        self.searched = [rng.random() < (0.5 if n == 0 else 0.08) for n in self.link_counts]
        self.overridden = sorted(rng.sample(range(c), max(1, c // 1000)))
        self.chains = self._chains(rng)
        self.side_links = self._side_links(rng)

    def _rng(self, part: str) -> random.Random:
        # one generator per table, so each table's rows do not depend on the order of reading
        return random.Random(f"evidence-demo/{self.seed}/{part}")

    def _chains(self, rng: random.Random) -> list[list[int]]:
        """Disjoint runs of 3 to 5 claims over about 2% of them. Each run goes from a lower
        claim number to a higher one, so no set of these links can loop back on itself."""
        members = rng.sample(range(self.sizes.claims), max(3, round(self.sizes.claims * 0.02)))
        chains = []
        while len(members) >= 3:
            k = min(rng.randint(3, 5), len(members))
            chains.append(sorted(members[:k]))
            members = members[k:]
        return chains

    def _side_links(self, rng: random.Random) -> list[tuple[int, int, Relation]]:
        n = max(1, self.sizes.claims // 400)
        seen: set[tuple[int, int, Relation]] = set()
        for relation in (Relation.refines, Relation.contradicts):
            for _ in range(n):
                a, b = rng.sample(range(self.sizes.claims), 2)
                seen.add((a, b, relation))
        return sorted(seen)

    # -- names ----------------------------------------------------------------------------

    def claim_id(self, i: int) -> str:
        return f"demo-claim-{i + 1:0{self.claim_width}d}"

    def reference_key(self, i: int) -> str:
        return f"demo-ref-{i + 1:0{self.ref_width}d}"

    def source_key(self, i: int) -> str:
        return f"demo-source-{i + 1:02d}"

    # -- counts ---------------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        """How many rows each table gets (known before any is generated)."""
        return {
            "sources": self.source_count,
            "claims": self.sizes.claims,
            "references": self.sizes.references,
            "evidence": sum(self.link_counts),
            "assertions": sum(len(s) for s in self.asserted_by),
            "claim_links": sum(len(c) - 1 for c in self.chains) + len(self.side_links),
            "searches": sum(self.searched),
            "overrides": len(self.overridden),
            "history": self.sizes.claims,
        }

    # -- rows -----------------------------------------------------------------------------

    def sources(self) -> Iterator[dict[str, Any]]:
        kinds = list(SourceKind)
        rng = self._rng("sources")
        for i in range(self.source_count):
            kind = kinds[i % len(kinds)]
            topic = rng.choice(CONDITIONS)
            yield {
                "key": self.source_key(i),
                "title": f"Synthetic demo {kind.value.replace('_', ' ')} {i + 1:02d} on {topic}",
                "kind": kind.value,
                "origin": "Synthetic demo data made by `evidence demo-data`; not a real document.",
                "url": f"https://example.org/evidence-demo/source-{i + 1:02d}",
                "conflicts_of_interest": (
                    "Sells the products it recommends (synthetic)."
                    if kind is SourceKind.commercial_marketing
                    else "None declared (synthetic)."
                ),
                "credibility_notes": "Synthetic demo source.",
            }

    def _statement(self, rng: random.Random, kind: ClaimType) -> str:
        condition, condition2 = rng.sample(CONDITIONS, 2)
        region, region2 = rng.sample(REGIONS, 2)
        text = rng.choice(TEMPLATES[kind]).format(
            condition=condition,
            condition2=condition2,
            finding=rng.choice(FINDINGS),
            region=region,
            region2=region2,
            intervention=rng.choice(INTERVENTIONS),
            test=rng.choice(TESTS),
        )
        return text[0].upper() + text[1:]

    def claims(self) -> Iterator[dict[str, Any]]:
        rng = self._rng("claims")
        for i, kind in enumerate(self.claim_types):
            statement = f"{self._statement(rng, kind)} (synthetic demo claim {i + 1})."
            yield {
                "id": self.claim_id(i),
                "statement": statement,
                "type": kind.value,
                "tags": sorted(rng.sample(TAGS, rng.randint(1, 3))),
                "notes": "Synthetic demo claim made by `evidence demo-data`.",
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            }

    def references(self) -> Iterator[dict[str, Any]]:
        rng = self._rng("references")
        for i, design in enumerate(self.designs):
            _, types, noun, sizes = DESIGNS[design]
            publication_types = list(types)
            status = self.notices.get(i)
            notices = []
            if status == "retracted":
                publication_types.append("Retracted Publication")
                notices = [_notice(status, "RetractionIn", i)]
            elif status == "expression_of_concern":
                notices = [_notice(status, "ExpressionOfConcernIn", i)]
            elif status == "corrected":
                notices = [_notice(status, "ErratumIn", i)]
            suggested = suggest_design(publication_types)
            # a design the publication types already name is often left to the suggestion
            curated = design if suggested != design or rng.random() < 0.6 else None
            review_of = None
            if design in REVIEW_DESIGNS and rng.random() < 0.8:
                review_of = _weighted(rng, REVIEW_OF, 1)[0].value
            year = round(rng.triangular(1980, 2026, 2021))
            finding, condition = rng.choice(FINDINGS), rng.choice(CONDITIONS)
            title = f"{finding[0].upper()}{finding[1:]} and {condition}: {noun} " + (
                f"(synthetic demo paper {i + 1})"
            )
            authors = [
                f"{rng.choice(FAMILIES)}{rng.randint(1, 99)} "
                f"{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"
                for _ in range(rng.randint(1, 6))
            ]
            has_doi = rng.random() < 0.92
            sample = rng.randint(*sizes) if sizes else None
            yield paper_row(
                {
                    "key": self.reference_key(i),
                    "doi": f"10.5555/demo.{i + 1:0{self.ref_width}d}" if has_doi else None,
                    "pmid": str(90000001 + i) if not has_doi or rng.random() < 0.85 else None,
                    "pmcid": None,
                    "title": title,
                    "authors": authors,
                    "journal": rng.choice(JOURNALS),
                    "year": year,
                    "publication_types": publication_types,
                    "keywords": sorted(rng.sample(TAGS, 2)),
                    "design": curated.value if curated else None,
                    "suggested_design": suggested.value if suggested else None,
                    "review_of": review_of,
                    "sample_size": sample,
                    "abstract": (
                        f"Synthetic demo abstract, not a real study: {noun} of {sample or 'no'} "
                        f"participants on {finding} and {condition}."
                        if rng.random() < 0.4
                        else None
                    ),
                    "summary": None,
                    "notes": None,
                    "retraction": status,
                    "retraction_notices": notices,
                    "seen_at": [],
                    "metadata_source": "demo-data",
                    "metadata_at": self.now,
                }
            )

    def evidence(self, reference_ids: list[int]) -> Iterator[dict[str, Any]]:
        """``reference_ids[i]``: the stored id of reference number ``i``."""
        rng = self._rng("evidence")
        r = self.sizes.references
        for i, (k, profile) in enumerate(zip(self.link_counts, self.profiles, strict=True)):
            if k == 0:
                continue
            _, pool_name, stances = PROFILES[profile or "contested"]
            chosen = _pick(rng, r, self.pools.get(pool_name), k)
            picked = rng.choices(list(stances), weights=list(stances.values()), k=k)
            for ref, stance in zip(chosen, picked, strict=True):
                down = [d.value for d, p in DOWNGRADES.items() if rng.random() < p]
                up = [u.value for u, p in UPGRADES.items() if rng.random() < p]
                yield {
                    "claim_id": self.claim_id(i),
                    "reference_id": reference_ids[ref],
                    "stance": stance.value,
                    "downgrades": down,
                    "upgrades": up,
                    "rationale": f"Synthetic demo rationale: {RATIONALES[stance]}.",
                    "quote": "Synthetic quote from a demo paper." if rng.random() < 0.1 else None,
                    "curator": self.actor,
                    "version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                }

    def assertions(self, source_ids: list[int]) -> Iterator[dict[str, Any]]:
        for i, sources in enumerate(self.asserted_by):
            for s in sources:
                yield {
                    "source_id": source_ids[s],
                    "claim_id": self.claim_id(i),
                    "quote": f"Synthetic quote {s + 1}-{i + 1}: the demo source says so.",
                    "quote_match": "no_text",  # demo sources keep no text
                }

    def claim_links(self, source_ids: list[int]) -> Iterator[dict[str, Any]]:
        rng = self._rng("claim_links")

        def row(a: int, b: int, relation: Relation, source: int | None) -> dict[str, Any]:
            return {
                "from_claim_id": self.claim_id(a),
                "to_claim_id": self.claim_id(b),
                "relation": relation.value,
                "source_id": None if source is None else source_ids[source],
                "curator": self.actor,
                "created_at": self.now,
            }

        for chain in self.chains:
            source = rng.randrange(self.source_count) if rng.random() < 0.6 else None
            for a, b in zip(chain, chain[1:], strict=False):
                yield row(a, b, Relation.leads_to, source)
        for a, b, relation in self.side_links:
            yield row(a, b, relation, None)

    def searches(self) -> Iterator[dict[str, Any]]:
        rng = self._rng("searches")
        today = self.now.date()
        for i, searched in enumerate(self.searched):
            if not searched:
                continue
            found = self.link_counts[i]
            yield {
                "claim_id": self.claim_id(i),
                "database": rng.choice(DATABASES),
                "query": f"synthetic demo query: {rng.choice(TAGS)} AND {rng.choice(TAGS)}",
                "searched_on": today - timedelta(days=rng.randint(0, 3650)),
                "hits": found + rng.randint(0, 3 * found) if found else 0,
                "notes": "Synthetic demo search.",
                "curator": self.actor,
                "created_at": self.now,
            }

    def overrides(self) -> Iterator[dict[str, Any]]:
        rng = self._rng("overrides")
        verdicts = list(Verdict)
        for i in self.overridden:
            yield {
                "claim_id": self.claim_id(i),
                "verdict": rng.choice(verdicts).value,
                "reason": "Synthetic demo override: " + rng.choice(OVERRIDE_REASONS),
                "curator": self.actor,
                "version": 1,
                "created_at": self.now,
            }

    def history(self) -> Iterator[dict[str, Any]]:
        """One "create" entry per claim, with what history.claim_snapshot would keep."""
        for claim in self.claims():
            yield history.entry(
                entity="claim",
                key=claim["id"],
                claim_id=claim["id"],
                action="create",
                actor=self.actor,
                before=None,
                after={
                    "statement": claim["statement"],
                    "type": claim["type"],
                    "tags": list(claim["tags"]),
                    "notes": claim["notes"],
                    "version": claim["version"],
                },
                reason=REASON,
            )


def _notice(status: str, detail: str, i: int) -> dict[str, Any]:
    # the notice's own PMID: synthetic too, far above the papers' 90000001 + i
    return {"status": status, "service": "pubmed", "detail": detail, "notice": f"{99000001 + i}"}


def _pick(rng: random.Random, total: int, pool: list[int] | None, k: int) -> list[int]:
    """``k`` distinct reference numbers, from ``pool`` while it lasts, then from any."""
    if pool is None:
        return rng.sample(range(total), k)
    chosen = rng.sample(pool, min(k, len(pool)))
    if len(chosen) < k:
        taken = set(chosen)
        chosen += rng.sample([i for i in range(total) if i not in taken], k - len(chosen))
    return chosen
