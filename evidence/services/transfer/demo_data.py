"""A synthetic ledger of any size, for benchmarks and demos (`evidence demo-data`).

Everything in it says it is synthetic: DOIs under the test prefix ``10.5555/``, PMIDs above
90000000, keys and claim ids that say "demo", statements and titles that end with
"(synthetic demo ...)". The words are the ledger's own domain (foot, heel, calf, lumbar ...)
so every dashboard page has something plausible to show, with the variety a real ledger
has: every claim type, study design, stance, downgrade and upgrade; retracted papers;
searches, overrides, sources asserting claims, and ``leads_to`` chains of 3 to 5 claims.

:class:`DemoPlan` is the pure part: from the sizes and a seed it decides the shape of the
ledger and yields the rows of each table (the same seed and sizes give the same rows, bar
the timestamps). :func:`fill_demo_data` writes them with SQLAlchemy Core in batches, one
statement per batch and table, into an empty ledger, in the caller's transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import (
    Assertion,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    History,
    Override,
    Reference,
    Source,
    paper_row,
)
from evidence.domain.publication_types import suggest_design
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
    Verdict,
)
from evidence.errors import InvalidValue
from evidence.store import history, verdicts

REASON = "synthetic demo data"
BATCH = 5000
DEFAULT_SEED = 1

# (option, smallest, largest): the largest keeps PMIDs (90000001 + i) at eight digits
LIMITS = {
    "claims": (10, 1_000_000),
    "references": (10, 1_000_000),
    "links": (0, 10_000_000),
}

# -- vocabulary ----------------------------------------------------------------------------

_CONDITIONS = (
    "plantar heel pain",
    "chronic low back pain",
    "lumbar radiculopathy",
    "Achilles tendinopathy",
    "hallux valgus",
    "flat foot",
    "tarsal tunnel syndrome",
    "knee osteoarthritis",
    "sciatica",
    "metatarsalgia",
    "medial tibial stress syndrome",
    "sacroiliac joint pain",
)
_FINDINGS = (
    "reduced ankle dorsiflexion",
    "a thickened plantar fascia",
    "calf trigger points",
    "lumbar disc degeneration",
    "an altered gait pattern",
    "weak intrinsic foot muscles",
    "tibial nerve irritation",
    "increased pelvic tilt",
    "a leg length difference",
    "stiff thoracolumbar fascia",
    "tight hamstrings",
    "excessive foot pronation",
)
_REGIONS = (
    "foot",
    "heel",
    "ankle",
    "calf",
    "knee",
    "hip",
    "lumbar spine",
    "plantar fascia",
    "Achilles tendon",
    "sciatic nerve",
)
_INTERVENTIONS = (
    "calf stretching",
    "custom foot orthoses",
    "shock wave therapy",
    "lumbar mobilisation",
    "dry needling",
    "night splints",
    "progressive strength training",
    "a corticosteroid injection",
    "kinesio taping",
    "neural mobilisation",
)
_TESTS = (
    "ultrasound of the plantar fascia",
    "the straight-leg raise test",
    "the windlass test",
    "a nerve conduction study",
    "MRI of the lumbar spine",
    "palpation of calf trigger points",
)
_TEMPLATES = {
    ClaimType.prevalence: ("{condition} is more prevalent in people with {condition2}",),
    ClaimType.association: ("{finding} is associated with {condition}",),
    ClaimType.mechanism: (
        "{finding} transmits strain from the {region} to the {region2}",
        "{finding} in the {region} sensitises the {region2}",
    ),
    ClaimType.causal: ("{finding} causes {condition}",),
    ClaimType.diagnostic: ("{test} identifies {condition}",),
    ClaimType.treatment: ("treatment with {intervention} reduces pain in {condition}",),
}
_CLAIM_TYPES = (
    (ClaimType.association, 25),
    (ClaimType.mechanism, 20),
    (ClaimType.treatment, 20),
    (ClaimType.diagnostic, 13),
    (ClaimType.prevalence, 11),
    (ClaimType.causal, 11),
)
TAGS = (
    "foot",
    "heel",
    "calf",
    "ankle",
    "knee",
    "hip",
    "lumbar",
    "nerve",
    "fascia",
    "tendon",
    "gait",
    "posture",
    "orthoses",
    "exercise",
    "imaging",
)

# design: (share in %, publication types, noun phrase for the title, sample size range)
_DESIGNS: dict[Design | None, tuple[int, tuple[str, ...], str, tuple[int, int] | None]] = {
    Design.rct: (
        14,
        ("Journal Article", "Randomized Controlled Trial"),
        "a randomised controlled trial",
        (30, 400),
    ),
    Design.systematic_review_meta_analysis: (
        4,
        ("Journal Article", "Meta-Analysis", "Review", "Systematic Review"),
        "a systematic review and meta-analysis",
        (200, 6000),
    ),
    Design.systematic_review: (
        5,
        ("Journal Article", "Review", "Systematic Review"),
        "a systematic review",
        (100, 4000),
    ),
    Design.cohort: (14, ("Journal Article", "Observational Study"), "a cohort study", (100, 20000)),
    Design.case_control: (10, ("Journal Article",), "a case-control study", (40, 600)),
    Design.cross_sectional: (14, ("Journal Article",), "a cross-sectional study", (50, 2000)),
    Design.case_series: (7, ("Journal Article",), "a case series", (5, 40)),
    Design.case_report: (7, ("Case Reports", "Journal Article"), "a case report", (1, 1)),
    Design.cadaver_anatomical: (6, ("Journal Article",), "a cadaveric study", (6, 60)),
    Design.lab_mechanistic: (6, ("Journal Article",), "a laboratory study", (8, 40)),
    Design.narrative_review: (7, ("Journal Article", "Review"), "a narrative review", None),
    Design.expert_opinion: (4, ("Editorial",), "a commentary", None),
    None: (2, ("Journal Article",), "a report", None),  # no design recorded: read as anecdotal
}
_REVIEW_OF = (
    (ReviewOf.rcts, 40),
    (ReviewOf.observational, 25),
    (ReviewOf.mixed, 20),
    (ReviewOf.anatomical, 7),
    (ReviewOf.case_reports, 8),
)
_OBSERVATIONAL = {Design.cohort, Design.case_control, Design.cross_sectional}
_ANECDOTAL = {
    Design.case_series,
    Design.case_report,
    Design.narrative_review,
    Design.expert_opinion,
    None,
}
_JOURNALS = (
    "Journal of Synthetic Foot Studies",
    "Demo Journal of Musculoskeletal Research",
    "Synthetic Spine Reports",
    "Example Podiatry Quarterly",
    "Demo Archives of Gait Science",
    "Synthetic Pain Letters",
    "Example Journal of Manual Therapy",
)
_FAMILIES = ("Demo", "Sample", "Example", "Synthetic", "Placeholder", "Mockford", "Testwell")

# How a claim's evidence leans: (share in %, reference pool, stance weights). The pools keep
# the verdicts varied: "limited" claims cite observational studies only, "weak" ones only
# anecdotal papers, so they end as limited support and unproven rather than all contested.
_PROFILES = {
    "supported": (30, "any", {Stance.supports: 80, Stance.insufficient: 20}),
    "limited": (15, "observational", {Stance.supports: 75, Stance.insufficient: 25}),
    "contested": (
        15,
        "any",
        {Stance.supports: 45, Stance.refutes: 35, Stance.mixed: 20},
    ),
    "refuted": (10, "any", {Stance.refutes: 70, Stance.insufficient: 30}),
    "weak": (
        20,
        "anecdotal",
        {Stance.supports: 50, Stance.refutes: 10, Stance.insufficient: 40},
    ),
}
UNASSESSED_SHARE = 0.10  # claims without evidence (half of them with a search on record)
_DOWNGRADES = {
    Downgrade.risk_of_bias: 0.20,
    Downgrade.indirectness: 0.20,
    Downgrade.imprecision: 0.15,
    Downgrade.inconsistency: 0.05,
}
_UPGRADES = {Upgrade.large_effect: 0.03, Upgrade.dose_response: 0.02}
_RATIONALES = {
    Stance.supports: "the study reports an effect in the claimed direction",
    Stance.refutes: "the study finds no such effect where it looked for one",
    Stance.mixed: "the outcomes point in different directions",
    Stance.insufficient: "the study does not measure what the claim is about",
}
_DATABASES = ("PubMed", "Cochrane Library", "Embase", "CINAHL", "PEDro")
_OVERRIDE_REASONS = (
    "the computed verdict misses a large unpublished trial the curator knows of (synthetic)",
    "the supporting studies share one cohort and should count once (synthetic)",
    "the refuting trial measured a different outcome than the claim (synthetic)",
    "a guideline panel weighed this evidence differently (synthetic)",
)


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


def _spread(rng: random.Random, pairs: list[tuple[Any, int]], n: int) -> list[Any]:
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
        self.claim_types: list[ClaimType] = _spread(rng, _CLAIM_TYPES, c)
        self.designs: list[Design | None] = _spread(
            rng, [(d, spec[0]) for d, spec in _DESIGNS.items()], r
        )
        self.pools = {
            "observational": [i for i, d in enumerate(self.designs) if d in _OBSERVATIONAL],
            "anecdotal": [i for i, d in enumerate(self.designs) if d in _ANECDOTAL],
        }
        # 1% retracted (at least one), and a few under an expression of concern or corrected
        shares = {"retracted": max(1, round(r * 0.01))}
        shares["expression_of_concern"] = shares["corrected"] = round(r * 0.003)
        noted = iter(rng.sample(range(r), sum(shares.values())))
        self.notices: dict[int, str] = {
            next(noted): status for status, n in shares.items() for _ in range(n)
        }

        unassessed = max(1, round(c * UNASSESSED_SHARE))
        profiles = _weighted(rng, ((p, spec[0]) for p, spec in _PROFILES.items()), c)
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
            topic = rng.choice(_CONDITIONS)
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
        condition, condition2 = rng.sample(_CONDITIONS, 2)
        region, region2 = rng.sample(_REGIONS, 2)
        text = rng.choice(_TEMPLATES[kind]).format(
            condition=condition,
            condition2=condition2,
            finding=rng.choice(_FINDINGS),
            region=region,
            region2=region2,
            intervention=rng.choice(_INTERVENTIONS),
            test=rng.choice(_TESTS),
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
            _, types, noun, sizes = _DESIGNS[design]
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
                review_of = _weighted(rng, _REVIEW_OF, 1)[0].value
            year = round(rng.triangular(1980, 2026, 2021))
            finding, condition = rng.choice(_FINDINGS), rng.choice(_CONDITIONS)
            title = f"{finding[0].upper()}{finding[1:]} and {condition}: {noun} " + (
                f"(synthetic demo paper {i + 1})"
            )
            authors = [
                f"{rng.choice(_FAMILIES)}{rng.randint(1, 99)} "
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
                    "journal": rng.choice(_JOURNALS),
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
            _, pool_name, stances = _PROFILES[profile or "contested"]
            chosen = _pick(rng, r, self.pools.get(pool_name), k)
            picked = rng.choices(list(stances), weights=list(stances.values()), k=k)
            for ref, stance in zip(chosen, picked, strict=True):
                down = [d.value for d, p in _DOWNGRADES.items() if rng.random() < p]
                up = [u.value for u, p in _UPGRADES.items() if rng.random() < p]
                yield {
                    "claim_id": self.claim_id(i),
                    "reference_id": reference_ids[ref],
                    "stance": stance.value,
                    "downgrades": down,
                    "upgrades": up,
                    "rationale": f"Synthetic demo rationale: {_RATIONALES[stance]}.",
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
                "database": rng.choice(_DATABASES),
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
                "reason": "Synthetic demo override: " + rng.choice(_OVERRIDE_REASONS),
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


# -- writing ---------------------------------------------------------------------------------


def ledger_contents(session: Session) -> dict[str, int]:
    """How many claims, references and sources the ledger holds."""
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in (("claims", Claim), ("references", Reference), ("sources", Source))
    }


def fill_demo_data(
    session: Session,
    plan: DemoPlan,
    *,
    database: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write ``plan`` into an empty ledger and grade it; returns the rows written per table.

    ``progress`` is told of every batch of rows written, then of every batch of claims
    graded (so a bar's total is the rows plus the claims).

    Refuses (:class:`InvalidValue`, naming ``database``, before writing anything) when the
    ledger already holds claims, references or sources: demo rows must never mix with a
    curator's. Accounts may exist. The caller's transaction makes it all or nothing.
    """
    held = {name: n for name, n in ledger_contents(session).items() if n}
    if held:
        raise InvalidValue(
            "database",
            database,
            "an empty ledger (demo data never mixes with real records); this one holds "
            + ", ".join(f"{n:,} {name}" for name, n in held.items()),
        )

    verdicts.mark_everything(session)

    def write(table: Table, rows: Iterable[dict[str, Any]]) -> int:
        # Core, not the ORM: one executemany per batch, no per-row events or identity map
        done, rows = 0, iter(rows)
        while chunk := list(islice(rows, BATCH)):
            session.execute(table.insert(), chunk)
            done += len(chunk)
            if progress is not None:
                progress(len(chunk))
        return done

    def ids(key: Any, id_: Any, names: list[str]) -> list[int]:
        stored = {k: v for k, v in session.execute(select(key, id_))}
        return [stored[name] for name in names]

    written = {"sources": write(Source.__table__, plan.sources())}
    source_ids = ids(Source.key, Source.id, [plan.source_key(i) for i in range(plan.source_count)])
    written["claims"] = write(Claim.__table__, plan.claims())
    written["references"] = write(Reference.__table__, plan.references())
    reference_ids = ids(
        Reference.key,
        Reference.id,
        [plan.reference_key(i) for i in range(plan.sizes.references)],
    )
    written["evidence"] = write(Evidence.__table__, plan.evidence(reference_ids))
    written["assertions"] = write(Assertion.__table__, plan.assertions(source_ids))
    written["claim_links"] = write(ClaimLink.__table__, plan.claim_links(source_ids))
    written["searches"] = write(EvidenceSearch.__table__, plan.searches())
    written["overrides"] = write(Override.__table__, plan.overrides())
    written["history"] = write(History.__table__, plan.history())
    # graded here rather than at commit, so the progress bar follows it too
    verdicts.apply_pending(session, progress=progress)
    return written
