"""The grading engine, branch by branch, against DESIGN.md "Grading".

Everything here is pure: plain values in, a grade out. The expected values are written from
DESIGN.md's table and rules, not copied from the engine's own mapping tables.
"""

from __future__ import annotations

from datetime import date

import pytest

from evidence.domain.grading import (
    CERTAINTIES_OF,
    ClaimGrade,
    LinkInput,
    OverrideInput,
    SearchInput,
    grade_claim,
    grade_link,
    move,
    starting_certainty,
)
from evidence.domain.vocab import (
    Band,
    Certainty,
    ClaimType,
    Design,
    Downgrade,
    Retraction,
    ReviewOf,
    Stance,
    Upgrade,
    Verdict,
)

HIGH, MODERATE, LOW, VERY_LOW = (
    Certainty.high,
    Certainty.moderate,
    Certainty.low,
    Certainty.very_low,
)
NON_MECHANISM = [t for t in ClaimType if t is not ClaimType.mechanism]
REVIEWS = [Design.systematic_review_meta_analysis, Design.systematic_review]

# DESIGN.md's table: design -> (treatment/causal/prevalence/association/diagnostic, mechanism)
PRIMARY_START = {
    Design.rct: (HIGH, HIGH),
    Design.cohort: (LOW, LOW),
    Design.case_control: (LOW, LOW),
    Design.cross_sectional: (LOW, LOW),
    Design.cadaver_anatomical: (VERY_LOW, MODERATE),
    Design.lab_mechanistic: (VERY_LOW, LOW),
    Design.case_series: (VERY_LOW, VERY_LOW),
    Design.case_report: (VERY_LOW, VERY_LOW),
    Design.narrative_review: (VERY_LOW, VERY_LOW),
    Design.expert_opinion: (VERY_LOW, VERY_LOW),
}
# What a systematic review pooled -> its row; None is read as a mixed review.
REVIEW_START = {
    ReviewOf.rcts: (HIGH, HIGH),
    ReviewOf.observational: (LOW, LOW),
    ReviewOf.mixed: (LOW, LOW),
    ReviewOf.anatomical: (VERY_LOW, MODERATE),
    ReviewOf.case_reports: (VERY_LOW, VERY_LOW),
    None: (LOW, LOW),
}


def expected_start(pair: tuple[Certainty, Certainty], claim_type: ClaimType) -> Certainty:
    other, mechanism = pair
    return mechanism if claim_type is ClaimType.mechanism else other


def link(
    stance: Stance = Stance.supports,
    design: Design | None = Design.rct,
    *,
    review_of: ReviewOf | None = None,
    downgrades: tuple[Downgrade, ...] = (),
    upgrades: tuple[Upgrade, ...] = (),
    retraction: Retraction | None = None,
    ref: str = "doi:10.5555/synthetic",
) -> LinkInput:
    return LinkInput(
        reference=ref,
        stance=stance,
        design=design,
        review_of=review_of,
        downgrades=downgrades,
        upgrades=upgrades,
        retraction=retraction,
    )


def sup(design: Design | None = Design.rct, **kw: object) -> LinkInput:
    return link(Stance.supports, design, **kw)  # type: ignore[arg-type]


def ref(design: Design | None = Design.rct, **kw: object) -> LinkInput:
    return link(Stance.refutes, design, **kw)  # type: ignore[arg-type]


def mix(design: Design | None = Design.rct, **kw: object) -> LinkInput:
    return link(Stance.mixed, design, **kw)  # type: ignore[arg-type]


def insuf(design: Design | None = Design.rct, **kw: object) -> LinkInput:
    return link(Stance.insufficient, design, **kw)  # type: ignore[arg-type]


ONE_DOWN = (Downgrade.risk_of_bias,)
TWO_DOWN = (Downgrade.risk_of_bias, Downgrade.imprecision)
SEARCH = SearchInput(database="PubMed", searched_on=date(2024, 3, 1), hits=0)


# --- the vocabulary the engine reports in ------------------------------------------------


def test_the_table_covers_every_design() -> None:
    assert set(PRIMARY_START) | set(REVIEWS) == set(Design)
    assert set(REVIEW_START) - {None} == set(ReviewOf)


@pytest.mark.parametrize(
    ("certainty", "symbols", "label"),
    [
        (Certainty.high, "⊕⊕⊕⊕", "high"),
        (Certainty.moderate, "⊕⊕⊕◯", "moderate"),
        (Certainty.low, "⊕⊕◯◯", "low"),
        (Certainty.very_low, "⊕◯◯◯", "very low"),
    ],
)
def test_certainty_symbols_and_label(certainty: Certainty, symbols: str, label: str) -> None:
    assert certainty.symbols == symbols
    assert certainty.label == label


def test_certainty_order_is_grade_order() -> None:
    assert Certainty.very_low < Certainty.low < Certainty.moderate < Certainty.high


@pytest.mark.parametrize(
    ("verdict", "band", "label"),
    [
        (Verdict.supported, Band.supported, "Supported"),
        (Verdict.limited_support, Band.supported, "Limited support"),
        (Verdict.contested, Band.disputed, "Contested"),
        (Verdict.refuted, Band.disputed, "Refuted"),
        (Verdict.unproven, Band.unproven, "Unproven"),
    ],
)
def test_verdict_band_and_label(verdict: Verdict, band: Band, label: str) -> None:
    assert verdict.band is band
    assert verdict.label == label


@pytest.mark.parametrize(
    ("band", "label"),
    [(Band.supported, "Supported"), (Band.disputed, "Disputed"), (Band.unproven, "Unproven")],
)
def test_band_label(band: Band, label: str) -> None:
    assert band.label == label


# --- 1. link certainty: the starting level ------------------------------------------------


@pytest.mark.parametrize("claim_type", list(ClaimType))
@pytest.mark.parametrize("design", list(PRIMARY_START))
def test_starting_certainty_of_every_primary_design(design: Design, claim_type: ClaimType) -> None:
    want = expected_start(PRIMARY_START[design], claim_type)
    assert starting_certainty(design, None, claim_type) is want
    graded = grade_link(claim_type, sup(design))
    assert graded.start is want
    assert graded.certainty is want


@pytest.mark.parametrize("claim_type", list(ClaimType))
@pytest.mark.parametrize("review_of", list(REVIEW_START), ids=lambda r: str(r))
@pytest.mark.parametrize("design", REVIEWS)
def test_starting_certainty_of_systematic_reviews(
    design: Design, review_of: ReviewOf | None, claim_type: ClaimType
) -> None:
    want = expected_start(REVIEW_START[review_of], claim_type)
    assert starting_certainty(design, review_of, claim_type) is want
    graded = grade_link(claim_type, sup(design, review_of=review_of))
    assert graded.start is want
    assert graded.certainty is want


@pytest.mark.parametrize("design", REVIEWS)
def test_review_with_unrecorded_pooling_is_not_read_as_a_review_of_rcts(design: Design) -> None:
    for claim_type in ClaimType:
        assert starting_certainty(design, None, claim_type) is LOW
        assert starting_certainty(design, None, claim_type) is starting_certainty(
            design, ReviewOf.mixed, claim_type
        )


@pytest.mark.parametrize("claim_type", list(ClaimType))
def test_unknown_design_starts_at_very_low(claim_type: ClaimType) -> None:
    assert starting_certainty(None, None, claim_type) is VERY_LOW
    assert grade_link(claim_type, sup(None)).certainty is VERY_LOW


@pytest.mark.parametrize("claim_type", NON_MECHANISM)
@pytest.mark.parametrize(
    ("design", "mechanism_start"),
    [(Design.cadaver_anatomical, MODERATE), (Design.lab_mechanistic, LOW)],
)
def test_mechanistic_designs_only_count_for_mechanism_claims(
    design: Design, mechanism_start: Certainty, claim_type: ClaimType
) -> None:
    assert starting_certainty(design, None, claim_type) is VERY_LOW
    assert starting_certainty(design, None, ClaimType.mechanism) is mechanism_start


# --- 1. link certainty: downgrades and upgrades --------------------------------------------


@pytest.mark.parametrize("downgrade", list(Downgrade))
@pytest.mark.parametrize(
    ("design", "claim_type", "start", "after"),
    [
        (Design.rct, ClaimType.treatment, HIGH, MODERATE),
        (Design.cadaver_anatomical, ClaimType.mechanism, MODERATE, LOW),
        (Design.cohort, ClaimType.association, LOW, VERY_LOW),
        (Design.lab_mechanistic, ClaimType.mechanism, LOW, VERY_LOW),
    ],
)
def test_each_downgrade_alone_lowers_one_level(
    downgrade: Downgrade, design: Design, claim_type: ClaimType, start: Certainty, after: Certainty
) -> None:
    graded = grade_link(claim_type, sup(design, downgrades=(downgrade,)))
    assert graded.start is start
    assert graded.certainty is after


@pytest.mark.parametrize(
    ("downgrades", "want"),
    [
        ((), HIGH),
        ((Downgrade.risk_of_bias,), MODERATE),
        ((Downgrade.risk_of_bias, Downgrade.indirectness), LOW),
        ((Downgrade.imprecision, Downgrade.inconsistency), LOW),
        ((Downgrade.risk_of_bias, Downgrade.indirectness, Downgrade.imprecision), VERY_LOW),
        (tuple(Downgrade), VERY_LOW),
    ],
)
def test_several_downgrades_lower_one_level_each(
    downgrades: tuple[Downgrade, ...], want: Certainty
) -> None:
    assert grade_link(ClaimType.treatment, sup(Design.rct, downgrades=downgrades)).certainty is want


@pytest.mark.parametrize("downgrades", [(d,) for d in Downgrade] + [TWO_DOWN, tuple(Downgrade)])
@pytest.mark.parametrize(
    "design", [Design.case_report, Design.expert_opinion, Design.cadaver_anatomical, None]
)
def test_downgrade_never_goes_below_very_low(
    design: Design | None, downgrades: tuple[Downgrade, ...]
) -> None:
    graded = grade_link(ClaimType.causal, sup(design, downgrades=downgrades))
    assert graded.start is VERY_LOW
    assert graded.certainty is VERY_LOW


@pytest.mark.parametrize("upgrade", list(Upgrade))
@pytest.mark.parametrize(
    ("design", "claim_type", "after"),
    [
        (Design.case_report, ClaimType.treatment, LOW),
        (Design.cohort, ClaimType.causal, MODERATE),
        (Design.cadaver_anatomical, ClaimType.mechanism, HIGH),
        (Design.rct, ClaimType.treatment, HIGH),
    ],
)
def test_each_upgrade_raises_one_level_capped_at_high(
    upgrade: Upgrade, design: Design, claim_type: ClaimType, after: Certainty
) -> None:
    assert grade_link(claim_type, sup(design, upgrades=(upgrade,))).certainty is after


@pytest.mark.parametrize(
    ("design", "claim_type", "want"),
    [
        (Design.case_report, ClaimType.treatment, MODERATE),
        (Design.cross_sectional, ClaimType.association, HIGH),
        (Design.cadaver_anatomical, ClaimType.mechanism, HIGH),
        (Design.rct, ClaimType.treatment, HIGH),
    ],
)
def test_both_upgrades_raise_two_levels_never_above_high(
    design: Design, claim_type: ClaimType, want: Certainty
) -> None:
    assert grade_link(claim_type, sup(design, upgrades=tuple(Upgrade))).certainty is want


@pytest.mark.parametrize(
    ("downgrades", "upgrades", "want"),
    [
        ((Downgrade.risk_of_bias,), (Upgrade.large_effect,), LOW),
        (TWO_DOWN, (Upgrade.large_effect,), VERY_LOW),
        ((Downgrade.indirectness,), tuple(Upgrade), MODERATE),
    ],
)
def test_downgrades_and_upgrades_combine(
    downgrades: tuple[Downgrade, ...], upgrades: tuple[Upgrade, ...], want: Certainty
) -> None:
    graded = grade_link(
        ClaimType.association, sup(Design.cohort, downgrades=downgrades, upgrades=upgrades)
    )
    assert graded.certainty is want


@pytest.mark.parametrize(
    ("downgrades", "want"),
    [
        ((Downgrade.risk_of_bias, Downgrade.risk_of_bias), MODERATE),
        ((Downgrade.imprecision,) * 4, MODERATE),
        ((Downgrade.risk_of_bias, Downgrade.imprecision, Downgrade.risk_of_bias), LOW),
    ],
)
def test_duplicate_downgrades_count_once(
    downgrades: tuple[Downgrade, ...], want: Certainty
) -> None:
    assert grade_link(ClaimType.treatment, sup(Design.rct, downgrades=downgrades)).certainty is want


def test_duplicate_upgrades_count_once() -> None:
    upgrades = (Upgrade.large_effect, Upgrade.large_effect)
    graded = grade_link(ClaimType.treatment, sup(Design.case_series, upgrades=upgrades))
    assert graded.certainty is LOW


@pytest.mark.parametrize(
    ("start", "down", "up", "want"),
    [
        (HIGH, 0, 0, HIGH),
        (HIGH, 1, 0, MODERATE),
        (HIGH, 3, 0, VERY_LOW),
        (HIGH, 9, 0, VERY_LOW),
        (LOW, 0, 1, MODERATE),
        (LOW, 0, 2, HIGH),
        (MODERATE, 0, 5, HIGH),
        (VERY_LOW, 1, 0, VERY_LOW),
        (MODERATE, 1, 1, MODERATE),
    ],
)
def test_move(start: Certainty, down: int, up: int, want: Certainty) -> None:
    assert move(start, down, up) is want


@pytest.mark.parametrize(
    ("graded_link", "counts"),
    [
        (sup(), True),
        (ref(), True),
        (mix(), True),
        (insuf(), False),
        (sup(retraction=Retraction.retracted), False),
        (sup(retraction=Retraction.retracted_and_republished), False),
        (sup(retraction=Retraction.expression_of_concern), True),
        (sup(retraction=Retraction.corrected), True),
    ],
)
def test_which_links_count(graded_link: LinkInput, counts: bool) -> None:
    assert grade_link(ClaimType.treatment, graded_link).counts is counts


@pytest.mark.parametrize(
    ("graded_link", "label"),
    [
        (sup(Design.rct), "RCT"),
        (sup(Design.case_control), "case-control study"),
        (
            sup(Design.systematic_review_meta_analysis, review_of=ReviewOf.rcts),
            "meta-analysis of RCTs",
        ),
        (sup(Design.systematic_review), "systematic review"),
        (sup(None), "paper of unrecorded design"),
    ],
)
def test_link_design_label(graded_link: LinkInput, label: str) -> None:
    assert grade_link(ClaimType.treatment, graded_link).design_label == label


# --- 2. claim verdict -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_type", "links", "verdict", "certainty"),
    [
        # S >= moderate -> supported, certainty S
        (ClaimType.treatment, [sup()], Verdict.supported, HIGH),
        (ClaimType.treatment, [sup(downgrades=ONE_DOWN)], Verdict.supported, MODERATE),
        (ClaimType.mechanism, [sup(Design.cadaver_anatomical)], Verdict.supported, MODERATE),
        (ClaimType.treatment, [sup(Design.cohort), sup()], Verdict.supported, HIGH),
        (ClaimType.treatment, [sup(), ref(Design.case_report)], Verdict.supported, HIGH),
        (ClaimType.treatment, [sup(), ref(downgrades=tuple(Downgrade))], Verdict.supported, HIGH),
        # S = low -> limited support, certainty low
        (ClaimType.association, [sup(Design.cohort)], Verdict.limited_support, LOW),
        (
            ClaimType.association,
            [sup(Design.cross_sectional), sup(Design.case_report)],
            Verdict.limited_support,
            LOW,
        ),
        (ClaimType.mechanism, [sup(Design.lab_mechanistic)], Verdict.limited_support, LOW),
        (
            ClaimType.treatment,
            [sup(downgrades=TWO_DOWN), ref(Design.expert_opinion)],
            Verdict.limited_support,
            LOW,
        ),
        # S >= low and R >= low -> contested, certainty min(S, R)
        (ClaimType.treatment, [sup(), ref(Design.cohort)], Verdict.contested, LOW),
        (ClaimType.treatment, [sup(Design.cohort), ref()], Verdict.contested, LOW),
        (ClaimType.treatment, [sup(), ref()], Verdict.contested, HIGH),
        (ClaimType.treatment, [sup(), ref(downgrades=ONE_DOWN)], Verdict.contested, MODERATE),
        (
            ClaimType.mechanism,
            [sup(Design.lab_mechanistic), ref(Design.cadaver_anatomical)],
            Verdict.contested,
            LOW,
        ),
        # R >= low and S < low -> refuted, certainty R
        (ClaimType.treatment, [ref()], Verdict.refuted, HIGH),
        (ClaimType.association, [ref(Design.cohort)], Verdict.refuted, LOW),
        (ClaimType.treatment, [ref(downgrades=ONE_DOWN)], Verdict.refuted, MODERATE),
        (ClaimType.treatment, [ref(), sup(Design.case_report)], Verdict.refuted, HIGH),
        (
            ClaimType.treatment,
            [ref(Design.cohort), sup(downgrades=(*TWO_DOWN, Downgrade.indirectness))],
            Verdict.refuted,
            LOW,
        ),
        # a mixed link counts on both sides
        (ClaimType.treatment, [mix(downgrades=ONE_DOWN)], Verdict.contested, MODERATE),
        (ClaimType.treatment, [mix()], Verdict.contested, HIGH),
        (ClaimType.association, [mix(Design.cohort)], Verdict.contested, LOW),
        (ClaimType.treatment, [sup(), mix(Design.cohort)], Verdict.contested, LOW),
        (ClaimType.treatment, [ref(), mix(Design.cohort)], Verdict.contested, LOW),
        (ClaimType.treatment, [sup(), mix(Design.case_report)], Verdict.supported, HIGH),
        (ClaimType.treatment, [ref(), mix(Design.case_report)], Verdict.refuted, HIGH),
        # otherwise -> unproven, very low
        (ClaimType.treatment, [], Verdict.unproven, VERY_LOW),
        (ClaimType.treatment, [insuf()], Verdict.unproven, VERY_LOW),
        (ClaimType.treatment, [sup(Design.case_series)], Verdict.unproven, VERY_LOW),
        (ClaimType.treatment, [mix(Design.case_series)], Verdict.unproven, VERY_LOW),
        (
            ClaimType.treatment,
            [sup(Design.case_report), ref(Design.expert_opinion)],
            Verdict.unproven,
            VERY_LOW,
        ),
        (ClaimType.association, [sup(Design.cadaver_anatomical)], Verdict.unproven, VERY_LOW),
        (ClaimType.treatment, [sup(retraction=Retraction.retracted)], Verdict.unproven, VERY_LOW),
    ],
)
def test_claim_verdict(
    claim_type: ClaimType, links: list[LinkInput], verdict: Verdict, certainty: Certainty
) -> None:
    grade = grade_claim(claim_type, links)
    assert grade.verdict is verdict
    assert grade.computed_verdict is verdict
    assert grade.certainty is certainty
    assert grade.band is verdict.band
    assert grade.override is None
    assert grade.explanation == grade.computed_explanation
    assert (grade.unproven_reason is None) is (verdict is not Verdict.unproven)


def test_one_moderate_mixed_link_alone_is_contested() -> None:
    grade = grade_claim(ClaimType.treatment, [mix(downgrades=ONE_DOWN)])
    assert (grade.verdict, grade.certainty) == (Verdict.contested, MODERATE)
    assert (grade.supporting, grade.refuting, grade.mixed) == (0, 0, 1)
    assert "mixed results" in grade.explanation
    assert "counts both for and against it" in grade.explanation


def test_links_may_be_any_iterable() -> None:
    grade = grade_claim(ClaimType.treatment, (x for x in [sup(), ref(Design.cohort)]))
    assert grade.verdict is Verdict.contested
    assert len(grade.links) == 2


@pytest.mark.parametrize(
    ("links", "searches", "reason"),
    [
        ([], [], "not_assessed"),
        ([], [SEARCH], "searched_nothing_found"),
        ([], [SEARCH, SearchInput("Europe PMC", None, None)], "searched_nothing_found"),
        ([insuf()], [], "insufficient_only"),
        ([insuf(), insuf(Design.cohort)], [SEARCH], "insufficient_only"),
        ([sup(Design.case_report)], [], "very_low_only"),
        ([sup(Design.case_report), insuf()], [SEARCH], "very_low_only"),
        ([ref(Design.expert_opinion), mix(None)], [], "very_low_only"),
        ([sup(downgrades=tuple(Downgrade))], [], "very_low_only"),
        ([sup(Design.case_report), sup(retraction=Retraction.retracted)], [], "very_low_only"),
        ([sup(retraction=Retraction.retracted)], [], "retracted_only"),
        ([ref(retraction=Retraction.retracted_and_republished)], [SEARCH], "retracted_only"),
        (
            [sup(retraction=Retraction.retracted), ref(retraction=Retraction.retracted)],
            [],
            "retracted_only",
        ),
    ],
)
def test_unproven_reason(links: list[LinkInput], searches: list[SearchInput], reason: str) -> None:
    grade = grade_claim(ClaimType.treatment, links, searches)
    assert grade.verdict is Verdict.unproven
    assert grade.certainty is VERY_LOW
    assert grade.band is Band.unproven
    assert grade.unproven_reason == reason


def test_unproven_explanations_tell_the_reasons_apart() -> None:
    texts = {
        grade_claim(ClaimType.treatment, links, searches).explanation
        for links, searches in [
            ([], []),
            ([], [SEARCH]),
            ([insuf()], []),
            ([sup(Design.case_report)], []),
            ([sup(retraction=Retraction.retracted)], []),
        ]
    }
    assert len(texts) == 5
    assert all(t.startswith("Unproven") for t in texts)


@pytest.mark.parametrize("retraction", [Retraction.retracted, Retraction.retracted_and_republished])
def test_retracted_reference_contributes_nothing_but_is_counted(retraction: Retraction) -> None:
    withdrawn_rct = sup(retraction=retraction, ref="doi:10.5555/withdrawn")
    grade = grade_claim(ClaimType.treatment, [withdrawn_rct, sup(Design.cohort)])
    assert (grade.verdict, grade.certainty) == (Verdict.limited_support, LOW)
    assert grade.retracted == 1
    assert grade.supporting == 1
    assert "retracted" in grade.explanation
    assert grade.explanation.endswith("1 retracted paper was excluded.")


@pytest.mark.parametrize("retraction", [Retraction.retracted, Retraction.retracted_and_republished])
def test_retracted_refuting_reference_does_not_contest(retraction: Retraction) -> None:
    grade = grade_claim(ClaimType.treatment, [sup(), ref(retraction=retraction)])
    assert (grade.verdict, grade.certainty) == (Verdict.supported, HIGH)
    assert (grade.refuting, grade.retracted) == (0, 1)
    assert "1 retracted paper was excluded." in grade.explanation


def test_retracted_only_is_unproven_and_says_so() -> None:
    grade = grade_claim(
        ClaimType.treatment,
        [
            sup(retraction=Retraction.retracted),
            ref(retraction=Retraction.retracted_and_republished),
        ],
    )
    assert grade.verdict is Verdict.unproven
    assert grade.unproven_reason == "retracted_only"
    assert grade.retracted == 2
    assert (grade.supporting, grade.refuting) == (0, 0)
    assert grade.explanation == ("Unproven: no evidence counts. 2 retracted papers were excluded.")


def test_retracted_insufficient_link_is_counted_as_retracted_not_insufficient() -> None:
    grade = grade_claim(ClaimType.treatment, [sup(), insuf(retraction=Retraction.retracted)])
    assert grade.retracted == 1
    assert "judged insufficient" not in grade.explanation
    assert grade.explanation.endswith("1 retracted paper was excluded.")


@pytest.mark.parametrize("retraction", [Retraction.expression_of_concern, Retraction.corrected])
def test_expression_of_concern_and_correction_still_count(retraction: Retraction) -> None:
    grade = grade_claim(ClaimType.treatment, [sup(retraction=retraction)])
    assert (grade.verdict, grade.certainty) == (Verdict.supported, HIGH)
    assert grade.retracted == 0
    assert grade.supporting == 1
    assert "retracted" not in grade.explanation


@pytest.mark.parametrize("retraction", [Retraction.expression_of_concern, Retraction.corrected])
def test_flagged_but_not_withdrawn_refutation_still_contests(retraction: Retraction) -> None:
    grade = grade_claim(ClaimType.treatment, [sup(), ref(retraction=retraction)])
    assert (grade.verdict, grade.certainty) == (Verdict.contested, HIGH)


def test_counts_by_stance() -> None:
    grade = grade_claim(
        ClaimType.treatment,
        [
            sup(),
            sup(Design.cohort),
            ref(Design.case_report),
            mix(Design.cohort),
            insuf(),
            sup(retraction=Retraction.retracted),
        ],
    )
    assert (grade.supporting, grade.refuting, grade.mixed, grade.retracted) == (2, 1, 1, 1)
    assert len(grade.links) == 6


# --- overrides ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("links", "computed", "override_to"),
    [
        ([], Verdict.unproven, Verdict.supported),
        ([sup()], Verdict.supported, Verdict.refuted),
        ([sup(), ref()], Verdict.contested, Verdict.limited_support),
        ([ref(Design.cohort)], Verdict.refuted, Verdict.unproven),
        ([sup(Design.cohort)], Verdict.limited_support, Verdict.contested),
    ],
)
def test_override_is_shown_and_computed_verdict_kept(
    links: list[LinkInput], computed: Verdict, override_to: Verdict
) -> None:
    plain = grade_claim(ClaimType.treatment, links)
    override = OverrideInput(
        verdict=override_to, reason="synthetic reason for testing", curator="alice"
    )
    grade = grade_claim(ClaimType.treatment, links, override=override)
    assert grade.verdict is override_to
    assert grade.band is override_to.band
    assert grade.override == override
    assert grade.computed_verdict is computed
    assert grade.computed_explanation == plain.explanation
    assert grade.explanation != plain.explanation
    assert "alice" in grade.explanation
    assert "synthetic reason for testing" in grade.explanation
    assert override_to.label in grade.explanation
    assert plain.explanation in grade.explanation
    assert plain.override is None


def test_override_explanation_text() -> None:
    grade = grade_claim(
        ClaimType.association,
        [],
        override=OverrideInput(Verdict.refuted, "retraction notice pending", "bob"),
    )
    assert grade.explanation == (
        "Refuted (low; curator override by bob: retraction notice pending). "
        "Computed: Unproven: not yet assessed — no evidence linked and no search recorded."
    )


@pytest.mark.parametrize(
    ("links", "override_to", "shown", "computed"),
    [
        # issue 16: "override CLAIM unproven" showed the computed ⊕⊕⊕◯ beside "Unproven"
        ([sup(downgrades=ONE_DOWN)], Verdict.unproven, Certainty.very_low, Certainty.moderate),
        ([sup(downgrades=ONE_DOWN)], Verdict.limited_support, Certainty.low, Certainty.moderate),
        ([sup(downgrades=ONE_DOWN)], Verdict.refuted, Certainty.moderate, Certainty.moderate),
        ([sup(Design.cohort)], Verdict.supported, Certainty.moderate, Certainty.low),
        ([], Verdict.contested, Certainty.low, Certainty.very_low),
        ([sup()], Verdict.contested, Certainty.high, Certainty.high),
    ],
)
def test_an_override_shows_a_certainty_its_verdict_can_have(
    links: list[LinkInput], override_to: Verdict, shown: Certainty, computed: Certainty
) -> None:
    grade = grade_claim(
        ClaimType.treatment, links, override=OverrideInput(override_to, "why", "carol")
    )
    assert grade.certainty is shown
    assert grade.certainty in CERTAINTIES_OF[override_to]
    assert grade.computed_certainty is computed
    assert grade.explanation.startswith(f"{override_to.label} ({shown.label}; curator override")
    assert grade.strength == (grade.strength[0], shown.value)


def test_an_override_keeps_the_curators_certainty() -> None:
    grade = grade_claim(
        ClaimType.treatment,
        [sup(Design.cohort)],
        override=OverrideInput(Verdict.supported, "why", "carol", Certainty.high),
    )
    assert (grade.certainty, grade.computed_certainty) == (Certainty.high, Certainty.low)


def test_every_computed_verdict_has_a_certainty_it_can_have() -> None:
    """CERTAINTIES_OF is the grading's own rule: what grade_claim gives fits it."""
    cases = [
        [],
        [sup()],
        [sup(Design.cohort)],
        [sup(), ref()],
        [ref(Design.cohort)],
        [sup(downgrades=ONE_DOWN)],
        [sup(Design.case_report)],
    ]
    for links in cases:
        grade = grade_claim(ClaimType.treatment, links)
        assert grade.certainty in CERTAINTIES_OF[grade.verdict]
        assert grade.computed_certainty is grade.certainty


# --- 3. explanation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_type", "links", "searches", "text"),
    [
        (
            ClaimType.association,
            [sup(Design.cross_sectional), sup(Design.cross_sectional)],
            [],
            "Limited support (low): 2 cross-sectional studies support it (best: low); "
            "none refute it.",
        ),
        (
            ClaimType.treatment,
            [sup()],
            [],
            "Supported (high): 1 RCT supports it (best: high); none refute it.",
        ),
        (
            ClaimType.association,
            [ref(Design.cohort)],
            [],
            "Refuted (low): none support it; 1 cohort study refutes it (best: low).",
        ),
        (
            ClaimType.treatment,
            [sup(), ref(Design.cohort), ref(Design.cohort)],
            [],
            "Contested (low): 1 RCT supports it (best: high); "
            "2 cohort studies refute it (best: low).",
        ),
        (
            ClaimType.treatment,
            [
                sup(Design.cross_sectional),
                sup(Design.systematic_review_meta_analysis, review_of=ReviewOf.rcts),
                sup(Design.cross_sectional),
            ],
            [],
            "Supported (high): 1 meta-analysis of RCTs and 2 cross-sectional studies "
            "support it (best: high); none refute it.",
        ),
        (
            ClaimType.treatment,
            [sup(Design.case_report), sup(Design.cohort), sup(Design.cohort), sup()],
            [],
            "Supported (high): 1 RCT, 2 cohort studies and 1 case report support it "
            "(best: high); none refute it.",
        ),
        (
            ClaimType.treatment,
            [sup(), insuf(Design.cohort)],
            [],
            "Supported (high): 1 RCT supports it (best: high); none refute it. "
            "1 paper was judged insufficient.",
        ),
        (
            ClaimType.treatment,
            [sup(), insuf(Design.cohort), insuf(None)],
            [],
            "Supported (high): 1 RCT supports it (best: high); none refute it. "
            "2 papers were judged insufficient.",
        ),
        (
            ClaimType.association,
            [sup(Design.cohort), sup(retraction=Retraction.retracted)],
            [],
            "Limited support (low): 1 cohort study supports it (best: low); none refute it. "
            "1 retracted paper was excluded.",
        ),
        (
            ClaimType.association,
            [
                sup(Design.cohort),
                insuf(),
                sup(retraction=Retraction.retracted),
                ref(retraction=Retraction.retracted_and_republished),
            ],
            [],
            "Limited support (low): 1 cohort study supports it (best: low); none refute it. "
            "1 paper was judged insufficient. 2 retracted papers were excluded.",
        ),
        (
            ClaimType.treatment,
            [],
            [],
            "Unproven: not yet assessed — no evidence linked and no search recorded.",
        ),
        (
            ClaimType.treatment,
            [],
            [SEARCH],
            "Unproven: searched, nothing found — 1 search recorded (PubMed, latest 2024-03-01).",
        ),
        (
            ClaimType.treatment,
            [],
            [
                SearchInput("Europe PMC", date(2024, 5, 2), 0),
                SEARCH,
                SearchInput("Cochrane Library", None, None),
            ],
            "Unproven: searched, nothing found — 3 searches recorded "
            "(Europe PMC, latest 2024-05-02).",
        ),
        (
            ClaimType.treatment,
            [],
            [SearchInput("Cochrane Library", None, None)],
            "Unproven: searched, nothing found — 1 search recorded (Cochrane Library).",
        ),
        (
            ClaimType.treatment,
            [insuf(), insuf(Design.cohort)],
            [],
            "Unproven: the papers linked cannot bear on it either way. "
            "2 papers were judged insufficient.",
        ),
        (
            ClaimType.treatment,
            [sup(retraction=Retraction.retracted)],
            [],
            "Unproven: no evidence counts. 1 retracted paper was excluded.",
        ),
        (
            ClaimType.treatment,
            [sup(Design.case_report), sup(Design.case_report)],
            [],
            "Unproven (very low): only very low certainty evidence — "
            "2 case reports support it (best: very low); none refute it.",
        ),
        (
            ClaimType.treatment,
            [ref(Design.expert_opinion)],
            [SEARCH],
            "Unproven (very low): only very low certainty evidence — "
            "none support it; 1 expert opinion refutes it (best: very low).",
        ),
    ],
)
def test_explanation_text(
    claim_type: ClaimType, links: list[LinkInput], searches: list[SearchInput], text: str
) -> None:
    assert grade_claim(claim_type, links, searches).explanation == text


def test_explanation_mentions_mixed_links_with_number() -> None:
    one = grade_claim(ClaimType.association, [sup(Design.cohort), mix(Design.cohort)])
    two = grade_claim(
        ClaimType.association, [sup(Design.cohort), mix(Design.cohort), mix(Design.cohort)]
    )
    assert "1 cohort study has mixed results" in one.explanation
    assert "2 cohort studies have mixed results" in two.explanation


# --- strength (chains' weakest link) --------------------------------------------------------


def _grades_by_verdict() -> dict[Verdict, ClaimGrade]:
    grades = {
        Verdict.refuted: grade_claim(ClaimType.treatment, [ref()]),
        Verdict.unproven: grade_claim(ClaimType.treatment, []),
        Verdict.contested: grade_claim(ClaimType.treatment, [sup(), ref()]),
        Verdict.limited_support: grade_claim(ClaimType.treatment, [sup(Design.cohort)]),
        Verdict.supported: grade_claim(ClaimType.treatment, [sup(downgrades=ONE_DOWN)]),
    }
    assert all(g.verdict is v for v, g in grades.items())
    return grades


def test_strength_orders_verdicts() -> None:
    grades = _grades_by_verdict()
    order = sorted(grades, key=lambda v: grades[v].strength)
    assert order == [
        Verdict.refuted,
        Verdict.unproven,
        Verdict.contested,
        Verdict.limited_support,
        Verdict.supported,
    ]


def test_strength_verdict_outranks_certainty() -> None:
    grades = _grades_by_verdict()
    # a refutation of high certainty is still a weaker step than an unproven very-low claim
    assert grades[Verdict.refuted].certainty is HIGH
    assert grades[Verdict.unproven].certainty is VERY_LOW
    assert grades[Verdict.refuted].strength < grades[Verdict.unproven].strength
    assert grades[Verdict.contested].strength < grades[Verdict.limited_support].strength


def test_strength_within_a_verdict_follows_certainty() -> None:
    high = grade_claim(ClaimType.treatment, [sup()])
    moderate = grade_claim(ClaimType.treatment, [sup(downgrades=ONE_DOWN)])
    assert moderate.strength < high.strength


def test_strength_uses_the_shown_verdict() -> None:
    grade = grade_claim(
        ClaimType.treatment, [sup()], override=OverrideInput(Verdict.refuted, "why", "carol")
    )
    unproven = grade_claim(ClaimType.treatment, [])
    assert grade.strength < unproven.strength


def test_mixed_links_are_said_to_count_on_both_sides() -> None:
    grade = grade_claim(
        ClaimType.association,
        [link(Stance.supports, Design.cohort, ref="a"), link(Stance.mixed, Design.cohort, ref="b")],
    )
    # issue 16: "...; none refute it; ... have mixed results" read as a contradiction
    assert grade.explanation == (
        "Contested (low): 1 cohort study supports it (best: low); none refute it outright; "
        "1 cohort study has mixed results (best: low), so it counts both for and against it."
    )


def test_the_explanation_says_why_the_best_evidence_ended_where_it_did() -> None:
    """Issue 16: "2 RCTs and 1 meta-analysis of RCTs support it (best: low)" did not say
    why RCTs ended low."""
    down = (Downgrade.risk_of_bias, Downgrade.indirectness)
    grade = grade_claim(
        ClaimType.treatment,
        [
            link(Stance.supports, Design.rct, ref="a", downgrades=down),
            link(Stance.supports, Design.rct, ref="b", downgrades=down),
            link(
                Stance.supports,
                Design.systematic_review_meta_analysis,
                ref="c",
                review_of=ReviewOf.rcts,
                downgrades=(*down, Downgrade.imprecision),
            ),
            link(Stance.refutes, Design.cohort, ref="d", upgrades=(Upgrade.large_effect,)),
        ],
    )
    assert grade.explanation == (
        "Contested (low): 2 RCTs and 1 meta-analysis of RCTs support it (best: low, an RCT "
        "downgraded from high for indirectness and risk of bias); 1 cohort study refutes it "
        "(best: moderate, a cohort study upgraded from low for large effect)."
    )


def test_only_mixed_results_are_said_to_stand_on_both_sides() -> None:
    grade = grade_claim(ClaimType.association, [link(Stance.mixed, Design.cohort, ref="a")])
    assert grade.explanation == (
        "Contested (low): 1 cohort study has mixed results (best: low), so it counts both "
        "for and against it; none support or refute it outright."
    )


@pytest.mark.parametrize(
    ("design", "phrase"),
    [
        (Design.cadaver_anatomical, "is an anatomical study, which starts at moderate"),
        (Design.lab_mechanistic, "is a laboratory study, which starts at low"),
        (Design.expert_opinion, "is an expert opinion, which starts at very low"),
    ],
)
def test_why_not_higher_names_the_design_that_holds_it_back(design: Design, phrase: str) -> None:
    grade = grade_claim(ClaimType.mechanism, [link(Stance.supports, design)])
    assert any(phrase in limit for limit in grade.limits), grade.limits


def test_at_high_certainty_nothing_is_said_to_hold_the_support_back() -> None:
    offset = sup(downgrades=(Downgrade.imprecision,), upgrades=(Upgrade.large_effect,))
    grade = grade_claim(ClaimType.treatment, [offset])
    assert (grade.verdict, grade.certainty) == (Verdict.supported, HIGH)
    assert grade.limits == ()
    # one step lower, the downgrade is what holds it back
    lower = grade_claim(ClaimType.treatment, [sup(downgrades=(Downgrade.imprecision,))])
    assert lower.limits == ("it is downgraded for imprecision",)
