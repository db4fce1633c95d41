"""The overview's search and filters, as plain functions over the cached ledger.

The ledger is built once per data version (see data.py); a rerun with a new search only
walks a list of precomputed lower-case strings, which takes milliseconds at 20,000 claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def strongest_first(claim: dict[str, Any]) -> tuple:
    return (*(-x for x in claim["strength"]), claim["id"])


@dataclass(frozen=True)
class Ledger:
    """Every claim, strongest first, with what it is searched and filtered by."""

    claims: list[dict[str, Any]]
    haystacks: list[str]  # per claim: id, statement, tags and its papers' titles, lower case
    sources: list[tuple[str, ...]]  # per claim: the keys of the sources asserting it
    source_names: dict[str, str]
    tags: list[str]
    by_id: dict[str, dict[str, Any]] = field(repr=False)

    @classmethod
    def build(
        cls,
        claims: list[dict[str, Any]],
        titles: dict[str, list[str]],
        sources: dict[str, list[str]],
        source_names: dict[str, str],
    ) -> Ledger:
        ordered = sorted(claims, key=strongest_first)
        return cls(
            claims=ordered,
            haystacks=[
                " ".join([c["id"], c["statement"], *c["tags"], *titles.get(c["id"], ())]).lower()
                for c in ordered
            ],
            sources=[tuple(sources.get(c["id"], ())) for c in ordered],
            source_names=source_names,
            tags=sorted({t for c in claims for t in c["tags"]}),
            by_id={c["id"]: c for c in claims},
        )


@dataclass(frozen=True)
class Filters:
    query: str = ""
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return any([self.query.strip(), *map(bool, self._lists())])

    def _lists(self) -> list[tuple[str, ...]]:
        return [self.types, self.tags, self.sources, self.certainties, self.verdicts]

    def describe(self) -> str:
        """The filters in words, for the title of an export of what is on screen."""
        parts = [f"search “{self.query.strip()}”"] if self.query.strip() else []
        names = ["type", "tag", "source", "certainty", "verdict"]
        for name, values in zip(names, self._lists(), strict=True):
            if values:
                parts.append(f"{name} {' or '.join(values)}")
        return "; ".join(parts) or "all claims"


def matching(ledger: Ledger, filters: Filters) -> list[dict[str, Any]]:
    """The claims that pass every filter, strongest first. Search words must all appear."""
    words = filters.query.lower().split()
    types, tags, sources = set(filters.types), set(filters.tags), set(filters.sources)
    certainties, verdicts = set(filters.certainties), set(filters.verdicts)
    out = []
    for claim, haystack, asserted in zip(
        ledger.claims, ledger.haystacks, ledger.sources, strict=True
    ):
        if types and claim["type"] not in types:
            continue
        if verdicts and claim["verdict"] not in verdicts:
            continue
        if certainties and claim["certainty"] not in certainties:
            continue
        if tags and tags.isdisjoint(claim["tags"]):
            continue
        if sources and sources.isdisjoint(asserted):
            continue
        if words and not all(w in haystack for w in words):
            continue
        out.append(claim)
    return out
