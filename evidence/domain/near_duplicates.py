"""Claims that assert nearly the same statement, found without comparing every pair.

Two statements are near-duplicates when

1. rapidfuzz's ratio of their normalised texts (case, punctuation and typographic marks
   folded) is at least ``NEAR_DUPLICATE_SCORE``,
2. they have the same numbers and the same negations ("10%" is not "90%", "is" is not
   "is not"), and
3. their content words (articles, prepositions, pronouns and "to be" left out) are the same
   words in the same order but for one word added or dropped; a typo or a plural counts as
   the same word (OSA distance 1, in words of four letters or more).

Measured: the 40 starter claims score at most 54 against each other; a starter claim with
one word dropped scores 93-99 against itself, with a typo 98.7-100, so 90 keeps those and
no starter pair. The word rule keeps apart the statements of one template that differ in
one word ("... sensitises the calf" / "... sensitises the heel": 94-96 in the demo
ledger), as a different body part is a different claim, and those whose words trade
places ("strain from the ankle to the knee" / "from the knee to the ankle", 90-95): a
claim's direction matters.
An order-blind scorer (token_sort_ratio, token_set_ratio, WRatio) was not used for the same
reason: with it those score 100.

Scale: identical normalised texts are grouped first (a dictionary), then each distinct
text is indexed under its ``_PREFIX`` rarest content words (prefix filtering: statements
that share all but ``_PREFIX - 1`` of their content words share an indexed one), with its
numbers and negations in the key; only statements under one key are scored, a large group
in one rapidfuzz ``cdist`` call. 200,000 claims are never compared pair by pair.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

NEAR_DUPLICATE_SCORE = 90.0
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\b\d+\b")
_NEGATION = re.compile(r"\b(?:not|no|nor|never|without|none|cannot)\b")
# only words are compared, so of quote_location's folding only the marks that sit inside a
# word matter (a soft hyphen, a zero-width space); its character-by-character loop was most
# of the time at 200,000 claims
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u200c\u200d\u2060\ufeff")
_STOP = frozenset(
    [
        *("a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with"),
        *("from", "as", "is", "are", "was", "were", "be", "been", "being", "that", "which"),
        *("this", "these", "those", "it", "its", "their", "into", "than"),
    ]
)
_PREFIX = 4
_CDIST_FROM = 48  # a group this large is scored in one rapidfuzz call, not pair by pair
_CHUNK = 2000  # rows of one cdist call: 2,000 x a group's size bytes at most


@dataclass(frozen=True)
class Cluster:
    """Claims that assert nearly the same statement: their ids in order, and the texts."""

    claims: list[str]
    statements: list[str]  # the normalised texts, one per distinct wording


class _Text:
    """A distinct normalised statement, as scored: only made for those that share their
    numbers and negations with another (most of a large ledger's do not, or do once)."""

    __slots__ = ("text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        # the content words in order, interned: a ledger's statements share a vocabulary
        self.words = [sys.intern(w) for w in text.split() if w not in _STOP]


def normalised(statement: str) -> str:
    """A statement as compared: its words, folded, one space apart."""
    if not statement.isascii():
        statement = statement.translate(_INVISIBLE)
    return " ".join(_WORD.findall(statement.casefold()))


def _key(text: str) -> str:
    """What two near-duplicates must share exactly: their numbers and negations."""
    numbers = sorted(set(_NUMBER.findall(text)))
    return " ".join(numbers) + "|" + " ".join(sorted(set(_NEGATION.findall(text))))


def near(a: str, b: str) -> bool:
    """Whether two statements are near-duplicates (the rules above)."""
    x, y = normalised(a), normalised(b)
    return _key(x) == _key(y) and _near(_Text(x), _Text(y))


def clusters(statements: Iterable[tuple[str, str]]) -> list[Cluster]:
    """The groups of near-duplicate statements among (claim id, statement) pairs, each
    group's claims in order and the groups in the order of their first claim."""
    claims_of: dict[str, list[str]] = {}
    for claim_id, statement in statements:
        claims_of.setdefault(normalised(statement), []).append(claim_id)
    by_key: dict[str, list[str]] = defaultdict(list)
    for text in claims_of:
        by_key[_key(text)].append(text)
    parent: dict[str, str] = {}  # union-find over the texts scored against another

    def root(text: str) -> str:
        while (up := parent.setdefault(text, text)) != text:
            parent[text] = parent.setdefault(up, up)
            text = up
        return text

    for texts in by_key.values():
        if len(texts) < 2:
            continue
        scored = [_Text(t) for t in texts]
        for i, j in _candidates(scored):
            a, b = root(scored[i].text), root(scored[j].text)
            if a != b and _near(scored[i], scored[j]):
                parent[a] = b
    del by_key
    groups: dict[str, list[str]] = defaultdict(list)
    for text in parent:
        groups[root(text)].append(text)
    found = [
        Cluster(sorted(c for t in g for c in claims_of[t]), sorted(g)) for g in groups.values()
    ]
    found += [
        Cluster(sorted(ids), [t])
        for t, ids in claims_of.items()
        if len(ids) > 1 and t not in parent
    ]
    return sorted((c for c in found if len(c.claims) > 1), key=lambda c: c.claims)


def _same_word(a: str, b: str) -> bool:
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 4:
        return a == b
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _near(a: _Text, b: _Text) -> bool:
    if fuzz.ratio(a.text, b.text, score_cutoff=NEAR_DUPLICATE_SCORE) == 0:
        return False
    # b's words as a spells them, where one is a typo or a plural of the other
    in_a, in_b = set(a.words), set(b.words)
    only_a = [w for w in in_a if w not in in_b]
    twins: dict[str, str] = {}
    for word in in_b - in_a:
        twin = next((w for w in only_a if _same_word(w, word)), None)
        if twin is not None:
            twins[word] = twin
            only_a.remove(twin)
    spelt = [twins.get(w, w) for w in b.words]
    return Indel.distance(a.words, spelt, score_cutoff=1) <= 1


def _candidates(texts: Sequence[_Text]) -> Iterator[tuple[int, int]]:
    """The pairs worth scoring, each once: texts (of one key) that share one of their
    rarest content words."""
    frequency: Counter[str] = Counter()
    for t in texts:
        frequency.update(set(t.words))
    index: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        for word in sorted(set(t.words), key=lambda w: (frequency[w], w))[:_PREFIX]:
            index[word].append(i)
    seen: set[tuple[int, int]] = set()
    for members in index.values():
        if len(members) < 2:
            continue
        for pair in _pairs(texts, members):
            if pair not in seen:
                seen.add(pair)
                yield pair


def _pairs(texts: Sequence[_Text], members: list[int]) -> Iterator[tuple[int, int]]:
    """The pairs of one index entry; a large entry only those whose texts score enough."""
    if len(members) < _CDIST_FROM:
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                yield (i, j)  # _near scores them
        return
    words = [texts[i].text for i in members]
    for start in range(0, len(words), _CHUNK):
        scores = process.cdist(
            words[start : start + _CHUNK],
            words,
            scorer=fuzz.ratio,
            score_cutoff=NEAR_DUPLICATE_SCORE,
            workers=-1,
        )
        for a, b in zip(*scores.nonzero(), strict=True):
            row, column = start + int(a), int(b)
            if row < column:
                yield (members[row], members[column])
