"""What each kind of stored record is called in a sentence, by its table (or history
entity) name: one, and many. Messages say "40 claims" and "changed title of paper", not
the table names."""

from __future__ import annotations

RECORD_NOUNS = {
    "account": ("account", "accounts"),
    "assertion": ("assertion", "assertions"),
    "claim": ("claim", "claims"),
    "claim_link": ("link between claims", "links between claims"),
    "evidence": ("evidence link", "evidence links"),
    "evidence_search": ("search", "searches"),
    "search": ("search", "searches"),  # the history's name for an evidence search
    "history": ("history entry", "history entries"),
    "override": ("override", "overrides"),
    "reference": ("paper", "papers"),
    "source": ("source", "sources"),
}


def noun(kind: str) -> str:
    """One record of this kind, as a sentence names it."""
    return RECORD_NOUNS.get(kind, (kind.replace("_", " "),))[0]


def count_of(kind: str, n: int) -> str:
    """``n`` records of this kind in words: "1 claim", "450 history entries"."""
    one, many = RECORD_NOUNS.get(kind, (kind.replace("_", " "),) * 2)
    return f"{n:,} {one if n == 1 else many}"
