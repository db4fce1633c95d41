"""Mechanism chains as the reader sees them: each step with its verdict, the weakest marked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from sqlmodel import Session

from evidence.domain.chains import MAX_PATHS, chain_paths, step_weight, weakest_link
from evidence.domain.vocab import UnprovenReason
from evidence.services.views.summaries import ClaimSummary, summaries_of
from evidence.store.queries import get_claim, leads_to_edges


class _Weakest(TypedDict):
    weakest: str
    weakest_index: int
    # the same step as a list: readers that mark steps test membership
    weakest_indexes: list[int]
    tied_indexes: list[int]
    verdict: str
    certainty: str
    weakest_why: str | None


class WeighedChain(_Weakest):
    """A chain with its weakest step (``chains --json``'s chains), its steps as ids."""

    steps: list[str]


class ChainPath(_Weakest):
    """A path through one claim (``chain --json``'s paths), its steps as summaries."""

    steps: list[ClaimSummary]


class ClaimChains(TypedDict):
    """Every ``leads_to`` path through a claim (``chain --json``)."""

    claim: str
    paths: list[ChainPath]


class Mechanism(TypedDict):
    """A connected part of the ``leads_to`` graph, with its chains."""

    claims: list[str]
    edges: list[tuple[str, str]]
    chains: list[list[str]]
    truncated: bool


class LedgerMechanism(TypedDict):
    """A mechanism in ``chains --json``: its chains are indexes into the chains list."""

    claims: list[str]
    edges: list[tuple[str, str]]
    chains: list[int]
    truncated: bool


class NumberedChain(WeighedChain):
    mechanism: int  # its index in the mechanisms list


class LedgerChains(TypedDict):
    """Every mechanism chain in the ledger (``chains --json``, the Chains page)."""

    mechanisms: list[LedgerMechanism]
    chains: list[NumberedChain]
    claims: dict[str, ClaimSummary]


def chain(session: Session, claim_id: str) -> ClaimChains:
    """Every ``leads_to`` path through a claim, each with its weakest step."""
    get_claim(session, claim_id)
    paths = chain_paths(leads_to_edges(session), claim_id)
    members = sorted({c for p in paths for c in p})
    summaries = _summaries(session, members)
    out: list[ChainPath] = [
        {**weigh_chain(path, summaries), "steps": [summaries[c] for c in path]} for path in paths
    ]
    return {"claim": claim_id, "paths": out}


def mechanisms(edges: Iterable[tuple[str, str]], limit: int = MAX_PATHS) -> list[Mechanism]:
    """The ``leads_to`` graph cut into mechanisms (its connected parts), each with its chains.

    A chain is a maximal path: from a claim nothing leads to, down to one that leads nowhere
    further. A mechanism lists at most ``limit`` chains (a densely linked graph has
    exponentially many) and says when it stopped there. Largest mechanisms first.
    """
    down: dict[str, list[str]] = {}
    linked: dict[str, set[str]] = {}
    has_cause: set[str] = set()
    pairs = sorted({(a, b) for a, b in edges if a != b})
    for a, b in pairs:
        down.setdefault(a, []).append(b)
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
        has_cause.add(b)
    out: list[Mechanism] = []
    seen: set[str] = set()
    for start in sorted(linked):
        if start in seen:
            continue
        part, todo = {start}, [start]
        while todo:
            for n in linked[todo.pop()]:
                if n not in part:
                    part.add(n)
                    todo.append(n)
        seen |= part
        chains, truncated = _chains_of(part, down, has_cause, limit)
        out.append(
            {
                "claims": sorted(part),
                "edges": [(a, b) for a, b in pairs if a in part],
                "chains": chains,
                "truncated": truncated,
            }
        )
    out.sort(key=lambda m: (-len(m["claims"]), m["chains"][0]))
    return out


def _chains_of(
    part: set[str], down: Mapping[str, Sequence[str]], has_cause: set[str], limit: int
) -> tuple[list[list[str]], bool]:
    starts = sorted(part - has_cause)
    chains: list[list[str]] = []
    covered: set[str] = set()
    while True:
        for start in starts:
            stack = [[start]]
            while stack:
                path = stack.pop()
                nexts = [n for n in down.get(path[-1], ()) if n not in path]
                if not nexts:
                    if len(chains) >= limit:
                        return chains, True
                    chains.append(path)
                    covered.update(path)
                stack.extend([*path, n] for n in reversed(nexts))
        # a loop nothing outside leads into has no first step (link_claims refuses loops,
        # but an imported ledger may hold one): start it from its first claim
        left = sorted(part - covered)
        if not left:
            return chains, False
        starts = left[:1]


def weigh_chain(path: Sequence[str], claims: Mapping[str, ClaimSummary]) -> WeighedChain:
    """A chain is only as strong as its weakest step; ``claims`` maps id to its summary.

    One step is marked weakest (the first of the lowest :func:`step_weight`); the steps that
    equal it on verdict, certainty and evidence are named in ``tied_indexes``.
    """
    weight = {c: _weight(claims[c]) for c in path}
    weakest = weakest_link(path, weight.__getitem__)
    floor = weight[weakest.claim]
    return {
        "steps": list(path),
        "weakest": weakest.claim,
        "weakest_index": weakest.index,
        "weakest_indexes": [weakest.index],
        "tied_indexes": [
            i for i, c in enumerate(path) if weight[c] == floor and i != weakest.index
        ],
        "verdict": claims[weakest.claim]["verdict"],
        "certainty": claims[weakest.claim]["certainty"],
        "weakest_why": _why_weakest(path, weakest.index, weight, claims),
    }


# keyed by str: a summary carries the reason as its stored text (a StrEnum member is that text)
_KNOWN: dict[str, str] = {
    UnprovenReason.not_assessed: "it is not yet assessed",
    UnprovenReason.searched_nothing_found: "the searches for it found nothing",
    UnprovenReason.retracted_only: "its only evidence is retracted",
    UnprovenReason.insufficient_only: "its papers cannot bear on it either way",
    UnprovenReason.very_low_only: "its evidence is all of very low certainty",
}


def _why_weakest(
    path: Sequence[str],
    index: int,
    weight: Mapping[str, tuple[int, ...]],
    claims: Mapping[str, ClaimSummary],
) -> str | None:
    """Why this step and not another as weak by verdict and certainty; None when no other
    step is."""
    mine = weight[path[index]]
    rivals = [i for i, c in enumerate(path) if i != index and weight[c][:2] == mine[:2]]
    if not rivals:
        return None
    tied = [i + 1 for i in rivals if weight[path[i]] == mine]
    summary = claims[path[index]]
    if tied:
        steps = ", ".join(map(str, tied))
        return (
            f"tied with step{'s' if len(tied) > 1 else ''} {steps} on verdict, certainty and "
            "evidence; the first is marked"
        )
    if all(weight[path[i]][2] > mine[2] for i in rivals) and summary["unproven_reason"]:
        known = _KNOWN[summary["unproven_reason"]]
        return f"less is known of it than of the steps as weak: {known}"
    return (
        f"its evidence leans most against it of the steps as weak ({summary['supporting']} "
        f"supporting, {summary['refuting']} refuting)"
    )


def _weight(summary: ClaimSummary) -> tuple[int, ...]:
    return step_weight(
        summary["strength"], summary["unproven_reason"], summary["supporting"], summary["refuting"]
    )


def all_chains(
    session: Session,
    *,
    claims: Mapping[str, ClaimSummary] | None = None,
    limit: int = MAX_PATHS,
) -> LedgerChains:
    """Every mechanism chain in the ledger, each weighed by its weakest step.

    ``claims`` (id -> summary, e.g. from list_claims) saves reading them again; without it
    the stored verdicts of the claims on a chain are read here. A query for the links and
    one per 500 claims on a chain: never one per claim or per chain.
    """
    found = mechanisms(leads_to_edges(session), limit)
    members = sorted({c for m in found for c in m["claims"]})
    if claims is None:
        claims = _summaries(session, members)
    chains: list[NumberedChain] = []
    out: list[LedgerMechanism] = []
    for n, m in enumerate(found):
        first = len(chains)
        chains.extend({**weigh_chain(path, claims), "mechanism": n} for path in m["chains"])
        out.append({**m, "chains": list(range(first, len(chains)))})
    return {
        "mechanisms": out,
        "chains": chains,
        "claims": {c: claims[c].copy() for c in members},
    }


def _summaries(session: Session, ids: Sequence[str]) -> dict[str, ClaimSummary]:
    return summaries_of(session, ids) if ids else {}
