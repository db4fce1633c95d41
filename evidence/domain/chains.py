"""Mechanism chains: paths along ``leads_to`` links, only as strong as their weakest claim."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from evidence.domain.vocab import UnprovenReason

# A densely linked graph has exponentially many paths; past this many a chain view would be
# unreadable anyway, and the cap keeps a pathological graph from hanging the caller.
MAX_PATHS = 500


def _walk(start: str, step: Mapping[str, Sequence[str]], limit: int) -> list[list[str]]:
    """Every maximal path from ``start`` following ``step``, never revisiting a claim."""
    paths: list[list[str]] = []
    stack: list[list[str]] = [[start]]
    while stack and len(paths) < limit:
        path = stack.pop()
        nexts = [n for n in step.get(path[-1], ()) if n not in path]
        if not nexts:
            paths.append(path)
        for n in reversed(nexts):
            stack.append([*path, n])
    return paths


def chain_paths(
    edges: Iterable[tuple[str, str]], claim: str, limit: int = MAX_PATHS
) -> list[list[str]]:
    """All maximal ``leads_to`` paths through ``claim``, from a root cause to an end effect.

    A claim with no ``leads_to`` link at all yields no chain.
    """
    down: dict[str, list[str]] = {}
    up: dict[str, list[str]] = {}
    for a, b in sorted(set(edges)):
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)
    if claim not in down and claim not in up:
        return []
    tails = _walk(claim, down, limit)
    paths: list[list[str]] = []
    seen_paths: set[tuple[str, ...]] = set()
    for head in _walk(claim, up, limit):
        before = list(reversed(head))[:-1]
        upstream = set(before)
        for tail in tails:
            # In a cycle the way down can come back to a claim already upstream: stop there.
            cut = next((i for i, step in enumerate(tail) if step in upstream), len(tail))
            path = before + tail[:cut]
            if tuple(path) not in seen_paths:
                seen_paths.add(tuple(path))
                paths.append(path)
                if len(paths) >= limit:
                    return paths
    return paths


# How little is known of an unproven claim, least first: no evidence looked for, searched
# and nothing found, only retracted papers, only papers that cannot bear on it, only very
# low certainty evidence. A claim that is not unproven has no reason and ranks above these.
# keyed by str: the reason arrives as the stored text, and a StrEnum member is that text
_UNPROVEN_ORDER: dict[str, int] = {
    UnprovenReason.not_assessed: 0,
    UnprovenReason.searched_nothing_found: 1,
    UnprovenReason.retracted_only: 2,
    UnprovenReason.insufficient_only: 3,
    UnprovenReason.very_low_only: 4,
}


def step_weight(
    strength: Sequence[int], unproven_reason: str | None, supporting: int, refuting: int
) -> tuple[int, ...]:
    """A chain step's place among the weakest, weakest first: its verdict and certainty
    (grading.ClaimGrade.strength), then among unproven claims how little is known, then how
    far its counted evidence leans against it (refuting minus supporting links).

    Most claims of a young ledger are "unproven, very low": by verdict alone nearly every
    step of a chain would tie for weakest, and a mark on seven of nine says nothing.
    """
    return (*strength, _UNPROVEN_ORDER.get(unproven_reason or "", 5), supporting - refuting)


def shared_start(paths: Sequence[Sequence[str]]) -> int:
    """How many first steps all these chains share (0 for none, or for no chains)."""
    if not paths:
        return 0
    n = 0
    for steps in zip(*paths, strict=False):
        if len(set(steps)) != 1:
            break
        n += 1
    # a chain wholly inside another keeps its last step in its own card
    return min(n, min(len(p) for p in paths) - 1)


@dataclass(frozen=True)
class WeakestLink:
    index: int
    claim: str


def weakest_link(path: Sequence[str], strength: Callable[[str], tuple[int, ...]]) -> WeakestLink:
    """The first step with the lowest strength (verdict, then certainty)."""
    index = min(range(len(path)), key=lambda i: strength(path[i]))
    return WeakestLink(index, path[index])


def find_path(edges: Iterable[tuple[str, str]], start: str, goal: str) -> list[str] | None:
    """A shortest path from ``start`` to ``goal`` along ``edges``, or None."""
    nexts: dict[str, list[str]] = {}
    for a, b in edges:
        nexts.setdefault(a, []).append(b)
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return path[::-1]
        for step in nexts.get(node, ()):
            if step not in came_from:
                came_from[step] = node
                queue.append(step)
    return None
