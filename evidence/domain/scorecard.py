"""Source scorecards: how the claims a source asserts fare once graded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from evidence.domain.vocab import Verdict


def scorecard(
    assertions: Iterable[tuple[str, str]], verdicts: Mapping[str, Verdict]
) -> dict[str, Counter[Verdict]]:
    """Count, per source, its distinct claims by verdict.

    ``assertions`` are (source, claim) pairs; a source quoted twice for one claim counts once.
    """
    seen: dict[str, set[str]] = {}
    for source, claim in assertions:
        seen.setdefault(source, set()).add(claim)
    return {
        source: Counter({v: 0 for v in Verdict} | Counter(verdicts[c] for c in claims))
        for source, claims in seen.items()
    }
