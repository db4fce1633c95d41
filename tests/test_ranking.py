"""The learning screening queue (domain/ranking.py), its simulation (services/finding/
screening_simulation.py) and `screen simulate` (cli/screening_simulate.py).

The labelled set is real: 100 records of SYNERGY's van_der_Waal_2022 with their real labels,
as ASReview's own tests ship them (tests/fixtures/screening/README.md says where from). The
bibliographic files the CLI tests write are synthetic (PMIDs above 90000000, DOIs 10.5555/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evidence.cli.screening_simulate import simulate as simulate_command
from evidence.domain import ranking
from evidence.domain.ranking import (
    Candidate,
    ScreeningRanker,
    expected_remaining,
    since_last_include,
)
from evidence.errors import InvalidRecord
from evidence.services.finding.screening_simulation import (
    figures_from_order,
    random_figures,
    read_labelled_set,
    simulate,
)

FIXTURE = Path(__file__).parent / "fixtures" / "screening" / "van_der_waal_2022_sample.jsonl"
# the review's title, as ASReview's SYNERGY metadata gives it
CLAIM = "A meta-analysis on the role older adults with cancer favour in treatment decision making"


@pytest.fixture(scope="module")
def labelled() -> tuple[list[Candidate], dict[str, int]]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    records = [Candidate(str(i), r["title"] or "", r["abstract"] or "") for i, r in enumerate(rows)]
    return records, {str(i): int(r["label_included"]) for i, r in enumerate(rows)}


def test_the_learning_ranker_beats_random_order(labelled) -> None:  # noqa: ANN001
    records, labels = labelled
    for seed in (0, 1, 2):
        result = simulate(records, labels, seed=seed)
        assert result.relevant == 10 and result.records == 100
        assert len(result.prior) == 2  # ASReview's one relevant + one irrelevant
        # random order saves ~3% at 95% recall here; the ranker saves 40%
        assert result.ranked.wss_95 > result.random.wss_95 + 0.25
        assert result.ranked.recall_at_10 >= 0.5 > result.random.recall_at_10
        assert result.found_at[-1] == len(result.order) == result.ranked.screened_to_100


def test_the_claim_text_helps_before_any_decision(labelled) -> None:  # noqa: ANN001
    records, labels = labelled
    blind = ScreeningRanker(records).rank({})
    primed = ScreeningRanker(records, statement=CLAIM).rank({})
    assert blind.method == primed.method == "similarity"
    assert blind.ids == [r.id for r in records]  # nothing to go on: the file's order
    top = sum(labels[key] for key in primed.ids[:10])
    assert top >= 4  # random order puts 1 relevant record in the first 10, on average
    assert top > sum(labels[key] for key in blind.ids[:10])
    # and with no record labelled at all, the simulation still finds them all early
    result = simulate(records, labels, claim_text=CLAIM)
    assert result.prior == ()
    assert result.ranked.wss_95 > result.random.wss_95 + 0.25


def test_the_classifier_takes_over_once_both_kinds_are_decided(labelled) -> None:  # noqa: ANN001
    records, labels = labelled
    relevant = next(k for k, v in labels.items() if v == 1)
    irrelevant = next(k for k, v in labels.items() if v == 0)
    blind = ScreeningRanker(records)
    assert blind.rank({irrelevant: 0}).method == "similarity"
    assert blind.rank({relevant: 1}).method == "similarity"
    ranker = ScreeningRanker(records, statement=CLAIM)
    assert ranker.rank({relevant: 1}).method == "similarity"
    both = ranker.rank({relevant: 1, irrelevant: 0})
    assert both.method == "classifier"
    assert {relevant, irrelevant}.isdisjoint(both.ids) and len(both.ids) == 98
    scores = [r.score for r in both.ranked]
    assert scores == sorted(scores, reverse=True)


def test_exclusions_move_the_queue_before_the_first_include() -> None:
    """With a statement, the statement is the relevant example: the records a curator
    excludes are trained on before any record is included, so what they share counts
    against a candidate (a little: the irrelevant rows weigh a tenth of the relevant ones
    together, ASReview's balance), where a ranking by similarity would not move at all."""
    equine = [
        Candidate(
            f"horse{i}",
            f"Plantar heel pain in horses treated with corrective shoeing {i}",
            "Lame horses, equine hoof care and farriery in a stable of thoroughbreds.",
        )
        for i in range(4)
    ]
    human = [
        Candidate(
            f"human{i}",
            f"Calf stretching for plantar fasciitis in runners {i}",
            "Adults with heel pain, a randomised trial of a stretching programme.",
        )
        for i in range(4)
    ]
    # ordinary candidates of a search, on other things
    filler = [
        Candidate(f"other{i}", f"Knee osteoarthritis cohort {i}", f"Gait and hip strength {i}.")
        for i in range(40)
    ]
    ranker = ScreeningRanker(
        [*equine, *human, *filler], statement="Plantar heel pain is treated with stretching"
    )

    def lead(order: ranking.Ranking) -> float:
        """How far the horses' records are ahead of the runners' (the statement's words
        are more of theirs)."""
        score = {r.id: r.score for r in order.ranked}
        return score["horse3"] - score["human3"]

    before = ranker.rank({})
    assert before.method == "similarity" and lead(before) > 0
    gaps = [lead(before)]
    for excluded in ({"horse0": 0}, {"horse0": 0, "horse1": 0}):
        after = ranker.rank(excluded)
        assert after.method == "classifier" and after.relevant_found == 0
        gaps.append(lead(after))
    assert gaps[0] > gaps[1] > gaps[2]  # each exclusion of a horse's record moved them back
    # without a statement there is no relevant example yet: nothing to learn from
    blind = ScreeningRanker([*equine, *human, *filler])
    assert blind.rank({"horse0": 0, "horse1": 0}).method == "similarity"


def test_retraining_does_not_refit_the_vectoriser(
    labelled,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records, labels = labelled
    ranker = ScreeningRanker(records, statement=CLAIM)
    features = ranker.features
    vocabulary = len(ranker.vectoriser.vocabulary_)

    def refit(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the vectoriser was fitted again")

    monkeypatch.setattr(ranker.vectoriser, "fit_transform", refit)
    monkeypatch.setattr(ranker.vectoriser, "fit", refit)
    decided: dict[str, int] = {}
    for key in list(labels)[:30]:
        decided[key] = labels[key]
        ranker.rank(decided)
    assert ranker.vectoriser_fits == 1
    assert ranker.features is features and len(ranker.vectoriser.vocabulary_) == vocabulary


def test_the_simulation_is_deterministic_by_seed(labelled) -> None:  # noqa: ANN001
    records, labels = labelled
    first, again = simulate(records, labels, seed=7), simulate(records, labels, seed=7)
    assert first.order == again.order and first.ranked == again.ranked
    other = simulate(records, labels, seed=8)
    assert other.prior != first.prior
    decided = {key: labels[key] for key in first.order[:20]}
    one = ScreeningRanker(records, seed=3).rank(decided)
    two = ScreeningRanker(records, seed=3).rank(decided)
    assert one.ranked == two.ranked


def test_the_stopping_hint_counts_since_the_last_include(labelled) -> None:  # noqa: ANN001
    assert since_last_include([]) == 0
    assert since_last_include([0, 0, 0]) == 3
    assert since_last_include([0, 1, 0, 0]) == 2
    assert since_last_include([1]) == 0
    records, labels = labelled
    relevant = [k for k, v in labels.items() if v == 1]
    irrelevant = [k for k, v in labels.items() if v == 0]
    decisions = [(relevant[0], 1), *((k, 0) for k in irrelevant[:5])]
    ranking_ = ScreeningRanker(records).rank(decisions)
    assert ranking_.screened == 6 and ranking_.relevant_found == 1
    assert ranking_.screened_since_last_include == 5


def test_the_remaining_estimate_says_nothing_it_cannot_know() -> None:
    assert expected_remaining([1, 0, 1], 500) is None  # too few decisions
    assert expected_remaining([0] * 50, 500) is None  # no relevant one yet
    assert expected_remaining([1, 0] * 20, 0) == 0.0  # nothing left


def test_the_remaining_estimate_follows_the_rate_of_finding() -> None:
    # found evenly, one in ten, as in random order: no fall to extrapolate, no estimate
    even = [1 if i % 10 == 0 else 0 for i in range(200)]
    assert expected_remaining(even, 800) is None
    # still finding them as fast as ever at the end: none either
    assert expected_remaining([0] * 30 + [1, 0] * 20, 800) is None
    # twenty found at the head of a ranked list, then none for 180: few remain
    steep = expected_remaining([1] * 20 + [0] * 180, 800)
    assert steep is not None and steep < 2
    # a slower fall leaves more to come than a sharp one
    slow = [1 if i % 3 == 0 else 0 for i in range(60)] + [1 if i % 8 == 0 else 0 for i in range(80)]
    gentle = expected_remaining(slow, 800)
    assert gentle is not None and steep < gentle < 800


def test_the_remaining_estimate_is_small_once_the_simulation_found_all(labelled) -> None:  # noqa: ANN001
    records, labels = labelled
    result = simulate(records, labels, claim_text=CLAIM)
    screened = [labels[key] for key in result.order]
    # 30 more irrelevant ones read after the last relevant: the estimate shrinks towards 0
    after = screened + [0] * 30
    estimate = expected_remaining(after, 100 - len(after))
    assert estimate is not None and estimate < 1


def test_bad_decisions_are_refused(labelled) -> None:  # noqa: ANN001
    records, _ = labelled
    ranker = ScreeningRanker(records)
    with pytest.raises(ValueError, match="not one of the candidates"):
        ranker.rank({"nope": 1})
    with pytest.raises(ValueError, match="expected 0 or 1"):
        ranker.rank({"0": 2})
    with pytest.raises(ValueError, match="decided twice"):
        ranker.rank([("0", 1), ("0", 0)])
    with pytest.raises(ValueError, match="not unique"):
        ScreeningRanker([Candidate("a", "x"), Candidate("a", "y")])


def test_empty_texts_keep_the_given_order() -> None:
    ranker = ScreeningRanker([Candidate(str(i)) for i in range(5)], statement="anything")
    assert ranker.rank({"1": 1, "2": 0}).ids == ["0", "3", "4"]


def test_the_figures_follow_their_definitions() -> None:
    # 10 records, 2 relevant, read 2nd and 5th: 95% recall needs both, at the 5th
    figs = figures_from_order([0, 1, 0, 0, 1], 10, 2)
    assert figs.screened_to_95 == figs.screened_to_100 == 5
    assert figs.wss_95 == pytest.approx((10 - 5) / 10 - 0.05)
    assert figs.recall_at_10 == 0  # the first record (10%) is irrelevant
    rnd = random_figures(10, 2)
    assert rnd.screened_to_100 == pytest.approx(2 * 11 / 3)  # k (N + 1) / (R + 1)
    assert rnd.recall_at_10 == pytest.approx(0.1)
    with pytest.raises(ValueError):
        figures_from_order([0, 0], 10, 0)


# -- the labelled file and the command -------------------------------------------------------

SYNTHETIC_RIS = """TY  - JOUR
ID  - first
TI  - Exercise therapy for chronic Achilles tendinopathy: a randomised trial
AB  - Eccentric loading reduced pain in runners with tendinopathy after twelve weeks.
DO  - 10.5555/screen.1
ER  - 

TY  - JOUR
ID  - second
TI  - Soil nitrogen cycling under winter wheat
AB  - Nitrogen fertiliser timing changed nitrate leaching in clay soils.
AN  - 90000002
ER  - 

TY  - JOUR
ID  - third
TI  - Heavy slow resistance training in patellar and Achilles tendinopathy
AB  - Loading programmes for tendon pain compared in athletes.
DO  - 10.5555/screen.3
ER  - 

TY  - JOUR
ID  - fourth
TI  - Urban heat islands and evening bird song
AB  - Songbirds sang later in warmer city parks.
DO  - 10.5555/screen.4
ER  - 
"""


def _write(tmp_path: Path, labels: str) -> tuple[Path, Path]:
    ris = tmp_path / "records.ris"
    ris.write_text(SYNTHETIC_RIS, encoding="utf-8")
    csv_path = tmp_path / "labels.csv"
    csv_path.write_text(labels, encoding="utf-8")
    return ris, csv_path


def test_a_labelled_file_is_read_by_key_or_identifier(tmp_path: Path) -> None:
    ris, labels = _write(
        tmp_path, "record,label\nfirst,1\nhttps://doi.org/10.5555/SCREEN.3,1\nfourth,0\nsecond,0\n"
    )
    labelled = read_labelled_set(ris, labels)
    assert [r.title[:8] for r in labelled.records] == [
        "Exercise",
        "Soil nit",
        "Heavy sl",
        "Urban he",
    ]
    assert list(labelled.labels.values()) == [1, 0, 1, 0]


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ("first,1\nsecond,2\n", "row 2: label '2': expected 0 or 1"),
        ("first,1\nsecond\n", "row 2: expected two columns"),
        ("first,1\nnobody,0\n", "row 2: 'nobody' names no record"),
        (
            "first,1\n10.5555/screen.1,0\n",
            "row 2: '10.5555/screen.1' is labelled 0 here and 1 in row 1",
        ),
        ("first,1\nsecond,0\n", "has no label"),
        ("key,label\n", "no labels in it"),
    ],
)
def test_a_bad_labels_file_is_an_error_naming_the_row(
    tmp_path: Path, labels: str, problem: str
) -> None:
    ris, labels_path = _write(tmp_path, labels)
    with pytest.raises(InvalidRecord, match=problem.replace("(", r"\(")) as caught:
        read_labelled_set(ris, labels_path)
    assert caught.value.exit_code == 2


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(simulate_command)
    return app


def test_screen_simulate_prints_the_figures(tmp_path: Path) -> None:
    ris, labels = _write(tmp_path, "first,1\nsecond,0\nthird,1\nfourth,0\n")
    runner = CliRunner()
    shown = runner.invoke(_app(), [str(ris), "--labels", str(labels), "--seed", "1"])
    assert shown.exit_code == 0, shown.output
    assert "WSS@95" in shown.output and "4 records, 2 relevant" in shown.output
    claimed = runner.invoke(
        _app(),
        [str(ris), "--labels", str(labels), "--claim-text", "Loading for tendinopathy", "--json"],
    )
    assert claimed.exit_code == 0, claimed.output
    out = json.loads(claimed.output)
    assert out["prior"] == [] and out["claim_text"] == "Loading for tendinopathy"
    assert out["found_at"] == [1, 2]  # both tendon papers first, from the claim text alone
    assert set(out["ranked"]) == {"screened_to_95", "screened_to_100", "wss_95", "recall_at_10"}
    both = runner.invoke(
        _app(),
        [
            *(str(ris), "--labels", str(labels), "--claim-text", "Loading for tendinopathy"),
            *("--prior-relevant", "1", "--prior-irrelevant", "1", "--seed", "1"),
        ],
    )
    assert both.exit_code == 0, both.output
    assert "prior: the claim text and 2 records drawn at random (seed 1)" in both.output
    too_many = runner.invoke(_app(), [str(ris), "--labels", str(labels), "--prior-relevant", "3"])
    assert isinstance(too_many.exception, InvalidRecord) and too_many.exception.exit_code == 2
    assert "a prior of 3 relevant records asked for; the set has 2" in str(too_many.exception)
    negative = runner.invoke(
        _app(), [str(ris), "--labels", str(labels), "--prior-irrelevant", "-1"]
    )
    assert negative.exit_code == 2  # typer's own usage error, naming the option
    assert "--prior-irrelevant" in negative.output and "greater than or" in negative.output


def test_screen_simulate_refuses_a_bad_labels_file(tmp_path: Path) -> None:
    ris, labels = _write(tmp_path, "first,1\nsecond,yes\n")
    result = CliRunner().invoke(_app(), [str(ris), "--labels", str(labels)])
    assert isinstance(result.exception, InvalidRecord)
    assert "row 2" in str(result.exception) and result.exception.exit_code == 2


def test_ranking_module_needs_no_database() -> None:
    source = Path(ranking.__file__).read_text(encoding="utf-8")
    assert "sqlmodel" not in source and "sqlalchemy" not in source
