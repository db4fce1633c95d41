"""Mechanism chains: paths along ``leads_to`` links, only as strong as their weakest claim."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

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


@dataclass(frozen=True)
class WeakestLink:
    index: int
    claim: str


def weakest_link(path: Sequence[str], strength: Callable[[str], T]) -> WeakestLink:
    """The first step with the lowest strength (verdict, then certainty)."""
    index = min(range(len(path)), key=lambda i: strength(path[i]))  # type: ignore[arg-type,return-value]
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
