"""Loops in a graph of claims: the ``leads_to`` links must never lead back to where they start.

Linking refuses a loop (services/records/claim_links.py); an import or a restore of an
older ledger may still bring one, and `evidence check` names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def loops(edges: Iterable[tuple[str, str]]) -> list[tuple[list[str], int]]:
    """Each loop of the graph as (a shortest cycle through its smallest claim, how many
    claims loop together), in order. A loop is a strongly connected part: every claim of
    it leads back to every other, so one cycle named is one loop to break."""
    edges = sorted(set(edges))
    nexts: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        nexts[a].append(b)
    found = []
    for part in _strongly_connected(nexts):
        members = set(part)
        start = min(part)
        found.append((_cycle_through(start, members, nexts), len(part)))
    return sorted(found)


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion (a chain may be thousands of links long); only
    the parts that loop: two claims or more, or one linked to itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, 0)]
        while work:
            node, i = work[-1]
            nexts = graph.get(node, [])
            if i < len(nexts):
                work[-1] = (node, i + 1)
                step = nexts[i]
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, 0))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index[node]:
                continue
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1 or node in graph.get(node, []):
                parts.append(part)
    return parts


def _cycle_through(start: str, part: set[str], nexts: dict[str, list[str]]) -> list[str]:
    """A shortest cycle from ``start`` back to it inside its part (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for step in nexts.get(node, ()):
                if step == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1]
                if step in part and step not in came_from:
                    came_from[step] = node
                    following.append(step)
        frontier = following
    raise ValueError(f"{start} is on no cycle")  # not for a strongly connected part
