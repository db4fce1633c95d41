"""Replaying screening on a labelled set, as ASReview's ``simulate`` does, to measure a ranker.

A simulation starts from a prior and then, again and again, takes the top-ranked record,
reveals its label and retrains (:class:`evidence.domain.ranking.ScreeningRanker`), until
every relevant record is found (what comes after cannot change the figures below).

* Without a claim text the prior is ASReview's usual one: one relevant and one irrelevant
  record drawn at random (by ``seed``). They count as screened, as they had to be read.
* With a claim text the prior is that text alone; no record is labelled before the first
  ranking.
* ``prior_relevant`` / ``prior_irrelevant`` (``screen simulate --prior-relevant N
  --prior-irrelevant N``) set how many records are drawn either way, so that a claim text
  can be measured beside the same labelled records as without it.

The figures are the standard ones: records screened to reach 95% and 100% recall, WSS@95
(work saved over sampling at 95% recall, ``(TN + FN) / N - 0.05``, Cohen et al. 2006: the
share of records left unread when 95% of the relevant ones are found, less the 5% that
random order would leave unread at that recall), and recall after 10% of the records. The
same figures for random order are their expected values, exactly (the k-th of R relevant
records among N in random order is read, on average, at position ``k (N + 1) / (R + 1)``).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evidence.domain.identifiers import parse_identifier
from evidence.domain.ranking import Candidate, ScreeningRanker
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats import text_files
from evidence.formats.citations import BrokenRecord, Citation
from evidence.formats.reading import open_records

RECALL_TARGET = 0.95
SCREENED_SHARE = 0.10  # recall after this share of the records: recall@10%


@dataclass(frozen=True)
class Figures:
    """One screening order's recall-curve figures (floats: random order's are expected)."""

    screened_to_95: float
    screened_to_100: float
    wss_95: float
    recall_at_10: float


@dataclass(frozen=True)
class SimulationResult:
    records: int
    relevant: int
    seed: int
    claim_text: str | None
    prior: tuple[str, ...]  # the ids labelled before the first ranking
    ranked: Figures
    random: Figures
    retrains: int
    # ids in the order screened (the prior first), up to the last relevant one
    order: tuple[str, ...] = field(repr=False)
    # 1-based positions in ``order`` at which the relevant records were found: the curve
    found_at: tuple[int, ...] = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "relevant": self.relevant,
            "seed": self.seed,
            "claim_text": self.claim_text,
            "prior": list(self.prior),
            "ranked": self.ranked.__dict__,
            "random_expected": self.random.__dict__,
            "retrains": self.retrains,
            "found_at": list(self.found_at),
        }


def figures_from_order(order_labels: Sequence[int], records: int, relevant: int) -> Figures:
    """The figures of screening in this order (labels of the records as read, at least up
    to the last relevant one; the rest are taken as irrelevant)."""
    if relevant <= 0:
        raise ValueError("the labelled set has no relevant record: recall is undefined")
    need_95 = math.ceil(RECALL_TARGET * relevant)
    found = 0
    to_95 = to_100 = None
    for position, label in enumerate(order_labels, 1):
        found += label
        if to_95 is None and found >= need_95:
            to_95 = position
        if found >= relevant:
            to_100 = position
            break
    if to_95 is None or to_100 is None:
        raise ValueError("the order does not reach every relevant record")
    cut = math.ceil(SCREENED_SHARE * records)
    at_10 = sum(order_labels[:cut]) / relevant
    return Figures(
        screened_to_95=float(to_95),
        screened_to_100=float(to_100),
        wss_95=(records - to_95) / records - (1 - RECALL_TARGET),
        recall_at_10=at_10,
    )


def random_figures(records: int, relevant: int) -> Figures:
    """The expected figures of screening in random order: exact, no sampling."""
    need_95 = math.ceil(RECALL_TARGET * relevant)
    to_95 = need_95 * (records + 1) / (relevant + 1)
    to_100 = relevant * (records + 1) / (relevant + 1)
    cut = math.ceil(SCREENED_SHARE * records)
    return Figures(
        screened_to_95=to_95,
        screened_to_100=to_100,
        # WSS is linear in the position, so its expectation is at the expected position
        wss_95=(records - to_95) / records - (1 - RECALL_TARGET),
        recall_at_10=cut / records,  # hypergeometric: cut * R / N found, of R
    )


def simulate(
    records: Sequence[Candidate],
    labels: Mapping[str, int],
    *,
    claim_text: str | None = None,
    query: str | None = None,
    seed: int = 0,
    prior_relevant: int | None = None,
    prior_irrelevant: int | None = None,
    ranker: ScreeningRanker | None = None,
) -> SimulationResult:
    """Screen ``records`` top-ranked first, revealing ``labels`` (id -> 0/1, one for every
    record), and measure the order.

    ``prior_relevant`` / ``prior_irrelevant`` records are drawn at random (by ``seed``) and
    labelled first; by default 1 and 1 without a claim text and 0 and 0 with one. A
    ``ranker`` already built over the same records (same ids, same order) may be passed so
    that several simulations share one vectoriser fit; its prior must match ``claim_text``,
    and ``seed`` becomes its seed too (the classifier's and the pseudo-negatives' draw).
    """
    ids = [r.id for r in records]
    missing = [key for key in ids if key not in labels]
    if missing:
        raise ValueError(f"{len(missing)} records have no label, the first {missing[0]!r}")
    y = np.asarray([labels[key] for key in ids], dtype=np.int64)
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError("labels must be 0 or 1")
    relevant = int(y.sum())
    if relevant == 0:
        raise ValueError("the labelled set has no relevant record: recall is undefined")
    has_claim = bool(claim_text and claim_text.strip())
    n_rel = prior_relevant if prior_relevant is not None else (0 if has_claim else 1)
    n_irr = prior_irrelevant if prior_irrelevant is not None else (0 if has_claim else 1)
    if n_rel < 0 or n_irr < 0:
        raise ValueError("a prior cannot have fewer than 0 records")
    for asked, kind, has in (
        (n_rel, "relevant", relevant),
        (n_irr, "irrelevant", len(ids) - relevant),
    ):
        if asked > has:
            raise ValueError(f"a prior of {asked} {kind} records asked for; the set has {has}")
    if ranker is None:
        ranker = ScreeningRanker(
            records, statement=claim_text if has_claim else None, query=query, seed=seed
        )
    elif ranker.ids != tuple(ids) or ranker.has_prior != (has_claim or bool(query)):
        raise ValueError("the ranker was built over other records or with another prior")
    else:
        ranker.seed = seed

    draw = random.Random(seed)
    relevant_idx = [i for i in range(len(ids)) if y[i] == 1]
    irrelevant_idx = [i for i in range(len(ids)) if y[i] == 0]
    prior = draw.sample(relevant_idx, n_rel) + draw.sample(irrelevant_idx, n_irr)
    decided: list[int] = list(prior)
    decided_labels: list[int] = [int(y[i]) for i in prior]
    unscreened = np.ones(len(ids), dtype=bool)
    unscreened[prior] = False
    found = sum(decided_labels)
    retrains = 0
    while found < relevant:
        score, _ = ranker.scores(decided, decided_labels)
        retrains += 1
        # the top unscreened record; ties go to the earliest, as in ranker.rank
        masked = np.where(unscreened, score, -np.inf)
        top = int(np.argmax(masked))
        unscreened[top] = False
        decided.append(top)
        decided_labels.append(int(y[top]))
        found += int(y[top])
    return SimulationResult(
        records=len(ids),
        relevant=relevant,
        seed=seed,
        claim_text=claim_text if has_claim else None,
        prior=tuple(ids[i] for i in prior),
        ranked=figures_from_order(decided_labels, len(ids), relevant),
        random=random_figures(len(ids), relevant),
        retrains=retrains,
        order=tuple(ids[i] for i in decided),
        found_at=tuple(n for n, label in enumerate(decided_labels, 1) if label == 1),
    )


# -- a labelled file -----------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSet:
    records: tuple[Candidate, ...]  # ids are the records' positions in the file, "1", "2" ...
    labels: dict[str, int]


def read_labels(path: Path) -> list[tuple[int, str, int]]:
    """The rows of a labels CSV as (row number, key, label): two columns, a record's key
    or identifier and 0 / 1; a header row is allowed (a first row whose label is neither).
    A row that is not so is an error naming it."""
    name = str(path)
    if not path.is_file():
        raise InvalidRecord(name, None, "no such file" if not path.exists() else "not a file")
    text = text_files.read_text(path, None)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[int, str, int]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0]:
            raise InvalidRecord(
                name, f"row {number}", "expected two columns: a record's key and 0 or 1"
            )
        if cells[1] not in ("0", "1"):
            if number == 1 and not rows:
                continue  # the header
            raise InvalidRecord(name, f"row {number}", f"label {cells[1]!r}: expected 0 or 1")
        rows.append((number, cells[0], int(cells[1])))
    if not rows:
        raise InvalidRecord(name, None, "no labels in it")
    return rows


def _names(record: Citation) -> list[str]:
    """What a labels file may call a record by: its own key in the file, DOI, PMID, PMCID."""
    names = [record.label] if record.label else []
    names += [
        f"{kind}:{value}"
        for kind, value in (("doi", record.doi), ("pmid", record.pmid), ("pmcid", record.pmcid))
        if value
    ]
    return names


def _name_of_key(key: str) -> str:
    """A labels file's key as :func:`_names` spells it: an identifier normalised, else as
    written (a file's own record key)."""
    try:
        return str(parse_identifier(key))  # "doi:10.1/x", "pmid:123", "pmcid:PMC1"
    except InvalidIdentifier:
        return key


def read_labelled_set(
    file: Path, labels_path: Path, *, fmt: str = "auto", encoding: str | None = None
) -> LabelledSet:
    """The records of a bibliographic ``file`` (any format ``evidence import`` reads) and
    their labels from ``labels_path``. Every record needs a label and every label a record;
    a broken record, a label naming no record or two rows at odds are errors naming them."""
    opened = open_records(file, fmt, encoding)
    citations: list[Citation] = []
    for item in opened.records:
        if isinstance(item, BrokenRecord):
            raise InvalidRecord(opened.name, item.where, item.problem)
        if isinstance(item, Citation):
            citations.append(item)
    if not citations:
        raise InvalidRecord(opened.name, None, "no records in it")
    by_name: dict[str, list[int]] = {}
    for i, record in enumerate(citations):
        for name in _names(record):
            by_name.setdefault(name, []).append(i)
    labels: dict[int, tuple[int, int]] = {}  # record index -> (label, row)
    for row, key, label in read_labels(labels_path):
        matched = by_name.get(_name_of_key(key)) or by_name.get(key)
        if not matched:
            raise InvalidRecord(
                str(labels_path), f"row {row}", f"{key!r} names no record of {opened.name}"
            )
        for i in matched:  # an exported duplicate shares its label
            earlier = labels.get(i)
            if earlier is not None and earlier[0] != label:
                raise InvalidRecord(
                    str(labels_path),
                    f"row {row}",
                    f"{key!r} is labelled {label} here and {earlier[0]} in row {earlier[1]}",
                )
            labels[i] = (label, row)
    unlabelled = [citations[i] for i in range(len(citations)) if i not in labels]
    if unlabelled:
        first = unlabelled[0]
        raise InvalidRecord(
            opened.name,
            first.where,
            f"has no label in {labels_path} ({len(unlabelled):,} records have none)",
        )
    records = tuple(Candidate(str(r.position), r.title or "", r.abstract or "") for r in citations)
    return LabelledSet(records, {str(r.position): labels[i][0] for i, r in enumerate(citations)})
