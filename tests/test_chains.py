"""Mechanism chains (paths along ``leads_to`` links), their weakest link, source scorecards."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest

from evidence.domain.chains import (
    MAX_PATHS,
    WeakestLink,
    chain_paths,
    shared_start,
    step_weight,
    weakest_link,
)
from evidence.domain.scorecard import scorecard
from evidence.domain.vocab import Verdict
from evidence.services.views.mechanisms import weigh_chain

Edges = list[tuple[str, str]]


def as_set(paths: list[list[str]]) -> set[tuple[str, ...]]:
    return {tuple(p) for p in paths}


def assert_valid_paths(paths: list[list[str]], edges: Edges, claim: str) -> None:
    """Every path goes through ``claim``, follows edges, and visits no claim twice."""
    edge_set = set(edges)
    for path in paths:
        assert claim in path, path
        assert all((a, b) in edge_set for a, b in zip(path, path[1:], strict=False)), path
        assert len(set(path)) == len(path), f"claim repeated in chain {path}"
    assert len(as_set(paths)) == len(paths), "the same chain listed twice"


def run_bounded(func: Callable[[], list[list[str]]], seconds: float = 10) -> list[list[str]]:
    """Run ``func`` in a thread and fail (rather than hang the suite) if it does not return."""
    result: list[list[list[str]]] = []
    worker = threading.Thread(target=lambda: result.append(func()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "chain_paths did not return"
    assert result, "chain_paths raised"
    return result[0]


# --- linear --------------------------------------------------------------------------------

LINEAR: Edges = [("a", "b"), ("b", "c"), ("c", "d")]


@pytest.mark.parametrize("claim", ["a", "b", "c", "d"])
def test_linear_chain_from_any_step(claim: str) -> None:
    assert chain_paths(LINEAR, claim) == [["a", "b", "c", "d"]]


@pytest.mark.parametrize(
    "edges",
    [
        list(reversed(LINEAR)),
        [*LINEAR, *LINEAR],
        [LINEAR[1], LINEAR[2], LINEAR[0]],
        iter(LINEAR),
    ],
    ids=["reversed", "duplicated", "shuffled", "iterator"],
)
def test_linear_chain_does_not_depend_on_edge_order_or_duplicates(edges: Edges) -> None:
    assert chain_paths(edges, "b") == [["a", "b", "c", "d"]]


def test_single_link() -> None:
    assert chain_paths([("x", "y")], "x") == [["x", "y"]]
    assert chain_paths([("x", "y")], "y") == [["x", "y"]]


# --- branching ------------------------------------------------------------------------------

# a ─┐         ┌─ d ── f
#    ├── c ────┤
# b ─┘         └─ e
# g ── a
BRANCHING: Edges = [("a", "c"), ("b", "c"), ("c", "d"), ("c", "e"), ("d", "f"), ("g", "a")]


@pytest.mark.parametrize(
    ("claim", "want"),
    [
        (
            "c",
            {
                ("g", "a", "c", "d", "f"),
                ("g", "a", "c", "e"),
                ("b", "c", "d", "f"),
                ("b", "c", "e"),
            },
        ),
        ("a", {("g", "a", "c", "d", "f"), ("g", "a", "c", "e")}),
        ("g", {("g", "a", "c", "d", "f"), ("g", "a", "c", "e")}),
        ("b", {("b", "c", "d", "f"), ("b", "c", "e")}),
        ("d", {("g", "a", "c", "d", "f"), ("b", "c", "d", "f")}),
        ("f", {("g", "a", "c", "d", "f"), ("b", "c", "d", "f")}),
        ("e", {("g", "a", "c", "e"), ("b", "c", "e")}),
    ],
)
def test_branching_gives_every_maximal_path_through_the_claim(
    claim: str, want: set[tuple[str, ...]]
) -> None:
    paths = chain_paths(BRANCHING, claim)
    assert_valid_paths(paths, BRANCHING, claim)
    assert as_set(paths) == want
    assert len(paths) == len(want)


DIAMOND: Edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]


@pytest.mark.parametrize(
    ("claim", "want"),
    [
        ("a", {("a", "b", "d"), ("a", "c", "d")}),
        ("d", {("a", "b", "d"), ("a", "c", "d")}),
        ("b", {("a", "b", "d")}),
        ("c", {("a", "c", "d")}),
    ],
)
def test_diamond(claim: str, want: set[tuple[str, ...]]) -> None:
    paths = chain_paths(DIAMOND, claim)
    assert_valid_paths(paths, DIAMOND, claim)
    assert as_set(paths) == want


def test_paths_run_from_a_root_cause_to_an_end_effect() -> None:
    heads = {a for a, _ in BRANCHING}
    tails = {b for _, b in BRANCHING}
    for claim in heads | tails:
        for path in chain_paths(BRANCHING, claim):
            assert path[0] not in tails, "a chain starts at a claim nothing leads to"
            assert path[-1] not in heads, "a chain ends at a claim leading nowhere"


def test_disconnected_chains_stay_apart() -> None:
    edges = [*LINEAR, ("p", "q"), ("q", "r")]
    assert chain_paths(edges, "q") == [["p", "q", "r"]]
    assert chain_paths(edges, "a") == [["a", "b", "c", "d"]]


@pytest.mark.parametrize(
    ("edges", "claim"),
    [
        ([], "a"),
        (LINEAR, "z"),
        (BRANCHING, "unlinked"),
        ([("a", "b")], "A"),
    ],
)
def test_claim_without_leads_to_links_has_no_chain(edges: Edges, claim: str) -> None:
    assert chain_paths(edges, claim) == []


# --- cycles ---------------------------------------------------------------------------------

CYCLES: dict[str, Edges] = {
    "self_loop": [("a", "a")],
    "two_cycle": [("a", "b"), ("b", "a")],
    "triangle": [("a", "b"), ("b", "c"), ("c", "a")],
    "cycle_with_exits": [("x", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("c", "y")],
    "loop_back_mid_chain": [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")],
    "dense": [(f"n{i}", f"n{j}") for i in range(5) for j in range(5) if i != j],
}
# Every claim leads to every other: 6! simple paths each way from any one claim.
DENSE_7: Edges = [(f"n{i}", f"n{j}") for i in range(7) for j in range(7) if i != j]
CYCLE_CASES = [
    (name, claim)
    for name, edges in CYCLES.items()
    for claim in sorted({c for edge in edges for c in edge})
]


@pytest.mark.parametrize(("name", "claim"), CYCLE_CASES)
def test_cycles_terminate(name: str, claim: str) -> None:
    edges = CYCLES[name]
    paths = run_bounded(lambda: chain_paths(edges, claim))
    assert paths
    assert len(paths) <= MAX_PATHS
    assert all(claim in p for p in paths)


@pytest.mark.parametrize("name", list(CYCLES))
def test_cycles_never_repeat_a_claim_in_a_chain(name: str) -> None:
    edges = CYCLES[name]
    for claim in sorted({c for edge in edges for c in edge}):
        paths = run_bounded(lambda claim=claim: chain_paths(edges, claim))
        assert_valid_paths(paths, edges, claim)


@pytest.mark.parametrize("limit", [1, 20, MAX_PATHS])
def test_dense_cycles_respect_the_path_limit(limit: int) -> None:
    paths = run_bounded(lambda: chain_paths(DENSE_7, "n3", limit=limit), seconds=60)
    assert 1 <= len(paths) <= limit
    assert_valid_paths(paths, DENSE_7, "n3")


@pytest.mark.parametrize("claim", ["x", "a"])
def test_cycle_keeps_the_acyclic_route(claim: str) -> None:
    edges = CYCLES["cycle_with_exits"]
    assert ("x", "a", "b", "c", "y") in as_set(chain_paths(edges, claim))


def test_loop_back_keeps_the_acyclic_route() -> None:
    assert chain_paths(CYCLES["loop_back_mid_chain"], "a") == [["a", "b", "c", "d"]]


# --- the path limit -------------------------------------------------------------------------


def layered(width: int, depth: int) -> Edges:
    """Every claim of layer i leads to every claim of layer i+1: width**depth paths."""
    return [
        (f"L{layer}_{i}", f"L{layer + 1}_{j}")
        for layer in range(depth)
        for i in range(width)
        for j in range(width)
    ]


@pytest.mark.parametrize("limit", [1, 2, 7, 10, 50])
@pytest.mark.parametrize("claim", ["L0_0", "L3_1", "L6_0"])
def test_path_limit_is_respected(limit: int, claim: str) -> None:
    edges = layered(3, 6)  # 3**7 paths in all, 3**6 = 729 through any one claim
    paths = chain_paths(edges, claim, limit=limit)
    assert len(paths) == limit
    assert_valid_paths(paths, edges, claim)


@pytest.mark.parametrize("claim", ["L0_0", "L3_1", "L6_0"])
def test_limit_above_the_number_of_paths_returns_them_all(claim: str) -> None:
    edges = layered(3, 6)
    paths = chain_paths(edges, claim, limit=10_000)
    assert len(paths) == 3**6
    assert_valid_paths(paths, edges, claim)
    assert all(len(p) == 7 for p in paths)


@pytest.mark.parametrize("claim", ["L0_0", "L5_1", "L10_1"])
def test_default_limit_is_max_paths(claim: str) -> None:
    edges = layered(2, 10)  # 2**10 = 1024 paths through each claim
    paths = chain_paths(edges, claim)
    assert len(paths) == MAX_PATHS
    assert_valid_paths(paths, edges, claim)


def test_exponential_graph_returns_within_the_limit() -> None:
    edges = layered(4, 20)  # 4**20 paths: only a capped walk can return
    paths = run_bounded(lambda: chain_paths(edges, "L10_0", limit=20))
    assert len(paths) == 20
    assert_valid_paths(paths, edges, "L10_0")


# --- weakest link ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strengths", "index"),
    [
        ([3], 0),
        ([3, 1, 2], 1),
        ([3, 1, 1, 2], 1),
        ([1, 1, 1], 0),
        ([2, 3, 4, 0], 3),
        ([(4, 3), (2, 4), (2, 2), (1, 1), (1, 1)], 3),
        ([(3, 2), (1, 4), (1, 4), (3, 1)], 1),
    ],
)
def test_weakest_link_is_the_first_minimum(strengths: list[object], index: int) -> None:
    path = [f"claim-{i}" for i in range(len(strengths))]
    strength = dict(zip(path, strengths, strict=True))
    assert weakest_link(path, strength.__getitem__) == WeakestLink(index, path[index])


def test_weakest_link_with_claim_verdicts() -> None:
    order = {
        Verdict.refuted: 0,
        Verdict.unproven: 1,
        Verdict.contested: 2,
        Verdict.limited_support: 3,
        Verdict.supported: 4,
    }
    verdicts = {
        "a": Verdict.supported,
        "b": Verdict.unproven,
        "c": Verdict.limited_support,
        "d": Verdict.unproven,
    }
    found = weakest_link(["a", "b", "c", "d"], lambda c: order[verdicts[c]])
    assert (found.index, found.claim) == (1, "b")


def _step(strength: tuple[int, int], reason: str | None, sup: int = 0, ref: int = 0) -> dict:
    return {
        "strength": list(strength),
        "unproven_reason": reason,
        "supporting": sup,
        "refuting": ref,
        "verdict": "unproven" if reason else "limited_support",
        "certainty": "very low" if reason else "low",
    }


UNPROVEN = (1, 1)


def test_ties_on_verdict_are_broken_by_what_is_known_then_by_the_lean_of_the_evidence() -> None:
    """Issue 16: 7 of 9 starter steps were marked weakest, all "unproven, very low"."""
    claims = {
        "a": _step(UNPROVEN, "very_low_only", sup=2, ref=1),
        "b": _step((3, 2), None, sup=3),
        "c": _step(UNPROVEN, "very_low_only", sup=1, ref=3),
        "d": _step(UNPROVEN, "very_low_only", sup=1),
    }
    chain = weigh_chain(["a", "b", "c", "d"], claims)
    assert (chain["weakest"], chain["weakest_indexes"], chain["tied_indexes"]) == ("c", [2], [])
    assert chain["weakest_why"] == (
        "its evidence leans most against it of the steps as weak (1 supporting, 3 refuting)"
    )
    claims["d"] = _step(UNPROVEN, "not_assessed")
    chain = weigh_chain(["a", "b", "c", "d"], claims)
    assert chain["weakest"] == "d"
    assert chain["weakest_why"] == (
        "less is known of it than of the steps as weak: it is not yet assessed"
    )
    claims["a"] = _step(UNPROVEN, "not_assessed")
    chain = weigh_chain(["a", "b", "c", "d"], claims)
    assert (chain["weakest"], chain["tied_indexes"]) == ("a", [3])
    assert chain["weakest_why"] == (
        "tied with step 4 on verdict, certainty and evidence; the first is marked"
    )
    # a step weaker by verdict or certainty needs no reason
    claims["b"] = _step((0, 2), None)
    chain = weigh_chain(["a", "b", "c", "d"], claims)
    assert (chain["weakest"], chain["weakest_why"]) == ("b", None)


def test_step_weight_orders_unproven_reasons_from_least_known() -> None:
    reasons = [
        "not_assessed",
        "searched_nothing_found",
        "retracted_only",
        "insufficient_only",
        "very_low_only",
    ]
    weights = [step_weight(UNPROVEN, r, 0, 0) for r in reasons]
    assert weights == sorted(weights) and len(set(weights)) == len(weights)
    assert step_weight(UNPROVEN, "very_low_only", 0, 0) < step_weight((2, 2), None, 0, 5)


@pytest.mark.parametrize(
    ("paths", "shared"),
    [
        ([], 0),
        ([["a", "b", "c"]], 2),
        ([["a", "b", "c"], ["a", "b", "d"]], 2),
        ([["a", "b"], ["a", "b", "c"]], 1),  # a chain inside another keeps its last step
        ([["a", "b"], ["x", "b"]], 0),
    ],
)
def test_shared_start_counts_the_first_steps_all_chains_share(
    paths: list[list[str]], shared: int
) -> None:
    assert shared_start(paths) == shared


# --- source scorecard -----------------------------------------------------------------------

VERDICTS = {
    "c1": Verdict.supported,
    "c2": Verdict.supported,
    "c3": Verdict.refuted,
    "c4": Verdict.unproven,
    "c5": Verdict.contested,
}


def test_scorecard_counts_distinct_claims_per_source() -> None:
    assertions = [
        ("slides", "c1"),
        ("slides", "c1"),
        ("slides", "c2"),
        ("slides", "c3"),
        ("slides", "c3"),
        ("blog", "c3"),
        ("blog", "c4"),
        ("blog", "c4"),
    ]
    card = scorecard(assertions, VERDICTS)
    assert set(card) == {"slides", "blog"}
    assert dict(card["slides"]) == {
        Verdict.supported: 2,
        Verdict.limited_support: 0,
        Verdict.contested: 0,
        Verdict.refuted: 1,
        Verdict.unproven: 0,
    }
    assert dict(card["blog"]) == {
        Verdict.supported: 0,
        Verdict.limited_support: 0,
        Verdict.contested: 0,
        Verdict.refuted: 1,
        Verdict.unproven: 1,
    }


@pytest.mark.parametrize(
    "assertions",
    [
        [("s", "c1")],
        [("s", "c1")] * 5,
        [("s", c) for c in VERDICTS],
        [("s", c) for c in VERDICTS] * 3,
        [("s", "c5"), ("t", "c5")],
    ],
)
def test_scorecard_has_a_count_for_every_verdict(assertions: Edges) -> None:
    card = scorecard(iter(assertions), VERDICTS)
    for source, counts in card.items():
        assert isinstance(counts, Counter)
        assert set(counts) == set(Verdict)
        assert all(n >= 0 for n in counts.values())
        claims = {c for s, c in assertions if s == source}
        assert sum(counts.values()) == len(claims)
        for verdict in Verdict:
            assert counts[verdict] == sum(1 for c in claims if VERDICTS[c] is verdict)


def test_scorecard_zero_counts_are_present_not_missing() -> None:
    counts = scorecard([("s", "c4")], VERDICTS)["s"]
    assert Verdict.supported in counts
    assert counts[Verdict.supported] == 0
    assert counts[Verdict.unproven] == 1


def test_scorecard_one_claim_counts_for_every_source_asserting_it() -> None:
    card = scorecard([("a", "c1"), ("b", "c1"), ("c", "c1")], VERDICTS)
    assert {s: c[Verdict.supported] for s, c in card.items()} == {"a": 1, "b": 1, "c": 1}


def test_scorecard_of_nothing_is_empty() -> None:
    assert scorecard([], VERDICTS) == {}


# --- every chain of the ledger at once (services.chains.mechanisms, a pure function) -------

SEED_LIKE: Edges = [
    ("fibrosis", "lordosis"),
    ("lordosis", "tethering"),
    ("tethering", "neuropathy"),
    ("neuropathy", "calf"),
    ("neuropathy", "heel"),
    ("calf", "heel"),
    ("calf", "achilles"),
    ("pronation", "back-pain"),
    ("high-arch", "back-pain"),
]


def test_mechanisms_are_the_connected_parts_each_with_every_maximal_chain() -> None:
    from evidence.services.views.mechanisms import mechanisms

    found = mechanisms(SEED_LIKE)
    assert [m["claims"] for m in found] == [
        ["achilles", "calf", "fibrosis", "heel", "lordosis", "neuropathy", "tethering"],
        ["back-pain", "high-arch", "pronation"],
    ]
    first = ["fibrosis", "lordosis", "tethering", "neuropathy"]
    assert as_set(found[0]["chains"]) == {
        (*first, "calf", "achilles"),
        (*first, "calf", "heel"),
        (*first, "heel"),
    }
    assert as_set(found[1]["chains"]) == {("high-arch", "back-pain"), ("pronation", "back-pain")}
    assert not any(m["truncated"] for m in found)
    assert sorted(e for m in found for e in m["edges"]) == sorted(SEED_LIKE)
    for m in found:
        for path in m["chains"]:
            assert_valid_paths([path], SEED_LIKE, path[0])


def test_mechanisms_agree_with_the_chains_through_each_claim() -> None:
    from evidence.services.views.mechanisms import mechanisms

    every = {tuple(p) for m in mechanisms(SEED_LIKE) for p in m["chains"]}
    claims = {c for e in SEED_LIKE for c in e}
    for claim in claims:
        assert as_set(chain_paths(SEED_LIKE, claim)) == {p for p in every if claim in p}


def test_a_loop_nothing_leads_into_is_still_drawn_and_listed() -> None:
    from evidence.services.views.mechanisms import mechanisms

    loop: Edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
    (m,) = run_bounded(lambda: mechanisms(loop))  # type: ignore[arg-type,return-value]
    assert m["claims"] == ["a", "b", "c", "d"]
    assert m["chains"] and {c for p in m["chains"] for c in p} == {"a", "b", "c", "d"}
    for path in m["chains"]:
        assert len(set(path)) == len(path)


def test_mechanisms_stop_at_the_limit_and_say_so() -> None:
    from evidence.services.views.mechanisms import mechanisms

    # a ladder: 2**12 paths from top to bottom
    ladder = [(f"{s}{i}", f"{t}{i + 1}") for i in range(12) for s in "xy" for t in "xy"]
    (m,) = run_bounded(lambda: mechanisms(ladder, limit=50))  # type: ignore[arg-type,return-value]
    assert len(m["chains"]) == 50 and m["truncated"]
    assert not mechanisms([("a", "b")], limit=1)[0]["truncated"]


def test_mechanisms_of_nothing_and_of_self_links() -> None:
    from evidence.services.views.mechanisms import mechanisms

    assert mechanisms([]) == []
    assert mechanisms([("a", "a")]) == []
    assert mechanisms([("a", "b"), ("a", "b")])[0]["chains"] == [["a", "b"]]
