"""A claim's screening queue in the order most likely to be relevant first, learning as it goes.

The standard strong baseline of prioritised screening, the kind ASReview's default is: TF-IDF
features of each candidate's title and abstract and a linear classifier retrained after every
decision. What ASReview does not have and a claim does is a statement (and perhaps the search
that found the candidates). It is the prior knowledge:

* before any decision, and while every decision is "relevant", candidates are ranked by
  cosine similarity to the statement and query and the records judged relevant;
* once a record is judged irrelevant, the classifier is trained with the statement as one
  more relevant document, even before any record is judged relevant: excluding records
  then moves the queue away from them, if only a little (the irrelevant rows weigh a tenth
  of the relevant ones together). Ranking by similarity until the first relevant record, as
  a queue without a statement must, left a curator's exclusions without any effect on the
  order. On the benchmark's four sets (5 seeds, the statement alone) the mean WSS@95 went
  from 0.765 to 0.767: no worse, and a queue that answers every decision.

Blending the classifier's score with the similarity to the statement was tried as well
(weights 0.3, 1 and 3, fixed or fading with each relevant record found) and it did no good on
the benchmark's real sets (benchmarks/screening.py): at 1 and above it kept pulling the queue
towards the statement's wording, which for a review's title is not the wording of its
relevant records. So the statement counts as a training document only.

Beside the decided records the classifier is trained on ``PSEUDO_NEGATIVES`` undecided
records drawn at random and taken as irrelevant, drawn anew at each retrain. Cormack and
Grossman's BMI (continuous active learning, TREC Total Recall) does this: among the
candidates of a search relevant records are rare (38 of 4,544 and 27 of 2,627 in the
benchmark's two SYNERGY sets), so a random one is nearly always irrelevant, and early on it
is what tells the classifier what an ordinary candidate looks like. In the development runs
on the benchmark's three large sets it raised the mean WSS@95 from 0.878 to 0.893 with the
statement and from 0.882 to 0.891 without (3 seeds). It assumes that rarity: a queue in which
most candidates are relevant would be better off without it.

The vectoriser is fitted once, when the queue is built, on every candidate; a retrain fits
only the classifier, on the decided rows (``ScreeningRanker.vectoriser_fits`` stays 1).
benchmarks/screening.py measures a retrain and re-ranking at 10,000 candidates.

Pure: no database and no clock; the only randomness is seeded (``seed``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]  # SciPy ships no type information
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]  # no types shipped
    TfidfVectorizer,
)
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]  # scikit-learn: no types

# ASReview's tuned default (ELAS u4, its parameters optimised on the SYNERGY reviews): a
# linear SVM, C = 0.11, on 1-2-gram sublinear TF-IDF, and the irrelevant rows weighted so
# that together they weigh a tenth of the relevant ones (ASReview: ratio 9.8)
_C = 0.11
_RELEVANT_WEIGHT_RATIO = 10.0
# BMI's number (see the module's docstring); not tuned on the benchmark's sets
PSEUDO_NEGATIVES = 100
# the expected-remaining estimate is fitted on the decisions in order; before this many, and
# this many relevant ones, it says nothing rather than extrapolate from a handful of points
_MIN_FOR_ESTIMATE = 20
_MIN_FOUND = 3

Method = Literal["similarity", "classifier"]
Decisions = Mapping[str, int] | Iterable[tuple[str, int]]


@dataclass(frozen=True)
class Candidate:
    """A record to screen: its id (whatever the caller keys records by) and its text."""

    id: str
    title: str = ""
    abstract: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"


@dataclass(frozen=True)
class Ranked:
    """An undecided candidate's place. ``score`` is higher for more likely relevant and is
    comparable only within one ranking (a cosine before learning, an SVM margin after)."""

    id: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """The undecided candidates in order, and how far screening has come.

    ``screened_since_last_include`` is the hint that "stop after N irrelevant in a row" rules
    use: decisions made since the last relevant one (all of them if none was relevant).
    ``expected_relevant_remaining`` is :func:`expected_remaining` (None when it cannot say).
    """

    ranked: tuple[Ranked, ...]
    method: Method
    screened: int
    relevant_found: int
    screened_since_last_include: int
    expected_relevant_remaining: float | None

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.ranked]


class ScreeningRanker:
    """One claim's queue: built once over its candidates, then ranked after every decision.

    ``statement`` (the claim's) and ``query`` (the search that found the candidates) are the
    prior knowledge; either may be missing. ``seed`` seeds the classifier and the draw of
    pseudo-negatives, so the same decisions give the same ranking on every run.
    """

    def __init__(
        self,
        candidates: Sequence[Candidate],
        *,
        statement: str | None = None,
        query: str | None = None,
        seed: int = 0,
    ) -> None:
        if not candidates:
            raise ValueError("no candidates to rank")
        self.ids: tuple[str, ...] = tuple(c.id for c in candidates)
        self._index = {key: i for i, key in enumerate(self.ids)}
        if len(self._index) != len(self.ids):
            raise ValueError("candidate ids are not unique")
        self.seed = seed
        self.vectoriser_fits = 0
        self.features: sparse.csr_matrix = self._fit([c.text for c in candidates])
        prior_text = "\n".join(t.strip() for t in (statement, query) if t and t.strip())
        self.has_prior = bool(prior_text)
        # rows are L2-normalised by TfidfVectorizer, and so is the prior: a dot is a cosine
        self._prior = self.vectoriser.transform([prior_text]) if self.has_prior else None

    def _fit(self, texts: list[str]) -> sparse.csr_matrix:
        self.vectoriser_fits += 1
        self.vectoriser = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            max_df=0.95,
            strip_accents="unicode",
            dtype=np.float32,
        )
        try:
            return self.vectoriser.fit_transform(texts).tocsr()
        except ValueError:
            # no text has a word in it: no vocabulary. One constant column keeps the shapes,
            # and the ranking is the candidates' own order
            self.vectoriser = TfidfVectorizer(analyzer=lambda _text: ["_"])
            return self.vectoriser.fit_transform(texts).tocsr()

    # -- ranking ---------------------------------------------------------------------------

    def scores(
        self, decided: Sequence[int], labels: Sequence[int]
    ) -> tuple[npt.NDArray[np.float64], Method]:
        """Every candidate's score (decided ones included) given the decided rows (indices
        into the candidates) and their labels, and the method that gave it. The simulation
        calls this once a step; :meth:`rank` wraps it."""
        y = np.asarray(labels, dtype=np.int64)
        rows_decided = np.asarray(decided, dtype=np.int64)
        found = int(y.sum())
        # the classifier needs both classes: the prior text is a relevant example, so with
        # one the irrelevant decisions teach it before any relevant record is found
        has_positive = found > 0 or self._prior is not None
        if len(y) == 0 or not has_positive or found == len(y):
            return self._similarity(rows_decided[y == 1]), "similarity"
        rng = np.random.default_rng([self.seed, len(y)])
        pool = np.setdiff1d(np.arange(len(self.ids)), rows_decided)
        pseudo = rng.choice(pool, size=min(PSEUDO_NEGATIVES, len(pool)), replace=False)
        parts = [self.features[rows_decided], self.features[pseudo]]
        target = [y, np.zeros(len(pseudo), dtype=np.int64)]
        if self._prior is not None:
            parts.append(self._prior)
            target.append(np.ones(1, dtype=np.int64))
        rows = sparse.vstack(parts, format="csr")
        target_y = np.concatenate(target)
        positives = int(target_y.sum())
        negatives = len(target_y) - positives
        # ASReview's balancing: a relevant row weighs 1, the irrelevant ones share a tenth of
        # the relevant rows' total; then scaled to sum to the number of rows (C's scale)
        weights = np.where(target_y == 1, 1.0, positives / (_RELEVANT_WEIGHT_RATIO * negatives))
        weights *= len(target_y) / weights.sum()
        model = LinearSVC(C=_C, loss="squared_hinge", random_state=self.seed)
        model.fit(rows, target_y, sample_weight=weights)
        return np.asarray(model.decision_function(self.features), dtype=np.float64), "classifier"

    def _similarity(self, relevant_rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Cosine similarity of every candidate to the prior text and the relevant records
        (their normalised sum); all zero, the candidates' own order, when there is neither."""
        query = self._prior
        if len(relevant_rows):
            summed = sparse.csr_matrix(self.features[relevant_rows].sum(axis=0))
            query = summed if query is None else query + summed
        if query is None:
            return np.zeros(len(self.ids))
        norm = math.sqrt(float(query.multiply(query).sum()))
        if norm == 0.0:
            return np.zeros(len(self.ids))
        return np.asarray((self.features @ (query.T / norm)).todense(), dtype=np.float64).ravel()

    def rank(self, decisions: Decisions) -> Ranking:
        """The undecided candidates, most likely relevant first.

        ``decisions`` maps a candidate's id to 1 (relevant) or 0 (irrelevant), in the order
        they were made (a dict keeps its insertion order; (id, label) pairs may be given
        instead). The order matters only to the stopping hint and the remaining estimate.
        """
        decided: list[int] = []
        labels: list[int] = []
        pairs = list(decisions.items()) if isinstance(decisions, Mapping) else list(decisions)
        for key, label in pairs:
            if key not in self._index:
                raise ValueError(f"decision for {key!r}, which is not one of the candidates")
            if isinstance(label, bool) or label not in (0, 1):
                raise ValueError(f"decision for {key!r} is {label!r}: expected 0 or 1")
            decided.append(self._index[key])
            labels.append(int(label))
        if len(set(decided)) != len(decided):
            raise ValueError("a candidate is decided twice")
        score, method = self.scores(decided, labels)
        pool = np.setdiff1d(np.arange(len(self.ids)), np.asarray(decided, dtype=np.int64))
        # highest score first; ties keep the candidates' given order (a stable sort)
        order = pool[np.argsort(-score[pool], kind="stable")]
        return Ranking(
            ranked=tuple(Ranked(self.ids[i], float(score[i])) for i in order),
            method=method,
            screened=len(labels),
            relevant_found=sum(labels),
            screened_since_last_include=since_last_include(labels),
            expected_relevant_remaining=expected_remaining(labels, len(pool)),
        )


def since_last_include(labels: Sequence[int]) -> int:
    """Decisions made after the last relevant one: all of them when none was relevant."""
    for back, label in enumerate(reversed(labels)):
        if label == 1:
            return back
    return len(labels)


def expected_remaining(labels: Sequence[int], unscreened: int) -> float | None:
    """About how many relevant records are still among the ``unscreened``, from the labels
    of the decisions so far in the order they were made; None when it cannot say.

    Why this estimator: the classifier's scores are not probabilities (an SVM margin, trained
    on a sample it chose itself, the relevant class weighted up), so no sum of them over the
    unscreened would mean anything. What can be observed is how the rate of finding relevant
    records falls as screening goes down a ranked list, once it has peaked (before, while
    the queue is still homing in, it rises). So:

    1. the rate is smoothed over windows of ``max(10, n / 10)`` decisions, and the decisions
       from the first window where it is highest on are kept; until the latest window's
       rate is down to half that peak's, no fall is visible and extrapolating the rate
       would run to hundreds of records in a large queue: None;
    2. on them the rate is modelled as a geometric decay, the i-th record relevant with
       chance ``a * exp(-b * i)``. For each ``b`` on a grid (0, no decay, up to a half-life
       of n/50 positions) ``a`` makes the curve's sum equal the relevant found, and the
       Bernoulli likelihood of the labels as they came weighs that ``b``;
    3. the estimate is the likelihood-weighted median (a posterior median, the grid's points
       equally likely beforehand) of the curve summed over the positions still to come.

    In random order the rate never falls, so there is no estimate (it would be the rest
    looking like what was screened). It needs ``_MIN_FOR_ESTIMATE`` decisions and
    ``_MIN_FOUND`` relevant ones first. It extrapolates a trend and is no bound: on real sets
    (benchmarks/screening.py prints it beside the truth) it errs both ways, by a factor of
    three or four when it first speaks, and later within a few records; it cannot foresee
    the last few relevant records that sit far down the list. Say "about", rounded.
    """
    n = len(labels)
    if unscreened <= 0:
        return 0.0
    if n < _MIN_FOR_ESTIMATE or sum(labels) < _MIN_FOUND:
        return None
    width = max(10, n // 10)
    hits = np.asarray(labels, dtype=np.float64)
    rate = np.convolve(hits, np.ones(width) / width, mode="valid")  # rate[j]: labels[j:j+w]
    peak = int(np.argmax(rate))  # the first window where the rate is highest
    if rate[-1] > rate[peak] / 2:
        return None  # no visible fall yet: the latest window is still half as rich or more
    return _decay_mean(hits[peak:], unscreened)


def _decay_mean(hits: npt.NDArray[np.float64], unscreened: int) -> float:
    n, found = len(hits), float(hits.sum())
    positions = np.arange(1, n + 1, dtype=np.float64)
    ahead = np.arange(n + 1, n + unscreened + 1, dtype=np.float64)
    logliks: list[float] = []
    remaining: list[float] = []
    for b in [0.0, *np.geomspace(0.01 / n, 35.0 / n, 60)]:
        decay = np.exp(-b * positions)
        a = min(found / float(decay.sum()), 1.0)
        p = np.clip(a * decay, 1e-12, 1 - 1e-12)
        logliks.append(float(np.sum(hits * np.log(p) + (1 - hits) * np.log1p(-p))))
        remaining.append(float(np.sum(np.minimum(a * np.exp(-b * ahead), 1.0))))
    weights = np.exp(np.asarray(logliks) - max(logliks))
    # the posterior median: the mean would be ruled by the flattest curves' sums over
    # thousands of positions, however unlikely they are
    order = np.argsort(remaining)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(np.asarray(remaining)[order][int(np.searchsorted(cumulative, 0.5))])


def rank_candidates(
    candidates: Sequence[Candidate],
    decisions: Decisions,
    *,
    statement: str | None = None,
    query: str | None = None,
    seed: int = 0,
) -> Ranking:
    """One ranking, the queue built and dropped: for a caller that keeps no
    :class:`ScreeningRanker` between decisions (the vectoriser is then refitted each time,
    seconds at 10,000 candidates, where a kept ranker retrains in milliseconds)."""
    return ScreeningRanker(candidates, statement=statement, query=query, seed=seed).rank(decisions)
